"""A fingerprint of a table that Python and R compute alike, so a pair can see at a glance that
the two languages hold identical data (module M3: one synthpop call, two languages).

The fingerprint is the MD5 of a canonical text: a header line of ``name:kind`` fields (kinds:
integer, number, logical, date, datetime, text), then one line per row, fields separated by a tab,
each value written as: ``NA`` when missing; integers in decimal; other numbers with C's ``%.10g``
(what R's ``sprintf`` also uses); logicals as ``TRUE``/``FALSE``; dates as ``YYYY-MM-DD``;
datetimes as ``YYYY-MM-DD HH:MM:SS``; categories and text by their label. The R twin
(``fingerprint()`` in ``r/workshop.R``) builds the same text.

What it discloses: nothing readable (a one-way hash), but equal fingerprints prove equal tables,
so a fingerprint of real data confirms a guess of the whole table; share fingerprints of
synthetic sets.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import polars as pl

from synthspectrum.core.frames import to_polars

__all__ = ["fingerprint", "canonical_text"]


def _kind(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "logical"
    if dtype.is_integer():
        return "integer"
    if dtype.is_numeric():
        return "number"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    return "text"


def _number(x: float) -> str:
    if math.isnan(x):
        return "NA"  # R writes NaN as NaN, but synthpop's NaN and NA are both "missing" here
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return "%.10g" % x


def _texts(s: pl.Series, kind: str) -> list[str]:
    values = s.to_list()
    if kind == "integer":
        return ["NA" if v is None else str(v) for v in values]
    if kind == "number":
        return ["NA" if v is None else _number(float(v)) for v in values]
    if kind == "logical":
        return ["NA" if v is None else ("TRUE" if v else "FALSE") for v in values]
    if kind == "date":
        return ["NA" if v is None else v.isoformat() for v in values]
    if kind == "datetime":
        return ["NA" if v is None else v.strftime("%Y-%m-%d %H:%M:%S") for v in values]
    return ["NA" if v is None else str(v) for v in s.cast(pl.String).to_list()]


def canonical_text(df: Any) -> str:
    """The text the fingerprint hashes (see the module docstring); takes polars or pandas."""
    pdf, _ = to_polars(df)
    kinds = [_kind(t) for t in pdf.dtypes]
    header = "\t".join(f"{n}:{k}" for n, k in zip(pdf.columns, kinds))
    columns = [_texts(pdf.get_column(n), k) for n, k in zip(pdf.columns, kinds)]
    rows = ["\t".join(fields) for fields in zip(*columns)] if columns else []
    return "\n".join([header, *rows]) + "\n"


def fingerprint(df: Any) -> str:
    """32 hex digits that are equal for equal tables, in Python and in R (polars or pandas in)."""
    return hashlib.md5(canonical_text(df).encode("utf-8")).hexdigest()
