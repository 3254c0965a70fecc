# Exercise m4_measures
# Generated from the solutions by `synthspectrum workshop exercises`: fill in every `todo()`, run the file,
# and read what check() says.
# R finds its helpers through the synthspectrum command: start R with the virtualenv active
# (source .venv/bin/activate), or first Sys.setenv(SYNTHSPECTRUM_BIN = "<full path of .venv/bin/synthspectrum>").
# %% [markdown]
# # M4 Utility and privacy (R role)
#
# You measure M3's CART set with synthpop's own functions, through the R twin (the same
# names as the Python side's, (real, synthetic, ...) in that order, tidy data.frames
# back): utility_gen (synthpop's utility.gen), compare, glm_synds + compare_fit (glm.synds +
# compare.fit), replicated_uniques (replicated.uniques) and disclosure. The Python side
# computes the same statistics with the package's Python-native measures on the SAME
# synthetic set: the numbers must agree. Two implementations that agree check each other.
#
# Utility (Snoke et al. 2018): GENERAL (can a propensity model tell real from synthetic?
# pMSE, and S_pMSE, about 1 for a correct synthesis), MARGINAL (each column's distribution),
# SPECIFIC (the same regression on both). Privacy on keys an attacker may know and a
# sensitive target: REPLICATED UNIQUES and ATTRIBUTE DISCLOSURE (DiSCO; Raab, Nowok &
# Dibben 2025, synthpop's disclosure vignette).
#
# Run the whole file (`Rscript m4_measures.R`) and read what check("m4") says at the end.
# It reads M3's syn() result from workshop_out/m3_cart.rds: run M3's R file first here.

# %%
source(system2(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"), c("workshop", "r"), stdout = TRUE))
if (!requireNamespace("synthpop", quietly = TRUE)) {
  stop("this module needs the R package synthpop: install.packages(\"synthpop\") in R, then run this file again ",
       "(`synthspectrum doctor` says what R sees)", call. = FALSE)
}

# %% Step 1: Load the real data and M3's syn() result
# res is the whole result of M3's syn() call: res$synthetic the data, res$object synthpop's
# synds object, which synthpop's functions (and the twin's) use. The fingerprint shows it is
# the set the Python side measures.
train <- workshop_data("train")
cart_rds <- file.path(out_dir(), "m3_cart.rds")
if (!file.exists(cart_rds)) {
  # M3 did not run here: remake its result with M3's call (same data, visit sequence, seed)
  message(cart_rds, " is missing (M3 writes it; the catch-up file exercises/catchup/m4_measures.R runs M3 for you): ",
          "making M3's CART set now, with M3's visit sequence and seed 2026")
  visit <- c("age_band", "gender", "hospital", "treatment", "admitted", "time_in_ae_minutes",
             "deprivation_decile", "arrival_time_hour_band", "arrival_time_date")
  saveRDS(syn(train, method = "cart", visit_sequence = visit, seed = 2026), cart_rds)
}
res <- readRDS(cart_rds)
cat("synthetic set:", nrow(res$synthetic), "rows,", fingerprint(res$synthetic), "\n")
keys <- c("age_band", "gender", "deprivation_decile", "hospital")  # what an attacker may know
target <- "admitted"                                                # what they want to learn

value_of <- function(frame, measure) frame$value[frame$measure == measure]

# %% Step 2: General utility: pMSE and S_pMSE (synthpop's utility.gen)
# A logistic propensity model with main effects (maxorder = 0). With maxorder = 1 (all pairs
# of columns) synthpop stops: "a large model with 511 parameters". AUC 0.5 means the model
# cannot tell real from synthetic; below 0.5 can happen and means the same.
# hint: general <- utility_gen(train, res, maxorder = 0)
# hint: pmse <- value_of(general, "pMSE"), and likewise S_pMSE and AUC
general <- todo()
pmse <- todo()
s_pmse <- todo()
auc <- todo()
print(general)

# %% Step 3: Marginal utility per column (synthpop's compare)
# compare(real, synthetic) tabulates each column in both (numbers in ngroups = 5 groups) and
# gives each column's pMSE and S_pMSE, from a propensity model on that column alone. Which
# column has the HIGHEST S_pMSE, the worst kept? The Python side ranks the columns by
# another statistic (the KS and TV complements, sizes of a difference) and will point at
# another column: S_pMSE weighs a difference against what chance alone would give, and a
# yes/no column such as admitted leaves so little room for chance that a small difference
# stands out. Two honest measures, two rankings: say which one you used.
# hint: marginal <- compare(train, res)$utility; keep the rows whose measure is "S_pMSE"
# hint: worst_column <- the column of the row with the largest value (which.max)
marginal <- todo()
s_pmse_by_column <- todo()
worst_column <- todo()
print(s_pmse_by_column)
cat("worst kept column by S_pMSE:", worst_column, "\n")

# %% Step 4: Specific utility: glm.synds + compare.fit
# The analyst's model, admitted on age band, gender and time in A&E, fitted to the synthetic
# data (glm_synds) and compared with the same model on the real data (compare_fit).
# R names a term "age_band85+" where Python says "age_band[T.85+]": compare by value.
# synthpop's se_synthetic is NOT the standard error of the synthetic fit: compare.fit hands
# the REAL fit's variance to its summary, so se_synthetic equals se_real, both intervals have
# the same width and ci_overlap depends on the difference of the estimates alone. The Python
# side's regression_fit uses each fit's own standard error: its ci_overlap differs a little,
# the estimates agree.
FORMULA <- "admitted ~ age_band + gender + time_in_ae_minutes"
# hint: fit <- glm_synds(FORMULA, res); cf <- compare_fit(fit, train)
# hint: estimate_85 <- the estimate_synthetic of the row whose term is "age_band85+"
fit <- todo()
cf <- todo()
estimate_85 <- todo()
print(cf)

# %% Step 5: Replicated uniques (synthpop's replicated.uniques)
# Real records unique on the keys whose key combination is also unique in the synthetic data.
# hint: ru <- replicated_uniques(train, res, keys); its measure "replicated_uniques"
ru <- todo()
rep_uniques <- todo()
print(ru)

# %% Step 6: Attribute disclosure (synthpop's disclosure): DiSCO against Dorig
# DiSCO: % of real records whose target the synthetic data disclose correctly from the keys.
# Dorig: the same attack on the real data, the baseline. Missing deprivation deciles are a key
# value of their own here, in both languages.
# hint: disc <- disclosure(train, res, keys, target); its measures "DiSCO" and "Dorig"
disc <- todo()
disco <- todo()
dorig <- todo()
print(disc)

# %% [markdown]
# ## Extension (for fast pairs; not checked)
#
# 1. Interactions: utility_gen(train, res, maxorder = 1, max.params = 600) lets synthpop fit
#    all pairs (slow: try it last). Compare S_pMSE with the Python side's maxorder=1.
# 2. Table utility of the keys: utility_tab(train, res, keys) (synthpop's utility.tab):
#    S_pMSE of the 4-way table; which pairs are worst? utility_tables(train, res) for all.
# 3. Disclosure for every target: multi_disclosure(train, res, keys). Which column is most
#    disclosive?
# 4. Remove the replicated uniques: sdc(train, res, keys = keys, rm_replicated_uniques = TRUE),
#    then measure again: what does it cost in utility?

# %%
check("m4")
