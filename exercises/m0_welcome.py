# Exercise m0_welcome
# Generated from the solutions by `synthspectrum workshop exercises`: fill in every `...`, run the file,
# and read what check() says.
# %% [markdown]
# # M0 Welcome and set-up check (Python role)
#
# Today you and your partner make SYNTHETIC data: records drawn from a model of a real
# table instead of the real records themselves. A synthetic record belongs to no one, yet
# a good synthetic table answers some questions the way the real one would. "All models are
# wrong, but some are useful" (George Box): no synthetic set is the real data, so the
# question is always what it is FOR. A set for testing code needs the right columns and
# types (low fidelity); a set for teaching needs plausible distributions; a set for
# analysis needs the relations between columns (high fidelity), and the closer it gets to
# the real data, the more it can give away about real people. That trade-off is the
# privacy-utility SPECTRUM, and the day climbs it rung by rung: de-identification (M1),
# independent columns (M2, metadata synthesis), sequential models (M3, synthpop's CART),
# measured on both sides (M4), and compared on one chart (M5).
#
# Each pair has a Python role and an R role, on the same data, and the two languages check
# each other's numbers. Swap driver (types) and navigator (reads, checks) at every
# numbered step. Fill in each step, run the file (python m0_welcome.py), and read what
# check("m0") says at the end.

# %%
from synthspectrum.workshop import check, workshop_data, fingerprint, out_dir
import polars as pl
import synthspectrum
from synthspectrum.workshop import setup_check
from synthspectrum.workshop.setup_check import format_check

# %% Step 1: Run the set-up check
# The set-up check runs a few seconds of smoke test per module and says what is missing
# and the command that fixes it. The same check runs from a terminal:
#     synthspectrum workshop check
# Lines marked [X] are required for the Python role: fix them before going on. Lines
# marked [--] are optional: they say whether the R role can run on this laptop.
print("synthspectrum", synthspectrum.__version__)
setup = setup_check()
report, ready = format_check(setup)
print(report)

# %% Step 2: Is the Python role ready?
# `setup` is a polars table with one row per part: module, part, ok, required, seconds,
# fix. The Python role is ready when every REQUIRED part is ok. Write that as one
# True/False value.
# hint: setup.filter(pl.col("required"))["ok"].all()
python_ready = ...

# %% Step 3: Is the R role possible on this laptop?
# Read the optional ([--] or [ok]) lines: R itself, the jsonlite package (R's check()),
# synthpop (the R role's M2-M4) and synthpop from Python (M3). Write down "yes" when all of
# them are ok, "no" otherwise. If it is "no", the R role works from the files the Python
# side writes into workshop_out/ (ask the teacher), and it is worth running the fix
# commands shown during the break.
# hint: a string, "yes" or "no": look at the `ok` column of the rows where `required` is False
r_role = ...
r_role_found = "no" if False in setup.filter(~pl.col("required"))["ok"].to_list() else "yes"
print("the set-up check says the R role is possible here:", r_role_found)

# %% Step 4: Load the real data and look at its types
# workshop_data("train") is the "real" data of the day: a random half (5,000 records) of the
# de-identified A&E attendances (M1 makes them). The other half, "holdout", is real
# records no generator sees. Look at the types: categories are Enums with their levels in
# a fixed order, the arrival date is a Date, admitted is a Boolean. The R role reads the
# same table with the same types (factors, Date, logical), so your numbers can agree.
# Record the number of rows, the type of arrival_time_date as text, and the number of
# hospitals (levels of the hospital category).
train = workshop_data("train")
for name, dtype in train.schema.items():
    print(f"{name:<24} {dtype}")
# hint: train.height; str(train.schema["arrival_time_date"]); len(train.schema["hospital"].categories)
n_rows = ...
date_type = ...
n_hospitals = ...

# %% [markdown]
# ## What you have now
# A working Python side, and an answer to "can we do the R role here?". The data are
# invented (data/CODEBOOK.md), but today we handle them as if they were real: we look at
# column types, counts and measures, and print records only when we ask for them.

# %%
check("m0")
