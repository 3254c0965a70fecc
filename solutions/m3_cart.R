# %% [markdown]
# # M3 synthpop CART from R and from Python (R role)
#
# synthpop is an R package (Nowok, Raab & Dibben 2016), and this is its home language.
# Its syn() synthesises SEQUENTIALLY: it visits the columns in the VISIT SEQUENCE and draws
# each one from a model of that column given the columns visited before it,
#
#   x1 ~ f(x1),  x2 ~ f(x2 | x1),  x3 ~ f(x3 | x1, x2),  ...
#
# The first column has no predictor: it is drawn by "sample" (a bootstrap of the real
# values). The default method for the others, "cart", grows a classification or regression
# tree of the column on the columns before it and draws each synthetic value from the real
# values in the synthetic record's leaf. No distribution to assume, interactions found by
# the tree: that is why CART is synthpop's default.
#
# You call syn() through synthspectrum's R twin: the same syn(real, method, visit_sequence,
# seed, ...) as the Python side's sp.syn(), which runs this very R function through rpy2.
# With the same data, method, visit sequence and seed, your synthetic table and the Python
# side's must be IDENTICAL, and you prove it with fingerprint(): an MD5 of the table's values
# that R and Python compute alike.
#
# Swap driver and navigator at every numbered step. Run the whole file
# (`Rscript m3_cart.R`) and read what check("m3") says at the end. In an exercise, todo()
# stops the script with "step not done yet": replace each todo() with your code.

# %%
source(system2(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"), c("workshop", "r"), stdout = TRUE))
if (!requireNamespace("synthpop", quietly = TRUE)) {
  stop("this module needs the R package synthpop: install.packages(\"synthpop\") in R, then run this file again ",
       "(`synthspectrum doctor` says what R sees)", call. = FALSE)
}

# %% Step 1: Load the training data and agree on the seed
# workshop_data("train") is the same table as the Python side's (written through the R
# bridge: factors with the same levels in the same order, Dates, logicals, integers).
# A CSV would lose all that, and the two syn() calls would no longer see identical data.
train <- workshop_data("train")
SEED <- 2026
str(train)

# %% Step 2: Choose the visit sequence the Python side chose
# Columns that explain others first (who, where, what was done), then the outcomes, and the
# hard-to-model arrival date last. The same order as the Python side:
#   age_band, gender, hospital, treatment, admitted, time_in_ae_minutes,
#   deprivation_decile, arrival_time_hour_band, arrival_time_date
# hint: a character vector, c("age_band", "gender", ...), every column once
# >>> solution
visit <- c("age_band", "gender", "hospital", "treatment", "admitted", "time_in_ae_minutes",
           "deprivation_decile", "arrival_time_hour_band", "arrival_time_date")
# <<<

# %% Step 3: Synthesise with CART and read the methods
# syn(real, method = "cart", visit_sequence = ..., seed = ...) returns a list: $synthetic (the
# synthetic data.frame), $method (one method per column, named), $visit_sequence, $notes, and
# $object, synthpop's own synds object for synthpop's further functions (M4).
# Which method did the first column visited get, and why can it not be "cart"?
# hint: syn(train, method = ..., visit_sequence = ..., seed = ...); res$method is a named vector
# hint: the first column visited is visit[1] (R counts from 1)
# >>> solution
res <- syn(train, method = "cart", visit_sequence = visit, seed = SEED)
first_method <- unname(res$method[visit[1]])
# <<<
print(res$method)
cat("the first column visited was synthesised by:", first_method, "\n")

# %% Step 4: Fingerprint your synthetic table and compare with Python's
# fingerprint(data.frame) gives the same 32 hexadecimal characters as Python's fingerprint()
# for the same table. The Python side printed theirs in their step 4 and wrote it to
# workshop_out/m3_fingerprint.txt: read it (or type what they read out, in quotes).
# Equal fingerprints prove one syn() call, two languages, identical data.
# If the Python side has not run in this folder (you work alone, or its laptop is another),
# the lines below ask Python for its fingerprint: the same call, sp.syn() run from Python.
fp_file <- file.path(out_dir(), "m3_fingerprint.txt")
if (!file.exists(fp_file)) {
  message("No ", fp_file, " here (the Python side's m3_cart.py writes it): making the Python side's syn() call ",
          "from Python now, with the step 2 visit sequence and seed ", SEED, " ...")
  bin <- Sys.which(path.expand(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum")))
  python <- file.path(dirname(bin), c("python", "python.exe", "python3"))
  python <- python[file.exists(python)][1]
  code <- paste0(
    "from synthspectrum.workshop import workshop_data, fingerprint, out_dir\n",
    "from synthspectrum import synthpop as sp\n",
    "visit = ['age_band', 'gender', 'hospital', 'treatment', 'admitted', 'time_in_ae_minutes', ",
    "'deprivation_decile', 'arrival_time_hour_band', 'arrival_time_date']\n",
    "res = sp.syn(workshop_data('train'), method='cart', visit_sequence=visit, seed=", SEED, ")\n",
    "(out_dir() / 'm3_fingerprint.txt').write_text(fingerprint(res.synthetic) + '\\n')\n")
  script <- tempfile(fileext = ".py")
  writeLines(code, script)
  if (is.na(python) || system2(python, script) != 0 || !file.exists(fp_file)) {
    message("Python could not make it: type the fingerprint the Python side printed instead.")
  }
}
# hint: fingerprint() takes the synthetic data.frame, res$synthetic
# hint: python_fingerprint <- readLines(fp_file), or the 32 characters in quotes
# >>> solution
cart_fingerprint <- fingerprint(res$synthetic)
python_fingerprint <- readLines(fp_file)
# <<<
cat("R's fingerprint:     ", cart_fingerprint, "\nPython's fingerprint:", python_fingerprint, "\n")

# %% Step 5: The same seed gives the same data; another seed other data
# Run syn() again with the same arguments, and once with seed SEED + 1, and compare the
# fingerprints. Both must be TRUE: the seed makes synthesis repeatable, and another seed is
# another (equally valid) draw from the same fitted model.
# hint: fingerprint(syn(..., seed = SEED)$synthetic) == cart_fingerprint
# hint: other_seed_differs uses != and seed = SEED + 1
# >>> solution
same_seed <- fingerprint(syn(train, method = "cart", visit_sequence = visit, seed = SEED)$synthetic) == cart_fingerprint
other_seed_differs <- fingerprint(syn(train, method = "cart", visit_sequence = visit, seed = SEED + 1)$synthetic) != cart_fingerprint
# <<<
cat("same seed, same data:", same_seed, "| another seed, other data:", other_seed_differs, "\n")

# %% Step 6: Save the result for M4
# M4 measures this set with synthpop's own functions, which need the whole syn() result
# (its $object carries what synthpop's combining rules use). saveRDS keeps all of it.
# hint: saveRDS(res, cart_rds)
# hint: cart_rds <- file.path(out_dir(), "m3_cart.rds")
# >>> solution
cart_rds <- file.path(out_dir(), "m3_cart.rds")
saveRDS(res, cart_rds)
# <<<

# %% [markdown]
# ## Extension (for fast pairs; not checked)
#
# 1. synthpop's own call: synthpop::syn(train, method = "cart", visit.sequence = ..., seed = SEED)
#    takes column numbers or names for visit.sequence and R's spelling of the arguments.
#    Its $syn is synthpop's synthetic data: are the dates still dates? (synthpop cannot model
#    Dates: the twin turns them into numbers and back.)
# 2. Smoothing: syn(train, visit_sequence = visit, seed = SEED,
#    smoothing = list(time_in_ae_minutes = "density")) blurs the drawn numbers; how many
#    synthetic times in A&E now equal a real one?  sum(res$synthetic$time_in_ae_minutes %in%
#    train$time_in_ae_minutes)
# 3. Larger leaves: syn(..., cart.minbucket = 50) makes coarser trees; compare the
#    fingerprints and, in M4, the utility and disclosure.
# 4. m = 3 gives three synthetic sets in res$synthetic (a list); synthpop's combining rules
#    for m > 1 give honest standard errors for estimates made from synthetic data.

# %%
check("m3")
