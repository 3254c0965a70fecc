# %% [markdown]
# # M4 Utility and privacy (Python role)
#
# A synthetic set is only worth sharing if it is USEFUL (analyses on it give the answers the
# real data would) and SAFE (it tells an attacker little about any real person). Neither can
# be seen by looking at a few rows: we measure them. You measure the CART set of M3 with the
# package's Python-native measures; the R role measures the SAME set with synthpop's own
# functions. Where both compute the same statistic, your numbers must agree with theirs.
#
# Utility comes at three levels (Snoke, Raab, Nowok, Dibben & Slavkovic 2018):
# * GENERAL utility: can a model tell real from synthetic records? Stack the two, fit a
#   propensity model (logistic regression) for "is synthetic", and measure how far its
#   predicted propensities stray from the share of synthetic records: the pMSE. S_pMSE
#   divides it by its expected value when the synthesis is correct: about 1 is good.
# * MARGINAL (fidelity) utility: is each column's distribution kept? (per column)
# * SPECIFIC utility: does a real analysis give the same answer? Fit the same regression on
#   both and compare the coefficients, term by term.
# Privacy, on keys (quasi-identifiers an attacker may know) and a sensitive target:
# * REPLICATED UNIQUES: records unique on the keys in the real data whose key combination is
#   also unique in the synthetic data (synthpop's replicated.uniques);
# * ATTRIBUTE DISCLOSURE: DiSCO, the % of real records whose target an attacker reading the
#   synthetic data would infer, correctly, from their keys (synthpop's disclosure());
# * DISTANCE TO CLOSEST RECORD (DCR) against a HOLDOUT: are synthetic records closer to the
#   records the generator saw than to real records it never saw?
#
# Run the whole file (`python m4_measures.py`) and read what check("m4") says at the end.
# It reads M3's synthetic set from workshop_out/: run M3 first in this folder.

# %%
from synthspectrum.workshop import check, workshop_data, fingerprint, out_dir
import polars as pl
from synthspectrum import measures, evaluate
from synthspectrum.datasets.ae_tutorial import SPECTRUM_KEYS, SPECTRUM_TARGET

# %% Step 1: Load the real data, the holdout and M3's synthetic set
# `train` is what the generator learnt from, `holdout` the real records it never saw.
# `synthetic` is the CART set of M3; its fingerprint is the one you checked with the R role.
train = workshop_data("train")
holdout = workshop_data("holdout")
cart_file = out_dir() / "m3_cart.parquet"
if not cart_file.exists():
    # M3 did not run here: remake its set with M3's call (same data, visit sequence and seed),
    # or, on a laptop without synthpop, measure M2's metasyn set instead (the checkpoint's
    # numbers are the CART set's: compare with the R role's on the same set instead)
    from synthspectrum import synthpop as sp
    print(f"{cart_file} is missing (M3 writes it; the catch-up file exercises/catchup/m4_measures.py runs M3 for you)")
    if sp.synthpop_available():
        print("making M3's CART set now: synthpop's CART, M3's visit sequence, seed 2026")
        visit = ["age_band", "gender", "hospital", "treatment", "admitted", "time_in_ae_minutes",
                 "deprivation_decile", "arrival_time_hour_band", "arrival_time_date"]
        sp.syn(train, method="cart", visit_sequence=visit, seed=2026).synthetic.write_parquet(cart_file)
    elif (out_dir() / "m2_metasyn.parquet").exists():
        print("synthpop is not installed here: measuring M2's metasyn set instead (your numbers will not be the "
              "checkpoint's, which are for the CART set)")
        cart_file = out_dir() / "m2_metasyn.parquet"
    else:
        raise SystemExit("no synthetic set to measure: run M2 (m2_metadata.py) or M3 (m3_cart.py) here first")
synthetic = pl.read_parquet(cart_file)
print("synthetic set:", synthetic.shape, fingerprint(synthetic))
keys = list(SPECTRUM_KEYS)  # what an attacker may know: age band, gender, deprivation decile, hospital
target = SPECTRUM_TARGET    # what they want to learn: was the patient admitted?
print("keys:", keys, "target:", target)


def value_of(frame, measure):
    """The value of one measure in a tidy measure frame (columns measure, column, value)."""
    return frame.filter(pl.col("measure") == measure)["value"][0]


# %% Step 2: General utility: pMSE and S_pMSE of a propensity model
# measures.utility_gen(real, synthetic, maxorder=0) fits a logistic model with main effects
# (maxorder=0: each column on its own; maxorder=1 adds all pairs, hundreds of columns here,
# too slow for class and for synthpop's default limit). It returns pMSE, S_pMSE, SPECKS,
# PO50, U and the propensity AUC. The R role's utility_gen gives the same numbers.
# An AUC of 0.5 means the model cannot tell the two apart. It can come out BELOW 0.5 (a
# model scored on its own records, with a little noise): read that as "indistinguishable",
# not as "better than perfect".
# hint: general = measures.utility_gen(train, synthetic, maxorder=0)
# hint: pmse = value_of(general, "pMSE"), and likewise S_pMSE and AUC
# >>> solution
general = measures.utility_gen(train, synthetic, maxorder=0)
pmse = value_of(general, "pMSE")
s_pmse = value_of(general, "S_pMSE")
auc = value_of(general, "AUC")
# <<<
print(general)
print("pMSE:", pmse, "S_pMSE:", s_pmse, "AUC:", auc)

# %% Step 3: Marginal utility: which column kept its distribution worst?
# measures.univariate(real, synthetic) compares each column on its own: KSComplement for
# numbers and dates (1 - the Kolmogorov-Smirnov distance), TVComplement for categories
# (1 - the total variation distance), 1 is a perfect match. Find the column with the lowest
# of these two. The R role ranks the columns by synthpop's compare(), another statistic:
# each column's S_pMSE. Do you point at the same column? (You will not: the complements are
# sizes of a difference, S_pMSE is a difference against what chance alone would give, and a
# yes/no column such as admitted has so little room for chance that a small difference in
# it stands out.) Two honest measures can rank the columns differently: say which you used.
# hint: univ = measures.univariate(train, synthetic), then keep the rows whose measure is
# hint: KSComplement or TVComplement (pl.col("measure").is_in([...])), .sort("value"), and take the first column
# >>> solution
univ = measures.univariate(train, synthetic)
complements = univ.filter(pl.col("measure").is_in(["KSComplement", "TVComplement"])).sort("value")
worst_column = complements["column"][0]
# <<<
print(complements)
print("worst kept column:", worst_column)

# %% Step 4: Specific utility: the same logistic regression on real and synthetic data
# Would an analyst studying admissions reach the same conclusions? Fit admitted on age band,
# gender and time in A&E on both (measures.regression_fit, family="binomial") and compare term
# by term: std_coef_diff = (b_syn - b_real) / se_real, ci_overlap = how much the two 95%
# confidence intervals overlap (1 identical, 0 or less disjoint).
# Term LABELS differ between the languages: here "age_band[T.85+]" (patsy's), in R
# "age_band85+" (R's). Compare by VALUE, not by label. The standard errors of the synthetic
# fit differ too: synthpop's compare.fit gives the synthetic estimate the REAL fit's standard
# error (it hands the real fit's variance to its summary), so its two intervals have the
# same width and its ci_overlap depends on the difference of the estimates alone, while
# regression_fit uses each fit's own standard error. So ci_overlap differs a little between
# the two languages; the estimates agree.
FORMULA = "admitted ~ age_band + gender + time_in_ae_minutes"
# hint: fit = measures.regression_fit(train, synthetic, FORMULA, family="binomial")
# hint: keep the row whose term is "age_band[T.85+]" and take its estimate_synthetic
# >>> solution
fit = measures.regression_fit(train, synthetic, FORMULA, family="binomial")
estimate_85 = fit.filter(pl.col("term") == "age_band[T.85+]")["estimate_synthetic"][0]
# <<<
print(fit)
print("log-odds of admission, 85+ against 0-17, on the synthetic data:", estimate_85)

# %% Step 5: Replicated uniques on the keys
# A record alone in its key combination in the real data is the easiest to single out. If
# the synthetic data also hold that combination exactly once, an attacker may take the
# synthetic record for the real person (synthpop's replicated.uniques). Count them.
# hint: ru = measures.replicated_uniques(train, synthetic, keys); its measure "replicated_uniques"
# >>> solution
ru = measures.replicated_uniques(train, synthetic, keys)
rep_uniques = value_of(ru, "replicated_uniques")
# <<<
print(ru)
print("replicated uniques:", rep_uniques)

# %% Step 6: Attribute disclosure: DiSCO
# An attacker who knows a patient's keys looks them up in the synthetic data: if every
# synthetic record with those keys has the same target, they infer it. DiSCO is the % of real
# records for which that inference is made AND correct. Dorig is the same attack on the
# real data itself: what the real data would disclose, the baseline to read DiSCO against.
# hint: disc = measures.disclosure(train, synthetic, keys, target); its measures "DiSCO" and "Dorig"
# >>> solution
disc = measures.disclosure(train, synthetic, keys, target)
disco = value_of(disc, "DiSCO")
dorig = value_of(disc, "Dorig")
# <<<
print(disc)
print("DiSCO %:", disco, "| Dorig % (the real data's own disclosure):", dorig)

# %% Step 7: Distance to closest record, against a holdout
# How close is each synthetic record to its nearest real record? On its own the number says
# little: close compared with what? Real records the generator never saw (the holdout) give
# the yardstick. If the generator did not memorise, a synthetic record is as likely to be
# nearer a training record as a holdout record: share_closer_to_training about 0.5. Towards
# 1, it copies what it saw. (This is why we keep a holdout, and why it must be a RANDOM half:
# these data are ordered by time, and the last months as a holdout would be far from the
# training records for reasons that have nothing to do with privacy.)
# hint: dcr = measures.dcr(train, synthetic, holdout); its measure "share_closer_to_training"
# >>> solution
dcr = measures.dcr(train, synthetic, holdout)
closer = value_of(dcr, "share_closer_to_training")
# <<<
print(dcr)
print("share of synthetic records closer to a training than to a holdout record:", closer)

# %% Step 8: Everything at once: evaluate() and the HTML report
# evaluate() runs every measure once (the same functions you called) and keeps what they
# computed for its plots; .summary() gives the headline numbers, .to_html() a self-contained
# report you can open in a browser (no internet needed). It shows a category only when at
# least k = 5 real records hold it, and never prints a record.
# hint: ev = evaluate(train, synthetic, keys=keys, target=target, holdout=holdout,
# hint:               formula=FORMULA, family="binomial", maxorder=0)
# hint: then ev.to_html(report)
# hint: report = str(out_dir() / "m4_report.html")
# >>> solution
report = str(out_dir() / "m4_report.html")
ev = evaluate(train, synthetic, keys=keys, target=target, holdout=holdout, formula=FORMULA, family="binomial",
              maxorder=0)
ev.to_html(report)
summary = ev.summary()
# <<<
print(summary)
print("open this report in your browser:", report)

# %% [markdown]
# ## Extension (for fast pairs; not checked)
#
# 1. Interactions: measures.utility_gen(train, synthetic, maxorder=1) adds every pair of
#    columns (about 500 design columns, a few seconds here). S_pMSE and AUC rise: pairs show
#    what main effects cannot. (synthpop refuses such a large model unless max.params is
#    raised; the R role can try utility_gen(train, res, maxorder = 1, max.params = 600).)
# 2. An out-of-sample AUC: measures.propensity_auc_cv(train, synthetic, maxorder=0) scores
#    records the model was not fitted on. Why is it the spectrum's utility axis (M5)?
# 3. The holdout as "synthetic" data: measures.dcr(train, holdout_a, holdout_b) with two
#    random halves of the holdout (holdout.sample(fraction=0.5, seed=1) and the rest) gives
#    the share for real records nobody copied: about 0.5. Compare with step 7.
# 4. Another target: measures.disclosure(train, synthetic, keys, "treatment"). Is treatment
#    more or less disclosive than admission? Compare DiSCO with Dorig.

# %%
check("m4")
