"""What a fitted metasyn distribution can draw, read from its GMF dict: its range, whether it
can cross zero, whether it is made of metasyn-disclosure's placeholders or draws one value only.

Shared by the fit (which refits a column whose model crosses its sign or is a placeholder, and
warns about a collapsed one) and the audit (which reports them). The texts returned name no
real value.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

FAR = 1.0  # a location more than this many range-widths outside the range is "far outside"

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
