"""Table utility: the cross-table of chosen variables in the real and the synthetic data.

synthpop's ``utility.tab``. For the cross-table with real counts d and synthetic counts s over
the non-empty cells, c = sum s / sum(s + d): VW = sum (s - d c/(1-c))^2 / ((s + d) c), the
Voas-Williamson statistic; S_pMSE = S_VW = VW / df with df = cells - 1;
pMSE = VW c (1-c)^2 / N; FT = 4 sum (sqrt s - sqrt(c/(1-c) d))^2 (Freeman-Tukey), S_FT = FT / df;
JSD the Jensen-Shannon divergence (base 2) of the two cell distributions and
S_JSD = 2 N JSD / (df ln 2). :func:`cell_counts` returns the counts per cell, and with them
the combinations of values present in the real data: it is for computing, not for publishing
as it is; :func:`utility_tab` returns the statistics only.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.core.columns import as_number, kind
from synthspectrum.core.pair import check_pair
from synthspectrum.core.tidy import measure_frame
from synthspectrum.errors import SynthSpectrumError


def _group_numeric(real: np.ndarray, syn: np.ndarray, ngroups: int) -> tuple[np.ndarray, np.ndarray]:
    """synthpop's group_num: quantile breaks (R type 7) of real and synthetic values together,
    intervals closed on the left, the last one closed; 'equal' breaks if fewer than 3 groups."""
    both = np.concatenate([real[~np.isnan(real)], syn[~np.isnan(syn)]])
    if both.size == 0:
        raise SynthSpectrumError("a variable has only missing values")

    def cut(breaks: np.ndarray, x: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(breaks, x, side="right") - 1
        idx = np.clip(idx, 0, len(breaks) - 2).astype(float)
        idx[np.isnan(x)] = np.nan
        return idx

    breaks = np.unique(np.quantile(both, np.linspace(0, 1, ngroups + 1)))
    if len(breaks) < 2:
        return np.where(np.isnan(real), np.nan, 0.0), np.where(np.isnan(syn), np.nan, 0.0)
    gr = cut(breaks, real)
    if len(np.unique(gr[~np.isnan(gr)])) < 3:
        breaks = np.unique(np.linspace(both.min(), both.max(), ngroups + 1))
        gr = cut(breaks, real)
    return gr, cut(breaks, syn)


def cell_counts(real: Any, synthetic: Any, vars: Sequence[str], ngroups: int = 5) -> pl.DataFrame:
    """Counts of the cross-table of ``vars`` in both frames (numbers grouped as synthpop does);
    a missing value is a category. Columns: the vars, ``real``, ``synthetic``."""
    r, s = check_pair(real, synthetic, vars)
    # grouped and joined under neutral names (v0, v1...): polars reads a name like "^a.*$" as a
    # pattern, and would group by whatever columns it matched
    names = [f"v{i}" for i in range(len(vars))]
    cols_r, cols_s = [], []
    for c, n in zip(vars, names):
        a, b = r.get_column(c).alias(n), s.get_column(c).alias(n)
        if kind(a.dtype) == "numeric":
            ga, gb = _group_numeric(as_number(a).to_numpy(), as_number(b).to_numpy(), ngroups)
            cols_r.append(pl.Series(n, ga, nan_to_null=True))
            cols_s.append(pl.Series(n, gb, nan_to_null=True))
        else:
            cols_r.append(a.cast(pl.String))
            cols_s.append(b.cast(pl.String))
    tr = pl.DataFrame(cols_r).group_by(names).len("real")
    ts = pl.DataFrame(cols_s).group_by(names).len("synthetic")
    # sorted, so that sums over the cells run in one order and repeat to the last bit
    out = tr.join(ts, on=names, how="full", coalesce=True, nulls_equal=True) \
        .with_columns(pl.col("real").fill_null(0).cast(pl.Int64), pl.col("synthetic").fill_null(0).cast(pl.Int64)) \
        .sort(names, nulls_last=True)
    return out.rename(dict(zip(names, vars)))


def utility_tab(real: Any, synthetic: Any, vars: Sequence[str], ngroups: int = 5) -> pl.DataFrame:
    """Table utility of the cross-table of ``vars`` (see the module docstring), the twin of
    synthpop's ``utility.tab``: one row per statistic (``measure`` pMSE, S_pMSE, df, VW, S_VW, FT,
    S_FT, JSD, S_JSD; ``column`` the vars joined by " x "; ``value``)."""
    if not vars:
        raise SynthSpectrumError("name at least one variable for the table")
    counts = cell_counts(real, synthetic, vars, ngroups)
    td = counts["real"].to_numpy().astype(float)
    ts = counts["synthetic"].to_numpy().astype(float)
    df = len(td) - 1
    n = ts.sum() + td.sum()
    c = ts.sum() / n
    diff = ts - td * c / (1 - c)
    vw = float(np.sum(diff**2 / ((ts + td) * c)))
    ft = float(4 * np.sum((np.sqrt(ts) - np.sqrt(c / (1 - c) * td)) ** 2))
    pd_, ps = td / td.sum(), ts / ts.sum()
    half = (pd_ + ps) / 2
    def kl_part(p: np.ndarray) -> float:  # sum p log2(p / half) over the cells where p > 0
        nz = p > 0
        return float(np.sum(p[nz] * np.log2(p[nz] / half[nz])))

    jsd = kl_part(pd_) / 2 + kl_part(ps) / 2
    res = {
        "pMSE": vw * c * (1 - c) ** 2 / n, "S_pMSE": vw / df if df else float("nan"), "df": float(df),
        "VW": vw, "S_VW": vw / df if df else float("nan"), "FT": ft, "S_FT": ft / df if df else float("nan"),
        "JSD": jsd, "S_JSD": jsd * 2 * n / df / np.log(2) if df else float("nan"),
    }
    table = " x ".join(vars)
    return measure_frame({"measure": m, "column": table, "value": float(v)} for m, v in res.items())
