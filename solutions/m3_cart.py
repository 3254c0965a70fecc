# %% [markdown]
# # M3 synthpop CART from R and from Python (Python role)
#
# M2's metadata synthesis drew every column on its own, so the relations between columns
# (older patients are admitted more often, some treatments take longer) were lost. synthpop
# (Nowok, Raab & Dibben 2016) keeps them with SEQUENTIAL synthesis: it visits the columns
# one after the other, in the VISIT SEQUENCE, and draws each column from a model of that
# column given the columns visited before it:
#
#   x1 ~ f(x1),  x2 ~ f(x2 | x1),  x3 ~ f(x3 | x1, x2),  ...
#
# The first column has nothing before it: synthpop draws it by "sample" (a bootstrap of the
# real values). Every other column gets a METHOD; the default, "cart", fits a classification
# or regression tree (CART) of the column on the columns before it, and draws each synthetic
# value from the real values in the leaf the synthetic record falls into. Trees need no
# distribution assumptions and find interactions themselves, which is why CART is
# synthpop's default and the usual first choice.
#
# A SEED makes the random draws repeatable: the same data, method, visit sequence and seed
# give the same synthetic data, byte for byte, in any language. synthspectrum.synthpop calls
# R's synthpop from Python (through rpy2), and the R role calls the very same R function
# directly; so the two of you will make the SAME synthetic table, and prove it with a
# fingerprint (an MD5 of the table's values that Python and R compute alike).
#
# Work in pairs, swap driver and navigator at every numbered step. Run the whole file
# (`python m3_cart.py`) and read what check("m3") says at the end. This file needs R with
# synthpop (`synthspectrum doctor` says whether you have it).

# %%
from synthspectrum.workshop import check, workshop_data, fingerprint, out_dir
from synthspectrum import synthpop as sp

# %% Step 1: Load the training data and agree on a seed
# `train` is the "real" data every generator learns from: a random half (5,000 records) of
# the de-identified A&E data of M1. The other half, the holdout, stays unseen until M4.
# The R role uses the same table and the same seed, so write the seed on a sticky note.
train = workshop_data("train")
SEED = 2026
print(train.shape)
print(train.schema)
sp.require_synthpop()  # stops here, with the reason and the fix, if R or synthpop is missing

# %% Step 2: Choose a visit sequence
# The order matters: each column is modelled from the columns visited BEFORE it. A common
# rule of thumb is to visit first the columns that explain others (who the patient is, where
# they went, what was done), then the outcomes (admitted, time in A&E), and last the columns
# that are hard to model (the arrival date has 365 values and explains little).
# Make `visit` the list of all 9 column names in this order:
#   age_band, gender, hospital, treatment, admitted, time_in_ae_minutes,
#   deprivation_decile, arrival_time_hour_band, arrival_time_date
# hint: a Python list of strings, e.g. ["age_band", "gender", ...]; every column exactly once
# >>> solution
visit = ["age_band", "gender", "hospital", "treatment", "admitted", "time_in_ae_minutes",
         "deprivation_decile", "arrival_time_hour_band", "arrival_time_date"]
# <<<

# %% Step 3: Synthesise with CART and look at the methods synthpop used
# sp.syn(real, method="cart", visit_sequence=..., seed=...) returns a SynResult:
# `.synthetic` the synthetic table (same columns and types as `train`), `.method` the
# method of each column, `.visit_sequence` the order used, `.notes` anything done beyond
# synthpop. Take the method of the FIRST column you visit: what did synthpop do with it,
# and why can it not be "cart"?
# hint: sp.syn(train, method=..., visit_sequence=..., seed=...); res.method is a dict column -> method
# hint: methods = res.method; the first column visited is visit[0]
# >>> solution
res = sp.syn(train, method="cart", visit_sequence=visit, seed=SEED)
methods = res.method
first_method = res.method[visit[0]]
# <<<
print("methods:", methods)
print("the first column visited was synthesised by:", first_method)

# %% Step 4: Fingerprint the synthetic table
# fingerprint(frame) is 32 hexadecimal characters, the same in Python and R for the same
# table (column names, kinds and every value). Read yours out to the R role: their
# fingerprint of THEIR syn() output must be identical. A fingerprint hides the values, but
# equal fingerprints prove equal tables, so share fingerprints of synthetic data only.
# hint: fingerprint() takes the synthetic frame, res.synthetic
# >>> solution
cart_fingerprint = fingerprint(res.synthetic)
# <<<
print("Python's fingerprint of the CART set:", cart_fingerprint)

# %% Step 5: The same seed gives the same data; another seed other data
# Run syn again with the same arguments and seed, and once with seed SEED + 1. Compare the
# fingerprints: `same_seed` must be True (reproducible), `other_seed_differs` True too (the
# seed really drives the draws). Synthetic data are one draw from a model: another seed is
# another, equally valid, synthetic set; that is why synthpop can make m > 1 sets.
# hint: the same sp.syn(...) call as in step 3, then fingerprint(....synthetic) == cart_fingerprint
# hint: other_seed_differs compares with != the fingerprint of a set made with seed=SEED + 1
# >>> solution
same_seed = fingerprint(sp.syn(train, method="cart", visit_sequence=visit, seed=SEED).synthetic) == cart_fingerprint
other_seed_differs = fingerprint(sp.syn(train, method="cart", visit_sequence=visit, seed=SEED + 1).synthetic) != cart_fingerprint
# <<<
print("same seed, same data:", same_seed, "| another seed, other data:", other_seed_differs)

# %% Step 6: Save the synthetic set for M4
# M4 measures this very set, in Python and in R. Write it as Parquet (which keeps the
# categories, dates and booleans exactly) and the fingerprint as a text file, into
# out_dir() (the folder workshop_out/ here); the R role's script reads the fingerprint file
# to compare, and saves its own copy as .rds.
# hint: res.synthetic.write_parquet(cart_file)
# hint: (out_dir() / "m3_fingerprint.txt").write_text(cart_fingerprint + "\n")
# hint: cart_file = str(out_dir() / "m3_cart.parquet")
# >>> solution
cart_file = str(out_dir() / "m3_cart.parquet")
res.synthetic.write_parquet(cart_file)
(out_dir() / "m3_fingerprint.txt").write_text(cart_fingerprint + "\n")
# <<<

# %% [markdown]
# ## Extension (for fast pairs; not checked)
#
# 1. Another visit sequence: put "arrival_time_date" first and "age_band" last. Which method
#    does each column get now? Does the fingerprint change (it must)? Does the relation
#    between age band and admission survive (M4's regression will tell)?
#        res2 = sp.syn(train, method="cart", visit_sequence=visit[::-1], seed=SEED)
# 2. Smoothing: CART draws real values from a leaf, so a rare time in A&E can be copied.
#    smoothing={"time_in_ae_minutes": "density"} blurs the drawn numbers with a kernel
#    density; compare the number of synthetic times that equal a real one.
#        res3 = sp.syn(train, method="cart", visit_sequence=visit, seed=SEED,
#                      smoothing={"time_in_ae_minutes": "density"})
# 3. Larger leaves: cart_minbucket=50 (synthpop's minbucket) makes the trees coarser, the
#    synthetic data less like the real records (safer) and less useful: try it in M4.
#        res4 = sp.syn(train, method="cart", visit_sequence=visit, seed=SEED, cart_minbucket=50)
# 4. A method per column: method={"age_band": "sample", "gender": "sample", ...} with
#    "parametric" or "sample" for some columns; how do the relations change?

# %%
check("m3")
