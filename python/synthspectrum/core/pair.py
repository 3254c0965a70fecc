"""The real/synthetic pair check every measure starts from."""

from __future__ import annotations

from typing import Any, Sequence

import polars as pl

from synthspectrum.core.columns import kind
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
    for c in r.columns:
        a, b = r.get_column(c).dtype, s.get_column(c).dtype  # not .schema: polars builds it afresh per call
        if kind(a) != kind(b):
            raise SynthSpectrumError(f"is {a} in the {names[0]} but {b} in the {names[1]}", c)
    r, _ = clean_numbers(r, names[0])
    s, _ = clean_numbers(s, names[1])
    return r, s
