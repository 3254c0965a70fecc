"""The package's one policy for numbers no model or measure can use."""

from __future__ import annotations

import polars as pl

# One policy for values no model or measure can use, applied by every generator and measure:
# NaN, +-inf and numbers of magnitude >= EXTREME become missing, with a warning naming the
# column. Past 1e15 float64 no longer holds whole numbers exactly and sums of squares
# overflow long before 1e308; such values are nearly always codes ("9999999999", int64 max)
# and one of them makes every synthetic value of its column absurd.
EXTREME = 1e15


def clean_numbers(df: pl.DataFrame, what: str = "data") -> tuple[pl.DataFrame, list[str]]:
    """``df`` with NaN, +-inf and values of magnitude >= :data:`EXTREME` in numeric columns made
    missing; returns ``(frame, notes)`` and warns once per column that changed (polars in, polars out).

    NaN alone is the usual float spelling of missing and gets a note but no warning.
    """
    import warnings

    notes: list[str] = []
    fixed: list[pl.Series] = []
    for name, dtype in df.schema.items():
        if not dtype.is_numeric() or dtype == pl.Boolean:
            continue
        s = df.get_column(name).alias("value")  # polars reads names like "^a.*$" as patterns
        x = s.cast(pl.Float64, strict=False)
        n_nan = int(x.is_nan().sum()) if dtype.is_float() else 0
        bad_inf = x.is_infinite()
        # polars orders NaN above every number, so NaN must not count as "large"
        bad_big = x.abs().ge(EXTREME) & ~bad_inf & ~x.is_nan()
        n_inf, n_big = int(bad_inf.sum()), int(bad_big.sum())
        if not (n_nan or n_inf or n_big):
            continue
        mask = bad_inf | bad_big
        if dtype.is_float():
            mask = mask | x.is_nan()
        keep = ~mask.fill_null(False)
        fixed.append(s.zip_with(keep, pl.Series("value", [None] * s.len(), dtype=dtype)).alias(name))
        if n_nan:
            notes.append(f"{name}: {n_nan} NaN value(s) treated as missing")
        if n_inf or n_big:
            parts = []
            if n_inf:
                parts.append(f"{n_inf} infinite value(s)")
            if n_big:  # the value itself is not quoted: it may be a real record's
                parts.append(f"{n_big} value(s) of magnitude >= {EXTREME:.0e}")
            msg = (f"{what}, column {name!r}: {' and '.join(parts)} treated as missing; such values are "
                   "usually codes for 'unknown' and would make every synthetic value absurd")
            notes.append(msg)
            warnings.warn(msg, UserWarning, stacklevel=3)
    return (df.with_columns(fixed) if fixed else df), notes
