"""Utility measures: how much of the real data's information a synthetic frame keeps.

Every function takes the real and the synthetic frame (polars or pandas, same columns) and
returns a polars frame, one row per measure (and column or pair). Nothing returned holds a
record: only counts, shares, distances and model summaries.

Univariate (SDMetrics' definitions)
    KSComplement = 1 - D, D the two-sample Kolmogorov-Smirnov statistic on the non-missing
    values (numbers, dates); TVComplement = 1 - 1/2 sum_c |p_real(c) - p_syn(c)| (categories).
    1 is a perfect match, 0 no overlap.
General utility (Snoke, Raab, Nowok, Dibben & Slavkovic 2018, JRSS A 181(3); synthpop's
``utility.gen``)
    A propensity model tells synthetic (t = 1) from real (t = 0) records. With fitted
    propensities p_i over the N = n_real + n_syn records and c = n_syn / N:
    pMSE = 1/N sum_i (p_i - c)^2; for a logistic model with k parameters the null expectation
    is (k - 1)(1 - c)^2 c / N, and S_pMSE = pMSE / that expectation (about 1 for a synthesis
    the model cannot tell apart; larger is worse). SPECKS is the KS distance between the two
    groups' propensities, PO50 the percentage by which the model beats 50% accuracy, U the
    Mann-Whitney statistic and AUC = U / (n_syn n_real) the propensity AUC (0.5 is best).
Table utility (synthpop's ``utility.tab``)
    For the cross-table of chosen variables with real counts d and synthetic counts s over the
    non-empty cells, c = sum s / sum(s + d): VW = sum (s - d c/(1-c))^2 / ((s + d) c), the
    Voas-Williamson statistic; S_pMSE = S_VW = VW / df with df = cells - 1;
    pMSE = VW c (1-c)^2 / N; FT = 4 sum (sqrt s - sqrt(c/(1-c) d))^2 (Freeman-Tukey);
    JSD the Jensen-Shannon divergence (base 2) of the two cell distributions.
Out-of-sample discrimination (:func:`propensity_auc_cv`)
    the propensity AUC of out-of-fold scores (K stratified folds): about 0.5 for two samples of
    one distribution even where the in-sample AUC of :func:`utility_gen` saturates (small data).

Bounds. Every measure bounds its memory and time whatever the data (see the "bounds" section
below for the rules and constants): identifier-like columns are left out, categories with more
than 60 levels are grouped as synthpop's ``mergelevels.syn`` does, the propensity design and
the association pairs are capped. What was left out comes back as rows of the measure's own
frame (measure in :data:`LEFT_OUT_MEASURES`, the column's name and a count) and as a warning
naming the column; these disclose column names and counts of distinct values, no value. Where
no bound applies the numbers are exactly those of the unbounded measures (and of synthpop's).
Numbers no model can use (NaN, +-inf, magnitudes >= 1e15) are made missing first, with a
warning (:func:`synthspectrum.core.numbers.clean_numbers`, applied by :func:`check_pair`).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Sequence

import numpy as np
import polars as pl
from scipy import stats

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.core.columns import is_categorical
from synthspectrum.core.columns import MAX_LEVELS, MISSING, as_number, identifier_columns, kind
from synthspectrum.core.columns import labels as as_labels
from synthspectrum.core.frames import require_columns, to_polars
from synthspectrum.core.pair import check_pair
from synthspectrum.core.tidy import measure_frame


# --- bounds: what a measure leaves out, and why -----------------------------------------------
#
# Every measure bounds its memory and time by design, whatever the data, and says what it left
# out. The rules (constants below, keyword arguments where a measure takes them):
#
# * Identifier-like columns are left out of the propensity model, the association matrices and
#   the distance features: a text or category column with more than MAX_LEVELS distinct
#   values in the real data that are (nearly) all distinct (distinct / non-missing >=
#   IDENTIFIER_SHARE), and an integer column with more than MAX_LEVELS values, all distinct
#   and within fewer than 2n consecutive numbers (a record number). They would cost one
#   dummy per record (or pair records by their position) and say nothing about utility.
# * Many-level categories are grouped. synthpop's syn() refuses a predictor with more than
#   maxfaclevels = 60 levels, and its mergelevels.syn() merges the levels held by fewer than
#   minsize = 10 records into one (and, if that merged level still holds fewer than 10, adds
#   the next-smallest level to it). We follow it: a column with more than MAX_LEVELS levels
#   keeps the levels held by at least MIN_LEVEL_COUNT records (most frequent first, at most
#   MAX_LEVELS - 1 of them) and pools all others into one level; missing stays a level of its
#   own. A column with at most MAX_LEVELS levels is never touched, so such data give exactly
#   the numbers (and synthpop's) they always did.
# * The propensity design of N records is capped at min(MAX_PARAMS, N / RECORDS_PER_PARAM,
#   MAX_CELLS / N) columns (intercept, main effects, interactions), but never below the main
#   effects, which are themselves capped at MAX_PARAMS (whole columns in column order). So
#   memory is at most max(MAX_CELLS, N x MAX_PARAMS) numbers per copy of the design and an
#   IRLS step at most N x cap^2 operations. synthpop's utility.gen refuses a model with more
#   than max.params = 400 parameters and warns of one with more than N / 5; we keep the first
#   columns instead: main effects in column order, then whole interaction terms in R's order
#   (pairs before triples) until the first that does not fit, and say how many were dropped.
# * Association matrices use at most MAX_ASSOCIATION_COLUMNS columns (the first ones): at most
#   4,950 pairs, each on codes of at most MAX_LEVELS + 1 levels.
#
# What was left out comes back in the measure's own frame, as rows whose ``measure`` is one of
# LEFT_OUT_MEASURES, with the column it concerns and a count as ``value`` (no record value):
#   left_out_identifier  column, value = distinct values in the real data
#   left_out_over_cap    column, value = design columns (or pairs) it would have added
#   levels_grouped       column, value = levels pooled into one
#   interaction_columns_dropped   value = interaction design columns dropped
# :func:`left_out_sentences` turns such rows into plain sentences; each also gives a warning.

MIN_LEVEL_COUNT = 10  # synthpop's mergelevels.syn(minsize = 10)
MAX_PARAMS = 1000
MAX_CELLS = 20_000_000  # 160 MB per copy of the design in float64
RECORDS_PER_PARAM = 5  # synthpop's utility.gen warns of a model with more than N / 5 parameters
MAX_ASSOCIATION_COLUMNS = 100
LEFT_OUT_MEASURES = ("left_out_identifier", "left_out_over_cap", "levels_grouped", "interaction_columns_dropped")

_NOTE_SCHEMA = {"measure": pl.String, "column": pl.String, "value": pl.Float64}
_POOLED = "\x00pooled"


def _level_plan(labels: pl.Series, max_levels: int, min_count: int) -> set[str] | None:
    """The levels a many-level column keeps as they are (synthpop's rule above); None if it has
    at most ``max_levels`` levels and is left alone. ``labels``: text, missing as a level."""
    counts = labels.alias("v").value_counts(name="n")
    if counts.height <= max_levels:
        return None
    counts = counts.filter(pl.col("v") != MISSING).sort(["n", "v"], descending=[True, False])
    big = counts.filter(pl.col("n") >= min_count)
    pooled = int(counts["n"].sum() - big["n"].sum())
    if 0 < pooled < min_count and big.height:  # mergelevels.syn: a small pool takes the next-smallest level
        big = big.head(big.height - 1)
    return set(big.head(max_levels - 1)["v"].to_list())


def _apply_plan(labels: pl.Series, keep: set[str] | None) -> tuple[pl.Series, int]:
    """``labels`` with every level outside ``keep`` (missing excepted) pooled; and how many were."""
    if keep is None:
        return labels, 0
    keep = keep | {MISSING}
    inside = labels.is_in(list(keep))
    n = labels.filter(~inside).n_unique()
    return labels.zip_with(inside, pl.Series([_POOLED] * labels.len(), dtype=pl.String)), n


def _warn(message: str) -> None:
    """A UserWarning attributed to the first caller outside this package (the user's line)."""
    import os
    import sys
    import warnings

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the whole package
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the caller of this function
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, UserWarning, stacklevel=level)


def _note(measure: str, column: str | None, value: float, message: str | None = None) -> dict[str, Any]:
    if message:
        _warn(message)
    return {"measure": measure, "column": column, "value": float(value)}


def _identifier_notes(ids: dict[str, int], n_real: int, where: str) -> list[dict[str, Any]]:
    return [_note("left_out_identifier", c, n,
                  f"column {c!r} looks like an identifier or free text ({n} distinct values in {n_real} real "
                  f"records): left out of {where}") for c, n in ids.items()]


def left_out_sentences(frame: pl.DataFrame, what: str = "this measure") -> list[str]:
    """Plain sentences for the rows of ``frame`` whose measure is one of :data:`LEFT_OUT_MEASURES`
    (column names and counts only)."""
    if "measure" not in frame.columns:
        return []
    col = "column" if "column" in frame.columns else ("column_a" if "column_a" in frame.columns else None)
    val = "value" if "value" in frame.columns else ("real" if "real" in frame.columns else None)
    out = []
    for row in frame.filter(pl.col("measure").is_in(list(LEFT_OUT_MEASURES))).iter_rows(named=True):
        c, v = (row[col] if col else None), int(row[val]) if val and row[val] is not None else 0
        m = row["measure"]
        if m == "left_out_identifier":
            out.append(f"{c!r} left out of {what}: identifier-like ({v} distinct values)")
        elif m == "left_out_over_cap":
            out.append(f"{c!r} left out of {what}: over the size cap ({v} columns or pairs it would add)")
        elif m == "levels_grouped":
            out.append(f"{c!r}: {v} rare levels pooled into one in {what}")
        else:
            out.append(f"{v} interaction design columns dropped from {what} (size cap)")
    return out


# --- univariate ------------------------------------------------------------------------------

def univariate(real: Any, synthetic: Any) -> pl.DataFrame:
    """Per column: KS and KSComplement (numbers, dates) or TVD and TVComplement (categories),
    the missing-share difference and coverage.

    ``coverage`` is, for numbers, the share of the real range [min, max] that the synthetic
    range covers; for categories, the share of real categories that appear in the synthetic data.
    """
    r, s = check_pair(real, synthetic)
    rows = []
    for c in r.columns:
        a, b = r.get_column(c).alias("v"), s.get_column(c).alias("v")
        miss = abs(a.null_count() / a.len() - b.null_count() / b.len())
        if kind(a.dtype) == "numeric":
            x, y = as_number(a).drop_nulls().to_numpy(), as_number(b).drop_nulls().to_numpy()
            value = 1 - stats.ks_2samp(x, y).statistic if x.size and y.size else float("nan")
            measure = "KSComplement"
            if x.size and y.size and x.max() > x.min():
                lo, hi = max(x.min(), y.min()), min(x.max(), y.max())
                coverage = max(0.0, hi - lo) / (x.max() - x.min())
            else:
                # nothing to cover when the real column has no value at all
                coverage = float("nan") if x.size == 0 else float(y.size > 0)
        else:
            pa = a.drop_nulls().cast(pl.String).value_counts(normalize=True, name="p")
            pb = b.drop_nulls().cast(pl.String).value_counts(normalize=True, name="p")
            # sorted: the sum then runs in one order and repeats to the last bit
            joined = pa.join(pb, on="v", how="full", coalesce=True).fill_null(0.0).sort("v")
            value = 1 - 0.5 * float((joined["p"] - joined["p_right"]).abs().sum()) if pa.height and pb.height else float("nan")
            measure = "TVComplement"
            coverage = pa.join(pb, on="v", how="semi").height / pa.height if pa.height else float("nan")
        rows += [
            {"measure": "KS" if measure == "KSComplement" else "TVD", "column": c, "value": 1 - value},
            {"measure": measure, "column": c, "value": value},
            {"measure": "missing_share_difference", "column": c, "value": miss},
            {"measure": "coverage", "column": c, "value": coverage},
        ]
    return measure_frame(rows)


# --- bivariate -------------------------------------------------------------------------------

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
    labels, _ = _apply_plan(as_labels(s), keep)
    return labels.rank("dense").cast(pl.Int64).to_numpy()


def _table(xi: np.ndarray, nx: int, yi: np.ndarray, ny: int) -> np.ndarray:
    """Contingency table of two dense code arrays (0..nx-1, 0..ny-1), as floats."""
    return np.bincount(xi * ny + yi, minlength=nx * ny).reshape(nx, ny).astype(float)


def _dense(x: np.ndarray) -> tuple[np.ndarray, int]:
    levels, xi = np.unique(x, return_inverse=True)
    return xi.ravel(), len(levels)


def _nmi(x: np.ndarray, y: np.ndarray) -> float:
    """Normalised mutual information I(X;Y) / sqrt(H(X) H(Y)) of two code arrays (0 if either is constant)."""
    return _nmi_table(_table(*_dense(x), *_dense(y)))


def _nmi_table(joint: np.ndarray) -> float:
    p = joint / joint.sum()
    px, py = p.sum(1), p.sum(0)
    hx = -np.sum(px[px > 0] * np.log(px[px > 0]))
    hy = -np.sum(py[py > 0] * np.log(py[py > 0]))
    if hx == 0 or hy == 0:
        return 0.0
    nz = p > 0
    mi = np.sum(p[nz] * np.log(p[nz] / np.outer(px, py)[nz]))
    return float(max(0.0, mi) / np.sqrt(hx * hy))


def _cramers_v(x: np.ndarray, y: np.ndarray) -> float:
    return _cramers_v_table(_table(*_dense(x), *_dense(y)))


def _cramers_v_table(table: np.ndarray) -> float:
    if min(table.shape) < 2:
        return 0.0
    chi2 = stats.chi2_contingency(table, correction=False).statistic
    return float(np.sqrt(chi2 / table.sum() / (min(table.shape) - 1)))


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
    notes = _identifier_notes(ids, ref.height, "the association matrices")
    cols = [c for c in ref.columns if c not in ids]
    over = cols[max_columns:]
    if over:
        _note("left_out_over_cap", None, 0, f"{len(over)} columns left out of the association matrices "
              f"(at most the first {max_columns} are paired): {', '.join(map(repr, over[:5]))}"
              + (f" and {len(over) - 5} more" if len(over) > 5 else ""))
    notes += [{"measure": "left_out_over_cap", "column": c, "value": float(j)}
              for j, c in enumerate(over, start=max_columns)]
    cols = cols[:max_columns]
    plans: dict[str, set[str] | None] = {}
    present: dict[str, set[str]] = {}
    for c in cols:
        if kind(ref.schema[c]) == "categorical":
            labels = as_labels(ref.get_column(c))
            plans[c] = _level_plan(labels, max_levels, MIN_LEVEL_COUNT)
            if plans[c] is None:
                present[c] = set(labels.unique().to_list())
            else:
                n = labels.n_unique() - len(plans[c]) - (1 if labels.is_in([MISSING]).any() else 0)
                notes.append(_note("levels_grouped", c, n, f"column {c!r}: {n} levels held by few records pooled "
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
    numbers = {c: as_number(d.get_column(c)).to_numpy() for c in cols if kind(d.schema[c]) == "numeric"}
    # ranks of complete columns once: spearmanr ranks each column and takes np.corrcoef of the ranks
    ranks = {c: stats.rankdata(x) for c, x in numbers.items() if not np.isnan(x).any()}
    rows = []
    for a, b in combinations(cols, 2):
        table = _table(*codes[a], *codes[b])
        rows.append({"column_a": a, "column_b": b, "measure": "NMI", "value": _nmi_table(table)})
        ka, kb = kind(d.schema[a]), kind(d.schema[b])
        if ka == kb == "numeric":
            rows.append({"column_a": a, "column_b": b, "measure": "Spearman",
                         "value": _spearman(numbers[a], numbers[b], ranks.get(a), ranks.get(b))})
        elif ka == kb == "categorical":
            rows.append({"column_a": a, "column_b": b, "measure": "CramersV", "value": _cramers_v_table(table)})
    return rows


def associations(df: Any, bins: int = 10, max_levels: int = MAX_LEVELS,
                 max_columns: int = MAX_ASSOCIATION_COLUMNS) -> pl.DataFrame:
    """Pairwise associations of one frame: normalised mutual information for every pair, plus
    Spearman's rho for two numeric columns or Cramer's V for two categorical ones.

    NMI = I(X;Y) / sqrt(H(X) H(Y)) on the contingency table; Cramer's V = sqrt(chi2 / (n (min(r, c) - 1)))
    (Cramer 1946). Numbers are cut into ``bins`` quantile bins for the mutual information; a
    missing value is a value of its own. Tidy polars frame: column_a, column_b, measure, value.
    Bounded (see "bounds" above): identifier-like columns left out, columns with more than
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


# --- general utility: propensity-score measures -----------------------------------------------

def _propensity_design(r: pl.DataFrame, s: pl.DataFrame, maxorder: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_design` without its notes (warnings still given)."""
    X, t, _ = _design(r, s, maxorder)
    return X, t


def _elementary_symmetric(widths: Sequence[int], k: int) -> int:
    """sum over all k-subsets of prod(widths): the design columns of all k-way interactions."""
    e = [1] + [0] * k
    for w in widths:
        for j in range(k, 0, -1):
            e[j] += e[j - 1] * w
    return e[k]


def _main_effects(r: pl.DataFrame, s: pl.DataFrame, max_levels: int, min_count: int, max_params: int):
    """The main-effect plan of the propensity design, built lazily: per kept column its design
    groups as functions (so that nothing over the cap is ever allocated), their widths, the
    columns used, and the notes. Rows are synthetic first, then real."""
    notes = _identifier_notes(identifier_columns(r, max_levels), r.height, "the propensity model")
    ids = {n["column"] for n in notes}
    both = pl.concat([s, r], how="vertical_relaxed")
    n_rows = both.height
    specs: list[tuple[str, int, Any]] = []  # (column, width, build)
    for c in both.columns:
        if c in ids:
            continue
        col = both.get_column(c).alias("v")
        nr = r.get_column(c).alias("v").drop_nulls().n_unique()
        ns = s.get_column(c).alias("v").drop_nulls().n_unique()
        if nr <= 1 and ns <= 1:
            continue
        if kind(col.dtype) == "categorical" and col.dtype != pl.Boolean:
            labels = as_labels(col)
            labels, pooled = _apply_plan(labels, _level_plan(labels, max_levels, min_count))
            if pooled:
                notes.append(_note("levels_grouped", c, pooled,
                                   f"column {c!r}: {pooled} levels held by few records pooled into one level "
                                   f"in the propensity model (at most {max_levels} levels are modelled)"))
            codes = labels.rank("dense").cast(pl.Int64).to_numpy() - 1  # sorted levels, as .unique().sort()

            def onehot(codes: np.ndarray = codes) -> np.ndarray:
                out = np.zeros((n_rows, int(codes.max())))
                hit = codes > 0  # the first level is the reference
                out[np.flatnonzero(hit), codes[hit] - 1] = 1.0
                return out

            specs.append((c, int(codes.max()), onehot))
        elif col.dtype == pl.Boolean:
            specs.append((c, 1, lambda col=col: col.cast(pl.Float64).fill_null(0.0).to_numpy()[:, None]))
        else:
            x = as_number(col).to_numpy()
            miss = np.isnan(x)
            specs.append((c, 1, lambda x=x, miss=miss: np.where(miss, 0.0, x)[:, None]))
            if miss.any():
                specs.append((c, 1, lambda miss=miss: miss.astype(float)[:, None]))
    if not specs:
        if ids:
            raise SynthSpectrumError("every column that varies looks like an identifier (left out): there is "
                                     "nothing to tell real from synthetic by")
        raise SynthSpectrumError("no column varies: there is nothing to tell real from synthetic by")
    # main effects, column by column in order, while they fit max_params (a number's missingness
    # indicator goes with it)
    width_of: dict[str, int] = {}
    for c, w, _ in specs:
        width_of[c] = width_of.get(c, 0) + w
    used, fits = 1, set()
    for c, w in width_of.items():
        if used + w > max_params:
            break
        fits.add(c)
        used += w
    over = [c for c in width_of if c not in fits]
    if over:
        _note("left_out_over_cap", None, 0, f"{len(over)} columns left out of the propensity model (the main "
              f"effects before them fill the cap of {max_params} design columns): {', '.join(map(repr, over[:5]))}"
              + (f" and {len(over) - 5} more" if len(over) > 5 else ""))
    notes += [{"measure": "left_out_over_cap", "column": c, "value": float(width_of[c])} for c in over]
    specs = [sp for sp in specs if sp[0] in fits]
    return specs, used, len(fits), n_rows, notes


def _cap(n_rows: int, used: int, max_params: int, max_cells: int) -> int:
    return min(max_params, max(min(n_rows // RECORDS_PER_PARAM, max_cells // n_rows), used))


def design_size(real: Any, synthetic: Any, maxorder: int = 0, max_levels: int = MAX_LEVELS,
                max_params: int = MAX_PARAMS, max_cells: int = MAX_CELLS) -> dict[str, int]:
    """The size of :func:`utility_gen`'s logistic design, counted without building it (identifier-like
    columns left out and levels grouped as there, with the same warnings): ``columns`` (with the
    cap applied), ``uncapped`` (all interactions of up to ``maxorder + 1`` variables),
    ``variables`` (design groups: a number with missing values counts twice, as in synthpop)
    and ``records`` (N = real + synthetic)."""
    r, s = check_pair(real, synthetic)
    specs, used, _, n_rows, _ = _main_effects(r, s, max_levels, MIN_LEVEL_COUNT, max_params)
    widths = [w for _, w, _ in specs]
    uncapped = used + sum(_elementary_symmetric(widths, k) for k in range(2, maxorder + 2))
    columns, cap = used, _cap(n_rows, used, max_params, max_cells)
    for order in range(2, maxorder + 2):
        for combo in combinations(widths, order):
            w = int(np.prod(combo))
            if columns + w > cap:
                return {"columns": columns, "uncapped": uncapped, "variables": len(widths), "records": n_rows}
            columns += w
    return {"columns": columns, "uncapped": uncapped, "variables": len(widths), "records": n_rows}


def _design(r: pl.DataFrame, s: pl.DataFrame, maxorder: int, max_levels: int = MAX_LEVELS,
            min_count: int = MIN_LEVEL_COUNT, max_params: int = MAX_PARAMS,
            max_cells: int = MAX_CELLS) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Design matrix as synthpop's utility.gen builds it: synthetic rows first, then real; and
    the notes on what was left out (rows for LEFT_OUT_MEASURES, each also a warning).

    Columns with a single value (or none) in both frames are left out; a categorical's missing
    values form a level; a number's missing values get an indicator column and are set to 0;
    ``maxorder`` adds all interactions of up to ``maxorder + 1`` variables. Bounded by the
    rules at the top of this section: identifier-like columns left out, many-level columns
    grouped, at most min(max_params, max(min(N / 5, max_cells / N), main effects)) columns.
    """
    if isinstance(maxorder, bool) or not isinstance(maxorder, (int, np.integer)) or maxorder < 0:
        raise SynthSpectrumError(f"maxorder must be a whole number >= 0, got {maxorder!r}")
    specs, used, n_vars, n_rows, notes = _main_effects(r, s, max_levels, min_count, max_params)
    groups = [build() for _, _, build in specs]
    if maxorder >= len(groups):
        raise SynthSpectrumError(f"maxorder ({maxorder}) must be smaller than the number of variables ({len(groups)})")
    cap = _cap(n_rows, used, max_params, max_cells)
    widths = [g.shape[1] for g in groups]
    cols = [np.ones((n_rows, 1))] + groups
    n_inter = 0
    full = False
    for order in range(2, maxorder + 2):
        if full:
            break
        for combo in combinations(range(len(groups)), order):
            width = int(np.prod([widths[i] for i in combo]))
            if used + width > cap:  # the first term that does not fit ends the model: deterministic
                full = True
                break
            prod = groups[combo[0]]
            for i in combo[1:]:
                prod = (prod[:, :, None] * groups[i][:, None, :]).reshape(n_rows, -1)
            cols.append(prod)
            used += width
            n_inter += width
    if maxorder:
        dropped = sum(_elementary_symmetric(widths, k) for k in range(2, maxorder + 2)) - n_inter
        if dropped:
            notes.append(_note("interaction_columns_dropped", None, dropped,
                               f"{dropped} of {dropped + n_inter} interaction design columns dropped from the "
                               f"propensity model: at most {cap} design columns for {n_rows} records "
                               f"({n_vars} variables, maxorder {maxorder})"))
    t = np.concatenate([np.ones(s.height), np.zeros(r.height)])
    return np.hstack(cols), t, notes


def _independent_columns(X: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Indices of a maximal set of linearly independent columns (R's glm drops the others).

    Found by pivoted QR of the small Gram matrix X'X, which has the same null space as X: a
    p x p problem instead of an N x p one.
    """
    from scipy.linalg import qr

    norms = np.linalg.norm(X, axis=0)
    norms[norms == 0] = 1.0
    gram = X.T @ X / np.outer(norms, norms)  # unit columns: a date in days and a 0/1 dummy alike
    _, rr, piv = qr(gram, pivoting=True)
    diag = np.abs(np.diag(rr))
    rank = int(np.sum(diag > tol * diag[0])) if diag.size else 0
    return np.sort(piv[:rank])


def logistic_fit(X: np.ndarray, y: np.ndarray, max_iter: int = 100, tol: float = 1e-10,
                 independent: bool = False) -> np.ndarray:
    """Unpenalised logistic regression by iteratively reweighted least squares; fitted probabilities.

    The same fit as R's ``glm(family = binomial)``: aliased columns are dropped first, then
    Newton steps solve (X'WX) b = X'Wz by Cholesky until the deviance changes by < ``tol``.
    Written out because it is a few lines and runs several times faster than a QR per step.
    """
    if not independent:
        X = X[:, _independent_columns(X)]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # separation drives eta to +-inf
        return _irls(X, y, max_iter, tol)


def _irls(X: np.ndarray, y: np.ndarray, max_iter: int, tol: float) -> np.ndarray:
    return 1 / (1 + np.exp(-X @ _irls_beta(X, y, max_iter, tol)))


def _irls_beta(X: np.ndarray, y: np.ndarray, max_iter: int, tol: float) -> np.ndarray:
    """The coefficients of the IRLS fit of :func:`logistic_fit` (X already of full column rank)."""
    from scipy.linalg import cho_factor, cho_solve

    mu = np.full(len(y), (y.sum() + 0.5) / (len(y) + 1.0))
    eta = np.log(mu / (1 - mu))
    dev_old = np.inf
    for _ in range(max_iter):
        w = np.maximum(mu * (1 - mu), 1e-12)
        z = eta + (y - mu) / w
        xw = X * w[:, None]
        try:
            beta = cho_solve(cho_factor(xw.T @ X), xw.T @ z)
        except np.linalg.LinAlgError:  # near-separation: weights ~0 make X'WX singular
            sw = np.sqrt(w)
            beta = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
        eta = X @ beta
        mu = np.clip(1 / (1 + np.exp(-eta)), 1e-15, 1 - 1e-15)
        dev = -2 * np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu))
        if abs(dev - dev_old) < tol * (abs(dev) + 0.1):
            break
        dev_old = dev
    return beta


def _propensity_stats(score: np.ndarray, t: np.ndarray, n_params: int | None) -> dict[str, float]:
    n = len(t)
    c = t.mean()
    p_syn, p_real = score[t == 1], score[t == 0]
    pmse = float(np.mean((score - c) ** 2))
    u = float(stats.mannwhitneyu(p_syn, p_real, method="asymptotic").statistic)
    out = {
        "pMSE": pmse,
        "S_pMSE": pmse / ((n_params - 1) * (1 - c) ** 2 * c / n) if n_params else float("nan"),
        "SPECKS": float(stats.ks_2samp(p_syn, p_real).statistic),
        "PO50": float(np.mean((score > 0.5) == (t == 1)) * 100 - 50),
        "U": u,
        "AUC": u / (len(p_syn) * len(p_real)),
    }
    return out


def propensity_scores(real: Any, synthetic: Any, maxorder: int = 0) -> pl.DataFrame:
    """Logistic propensity of being synthetic for every record (polars: ``source``, ``propensity``);
    the model of :func:`utility_gen` with ``method="logit"``. Scores only, no record values."""
    r, s = check_pair(real, synthetic)
    X, t, _ = _design(r, s, maxorder)
    score = logistic_fit(X, t)
    return pl.DataFrame({"source": np.where(t == 1, "synthetic", "real"), "propensity": score})


def utility_gen(real: Any, synthetic: Any, method: str = "logit", maxorder: int = 1, nperms: int = 50,
         min_leaf: int = 5, seed: int = 0, max_params: int = MAX_PARAMS, max_levels: int = MAX_LEVELS) -> pl.DataFrame:
    """General utility by propensity scores (see the module docstring); the twin of synthpop's
    ``utility.gen``: one row per statistic (``measure`` pMSE, S_pMSE, SPECKS, PO50, U, AUC;
    ``column`` null; ``value``).

    ``method="logit"``: logistic regression with main effects (``maxorder=0``) or interactions
    of up to ``maxorder + 1`` variables (default 1, synthpop's: all pairs); it equals synthpop's ``utility.gen(method = "logit")``
    whenever no bound applies. ``method="cart"``: a classification tree (leaves of at least
    ``min_leaf``); S_pMSE is then pMSE over its mean under ``nperms`` random relabellings
    (seeded by ``seed``), as synthpop's ``resamp.method = "perm"``.

    Bounded (see "bounds" above): identifier-like columns are left out, columns with more
    than ``max_levels`` levels grouped, the design capped at ``max_params`` columns; each
    of these adds a row (measure in :data:`LEFT_OUT_MEASURES`) and a warning.
    """
    if method not in ("logit", "cart"):
        raise SynthSpectrumError(f"method must be 'logit' or 'cart', got {method!r}")
    r, s = check_pair(real, synthetic)
    X, t, notes = _design(r, s, maxorder, max_levels=max_levels, max_params=max_params)
    if method == "logit":
        keep = _independent_columns(X)
        score = logistic_fit(X[:, keep], t, independent=True)
        res = _propensity_stats(score, t, len(keep))
    else:
        from sklearn.tree import DecisionTreeClassifier

        def tree_scores(labels: np.ndarray) -> np.ndarray:
            tree = DecisionTreeClassifier(min_samples_leaf=min_leaf, random_state=seed).fit(X, labels)
            return tree.predict_proba(X)[:, 1]

        score = tree_scores(t)
        res = _propensity_stats(score, t, None)
        rng = np.random.default_rng(seed)
        null = [np.mean((tree_scores(rng.permutation(t)) - t.mean()) ** 2) for _ in range(nperms)]
        res["S_pMSE"] = res["pMSE"] / float(np.mean(null))
    rows = [{"measure": m, "column": None, "value": float(v)} for m, v in res.items()] + notes
    return measure_frame(rows)


def propensity_auc_cv(real: Any, synthetic: Any, maxorder: int = 0, folds: int = 5, seed: int = 0) -> float:
    """Cross-validated propensity AUC: how well the logistic propensity model of :func:`utility_gen`
    tells synthetic from real records it was *not* fitted on (0.5 is best; a number, no records).

    The records (synthetic t = 1, real t = 0) are split into ``folds`` stratified folds (each
    fold keeps the share of synthetic records as far as it can; shuffled with ``seed``), and
    records identical in the model (the same design row) are kept in one fold (sklearn's StratifiedGroupKFold):
    a synthetic copy of a real record, fitted with the opposite label, would otherwise teach
    the model the opposite of the truth, and a frame scored against itself would give about
    0.17 instead of 0.5. For each fold k the
    model (the same design as :func:`utility_gen`, aliased columns dropped as glm does) is fitted on
    the other folds by maximum likelihood and scores the fold's records by their linear
    predictor eta_i = x_i' b_(-k). With all out-of-fold scores pooled,

        AUC_cv = U / (n_syn n_real),  U = #{(i, j): t_i = 1, t_j = 0, eta_i > eta_j}
                                          + 1/2 #{ties},

    the Mann-Whitney form of the AUC (Hanley & McNeil 1982) of out-of-fold predictions, as in
    Hastie, Tibshirani & Friedman (2009), Elements of Statistical Learning, 7.10.

    Why: the in-sample AUC of :func:`utility_gen` rewards a model for memorising its own records. On
    small data (a few hundred rows) a main-effects model with many dummies scores an
    in-sample AUC near 0.95 even for two independent real samples, and every generator looks
    equally bad. Out of sample, two samples of one distribution score about 0.5 (slightly
    below on average: cross-validation of a model with no signal is pessimistic).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    r, s = check_pair(real, synthetic)
    X, t, _ = _design(r, s, maxorder)  # bounded as utility_gen's; what was left out is warned
    # identical records stay in one fold: a copy in the fitting folds, labelled the other way,
    # would teach the model the opposite of the truth (a frame against itself would score ~0.17).
    # Identical means identical design rows; a group is named by its first record, so the folds
    # do not depend on hash values.
    _, first, inverse = np.unique(pl.from_numpy(X).hash_rows(seed=0).to_numpy(), return_index=True,
                                  return_inverse=True)
    groups = first[inverse.ravel()]
    if not isinstance(folds, (int, np.integer)) or isinstance(folds, bool) or folds < 2:
        raise SynthSpectrumError(f"folds must be a whole number of at least 2, got {folds!r}")
    if min(r.height, s.height) < folds:
        raise SynthSpectrumError(f"{folds} folds need at least {folds} real and {folds} synthetic records, "
                                 f"got {r.height} and {s.height}")
    eta = np.empty(len(t))
    split = StratifiedGroupKFold(n_splits=int(folds), shuffle=True, random_state=seed)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # separation drives eta to +-inf
        for fit_rows, test_rows in split.split(X, t, groups):
            keep = _independent_columns(X[fit_rows])
            beta = _irls_beta(X[fit_rows][:, keep], t[fit_rows], 100, 1e-10)
            eta[test_rows] = X[test_rows][:, keep] @ beta
    eta = np.nan_to_num(eta, nan=0.0)
    u = float(stats.mannwhitneyu(eta[t == 1], eta[t == 0], method="asymptotic").statistic)
    return u / (int(t.sum()) * int((t == 0).sum()))


# --- table utility ---------------------------------------------------------------------------

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


# --- specific utility ------------------------------------------------------------------------

def _require_binary(endog: np.ndarray, outcome: str, what: str) -> None:
    """A logistic model needs a 0/1 outcome: refuse a continuous one (glm would return
    coefficients of 1e16 and exit as if all were well). The message holds counts, no values."""
    y = np.asarray(endog, dtype=float)
    if y.ndim == 2 and y.shape[1] == 2:  # a two-level text outcome: patsy's two indicator columns
        return
    y = y.ravel()
    if y.size and np.isin(y, (0.0, 1.0)).all():
        return
    distinct = np.unique(y).size
    raise SynthSpectrumError(f"family 'binomial' needs an outcome that is 0/1, boolean or a two-level category, "
                             f"but in the {what} it has {distinct} distinct values; use family='gaussian' for a "
                             "number, or an outcome such as 'I(x > 10) ~ ...'", outcome)


def regression_fit(real: Any, synthetic: Any, formula: str, family: str = "gaussian", level: float = 0.95) -> pl.DataFrame:
    """Specific utility: the same regression on real and synthetic data, term by term.

    ``formula`` in R/patsy syntax (``"y ~ x1 + C(group)"``); ``family`` is
    ``"gaussian"`` (linear) or ``"binomial"`` (logistic; its outcome must be 0/1, boolean or a
    two-level category, else a one-line error names it). Per term: both estimates and standard
    errors, ``std_coef_diff = (b_syn - b_real) / se_real`` and the confidence-interval overlap
    of Karr, Kohnen, Oganian, Reiter & Sanil (2006):
    ``ci_overlap = 1/2 [(min(U_r, U_s) - max(L_r, L_s)) / (U_r - L_r) + (same) / (U_s - L_s)]``,
    1 for identical intervals, 0 or below for intervals that do not overlap.
    """
    import statsmodels.formula.api as smf
    from statsmodels.genmod import families

    r, s = check_pair(real, synthetic)
    fams = {"gaussian": families.Gaussian(), "binomial": families.Binomial()}
    if family not in fams:
        raise SynthSpectrumError(f"family must be 'gaussian' or 'binomial', got {family!r}")

    outcome = formula.split("~", 1)[0].strip() if "~" in formula else formula

    def fit(df: pl.DataFrame, what: str):
        if family == "binomial" and outcome in df.columns and kind(df.schema[outcome]) == "categorical" \
                and df.schema[outcome] != pl.Boolean:
            levels = df.get_column(outcome).alias("v").drop_nulls().n_unique()
            if levels != 2:
                raise SynthSpectrumError(f"family 'binomial' needs an outcome that is 0/1, boolean or a two-level "
                                         f"category, but in the {what} it has {levels} categories", outcome)
        pdf = df.with_columns([df.get_column(c).cast(pl.Int8) for c in df.columns if df.schema[c] == pl.Boolean]).to_pandas()
        try:
            model = smf.glm(formula, data=pdf, family=fams[family])
        except Exception as exc:  # patsy names the unknown term
            raise SynthSpectrumError(f"the formula {formula!r} cannot be fitted on the {what}",
                                     detail=f"{type(exc).__name__}: {exc}") from None
        if family == "binomial":
            _require_binary(model.endog, outcome, what)
        try:
            return model.fit()
        except Exception as exc:
            raise SynthSpectrumError(f"the formula {formula!r} cannot be fitted on the {what}",
                                     detail=f"{type(exc).__name__}: {exc}") from None

    fr, fs = fit(r, "real data"), fit(s, "synthetic data")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for term in fr.params.index:
        br, sr = float(fr.params[term]), float(fr.bse[term])
        bs = float(fs.params.get(term, np.nan))
        ss = float(fs.bse.get(term, np.nan))
        lr, ur, ls, us = br - z * sr, br + z * sr, bs - z * ss, bs + z * ss
        inter = min(ur, us) - max(lr, ls)
        overlap = 0.5 * (inter / (ur - lr) + inter / (us - ls)) if np.isfinite(bs) else float("nan")
        rows.append({"term": term, "estimate_real": br, "se_real": sr, "estimate_synthetic": bs, "se_synthetic": ss,
                     "std_coef_diff": (bs - br) / sr if sr > 0 else float("nan"), "ci_overlap": overlap})
    return pl.DataFrame(rows)
