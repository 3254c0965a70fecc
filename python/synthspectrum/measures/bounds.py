"""What a measure leaves out, and why: the bounds every measure keeps whatever the data.

Every measure bounds its memory and time by design, whatever the data, and says what it left
out. The rules (constants below, keyword arguments where a measure takes them):

* Identifier-like columns are left out of the propensity model, the association matrices and
  the distance features: a text or category column with more than MAX_LEVELS distinct
  values in the real data that are (nearly) all distinct (distinct / non-missing >=
  IDENTIFIER_SHARE), and an integer column with more than MAX_LEVELS values, all distinct
  and within fewer than 2n consecutive numbers (a record number). They would cost one
  dummy per record (or pair records by their position) and say nothing about utility.
* Many-level categories are grouped. synthpop's syn() refuses a predictor with more than
  maxfaclevels = 60 levels, and its mergelevels.syn() merges the levels held by fewer than
  minsize = 10 records into one (and, if that merged level still holds fewer than 10, adds
  the next-smallest level to it). We follow it: a column with more than MAX_LEVELS levels
  keeps the levels held by at least MIN_LEVEL_COUNT records (most frequent first, at most
  MAX_LEVELS - 1 of them) and pools all others into one level; missing stays a level of its
  own. A column with at most MAX_LEVELS levels is never touched, so such data give exactly
  the numbers (and synthpop's) they always did.
* The propensity design of N records is capped at min(MAX_PARAMS, N / RECORDS_PER_PARAM,
  MAX_CELLS / N) columns (intercept, main effects, interactions), but never below the main
  effects, which are themselves capped at MAX_PARAMS (whole columns in column order). So
  memory is at most max(MAX_CELLS, N x MAX_PARAMS) numbers per copy of the design and an
  IRLS step at most N x cap^2 operations. synthpop's utility.gen refuses a model with more
  than max.params = 400 parameters and warns of one with more than N / 5; we keep the first
  columns instead: main effects in column order, then whole interaction terms in R's order
  (pairs before triples) until the first that does not fit, and say how many were dropped.
* Association matrices use at most MAX_ASSOCIATION_COLUMNS columns (the first ones): at most
  4,950 pairs, each on codes of at most MAX_LEVELS + 1 levels.

What was left out comes back in the measure's own frame, as rows whose ``measure`` is one of
LEFT_OUT_MEASURES, with the column it concerns and a count as ``value`` (no record value):
  left_out_identifier  column, value = distinct values in the real data
  left_out_over_cap    column, value = design columns (or pairs) it would have added
  levels_grouped       column, value = levels pooled into one
  interaction_columns_dropped   value = interaction design columns dropped
:func:`left_out_sentences` turns such rows into plain sentences; each also gives a warning.

The rows and warnings name columns and count distinct values; they never hold a record value.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import polars as pl

from synthspectrum.core.columns import MISSING

MIN_LEVEL_COUNT = 10  # synthpop's mergelevels.syn(minsize = 10)
MAX_PARAMS = 1000
MAX_CELLS = 20_000_000  # 160 MB per copy of the design in float64
RECORDS_PER_PARAM = 5  # synthpop's utility.gen warns of a model with more than N / 5 parameters
MAX_ASSOCIATION_COLUMNS = 100
LEFT_OUT_MEASURES = ("left_out_identifier", "left_out_over_cap", "levels_grouped", "interaction_columns_dropped")

_POOLED = "\x00pooled"


def level_plan(labels: pl.Series, max_levels: int, min_count: int) -> set[str] | None:
    """The levels a many-level column keeps as they are (synthpop's rule in the module docstring); None if it has
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


def apply_plan(labels: pl.Series, keep: set[str] | None) -> tuple[pl.Series, int]:
    """``labels`` with every level outside ``keep`` (missing excepted) pooled; and how many were."""
    if keep is None:
        return labels, 0
    keep = keep | {MISSING}
    inside = labels.is_in(list(keep))
    n = labels.filter(~inside).n_unique()
    return labels.zip_with(inside, pl.Series([_POOLED] * labels.len(), dtype=pl.String)), n


def warn_user(message: str) -> None:
    """A UserWarning attributed to the first caller outside this package (the user's line)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the whole package
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the caller of this function
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, UserWarning, stacklevel=level)


def note(measure: str, column: str | None, value: float, message: str | None = None) -> dict[str, Any]:
    """A row of a measure's frame saying what it left out (``measure`` from :data:`LEFT_OUT_MEASURES`),
    and, with ``message``, the warning that says it to the user."""
    if message:
        warn_user(message)
    return {"measure": measure, "column": column, "value": float(value)}


def identifier_notes(ids: dict[str, int], n_real: int, where: str) -> list[dict[str, Any]]:
    """One ``left_out_identifier`` row (and warning) per identifier-like column ``ids`` (name ->
    distinct values), left out of ``where``."""
    return [note("left_out_identifier", c, n,
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
