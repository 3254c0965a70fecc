"""The alert for real values copied into identifier-like columns
(:func:`synthspectrum.measures.matching.copied_values`).

Why an alert of its own: exact_match_share compares whole records and every other measure leaves
identifier-like columns out, so a synthetic set whose records are new but whose record numbers,
names or free-text notes are real ones reads as safe everywhere else.

What it discloses: column names and counts, never a value.
"""

from __future__ import annotations

import polars as pl


def sentence(measures: pl.DataFrame) -> str | None:
    """One sentence naming the identifier-like columns with copied values (most first), or None."""
    f = measures.filter(pl.col("measure").is_in(["copied_values", "copied_value_share"]))
    if f.height == 0:
        return None
    wide = f.pivot(on="measure", index="column", values="value", aggregate_function="first")
    wide = wide.filter(pl.col("copied_values") > 0).sort("copied_values", descending=True)
    if wide.height == 0:
        return None
    parts = [f"{r['column']!r} {int(r['copied_values'])} of {round(r['copied_values'] / r['copied_value_share'])} "
             f"({r['copied_value_share']:.0%})" for r in wide.iter_rows(named=True)]
    return ("Real values copied into identifier-like columns (record numbers, names, free text: a shared value "
            "most likely points at one person), synthetic values that are a real record's: " + ", ".join(parts)
            + ". The other measures leave these columns out; drop them before synthesis, or model them "
            "with privacy=\"disclosure\" (fake values).")
