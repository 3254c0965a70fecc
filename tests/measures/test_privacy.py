"""Privacy measures: hand-computed values, their baselines, and synthpop's own numbers."""


import numpy as np
import polars as pl
import pytest

from synthspectrum.measures import privacy as pv
from synthspectrum.errors import SynthSpectrumError

KEYS = ["age_band", "gender", "deprivation_decile"]


@pytest.fixture(scope="module")
def frozen(frozen_split):
    return frozen_split


def value(df: pl.DataFrame, measure: str) -> float:
    return df.filter(pl.col("measure") == measure)["value"][0]


def test_exact_matches_by_hand():
    real = pl.DataFrame({"a": [1, 2, None], "b": ["x", "y", "z"]})
    syn = pl.DataFrame({"a": [1, 1, None, 5], "b": ["x", "y", "z", "x"]})
    out = pv.exact_matches(real, syn)
    # (1, x) and (None, z) are real rows; (1, y) and (5, x) are not
    assert value(out, "exact_matches") == 2 and value(out, "exact_match_share") == 0.5


def test_replicated_uniques_by_hand():
    real = pl.DataFrame({"k": ["a", "b", "c", "c", "d"]})
    syn = pl.DataFrame({"k": ["a", "c", "d", "d", "e"]})
    out = pv.replicated_uniques(real, syn, ["k"])
    # original uniques a, b, d; synthetic uniques a, c, e; of those in the original: a, c;
    # replicated (unique in both): a, 1 of 5 real records
    assert out.columns == ["measure", "column", "value"]
    assert dict(zip(out["measure"], out["value"])) == {
        "uniques_real": 3, "uniques_synthetic": 3, "synthetic_uniques_in_real": 2, "replicated_uniques": 1,
        "replicated_uniques_percent": 20.0}
    assert out["column"].to_list() == ["k"] * 5
    two = pv.replicated_uniques(real.with_columns(j=pl.lit("x")), syn.with_columns(j=pl.lit("x")), ["k", "j"])
    assert two["column"].unique().to_list() == ["k x j"] and two["value"].equals(out["value"])


def test_disclosure_by_hand():
    # key -> target; training: k1 always "yes" (2 records), k2 mixed, k3 "no" (1 record)
    real = pl.DataFrame({"k": ["k1", "k1", "k2", "k2", "k3"], "t": ["yes", "yes", "yes", "no", "no"]})
    # synthetic: k1 always "yes" (correct for both k1 records), k3 always "yes" (wrong), no k2
    syn = pl.DataFrame({"k": ["k1", "k3", "k3"], "t": ["yes", "yes", "yes"]})
    out = pv.disclosure(real, syn, ["k"], "t")
    assert out.columns == ["measure", "column", "value"] and out["column"].to_list() == ["t"] * 10
    assert out["measure"].to_list() == ["UiO", "UiS", "UiOiS", "repU", "Dorig", "Dsyn", "iS", "DiS", "DiSCO", "DiSDiO"]
    assert value(out, "UiO") == 20.0  # k3
    assert value(out, "Dorig") == 60.0  # k1 (2) and k3 (1) disclose their target in the training data
    assert value(out, "iS") == 60.0  # k1 and k3 appear in the synthetic data
    assert value(out, "DiS") == 60.0
    assert value(out, "DiSCO") == 40.0  # only the two k1 records are disclosed correctly
    assert value(out, "DiSDiO") == 40.0
    assert value(out, "repU") == 0.0  # k3 is unique in training but twice in synthetic


def test_dcr_baselines(frozen):
    real, syn, holdout = frozen
    independent = pv.dcr(real, syn, holdout, seed=1)
    assert 0.45 < value(independent, "share_closer_to_training") < 0.55
    assert 0.45 < value(independent, "membership_auc") < 0.56
    copied = pv.dcr(real, real, holdout, seed=1)
    assert value(copied, "share_closer_to_training") == 1.0 and value(copied, "share_dcr_zero") == 1.0
    assert value(copied, "membership_auc") == 1.0
    assert pv.dcr(real, syn, holdout, max_records=300, seed=3).equals(pv.dcr(real, syn, holdout, max_records=300, seed=3))


def test_dcr_by_hand_on_three_records():
    # Gower distance: (|x - x'| / 10 + [c != c']) / 2, the range 0..10 from training and holdout
    real = pl.DataFrame({"x": [0.0, 4.0, 10.0], "c": ["a", "b", "a"]})
    holdout = pl.DataFrame({"x": [2.0, 8.0, 6.0], "c": ["b", "b", "a"]})
    syn = pl.DataFrame({"x": [0.0, 5.0, 9.0], "c": ["a", "a", "b"]})
    d = pv.dcr_distances(real, syn, holdout)
    # (0, a): 0 to (0, a), 0.3 to (6, a); (5, a): 0.25 to (0, a) and (10, a), 0.05 to (6, a);
    # (9, b): 0.25 to (4, b), 0.05 to (8, b)
    assert d["dcr_training"].to_list() == pytest.approx([0.0, 0.25, 0.25], abs=1e-15)
    assert d["dcr_holdout"].to_list() == pytest.approx([0.3, 0.05, 0.05], abs=1e-15)
    out = pv.dcr(real, syn, holdout)
    assert value(out, "share_closer_to_training") == pytest.approx(1 / 3)
    assert value(out, "median_dcr_training") == pytest.approx(0.25) and value(out, "share_dcr_zero") == pytest.approx(1 / 3)
    # membership: training records lie 0, 0.25, 0.25 from the synthetic data, holdout records
    # 0.35, 0.05, 0.05; the score -distance ranks a training record above a holdout one in 5 of 9 pairs
    assert value(out, "membership_auc") == pytest.approx(5 / 9)


def test_gower_distance_by_hand():
    a = pl.DataFrame({"x": [0.0], "c": ["p"]})
    b = pl.DataFrame({"x": [5.0], "c": ["q"]})
    ref = pl.DataFrame({"x": [0.0, 10.0], "c": ["p", "q"]})
    fa, fb = pv.gower_features([a, b], ref)
    # (|0 - 5| / 10 + 1) / 2 columns = 0.75
    assert np.abs(fa - fb).sum() / 2 == pytest.approx(0.75)


def test_bad_input(frozen):
    real, syn, holdout = frozen
    with pytest.raises(SynthSpectrumError, match="real data has no column 'nope'"):
        pv.disclosure(real, syn, ["nope"], "admitted")
    with pytest.raises(SynthSpectrumError, match="target 'gender' is also a key"):
        pv.disclosure(real, syn, ["gender"], "gender")
    with pytest.raises(SynthSpectrumError, match="at least one key"):
        pv.replicated_uniques(real, syn, [])
    with pytest.raises(SynthSpectrumError, match="different columns"):
        pv.dcr(real, syn, holdout.drop("gender"))


# --- agreement with synthpop, on frozen frames ----------------------------------------------

def _r(code: str, real: pl.DataFrame, syn: pl.DataFrame) -> list[float]:
    from synthspectrum.errors import RNotAvailableError

    try:
        from synthspectrum.synthpop import require_synthpop, rinterface, to_r

        require_synthpop()
    except RNotAvailableError as exc:
        pytest.skip(f"synthpop not available: {exc}")
    ri = rinterface()
    ri.globalenv["real"] = to_r(real)[0]
    ri.globalenv["syn"] = to_r(syn)[0]
    # a synds object around the frozen synthetic frame, so that synthpop measures exactly it
    setup = ("suppressMessages(library(synthpop)); "
             "s <- list(syn = syn, m = 1, n = nrow(real), k = nrow(syn), "
             "method = setNames(rep('cart', ncol(syn)), names(syn)), cont.na = NULL); class(s) <- 'synds'; ")
    return [float(x) for x in ri.evalr(setup + f"as.numeric(unlist({code}))")]


def test_replicated_uniques_equal_synthpop(frozen):
    real, syn, _ = frozen
    ours = pv.replicated_uniques(real, syn, KEYS)
    theirs = _r('replicated.uniques(s, real, keys = c("age_band", "gender", "deprivation_decile"))$res_tab', real, syn)
    version = tuple(int(v) for v in _r('unlist(packageVersion("synthpop"))', real, syn))
    # res_tab: 4 counts, 4 denominators, 4 percentages (column-major). synthpop's denominators:
    # n, k, n, n from 1.9-3 on (ours); n, k, k, k in 1.9-0 to 1.9-2
    n, k = real.height, syn.height
    totals = [n, k, n, n] if version >= (1, 9, 3) else [n, k, k, k]
    counts = [value(ours, m) for m in ["uniques_real", "uniques_synthetic", "synthetic_uniques_in_real",
                                       "replicated_uniques"]]
    assert theirs[:4] == counts and theirs[4:8] == totals
    assert theirs[8:] == pytest.approx([round(100 * x / t, 2) for x, t in zip(counts, totals)])
    # our percentage is synthpop >= 1.9-3's: replicated over the real records, rounded as synthpop rounds
    assert value(ours, "replicated_uniques_percent") == round(100 * counts[3] / n, 2)
    if version >= (1, 9, 3):
        assert value(ours, "replicated_uniques_percent") == pytest.approx(theirs[11])
    assert ours["column"].unique().to_list() == [" x ".join(KEYS)]


@pytest.mark.parametrize("target", ["admitted", "treatment", "hospital"])
def test_disclosure_equals_synthpop(frozen, target):
    real, syn, _ = frozen
    ours = pv.disclosure(real, syn, KEYS, target)
    code = f'disclosure(s, real, keys = c("age_band", "gender", "deprivation_decile"), target = "{target}", print.flag = FALSE)'
    ident = _r(f"{code}$ident", real, syn)
    attrib = _r(f"{code}$attrib", real, syn)
    assert [value(ours, m) for m in ["UiO", "UiS", "UiOiS", "repU"]] == pytest.approx(ident)
    names = ["Dorig", "Dsyn", "iS", "DiS", "DiSCO", "DiSDiO"]  # attrib's further columns (max_denom, mean_denom) are not twin measures
    assert [value(ours, m) for m in names] == pytest.approx(attrib[:6])
    assert ours["measure"].to_list() == ["UiO", "UiS", "UiOiS", "repU", *names]


def test_dcr_distances_agree_with_the_measures(frozen):
    real, syn, holdout = frozen
    rows, dist = pv.dcr(real, syn, holdout, max_records=400, seed=2, return_distances=True)
    assert dist.equals(pv.dcr_distances(real, syn, holdout, max_records=400, seed=2))
    assert value(rows, "median_dcr_training") == pytest.approx(dist["dcr_training"].median())


@pytest.mark.parametrize("call", [
    lambda r, s: pv.replicated_uniques(r, s, ["age_band", "nope"]),
    lambda r, s: pv.disclosure(r, s, ["age_band"], "nope"),
    lambda r, s: pv.disclosure(r, s, ["nope"], "admitted"),
])
def test_a_missing_key_or_target_is_a_column_error_as_everywhere(frozen_split, call):
    from synthspectrum.errors import ColumnError

    real, syn, _ = frozen_split
    with pytest.raises(ColumnError, match="real data has no column 'nope'"):
        call(real, syn)


def test_copied_values_counts_real_identifiers_in_otherwise_new_records():
    from synthspectrum.measures.privacy import copied_values

    real = pl.DataFrame({"id": [f"P{i}" for i in range(100)], "note": [f"visit {i}" for i in range(100)],
                         "x": [1, 2] * 50})
    # by hand: ids P90..P99 are real (10 of 100); notes: 'visit 0' and 'visit 1' are real, 2 of the 3
    # non-missing values; x repeats real values by nature and is no identifier: not measured
    syn = pl.DataFrame({"id": [f"P{i}" for i in range(90, 190)], "note": ["visit 0", "visit 1", "new"] + [None] * 97,
                        "x": [2, 1] * 50})
    out = {(m, c): v for m, c, v in copied_values(real, syn).iter_rows()}
    assert out == {("copied_values", "id"): 10.0, ("copied_value_share", "id"): 0.1,
                   ("copied_values", "note"): 2.0, ("copied_value_share", "note"): pytest.approx(2 / 3)}
    assert copied_values(real, syn, columns=["x"])["value"].to_list() == [100.0, 1.0]
    assert copied_values(real.drop("id", "note"), syn.drop("id", "note")).height == 0
    numbered = real.with_columns(pl.int_range(1, 101).alias("record_no"))  # a record number: by construction
    assert copied_values(numbered, syn.with_columns(pl.int_range(1, 101).alias("record_no"))).equals(copied_values(real, syn))
