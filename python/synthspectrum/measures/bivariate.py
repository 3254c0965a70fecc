"""Bivariate utility: pairwise associations in one frame, and their difference between two.

Normalised mutual information for every pair, Spearman's rho for two numbers, Cramer's V for
two categories; numbers cut into quantile bins for the mutual information, a missing value a
value of its own. Bounded (see :mod:`synthspectrum.measures.bounds`): identifier-like columns
left out, many-level columns grouped, at most MAX_ASSOCIATION_COLUMNS columns. Returns one
number per pair of columns, no record value.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import polars as pl
from scipy import stats
from scipy.stats.contingency import association

from synthspectrum.core.columns import MAX_LEVELS, MISSING, as_number, identifier_columns, kind
from synthspectrum.core.columns import labels as as_labels
from synthspectrum.core.frames import to_polars
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.core.pair import check_pair
from synthspectrum.measures.bounds import (MAX_ASSOCIATION_COLUMNS, MIN_LEVEL_COUNT, apply_plan, identifier_notes,
                                           level_plan, note)


def _codes(s: pl.Series, bins: int, keep: set[str] | None = None) -> np.ndarray:
    """Integer codes of a column: categories as they are (levels outside ``keep`` pooled), numbers
    in quantile bins; missing is a code."""
    if kind(s.dtype) == "numeric":
        x = as_number(s).to_numpy()
        finite = x[~np.isnan(x)]
        if finite.size == 0:
            return np.zeros(len(x), dtype=np.int64)
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
        out = np.searchsorted(edges, np.nan_to_num(x, nan=np.inf), side="right")
        return np.where(np.isnan(x), len(edges) + 1, out)
    labels, _ = apply_plan(as_labels(s), keep)
    return labels.rank("dense").cast(pl.Int64).to_numpy()


def _table(xi: np.ndarray, nx: int, yi: np.ndarray, ny: int) -> np.ndarray:
    """Contingency table (integer counts) of two dense code arrays (0..nx-1, 0..ny-1)."""
    return np.bincount(xi * ny + yi, minlength=nx * ny).reshape(nx, ny)


def _dense(x: np.ndarray) -> tuple[np.ndarray, int]:
    levels, xi = np.unique(x, return_inverse=True)
    return xi.ravel(), len(levels)


def _nmi(a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> float:
    """Normalised mutual information NMI = I(X;Y) / sqrt(H(X) H(Y)) of two dense code arrays, as
    scikit-learn's ``normalized_mutual_info_score(average_method="geometric")`` (Strehl & Ghosh
    2002), natural logarithms:

        I(X;Y) = sum_xy p_xy log(p_xy / (p_x p_y)),   H(X) = -sum_x p_x log p_x,

    over the non-empty cells of the contingency table (counted once with ``bincount``), p = count / n.
    Written out from the table rather than called from scikit-learn and scipy: their argument
    checks cost about 1.4 ms a pair, most of the association matrices' time on a spectrum's set
    of 3,333 records; tests/measures/test_bivariate.py holds it to scikit-learn's value to 1e-12.
    0 when either column is constant: sklearn calls two constant columns a perfect match (1), but
    neither says anything about the other."""
    (xi, nx), (yi, ny) = a, b
    if nx < 2 or ny < 2:
        return 0.0
    joint = _table(xi, nx, yi, ny)
    n = float(joint.sum())
    px, py = joint.sum(axis=1) / n, joint.sum(axis=0) / n
    hx, hy = _entropy(px), _entropy(py)
    if hx == 0 or hy == 0:
        return 0.0
    rows, cols = np.nonzero(joint)
    pxy = joint[rows, cols] / n
    mi = float(np.sum(pxy * (np.log(pxy) - np.log(px[rows] * py[cols]))))
    return float(max(mi, 0.0) / np.sqrt(hx * hy))


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def _cramers_v(table: np.ndarray) -> float:
    """Cramer's V = sqrt(chi2 / (n (min(r, c) - 1))) of a contingency table without empty rows or
    columns, without continuity correction (Cramer 1946): scipy's
    ``scipy.stats.contingency.association(method="cramer")``. 0 for a table of one row or column."""
    if min(table.shape) < 2:
        return 0.0
    return float(association(table, method="cramer", correction=False))


def _spearman(x: np.ndarray, y: np.ndarray, rx: np.ndarray | None, ry: np.ndarray | None) -> float:
    """Spearman's rho over the records where both are present (NaN if fewer than 3 or one is
    constant): scipy's spearmanr, with the ranks of complete columns computed once."""
    if rx is None or ry is None:
        keep = ~(np.isnan(x) | np.isnan(y))
        x, y = x[keep], y[keep]
        if x.size <= 2 or (x[0] == x).all() or (y[0] == y).all():
            return float("nan")
        return float(stats.spearmanr(x, y).statistic)
    if x.size <= 2 or (x[0] == x).all() or (y[0] == y).all():
        return float("nan")
    return float(np.corrcoef(np.column_stack((rx, ry)), rowvar=False)[1, 0])  # the element spearmanr returns


_ASSOC_SCHEMA = {"column_a": pl.String, "column_b": pl.String, "measure": pl.String, "value": pl.Float64}


def _association_plan(ref: pl.DataFrame, max_levels: int, max_columns: int
                      ) -> tuple[list[str], dict[str, set[str] | None], dict[str, set[str]], list[dict[str, Any]]]:
    """Which columns of ``ref`` (the real data) enter the association matrices, how their levels
    are grouped, and the notes (rows with ``column_a``; each also a warning)."""
    ids = identifier_columns(ref, max_levels)
    notes = identifier_notes(ids, ref.height, "the association matrices")
    cols = [c for c in ref.columns if c not in ids]
    over = cols[max_columns:]
    if over:
        note("left_out_over_cap", None, 0, f"{len(over)} columns left out of the association matrices "
              f"(at most the first {max_columns} are paired): {', '.join(map(repr, over[:5]))}"
              + (f" and {len(over) - 5} more" if len(over) > 5 else ""))
    notes += [{"measure": "left_out_over_cap", "column": c, "value": float(j)}
              for j, c in enumerate(over, start=max_columns)]
    cols = cols[:max_columns]
    plans: dict[str, set[str] | None] = {}
    present: dict[str, set[str]] = {}
    for c in cols:
        if kind(ref.get_column(c).dtype) == "categorical":
            labels = as_labels(ref.get_column(c))
            plans[c] = level_plan(labels, max_levels, MIN_LEVEL_COUNT)
            if plans[c] is None:
                present[c] = set(labels.unique().to_list())
            else:
                n = labels.n_unique() - len(plans[c]) - (1 if labels.is_in([MISSING]).any() else 0)
                notes.append(note("levels_grouped", c, n, f"column {c!r}: {n} levels held by few records pooled "
                                   f"into one level in the association matrices (at most {max_levels} levels)"))
    return cols, plans, present, [{"column_a": n["column"], "column_b": None, "measure": n["measure"],
                                   "value": n["value"]} for n in notes]


def _associations(d: pl.DataFrame, bins: int, cols: list[str], plans: dict[str, set[str] | None],
                  present: dict[str, set[str]], max_levels: int) -> list[dict[str, Any]]:
    codes = {}
    for c in cols:
        keep = plans.get(c)
        if keep is None and c in present and d.get_column(c).n_unique() > max_levels:
            keep = present[c]  # a frame with far more levels than the real data: bounded by the real levels
        codes[c] = _dense(_codes(d.get_column(c), bins, keep))
    # each column's kind once: polars builds DataFrame.schema afresh at every call (0.3 ms on 200
    # columns, 5 of the 8 s of 4,950 pairs when it was asked per pair)
    kinds = {c: kind(dtype) for c, dtype in d.schema.items()}
    numbers = {c: as_number(d.get_column(c)).to_numpy() for c in cols if kinds[c] == "numeric"}
    # ranks of complete columns once: spearmanr ranks each column and takes np.corrcoef of the ranks
    ranks = {c: stats.rankdata(x) for c, x in numbers.items() if not np.isnan(x).any()}
    rows = []
    for a, b in combinations(cols, 2):
        rows.append({"column_a": a, "column_b": b, "measure": "NMI", "value": _nmi(codes[a], codes[b])})
        ka, kb = kinds[a], kinds[b]
        if ka == kb == "numeric":
            rows.append({"column_a": a, "column_b": b, "measure": "Spearman",
                         "value": _spearman(numbers[a], numbers[b], ranks.get(a), ranks.get(b))})
        elif ka == kb == "categorical":
            rows.append({"column_a": a, "column_b": b, "measure": "CramersV",
                         "value": _cramers_v(_table(*codes[a], *codes[b]))})
    return rows


def associations(df: Any, bins: int = 10, max_levels: int = MAX_LEVELS,
                 max_columns: int = MAX_ASSOCIATION_COLUMNS) -> pl.DataFrame:
    """Pairwise associations of one frame: normalised mutual information for every pair, plus
    Spearman's rho for two numeric columns or Cramer's V for two categorical ones.

    NMI = I(X;Y) / sqrt(H(X) H(Y)) (scikit-learn's ``normalized_mutual_info_score``, geometric
    mean); Cramer's V = sqrt(chi2 / (n (min(r, c) - 1))) (Cramer 1946; scipy's
    ``contingency.association``, no continuity correction). Numbers are cut into ``bins`` quantile bins for the mutual information; a
    missing value is a value of its own. Tidy polars frame: column_a, column_b, measure, value.
    Bounded (see :mod:`synthspectrum.measures.bounds`): identifier-like columns left out, columns with more than
    ``max_levels`` levels grouped, at most ``max_columns`` columns; rows with ``column_a`` set,
    ``column_b`` empty and a measure in :data:`LEFT_OUT_MEASURES` say so.
    """
    d, _ = to_polars(df)
    d, _ = clean_numbers(d)
    cols, plans, present, notes = _association_plan(d, max_levels, max_columns)
    rows = _associations(d, bins, cols, plans, present, max_levels) + notes
    return pl.DataFrame(rows, schema=_ASSOC_SCHEMA)


def association_difference(real: Any, synthetic: Any, bins: int = 10, max_levels: int = MAX_LEVELS,
                           max_columns: int = MAX_ASSOCIATION_COLUMNS) -> pl.DataFrame:
    """:func:`associations` of both frames side by side, with ``difference = synthetic - real``.

    The columns, and the grouping of many-level columns, are decided on the real data and
    applied to both; the rows on what was left out (``difference`` empty) come once.
    """
    r, s = check_pair(real, synthetic)
    cols, plans, present, notes = _association_plan(r, max_levels, max_columns)
    key = ["column_a", "column_b", "measure"]
    a = pl.DataFrame(_associations(r, bins, cols, plans, present, max_levels), schema=_ASSOC_SCHEMA).rename({"value": "real"})
    b = pl.DataFrame(_associations(s, bins, cols, plans, present, max_levels), schema=_ASSOC_SCHEMA).rename({"value": "synthetic"})
    out = a.join(b, on=key, how="left").with_columns((pl.col("synthetic") - pl.col("real")).alias("difference"))
    left = pl.DataFrame(notes, schema=_ASSOC_SCHEMA).select(*key, pl.col("value").alias("real"),
                                                            pl.col("value").alias("synthetic"),
                                                            pl.lit(None, dtype=pl.Float64).alias("difference"))
    return pl.concat([out, left])
