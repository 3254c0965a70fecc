"""Every measure declares itself: section, what it needs, its best value, direction and range.

As SDMetrics' metrics declare ``goal``, ``min_value`` and ``max_value``, each measure here is a
:class:`Measure` in :data:`MEASURES`. The frontier, the Pareto set, the narration ("better" /
"worse") and the reports' colouring read this registry; nothing else hard-codes which way is
better. ``goal`` is one of

* ``"target"``: the best value lies inside the range and distance is ``|value - best|`` either
  way (a propensity AUC of 0.45 is as far from ideal as 0.55);
* ``"minimize"``: lower is better, distance is ``value - best``;
* ``"maximize"``: higher is better, distance is ``best - value``.

``bands`` turn a value into a verdict for a reader: ``(limit, word)`` pairs on the distance from
best, the first whose limit the distance does not exceed wins, e.g. S_pMSE within 2 of its best
value 1 (under 3) is "good" (Raab, Nowok & Dibben 2021).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthspectrum.errors import SynthSpectrumError

GOALS = ("target", "minimize", "maximize")
SECTIONS = ("utility", "privacy")
NEEDS = frozenset({"keys", "target", "holdout"})


@dataclass(frozen=True)
class Measure:
    name: str
    section: str  # "utility" or "privacy"
    label: str  # what it is, in a few words a learner reads
    goal: str  # see GOALS
    best: float
    min_value: float
    max_value: float
    needs: frozenset[str] = frozenset()  # from NEEDS: keys, target, holdout
    bands: tuple[tuple[float, str], ...] = ()
    reference: str = ""

    def __post_init__(self):
        if self.goal not in GOALS:
            raise SynthSpectrumError(f"measure {self.name!r}: goal must be one of {GOALS}, got {self.goal!r}")
        if self.section not in SECTIONS:
            raise SynthSpectrumError(f"measure {self.name!r}: section must be one of {SECTIONS}, got {self.section!r}")
        if not self.min_value <= self.best <= self.max_value:
            raise SynthSpectrumError(f"measure {self.name!r}: best {self.best} lies outside [{self.min_value}, {self.max_value}]")
        if not set(self.needs) <= NEEDS:
            raise SynthSpectrumError(f"measure {self.name!r}: needs must be among {sorted(NEEDS)}")

    def distance(self, value: Any) -> Any:
        """How far ``value`` (a number or numpy array) is from the best value (>= 0 inside the range)."""
        x = np.asarray(value, dtype=float)
        if self.goal == "target":
            return np.abs(x - self.best)
        return x - self.best if self.goal == "minimize" else self.best - x

    def best_words(self) -> str:
        if self.goal == "target":
            return f"{self.best:g} is best"
        return "lower is better" if self.goal == "minimize" else "higher is better"

    def band(self, value: Any) -> str | None:
        """The verdict word for ``value`` (None when the measure has no bands or the value is missing)."""
        if not self.bands or value is None or not math.isfinite(float(value)):
            return None
        d = float(self.distance(value))
        for limit, word in self.bands:
            if d <= limit:
                return word
        return "poor"


MEASURES: dict[str, Measure] = {}


def register_measure(measure: Measure) -> Measure:
    MEASURES[measure.name] = measure
    return measure


def get(name: str) -> Measure:
    try:
        return MEASURES[name]
    except KeyError:
        raise SynthSpectrumError(f"unknown measure {name!r}; known: {', '.join(MEASURES)}") from None


def distance_from_best(name: str, value: Any) -> Any:
    """How far ``value`` is from measure ``name``'s best value."""
    return get(name).distance(value)


_SNOKE = "Snoke, Raab, Nowok, Dibben & Slavkovic (2018), JRSS A 181(3)"
_RAAB = "Raab, Nowok & Dibben (2021), Assessing, visualizing and improving the utility of synthetic data"
_DISCLOSURE = "Raab, Nowok & Dibben (2025), Practical privacy metrics for synthetic data"
for _m in [
    Measure("pMSE", "utility", "propensity mean squared error", "minimize", 0.0, 0.0, 0.25, reference=_SNOKE),
    Measure("S_pMSE", "utility", "standardised pMSE (1 is what chance gives)", "target", 1.0, 0.0, math.inf,
            bands=((2.0, "good"), (9.0, "acceptable")), reference=_RAAB),
    Measure("AUC", "utility", "propensity AUC, in sample", "target", 0.5, 0.0, 1.0, reference=_SNOKE),
    Measure("AUC_cv", "utility", "propensity AUC, out of sample", "target", 0.5, 0.0, 1.0, reference=_SNOKE),
    Measure("share_closer_to_training", "privacy",
            "share of synthetic records closer to training than to holdout records", "target", 0.5, 0.0, 1.0,
            needs=frozenset({"holdout"}),
            reference="Platzer & Reutterer (2021), Holdout-based fidelity and privacy assessment"),
    Measure("membership_auc", "privacy", "membership inference AUC (distance to closest record)", "target",
            0.5, 0.0, 1.0, needs=frozenset({"holdout"})),
    Measure("replicated_uniques_percent", "privacy", "replicated uniques, % of training records", "minimize",
            0.0, 0.0, 100.0, needs=frozenset({"keys"}), reference=_DISCLOSURE),
    Measure("DiSCO", "privacy", "% of training records whose target is disclosed correctly", "minimize",
            0.0, 0.0, 100.0, needs=frozenset({"keys", "target"}), reference=_DISCLOSURE),
]:
    register_measure(_m)
