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

The audit table quotes the values it finds, so it is exactly as sensitive as the model file.
Pass the real ``data`` to check bounds against the real extremes instead of inferring them.
``model`` may be a fitted model, a metasyn ``MetaFrame``, a GMF dict or the path of a model
file; dicts and files go through the loader that ``synthesize`` uses and are refused alike.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.frames import to_polars

SEVERITY_ORDER = {"high": 0, "medium": 1, "quality": 2, "low": 3, "info": 4}
FAR = 1.0  # a location more than this many range-widths outside the range is "far outside"
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


# --- what a fitted distribution can draw (shared with metadata.fit_metadata) ---------------

# metasyn-disclosure's fixed stand-ins when it cannot protect a column (micro-aggregation failed,
# or one category holds too many records): synthetic values that say nothing about the data.
PLACEHOLDER_LABELS = ([77777, 88888, 99999], ["A_REDACTED", "B_REDACTED", "C_REDACTED"])
PLACEHOLDER_CONSTANTS = (99999.9, 99999, "REDACTED")
# The rounded whole-number normals of metadata.distributions, which share metasyn's parameters
# (and its default distributions) with its truncating ones.
TRUNCATED_NORMALS = ("core.truncated_normal", "synthspectrum.rounded_truncated_normal")
NORMALS = ("core.normal", "synthspectrum.rounded_normal")
PLACEHOLDER_PARAMETERS = {  # metasyn's default distributions, used by the numeric fitters
    ("core.truncated_normal", "continuous"): {"lower": -1, "upper": 2, "mean": 0, "sd": 1},
    ("core.truncated_normal", "discrete"): {"lower": 2, "upper": 20, "mean": 0, "sd": 50},
    ("synthspectrum.rounded_truncated_normal", "discrete"): {"lower": 2, "upper": 20, "mean": 0, "sd": 50},
    ("core.normal", "continuous"): {"mean": 0, "sd": 1},
    ("core.normal", "discrete"): {"mean": 2, "sd": 20},
    ("synthspectrum.rounded_normal", "discrete"): {"mean": 2, "sd": 20},
    ("core.lognormal", "continuous"): {"mean": 0, "sd": 1},
    ("core.exponential", "continuous"): {"rate": 1.0},
    ("core.uniform", "continuous"): {"lower": 0, "upper": 1},
}


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        try:
            x = float(x)
        except (TypeError, ValueError):
            return None
    return float(x)


def draw_range(dist: dict[str, Any]) -> tuple[float, float] | None:
    """Smallest and largest value a numeric GMF distribution can draw (``None``: not numeric or
    unknown). Truncated normals and uniforms stay within their stored bounds; normal has no
    bound; exponential, log-normal and Poisson draw only values >= 0."""
    name = dist.get("name", "")
    par = dist.get("parameters") or {}
    if name == "core.uniform" or name in TRUNCATED_NORMALS:
        lo, hi = _num(par.get("lower")), _num(par.get("upper"))
        return (lo, hi) if lo is not None and hi is not None else None
    if name == "core.constant":
        v = _num(par.get("value"))
        return (v, v) if v is not None else None
    if name in NORMALS:
        return (-math.inf, math.inf)
    if name in ("core.exponential", "core.lognormal", "core.poisson"):
        return (0.0, math.inf)
    if name == "core.unique_key":
        lo = _num(par.get("lower"))
        return (lo, math.inf) if lo is not None else None
    if name == "core.multinoulli":
        labels = [_num(x) for x in par.get("labels", [])]
        if labels and all(x is not None for x in labels) and not any(isinstance(x, str) for x in par["labels"]):
            return (min(labels), max(labels))
    return None


def breaks_sign(dist: dict[str, Any], sign: str | None) -> bool:
    """Whether a distribution can draw a value of the wrong sign for a column that is
    ``"non-negative"`` (never below 0) or ``"non-positive"`` (never above 0)."""
    rng = draw_range(dist)
    if sign is None or rng is None:
        return False
    return rng[0] < 0 if sign == "non-negative" else rng[1] > 0


def is_placeholder(var: dict[str, Any]) -> bool:
    """A model made of metasyn-disclosure's fixed stand-ins instead of the data."""
    dist = var.get("distribution") or {}
    name, par = dist.get("name", ""), dist.get("parameters") or {}
    if name == "core.multinoulli":
        return [x for x in par.get("labels", [])] in PLACEHOLDER_LABELS
    if name == "core.constant":
        return par.get("value") in PLACEHOLDER_CONSTANTS and _privacy_name(var) != "none"
    want = PLACEHOLDER_PARAMETERS.get((name, var.get("type")))
    if want is None or _privacy_name(var) == "none":
        return False
    return all(_num(par.get(k)) == float(v) for k, v in want.items())


def single_value(var: dict[str, Any]) -> str | None:
    """What a model draws when it draws one thing only: ``"only missing values"``,
    ``"a single value"``, or ``None`` when it can draw more than one value."""
    dist = var.get("distribution") or {}
    name, par = dist.get("name", ""), dist.get("parameters") or {}
    if float(var.get("prop_missing", 0.0) or 0.0) >= 1.0 or name == "core.na":
        return "only missing values"
    if name == "core.constant":
        return "a single value"
    if name == "core.multinoulli":
        return "a single value" if sum(float(p) > 0 for p in par.get("probs", [])) <= 1 else None
    if name == "core.uniform" or name in TRUNCATED_NORMALS:
        lo, hi = _num(par.get("lower")), _num(par.get("upper"))
        if lo is not None and hi is not None and hi - lo <= 1e-6 * max(1.0, abs(lo)):
            return "a single value"
    if name in NORMALS or name == "core.lognormal":
        sd = _num(par.get("sd"))
        if sd is not None and sd <= 1e-8:
            return "a single value"
    return None


DRAWS = 2000  # draws that look for a model which, in practice, gives one value only


def _one_value_in_practice(metavar, real: pl.Series) -> bool:
    """A numeric model that drew one value only in :data:`DRAWS` seeded draws, where the real
    column's commonest value would fill all of them with a chance below 1e-9 (a truncated
    normal of 0/1 data whose mean sits far below 0 never draws the 1s)."""
    import numpy as np

    dist = getattr(metavar, "distribution", None)
    if dist is None or getattr(metavar, "var_type", None) not in ("discrete", "continuous"):
        return False
    state = np.random.get_state()
    try:
        np.random.seed(0)
        draws = pl.Series("value", dist.draw_list(DRAWS, {}), strict=False)
    except Exception:  # a distribution that cannot draw alone (dependencies): no verdict
        return False
    finally:
        np.random.set_state(state)
    if draws.drop_nulls().n_unique() > 1:
        return False
    present = real.drop_nulls()
    if present.len() == 0:
        return False
    p_max = float(present.value_counts(sort=True, name="n")["n"][0]) / present.len()
    return p_max < 1 and DRAWS * np.log(p_max) < np.log(1e-9)


def collapse(var: dict[str, Any], real: pl.Series | None, metavar=None) -> str | None:
    """Why the model of a column that varied (``real``: its values, if known) gives synthetic
    values that say nothing about it; ``None`` if it does not. The text holds no real value.
    With the fitted ``metavar`` and ``real``, a model that draws one value in practice counts too."""
    what = "metasyn-disclosure's placeholder values" if is_placeholder(var) else single_value(var)
    if what is None and metavar is not None and real is not None and _one_value_in_practice(metavar, real):
        what = "a single value in practice"
    if what is None:
        return None
    if real is not None:
        present = real.drop_nulls()
        k = present.n_unique()
        if present.len() == 0 or (k < 2 and what != "only missing values"):
            return None  # nothing was lost: the real column held one value (or none)
        return f"the real column has {k} distinct value(s), its model draws {what}"
    return f"the model draws {what}"


def far_location(dist: dict[str, Any]) -> str | None:
    """A truncated normal whose mean lies far outside its bounds (more than ``FAR`` widths)."""
    if dist.get("name") not in TRUNCATED_NORMALS:
        return None
    par = dist.get("parameters") or {}
    lo, hi, mean = _num(par.get("lower")), _num(par.get("upper")), _num(par.get("mean"))
    if None in (lo, hi, mean) or hi <= lo:
        return None
    width = hi - lo
    if lo - FAR * width <= mean <= hi + FAR * width:
        return None
    return (f"mean={mean:.6g} on [{lo:.6g}, {hi:.6g}], {abs(mean - (lo if mean < lo else hi)) / width:.0f} "
            "range-widths outside: inside the range the curve is a tail (decaying or flat), not a bell, "
            "and the mean is no typical value")


def _privacy_name(var: dict[str, Any]) -> str:
    fitter = (var.get("creation_method") or {}).get("fitter") or {}
    if isinstance(fitter, list):
        fitter = fitter[0] if fitter else {}
    return (fitter.get("privacy") or {}).get("name", "none")


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


def column_sign(s: pl.Series) -> str | None:
    """``"non-negative"`` for a numeric column never below 0, ``"non-positive"`` for one never
    above 0 (and some value below), else ``None`` (mixed signs, not numeric, or no values)."""
    if not s.dtype.is_numeric() or s.dtype == pl.Boolean:
        return None
    x = s.drop_nulls()
    if x.dtype.is_float():
        x = x.filter(x.is_finite())
    if x.len() == 0:
        return None
    if x.min() >= 0:
        return "non-negative"
    if x.max() <= 0:
        return "non-positive"
    return None


def _model(model):
    """``(GMF document, MetaFrame)`` of anything ``audit`` takes, read and checked as
    ``synthesize`` would read it."""
    from synthspectrum.metadata.model import MetadataModel, load, model_from_gmf

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


def audit(model, data: Any = None, k: int = 10) -> pl.DataFrame:
    """Findings about what ``model`` discloses, and where it cannot give sensible values.

    ``model``: a :class:`MetadataModel`, a metasyn ``MetaFrame``, a GMF dict or a model file
    path (dicts and files are read by :func:`synthspectrum.metadata.load`'s rules, so a model
    that ``synthesize`` refuses is refused here with the same error). Returns a polars frame
    (column, distribution, privacy, severity, finding, detail), most severe first. ``k``: a
    category standing for fewer than ``k`` records is "rare".
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise SynthSpectrumError(f"k must be a whole number >= 1, got {k!r}")
    gmf, metaframe = _model(model)
    metavars = {v.name: v for v in metaframe.meta_vars}
    table = gmf["tables"][0] if "tables" in gmf else gmf
    n_rows = int(table["n_rows"])
    real = to_polars(data, "data")[0] if data is not None else None
    signs = {name: s.get("sign") for name, s in
             ((gmf.get("provenance") or {}).get("synthspectrum", {}).get("support") or {}).items()}
    rows = [{"column": "(table)", "distribution": "", "privacy": "", "severity": "info",
             "finding": "number of records stored", "detail": f"n_rows = {n_rows}"}]
    for var in table["vars"]:
        rows.extend(_audit_var(var, n_rows, k, real, signs.get(var["name"]), metavars.get(var["name"])))
    df = pl.DataFrame(rows, schema={c: pl.String for c in rows[0]})
    return (
        df.with_columns(pl.col("severity").replace_strict(SEVERITY_ORDER, return_dtype=pl.Int8).alias("_o"))
        .with_row_index("_i").sort(["_o", "_i"]).drop("_o", "_i")
    )


def format_audit(findings: pl.DataFrame) -> str:
    """Plain-text table of audit findings, one line each, for terminals and logs."""
    lines = []
    for r in findings.iter_rows(named=True):
        lines.append(f"{r['severity'].upper():<7} {r['column']:<24} {r['finding']}: {r['detail']}")
    counts = findings["severity"].value_counts()
    summary = ", ".join(f"{c[1]} {c[0]}" for c in sorted(counts.iter_rows(), key=lambda x: SEVERITY_ORDER[x[0]]))
    return "\n".join(lines + [f"({summary})"])
