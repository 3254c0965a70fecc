"""Every measure declares itself: group (utility or privacy), what it needs, its best value, direction and range.

As SDMetrics' metrics declare ``goal``, ``min_value`` and ``max_value``, each measure here is a
:class:`Measure` in :data:`MEASURES`. The frontier, the Pareto set, the narration ("better" /
"worse") and the reports' colouring read this registry; nothing else hard-codes which way is
better. ``goal`` is one of

* ``"target"``: the best value lies inside the range and distance is ``|value - best|`` either
  way (a propensity AUC of 0.45 is as far from ideal as 0.55);
* ``"minimize"``: lower is better, distance is ``value - best``;
* ``"maximize"``: higher is better, distance is ``best - value``;
* ``"ignore"`` (SDMetrics' ``Goal.IGNORE``): the number describes the data and has no better or
  worse (a count of uniques in the real data, a median distance); ``best`` is NaN, its distance
  NaN, and :func:`better` refuses it.

``bands`` turn a value into a verdict for a reader: ``(limit, word)`` pairs on the distance from
best, the first whose limit the distance does not exceed wins, e.g. S_pMSE within 2 of its best
value 1 (under 3) is "good" (Raab, Nowok & Dibben 2021). Bands are given only where the
literature gives them. Every measure name the native measures emit is declared here (the rows
for what a bound left out, ``LEFT_OUT_MEASURES``, are notes, not measures); a name shared by two
measures (pMSE and S_pMSE of the propensity model and of a table) is one statistic with one
direction. Declarations hold no data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthspectrum.errors import SynthSpectrumError

GOALS = ("target", "minimize", "maximize", "ignore")
GROUPS = ("utility", "privacy")
PER = ("frame", "column", "pair", "table", "term")  # what one value of a measure describes
NEEDS = frozenset({"keys", "target", "holdout"})


@dataclass(frozen=True)
class Measure:
    name: str
    group: str  # "utility" or "privacy": the measure frames' ``group`` column
    label: str  # what it is, in a few words a learner reads
    goal: str  # see GOALS
    best: float
    min_value: float
    max_value: float
    needs: frozenset[str] = frozenset()  # from NEEDS: keys, target, holdout
    bands: tuple[tuple[float, str], ...] = ()
    reference: str = ""
    per: str = "frame"  # one value per: "frame" (a whole synthetic set), "column", "pair", "table" or "term"

    def __post_init__(self):
        if self.goal not in GOALS:
            raise SynthSpectrumError(f"measure {self.name!r}: goal must be one of {GOALS}, got {self.goal!r}")
        if self.group not in GROUPS:
            raise SynthSpectrumError(f"measure {self.name!r}: group must be one of {GROUPS}, got {self.group!r}")
        if self.goal == "ignore":
            if not math.isnan(self.best) or self.bands:
                raise SynthSpectrumError(f"measure {self.name!r}: a measure without a goal has no best value or bands")
        elif not self.min_value <= self.best <= self.max_value:
            raise SynthSpectrumError(f"measure {self.name!r}: best {self.best} lies outside [{self.min_value}, {self.max_value}]")
        if not set(self.needs) <= NEEDS:
            raise SynthSpectrumError(f"measure {self.name!r}: needs must be among {sorted(NEEDS)}")
        if self.per not in PER:
            raise SynthSpectrumError(f"measure {self.name!r}: per must be one of {PER}, got {self.per!r}")

    def distance(self, value: Any) -> Any:
        """How far ``value`` (a number or numpy array) is from the best value (>= 0 inside the range)."""
        x = np.asarray(value, dtype=float)
        if self.goal == "ignore":
            return x * np.nan
        if self.goal == "target":
            return np.abs(x - self.best)
        return x - self.best if self.goal == "minimize" else self.best - x

    def best_words(self) -> str:
        if self.goal == "ignore":
            return "describes the data (no better or worse)"
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


def better(name: str, a: Any, b: Any) -> bool:
    """Whether value ``a`` of measure ``name`` is strictly closer to its best value than ``b``
    (a propensity AUC of 0.5 is better than 0.45, and 0.45 no better than 0.55). A missing value
    is better than nothing and worse than nothing. A measure without a goal has no better."""
    m = get(name)
    if m.goal == "ignore":
        raise SynthSpectrumError(f"measure {name!r} describes the data: no value of it is better than another")
    da, db = float(m.distance(a)), float(m.distance(b))
    return bool(da < db)  # False when either is NaN


_SDM = "SDMetrics (DataCebo), single-column metrics"
_SNOKE = "Snoke, Raab, Nowok, Dibben & Slavkovic (2018), General and specific utility measures for synthetic data, JRSS A 181(3)"
_RAAB = "Raab, Nowok & Dibben (2021), Assessing, visualizing and improving the utility of synthetic data"
_DISCLOSURE = "Raab, Nowok & Dibben (2025), Practical privacy metrics for synthetic data"
_DCR = "Platzer & Reutterer (2021), Holdout-based empirical assessment of mixed-type synthetic data, Frontiers in Big Data"
_INF = math.inf
_NAN = math.nan
_KEYS = frozenset({"keys"})
_KEYS_TARGET = frozenset({"keys", "target"})
_HOLDOUT = frozenset({"holdout"})


def _u(name, label, goal, best, lo, hi, reference, needs=frozenset(), bands=(), per="frame"):
    return Measure(name, "utility", label, goal, best, lo, hi, needs=needs, bands=bands, reference=reference, per=per)


def _p(name, label, goal, best, lo, hi, reference, needs=frozenset(), per="frame"):
    return Measure(name, "privacy", label, goal, best, lo, hi, needs=needs, reference=reference, per=per)


for _m in [
    # univariate (synthspectrum.measures.marginal)
    _u("KS", "Kolmogorov-Smirnov distance of a number's distributions", "minimize", 0.0, 0.0, 1.0, _SDM, per="column"),
    _u("KSComplement", "1 - Kolmogorov-Smirnov distance (numbers, dates)", "maximize", 1.0, 0.0, 1.0, _SDM, per="column"),
    _u("TVD", "total variation distance of a category's distributions", "minimize", 0.0, 0.0, 1.0, _SDM, per="column"),
    _u("TVComplement", "1 - total variation distance (categories)", "maximize", 1.0, 0.0, 1.0, _SDM, per="column"),
    _u("missing_share_difference", "difference in the share of missing values", "minimize", 0.0, 0.0, 1.0,
       _SDM + " (MissingValueSimilarity = 1 - this)", per="column"),
    _u("coverage", "share of the real range or categories the synthetic data cover", "maximize", 1.0, 0.0, 1.0,
       _SDM + " (RangeCoverage, CategoryCoverage)", per="column"),
    # association differences, synthetic - real (synthspectrum.measures.bivariate)
    _u("NMI", "difference in normalised mutual information (synthetic - real)", "target", 0.0, -1.0, 1.0,
       "Strehl & Ghosh (2002), Cluster ensembles, JMLR 3 (geometric normalisation)", per="pair"),
    _u("Spearman", "difference in Spearman's rho (synthetic - real)", "target", 0.0, -2.0, 2.0,
       "Spearman (1904), The proof and measurement of association between two things", per="pair"),
    _u("CramersV", "difference in Cramer's V (synthetic - real)", "target", 0.0, -1.0, 1.0,
       "Cramer (1946), Mathematical Methods of Statistics", per="pair"),
    # general utility: propensity scores (synthspectrum.measures.propensity); pMSE and S_pMSE also of a table
    _u("pMSE", "propensity mean squared error", "minimize", 0.0, 0.0, 0.25, _SNOKE),
    _u("S_pMSE", "standardised pMSE (1 is what chance gives)", "target", 1.0, 0.0, _INF, _RAAB,
       bands=((2.0, "good"), (9.0, "acceptable"))),  # S_pMSE under 3 good, under 10 acceptable
    _u("SPECKS", "Kolmogorov-Smirnov distance of the propensity scores", "minimize", 0.0, 0.0, 1.0,
       _RAAB + " (synthpop's utility.gen)"),
    _u("PO50", "percentage by which the propensity model beats 50% accuracy", "target", 0.0, -50.0, 50.0,
       _RAAB + " (synthpop's utility.gen)"),
    _u("U", "Mann-Whitney statistic of the propensity scores (n_syn n_real / 2 is chance)", "ignore", _NAN, 0.0,
       _INF, "Mann & Whitney (1947); synthpop's utility.gen"),
    _u("AUC", "propensity AUC, in sample", "target", 0.5, 0.0, 1.0,
       _SNOKE + "; Hanley & McNeil (1982), the AUC as U / (n_syn n_real)"),
    _u("AUC_cv", "propensity AUC, out of sample (cross-validated)", "target", 0.5, 0.0, 1.0,
       "Hastie, Tibshirani & Friedman (2009), Elements of Statistical Learning, 7.10"),
    # table utility (synthspectrum.measures.tables): the table's variables are the keys in evaluate
    _u("df", "degrees of freedom of the table (non-empty cells - 1)", "ignore", _NAN, 0.0, _INF, _RAAB, _KEYS, per="table"),
    _u("VW", "Voas-Williamson statistic of the table", "minimize", 0.0, 0.0, _INF,
       "Voas & Williamson (2001), goodness-of-fit measures for synthetic microdata; " + _RAAB, _KEYS, per="table"),
    _u("S_VW", "Voas-Williamson statistic over its degrees of freedom (1 is chance)", "target", 1.0, 0.0, _INF,
       _RAAB, _KEYS, per="table"),
    _u("FT", "Freeman-Tukey statistic of the table", "minimize", 0.0, 0.0, _INF,
       "Freeman & Tukey (1950), Ann Math Stat 21; " + _RAAB, _KEYS, per="table"),
    _u("S_FT", "Freeman-Tukey statistic over its degrees of freedom (1 is chance)", "target", 1.0, 0.0, _INF,
       _RAAB, _KEYS, per="table"),
    _u("JSD", "Jensen-Shannon divergence of the table's cell shares (base 2)", "minimize", 0.0, 0.0, 1.0,
       "Lin (1991), IEEE Trans Inf Theory 37; " + _RAAB, _KEYS, per="table"),
    _u("S_JSD", "standardised Jensen-Shannon divergence (1 is chance)", "target", 1.0, 0.0, _INF, _RAAB, _KEYS, per="table"),
    # specific utility (synthspectrum.measures.specific), per model term
    _u("std_coef_diff", "difference of a coefficient in real standard errors", "target", 0.0, -_INF, _INF, _SNOKE, per="term"),
    _u("ci_overlap", "overlap of the real and synthetic confidence intervals", "maximize", 1.0, -_INF, 1.0,
       "Karr, Kohnen, Oganian, Reiter & Sanil (2006), Am Stat 60(3)", per="term"),
    # exact matches and replicated uniques (synthspectrum.measures.matching)
    _p("exact_matches", "synthetic records identical to a real record", "minimize", 0.0, 0.0, _INF,
       "a copy of a real record"),
    _p("exact_match_share", "share of synthetic records identical to a real record", "minimize", 0.0, 0.0, 1.0,
       "a copy of a real record"),
    _p("copied_values", "synthetic values of an identifier-like column that are a real record's", "minimize", 0.0,
       0.0, _INF, "a real record's identifier, name or text copied", per="column"),
    _p("copied_value_share", "share of an identifier-like column's synthetic values that are a real record's",
       "minimize", 0.0, 0.0, 1.0, "a real record's identifier, name or text copied", per="column"),
    _p("uniques_real", "key combinations unique in the real data", "ignore", _NAN, 0.0, _INF, _DISCLOSURE, _KEYS),
    _p("uniques_synthetic", "key combinations unique in the synthetic data", "ignore", _NAN, 0.0, _INF,
       _DISCLOSURE, _KEYS),
    _p("synthetic_uniques_in_real", "synthetic uniques whose keys are in the real data", "ignore", _NAN, 0.0, _INF,
       _DISCLOSURE, _KEYS),
    _p("replicated_uniques", "real uniques replicated as synthetic uniques", "minimize", 0.0, 0.0, _INF,
       _DISCLOSURE + "; synthpop's replicated.uniques", _KEYS),
    _p("replicated_uniques_percent", "replicated uniques, % of real records", "minimize", 0.0, 0.0, 100.0,
       _DISCLOSURE + "; synthpop's replicated.uniques", _KEYS),
    # identity and attribute disclosure, % of real records (synthspectrum.measures.matching)
    _p("UiO", "% of real records unique on the keys", "ignore", _NAN, 0.0, 100.0, _DISCLOSURE, _KEYS_TARGET),
    _p("UiS", "% of synthetic records unique on the keys", "ignore", _NAN, 0.0, 100.0, _DISCLOSURE, _KEYS_TARGET),
    _p("UiOiS", "% of real records unique on the keys whose keys are in the synthetic data", "ignore", _NAN,
       0.0, 100.0, _DISCLOSURE, _KEYS_TARGET),
    _p("repU", "% of real records unique on the keys and replicated as synthetic uniques", "minimize", 0.0, 0.0,
       100.0, _DISCLOSURE, _KEYS_TARGET),
    _p("Dorig", "% of real records whose target the real data disclose (the baseline)", "ignore", _NAN, 0.0, 100.0,
       _DISCLOSURE, _KEYS_TARGET),
    _p("Dsyn", "% of synthetic records whose target the synthetic data disclose", "ignore", _NAN, 0.0, 100.0,
       _DISCLOSURE, _KEYS_TARGET),
    _p("iS", "% of real records whose keys are in the synthetic data", "ignore", _NAN, 0.0, 100.0, _DISCLOSURE,
       _KEYS_TARGET),
    _p("DiS", "% of real records whose keys disclose one target in the synthetic data", "ignore", _NAN, 0.0, 100.0,
       _DISCLOSURE, _KEYS_TARGET),
    _p("DiSCO", "% of real records whose target is disclosed correctly", "minimize", 0.0, 0.0, 100.0, _DISCLOSURE,
       _KEYS_TARGET),
    _p("DiSDiO", "% of real records disclosed correctly and disclosive in the real data", "minimize", 0.0, 0.0,
       100.0, _DISCLOSURE, _KEYS_TARGET),
    # distances (synthspectrum.measures.distance)
    _p("share_closer_to_training", "share of synthetic records closer to a real (training) than to a holdout record",
       "target", 0.5, 0.0, 1.0, _DCR, _HOLDOUT),
    _p("median_dcr_training", "median distance of a synthetic record to its closest real (training) record",
       "ignore", _NAN, 0.0, 1.0, _DCR, _HOLDOUT),
    _p("median_dcr_holdout", "median distance of a synthetic record to its closest holdout record", "ignore", _NAN,
       0.0, 1.0, _DCR, _HOLDOUT),
    _p("share_dcr_zero", "share of synthetic records at distance 0 from a real (training) record", "minimize", 0.0,
       0.0, 1.0, _DCR, _HOLDOUT),
    _p("membership_auc", "membership inference AUC (distance to closest record)", "target", 0.5, 0.0, 1.0,
       "Shokri, Stronati, Song & Shmatikov (2017), Membership inference attacks, IEEE S&P; " + _DCR, _HOLDOUT),
]:
    register_measure(_m)
