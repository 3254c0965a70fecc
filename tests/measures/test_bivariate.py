"""Associations from the well-kept libraries (scikit-learn's NMI, scipy's Cramer's V) give the
numbers of their textbook formulas: by hand on a 2 x 3 table, and on every pair of the frozen data."""

import math
from itertools import combinations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from synthspectrum.measures import bivariate
from synthspectrum.measures import utility as ut

# the 2 x 3 table  x\y  p  q  r
#                   a   3  1  0
#                   b   1  2  3
CELLS = {("a", "p"): 3, ("a", "q"): 1, ("b", "p"): 1, ("b", "q"): 2, ("b", "r"): 3}


def table_frame() -> pl.DataFrame:
    rows = [k for k, n in CELLS.items() for _ in range(n)]
    return pl.DataFrame({"x": [a for a, _ in rows], "y": [b for _, b in rows]})


def test_two_by_three_by_hand():
    out = ut.associations(table_frame())
    got = dict(zip(out["measure"], out["value"]))
    # expected counts (row total x column total / 10): a 1.6 1.2 1.2, b 2.4 1.8 1.8
    chi2 = ((3 - 1.6) ** 2 / 1.6 + (1 - 1.2) ** 2 / 1.2 + (0 - 1.2) ** 2 / 1.2
            + (1 - 2.4) ** 2 / 2.4 + (2 - 1.8) ** 2 / 1.8 + (3 - 1.8) ** 2 / 1.8)
    assert chi2 == pytest.approx(295 / 72, abs=1e-14)
    assert got["CramersV"] == pytest.approx(math.sqrt(59) / 12, abs=1e-12)  # sqrt(chi2 / (10 (2 - 1)))
    ln = math.log
    mi = (0.3 * ln(0.3 / (0.4 * 0.4)) + 0.1 * ln(0.1 / (0.4 * 0.3)) + 0.1 * ln(0.1 / (0.6 * 0.4))
          + 0.2 * ln(0.2 / (0.6 * 0.3)) + 0.3 * ln(0.3 / (0.6 * 0.3)))
    hx = -(0.4 * ln(0.4) + 0.6 * ln(0.6))
    hy = -(0.4 * ln(0.4) + 2 * 0.3 * ln(0.3))
    assert got["NMI"] == pytest.approx(mi / math.sqrt(hx * hy), abs=1e-12)


def reference_nmi(t: np.ndarray) -> float:
    """The formula as the package computed it before it used scikit-learn."""
    p = t / t.sum()
    px, py = p.sum(1), p.sum(0)
    hx, hy = -np.sum(px[px > 0] * np.log(px[px > 0])), -np.sum(py[py > 0] * np.log(py[py > 0]))
    if hx == 0 or hy == 0:
        return 0.0
    nz = p > 0
    return float(max(0.0, np.sum(p[nz] * np.log(p[nz] / np.outer(px, py)[nz]))) / np.sqrt(hx * hy))


def reference_cramers_v(t: np.ndarray) -> float:
    if min(t.shape) < 2:
        return 0.0
    return float(np.sqrt(stats.chi2_contingency(t, correction=False).statistic / t.sum() / (min(t.shape) - 1)))


def test_every_frozen_pair_equals_the_formulas(frozen_split):
    real, syn, _ = frozen_split
    diff = ut.association_difference(real, syn)
    measured = {(r["column_a"], r["column_b"], r["measure"], side): r[side]
                for r in diff.iter_rows(named=True) for side in ("real", "synthetic")}
    checked = 0
    for side, frame in (("real", real), ("synthetic", syn)):
        codes = {c: bivariate._dense(bivariate._codes(frame.get_column(c), 10)) for c in frame.columns}
        for a, b in combinations(frame.columns, 2):
            t = bivariate._table(*codes[a], *codes[b]).astype(float)
            assert measured[(a, b, "NMI", side)] == pytest.approx(reference_nmi(t), abs=1e-12), (a, b)
            if (a, b, "CramersV", side) in measured:
                assert measured[(a, b, "CramersV", side)] == pytest.approx(reference_cramers_v(t), abs=1e-12), (a, b)
                checked += 1
    assert checked > 10  # the frozen data have many pairs of categories


def test_a_constant_column_is_associated_with_nothing():
    df = pl.DataFrame({"k": ["z"] * 6, "x": ["a", "b", "a", "b", "a", "a"], "y": ["p", "q", "p", "q", "p", "p"]})
    got = {(r["column_a"], r["column_b"], r["measure"]): r["value"] for r in ut.associations(df).iter_rows(named=True)}
    # scikit-learn alone would call two constant columns a perfect match; one constant column says nothing
    assert got[("k", "x", "NMI")] == 0.0 and got[("k", "x", "CramersV")] == 0.0
    assert got[("x", "y", "NMI")] == pytest.approx(1.0) and got[("x", "y", "CramersV")] == pytest.approx(1.0)


def test_nmi_from_the_table_equals_scikit_learns_one_call_form():
    from sklearn.metrics import normalized_mutual_info_score

    from synthspectrum.measures.bivariate import _nmi

    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, 3000)
    y = (x + rng.integers(0, 3, 3000)) % 4
    assert _nmi((x, 6), (y, 4)) == pytest.approx(normalized_mutual_info_score(x, y, average_method="geometric"),
                                                abs=1e-14)
