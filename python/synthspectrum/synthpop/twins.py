"""The twins: measures that exist three times, with one contract.

Each twin is a Python-native measure (:mod:`synthspectrum.measures`), a synthpop wrapper
(:mod:`synthspectrum.synthpop`) and an R function of the same name in ``r/synthspectrum.R``.
All three take ``parameters`` first, with these names, in this order, with these defaults
(``REQUIRED`` for none), and return the tidy shape ``measure``, ``column``, ``value`` with the
measures in ``measures`` (the wrapper and the R twin add a leading ``set`` for m > 1 synthetic
sets; the native adds rows for what a bound left out). Further parameters are each side's own
(the native's bounds; the wrapper's ``verbose`` and synthpop's own arguments). ``tests/test_twins.py``
walks this list. Declared as names, so importing it starts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED = "<required>"


@dataclass(frozen=True)
class Twin:
    """One twin: ``native`` and ``wrapper`` as ``"module:function"``, ``r`` the R function's name."""

    name: str
    native: str
    wrapper: str
    r: str
    parameters: tuple[tuple[str, object], ...]
    measures: tuple[str, ...]
    column: str  # what ``column`` holds: "null", "vars", "keys" (joined by " x ") or "target"


TWINS: tuple[Twin, ...] = (
    Twin("utility_gen", "synthspectrum.measures.utility:utility_gen", "synthspectrum.synthpop:utility_gen",
         "utility_gen", (("real", REQUIRED), ("synthetic", REQUIRED), ("method", "logit"), ("maxorder", 1)),
         ("pMSE", "S_pMSE", "SPECKS", "PO50", "U", "AUC"), "null"),
    Twin("utility_tab", "synthspectrum.measures.utility:utility_tab", "synthspectrum.synthpop:utility_tab",
         "utility_tab", (("real", REQUIRED), ("synthetic", REQUIRED), ("vars", REQUIRED), ("ngroups", 5)),
         ("pMSE", "S_pMSE", "df", "VW", "S_VW", "FT", "S_FT", "JSD", "S_JSD"), "vars"),
    Twin("replicated_uniques", "synthspectrum.measures.privacy:replicated_uniques",
         "synthspectrum.synthpop:replicated_uniques", "replicated_uniques",
         (("real", REQUIRED), ("synthetic", REQUIRED), ("keys", REQUIRED)),
         ("uniques_real", "uniques_synthetic", "synthetic_uniques_in_real", "replicated_uniques",
          "replicated_uniques_percent"), "keys"),
    Twin("disclosure", "synthspectrum.measures.privacy:disclosure", "synthspectrum.synthpop:disclosure",
         "disclosure", (("real", REQUIRED), ("synthetic", REQUIRED), ("keys", REQUIRED), ("target", REQUIRED)),
         ("UiO", "UiS", "UiOiS", "repU", "Dorig", "Dsyn", "iS", "DiS", "DiSCO", "DiSDiO"), "target"),
)
