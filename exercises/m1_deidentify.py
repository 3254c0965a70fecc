# Exercise m1_deidentify
# Generated from the solutions by `synthspectrum workshop exercises`: fill in every `...`, run the file,
# and read what check() says.
# %% [markdown]
# # M1 De-identification and its limits (Python role)
#
# Before anyone synthesises anything, the usual first answer to "can we share this data?"
# is de-identification: take the identifying parts out and coarsen the rest. This module
# follows the ODI / NHS synthetic-data tutorial's steps on our mock A&E (accident and
# emergency) attendances, then measures what is left with k-anonymity.
#
# Two kinds of columns matter:
# * a DIRECT identifier names a person on its own (here the NHS number): it must go;
# * a QUASI-identifier is harmless alone but, combined with others, singles a person out
#   (age, gender, home area, arrival time, hospital). Someone who knows a few facts about
#   a neighbour ("she went to A&E on the 3rd of May, in the evening, she is in her 40s")
#   can look for the one record that fits, and then read its sensitive columns (treatment,
#   admission). This is a linkage attack.
#
# The tutorial's tools, all in `synthspectrum.deidentify` (pure functions: each returns a
# new table and leaves the one you gave it alone):
# * drop        -- remove direct identifiers;
# * generalise  -- replace a precise value by a coarser one (postcode -> area deprivation
#                  decile, arrival time -> date + 4-hour band, age -> age band);
# * suppress    -- merge or remove rare categories (a code 40 people share is a name);
# * pseudonymise -- replace names by random codes (the hospitals);
# * top-code    -- cap extreme values (a 20-hour stay is memorable).
#
# Work in pairs: the driver types, the navigator reads the prose and the hints; swap at
# every numbered step. Fill in the steps, run the whole file (`python m1_deidentify.py`)
# and read what check("m1") says at the end. The R role counts the same equivalence
# classes in base R on the reference table: your k-anonymity numbers must agree.

# %%
from synthspectrum.workshop import check, workshop_data, fingerprint, out_dir
from synthspectrum import datasets, deidentify
from synthspectrum.datasets.ae_tutorial import AE_QUASI_IDENTIFIERS

# %% Step 1: Load the raw A&E data and look at its columns (not its rows)
# `ae` is the raw mock A&E table: 10,000 attendances in 2019 with a mock NHS number and
# home postcode. Everything in it is invented (data/CODEBOOK.md says how), but treat it as
# if it were real: look at the column names and types, and count, rather than print rows.
# `area` maps each London postcode district (the part before the space, "SE15") to an
# area deprivation decile (1 = most deprived; invented too).
ae = workshop_data("ae")
area = datasets.load("area_deprivation")
print(ae.shape)
print(ae.schema)
print("quasi-identifiers we will assess:", AE_QUASI_IDENTIFIERS)

# %% Step 2: Drop the direct identifier and replace the postcode by its area's decile
# The NHS number is a direct identifier: drop it. A full postcode covers about 15
# households, so it is a strong quasi-identifier: replace it by the deprivation decile of
# its district. A missing postcode (no fixed abode) gives a missing decile: it stays missing.
# hint: deidentify.drop_identifiers(ae, "nhs_number"), then
# hint: deidentify.postcode_to_deprivation(deid, "home_postcode", area, decile_column="deprivation_decile")
deid = ...

# %% Step 3: Generalise the arrival time and the age
# An arrival time to the minute, together with the hospital, nearly pins down one visit:
# keep the date and a 4-hour band (00-03, 04-07, ...). Ages become the standard bands
# 0-17, 18-24, 25-44, 45-64, 65-84, 85+ (deidentify.AGE_BREAKS), in a column called age_band.
# hint: deidentify.coarsen_datetime(deid, "arrival_time", hours=4)
# hint: deidentify.band_numeric(deid, "age", deidentify.AGE_BREAKS, name="age_band")
deid = ...

# %% Step 4: Suppress rare genders, pseudonymise the hospitals, top-code the time in A&E
# The two rare gender codes (1.6% and 0.4% of records) single people out: merge every code
# seen fewer than 50 times into "Not known". Hospital names become random codes (seed 2019,
# the tutorial's). Stays longer than 12 hours (720 minutes) are recorded as 720.
# hint: deidentify.suppress_rare(deid, "gender", k=50, other="Not known")
# hint: deidentify.pseudonymise(deid, "hospital", seed=2019)
# hint: deidentify.top_bottom_code(deid, "time_in_ae_minutes", upper=720)
deid = ...

# %% Step 5: Is yours the same table as the workshop's de-identified data?
# A fingerprint is a one-way hash of a whole table (column names, kinds and every value):
# equal fingerprints mean equal tables, in Python and in R. Compare yours with the
# reference, workshop_data("deidentified"), which the tutorial's pipeline made
# (datasets.ae_tutorial.deidentify_ae). If they differ, compare the column names and
# types first: `deid.schema` against `workshop_data("deidentified").schema`.
# Also count the missing deprivation deciles: the R role will meet them in a moment.
reference_fingerprint = fingerprint(workshop_data("deidentified"))
print("reference fingerprint:", reference_fingerprint)
# hint: fingerprint(deid); deid["deprivation_decile"].null_count()
deid_fingerprint = ...
...
n_na_decile = ...

# %% Step 6: k-anonymity on the quasi-identifiers
# Group the records by their values on all six quasi-identifiers: each group is an
# EQUIVALENCE CLASS (records an attacker cannot tell apart). The table is k-anonymous when
# every class holds at least k records (Sweeney 2002). A record alone in its class is a
# SAMPLE UNIQUE: whoever knows those six facts about a person finds their record. A missing
# value counts as a value of its own (a record with no decile is grouped with the others
# with no decile), as in sdcMicro.
# Record: the number of classes, k (the smallest class), the number of sample uniques and
# the number of records in classes smaller than 5 (a common threshold).
# hint: report = deidentify.k_anonymity(deid, AE_QUASI_IDENTIFIERS); print(report)
# hint: report.n_classes, report.k, report.n_unique, report.records_below(5)
report = ...
...
n_classes = ...
k = ...
n_unique = ...
n_below_5 = ...

# %% Step 7: How few quasi-identifiers does it take?
# Try the quasi-identifiers one at a time (a loop over AE_QUASI_IDENTIFIERS), then three
# together: age band, deprivation decile and arrival date. No single column makes anyone
# unique; what share of the records is unique on these three? Record it (between 0 and 1).
# hint: deidentify.k_anonymity(deid, ["age_band", "deprivation_decile", "arrival_time_date"]).share_unique
...
share_unique_3 = ...
...

# %% [markdown]
# ## Why de-identified is not anonymous
# Every step above removed or coarsened something, and still almost every record is alone
# in its equivalence class: k = 1. Three everyday facts (an age band, the area, the day of
# the visit) single out more than half the patients. That is why the tutorial goes on to
# synthetic data: instead of publishing real records with the identifying parts blurred,
# publish records drawn from a model of them, which belong to no one. The next modules
# build such models and measure what they keep (utility) and what they give away (privacy).
# Coarsening further (month instead of date, fewer bands) would raise k, at a price in
# detail: the first rung of the privacy-utility spectrum.

# %%
check("m1")
