"""R's synthpop from Python: the R side of the package.

``bridge`` moves frames between polars/pandas and R losslessly, ``session`` starts R, loads the
R twin (``r/synthspectrum.R``) and calls it, ``wrappers`` holds synthpop's functions under
their Python names (``syn``, ``utility_gen``, ``disclosure``...), ``twins`` declares the
measures that exist natively, here and in R with one contract. Nothing outside this package
imports those modules: what other wings need is here, by name, and importing this package
starts nothing (R starts at the first call that needs it).

The R side's checks, for other wings: :func:`synthpop_status` (state and reason; ``rscript=``
asks a fresh Rscript), :func:`synthpop_available`, :func:`require_synthpop` (raises the reason),
:func:`twin_file` (where ``synthspectrum.R`` is), :func:`r_home_problem`; and the bridge,
:func:`to_r`, :func:`from_r`, :func:`rinterface`, for code that runs R itself.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from synthspectrum.synthpop.twins import REQUIRED, TWINS, Twin

_WRAPPERS = ["SynResult", "syn", "utility_gen", "utility_tab", "utility_tables", "Comparison", "compare",
             "replicated_uniques", "disclosure", "multi_disclosure", "sdc", "Fit", "lm_synds", "glm_synds",
             "compare_fit"]
_SESSION = ["SynthpopStatus", "synthpop_status", "synthpop_available", "require_synthpop", "twin_file"]
_BRIDGE = ["r_home_problem", "to_r", "from_r", "rinterface"]
_HOME = {**{n: "wrappers" for n in _WRAPPERS}, **{n: "session" for n in _SESSION}, **{n: "bridge" for n in _BRIDGE}}

__all__ = [*_WRAPPERS, *_SESSION, *_BRIDGE, "TWINS", "Twin", "REQUIRED"]


def __getattr__(name: str) -> Any:
    # imported on first use (PEP 562): the wrappers pull in polars, pandas and rpy2's loader
    if name in _HOME:
        value = getattr(import_module(f"synthspectrum.synthpop.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'synthspectrum.synthpop' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
