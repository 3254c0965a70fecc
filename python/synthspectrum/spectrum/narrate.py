"""The spectrum in plain words: what moving along it bought and cost on this data.

"Better" is closer to a measure's best value, as the measure registry
(:mod:`synthspectrum.measures.registry`) declares it; a difference is narrated as one only when
it exceeds its uncertainty over seeds (:data:`CLEAR_RULE`). With ``m = 1`` there is no such
estimate and no direction is claimed. The reference (real records no generator saw) is
reported with its measured values, and warned about when it lands far from the utility
measure's best value: then the measure cannot tell real from synthetic on these data.

What it says: aggregates only (means over synthetic sets); no record value.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from synthspectrum.measures import registry as measure_registry
from synthspectrum.spectrum.registry import REFERENCE
from synthspectrum.spectrum.result import SpectrumResult

# A difference between two generators is "clear" when it exceeds this many standard errors.
CLEAR_SE = 2.0
# How far the reference may land from a utility measure's best value before the run warns that
# the measure cannot tell real from synthetic on this data. An AUC: 0.1, or 3 standard
# deviations of the AUC of two samples of one distribution (Mann-Whitney,
# sd = sqrt((n1 + n2 + 1) / (12 n1 n2)), 0.12 at 100 + 100 records) when that is larger.
# S_pMSE within 2 of its best value 1 (under 3) is the registry's "good" band.
REFERENCE_TOLERANCE = {"AUC": 0.1, "AUC_cv": 0.1, "S_pMSE": 2.0}
AUC_MEASURES = {"AUC", "AUC_cv"}



CLEAR_RULE = (f"A difference between two generators is called clear only when the difference of their mean "
              f"distances from the measure's best value exceeds {CLEAR_SE:g} standard errors over seeds, "
              f"|d_b - d_a| > {CLEAR_SE:g} sqrt(sd_a^2 / m_a + sd_b^2 / m_b) (sd over a generator's m synthetic "
              "sets); otherwise it reads 'no clear difference'. With one set per generator (m = 1) there is no "
              "estimate of the noise over seeds, and no direction is claimed.")


def _compare(pa: dict[str, Any], pb: dict[str, Any], which: str) -> str:
    """``closer`` / ``farther`` (b against a, from the best value), ``same`` (within the noise
    of :data:`CLEAR_RULE`) or ``unknown`` (fewer than two seeds on one side)."""
    na, nb = pa[f"{which}_n"], pb[f"{which}_n"]
    sa, sb = pa[f"{which}_distance_sd"], pb[f"{which}_distance_sd"]
    if na < 2 or nb < 2 or sa is None or sb is None:
        return "unknown"
    diff = pb[f"{which}_distance"] - pa[f"{which}_distance"]
    if abs(diff) > CLEAR_SE * math.sqrt(sa**2 / na + sb**2 / nb):
        return "closer" if diff < 0 else "farther"
    return "same"


def explain(result: SpectrumResult) -> list[str]:
    """What moving along the spectrum bought and cost on this data, in plain words.

    "Better" is closer to a measure's best value (the measure registry's); a change is narrated as a
    change only when it is clear by :data:`CLEAR_RULE`."""
    pts = result.frontier_points()
    cfg = result.config
    got = {r["generator"]: r for r in pts.iter_rows(named=True)}
    order = [g for g in cfg.generators if g in got and g != REFERENCE]
    words = {"utility": {"closer": "improved", "farther": "worsened", "same": "no clear difference",
                         "unknown": "no uncertainty estimate (one set)"},
             "risk": {"closer": "fell", "farther": "rose", "same": "no clear difference",
                      "unknown": "no uncertainty estimate (one set)"}}
    lines = []
    if len(order) > 1 or (order and REFERENCE in got):
        if any(min(got[g]["utility_n"], got[g]["risk_n"]) < 2 for g in got):
            lines.append("With one synthetic set per generator (m = 1) there is no estimate of the noise over "
                         "seeds, so no difference below is called better or worse; run with m = 2 or more.")
        else:
            lines.append(f"How to read it: {CLEAR_RULE}")
    for a, b in zip(order, order[1:]):
        pa, pb = got[a], got[b]
        lines.append(
            f"From {a} to {b}: utility {words['utility'][_compare(pa, pb, 'utility')]} "
            f"({cfg.utility_measure} {pa['utility_mean']:.3f} -> {pb['utility_mean']:.3f}); "
            f"risk {words['risk'][_compare(pa, pb, 'risk')]} "
            f"({cfg.risk_measure} {pa['risk_mean']:.3f} -> {pb['risk_mean']:.3f}).")
    if REFERENCE in got:
        h = got[REFERENCE]
        spmse = result.results.filter((pl.col("generator") == REFERENCE) & (pl.col("section") == "general")
                                      & (pl.col("measure") == "S_pMSE"))["value"]
        measured = f"{cfg.utility_measure} {h['utility_mean']:.3f}" + (
            f", S_pMSE {spmse.mean():.2f}" if spmse.len() and cfg.utility_measure != "S_pMSE" else "")
        lines.append(f"The reference, real records no generator saw ('no synthesis'): {measured}; "
                     f"{cfg.risk_measure} {h['risk_mean']:.3f}.")
        better = [g for g in order if _compare(h, got[g], "utility") == "closer"]
        if better:
            lines.append(
                "Even real records differ from the training records by sampling noise: two independent real "
                f"samples score {measured} on these data. {', '.join(better)} came clearly closer to the "
                "training data than that: they follow the training records, their sampling noise included; how "
                "close they come to the records themselves is what the risk axis measures.")
    lines.extend(result.notes)
    sep = separated(result)
    if sep:
        from synthspectrum.evaluation.separation import SEPARATION_AUC

        who = "every generator, the reference too" if set(sep) >= set(got) and REFERENCE in got else ", ".join(sep)
        lines.append(f"The in-sample propensity model tells real from synthetic records apart (almost) perfectly "
                     f"for {who} (propensity AUC {SEPARATION_AUC:g} or more, mean over seeds): S_pMSE cannot be "
                     "read as good there (the tables grey out a good or acceptable S_pMSE), since a model that separates its "
                     "records scores about 2 whatever the synthetic data when it is as wide as the records.")
    for r in result.runs.filter(pl.col("status") == "skipped").iter_rows(named=True):
        if r["generator"] == "measures":
            lines.append(f"Measures skipped: {r['message']}.")
        else:
            lines.append(f"{r['generator']} was skipped: {r['message']}")
    for r in result.runs.filter(pl.col("status") == "failed").iter_rows(named=True):
        lines.append(f"{r['generator']} failed (seed {r['seed'] if r['seed'] is not None else 'all: the fit'}): "
                     f"{r['message']}")
    return lines


def separated(result: SpectrumResult) -> list[str]:
    """The generators (in the configuration's order) whose in-sample propensity model, by its mean
    AUC over seeds, separates real from synthetic records
    (:func:`synthspectrum.evaluation.separation.separates`, the rule the reports colour by)."""
    from synthspectrum.evaluation.separation import separates

    head = result.headline()
    if "propensity AUC" not in head.columns:
        return []
    return [g for g, auc in head.select("generator", "propensity AUC").iter_rows() if separates(auc)]


def reference_note(result: SpectrumResult, n_real: int, n_reference: int) -> str | None:
    """A warning when the reference lands far from the utility measure's best value: ``n_real``
    training records against sets of ``n_reference`` records."""
    cfg = result.config
    tol = REFERENCE_TOLERANCE.get(cfg.utility_measure)
    if tol is not None and cfg.utility_measure in AUC_MEASURES:
        tol = max(tol, 3 * math.sqrt((n_real + n_reference + 1) / (12 * n_real * n_reference)))
    ref = result.frontier_points().filter(pl.col("generator") == REFERENCE)
    if tol is None or ref.height == 0 or not ref["utility_distance"][0] > tol:
        return None
    best = measure_registry.get(cfg.utility_measure).best
    return (f"Even the reference, real records no generator saw, scores {cfg.utility_measure} "
            f"{ref['utility_mean'][0]:.3f}, {ref['utility_distance'][0]:.3f} from its best value {best:g} (more than "
            f"{tol:.3g}): on these data the measure tells real records apart almost as well as synthetic ones, so its "
            "differences between generators say little. More records, a lower maxorder or utility_measure = "
            "\"AUC_cv\" help.")
