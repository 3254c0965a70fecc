"""Frames in and out: accept polars or pandas, give back what the caller asked for.

The one policy: a function that transforms the caller's frame (de-identify, synthesize, syn)
gives back the same kind it was given; one that makes a frame from nothing (``datasets.load``,
``MetadataModel.synthesize``) or from a model takes ``as_pandas=``; measures and results
tables are polars (``.to_pandas()`` gives pandas).
"""

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
        dup = df.columns[df.columns.duplicated()]
        if len(dup):
            raise SynthSpectrumError(f"{what}: column names must be unique, {dup[0]!r} appears "
                                     f"{int((df.columns == dup[0]).sum())} times")
        try:
            return pl.from_pandas(df, nan_to_null=True), "pandas"
        except Exception:  # pyarrow's own words quote a value: name the column instead
            raise SynthSpectrumError(_unconvertible(df, what)) from None
    raise SynthSpectrumError(
        f"{what} must be a polars or pandas DataFrame, got {type(df).__name__}"
    )


def _unconvertible(df: Any, what: str) -> str:
    """Why a pandas frame does not convert: the first column holding values of more than one
    type (an object column of numbers and text, say), by name and types, never by value."""
    for c in df.columns:
        col = df[c]
        if col.dtype == object:
            types = sorted({type(v).__name__ for v in col.dropna()})
            if len(types) > 1:
                return (f"column {c!r}: {what} mixes values of types {', '.join(types)} in one column; "
                        "make it one type (e.g. df[col].astype(str) for text) before passing it")
        try:
            pl.from_pandas(df[[c]], nan_to_null=True)
        except Exception as exc:
            return f"column {c!r}: {what} cannot be read as a column of one type ({type(exc).__name__})"
    return f"{what} cannot be converted from pandas"


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
