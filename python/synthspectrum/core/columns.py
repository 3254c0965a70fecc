"""What kind a column is, and how a measure or a model sees its values.

One rule set shared by every wing: a column is ``categorical`` (text, category, boolean) or
``numeric`` (numbers, dates, times, durations); dates count as days since 1970, as the R twin
sends them; a missing value inside category labels is the one stand-in :data:`MISSING`, which
sorts before any printable label and is never shown to anyone.
"""

from __future__ import annotations

from typing import Any

import polars as pl

MISSING = "\x00NA"  # the one stand-in for a missing label: no real category can be spelled so
MISSING_LABEL = "(missing)"  # how a missing value is written on a plot or in a table

MAX_LEVELS = 60  # synthpop's syn(maxfaclevels = 60)
IDENTIFIER_SHARE = 0.9  # a many-level text column with this share of distinct values is a key

MIN_CATEGORIES = 50  # a text column with at most this many distinct values is categorical...
CATEGORY_SHARE = 0.05  # ...or with at most this share of distinct values among its records


def is_categorical(dtype: pl.DataType) -> bool:
    return isinstance(dtype, (pl.Enum, pl.Categorical))


def kind(dtype: pl.DataType) -> str:
    """``"categorical"`` (text, category, boolean), ``"numeric"`` (numbers, dates, times), else the dtype."""
    if is_categorical(dtype) or dtype in (pl.String, pl.Boolean):
        return "categorical"
    if dtype.is_numeric() or dtype.is_temporal():
        return "numeric"
    return str(dtype)


def as_number(s: pl.Series) -> pl.Series:
    """Numbers as float; dates and datetimes as days since 1970 (as the R twin sends them);
    durations in seconds."""
    if s.dtype == pl.Date:
        return s.to_physical().cast(pl.Float64)
    if isinstance(s.dtype, pl.Datetime):
        return s.dt.epoch("us").cast(pl.Float64) / 86_400e6
    if isinstance(s.dtype, pl.Duration):
        return s.dt.total_microseconds().cast(pl.Float64) / 1e6
    return s.cast(pl.Float64)


def labels(s: pl.Series) -> pl.Series:
    """A column's values as text labels, missing as :data:`MISSING` (named ``v``)."""
    # the neutral name first: polars reads names like "^a.*$" as patterns in Series methods
    return s.alias("v").cast(pl.String).fill_null(MISSING)


def shown(label: str | None) -> str:
    """A label as a person reads it: the missing stand-in becomes :data:`MISSING_LABEL`."""
    return MISSING_LABEL if label is None or label == MISSING else label


def levels(s: pl.Series) -> list[str]:
    """Category levels of a column: an Enum's own order (unused levels kept); otherwise sorted.

    A polars Categorical has no level order of its own that survives across polars versions,
    so its levels are taken as the sorted distinct values present.
    """
    if isinstance(s.dtype, pl.Enum):
        return s.dtype.categories.to_list()
    return sorted(s.drop_nulls().cast(pl.String).unique().to_list())


def is_low_cardinality(s: pl.Series, max_categories: int | None = None) -> bool:
    """Text that repeats: distinct values <= max(50, 5% of the non-missing values), not all distinct."""
    values = s.drop_nulls()
    n, k = values.len(), values.n_unique()
    if n == 0 or k == n:
        return False
    limit = max_categories if max_categories is not None else max(MIN_CATEGORIES, int(CATEGORY_SHARE * n))
    return k <= limit


def identifier_columns(real: Any, max_levels: int = MAX_LEVELS, share: float = IDENTIFIER_SHARE) -> dict[str, int]:
    """Identifier-like columns of ``real``: column -> distinct values.

    A text or category column with more than ``max_levels`` distinct values that are (nearly)
    all distinct (distinct / non-missing >= ``share``), and an integer column with more than
    ``max_levels`` values, all distinct and within fewer than 2n consecutive numbers (a record
    number). Measures leave them out: they cost one dummy per record (or pair records by their
    position) and say nothing about utility.
    """
    from synthspectrum.core.frames import to_polars

    d, _ = to_polars(real, "real data")
    out: dict[str, int] = {}
    for c, dtype in d.schema.items():
        x = d.get_column(c).alias("v").drop_nulls()
        text = (is_categorical(dtype) or dtype == pl.String)
        if not (text or dtype.is_integer()) or x.len() <= max_levels:
            continue
        n = x.n_unique()
        if text:
            if n > max_levels and n >= share * x.len():
                out[c] = n
        # an integer is a key only if it looks like a record number: all distinct and packed
        # into few consecutive numbers (an all-distinct measurement such as an income in
        # pounds spreads far wider, and costs the model one column anyway)
        elif n == x.len() and float(x.max()) - float(x.min()) < 2 * n:
            out[c] = n
    return out
