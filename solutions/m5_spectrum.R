# %% [markdown]
# # M5 The spectrum (R role)
#
# The Python side runs a small privacy-utility spectrum: several generators, from random
# values to synthpop's CART and a reference of real records nobody copied, each drawn with
# two seeds and measured the same way. It writes one tidy table, results.csv: one row per
# generator, seed and measure. You read that table and find the frontier yourself, in base
# R, without the package: if your Pareto set equals the one the package computed in Python,
# both are right (or both wrong in the same way, which is much less likely).
#
# The two axes (set in the run's config):
# * UTILITY: AUC_cv, the out-of-sample propensity AUC; 0.5 is best (the model cannot tell
#   synthetic from real records it did not see);
# * RISK: share_closer_to_training, the share of synthetic records nearer a training record
#   than a holdout record; 0.5 is best (no sign of copying).
# Each is read as its distance from best, |value - 0.5|, so that lower is better on both.
# A generator is on the PARETO SET when no other generator is at least as close to best on
# both axes and closer on one.
#
# This file needs no synthpop: only the table the Python side wrote. Run it in the same
# folder after the Python side's m5_spectrum.py (`Rscript m5_spectrum.R`).

# %%
source(system2(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"), c("workshop", "r"), stdout = TRUE))

# %% Step 1: Read the results table
# read.csv is enough: the table holds text and numbers only (generator, seed, group,
# section, measure, column, value). Aggregates: no real or synthetic record is in it.
spectrum_dir <- file.path(out_dir(), "spectrum")
results_csv <- file.path(spectrum_dir, "results.csv")
if (!file.exists(results_csv)) {
  # The Python side has not run here (you work alone, or its laptop is another): run the very
  # same spectrum from the shell, with the config of the Python side's step 2 in a TOML file.
  message(results_csv, " is missing (the Python side's m5_spectrum.py writes it): running the same spectrum ",
          "with `synthspectrum spectrum --config` now (about a minute) ...")
  bin <- path.expand(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"))
  train_file <- file.path(system2(bin, c("workshop", "path", "data"), stdout = TRUE), "train.parquet")
  toml <- tempfile(fileext = ".toml")
  writeLines(c(sprintf("data = \"%s\"", gsub("\\\\", "/", train_file)),
               paste0("generators = [\"random\", \"metasyn\", \"metasyn-disclosure\", \"synthpop-cart\", ",
                      "\"real-holdout\"]"),
               "m = 2", "seed = 1", "maxorder = 0", "cv_folds = 2", "max_records = 2000"), toml)
  if (system2(bin, c("spectrum", "--config", shQuote(toml), "--output", shQuote(spectrum_dir))) != 0) {
    stop("the spectrum did not run: see its messages above, and `synthspectrum doctor`", call. = FALSE)
  }
}
results <- read.csv(results_csv, stringsAsFactors = FALSE)
cat(nrow(results), "rows; generators:", unique(results$generator), "\n")
print(table(results$generator, results$seed))

# %% Step 2: Which measures are the axes? Read the run's config
# The run wrote its whole configuration next to the results, spectrum.toml: the generators,
# seeds, and the two measures of the frontier (utility_measure, risk_measure). A result
# without the config that made it cannot be reproduced, or read.
cat(readLines(file.path(spectrum_dir, "spectrum.toml")), sep = "\n")
# hint: copy the two names from the lines utility_measure = "..." and risk_measure = "..."
# >>> solution
utility_measure <- "AUC_cv"
risk_measure <- "share_closer_to_training"
# <<<

# %% Step 3: Keep the rows of the two axes
# One row per generator and seed for each axis. How many seeds (synthetic sets per
# generator) did the run draw? More seeds show how much one generator's points scatter.
# hint: utility <- results[results$measure == utility_measure, ], and likewise risk
# hint: n_seeds <- the number of distinct values of utility$seed (length(unique(...)))
# >>> solution
utility <- results[results$measure == utility_measure, ]
risk <- results[results$measure == risk_measure, ]
n_seeds <- length(unique(utility$seed))
# <<<
print(utility[, c("generator", "seed", "value")])

# %% Step 4: Distance from best, averaged over the seeds
# For each row, distance = |value - 0.5| (both axes have their best value at 0.5: an AUC of
# 0.45 is as far from best as 0.55). Then the mean distance per generator, for each axis,
# and one data.frame `points` with a row per generator. The order matters: first the
# distance of each seed, then the mean (the distance of the mean would call AUCs of 0.40 and
# 0.60 perfect). Careful: aggregate() drops rows with NA without a word (M1's trap), so
# check that every generator is still there.
# hint: utility$distance <- abs(utility$value - 0.5); aggregate(distance ~ generator, data = utility, FUN = mean)
# hint: merge the two aggregates by "generator" with suffixes = c("_utility", "_risk")
# >>> solution
utility$distance <- abs(utility$value - 0.5)
risk$distance <- abs(risk$value - 0.5)
points <- merge(aggregate(distance ~ generator, data = utility, FUN = mean),
                aggregate(distance ~ generator, data = risk, FUN = mean),
                by = "generator", suffixes = c("_utility", "_risk"))
metasyn_utility_distance <- points$distance_utility[points$generator == "metasyn"]
metasyn_risk_distance <- points$distance_risk[points$generator == "metasyn"]
# <<<
print(points)

# %% Step 5: The Pareto set, in base R
# Generator i is dominated when some generator j is at least as close to best on both axes
# and closer on one. The Pareto set is the generators no one dominates. Sort the names as
# Python sorts text (by character codes: sort(..., method = "radix"); R's default sort
# follows your locale's alphabet, which can order some names differently) and join them
# with commas, no spaces.
# hint: dominated <- function(i) any(u <= u[i] & r <= r[i] & (u < u[i] | r < r[i])), with u, r the two distance columns
# hint: points$pareto <- !vapply(seq_len(nrow(points)), dominated, logical(1)); then paste(sort(...), collapse = ",")
# >>> solution
u <- points$distance_utility
r <- points$distance_risk
dominated <- function(i) any(u <= u[i] & r <= r[i] & (u < u[i] | r < r[i]))
points$pareto <- !vapply(seq_len(nrow(points)), dominated, logical(1))
pareto_set <- paste(sort(points$generator[points$pareto], method = "radix"), collapse = ",")
# <<<
cat("Pareto set:", pareto_set, "\n")

# %% Step 6: Draw the frontier with base graphics
# One point per generator, distance from best on each axis (lower left is best), the Pareto
# set filled and joined in order of utility. Label each point with its generator's name.
# Write it to a PNG file with png() ... dev.off(): no screen needed.
# hint: png(frontier_png, width = 800, height = 600); plot(u, r, ...); text(u, r, points$generator, pos = 3)
# hint: lines() through the Pareto points ordered by u; dev.off() closes the file
# hint: frontier_png <- file.path(out_dir(), "m5_frontier_r.png")
# >>> solution
frontier_png <- file.path(out_dir(), "m5_frontier_r.png")
png(frontier_png, width = 800, height = 600)
plot(u, r, pch = ifelse(points$pareto, 19, 1), cex = 1.5, xlim = c(0, max(u) * 1.3), ylim = c(0, max(r) * 1.1),
     xlab = "utility: |AUC_cv - 0.5| (lower is better)",
     ylab = "risk: |share closer to training - 0.5| (lower is better)",
     main = "The privacy-utility frontier (filled: the Pareto set)")
text(u, r, points$generator, pos = ifelse(points$pareto, 1, 3))  # Pareto labels below, others above
front <- points[points$pareto, ]
front <- front[order(front$distance_utility), ]
lines(front$distance_utility, front$distance_risk, lty = 2)
invisible(dev.off())
# <<<
cat("frontier drawn:", frontier_png, "\n")

# %% [markdown]
# ## Extension (for fast pairs; not checked)
#
# 1. Spread: add each generator's standard deviation of the distance over the seeds
#    (aggregate(distance ~ generator, utility, sd)) as error bars (arrows(..., angle = 90,
#    code = 3)). Which differences between generators are bigger than the spread?
# 2. Another axis: the risk measure "DiSCO" is in results.csv too (section "privacy"; its
#    best value is 0, "lower is better", so its distance is the value itself). Is the
#    Pareto set on (AUC_cv, DiSCO) the same?
# 3. Without the reference: drop "real-holdout" from points and find the Pareto set among
#    the synthetic generators alone. What changes, and why?
# 4. The Python side's frontier.png (in workshop_out/spectrum/) draws the same points:
#    compare it with yours.

# %%
check("m5")
