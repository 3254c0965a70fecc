"""Accept polars or pandas frames and give back the same kind the caller used."""

from __future__ import annotations

from typing import Any, Iterable

import polars as pl

from synthspectrum.errors import ColumnError, SynthSpectrumError


def to_polars(df: Any, what: str = "data") -> tuple[pl.DataFrame, str]:
    """Return ``(polars frame, kind)`` where kind is ``"polars"`` or ``"pandas"``.

    pandas NaN in float columns becomes a polars null (a missing value), which is what
    a pandas user means by NaN.
    """
    if isinstance(df, pl.DataFrame):
        return df, "polars"
    if isinstance(df, pl.LazyFrame):
        return df.collect(), "polars"
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a hard dependency
        pd = None
    if pd is not None and isinstance(df, pd.DataFrame):
        if not all(isinstance(c, str) for c in df.columns):
            bad = [c for c in df.columns if not isinstance(c, str)][0]
            raise SynthSpectrumError(f"{what}: column names must be text, got {bad!r}")
        return pl.from_pandas(df, nan_to_null=True), "pandas"
    raise SynthSpectrumError(
        f"{what} must be a polars or pandas DataFrame, got {type(df).__name__}"
    )


def from_polars(df: pl.DataFrame, kind: str) -> Any:
    """Convert back to the caller's frame type (see :func:`to_polars`)."""
    if kind == "pandas":
        return df.to_pandas()
    return df


def require_columns(df: pl.DataFrame, columns: Iterable[str], what: str = "data") -> list[str]:
    """Check that every name is a column; raise a :class:`ColumnError` naming the first one that is not."""
    cols = [columns] if isinstance(columns, str) else list(columns)
    for c in cols:
        if c not in df.columns:
            raise ColumnError(
                f"{what} has no column {c!r}; its columns are {', '.join(map(repr, df.columns))}",
            )
    return cols


def require_rows(df: pl.DataFrame, what: str = "data") -> None:
    if df.height == 0:
        raise SynthSpectrumError(f"{what} is empty (0 rows): there is nothing to learn from")
    if df.width == 0:
        raise SynthSpectrumError(f"{what} has no columns")


def is_categorical(dtype: pl.DataType) -> bool:
    return isinstance(dtype, (pl.Enum, pl.Categorical))


def levels(s: pl.Series) -> list[str]:
    """Category levels of a column: an Enum's own order (unused levels kept); otherwise sorted.

    A polars Categorical has no level order of its own that survives across polars versions,
    so its levels are taken as the sorted distinct values present.
    """
    if isinstance(s.dtype, pl.Enum):
        return s.dtype.categories.to_list()
    return sorted(s.drop_nulls().cast(pl.String).unique().to_list())


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
