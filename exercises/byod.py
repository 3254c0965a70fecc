# Exercise byod
# Copied from the solutions by `synthspectrum workshop exercises`: nothing to fill in; run it, then change it.
# %% [markdown]
# # Bring your own data
#
# The workshop's steps on a table of your own: read it with explicit rules, AUDIT first (what
# would a model of it disclose?), then run a small privacy-utility spectrum from a config
# file and read its frontier. Run it as
#
#     python byod.py your_data.csv            # or .parquet; any separator among , ; tab |
#     python byod.py                          # a demo: makes a semicolon CSV in a temp folder
#
# and edit byod.toml (next to this file) for your data: the generators, the seeds, and your
# quasi-identifiers (keys) and sensitive column (target). Everything is written under
# workshop_out/byod/ in the folder you run it from; your data file is only read.
#
# Before you start: only use data you are allowed to process on this laptop. The audit below
# prints values from your data (extremes, rare categories) for YOUR eyes: that is the point,
# it shows what a model file would carry. Do not paste it anywhere.

# %%
import sys
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from synthspectrum import audit, datasets, fit_metadata
from synthspectrum.core.columns import identifier_columns
from synthspectrum.spectrum import SpectrumConfig, run_spectrum, write_outputs
from synthspectrum.workshop import out_dir

pl.Config.set_tbl_rows(30)
pl.Config.set_fmt_str_lengths(80)
CONFIG = Path(__file__).with_name("byod.toml")


def demo_file() -> Path:
    """A semicolon CSV of 3,000 mock A&E records WITH their mock identifiers (NHS number,
    postcode), as a hospital export might look; in a fresh temporary folder. All invented."""
    ae = datasets.load("ae")
    rows = np.sort(np.random.default_rng(7).permutation(ae.height)[:3000])
    path = Path(tempfile.mkdtemp(prefix="byod_")) / "my_export.csv"
    ae[rows].write_csv(path, separator=";")
    return path


# %% Step 1: Read your file
# datasets.load(path) reads CSV or Parquet by the rules of synthspectrum.io.read_table: the
# separator detected (or sep=";"), "", NA, NaN as missing, text with few distinct values as
# categories, dates and datetimes recognised. Check the types it found: a number read as text
# or a code read as a number changes every model that follows.
path = Path(sys.argv[1]) if len(sys.argv) > 1 else demo_file()
if len(sys.argv) <= 1:
    print(f"no file given: using a demo export, {path}")
real = datasets.load(str(path))
print(real.shape)
print(real.schema)

# %% Step 2: Audit first: what would a model of these data disclose?
# Fit metasyn's metadata (M2) and audit it: every finding says what the model file would
# carry (a real extreme value, a rare category, a unique key's range, a pattern learnt from
# text) and how severe that is. An IDENTIFIER column is the worst case: a record number or an
# NHS number has one value per person, so a model either stores its range (metasyn's
# unique_key: "keys start at ...", a real number) or learns its pattern (a regex), and a
# synthesis either invents look-alike identifiers or, for a sequential model, copies real
# ones. It has no analytic value; it goes before anything is fitted.
model = fit_metadata(real)
findings = audit(model, real=real)
print(findings.select("column", "severity", "finding", "detail"))
flagged = set(identifier_columns(real))  # text or numbers with (nearly) one value per record
flagged |= set(findings.filter(pl.col("distribution").str.contains("unique_key"))["column"].to_list())
print("identifier columns, left out of the spectrum:", sorted(flagged) or "none")

# %% Step 3: Run the spectrum from the config
# byod.toml documents the run: generators, seeds, measures, keys. The identifier columns the
# audit flagged are added to its `exclude`. The run splits your records at random into
# training records, a holdout and a reference pool (never head/tail: most exports are in
# time order), fits each generator on the training records and measures each synthetic set.
config = SpectrumConfig.from_toml(CONFIG)
config = replace(config, data=str(path), exclude=sorted(set(config.exclude) | flagged)).validate()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # the run's notes are printed below instead
    result = run_spectrum(real, config, progress=False)
for note in result.notes:
    print("note:", note)
print(result.runs.select("generator", "seed", "status", "message"))

# %% Step 4: Read the frontier and keep the outputs
# Each axis as its distance from best (lower is better on both); the Pareto set is the
# generators no other beats on both axes. The report explains the frontier in words.
# Outputs are aggregates only: no record, real or synthetic.
frontier = result.frontier_points()
print(frontier.select("generator", "utility_mean", "utility_distance", "risk_mean", "risk_distance", "pareto"))
print("Pareto set:", ", ".join(frontier.filter(pl.col("pareto"))["generator"].to_list()))
folder = write_outputs(result, out_dir() / "byod", force=True)
print(f"written: {folder}/report.html (open it in a browser), results.csv, spectrum.toml")

# %% [markdown]
# ## Next steps for your data
#
# 1. Name your quasi-identifiers and sensitive column in byod.toml (keys, target): the run
#    then adds replicated uniques and DiSCO (M4), and you can make DiSCO the risk axis.
# 2. m = 3 or more: is a difference between two generators bigger than one generator's
#    seed-to-seed spread?
# 3. Synthesise the rung you choose on ALL your records (M2's fit_metadata(...).synthesize,
#    M3's synthpop.syn) and evaluate it (M4's evaluate(..., holdout=...)) before sharing.
