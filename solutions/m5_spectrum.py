# %% [markdown]
# # M5 The spectrum (Python role)
#
# Every way of making "safer" data sits somewhere between two ends: random values (no risk,
# no use) and the real records themselves (all the use, all the risk). De-identification
# (M1), metadata synthesis with and without disclosure control (M2), synthpop's sequential
# CART (M3) are rungs on that ladder. The spectrum runner puts them side by side: the same
# data, the same random split, the same measures (M4), each generator drawn m times with
# different seeds. Each synthetic set becomes a point with two coordinates:
# * UTILITY: the propensity AUC out of sample (AUC_cv, 0.5 best): can a model that did not
#   see these records tell them from real ones?
# * RISK: the share of synthetic records closer to a training record than to a holdout
#   record (0.5 best: no sign of memorising; towards 1, copies).
# Both axes are read as the DISTANCE from their best value (the measure registry says what
# best is), so that lower is better on both. A generator is on the PARETO SET (the frontier)
# when no other generator is at least as good on both axes and better on one: every rung on
# it buys utility with risk, or privacy with utility; one off it is beaten on both.
#
# "real-holdout" is the REFERENCE: real records that no generator saw, i.e. "no synthesis"
# with records no one copied; it shows where the best attainable values lie on these data.
#
# Run the whole file (`python m5_spectrum.py`, about a minute) and read check("m5"). The R
# role reads the results table you write and finds the frontier in base R.

# %%
from synthspectrum.workshop import check, workshop_data, fingerprint, out_dir
from synthspectrum.workshop.data import data_folder
import numpy as np
import polars as pl
from synthspectrum.spectrum import (Generator, SpectrumConfig, check_generator, list_generators,
                                    register_generator, run_spectrum, write_outputs)

# %% Step 1: The real data and the generators there are
# The spectrum makes its own random three-way split of what you give it: training records
# (what the generators learn from), a holdout (the distance baseline) and a reference pool
# (what "real-holdout" draws from), a third each. We give it the workshop's training half.
train = workshop_data("train")
TRAIN_FILE = str(data_folder() / "train.parquet")  # the file workshop_data("train") reads: the config names it
print(train.shape)
print("generators:", list_generators())

# %% Step 2: A small spectrum, fast enough for class
# A SpectrumConfig documents a whole run (and is what `synthspectrum spectrum --config` reads
# from a TOML file). Keep it small: five generators along the ladder, m = 2 seeds each, a
# main-effects propensity model (maxorder=0), a 2-fold out-of-sample AUC and distances on at
# most 2,000 records: about half a minute. synthpop-cart is skipped, with the reason, on a
# laptop without R's synthpop; the run goes on without it.
# The price of speed: a main-effects model sees each column on its own, not the relations
# between columns, so metasyn (every column kept, relations lost) looks almost as useful as
# real records here. With pairwise interactions (maxorder=1, on 3,000 training records) the
# same run took 7.5 minutes on 2 cores and moved metasyn's out-of-sample AUC from about 0.48
# to 0.61, while synthpop-cart stayed near 0.47: what a measure cannot see, it cannot report.
# The config also names the data (data=TRAIN_FILE), so that the spectrum.toml the run writes
# reproduces it: `synthspectrum spectrum --config workshop_out/spectrum/spectrum.toml`.
# hint: SpectrumConfig(data=TRAIN_FILE, generators=[...], m=2, seed=1, maxorder=0, cv_folds=2, max_records=2000)
# hint: the generators, in order: random, metasyn, metasyn-disclosure, synthpop-cart, real-holdout
# >>> solution
config = SpectrumConfig(data=TRAIN_FILE, generators=["random", "metasyn", "metasyn-disclosure", "synthpop-cart",
                                                     "real-holdout"],
                        m=2, seed=1, maxorder=0, cv_folds=2, max_records=2000)
# <<<
print(config)

# %% Step 3: Run it and write the outputs
# run_spectrum(real, config) fits each generator once on the training records, draws m sets,
# and measures each set (evaluate(), as in M4). write_outputs writes results.csv (one row per
# measure, generator and seed: the table the R role reads), runs.csv, the config as TOML,
# the frontier plot and a report. Aggregates only: no record, real or synthetic.
spectrum_dir = out_dir() / "spectrum"
# hint: result = run_spectrum(train, config, progress=False)
# hint: write_outputs(result, spectrum_dir, force=True)
# hint: results_csv = str(spectrum_dir / "results.csv")
# >>> solution
results_csv = str(spectrum_dir / "results.csv")
result = run_spectrum(train, config, progress=False)
write_outputs(result, spectrum_dir, force=True)
headline = result.headline()
# <<<
print(headline)
print("written:", results_csv)

# %% Step 4: Read the frontier: how far is each generator from best?
# result.frontier_points() has one row per generator: each axis's mean over the seeds
# (utility_mean, risk_mean) and the mean distance from the best value (utility_distance,
# risk_distance; both axes have 0.5 as best, so the distance is |value - 0.5|, per seed, then
# averaged). Read it: what does each step up the ladder buy, and what does it cost? Random
# values are far from real on utility; synthpop-cart is close on utility and furthest on risk.
# Take metasyn's two distances: the R role computes them from results.csv by hand.
# hint: frontier = result.frontier_points(); metasyn's row is frontier.filter(pl.col("generator") == "metasyn")
# hint: then take that row's "utility_distance" and "risk_distance" (["..."][0])
# >>> solution
frontier = result.frontier_points()
metasyn_row = frontier.filter(pl.col("generator") == "metasyn")
metasyn_utility_distance = metasyn_row["utility_distance"][0]
metasyn_risk_distance = metasyn_row["risk_distance"][0]
frontier_view = frontier.select("generator", "utility_mean", "utility_distance", "risk_mean", "risk_distance",
                                "risk_distance_sd", "pareto")
# <<<
print(frontier_view)
print("metasyn: utility distance", metasyn_utility_distance, "| risk distance", metasyn_risk_distance)

# %% Step 5: The Pareto set
# A generator is on the Pareto set when no other is at least as close to best on both axes
# and closer on one (the column pareto). Write the set as one text, the generator names in
# alphabetical order joined by commas: the R role finds the same text in base R.
# Read it with care: real-holdout (real records nobody copied) is on it, as the best any
# synthesis could hope for on these data; random is on it only because its risk distance is
# the smallest, by less than the seed-to-seed spread (risk_distance_sd): noise, not merit. A
# difference smaller than that spread is no difference.
# hint: keep the rows of frontier where pl.col("pareto") is True, take their "generator" names (.to_list())
# hint: pareto_set = ",".join(sorted(names))
# >>> solution
pareto_set = ",".join(sorted(frontier.filter(pl.col("pareto"))["generator"].to_list()))
# <<<
print("Pareto set:", pareto_set)

# %% Step 6: Add your own rung: record swapping
# A generator is a small class (the contract: spectrum/base.Generator): configuration and
# seed in __init__, fit(real) keeps what it needs and returns self, sample(n) returns n rows
# with the real columns and dtypes. Write one for an old disclosure-control idea, DATA
# SWAPPING (Dalenius & Reiss 1982): start from real records drawn at random, and replace each
# value, with probability `swap`, by the same column's value from another random record.
# swap = 0 gives back real records (copies: all risk); swap = 1 draws every column on its own
# (like synthpop's "sample" method); in between, a dial. check_generator runs the contract's
# rules on an invented frame and stops at the first one broken.
# hint: follow the class in CONTRIBUTING.md ("Adding a generator"): name = "swap"; __init__(self, seed=None, swap=0.5)
# hint: in sample: rng = np.random.default_rng(self.draw_seed()); rows = rng.integers(0, real.height, n); for
# hint: each column, np.where(rng.random(n) < self.swap, <other random rows>, rows), then .gather(...) that column
# >>> solution
class SwapGenerator(Generator):
    """Real records with each value swapped, with probability `swap`, for another record's."""

    name = "swap"

    def __init__(self, seed=None, swap=0.5):
        super().__init__(seed)
        self.swap = swap

    def fit(self, real, holdout=None):
        self.real_ = real
        return self

    def sample(self, n):
        real = self.check_fitted("real_")
        rng = np.random.default_rng(self.draw_seed())
        rows = rng.integers(0, real.height, n)
        columns = []
        for column in real.columns:
            picks = np.where(rng.random(n) < self.swap, rng.integers(0, real.height, n), rows)
            columns.append(real.get_column(column).gather(picks))
        return pl.DataFrame(columns)


conformance = check_generator(SwapGenerator)
own_rules_checked = len(conformance.checked)
# <<<
print("contract rules passed:", own_rules_checked)

# %% Step 7: Run your rung in the spectrum
# register_generator(name, class) makes it known to the runner for this session. Run it with
# the same config (same data, same seed: the same split, so its point is comparable with the
# others') and see where it lands. Is it on the frontier? Try swap=0.2 and swap=0.9 with
# config's generator_options ({"swap": {"swap": 0.9}}): which way does each axis move?
# hint: register_generator("swap", SwapGenerator); run_spectrum(train, config, generators=["swap"], progress=False)
# hint: own_rung_measured = "swap" in <that run>.results["generator"].to_list()
# >>> solution
register_generator("swap", SwapGenerator)
own = run_spectrum(train, config, generators=["swap"], progress=False)
own_frontier = own.frontier_points()
own_rung_measured = "swap" in own.results["generator"].to_list()
own_view = own_frontier.select("generator", "utility_mean", "utility_distance", "risk_mean", "risk_distance")
# <<<
print(own_view)

# %% [markdown]
# ## Extension (for fast pairs; not checked)
#
# 1. The whole ladder: SpectrumConfig() alone runs every built-in generator with m = 3 (a
#    few minutes): `synthspectrum spectrum --out my_spectrum` does the same from the shell.
# 2. A dial: run "swap" with swap = 0.1, 0.3, 0.6, 0.9 (generator_options) and put all the
#    points in one plot: is the trade-off smooth?
# 3. Another risk axis: risk_measure="DiSCO" (attribute disclosure, M4) instead of the
#    distance; does the Pareto set change? Which axis would your data's owner care about?
# 4. More seeds: m=5. How far apart are one generator's points (utility_sd, risk_sd)? Is a
#    difference between two generators bigger than that?
# 5. Read the report: out_dir()/"spectrum"/"report.html" explains the frontier in words.

# %%
check("m5")
