"""The tidy measure frame: one row per (measure, column), the shape every measure returns."""

from __future__ import annotations

from typing import Any, Iterable

import polars as pl

SCHEMA = {"measure": pl.String, "column": pl.String, "value": pl.Float64}


def measure_frame(rows: Iterable[dict[str, Any]], extra: dict[str, pl.DataType] | None = None) -> pl.DataFrame:
    """Rows ``{"measure", "column", "value", ...}`` as a polars frame with the tidy schema
    (``column`` is null for a measure of the whole frame; ``extra`` adds typed columns)."""
    return pl.DataFrame(list(rows), schema={**SCHEMA, **(extra or {})}, orient="row")
