"""Bounded measures: identifier-like columns left out, many-level columns grouped, design and
pairs capped, distances without one-hot blow-ups; each says what it left out.

No timed tests: the sizes that bound memory and time are asserted, and the numbers are checked
against the same measure on frames where nothing needs bounding.
"""

import warnings

import numpy as np
import polars as pl
import pytest
from scipy import stats

from synthspectrum import datasets
from synthspectrum.core.columns import identifier_columns
from synthspectrum.core.pair import check_pair
from synthspectrum.measures import bivariate, bounds, distance, propensity
from synthspectrum.measures import privacy as pv
from synthspectrum.measures import utility as ut


def stat_rows(df: pl.DataFrame) -> pl.DataFrame:
    return df.filter(~pl.col("measure").is_in(list(ut.LEFT_OUT_MEASURES)))


def notes(df: pl.DataFrame, measure: str, col: str = "column") -> dict:
    f = df.filter(pl.col("measure") == measure)
    return dict(zip(f[col].to_list(), f["value" if "value" in f.columns else "real"].to_list()))


def with_ids(rng: np.random.Generator, n: int, offset: int) -> pl.DataFrame:
    """500-row frames as a data steward has them: a record number, a free-text note, and data."""
    words = np.array(["fell", "pain", "knee", "head", "cut", "wrist", "rest", "review"])
    return pl.DataFrame({
        "patient_id": [f"P{offset + i:06d}" for i in range(n)],
        "note": [" ".join(rng.choice(words, 6)) for _ in range(n)],
        "age": rng.normal(50, 15, n),
        "sex": rng.choice(["F", "M"], n),
        "ward": rng.choice([f"w{i}" for i in range(12)], n),
    })


@pytest.fixture(scope="module")
def steward():
    rng = np.random.default_rng(11)
    return with_ids(rng, 500, 0), with_ids(rng, 500, 10_000), with_ids(rng, 500, 20_000)


def test_identifier_rule_on_the_bundled_data():
    # the raw A&E data hold an NHS number and a postcode (nearly all distinct); the
    # de-identified data and the frozen test frames hold none, so nothing is left out there
    assert set(identifier_columns(datasets.load("ae"))) == {"nhs_number", "home_postcode"}
    assert identifier_columns(datasets.load("ae_deidentified")) == {}
    assert identifier_columns(pl.DataFrame({"k": list(range(500)), "x": [i % 7 for i in range(500)]})) == {"k": 500}
    assert identifier_columns(pl.DataFrame({"k": list(range(40))})) == {}  # 40 <= 60 values: not a key yet
    # all distinct but spread like a measurement (incomes in pounds): kept
    incomes = np.random.default_rng(0).choice(10**6, 300, replace=False)
    assert identifier_columns(pl.DataFrame({"income": incomes})) == {}


def test_pmse_leaves_identifiers_out_and_says_so(steward):
    real, syn, _ = steward
    with pytest.warns(UserWarning, match="'patient_id' looks like an identifier or free text"):
        out = ut.utility_gen(real, syn, maxorder=0)
    assert notes(out, "left_out_identifier") == {"patient_id": 500.0, "note": 500.0}
    plain = ut.utility_gen(real.drop("patient_id", "note"), syn.drop("patient_id", "note"), maxorder=0)
    # the same model as on the frames without them, to the last bit
    assert stat_rows(out).equals(plain)
    X, _, _ = propensity._design(real, syn, 0)
    assert X.shape == (1000, 1 + 1 + 1 + 11)  # intercept, age, sex, ward: no dummy per record
    sentences = ut.left_out_sentences(out, "the propensity model")
    assert sentences == ["'patient_id' left out of the propensity model: identifier-like (500 distinct values)",
                         "'note' left out of the propensity model: identifier-like (500 distinct values)"]
    with pytest.warns(UserWarning, match="identifier"):
        assert ut.propensity_auc_cv(real, syn, maxorder=0) == ut.propensity_auc_cv(real.drop("patient_id", "note"),
                                                                       syn.drop("patient_id", "note"), maxorder=0)


def test_associations_and_dcr_leave_identifiers_out(steward):
    real, syn, hold = steward
    plain = [f.drop("patient_id", "note") for f in steward]
    with pytest.warns(UserWarning, match="left out of the association matrices"):
        a = ut.association_difference(real, syn)
    assert notes(a, "left_out_identifier", "column_a") == {"patient_id": 500.0, "note": 500.0}
    pairs = a.filter(~pl.col("measure").is_in(list(ut.LEFT_OUT_MEASURES)))
    assert pairs.equals(ut.association_difference(plain[0], plain[1]))
    assert a.filter(pl.col("measure").is_in(list(ut.LEFT_OUT_MEASURES)))["difference"].null_count() == 2
    with pytest.warns(UserWarning, match="left out of the distance measures"):
        d = pv.dcr(real, syn, hold)
    assert notes(d, "left_out_identifier") == {"patient_id": 500.0, "note": 500.0}
    assert stat_rows(d).equals(pv.dcr(*plain))
    # features: age (value, missing), sex (2 levels), ward (12 levels): nothing per record
    f_tr, _, _, p, _ = distance._sampled_features(real, syn, hold, 5_000, 0)
    assert f_tr.shape == (500, 2 + 2 + 12) and p == 3


def test_rare_levels_are_pooled_as_synthpop_mergelevels_does():
    def labels(counts: dict) -> pl.Series:
        return pl.Series("v", [k for k, n in counts.items() for _ in range(n)])

    base = {"a": 50, "b": 40, "c": 30, "d": 12, "e": 11}
    # pooled f + g hold 5 < 10 records: mergelevels.syn adds the next-smallest level (e) to them
    assert bounds.level_plan(labels(base | {"f": 3, "g": 2}), 6, 10) == {"a", "b", "c", "d"}
    # pooled f + g hold 12 >= 10 records: they form the pooled level alone
    assert bounds.level_plan(labels(base | {"f": 8, "g": 4}), 6, 10) == {"a", "b", "c", "d", "e"}
    # at most max_levels - 1 levels are kept, most frequent first, ties by label
    assert bounds.level_plan(labels(base | {"f": 8, "g": 4}), 4, 10) == {"a", "b", "c"}
    assert bounds.level_plan(labels(base), 6, 10) is None  # few levels: left alone


def test_pmse_with_grouped_levels_equals_the_model_on_hand_grouped_data():
    rng = np.random.default_rng(3)
    levels = [f"L{i:02d}" for i in range(70)]
    p = np.r_[np.full(5, 0.15), np.full(65, 0.25 / 65)]  # 5 common levels, 65 rare ones

    def frame(n: int) -> pl.DataFrame:
        return pl.DataFrame({"code": rng.choice(levels, n, p=p), "x": rng.normal(size=n)})

    real, syn = frame(400), frame(400)
    both = pl.concat([real, syn])["code"].value_counts()
    rare = set(both.filter(pl.col("count") < 10)["code"].to_list())
    assert both.height > 60 and sum(both.filter(pl.col("count") < 10)["count"]) >= 10  # the rule's plain case

    def by_hand(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(pl.when(pl.col("code").is_in(list(rare))).then(pl.lit("other"))
                               .otherwise(pl.col("code")).alias("code"))

    with pytest.warns(UserWarning, match="'code'.*pooled into one level"):
        out = ut.utility_gen(real, syn, maxorder=0)
    assert notes(out, "levels_grouped") == {"code": float(len(rare))}
    expected = ut.utility_gen(by_hand(real), by_hand(syn), maxorder=0)
    assert stat_rows(out)["value"].to_list() == pytest.approx(expected["value"].to_list(), rel=1e-9)
    # the association matrices group the same way, on the frame they describe
    both_frames = pl.concat([real, syn])
    with pytest.warns(UserWarning, match="'code'.*association matrices"):
        a = ut.associations(both_frames)
    assert notes(a, "levels_grouped", "column_a") == {"code": float(len(rare))}
    assert stat_rows(a)["value"].to_list() == pytest.approx(ut.associations(by_hand(both_frames))["value"].to_list(),
                                                            rel=1e-9)


def test_wide_data_has_a_bounded_design():
    rng = np.random.default_rng(5)
    wide = [pl.DataFrame({f"x{j}": rng.normal(size=500) for j in range(200)}) for _ in range(2)]
    with pytest.warns(UserWarning, match="19900 of 19900 interaction design columns dropped"):
        X, _, dropped = propensity._design(*wide, maxorder=1)
    # today 1 + 200 + 200 * 199 / 2 = 20,101 columns; capped at N / 5 = 200 but never below the
    # 201 main-effect columns
    assert X.shape == (1000, 201)
    # counted without building it, for callers that choose maxorder
    assert ut.design_size(*wide, maxorder=1) == {"columns": 201, "uncapped": 20101, "variables": 200, "records": 1000}
    assert dropped == [{"measure": "interaction_columns_dropped", "column": None, "value": 19900.0}]
    with pytest.warns(UserWarning):
        out = ut.utility_gen(*wide, maxorder=1)
    assert notes(out, "interaction_columns_dropped") == {None: 19900.0}
    # 30 variables on 2,000 records: cap 400 = 31 main-effect columns + the first 369 of the
    # 435 pairs, whole pairs in R's order
    narrow = [pl.DataFrame({f"x{j}": rng.normal(size=1000) for j in range(30)}) for _ in range(2)]
    with pytest.warns(UserWarning, match="66 of 435"):
        X, _, _ = propensity._design(*narrow, maxorder=1)
    assert X.shape == (2000, 400)
    assert ut.design_size(*narrow, maxorder=1)["columns"] == 400
    assert np.array_equal(X[:, 31], X[:, 1] * X[:, 2])  # the first pair is x0:x1
    # main effects beyond max_params: whole columns, in column order
    with pytest.warns(UserWarning, match="26 columns left out of the propensity model"):
        out = ut.utility_gen(*narrow, max_params=5, maxorder=0)
    assert sorted(notes(out, "left_out_over_cap")) == sorted(f"x{j}" for j in range(4, 30))


def test_association_matrices_are_capped():
    rng = np.random.default_rng(8)
    df = pl.DataFrame({f"x{j}": rng.normal(size=60) for j in range(12)})
    with pytest.warns(UserWarning, match="2 columns left out of the association matrices"):
        out = ut.associations(df, max_columns=10)
    assert out.filter(pl.col("measure") == "NMI").height == 45  # 10 * 9 / 2 pairs
    assert notes(out, "left_out_over_cap", "column_a") == {"x10": 10.0, "x11": 11.0}
    assert ut.MAX_ASSOCIATION_COLUMNS * (ut.MAX_ASSOCIATION_COLUMNS - 1) // 2 == 4950


def test_spearman_equals_scipy_to_the_last_bit():
    rng = np.random.default_rng(1)
    for i in range(300):
        n = int(rng.integers(3, 300))
        x = rng.integers(0, 12, n).astype(float) if i % 2 else rng.normal(size=n)  # with and without ties
        y = rng.normal(size=n) + 0.3 * x
        assert bivariate._spearman(x, y, stats.rankdata(x), stats.rankdata(y)) == stats.spearmanr(x, y).statistic
    x[:3] = np.nan
    assert bivariate._spearman(x, y, None, stats.rankdata(y)) == stats.spearmanr(x[3:], y[3:]).statistic


def test_dcr_on_many_levels_needs_no_one_hot():
    rng = np.random.default_rng(2)

    def frame(n: int, levels: int) -> pl.DataFrame:
        return pl.DataFrame({"code": [f"c{i}" for i in rng.integers(0, levels, n)],
                             "age": rng.normal(50, 15, n), "sex": rng.choice(["F", "M"], n)})

    # 10k records with a 10k-level column: identifier-like, left out
    keys = [pl.DataFrame({"key": [f"k{i}" for i in rng.permutation(10_000)], "age": rng.normal(50, 15, 10_000)})
            for _ in range(3)]
    with pytest.warns(UserWarning, match="'key' looks like an identifier"):
        f_tr, f_ho, f_sy, p, _ = distance._sampled_features(*keys, 5_000, 0)
    assert f_tr.shape == (5_000, 2) and p == 1
    with pytest.warns(UserWarning, match="'key' looks like an identifier"):
        assert notes(pv.dcr(*keys), "left_out_identifier") == {"key": 10_000.0}
    # 10k records with a 3,000-level column (not an identifier): kept as one code column
    tr, sy, ho = frame(10_000, 3_000), frame(10_000, 3_000), frame(10_000, 3_000)
    f_tr, f_ho, f_sy, p, _ = distance._sampled_features(tr, sy, ho, 5_000, 0)
    assert [a.shape for a in f_tr] == [(5_000, 4), (5_000, 1)] and p == 3  # not 5,000 x ~3,000 one-hot
    assert pv.dcr(tr, sy, ho).filter(pl.col("measure") == "share_closer_to_training")["value"][0] == \
        pytest.approx(0.5, abs=0.05)
    # the search on codes gives the one-hot distances (forced here by max_levels = 2)
    small = frame(300, 40), frame(300, 40), frame(300, 40)
    exact = pv.dcr(*small, seed=3)
    coded = pv.dcr(*small, seed=3, max_levels=2)
    assert coded["value"].to_list() == pytest.approx(exact["value"].to_list(), abs=1e-12)


def test_every_measure_applies_the_number_policy():
    real = pl.DataFrame({"x": [1.0, 2.0, float("inf"), 4.0, 5.0, 1e308], "g": ["a", "b", "a", "b", "a", "b"]})
    syn = pl.DataFrame({"x": [1.5, float("-inf"), 3.0, 4.5, 5.0, 2.0], "g": ["a", "a", "b", "b", "a", "b"]})
    nulled_r = real.with_columns(pl.when(pl.col("x").abs() < 1e15).then(pl.col("x")).alias("x"))
    nulled_s = syn.with_columns(pl.when(pl.col("x").abs() < 1e15).then(pl.col("x")).alias("x"))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        r, s = check_pair(real, syn)
    msgs = [str(w.message) for w in seen]
    # one warning per column per frame, naming the frame and the column
    assert len(msgs) == 2 and "real data, column 'x'" in msgs[0] and "synthetic data, column 'x'" in msgs[1]
    assert r.equals(nulled_r) and s.equals(nulled_s)
    with pytest.warns(UserWarning, match="treated as missing"):
        assert ut.utility_gen(real, syn, maxorder=0).equals(ut.utility_gen(nulled_r, nulled_s, maxorder=0))
    with pytest.warns(UserWarning, match="treated as missing"):
        assert ut.univariate(real, syn).equals(ut.univariate(nulled_r, nulled_s))
    with pytest.warns(UserWarning, match="treated as missing"):
        out = pv.dcr(real, syn, real)
    assert np.isfinite(out["value"].to_numpy()).all()
