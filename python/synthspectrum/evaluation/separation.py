"""When the propensity model separates real from synthetic records: the one rule every report
(the evaluation's and the spectrum's) reads before it calls S_pMSE good.

S_pMSE is pMSE over its expectation under the null, (k - 1)(1 - c)^2 c / N (k the model's
parameters, N the records, c the synthetic share). A model that tells the two apart in sample
(AUC at or near 1) puts pMSE at its maximum, c(1 - c), whatever the data, so S_pMSE is then
N / ((k - 1)(1 - c)): as the model widens towards the records (k near N, "too wide for these
data") it falls to 1 / (1 - c), 2 for two sets of one size, inside the registry's "good" band
(under 3) for any synthetic data, random noise and real records alike. The spectrum's runner
warns of this before fitting when even main effects have as many columns as records; the rule
here reads the fitted model itself, so it also holds when a model narrower than that separates.

Where it applies (:func:`separates`: in-sample propensity AUC of :data:`SEPARATION_AUC` or
more, or as far below 0.5), :func:`verdict` withholds S_pMSE's "good" and "acceptable": the
value reads :data:`UNREADABLE` (not readable). A "poor" S_pMSE stays poor. Only the propensity
model's S_pMSE: a table's S_pMSE (the keys' cross-table) has no propensity model.

What it discloses: nothing of its own; it words numbers the caller passes.
"""

from __future__ import annotations

import math
from typing import Any

# An in-sample propensity AUC this far from 0.5 (0.99 or more, 0.01 or less): the model ranks
# 99% of the (synthetic, real) pairs of records right, i.e. tells the two sets apart record by
# record; S_pMSE is then near its ceiling N / ((k - 1)(1 - c)) whatever the synthetic data.
SEPARATION_AUC = 0.99
UNREADABLE = "unreadable"  # the verdict word (and CSS class) of an S_pMSE withheld by the rule
UNREADABLE_WORDS = "not readable: the propensity model separates real from synthetic"
WITHHELD = frozenset({"good", "acceptable"})
MEASURE = "S_pMSE"


def separates(auc: Any) -> bool:
    """Whether an in-sample propensity AUC says the model tells real from synthetic records apart
    (almost) perfectly; False for a missing value."""
    if auc is None:
        return False
    try:
        a = float(auc)
    except (TypeError, ValueError):
        return False
    return math.isfinite(a) and abs(a - 0.5) >= SEPARATION_AUC - 0.5


def verdict(measure: str, value: Any, auc: Any = None) -> str | None:
    """The registry's verdict word for ``value`` of ``measure`` (good / acceptable / poor, None
    without bands), except that the propensity model's S_pMSE reads :data:`UNREADABLE` instead
    of good or acceptable when that model's in-sample ``auc`` :func:`separates`. ``auc``: None
    for a measure of no propensity model (a table's S_pMSE)."""
    from synthspectrum.measures import registry

    m = registry.MEASURES.get(measure)
    if m is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    word = m.band(value)
    if measure == MEASURE and word in WITHHELD and separates(auc):
        return UNREADABLE
    return word


def parameters(pmse: float, s_pmse: float, n_real: int, n_synthetic: int) -> int | None:
    """The propensity model's parameters k, from its pMSE and S_pMSE (S_pMSE = pMSE /
    ((k - 1)(1 - c)^2 c / N)); None when they do not tell."""
    n = n_real + n_synthetic
    if not (n_real and n_synthetic) or not all(math.isfinite(v) for v in (pmse, s_pmse)) or s_pmse <= 0:
        return None
    c = n_synthetic / n
    return int(round(pmse / s_pmse * n / ((1 - c) ** 2 * c))) + 1


def sentence(auc: float, pmse: float, s_pmse: float, n_real: int, n_synthetic: int) -> str:
    """Why S_pMSE is not read as good here, in words: the AUC, pMSE against its maximum and, when
    the records say it, the model's parameters against the records."""
    from synthspectrum.spectrum.runner import RECORDS_PER_COLUMN  # the spectrum's rule of thumb, one copy

    n = n_real + n_synthetic
    c = n_synthetic / n if n else float("nan")
    k = parameters(pmse, s_pmse, n_real, n_synthetic)
    wide = ""
    if k is not None:
        per = n / k
        wide = (f" With about {k:,} parameters for {n:,} records (real and synthetic), {per:.1f} records per "
                "parameter, " + (f"fewer than {RECORDS_PER_COLUMN}, the model is too wide for these records: it "
                                 "can fit their noise, and would likely separate two samples of the real data too."
                                 if per < RECORDS_PER_COLUMN else "the model is not too wide for them: the "
                                 "synthetic records differ from the real ones in a way it sees in every record."))
    s_text = f"{s_pmse:.3g}" if math.isfinite(s_pmse) else "not applicable"
    return (f"The propensity model tells real from synthetic records apart (almost) perfectly: in-sample AUC "
            f"{auc:.3f}, pMSE {pmse:.3g} where its maximum for these sizes is {c * (1 - c):.3g}.{wide} "
            f"S_pMSE ({s_text}) cannot be read as good here: a model that separates its records scores about "
            "N / ((k - 1)(1 - c)) whatever the synthetic data, 2 for a saturated model of two sets of one size. "
            "Read the per-column measures (KSComplement, TVComplement) and the relations between columns, or "
            "measure fewer columns or more records.")


def propensity_auc(measures: Any) -> float | None:
    """The in-sample propensity AUC of an evaluation's tidy table (section general), or None."""
    import polars as pl

    f = measures.filter((pl.col("section") == "general") & (pl.col("measure") == "AUC"))
    return f["value"][0] if f.height else None


def evaluation_sentence(measures: Any, settings: dict[str, Any]) -> str | None:
    """:func:`sentence` for an evaluation (its tidy table and settings) whose propensity model
    :func:`separates`; None when it does not."""
    import polars as pl

    auc = propensity_auc(measures)
    if not separates(auc):
        return None
    general = dict(measures.filter(pl.col("section") == "general").select("measure", "value").iter_rows())
    sizes = settings.get("samples", {}).get("propensity", {})
    n_real = sizes.get("real", settings.get("n_real", 0))
    n_syn = sizes.get("synthetic", settings.get("n_synthetic", 0))
    return sentence(auc, general.get("pMSE", float("nan")), general.get(MEASURE, float("nan")), n_real, n_syn)
