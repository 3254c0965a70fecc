"""Model files: metasyn's Generative Metadata Format (GMF) as JSON, with our notes added.

A model file is metasyn's own document (``MetaFrame.to_dict``) plus, under
``provenance["synthspectrum"]``, what this layer needs to give users their frames back: the
frame kind, each column's dtype, the privacy settings, the fit's notes and the sign and
whole-number rule kept per column, and for a model fitted on a pandas frame each column's pandas
dtype (:mod:`synthspectrum.metadata.pandas_dtypes`; a file without it, written before, loads and
gives polars' own conversion). Whole-number columns name the rounded normals of
:mod:`synthspectrum.metadata.distributions`; plain metasyn reads such a file where
synthspectrum is installed (and refuses it where it is not).

What the file discloses is listed in :mod:`synthspectrum.metadata.model`; run
:func:`synthspectrum.metadata.audit` on it before sharing it. Every error here is one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata.metaframes import json_ready

FORMAT_KEY = "synthspectrum"


def gmf_document(metaframe, notes: dict[str, Any]) -> dict[str, Any]:
    """The GMF document (a dict, JSON-ready) of ``metaframe``, with ``notes`` under
    ``provenance["synthspectrum"]``."""
    gmf = json_ready(metaframe.to_dict())
    gmf["provenance"][FORMAT_KEY] = notes
    return gmf


def write_gmf(gmf: dict[str, Any], path: str | Path, force: bool = False) -> Path:
    """Check ``gmf`` against metasyn's schema and write it to ``path`` atomically; an existing
    file is replaced only if synthspectrum wrote it, or with ``force`` (see
    :mod:`synthspectrum.io.outputs`)."""
    from metasyn.gmf import parse_gmf_dict

    from synthspectrum.io.outputs import check_output, write_text

    path = check_output(path, [".json"], what="model file", force=force)
    parse_gmf_dict(json.loads(json.dumps(gmf)), validate=True)
    return write_text(path, json.dumps(gmf, indent=2))


def read_gmf(path: str | Path) -> dict[str, Any]:
    """The JSON document in the file at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise SynthSpectrumError(f"no model file at {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SynthSpectrumError(f"{path} is not a JSON model file: {exc}") from None


def one_line(exc: Exception, limit: int = 300) -> str:
    """Another library's error as one short line."""
    # jsonschema's errors quote the whole schema and document over many lines; its .message is the point
    text = str(getattr(exc, "message", None) or exc or type(exc).__name__)
    path = "/".join(str(p) for p in getattr(exc, "absolute_path", []) or [])
    line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    line = f"{line} (at {path})" if path else line
    return line if len(line) <= limit else line[:limit - 3] + "..."


def metaframe_from_gmf(gmf: Any, source: str = "the model", is_file: bool = False, validate: bool = True):
    """``(MetaFrame, our notes)`` from a GMF document (a dict), checked by metasyn's schema;
    ``source`` names the document in the one-line error. ``gmf`` itself is not changed.
    ``validate=False`` skips the schema (0.5 s a document: jsonschema checks the schema itself
    each time) for a document this package just made with ``to_dict()``, never a user's file."""
    from metasyn import MetaFrame

    if not isinstance(gmf, dict) or "tables" not in gmf and "vars" not in gmf:
        raise SynthSpectrumError(f"{source} is {'JSON but ' if is_file else ''}not a metasyn GMF model file")
    provenance = gmf.get("provenance")
    notes = provenance.get(FORMAT_KEY, {}) if isinstance(provenance, dict) else {}
    if not isinstance(notes, dict):
        notes = {}
    try:
        mf = MetaFrame.load_json(json.loads(json.dumps(gmf)), validate=validate)  # a copy: metasyn edits what it reads
    except Exception as exc:  # metasyn raises many kinds here; the user needs one line
        raise SynthSpectrumError(f"{source} is not a valid GMF model: {one_line(exc)}") from None
    return mf, notes
