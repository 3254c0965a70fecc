"""evaluate's cross-validated AUC and its samples: AUC_cv is propensity_auc_cv's number bit for
bit (from one design); the propensity model and the distance measures say how many records
they used, in the settings and in a sentence, drawn with the seed; below the caps, every record."""

import warnings

import numpy as np
import polars as pl
import pytest

from synthspectrum.evaluation import evaluate
from synthspectrum.measures import utility

KEYS = ["age_band", "gender"]


@pytest.fixture(scope="module")
def frames(frozen_split):
    train, syn, hold = frozen_split
    return train.head(600), syn.head(500), hold.head(600)


def quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def general(ev):
    return ev.measures.filter(pl.col("section") == "general")


@pytest.mark.parametrize("maxorder, folds, seed", [(0, 2, 0), (1, 2, 1000), (0, 5, 7)])
def test_auc_cv_row_is_propensity_auc_cv(frames, maxorder, folds, seed):
    train, syn, hold = frames
    ev = quiet(evaluate, train, syn, keys=KEYS, holdout=hold, maxorder=maxorder, seed=seed, cv_folds=folds,
               plots=False)
    want = quiet(utility.propensity_auc_cv, train, syn, maxorder=maxorder, folds=folds, seed=seed)
    last = ev.measures.tail(1).row(0, named=True)  # the last row, where the spectrum put it
    assert last == {"group": "utility", "section": "general", "measure": "AUC_cv", "column": None, "value": want}
    # and nothing else changed: without cv_folds, the same rows but that one
    plain = quiet(evaluate, train, syn, keys=KEYS, holdout=hold, maxorder=maxorder, seed=seed, plots=False)
    assert ev.measures.head(-1).equals(plain.measures)
    with pytest.raises(Exception, match="folds"):
        quiet(evaluate, train, syn, cv_folds=1, plots=False)


def test_below_the_caps_every_record_is_used(frames):
    train, syn, hold = frames
    ev = quiet(evaluate, train, syn, holdout=hold, plots=False)
    assert ev.settings["samples"] == {"propensity": {"real": 600, "synthetic": 500},
                                      "distances": {"real": 600, "holdout": 600, "synthetic": 500}}
    assert not any("random sample" in n for ns in ev.notes.values() for n in ns)
    # the propensity rows are utility_gen's on all records
    want = quiet(utility.utility_gen, train, syn, maxorder=0)
    assert general(ev).select("measure", "value").equals(want.select("measure", "value"))


def test_the_propensity_sample_is_stated_and_seeded(frames):
    train, syn, hold = frames
    ev = quiet(evaluate, train, syn, holdout=hold, seed=3, max_model_records=200, max_records=150, plots=False)
    assert ev.settings["samples"] == {"propensity": {"real": 200, "synthetic": 200},
                                      "distances": {"real": 150, "holdout": 150, "synthetic": 150}}
    assert ev.notes["general"][0].startswith(
        "The propensity model (S_pMSE, propensity AUC and its cross-validated AUC) was fitted on a random sample of "
        "200 of the 600 real and 200 of the 500 synthetic records (seed 3)")
    assert any(n.startswith("The distance measures (share_closer_to_training, membership inference) used a random "
                            "sample of 150 of the 600 real, 150 of the 600 holdout and 150 of the 500 synthetic "
                            "records (seed 3)") for n in ev.notes["privacy"])
    # the sample, drawn by hand: each frame in turn, without replacement, kept in its order
    rng = np.random.default_rng(3)
    r = train[np.sort(rng.choice(600, 200, replace=False))]
    s = syn[np.sort(rng.choice(500, 200, replace=False))]
    want = quiet(utility.utility_gen, r, s, maxorder=0)
    assert general(ev).select("measure", "value").equals(want.select("measure", "value"))
    assert ev.propensity.height == 400
    # the same seed, the same numbers; another seed, another sample
    again = quiet(evaluate, train, syn, holdout=hold, seed=3, max_model_records=200, max_records=150, plots=False)
    assert again.measures.equals(ev.measures)
    other = quiet(evaluate, train, syn, holdout=hold, seed=4, max_model_records=200, max_records=150, plots=False)
    assert not general(other)["value"].equals(general(ev)["value"])
    # the linear measures still see every record
    full = quiet(evaluate, train, syn, holdout=hold, seed=3, plots=False)
    for section in ("univariate", "associations"):
        part = lambda e: e.measures.filter(pl.col("section") == section)  # noqa: E731
        assert part(ev).equals(part(full))


def test_the_cap_must_be_a_whole_number(frames):
    train, syn, _ = frames
    for bad in (1, 2.5, True):
        with pytest.raises(Exception, match="max_model_records"):
            quiet(evaluate, train, syn, max_model_records=bad, plots=False)


def test_a_wide_frame_plots_its_weakest_columns_only():
    # 40 columns, of which the ten named weak_* are drawn shifted in the synthetic frame: the
    # report's per-column plot holds MAX_MARGINAL_PANELS panels, those ten first, and says so
    from synthspectrum.evaluation.evaluator import MAX_MARGINAL_PANELS

    rng = np.random.default_rng(0)
    names = [f"weak_{i}" if i % 4 == 0 else f"fine_{i}" for i in range(40)]
    real = pl.DataFrame({c: rng.normal(size=400) for c in names})
    syn = pl.DataFrame({c: rng.normal(loc=1.5 if c.startswith("weak") else 0.0, size=400) for c in names})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evaluate(real, syn, maxorder=0)
    titles = [ax.get_title() for ax in ev.figures["marginals"].axes if ax.get_title()]
    assert len(titles) == MAX_MARGINAL_PANELS == 30
    assert set(titles[:10]) == {c for c in names if c.startswith("weak")}
    ks = dict(zip(*ev.measures.filter(pl.col("measure") == "KSComplement").select("column", "value")))
    assert [ks[c] for c in titles] == sorted(ks[c] for c in titles)  # weakest first
    assert max(ks[c] for c in titles) <= min(ks[c] for c in names if c not in titles)
    assert any("30 weakest of the 40 columns" in n for n in ev.notes["univariate"])


def test_a_narrow_frame_plots_every_column():
    rng = np.random.default_rng(1)
    real = pl.DataFrame({f"x{i}": rng.normal(size=200) for i in range(5)})
    syn = pl.DataFrame({f"x{i}": rng.normal(size=200) for i in range(5)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evaluate(real, syn, maxorder=0)
    assert [ax.get_title() for ax in ev.figures["marginals"].axes if ax.get_title()] == real.columns
    assert not any("weakest of the" in n for n in ev.notes.get("univariate", []))


def test_a_wide_frame_draws_the_heatmaps_of_the_most_changed_columns():
    # 50 independent columns; in the synthetic frame five pairs are made dependent, so their ten
    # columns change their association most: the heatmaps keep 40 columns, those ten among them
    from synthspectrum.render.plots import MAX_HEATMAP_COLUMNS, heatmap_columns

    rng = np.random.default_rng(2)
    names = [f"x{i:02d}" for i in range(50)]
    real = pl.DataFrame({c: rng.normal(size=300) for c in names})
    cols = {c: rng.normal(size=300) for c in names}
    for i in range(0, 10, 2):
        cols[names[i + 1]] = cols[names[i]] + 0.1 * rng.normal(size=300)
    syn = pl.DataFrame(cols)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evaluate(real, syn, maxorder=0)
    shown = heatmap_columns(ev.associations, names)
    assert len(shown) == MAX_HEATMAP_COLUMNS == 40 and shown == sorted(shown)  # kept in their order
    assert set(names[:10]) <= set(shown)
    heat = ev.figures["associations"].axes[0]
    assert [t.get_text() for t in heat.get_yticklabels()] == shown
    assert any("40 of the 50 columns" in n for n in ev.notes["associations"])
    assert heatmap_columns(ev.associations, names[:12]) == names[:12]  # under the cap: every column
