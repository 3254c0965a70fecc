import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp

from synthspectrum.compare import compare_marginals, ks_statistic, tv_distance
from synthspectrum.errors import SynthSpectrumError


def test_ks_by_hand():
    assert ks_statistic([1, 2, 3], [1, 2, 3]) == 0
    assert ks_statistic([1, 2, 3], [4, 5, 6]) == 1
    # F_a(2) = 1/2 while F_b(2) = 0; the gap closes at 6
    assert ks_statistic([1, 2, 3, 4], [3, 4, 5, 6]) == 0.5


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=40), st.lists(st.integers(-5, 5), min_size=1, max_size=40))
def test_ks_equals_scipy(a, b):
    assert ks_statistic(np.array(a), np.array(b)) == pytest.approx(ks_2samp(a, b).statistic)


def test_tvd_by_hand():
    a = pl.Series(["x", "x", "y", "y", None])
    b = pl.Series(["x", "x", "x", "y"])
    # 1/2 * (|1/2 - 3/4| + |1/2 - 1/4|) = 1/4
    assert tv_distance(a, b) == pytest.approx(0.25)
    assert tv_distance(a, pl.Series(["z"])) == pytest.approx(1.0)


def test_compare_marginals():
    real = pl.DataFrame({"n": [1, 2, 3, 4], "c": ["a", "a", "b", None]})
    syn = pl.DataFrame({"n": [3, 4, 5, 6], "c": ["a", "b", "b", "b"]})
    out = compare_marginals(real, syn)
    assert out["measure"].to_list() == ["KS", "TVD"]
    # KS: 0.5 as in test_ks_by_hand; TVD over non-missing: 1/2 (|2/3 - 1/4| + |1/3 - 3/4|) = 5/12
    assert out["distance"].to_list() == pytest.approx([0.5, 5 / 12])
    assert out["missing_real"].to_list() == [0, 0.25]
    assert compare_marginals(real, real)["distance"].to_list() == [0, 0]
    with pytest.raises(SynthSpectrumError, match="share no column"):
        compare_marginals(real, pl.DataFrame({"z": [1]}))
    with pytest.raises(SynthSpectrumError, match="column 'n'"):
        compare_marginals(real, syn.with_columns(pl.col("n").cast(pl.String)))
