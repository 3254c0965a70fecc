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
