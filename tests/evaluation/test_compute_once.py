"""evaluate() computes once, then draws: the propensity model, the association matrices and the
distance search run once each, even with plots, and the plots show exactly what the
Evaluation keeps."""

import sys

import numpy as np
import polars as pl
import pytest

from synthspectrum.evaluation import Evaluation, evaluate
from synthspectrum.measures import privacy, utility

KEYS = ["age_band", "gender"]


def _count(monkeypatch, *names):
    """Wrap every synthspectrum module's function of these names (wherever it was imported to)
    and count the calls per name."""
    calls = dict.fromkeys(names, 0)
    for modname, mod in list(sys.modules.items()):
        if not modname.startswith("synthspectrum") or mod is None:
            continue
        for name in names:
            f = getattr(mod, name, None)
            if callable(f) and not getattr(f, "_counted", False):
                def wrapper(*a, _f=f, _name=name, **kw):
                    calls[_name] += 1
                    return _f(*a, **kw)

                wrapper._counted = True
                monkeypatch.setattr(mod, name, wrapper)
    return calls


@pytest.fixture(scope="module")
def small(frozen_split):
    train, syn, hold = frozen_split
    return train.head(400), syn.head(400), hold.head(400)


def test_each_model_is_fitted_once_with_plots(small, monkeypatch):
    import synthspectrum.measures.logistic  # noqa: F401  (loaded, so that its name is wrapped too)
    import synthspectrum.render.plots  # noqa: F401

    train, syn, hold = small
    calls = _count(monkeypatch, "fit_full_rank", "association_difference", "associations", "dcr", "dcr_distances")
    ev = evaluate(train, syn, keys=KEYS, holdout=hold, seed=1, plots=True)
    assert set(ev.figures) == {"marginals", "associations", "propensity", "distances"}
    assert calls["fit_full_rank"] == 1
    assert calls["association_difference"] + calls["associations"] == 1
    assert calls["dcr"] + calls["dcr_distances"] == 1


def test_association_and_distance_search_run_once_with_plots(small, monkeypatch):
    import synthspectrum.render.plots  # noqa: F401

    train, syn, hold = small
    calls = _count(monkeypatch, "association_difference", "associations", "dcr", "dcr_distances")
    evaluate(train, syn, keys=KEYS, holdout=hold, seed=1, plots=True)
    assert calls["association_difference"] + calls["associations"] == 1
    assert calls["dcr"] + calls["dcr_distances"] == 1


def test_the_evaluation_keeps_what_the_measures_computed(small):
    train, syn, hold = small
    ev = evaluate(train, syn, keys=KEYS, holdout=hold, seed=1, plots=True)
    assert isinstance(ev, Evaluation)
    # the association matrices are those of the measure itself
    ref = utility.association_difference(train, syn)
    assert ev.associations.equals(ref)
    # the distances are dcr's own, from the same draw
    _, dist = privacy.dcr(train, syn, hold, seed=1, return_distances=True)
    assert ev.distances.equals(dist)
    # the scores are those of the propensity model behind utility_gen (maxorder 0, main effects)
    scores = utility.propensity_scores(train, syn, 0)
    assert ev.propensity["source"].to_list() == scores["source"].to_list()
    assert ev.propensity["propensity"].to_numpy() == pytest.approx(scores["propensity"].to_numpy(), abs=1e-9)
    # and the numbers are the same with or without plots
    again = evaluate(train, syn, keys=KEYS, holdout=hold, seed=1, plots=False)
    assert again.measures.equals(ev.measures)


def test_plots_draw_the_kept_numbers(small):
    train, syn, hold = small
    ev = evaluate(train, syn, holdout=hold, seed=1, plots=True)
    # the heatmap of the real data holds the kept NMI values at their columns' places
    real_panel = ev.figures["associations"].axes[0]
    shown = np.asarray(real_panel.images[0].get_array())
    cols = train.columns
    nmi = ev.associations.filter((pl.col("measure") == "NMI") & pl.col("column_b").is_not_null())
    for row in nmi.iter_rows(named=True):
        i, j = cols.index(row["column_a"]), cols.index(row["column_b"])
        assert shown[i, j] == pytest.approx(row["real"]) and shown[j, i] == pytest.approx(row["real"])
    # the propensity histogram's bars are numpy's density histogram of the kept scores
    ax = ev.figures["propensity"].axes[0]
    p = ev.propensity
    edges = np.linspace(p["propensity"].min(), p["propensity"].max() + 1e-9, 30)
    expected, _ = np.histogram(p.filter(pl.col("source") == "real")["propensity"].to_numpy(), bins=edges, density=True)
    assert [b.get_height() for b in ax.patches[:29]] == pytest.approx(expected)
    assert ax.get_ylabel()  # a y label says what the bars are


def test_worst_pairs_are_the_largest_changes(small):
    train, syn, _ = small
    ev = evaluate(train, syn, plots=False)
    ref = utility.association_difference(train, syn).filter(
        (pl.col("measure") == "NMI") & pl.col("difference").is_not_null())
    by_size = sorted(ref.iter_rows(named=True), key=lambda r: -abs(r["difference"]))[:3]
    got = ev.worst_pairs(3)
    assert list(zip(got["column_a"], got["column_b"])) == [(r["column_a"], r["column_b"]) for r in by_size]
    assert any(f"{by_size[0]['column_a']!r} x {by_size[0]['column_b']!r}" in a for a in ev.alerts())


def test_the_pair_is_checked_once_by_evaluate_and_its_plots(small, monkeypatch):
    """evaluate checks the pair once and draws the plots from the checked frames (before, the
    marginal and association plots checked it again each). The measures still run their own
    check inside; that one is theirs."""
    import synthspectrum.render.plots as plots_mod

    import synthspectrum.evaluation.evaluator as ev_mod

    train, syn, hold = small
    calls = []
    for mod in (ev_mod, plots_mod):
        original = mod.check_pair

        def counted(*a, _f=original, _m=mod.__name__, **kw):
            calls.append(_m)
            return _f(*a, **kw)

        monkeypatch.setattr(mod, "check_pair", counted)
    evaluate(train, syn, holdout=hold, plots=True)
    assert calls == ["synthspectrum.evaluation.evaluator"]
