"""The distance measures' search without one-hot features, against the search it replaced.

The reference (tests/measures/dcr_reference.py, the module as it was, not imported from the
package) runs scikit-learn's Manhattan nearest neighbours on the one-hot Gower features. The
new search must give the same distances and measures bit for bit (``==``): the share closer to
training compares two distances, and categorical records tie often, so one unit in the last
place could flip a share.
"""

import sys
import warnings
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthspectrum.measures import distance
from synthspectrum.measures import privacy as pv

sys.path.insert(0, str(Path(__file__).parent))
import dcr_reference as ref  # noqa: E402


def same(real, syn, holdout, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old, old_d = ref.dcr(real, syn, holdout, return_distances=True, **kw)
        new, new_d = pv.dcr(real, syn, holdout, return_distances=True, **kw)
    assert new.equals(old)
    assert new_d.equals(old_d)  # every distance, not only the summaries
    return new_d


def mixed(rng, n, na=0.0, shift=0.0):
    x = rng.normal(50 + shift, 15, n).round(1)
    df = pl.DataFrame({
        "age": x, "visits": rng.integers(0, 6, n), "sex": rng.choice(["F", "M", "X"], n),
        "band": rng.choice(list("abcdefgh"), n),
        "day": [date(2020, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 60, n)],
        "flag": rng.random(n) < 0.3,
    })
    if na:
        df = df.with_columns([pl.when(pl.lit(rng.random(n) < na)).then(None).otherwise(pl.col(c)).alias(c)
                              for c in ("age", "sex", "day")])
    return df


@pytest.mark.parametrize("seed", range(6))
def test_mixed_frames_with_missing_values_and_dates(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 700))
    same(mixed(rng, n, 0.1 * (seed % 3)), mixed(rng, n + 7, 0.1 * (seed % 2), shift=seed), mixed(rng, n),
         seed=seed, max_records=int(rng.integers(40, 800)))


def test_ties_and_copies():
    rng = np.random.default_rng(7)
    real = mixed(rng, 400)
    # copies, near copies and repeated records: many pairs at the same distance
    syn = pl.concat([real.sample(200, seed=1), real.sample(150, seed=2, with_replacement=True),
                     mixed(rng, 100)])
    d = same(real, syn, mixed(rng, 400), seed=3)
    assert (d["dcr_training"] == 0).sum() >= 200


def test_all_categorical_and_all_numeric():
    rng = np.random.default_rng(8)
    cat = lambda n: pl.DataFrame({"a": rng.choice(list("xyz"), n), "b": rng.choice(list("pq"), n),  # noqa: E731
                                  "c": pl.Series(rng.choice(["u", "v"], n)).replace("v", None)})
    same(cat(300), cat(250), cat(300), seed=1)
    num = lambda n: pl.DataFrame({"u": rng.random(n), "v": rng.integers(0, 3, n).astype(float),  # noqa: E731
                                  "w": rng.exponential(1, n) * 1e3})
    same(num(300), num(310), num(300), seed=2)
    # synthetic values far outside the real range (scaled by the real range: large terms)
    wild = num(200).with_columns(pl.col("w") * 1e6)
    same(num(300), wild, num(300), seed=3)


def test_many_level_categories_by_code():
    rng = np.random.default_rng(9)
    frame = lambda n: pl.DataFrame({"code": [f"c{i}" for i in rng.integers(0, 90, n)],  # noqa: E731
                                    "age": rng.normal(50, 15, n), "sex": rng.choice(["F", "M"], n)})
    same(frame(500), frame(400), frame(500), seed=4)  # 90 levels > 60: compared by code
    same(frame(300), frame(300), frame(300), seed=5, max_levels=2)  # the sex too
    only = lambda n: pl.DataFrame({"code": [f"c{i}" for i in rng.integers(0, 80, n)]})  # noqa: E731
    same(only(300), only(300), only(300), seed=6)  # codes only, no dense feature


def test_frozen_and_bundled_frames(frozen_split):
    real, syn, holdout = frozen_split
    same(real, syn, holdout, seed=1)
    same(real, real, holdout, seed=1)
    from synthspectrum import fit_metadata
    from synthspectrum.datasets import load

    ae = load("ae_deidentified")
    train, hold = ae.head(3000), ae.tail(3000)
    syn = fit_metadata(train, progress=False).synthesize(3000, seed=2)
    same(train, syn, hold, seed=1000)


def test_blocks_do_not_change_the_minima(monkeypatch):
    rng = np.random.default_rng(10)
    frames = mixed(rng, 500, 0.1), mixed(rng, 450), mixed(rng, 500)
    whole = pv.dcr(*frames, seed=1, return_distances=True)
    monkeypatch.setattr(distance, "CHUNK_CELLS", 1_000)  # two records per block
    cut = pv.dcr(*frames, seed=1, return_distances=True)
    assert cut[0].equals(whole[0]) and cut[1].equals(whole[1])


def test_by_hand_with_a_missing_number_and_a_date():
    # columns x (range 0..4 over training and holdout), d (dates, range 10 days), c:
    # distance = (|x - x'| / 4 + [missing differs] + |d - d'| / 10 + [c != c']) / 3
    d0 = date(2021, 3, 1)
    real = pl.DataFrame({"x": [0.0, 4.0], "d": [d0, d0 + timedelta(days=10)], "c": ["a", "b"]})
    holdout = pl.DataFrame({"x": [None, 2.0], "d": [d0, d0 + timedelta(days=5)], "c": ["a", "a"]})
    syn = pl.DataFrame({"x": [1.0, None], "d": [d0 + timedelta(days=1), d0], "c": ["a", "b"]})
    d = pv.dcr_distances(real, syn, holdout)
    # syn 1 (1, +1 day, a): to real 1 (1/4 + 1/10) / 3; to holdout 1 (x missing: 1 + 1/10) / 3,
    #   holdout 2 (1/4 + 4/10) / 3 -> (0.25 + 0.1) / 3 and 0.65 / 3
    # syn 2 (NA, day 0, b): real 1 (1 + 0 + 1) / 3, real 2 (1 + 1 + 0) / 3; holdout 1 (0 + 0 + 1) / 3
    assert d["dcr_training"].to_list() == pytest.approx([0.35 / 3, 2 / 3], abs=1e-15)
    assert d["dcr_holdout"].to_list() == pytest.approx([0.65 / 3, 1 / 3], abs=1e-15)
