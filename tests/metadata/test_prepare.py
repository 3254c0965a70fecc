"""Data preparation for metasyn (metadata.prepare)."""

import polars as pl

from synthspectrum.metadata.prepare import prepare


def test_prepare_notes_what_it_did():
    df = pl.DataFrame({"t": ["a", "b"] * 20, "x": [1.0, float("nan")] * 20, "k": range(40)})
    notes = prepare(df).notes
    assert any(n.startswith("t: text with 2 distinct values") for n in notes)
    assert any(n.startswith("x: 20 NaN") for n in notes)
    assert any(n.startswith("k: every value distinct") for n in notes)
