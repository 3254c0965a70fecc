# Exercise m2_metadata
# Generated from the solutions by `synthspectrum workshop exercises`: fill in every `...`, run the file,
# and read what check() says.
# %% [markdown]
# # M2 Metadata synthesis (Python role)
#
# The first rung of synthesis proper: describe each column of the real data by a fitted
# distribution, and draw synthetic records from those descriptions. metasyn (ODISSEI /
# Utrecht University) does exactly that. Its model is a MetaFrame: one variable per column,
# each with its type, its share of missing values and one fitted distribution (a uniform,
# a truncated normal, a multinoulli for categories...). The MetaFrame is saved as a small,
# human-readable JSON file in the Generative Metadata Format (GMF), and anyone with the
# file can draw as many synthetic rows as they like, without the real data.
#
# Two questions this module answers with numbers:
# * What does the model FILE disclose? It is "only metadata", but a uniform fit stores the
#   real minimum and maximum, a category's probabilities are its exact counts divided by
#   the number of rows. The package's audit() lists such findings; metasyn-disclosure
#   (privacy="disclosure") fits the same distributions on micro-aggregated data (groups
#   of at least 11 records), so that no single record shows through.
# * What does the synthetic DATA lose? Every column is drawn on its own, so every
#   relation between columns is gone: in the real data admission rises with age; in
#   metasyn's data it cannot. Table utility (synthpop's utility.tab) measures it on a
#   two-way table.
#
# Swap driver and navigator at every numbered step. Fill in each step, run the file
# (python m2_metadata.py) and read what check("m2") says at the end. The files you write
# into workshop_out/ are read by the R role; M4's measures work on any of them.

# %%
from synthspectrum.workshop import check, workshop_data, fingerprint, out_dir
import json
from pathlib import Path

import polars as pl
from synthspectrum import audit, fit_metadata, load_model
from synthspectrum.measures.utility import utility_tab
from synthspectrum.metadata import format_audit
from synthspectrum.workshop.data import write_rds

SEED = 2024                      # one seed for the day: the same seed gives the same data
PAIR = ["age_band", "admitted"]  # the pair of columns whose relation we follow

# %% Step 1: Load the real data (and the holdout)
# `train` is the real data every generator learns from; `holdout` is the other half of the
# same real table, which no generator sees. The holdout shows what "as good as real data"
# looks like on a measure.
train = workshop_data("train")
holdout = workshop_data("holdout")
print(train.shape, holdout.shape)

# %% Step 2: Fit the metadata model and save it
# fit_metadata(real=...) fits one distribution per column, the best by BIC among those
# that respect the column (never negative, whole numbers). Save it as a GMF file into
# workshop_out/ and look at what it holds: print(model) shows the MetaFrame.
# hint: model = fit_metadata(real=train, seed=SEED); model.save(model_file)
model_file = str(out_dir() / "m2_metasyn_model.json")
model = ...
...

# %% Step 3: Reload the model and synthesize, reproducibly
# Load the model back from its file, as someone who received only the file would, and draw
# as many rows as the real data has. Then draw again with the same seed (here from the
# model in memory): the fingerprints must be equal. Same model + same seed = same data.
# hint: reloaded = load_model(model_file); synthetic = reloaded.synthesize(train.height, seed=SEED)
reloaded = ...
synthetic = ...
again = ...
fp_first = ...
fp_again = ...
...

# %% Step 4: Read the model file: what does it disclose?
# Open the JSON file itself. Under "tables"[0]["vars"] each column has a "distribution"
# with its "parameters". Find the lower bound stored for time_in_ae_minutes: it is the
# shortest real stay, exactly, a value that belongs to one real patient. Also look at the
# hospital's "probs": times n_rows, they are the exact real counts.
real_min_time = train["time_in_ae_minutes"].min()
print("the shortest real stay (minutes):", real_min_time)
# hint: gmf = json.loads(Path(model_file).read_text()); variables = {v["name"]: v for v in gmf["tables"][0]["vars"]}
# hint: variables["time_in_ae_minutes"]["distribution"]["parameters"]["lower"]
gmf = ...
variables = ...
stored_min_time = ...
...

# %% Step 5: Audit the model, then fit it again with disclosure control
# audit(model, real=train) lists what the model discloses, most severe first: "high" for a
# value tied to very few records (a real extreme), "low" for aggregates (exact frequency
# tables), "quality" where the model cannot give sensible values. Count the findings that
# are not mere "info". Then fit with privacy="disclosure" (metasyn-disclosure:
# micro-aggregation in partitions of at least 11 records), save that model too, audit it
# and count again: fewer findings.
# Read the "quality" line too: metasyn's best fit (by BIC) for the deprivation decile is a
# truncated normal whose mean lies far outside 1-10, i.e. a decaying tail, not a bell.
# A model can be safe to share and still a poor description: read it, not only its audit.
# hint: findings = audit(model, real=train); findings.filter(pl.col("severity") != "info").height
# hint: model_dc = fit_metadata(real=train, privacy="disclosure", seed=SEED)
# hint: dc_model_file = str(out_dir() / "m2_metasyn_disclosure_model.json"); model_dc.save(dc_model_file)
findings = ...
...
n_flagged = ...
model_dc = ...
dc_model_file = ...
...
findings_dc = ...
...
n_flagged_dc = ...

# %% Step 6: Independent columns lose relations
# First look: the share admitted in each age band, real and synthetic. In the real data it
# rises with age; in metasyn's data every band gets about the overall share.
# Then measure it: table utility (synthpop's utility.tab) compares the counts of the
# age_band x admitted table in the real and the synthetic data. Its standardised pMSE,
# S_pMSE, is about 1 when the differences are what sampling alone would give, as for the
# real holdout; far above 1 when the table's structure is lost.
# Record S_pMSE for the holdout and for metasyn's synthetic set. The R role computes the
# holdout's with synthpop: your two numbers must agree.
# hint: tab = utility_tab(train, holdout, PAIR); tab.filter(pl.col("measure") == "S_pMSE")["value"].item()
...
s_pmse_holdout = ...
s_pmse_metasyn = ...
...
# And the model fitted with disclosure control? Its synthetic set (drawn here from the file
# you saved in step 5, and written into workshop_out/) loses the relation just the same: disclosure
# control protects the model file, it cannot bring back what independent columns never had.
if (out_dir() / "m2_metasyn_disclosure_model.json").is_file():
    synthetic_dc = load_model(out_dir() / "m2_metasyn_disclosure_model.json").synthesize(train.height, seed=SEED)
    synthetic_dc.write_parquet(out_dir() / "m2_metasyn_disclosure.parquet")
    tab_dc = utility_tab(train, synthetic_dc, PAIR)
    print(f"S_pMSE with disclosure control: {tab_dc.filter(pl.col('measure') == 'S_pMSE')['value'].item():.2f}")

# %% Step 7: Write the synthetic sets for the R role and for M4
# Write metasyn's synthetic set into workshop_out/ as parquet (types kept: Enum, Date,
# Boolean); the set with disclosure control is there already (step 6). The R role reads
# the .rds copies made below.
# hint: synthetic_file = str(out_dir() / "m2_metasyn.parquet"); synthetic.write_parquet(synthetic_file)
synthetic_file = ...
...
# The same sets as .rds files for the R role, written through the package's R bridge
# (factors with the same levels, Date, logical), when R can be reached from Python.
for name in ("m2_metasyn", "m2_metasyn_disclosure"):
    parquet = out_dir() / f"{name}.parquet"
    if parquet.is_file():
        try:
            write_rds(pl.read_parquet(parquet), out_dir() / f"{name}.rds")
        except Exception as exc:  # no R or no rpy2 on this laptop: the parquet files are enough for M4
            print(f"no {name}.rds for the R role ({type(exc).__name__}: {exc})")

# %% [markdown]
# ## What you have seen
# * A model file is not harmless: it copied the shortest real stay, and every category's
#   exact count. Audit it before sharing; metasyn-disclosure removes most findings.
# * The synthetic data keep every column's distribution and no relation: S_pMSE of age band
#   x admitted is around 1 for real holdout data and dozens of times that for metasyn. Fit
#   for testing code and teaching, not for an analysis of who gets admitted.

# %%
check("m2")
