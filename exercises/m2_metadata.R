# Exercise m2_metadata
# Generated from the solutions by `synthspectrum workshop exercises`: fill in every `todo()`, run the file,
# and read what check() says.
# R finds its helpers through the synthspectrum command: start R with the virtualenv active
# (source .venv/bin/activate), or first Sys.setenv(SYNTHSPECTRUM_BIN = "<full path of .venv/bin/synthspectrum>").
# %% [markdown]
# # M2 Metadata synthesis (R role)
#
# The Python role fits a metasyn model: one distribution per column, each column drawn on
# its own. synthpop has the same idea in its simplest method, "sample": every column is
# drawn at random, with replacement, from the real values of that column alone, as if
# the columns had nothing to do with each other. Each column keeps its exact distribution
# (its values are real values); every relation between columns is gone.
#
# You draw such a set, save it for later modules, and measure what it loses with table
# utility (synthpop's utility.tab): the counts of a two-way table in the real and the
# synthetic data, compared. Its standardised pMSE, S_pMSE, is about 1 when the differences
# are what sampling alone gives (two halves of the same real data), and far above 1 when
# the table's structure is lost. The Python role measures the same pair on its metasyn
# set with the package's own Python code: on the same data, the numbers must be equal.
#
# Swap driver and navigator at every numbered step. Fill in each todo(), run the file
# (Rscript m2_metadata.R) and read what check("m2") says at the end.

# %%
source(system2(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"), c("workshop", "r"), stdout = TRUE))
if (!requireNamespace("synthpop", quietly = TRUE)) {
  stop("M2's R role needs the R package synthpop, which is not installed here: ",
       "Rscript -e 'install.packages(\"synthpop\")'. Until then, work from the Python side's ",
       "files in workshop_out/ (m2_metasyn.rds) with your partner.", call. = FALSE)
}

SEED <- 2024                         # the day's seed: the same seed gives the same data
pair <- c("age_band", "admitted")    # the pair of columns whose relation we follow

# %% Step 1: Load the real data and the holdout
# train: the real data the generators learn from. holdout: the other half of the same
# real table, which no generator sees; it shows what "as good as real data" looks like.
train <- workshop_data("train")
holdout <- workshop_data("holdout")
cat(nrow(train), "training records,", nrow(holdout), "holdout records\n")

# %% Step 2: synthpop's sample method
# syn() here is the package's R twin of synthpop::syn (same arguments, real column names,
# classes kept: factors, Date, logical, integer). Draw one synthetic set with the method
# "sample" for every column and the day's seed. The result is a list: the data are in
# $synthetic, the method used per column in $method.
# hint: res <- syn(train, method = "sample", seed = SEED); sample_set <- res$synthetic
res <- todo()
sample_set <- todo()
todo()

# %% Step 3: Its fingerprint, and save it
# fingerprint() hashes a whole table the same way as Python's fingerprint(): the Python
# role's synthpop.syn(train, method="sample", seed=2024) (module M3) draws exactly this set.
# Save the set for later modules as .rds: saveRDS keeps factor levels, dates and logicals
# (a CSV would not).
# hint: fp_sample <- fingerprint(sample_set)
# hint: sample_file <- file.path(out_dir(), "m2_sample.rds"); saveRDS(sample_set, sample_file)
fp_sample <- todo()
todo()
sample_file <- todo()
todo()

# %% Step 4: Does the sample set keep the relation of age and admission?
# First look: the share admitted in each age band, real and synthetic (every band holds
# hundreds of records). In the real data admission rises with age; in the sample set
# every band gets about the overall share.
# Then table utility of the pair: for the real holdout, then for the sample set. Record
# both S_pMSE values. The Python role computes the holdout's too: the numbers must agree.
# hint: tab <- utility_tab(train, holdout, vars = pair); tab$value[tab$measure == "S_pMSE"]
todo()
tab_holdout <- todo()
s_pmse_holdout <- todo()
tab_sample <- todo()
s_pmse_sample <- todo()
todo()

# %% Step 5: The same measure on the Python role's metasyn set
# If your partner ran M2's Python file in this folder, workshop_out/ holds their metasyn
# set as .rds (written through the R bridge, types kept). synthpop's utility.tab on it must
# give the same S_pMSE as the Python role's s_pmse_metasyn, computed by Python code of
# its own: two implementations, one number. Nothing to fill in here: run it and compare.
metasyn_file <- file.path(out_dir(), "m2_metasyn.rds")
if (file.exists(metasyn_file)) {
  metasyn_set <- readRDS(metasyn_file)
  tab_metasyn <- utility_tab(train, metasyn_set, vars = pair)
  cat(sprintf("S_pMSE of the Python role's metasyn set, from synthpop: %.6f (compare with s_pmse_metasyn)\n",
              tab_metasyn$value[tab_metasyn$measure == "S_pMSE"]))
} else {
  cat("no", metasyn_file, "yet: run m2_metadata.py in this folder first to compare with the Python role\n")
}

# %% [markdown]
# ## What you have seen
# Drawing each column on its own keeps every column's distribution (the sample method even
# keeps its exact real values) and loses every relation: S_pMSE of age band x admitted is
# about 1 for the real holdout and dozens of times that for the sample set, as for
# metasyn's. Note also what "sample" discloses: each synthetic value IS a real value, so a
# rare real value (the longest stay) can reappear as it is. The next module, M3, models
# each column from the ones before it (CART) to keep the relations.

# %%
check("m2")
