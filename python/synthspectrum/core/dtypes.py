"""Write a polars dtype to JSON and read it back, so a model file can restore exact dtypes."""

from __future__ import annotations

from typing import Any

import polars as pl

from synthspectrum.errors import SynthSpectrumError

_SIMPLE = [
    "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Float32", "Float64", "Boolean", "String", "Date", "Time", "Categorical", "Null",
]


def dtype_to_json(dtype: pl.DataType) -> dict[str, Any]:
    if isinstance(dtype, pl.Enum):
        return {"kind": "Enum", "categories": dtype.categories.to_list()}
    if isinstance(dtype, pl.Datetime):
        return {"kind": "Datetime", "time_unit": dtype.time_unit, "time_zone": dtype.time_zone}
    if isinstance(dtype, pl.Duration):
        return {"kind": "Duration", "time_unit": dtype.time_unit}
    name = dtype.base_type().__name__
    if name in _SIMPLE:
        return {"kind": name}
    raise SynthSpectrumError(f"dtype {dtype} cannot be stored")


def dtype_from_json(d: dict[str, Any]) -> pl.DataType:
    kind = d.get("kind")
    if kind == "Enum":
        return pl.Enum(d["categories"])
    if kind == "Datetime":
        return pl.Datetime(d.get("time_unit", "us"), d.get("time_zone"))
    if kind == "Duration":
        return pl.Duration(d.get("time_unit", "us"))
    if kind in _SIMPLE:
        return getattr(pl, kind)()
    raise SynthSpectrumError(f"the model file names an unknown dtype {d!r}")
