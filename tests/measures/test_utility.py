"""Utility measures: hand-computed values, the SDMetrics formulas, and synthpop's own numbers."""

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthspectrum.measures import utility as ut
from synthspectrum.errors import ColumnError, SynthSpectrumError

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def frozen():
    return pl.read_parquet(DATA / "frozen_real.parquet"), pl.read_parquet(DATA / "frozen_synthetic.parquet")


def value(df: pl.DataFrame, measure: str, column: str | None = None) -> float:
    f = df.filter(pl.col("measure") == measure)
    if column is not None:
        f = f.filter(pl.col("column") == column)
    assert f.height == 1, (measure, column)
    return f["value"][0]


def test_univariate_by_hand():
    real = pl.DataFrame({"n": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", None]})
    syn = pl.DataFrame({"n": [3.0, 4.0, 5.0, 6.0], "c": ["a", "b", "b", "b"]})
    out = ut.univariate(real, syn)
    # KS: F_real(2) = 1/2, F_syn(2) = 0 -> D = 1/2; SDMetrics' KSComplement = 1 - D
    assert value(out, "KSComplement", "n") == pytest.approx(0.5)
    assert value(out, "KS", "n") == pytest.approx(0.5)
    assert value(out, "TVD", "c") == pytest.approx(5 / 12)
    # TV over non-missing: 1 - 1/2 (|2/3 - 1/4| + |1/3 - 3/4|) = 1 - 5/12
    assert value(out, "TVComplement", "c") == pytest.approx(7 / 12)
    assert value(out, "missing_share_difference", "c") == pytest.approx(0.25)
    # synthetic range [3, 6] covers [3, 4] of the real [1, 4]: 1/3
    assert value(out, "coverage", "n") == pytest.approx(1 / 3)
    assert value(out, "coverage", "c") == 1.0


def test_identical_frames_are_perfect_and_shuffles_degrade(frozen):
    real, _ = frozen
    same = ut.univariate(real, real)
    assert same.filter(pl.col("measure").is_in(["KSComplement", "TVComplement", "coverage"]))["value"].min() == 1.0
    assert same.filter(pl.col("measure").is_in(["missing_share_difference", "KS", "TVD"]))["value"].max() == 0.0
    # each column shuffled on its own keeps every marginal but loses every relation
    rng = np.random.default_rng(0)
    shuffled = real.select([real.get_column(c).gather(rng.permutation(real.height)) for c in real.columns])
    assert ut.univariate(real, shuffled)["value"].to_list() == same["value"].to_list()
    diff = ut.association_difference(real, shuffled).filter(pl.col("measure") == "CramersV")
    pair = diff.filter((pl.col("column_a") == "age_band") & (pl.col("column_b") == "admitted"))
    assert pair["real"][0] > 0.15 and pair["synthetic"][0] < 0.08
    assert ut.association_difference(real, real)["difference"].abs().max() == 0.0
    p_same = ut.utility_gen(real, real, maxorder=0)
    assert value(p_same, "pMSE") == pytest.approx(0.0, abs=1e-20) and value(p_same, "AUC") == pytest.approx(0.5)
    p_shuf = ut.utility_gen(real, shuffled, maxorder=1)
    assert value(p_shuf, "S_pMSE") > 3 and value(p_shuf, "AUC") > 0.55


def test_associations_by_hand():
    df = pl.DataFrame({"x": ["a", "a", "b", "b"], "y": ["p", "p", "q", "q"], "z": ["p", "q", "p", "q"],
                       "u": [1.0, 2.0, 3.0, 4.0], "v": [2.0, 4.0, 6.0, 8.0]})
    a = ut.associations(df)

    def get(col_a, col_b, measure):
        return a.filter((pl.col("column_a") == col_a) & (pl.col("column_b") == col_b) & (pl.col("measure") == measure))["value"][0]

    assert get("x", "y", "CramersV") == pytest.approx(1.0) and get("x", "y", "NMI") == pytest.approx(1.0)
    assert get("x", "z", "CramersV") == pytest.approx(0.0) and get("x", "z", "NMI") == pytest.approx(0.0)
    assert get("u", "v", "Spearman") == pytest.approx(1.0)


def test_pmse_by_hand_with_one_binary_variable():
    # real: 3 of 4 are "a"; synthetic: 1 of 4. A saturated logistic model fits each group's
    # share of synthetic rows: p(a) = 1/4, p(b) = 3/4, and c = 1/2, so (p - c)^2 = 1/16 for all.
    real = pl.DataFrame({"g": ["a", "a", "a", "b"]})
    syn = pl.DataFrame({"g": ["a", "b", "b", "b"]})
    out = ut.utility_gen(real, syn, maxorder=0)
    assert value(out, "pMSE") == pytest.approx(1 / 16)
    # k = 2 parameters: expectation (k - 1)(1 - c)^2 c / N = 1/64
    assert value(out, "S_pMSE") == pytest.approx(4.0)
    assert value(out, "PO50") == pytest.approx(25.0)


def test_table_utility_by_hand():
    real = pl.DataFrame({"g": ["a", "a", "a", "b"]})
    syn = pl.DataFrame({"g": ["a", "b", "b", "b"]})
    out = ut.utility_tab(real, syn, ["g"])
    assert out.columns == ["measure", "column", "value"] and out["column"].to_list() == ["g"] * 9
    assert out["measure"].to_list() == ["pMSE", "S_pMSE", "df", "VW", "S_VW", "FT", "S_FT", "JSD", "S_JSD"]
    # c = 1/2: VW = sum (s - d)^2 / ((s + d)/2) = 4/2 + 4/2 = 4; df = 1
    assert value(out, "VW") == pytest.approx(4.0) and value(out, "df") == 1
    assert value(out, "pMSE") == pytest.approx(4 * 0.5 * 0.25 / 8)
    # FT = 4 sum (sqrt s - sqrt d)^2
    assert value(out, "FT") == pytest.approx(4 * 2 * (np.sqrt(3) - 1) ** 2)
    # JSD of (3/4, 1/4) and (1/4, 3/4), base 2
    p, q = np.array([0.75, 0.25]), np.array([0.25, 0.75])
    m = (p + q) / 2
    assert value(out, "JSD") == pytest.approx(0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m)))


def test_cart_propensity_is_seeded(frozen):
    real, syn = frozen
    a = ut.utility_gen(real, syn, method="cart", nperms=5, seed=1, maxorder=0)
    assert a.equals(ut.utility_gen(real, syn, method="cart", nperms=5, seed=1, maxorder=0))
    assert value(a, "AUC") > 0.5


def test_bad_input(frozen):
    real, syn = frozen
    with pytest.raises(SynthSpectrumError, match="different columns: 'gender'"):
        ut.univariate(real, syn.drop("gender"))
    with pytest.raises(SynthSpectrumError, match="column 'age_band': is Enum.*in the real data but Int32"):
        ut.univariate(real, syn.with_columns(pl.lit(1).alias("age_band")))
    with pytest.raises(SynthSpectrumError, match="synthetic data is empty"):
        ut.utility_gen(real, syn.head(0))
    with pytest.raises(ColumnError, match="no column 'nope'"):
        ut.utility_tab(real, syn, ["nope"])
    with pytest.raises(SynthSpectrumError, match="no column varies"):
        ut.utility_gen(pl.DataFrame({"k": [1, 1]}), pl.DataFrame({"k": [1, 1]}))
    with pytest.raises(SynthSpectrumError, match="method must be"):
        ut.utility_gen(real, syn, method="forest")
    all_missing = pl.DataFrame({"x": pl.Series([None, None], dtype=pl.Float64), "g": ["a", "b"]})
    out = ut.univariate(all_missing, all_missing)
    assert np.isnan(value(out, "KSComplement", "x"))


# --- agreement with synthpop, on frozen frames ----------------------------------------------

def _synthpop():
    from synthspectrum.errors import RNotAvailableError

    try:
        from synthspectrum import synthpop

        synthpop.require_synthpop()
        return synthpop
    except RNotAvailableError as exc:
        pytest.skip(f"synthpop not available: {exc}")


def _r_numbers(code: str, real: pl.DataFrame, syn: pl.DataFrame) -> list[float]:
    from synthspectrum.synthpop import rinterface, to_r

    ri = rinterface()
    ri.globalenv["real"] = to_r(real)[0]
    ri.globalenv["syn"] = to_r(syn)[0]
    return [float(x) for x in ri.evalr(f"suppressMessages(library(synthpop)); as.numeric(unlist({code}))")]


@pytest.mark.parametrize("maxorder", [0, 1])
def test_pmse_equals_synthpop_utility_gen_logit(frozen, maxorder):
    _synthpop()
    real, syn = frozen
    if maxorder:
        cols = ["age_band", "gender", "treatment", "admitted", "time_in_ae_minutes"]
        real, syn = real.select(cols), syn.select(cols)
    ours = ut.utility_gen(real, syn, method="logit", maxorder=maxorder)
    for stat in ["pMSE", "S_pMSE", "SPECKS", "PO50", "U"]:
        theirs = _r_numbers(f'utility.gen(syn, real, method = "logit", maxorder = {maxorder}, print.flag = FALSE)${stat}',
                            real, syn)
        assert value(ours, stat) == pytest.approx(theirs[0], rel=1e-6, abs=1e-12), stat


def test_a_near_separated_propensity_fit_still_gives_synthpops_pmse():
    """On synthpop's own SD2011 (CART, seed 1) the interaction model is nearly separated: a full
    Newton step overshot, the deviance climbed for 90 iterations and the pMSE came out 15% off
    synthpop's, after minutes. Step halving (as glm.fit truncates a diverging step) lands on
    synthpop's value."""
    import warnings

    from synthspectrum import synthpop as sp

    _synthpop()
    ri = sp.rinterface()
    real = sp.from_r(ri.evalr('suppressMessages(library(synthpop)); '
                              'SD2011[, c("sex", "age", "edu", "marital", "income", "region", "smoke")]'))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # synthpop's own near-separation warning
        res = sp.syn(real, method="cart", seed=1)
        theirs = sp.utility_gen(real, res)
        ours = ut.utility_gen(real, res.synthetic)
    for stat in ["pMSE", "S_pMSE"]:
        assert value(ours, stat) == pytest.approx(value(theirs, stat), rel=1e-3), stat


def test_utility_gen_defaults_are_synthpops(frozen):
    # maxorder defaults to 1 as in synthpop's utility.gen: synthpop called without maxorder agrees
    _synthpop()
    real, syn = frozen
    cols = ["age_band", "gender", "treatment", "admitted"]
    real, syn = real.select(cols), syn.select(cols)
    ours = ut.utility_gen(real, syn)
    assert ours.equals(ut.utility_gen(real, syn, method="logit", maxorder=1))
    assert ours["column"].null_count() == ours.height
    for stat in ["pMSE", "S_pMSE", "U"]:
        theirs = _r_numbers(f'utility.gen(syn, real, method = "logit", print.flag = FALSE)${stat}', real, syn)
        assert value(ours, stat) == pytest.approx(theirs[0], rel=1e-6, abs=1e-12), stat


def test_utility_tab_equals_synthpop(frozen):
    _synthpop()
    real, syn = frozen
    for vars_ in (["age_band", "treatment"], ["time_in_ae_minutes", "gender"], ["deprivation_decile", "admitted"]):
        ours = ut.utility_tab(real, syn, vars_)
        assert ours["column"].unique().to_list() == [" x ".join(vars_)]
        r_vars = 'c("' + '", "'.join(vars_) + '")'
        for stat in ["pMSE", "S_pMSE", "df", "VW", "FT", "JSD", "S_JSD"]:
            theirs = _r_numbers(f"utility.tab(syn, real, vars = {r_vars}, print.flag = FALSE)${stat}", real, syn)
            assert value(ours, stat) == pytest.approx(theirs[0], rel=1e-9), (vars_, stat)


def test_regression_fit_by_hand():
    # y = 1 + 2x exactly in the real data; the synthetic data has slope 3
    x = np.arange(20.0)
    noise = np.tile([0.1, -0.1], 10)
    real = pl.DataFrame({"x": x, "y": 1 + 2 * x + noise})
    syn = pl.DataFrame({"x": x, "y": 1 + 3 * x + noise})
    out = ut.regression_fit(real, syn, "y ~ x")
    row = out.filter(pl.col("term") == "x")
    assert row["estimate_real"][0] == pytest.approx(2.0, abs=0.01)
    assert row["estimate_synthetic"][0] == pytest.approx(3.0, abs=0.01)
    assert row["ci_overlap"][0] < 0  # far apart
    same = ut.regression_fit(real, real, "y ~ x")
    assert same["ci_overlap"].to_list() == pytest.approx([1.0, 1.0])
    assert same["std_coef_diff"].to_list() == pytest.approx([0.0, 0.0])


def test_regression_fit_logistic_and_errors(frozen):
    real, syn = frozen
    out = ut.regression_fit(real, syn, "admitted ~ age_band + treatment", family="binomial")
    assert out["term"][0] == "Intercept" and out.height == 1 + 5 + 8
    # metasyn's columns are independent: the age effect on admission is lost
    age = out.filter(pl.col("term").str.contains("65-84"))
    assert age["estimate_real"][0] > 1 and abs(age["estimate_synthetic"][0]) < 0.5
    with pytest.raises(SynthSpectrumError, match="cannot be fitted on the real data"):
        ut.regression_fit(real, syn, "admitted ~ nope")
    with pytest.raises(SynthSpectrumError, match="family must be"):
        ut.regression_fit(real, syn, "admitted ~ age_band", family="poisson")


@pytest.mark.parametrize("levels", [["No", "Yes"], None])  # an Enum's own order, or text (sorted, as R's factor())
def test_a_two_level_category_outcome_models_its_second_level_as_r_does(frozen, levels):
    # R's glm models P(second level) of a factor outcome; the boolean admitted (True = 1) is the
    # independent expectation: "Yes" for True must give the very same estimates
    real, syn = frozen
    recode = (pl.when(pl.col("admitted")).then(pl.lit("Yes")).otherwise(pl.lit("No"))
              .cast(pl.Enum(levels) if levels else pl.String).alias("admitted"))
    as_bool = ut.regression_fit(real, syn, "admitted ~ age_band", family="binomial")
    as_category = ut.regression_fit(real.with_columns(recode), syn.with_columns(recode), "admitted ~ age_band",
                                    family="binomial")
    for col in ["estimate_real", "se_real", "estimate_synthetic", "se_synthetic"]:
        assert as_category[col].to_numpy() == pytest.approx(as_bool[col].to_numpy(), rel=1e-9), col


def test_pmse_drops_aliased_columns_as_glm_does():
    real = pl.DataFrame({"g": ["a", "a", "a", "b"], "x": [1.0, 2.0, 3.0, 4.0]})
    syn = pl.DataFrame({"g": ["a", "b", "b", "b"], "x": [1.5, 2.0, 2.5, 4.0]})
    twice = ut.utility_gen(real.with_columns(pl.col("g").alias("g2")), syn.with_columns(pl.col("g").alias("g2")), maxorder=0)
    once = ut.utility_gen(real, syn, maxorder=0)
    # the copy adds no parameter: same fit, same k, same S_pMSE
    assert twice["value"].to_list() == pytest.approx(once["value"].to_list())



# --- cross-validated propensity AUC --------------------------------------------------------

def _ten_by_ten(rng: np.random.Generator, n: int, shift: float = 0.0) -> pl.DataFrame:
    """Ten independent 10-level categories and two numbers: 93 main-effect parameters, so that
    at n = 300 + 300 the in-sample model memorises noise."""
    d = {f"c{j}": rng.choice([f"l{i}" for i in range(10)], n) for j in range(10)}
    d["age"], d["w"] = rng.normal(50 + shift, 15, n), rng.gamma(2.0, 10.0, n)
    return pl.DataFrame(d)


def test_cross_validated_auc_is_one_half_for_two_samples_of_one_distribution():
    # Bands from 200 simulated pairs of this design (seeds 0-199, as below): out-of-fold AUC
    # mean 0.500, sd 0.032 per pair (range 0.397-0.579), sd 0.015 for a mean of 5 pairs; the
    # in-sample AUC was never below 0.68. Each pair must lie within 3.7 sd, their mean within
    # 3.3 sd: a correct estimator fails this test well under once in 500 draws.
    cv, inside = [], []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        a, b = _ten_by_ten(rng, 300), _ten_by_ten(rng, 300)
        cv.append(ut.propensity_auc_cv(a, b, seed=seed, maxorder=0))
        inside.append(value(ut.utility_gen(a, b, maxorder=0), "AUC"))
    assert all(0.38 < x < 0.62 for x in cv), cv
    assert 0.45 < np.mean(cv) < 0.55, cv
    assert min(inside) > 0.65, inside  # the in-sample AUC of the same model is far from 0.5


def test_cross_validated_auc_sees_a_real_difference_and_is_seeded():
    rng = np.random.default_rng(7)
    a, b = _ten_by_ten(rng, 300), _ten_by_ten(rng, 300, shift=15.0)  # age moved by one sd
    auc = ut.propensity_auc_cv(a, b, seed=3, maxorder=0)
    # one normal shifted by one sd alone gives AUC Phi(1 / sqrt 2) = 0.76; the 90 noise dummies
    # cost some: over 40 simulated pairs (seeds 100-139) mean 0.682, sd 0.027, range 0.626-0.723.
    # The band is mean +- 3.5 sd, its floor far above the null's 0.5 +- 0.032.
    assert 0.58 < auc < 0.78, auc
    assert ut.propensity_auc_cv(a, b, seed=3, maxorder=0) == auc
    assert ut.propensity_auc_cv(a, a, seed=3, maxorder=0) == pytest.approx(0.5, abs=0.08)
    with pytest.raises(SynthSpectrumError, match="folds must be"):
        ut.propensity_auc_cv(a, b, folds=1)


def test_binomial_refuses_a_continuous_outcome():
    rng = np.random.default_rng(4)
    x = rng.normal(size=200)
    df = pl.DataFrame({"x": x, "y": 3 + 2 * x + rng.normal(size=200), "yes": rng.choice(["no", "yes"], 200),
                       "three": rng.choice(["a", "b", "c"], 200), "flag": (x + rng.normal(size=200) > 0).astype(int)})
    # today glm "converges" to coefficients of 1e16 and the table looks fine
    with pytest.raises(SynthSpectrumError, match=r"column 'y': family 'binomial' needs .* 0/1.* real data"):
        ut.regression_fit(df, df, "y ~ x", family="binomial")
    with pytest.raises(SynthSpectrumError, match=r"column 'three': family 'binomial'"):
        ut.regression_fit(df, df, "three ~ x", family="binomial")
    # a synthetic outcome that is no longer 0/1 is refused too, naming the synthetic data
    with pytest.raises(SynthSpectrumError, match=r"column 'flag'.*synthetic data"):
        ut.regression_fit(df, df.with_columns(pl.col("flag") * 2), "flag ~ x", family="binomial")
    # 0/1, boolean and two-level outcomes fit, with sane coefficients
    for outcome in ("flag", "yes"):
        out = ut.regression_fit(df, df, f"{outcome} ~ x", family="binomial")
        assert out["estimate_real"].abs().max() < 100


def test_utility_gen_hands_back_the_scores_of_its_own_fit(frozen):
    real, syn = frozen
    rows, scores = ut.utility_gen(real, syn, maxorder=0, return_scores=True)
    assert rows.equals(ut.utility_gen(real, syn, maxorder=0))
    assert scores.equals(ut.propensity_scores(real, syn, maxorder=0))  # the same model, to the last bit
    assert scores["source"].value_counts().sort("source")["count"].to_list() == [real.height, syn.height]
    # the statistics are those of these scores: pMSE = mean (p - c)^2, c the synthetic share
    c = syn.height / (real.height + syn.height)
    assert value(rows, "pMSE") == pytest.approx(float(((scores["propensity"] - c) ** 2).mean()), rel=1e-12)
    _, tree = ut.utility_gen(real, syn, method="cart", nperms=2, maxorder=0, return_scores=True)
    assert tree.height == real.height + syn.height and tree["propensity"].is_between(0, 1).all()
