"""A first, per-column comparison of real and synthetic data (marginal utility).

For each column shared by both frames:

* numeric, date and datetime columns: the two-sample Kolmogorov-Smirnov statistic
  ``D = max_x |F_real(x) - F_syn(x)|`` over the non-missing values (Massey 1951; as
  ``scipy.stats.ks_2samp`` computes it), and the means;
* categorical, text and boolean columns: the total variation distance
  ``TVD = 1/2 * sum_c |p_real(c) - p_syn(c)|`` between the category shares;
* every column: the share of missing values in each frame.

``distance`` is 0 for identical marginals and 1 for marginals with no overlap; SDMetrics
reports ``1 - distance`` as KSComplement / TVComplement. Only aggregates are reported, never
a record.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.frames import is_categorical, to_polars


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample KS statistic D = sup |F_a - F_b| of two 1-d arrays (no missing values)."""
    a, b = np.sort(np.asarray(a, dtype=float)), np.sort(np.asarray(b, dtype=float))
    if a.size == 0 or b.size == 0:
        return float("nan")
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / a.size
    fb = np.searchsorted(b, grid, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def tv_distance(a: pl.Series, b: pl.Series) -> float:
    """Total variation distance 1/2 * sum |p_a - p_b| between category shares (missing excluded)."""
    pa = a.drop_nulls().cast(pl.String).value_counts(normalize=True, name="p")
    pb = b.drop_nulls().cast(pl.String).value_counts(normalize=True, name="p")
    if pa.height == 0 or pb.height == 0:
        return float("nan")
    name = pa.columns[0]
    joined = pa.join(pb.rename({pb.columns[0]: name}), on=name, how="full", coalesce=True).fill_null(0.0).sort(name)
    return float(0.5 * (joined["p"] - joined["p_right"]).abs().sum())


def _numeric(s: pl.Series) -> np.ndarray:
    s = s.drop_nulls()
    if s.dtype.is_temporal():
        s = s.to_physical()
    return s.cast(pl.Float64).to_numpy()


def compare_marginals(real: Any, synthetic: Any) -> pl.DataFrame:
    """Per-column KS / TVD distances and missing shares (polars frame; see the module docstring)."""
    r, _ = to_polars(real, "real data")
    s, _ = to_polars(synthetic, "synthetic data")
    shared = [c for c in r.columns if c in s.columns]
    if not shared:
        raise SynthSpectrumError("the real and synthetic frames share no column")
    rows = []
    for c in shared:
        a, b = r.get_column(c), s.get_column(c)
        row: dict[str, Any] = {"column": c, "missing_real": a.null_count() / max(a.len(), 1),
                               "missing_synthetic": b.null_count() / max(b.len(), 1),
                               "mean_real": None, "mean_synthetic": None}
        if (a.dtype.is_numeric() or a.dtype.is_temporal()) and a.dtype != pl.Boolean and not is_categorical(a.dtype):
            if not (b.dtype.is_numeric() or b.dtype.is_temporal()):
                raise SynthSpectrumError(f"is {a.dtype} in the real data but {b.dtype} in the synthetic data", c)
            x, y = _numeric(a), _numeric(b)
            row.update(measure="KS", distance=ks_statistic(x, y))
            if a.dtype.is_numeric():
                row.update(mean_real=float(x.mean()) if x.size else None,
                           mean_synthetic=float(y.mean()) if y.size else None)
        else:
            row.update(measure="TVD", distance=tv_distance(a, b))
        rows.append(row)
    return pl.DataFrame(rows).select(
        "column", "measure", "distance", "missing_real", "missing_synthetic", "mean_real", "mean_synthetic"
    )
