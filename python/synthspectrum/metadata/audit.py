"""Audit what a metadata model file itself discloses, column by column.

A metasyn model (GMF file) is often shared on the grounds that it is "only metadata". It can
still hold real values: a uniform or truncated-normal fit stores the real minimum and maximum,
a categorical stores every label with its exact frequency (a label seen once points at one
person), a regex learnt from text can copy whole words, a constant says everyone's value.
``audit`` lists each such finding with a severity:

* ``high``   — a value tied to very few real records (an extreme, a rare category);
* ``medium`` — real text or a value shared by all records, copied into the model;
* ``low``    — aggregate information (exact frequencies, a learnt pattern, micro-aggregated bounds);
* ``info``   — what every model says (the number of rows, the columns).

Beside disclosure, ``quality`` findings say where the model cannot give sensible synthetic
values (sorted between ``medium`` and ``low``):

* a collapsed column: the model draws a single value, only missing values, or the fixed
  placeholder metasyn-disclosure uses when its micro-aggregation fails (labels such as
  ``A_REDACTED`` or ``77777``, a constant ``99999.9``, a normal(0, 1)) while the real column
  varied (checked against ``data`` when given; without it, any single-valued or placeholder
  model is flagged);
* a fitted location far outside the stored range (a truncated normal on [0, 100] whose
  mean is -34,632, more than one range-width out): the shape is then a decaying or flat
  tail, not a bell, and its mean is no typical value;
* a model that can draw values of the wrong sign: negative values for a column that is never
  negative (or the reverse), judged from ``data`` or, for models fitted by synthspectrum, from
  the sign recorded in the model file.

A column's dtype is stored too: an Enum's levels, a pandas categorical's categories, including
levels the model does not draw (disclosure control leaves rare labels out of the model, not out
of the dtype). Such levels are named: ``high`` when the real data shows one held by fewer than
``k`` records, ``medium`` when a protected model left them out and no data says how many hold
them, ``low`` otherwise (levels no record holds, or held by many).

The audit table quotes the values it finds, so it is exactly as sensitive as the model file.
Pass the real ``data`` to check bounds against the real extremes instead of inferring them.
``model`` may be a fitted model, a metasyn ``MetaFrame``, a GMF dict or the path of a model
file; dicts and files go through the loader that ``synthesize`` uses and are refused alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from synthspectrum.core.frames import require_columns, to_polars
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata.checks import breaks_sign, collapse, column_sign, far_location
from synthspectrum.metadata.model import MetadataModel, load, model_from_gmf

SEVERITY_ORDER = {"high": 0, "medium": 1, "quality": 2, "low": 3, "info": 4}
BOUND_KEYS = ("lower", "upper", "low", "high", "minimum", "maximum")
LITERAL_RUN = 3  # letters or digits in a row that count as copied text


def _literal_runs(regex: str) -> list[str]:
    """Runs of literal characters in a regex (single-character classes like ``[u]`` count)."""
    runs, cur, i = [], "", 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            if nxt.isalnum():  # \d, \w, \s... are classes, not literals
                runs.append(cur)
                cur = ""
            else:
                cur += nxt
            i += 2
            continue
        if ch == "[":
            end = regex.find("]", i + 2)
            end = len(regex) - 1 if end < 0 else end
            body = regex[i + 1:end]
            if len(body) == 1 or (len(body) == 2 and body[0] == "\\"):
                cur += body[-1]
            else:
                runs.append(cur)
                cur = ""
            i = end + 1
            continue
        if ch == "{":
            end = regex.find("}", i)
            i = len(regex) if end < 0 else end + 1
            continue
        if ch in "()|?*+.^$":
            runs.append(cur)
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    runs.append(cur)
    return [r for r in runs if sum(ch.isalnum() for ch in r) >= LITERAL_RUN]



def _real_extremes(data: pl.DataFrame | None, name: str) -> list[tuple[Any, int]] | None:
    """The real minimum and maximum of a column, each with the number of records holding it."""
    if data is None or name not in data.columns:
        return None
    s = data.get_column(name).drop_nulls()
    if s.len() == 0 or not (s.dtype.is_numeric() or s.dtype.is_temporal()):
        return None
    out = []
    for v in (s.min(), s.max()):
        out.append((str(v) if s.dtype.is_temporal() else v, int((s == v).sum())))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a)[:10] == str(b)[:10] if len(str(a)) >= 10 and len(str(b)) >= 10 else str(a) == str(b)
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def _audit_var(var: dict[str, Any], n_rows: int, k: int, data: pl.DataFrame | None,
               sign: str | None = None, metavar=None) -> list[dict[str, str]]:
    name = var["name"]
    dist = var.get("distribution", {})
    dname = dist.get("name", "?")
    params = dist.get("parameters", {}) or {}
    fitter = (var.get("creation_method") or {}).get("fitter") or {}
    privacy = (fitter.get("privacy") or {}).get("name", "none")
    protected = privacy != "none"
    out: list[dict[str, str]] = []

    def add(severity: str, finding: str, detail: str) -> None:
        out.append({"column": name, "distribution": dname, "privacy": privacy,
                    "severity": severity, "finding": finding, "detail": detail})

    n_present = round(n_rows * (1 - float(var.get("prop_missing", 0.0))))
    if dname.endswith("unique_key"):
        add("low", "smallest key stored", f"keys start at {params.get('lower')}")
    bounds = {key: params[key] for key in BOUND_KEYS if key in params}
    if bounds and not dname.endswith("unique_key"):
        extremes = _real_extremes(data, name)
        shown = ", ".join(f"{key}={val}" for key, val in bounds.items())
        if extremes is not None:
            hits = [(key, count) for key, val in bounds.items() for ext, count in extremes if _same(val, ext)]
            lone = [(key, count) for key, count in hits if count < k]
            if lone:
                add("high", "real extreme value stored",
                    "; ".join(f"{key}={bounds[key]} is the real extreme, held by {c} record(s)" for key, c in lone))
            elif hits:
                add("low", "real extremes stored, shared by many",
                    f"{shown}: the real extremes, each held by >= {k} records")
            else:
                add("low", "bounds stored", f"{shown}: not the real extremes")
        elif protected:
            size = ((fitter.get("privacy") or {}).get("parameters") or {}).get("partition_size", "several")
            add("low", "micro-aggregated bounds stored", f"{shown} (averages of >= {size} records under {privacy})")
        else:
            add("high", "real extreme value stored",
                f"{shown}: a fit without privacy stores the real minimum and maximum")
    if dname.endswith("multinoulli"):
        labels = [str(x) for x in params.get("labels", [])]
        probs = [float(p) for p in params.get("probs", [])]
        if len(labels) == 1:
            add("medium", "constant value copied", f"the model draws only {labels[0]!r}")
        rare = [(lab, p * n_present) for lab, p in zip(labels, probs) if 0 < p * n_present < k]
        for lab, count in rare:
            add("high", "rare category", f"{lab!r} stands for about {round(count)} record(s) (< {k})")
        if labels and not protected:
            add("low", "exact frequency table", f"{len(labels)} labels; counts recoverable as p x {n_present}")
    if dname.endswith("constant"):
        add("medium", "constant value copied", f"the model draws only {params.get('value')!r}")
    regex = None
    if "regex_data" in params:
        regex = (params["regex_data"] or {}).get("regex")
    elif "re_list" in params:
        regex = "|".join(str(r[0]) for r in params["re_list"])
    if regex:
        copied = _literal_runs(regex)
        if copied:
            add("medium", "text copied into a regex",
                f"literal text {', '.join(repr(c) for c in copied[:5])}{' ...' if len(copied) > 5 else ''}")
        else:
            add("low", "character pattern learnt from text", f"regex of {len(regex)} characters")
    for key, val in params.items():
        if key in ("labels", "regex_data", "re_list") or not isinstance(val, list):
            continue
        if val and all(isinstance(x, str) for x in val):
            add("medium", "words from the real data stored", f"{key}: {len(val)} entries, e.g. {val[:3]}")
    real = data.get_column(name) if data is not None and name in data.columns else None
    why = collapse(var, real, metavar)
    if why is not None:
        add("quality", "collapsed column", f"{why}: its synthetic values say nothing about the real ones")
    far = far_location(dist)
    if far is not None:
        add("quality", "location far outside the range", far)
    if real is not None:
        sign = column_sign(real)
    if breaks_sign(dist, sign):
        side = "below 0; the column is never negative" if sign == "non-negative" else "above 0; the column is never positive"
        add("quality", "can draw values of the wrong sign", f"{dname} can draw values {side}")
    return out


def _dtype_levels(notes: dict[str, Any], name: str) -> list[str]:
    """The levels a column's stored dtype names (a pandas categorical's categories, an Enum's), as text."""
    pandas = (notes.get("pandas_dtypes") or {}).get(name) or {}
    if pandas.get("pandas") == "category":
        return [str(v) for v in pandas.get("categories") or []]
    polars = (notes.get("dtypes") or {}).get(name) or {}
    if polars.get("kind") == "Enum":
        return [str(v) for v in polars.get("categories") or []]
    return []


def _shown(labels: list[str], limit: int = 5) -> str:
    return ", ".join(repr(lab) for lab in labels[:limit]) + (" ..." if len(labels) > limit else "")


def _audit_levels(var: dict[str, Any], levels: list[str], k: int, data: pl.DataFrame | None) -> list[dict[str, str]]:
    """Findings about the levels a column's dtype stores beyond those its model draws."""
    name = var["name"]
    dist = var.get("distribution", {})
    dname = dist.get("name", "?")
    drawn = {str(x) for x in (dist.get("parameters") or {}).get("labels", [])} if dname.endswith("multinoulli") else set()
    left = [lab for lab in levels if lab not in drawn]
    if not left:
        return []
    fitter = (var.get("creation_method") or {}).get("fitter") or {}
    privacy = (fitter.get("privacy") or {}).get("name", "none")

    def row(severity: str, finding: str, detail: str) -> dict[str, str]:
        return {"column": name, "distribution": dname, "privacy": privacy, "severity": severity,
                "finding": finding, "detail": detail}

    real = data.get_column(name) if data is not None and name in data.columns else None
    if real is not None and (real.dtype == pl.String or isinstance(real.dtype, (pl.Categorical, pl.Enum))):
        counts = dict(real.cast(pl.String).drop_nulls().value_counts().iter_rows())
        rare = [lab for lab in left if 0 < counts.get(lab, 0) < k]
        rest = [lab for lab in left if lab not in rare]
        out = [row("high", "rare category stored in the dtype",
                   f"{lab!r} is held by {counts[lab]} record(s) (< {k}): the model does not draw it, but the "
                   "column's dtype stores it as a level") for lab in rare]
        if rest:
            out.append(row("low", "category levels stored in the dtype",
                           f"{len(rest)} level(s) the model does not draw, held by no record or by >= {k}: "
                           f"{_shown(rest)}"))
        return out
    if privacy != "none":
        return [row("medium", "category levels stored in the dtype",
                    f"{len(left)} level(s) the protected model left out are stored in the column's dtype, "
                    f"held by an unknown number of records (pass the real data to count them): {_shown(left)}")]
    return [row("low", "category levels stored in the dtype",
                f"{len(left)} level(s) the model does not draw are stored in the column's dtype: {_shown(left)}")]


def _model(model):
    """``(GMF document, MetaFrame)`` of anything ``audit`` takes, read and checked as
    ``synthesize`` would read it."""
    if isinstance(model, (str, Path)):
        model = load(model)
    elif isinstance(model, dict):
        model = model_from_gmf(model, "the model dict")
    if isinstance(model, MetadataModel):
        return model.to_dict(), model.metaframe
    if type(model).__name__ == "MetaFrame" and hasattr(model, "to_dict"):
        from synthspectrum.metadata.metaframes import json_ready

        return json_ready(model.to_dict()), model
    raise SynthSpectrumError(
        "audit takes a fitted model, a metasyn MetaFrame, a GMF dict or a model file path, "
        f"not {type(model).__name__}"
    )


def audit(model, real: Any = None, k: int = 10) -> pl.DataFrame:
    """Findings about what ``model`` discloses, and where it cannot give sensible values.

    ``model``: a :class:`MetadataModel`, a metasyn ``MetaFrame``, a GMF dict or a model file
    path (dicts and files are read by :func:`synthspectrum.metadata.load`'s rules, so a model
    that ``synthesize`` refuses is refused here with the same error). Returns a polars frame
    (column, distribution, privacy, severity, finding, detail), most severe first. ``k``: a
    category standing for fewer than ``k`` records is "rare". ``real``: the real data the model
    was fitted on (optional), to check stored bounds against the real extremes.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise SynthSpectrumError(f"k must be a whole number >= 1, got {k!r}")
    gmf, metaframe = _model(model)
    metavars = {v.name: v for v in metaframe.meta_vars}
    table = gmf["tables"][0] if "tables" in gmf else gmf
    n_rows = int(table["n_rows"])
    real = to_polars(real, "real data")[0] if real is not None else None
    if real is not None:  # a column missing from the data would silently lose its real-extreme check
        require_columns(real, [var["name"] for var in table["vars"]], "real data")
    notes = (gmf.get("provenance") or {}).get("synthspectrum", {})
    notes = notes if isinstance(notes, dict) else {}
    signs = {name: s.get("sign") for name, s in (notes.get("support") or {}).items()}
    rows = [{"column": "(table)", "distribution": "", "privacy": "", "severity": "info",
             "finding": "number of records stored", "detail": f"n_rows = {n_rows}"}]
    for var in table["vars"]:
        rows.extend(_audit_var(var, n_rows, k, real, signs.get(var["name"]), metavars.get(var["name"])))
        rows.extend(_audit_levels(var, _dtype_levels(notes, var["name"]), k, real))
    df = pl.DataFrame(rows, schema={c: pl.String for c in rows[0]})
    return (
        df.with_columns(pl.col("severity").replace_strict(SEVERITY_ORDER, return_dtype=pl.Int8).alias("_o"))
        .with_row_index("_i").sort(["_o", "_i"]).drop("_o", "_i")
    )


def format_audit(findings: pl.DataFrame) -> str:
    """Plain-text table of audit findings, one line each, for terminals and logs."""
    if not isinstance(findings, pl.DataFrame) or "severity" not in findings.columns:
        raise SynthSpectrumError(f"format_audit takes the frame that audit returns, not {type(findings).__name__}")
    lines = []
    for r in findings.iter_rows(named=True):
        lines.append(f"{r['severity'].upper():<7} {r['column']:<24} {r['finding']}: {r['detail']}")
    counts = findings["severity"].value_counts()
    summary = ", ".join(f"{c[1]} {c[0]}" for c in sorted(counts.iter_rows(), key=lambda x: SEVERITY_ORDER[x[0]]))
    return "\n".join(lines + [f"({summary})"])
