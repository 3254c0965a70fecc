"""New metasyn MetaFrames from old ones, never changing the old (it may be the caller's).

metasyn selects columns by name and polars reads names like ``^a.*$`` as patterns, so such
columns are fitted and drawn under neutral stand-ins; and a MetaFrame may hold metasyn's
truncating whole-number normals, drawn here as the rounded ones of
:mod:`synthspectrum.metadata.distributions`. Both give a new MetaFrame whose variables are new
MetaVar objects; the distributions of the variables left as they were are shared.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np


# Names metasyn cannot fit under: its fitters call polars' value_counts, whose result columns
# are "count" and "proportion", so a data column of either name collides with them.
CLASHING = frozenset({"count", "proportion"})


def stand_ins(names: Sequence[str]) -> dict[str, str]:
    """Neutral stand-ins (name -> stand-in) for the names polars reads as a regex (``^a.*$``)
    and for those that collide with polars' own result columns (:data:`CLASHING`)."""
    return {n: f"synthspectrum_column_{i}" for i, n in enumerate(names)
            if (n.startswith("^") and n.endswith("$")) or n in CLASHING}


def _rebuilt(metaframe, change: Callable[[Any], dict[str, Any]]):
    """A new MetaFrame whose variables are copies with ``change(var)`` applied (name=,
    distribution=); ``metaframe`` itself if no variable changes."""
    from metasyn import MetaFrame, MetaVar

    changes = [change(var) for var in metaframe.meta_vars]
    if not any(changes):
        return metaframe
    meta_vars = [
        var if not ch else MetaVar(ch.get("name", var.name), var.var_type, ch.get("distribution", var.distribution),
                                   var.dtype, var.description, var.prop_missing, var.creation_method, var.hidden)
        for var, ch in zip(metaframe.meta_vars, changes)
    ]
    return MetaFrame(meta_vars, metaframe.n_rows, metaframe.file_format, name=metaframe.name)


def renamed(metaframe, names: dict[str, str]):
    """``metaframe`` with its variables renamed by ``names`` (old -> new), as a new MetaFrame."""
    return _rebuilt(metaframe, lambda var: {"name": names[var.name]} if var.name in names else {})


def with_distributions(metaframe, distributions: dict[str, Any]):
    """``metaframe`` with the variables named in ``distributions`` (name -> distribution) drawing
    from those, as a new MetaFrame; ``metaframe`` itself if none is named."""
    return _rebuilt(metaframe, lambda var: {"distribution": distributions[var.name]}
                    if var.name in distributions else {})


def rounded_metaframe(metaframe):
    """``metaframe`` with metasyn's truncating whole-number normals replaced by the rounded ones
    (same parameters), as a new MetaFrame; ``metaframe`` itself if it holds none."""
    from synthspectrum.metadata.distributions import rounded

    def change(var):
        dist = rounded(var.distribution)
        return {} if dist is var.distribution else {"distribution": dist}

    return _rebuilt(metaframe, change)


def json_ready(data: Any) -> Any:
    """``data`` (a GMF dict from metasyn's ``to_dict``) with numpy numbers and arrays made plain
    Python, as ``json`` needs them."""
    if isinstance(data, (list, tuple)):
        return [json_ready(d) for d in data]
    if isinstance(data, dict):
        return {key: json_ready(value) for key, value in data.items()}
    if isinstance(data, np.ndarray):
        return json_ready(data.tolist())
    if isinstance(data, np.integer):
        return int(data)
    if isinstance(data, np.floating):
        return float(data)
    if isinstance(data, np.bool_):
        return bool(data)
    return data
