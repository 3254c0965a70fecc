"""Model files are metasyn's own GMF documents, with our notes under provenance only."""

import json

import numpy as np
import polars as pl

from synthspectrum.metadata.files import FORMAT_KEY
from synthspectrum.metadata.model import fit_metadata, load


def test_our_file_is_metasyns_own_document_plus_our_notes(tmp_path):
    rng = np.random.default_rng(2)
    df = pl.DataFrame({"n": rng.integers(0, 50, 300), "x": rng.normal(size=300),
                       "c": ["a", "b", "c"] * 100, "m": pl.Series([1.5, None] * 150)})
    model = fit_metadata(df)
    ours = json.loads(model.save(tmp_path / "ours.json").read_text())
    model.metaframe.save_json(tmp_path / "metasyn.json")  # metasyn writes the same MetaFrame itself
    theirs = json.loads((tmp_path / "metasyn.json").read_text())
    notes = ours["provenance"].pop(FORMAT_KEY)
    for doc in (ours, theirs):
        doc["provenance"].pop("creation time")
    assert ours == theirs
    assert set(notes) == {"frame_kind", "dtypes", "privacy", "notes", "support"}
    assert notes["support"]["n"] == {"sign": "non-negative", "whole": False}
    # and it reads back into a model that draws the same rows
    assert load(tmp_path / "ours.json").synthesize(40, seed=3).equals(model.synthesize(40, seed=3))
