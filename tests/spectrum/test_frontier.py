"""What the spectrum's numbers say, on constructed results: ranking by distance from each
measure's best value, narration only of differences beyond the noise over seeds, the measured
reference value, failure counts, and a frontier plot that leaves the caller's backend alone."""

import math

import polars as pl
import pytest

from synthspectrum.measures import registry as measures
from synthspectrum.spectrum import SpectrumConfig, SpectrumResult, explain, plot_frontier
from synthspectrum.spectrum.narrate import CLEAR_SE

RUNS_SCHEMA = {"generator": pl.String, "seed": pl.Int64, "status": pl.String, "message": pl.String,
               "seconds": pl.Float64}


def constructed(values: dict[str, list[tuple[float, float]]], utility="AUC_cv", risk="share_closer_to_training",
                extra: list[dict] = (), runs: list[dict] = ()) -> SpectrumResult:
    """A result whose generator g has (utility, risk) values[g][i] for seed i."""
    rows = []
    for g, pairs in values.items():
        for i, (u, r) in enumerate(pairs):
            rows.append({"generator": g, "seed": 1000 + i, "group": "utility", "section": "general",
                         "measure": utility, "column": None, "value": u})
            rows.append({"generator": g, "seed": 1000 + i, "group": "privacy", "section": "privacy",
                         "measure": risk, "column": None, "value": r})
    rows.extend(extra)
    results = pl.DataFrame(rows, schema={"generator": pl.String, "seed": pl.Int64, "group": pl.String,
                                         "section": pl.String, "measure": pl.String, "column": pl.String,
                                         "value": pl.Float64})
    m = max(len(p) for p in values.values())
    cfg = SpectrumConfig(generators=list(values), m=m, utility_measure=utility, risk_measure=risk, keys=[], target="")
    return SpectrumResult(results, pl.DataFrame(list(runs), schema=RUNS_SCHEMA), cfg)


def flags(result):
    return dict(result.frontier_points().select("generator", "pareto").iter_rows())


def test_an_auc_below_half_does_not_beat_half():
    # same risk; AUC 0.45 is 0.05 from its best value 0.5, so 0.5 dominates it (lower-is-better
    # would have it the other way round)
    res = constructed({"under": [(0.45, 0.6)], "exact": [(0.50, 0.6)]})
    assert flags(res) == {"under": False, "exact": True}
    # 0.45 (0.05 off) is closer to ideal than 0.56 (0.06 off)
    res = constructed({"under": [(0.45, 0.6)], "over": [(0.56, 0.6)]})
    assert flags(res) == {"under": True, "over": False}
    pts = res.frontier_points()
    assert pts["utility_distance"].to_list() == pytest.approx([0.05, 0.06])


def test_each_measure_has_its_own_best_value():
    assert measures.get("S_pMSE").best == 1 and measures.get("share_closer_to_training").best == 0.5
    assert measures.get("S_pMSE").distance(0.7) == pytest.approx(0.3)
    assert measures.get("S_pMSE").distance(1.2) == pytest.approx(0.2)
    # a share of 0.4 closer to training is as far from the ideal 0.5 as 0.6
    res = constructed({"a": [(0.6, 0.40)], "b": [(0.6, 0.55)]})
    assert flags(res) == {"a": False, "b": True}
    # replicated uniques: lower is better, the best value 0
    res = constructed({"a": [(0.6, 2.0)], "b": [(0.6, 1.0)]}, risk="replicated_uniques_percent")
    assert flags(res) == {"a": False, "b": True}


def test_differences_inside_the_noise_are_no_clear_difference():
    # generator a: AUC 0.5, 0.6, 0.7 (distance from 0.5: mean 0.1, sd 0.1); b = a + delta.
    # Standard error of the difference: sqrt(0.1^2/3 + 0.1^2/3) = 0.0816; 2 SE = 0.163.
    se = math.sqrt(0.1**2 / 3 * 2)
    assert CLEAR_SE * se == pytest.approx(0.1633, abs=1e-4)
    base = [0.5, 0.6, 0.7]
    risk = [0.50, 0.51, 0.52]
    cases = [([x + 0.16 for x in base], "no clear difference"), ([x + 0.17 for x in base], "worsened")]
    for b, word in cases:
        res = constructed({"a": list(zip(base, risk)), "b": list(zip(b, risk))})
        line = next(x for x in explain(res) if x.startswith("From a to b"))
        assert f"utility {word}" in line, line
        assert "risk no clear difference" in line  # identical risks
    # and the other way: from 0.7, 0.8, 0.9 (distance 0.3) to 0.53, 0.63, 0.73 (distance 0.13)
    res = constructed({"a": list(zip([x + 0.2 for x in base], risk)), "b": list(zip([x + 0.03 for x in base], risk))})
    assert "utility improved" in next(x for x in explain(res) if x.startswith("From a to b"))
    # risk: 0.50, 0.51, 0.52 against 0.60, 0.61, 0.62 (sd 0.01, 2 SE = 0.016): a clear rise
    res = constructed({"a": list(zip(base, risk)), "b": list(zip(base, [0.60, 0.61, 0.62]))})
    assert "risk rose" in next(x for x in explain(res) if x.startswith("From a to b"))
    text = " ".join(explain(res))
    assert "2 standard errors" in text  # the rule is stated


def test_with_one_set_no_direction_is_claimed():
    res = constructed({"a": [(0.9, 0.5)], "b": [(0.6, 0.7)], "real-holdout": [(0.52, 0.5)]})
    text = " ".join(explain(res))
    for claim in ("improved", "worsened", "rose", "fell", "came clearly closer"):
        assert claim not in text
    assert "m = 1" in text and "no uncertainty estimate" in text


def test_the_reference_value_is_the_measured_one():
    spmse = [{"generator": "real-holdout", "seed": 1000 + i, "group": "utility", "section": "general",
              "measure": "S_pMSE", "column": None, "value": v} for i, v in enumerate((5.6, 6.0))]
    res = constructed({"metasyn": [(0.60, 0.50), (0.61, 0.51)], "cart": [(0.51, 0.60), (0.52, 0.61)],
                       "real-holdout": [(0.55, 0.50), (0.56, 0.50)]}, extra=spmse)
    text = " ".join(explain(res))
    assert "near 2" not in text
    assert "S_pMSE 5.80" in text and "AUC_cv 0.555" in text
    # cart's AUC (0.515, distance 0.015) is clearly closer to 0.5 than the reference's (0.055)
    assert "cart came clearly closer" in text


def test_failures_are_counted_per_synthetic_set():
    runs = [{"generator": "a", "seed": 1000, "status": "ok", "message": "", "seconds": 1.0},
            {"generator": "a", "seed": 1001, "status": "failed", "message": "RuntimeError", "seconds": 1.0},
            {"generator": "b", "seed": None, "status": "failed", "message": "fit: ValueError", "seconds": 1.0},
            {"generator": "c", "seed": None, "status": "skipped", "message": "no R", "seconds": 0.0}]
    res = constructed({"a": [(0.6, 0.5), (0.6, 0.5)], "b": [], "c": []}, runs=runs)
    assert res.n_runs == 6
    assert res.n_failed == 1 + 2  # one sampled set, and a failed fit loses both of b's sets


def test_plot_leaves_the_backend_alone_and_says_distance_from_best(monkeypatch):
    import matplotlib
    from matplotlib.figure import Figure

    def no_switch(*a, **k):
        raise AssertionError("plot_frontier switched the matplotlib backend")

    monkeypatch.setattr(matplotlib, "use", no_switch)
    res = constructed({"a": [(0.45, 0.6), (0.47, 0.6)], "real-holdout": [(0.5, 0.5), (0.51, 0.5)]})
    fig = plot_frontier(res)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "distance from best" in ax.get_xlabel() and "distance from best" in ax.get_ylabel()
    assert "distance from each measure's best value" in ax.get_title()
    # points are drawn at the distances: a at |0.46 - 0.5| = 0.04
    xs = sorted(float(c.lines[0].get_xdata()[0]) for c in ax.containers)  # the error bars' centres
    assert xs == pytest.approx([0.005, 0.04])


def test_an_identifier_column_does_not_push_the_propensity_model_down_to_main_effects(ae_deid):
    from synthspectrum.spectrum.runner import _propensity_order

    train = ae_deid.head(4000)
    with_id = train.with_columns(pl.Series("record_id", [f"R{i:06d}" for i in range(train.height)]))
    assert _propensity_order(with_id, 1) == _propensity_order(train, 1)
    assert _propensity_order(train, 1)[0] == 1


def test_frontier_error_bars_stop_at_zero():
    """Distances from the best value are >= 0, so a bar must not reach below the axis."""
    import numpy as np
    from matplotlib.collections import LineCollection

    res = constructed({"near": [(0.50, 0.50), (0.50, 0.50), (0.60, 0.60)], "far": [(0.9, 0.7), (0.91, 0.72)]})
    fig = plot_frontier(res)
    segments = [seg for coll in fig.axes[0].findobj(LineCollection) for seg in coll.get_segments()]
    assert segments  # the error bars were drawn
    lows = np.concatenate([np.asarray(seg).min(axis=0)[None, :] for seg in segments])
    assert lows.min() >= 0


def test_seeds_either_side_of_best_are_not_a_perfect_generator():
    # AUCs 0.40 and 0.60 are 0.1 from best each: their mean 0.5 must not make the generator perfect
    res = constructed({"straddles": [(0.40, 0.6), (0.60, 0.6)], "steady": [(0.53, 0.6), (0.53, 0.6)]})
    pts = {r["generator"]: r for r in res.frontier_points().iter_rows(named=True)}
    assert pts["straddles"]["utility_distance"] == pytest.approx(0.1)
    assert pts["steady"]["utility_distance"] == pytest.approx(0.03)
    assert flags(res) == {"straddles": False, "steady": True}


def test_a_point_with_a_missing_measure_is_on_no_frontier():
    res = constructed({"nan": [(float("nan"), 0.4)], "ok": [(0.7, 0.6)]})
    assert flags(res) == {"nan": False, "ok": True}


@pytest.mark.parametrize("risk", [0.3, 0.5, 0.6, 0.9])
def test_an_auc_of_045_never_dominates_05(risk):
    # whatever the (shared) risk, 0.45 is 0.05 from best and 0.5 is best: 0.5 is on the frontier,
    # 0.45 is not; with 0.45 slightly better on risk both are (neither dominates)
    res = constructed({"under": [(0.45, risk)], "exact": [(0.50, risk)]})
    assert flags(res) == {"under": False, "exact": True}
    res = constructed({"under": [(0.45, 0.5)], "exact": [(0.50, 0.52)]})
    assert flags(res) == {"under": True, "exact": True}


def test_the_frontier_reads_direction_from_the_measure_registry(monkeypatch):
    # a measure where higher is better: the frontier must follow its declared goal, not a rule
    # of its own; the registry is put back by monkeypatch
    made_up = measures.Measure("made_up_utility", "utility", "a made-up score", "maximize", 1.0, 0.0, 1.0)
    monkeypatch.setitem(measures.MEASURES, made_up.name, made_up)
    res = constructed({"high": [(0.9, 0.6)], "low": [(0.2, 0.6)]}, utility="made_up_utility")
    assert flags(res) == {"high": True, "low": False}
    assert res.frontier_points()["utility_distance"].to_list() == pytest.approx([0.1, 0.8])
    line = next(x for x in explain(constructed({"low": [(0.2, 0.6), (0.21, 0.6)], "high": [(0.9, 0.6), (0.91, 0.6)]},
                                               utility="made_up_utility")) if x.startswith("From low to high"))
    assert "utility improved" in line


@pytest.mark.parametrize("setting, name", [("utility_measure", "DiSCO"), ("risk_measure", "AUC_cv"),
                                           ("utility_measure", "nope"), ("risk_measure", "nope"),
                                           # one value per column or table, not per set; no best value
                                           ("utility_measure", "KSComplement"), ("utility_measure", "S_VW"),
                                           ("risk_measure", "UiO")])
def test_frontier_measures_must_be_registered_in_their_section(setting, name):
    from synthspectrum.errors import SynthSpectrumError

    with pytest.raises(SynthSpectrumError, match=f"'{setting}' must be one of the registered") as err:
        SpectrumConfig(**{setting: name}).validate()
    assert "\n" not in str(err.value)
