"""Fitting a prepared frame with metasyn, then mending what it got wrong.

:func:`fit_unprotected` fits every column in this process (no privacy); with disclosure
control :mod:`synthspectrum.metadata.guard` fits column by column under a time limit.
:func:`refit_unsupported` refits a numeric column whose model can cross the column's sign or is
made of metasyn-disclosure's placeholders, without that distribution; :func:`collapsed` names
the columns that varied but whose model draws one value, only missing values or placeholders.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata.candidates import sign_safe_registry
from synthspectrum.metadata.checks import breaks_sign, collapse, is_placeholder
from synthspectrum.metadata.metaframes import json_ready, renamed, stand_ins
from synthspectrum.metadata.prepare import Prepared

PRIVACY_CHOICES = ("none", "disclosure")


def privacy_object(privacy: str, partition_size: int = 11, max_dominance: float = 0.5):
    """metasyn's privacy object for ``"none"`` or ``"disclosure"`` (metasyn-disclosure)."""
    from metasyn.privacy import BasicPrivacy, get_privacy

    if privacy == "none":
        return BasicPrivacy()
    try:
        return get_privacy("disclosure", {"partition_size": partition_size, "max_dominance": max_dominance})
    except ImportError:
        raise SynthSpectrumError(
            "privacy='disclosure' needs the metasyn-disclosure plugin: pip install metasyn-disclosure"
        ) from None




def var_dict(var) -> dict[str, Any]:
    """A MetaVar's GMF dict, JSON-ready."""
    return json_ready(var.to_dict())


def refit_unsupported(mf, prep: Prepared, fit_frame, attempts: int = 3):
    """Refit numeric columns whose fitted model crosses zero or is a placeholder, without that
    distribution.

    metasyn's sign-safe candidates can still fall back to a data-free default that crosses
    zero (metasyn-disclosure's truncated normal on [-1, 2], its constant 99999.9 for a column
    never above 0). And under disclosure control every bounded candidate scores an infinite
    BIC on the real data (its micro-aggregated bounds leave the real extremes outside), so
    metasyn-disclosure's placeholder categories (77777, 88888, 99999) can win for a column of
    counts. Drop that distribution for the column and fit again, a few times at most.
    """
    specs = {s["name"]: dict(s) for s in prep.var_specs}
    for name in prep.support:
        specs.setdefault(name, {"name": name})
    excluded: dict[str, set[str]] = {}
    notes: list[str] = []
    for _ in range(attempts):
        retry = []
        for var in mf.meta_vars:
            if var.name not in prep.support:
                continue
            d = var_dict(var)
            sign = prep.support[var.name]["sign"]
            if not (breaks_sign(d["distribution"], sign) or is_placeholder(d)):
                continue
            excluded.setdefault(var.name, set()).add(d["distribution"]["name"])
            registry = sign_safe_registry(sign, frozenset(excluded[var.name]))
            if registry.fitters:
                specs[var.name]["plugins"] = registry
                retry.append(var.name)
        if not retry:
            break
        sub, sub_notes = fit_frame(pl.DataFrame([prep.frame.get_column(n) for n in retry]),
                                   [specs[n] for n in retry], False)
        notes += sub_notes
        fitted = {var.name: var for var in sub.meta_vars}
        mf.meta_vars = [fitted.get(var.name, var) for var in mf.meta_vars]
    for var in mf.meta_vars:
        sign = prep.support.get(var.name, {}).get("sign")
        if breaks_sign(var_dict(var)["distribution"], sign):
            notes.append(f"column {var.name!r}: no model was found that keeps the column {sign}; "
                         "its synthetic values can cross zero")
    return mf, notes


def collapsed(mf, frame: pl.DataFrame, privacy: str) -> list[str]:
    """Warnings for columns that varied but whose model draws one value (by its parameters, or
    in practice), only missing values or placeholders."""
    out = []
    for var in mf.meta_vars:
        d = var_dict(var)
        why = collapse(d, frame.get_column(var.name), var)
        if why is not None:
            under = " under disclosure control" if privacy == "disclosure" else ""
            out.append(f"column {var.name!r} collapsed{under}: {why}; its synthetic values say "
                       "nothing about the real ones")
    return out


def fit_unprotected(frame: pl.DataFrame, var_specs, privacy_obj, progress: bool):
    """Fit every column of ``frame`` in this process; pattern-like names fit under stand-ins."""
    from metasyn import MetaFrame

    stand_in = stand_ins(frame.columns)
    specs = [{**s, "name": stand_in.get(s["name"], s["name"])} for s in var_specs]
    try:
        mf = MetaFrame.fit_dataframe(frame.rename(stand_in), var_specs=specs, privacy=privacy_obj,
                                     progress_bar=progress)
    except Exception as exc:  # name the column metasyn choked on, if it says
        raise SynthSpectrumError("metasyn could not fit the data", detail=f"{type(exc).__name__}: {exc}") from exc
    return renamed(mf, {v: k for k, v in stand_in.items()})
