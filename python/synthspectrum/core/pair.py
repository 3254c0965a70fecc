"""The real/synthetic pair check every measure starts from."""

from __future__ import annotations

from typing import Any, Sequence

import polars as pl

from synthspectrum.core.columns import is_categorical
from synthspectrum.core.frames import require_columns, to_polars
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.errors import SynthSpectrumError


def check_pair(real: Any, synthetic: Any, columns: Sequence[str] | None = None,
               names: tuple[str, str] = ("real data", "synthetic data")) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both frames as polars, with the same columns and compatible dtypes, else a clear error.

    Every measure starts here, so every measure applies the package's one policy for numbers
    no model can use (:func:`synthspectrum.core.numbers.clean_numbers`): NaN, +-inf and magnitudes
    >= 1e15 become missing, with one warning per column per frame (``names`` says which frame).
    """
    r, _ = to_polars(real, names[0])
    s, _ = to_polars(synthetic, names[1])
    for what, df in zip(names, (r, s)):
        if df.height == 0:
            raise SynthSpectrumError(f"the {what} is empty (0 rows)")
    if columns is not None:
        require_columns(r, columns, names[0])
        require_columns(s, columns, names[1])
        r, s = r.select([r.get_column(c) for c in columns]), s.select([s.get_column(c) for c in columns])
    if set(r.columns) != set(s.columns):
        only = sorted(set(r.columns) ^ set(s.columns))
        raise SynthSpectrumError(f"the {names[0]} and {names[1]} have different columns: {only[0]!r} is in only one")
    s = s.select([s.get_column(c) for c in r.columns])
    r_cols, s_cols = {}, {}
    for c in r.columns:
        a, b = r.get_column(c), s.get_column(c)
        if a.dtype == b.dtype:  # not .schema: polars builds it afresh per call
            continue
        if family(a.dtype) != family(b.dtype):
            raise SynthSpectrumError(f"is {a.dtype} in the {names[0]} but {b.dtype} in the {names[1]}", c)
        r_cols[c], s_cols[c] = _common(a, b, names, c)
    if r_cols:
        r, s = r.with_columns(**r_cols), s.with_columns(**s_cols)
    r, _ = clean_numbers(r, names[0])
    s, _ = clean_numbers(s, names[1])
    return r, s


def family(dtype: pl.DataType) -> str:
    """What a column holds, as far as a real and a synthetic column must agree: ``"text"``
    (String, Categorical, Enum), ``"boolean"``, ``"number"``, ``"date"``, ``"datetime"``,
    ``"duration"``, ``"time"``, else the dtype. Two columns of one family are measured alike
    once made one dtype (:func:`check_pair`); of two families (text and booleans, dates and
    numbers) they are not the same variable."""
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.String or is_categorical(dtype):
        return "text"
    if dtype.is_numeric():
        return "number"
    for name, cls in (("date", pl.Date), ("datetime", pl.Datetime), ("duration", pl.Duration), ("time", pl.Time)):
        if dtype == cls or isinstance(dtype, cls):
            return name
    return str(dtype)


def _common(a: pl.Series, b: pl.Series, names: tuple[str, str], c: str) -> tuple[pl.Series, pl.Series]:
    """A real column ``a`` and a synthetic ``b`` of one family but two dtypes, as one dtype, so that
    every measure compares like with like: a key 30 and a key 30.0 are the same value (as text
    they were "30" and "30.0", and a copied record went uncounted), and two Enums of different
    levels can be stacked (polars finds no supertype for them).

    Numbers: the real column's dtype where the synthetic values fit it (whole floats against real
    ints, as a pandas round trip makes them), so the real data reach every measure as they are;
    else their float (ints of two widths: the wider int). Text against a real Enum: that Enum, with
    the synthetic-only labels after the real levels (in their order) where there are any; against
    real String or Categorical: the real dtype.
    Datetimes and durations: the real column's unit; a time zone must match (converting one would
    move the clock), naive against aware is refused."""
    fam = family(a.dtype)
    if fam == "number":
        if a.dtype.is_integer() and b.dtype.is_float():
            v = b.drop_nulls()
            if v.len() == 0 or ((v == v.round()).all() and v.abs().max() < 2.0 ** 53):
                try:
                    return a, b.cast(a.dtype, strict=True)
                except pl.exceptions.PolarsError:  # whole, but out of the real dtype's range
                    pass
        if a.dtype.is_float() and b.dtype.is_integer():
            return a, b.cast(a.dtype)
        if a.dtype.is_integer() and b.dtype.is_integer():
            both = pl.concat([a.head(0).to_frame("v"), b.head(0).to_frame("v")], how="vertical_relaxed").schema["v"]
            return a.cast(both), b.cast(both)
        return a.cast(pl.Float64), b.cast(pl.Float64)
    if fam == "text":
        if isinstance(a.dtype, pl.Enum):
            levels = a.dtype.categories.to_list()
            seen = set(levels)
            theirs = (b.dtype.categories if isinstance(b.dtype, pl.Enum)
                      else b.cast(pl.String).drop_nulls().unique(maintain_order=True)).to_list()
            extra = [x for x in theirs if x not in seen]
            if not extra:
                return a, b.cast(pl.String).cast(a.dtype)
            both = pl.Enum(levels + extra)
            return a.cast(pl.String).cast(both), b.cast(pl.String).cast(both)
        return a, b.cast(pl.String).cast(a.dtype)
    if fam == "datetime":
        za, zb = a.dtype.time_zone, b.dtype.time_zone
        if (za is None) != (zb is None):
            raise SynthSpectrumError(f"is {a.dtype} in the {names[0]} but {b.dtype} in the {names[1]}: "
                                     "a time zone in one only", c)
        if za != zb:
            b = b.dt.convert_time_zone(za)  # the same instants, shown in the real data's zone
        return a, b.cast(a.dtype)
    return a, b.cast(a.dtype)
