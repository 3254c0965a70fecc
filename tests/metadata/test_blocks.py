"""A long draw is defined block by block (metadata.blocks): the frame drawn in memory is the
concatenation of independent one-call draws, with unique columns unique over the whole draw."""

import datetime as dt
import warnings

import numpy as np
import polars as pl
import pytest

from synthspectrum.metadata import blocks
from synthspectrum.metadata.model import fit_metadata

BLOCK = 7
N = 3 * BLOCK + 4  # three whole blocks and a remainder


def _frame(n=60):
    rng = np.random.default_rng(3)
    return pl.DataFrame({
        "colour": pl.Series(rng.choice(["red", "green", "blue"], n)).cast(pl.Enum(["red", "green", "blue"])),
        "x": rng.normal(10, 2, n),
        "count": rng.poisson(4, n),
        "day": [dt.date(2020, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, n)],
        "flag": rng.random(n) < 0.3,
        "y": pl.Series(rng.normal(0, 1, n)).scatter(np.flatnonzero(rng.random(n) < 0.2), None),  # 20% missing
        "serial": np.arange(100, 100 + n),  # consecutive unique key
        "scattered": np.sort(rng.choice(10_000, n, replace=False)),  # a non-consecutive unique key
    })


def _fit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_metadata(df, progress=False, **kw)


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_ROWS", BLOCK)


def _child_seed(seed, b):
    # numpy's spawn: child b of SeedSequence(seed), its first word in 0 .. 2^31 - 1
    return int(np.random.SeedSequence(seed).spawn(b + 1)[b].generate_state(1, np.uint32)[0]) >> 1


def test_a_long_draw_is_its_blocks_drawn_one_by_one(small_blocks):
    model = _fit(_frame())
    assert model.metaframe["serial"].distribution.consecutive
    assert not model.metaframe["scattered"].distribution.consecutive
    syn = model.synthesize(N, seed=11)
    assert syn.height == N and syn.schema == _frame().schema
    # each block, but the unique keys, is the one-call draw of its rows with its own seed
    expected = [model.synthesize(BLOCK, seed=11)]
    expected += [model.synthesize(rows, seed=_child_seed(11, b)) for b, rows in ((1, BLOCK), (2, BLOCK), (3, 4))]
    plain = [c for c in syn.columns if c not in ("serial", "scattered")]
    assert syn.select(plain).equals(pl.concat(expected).select(plain))
    # the first block is exactly today's draw, keys included
    assert syn.head(BLOCK).equals(expected[0])
    # the iterator gives the same frames, block by block
    parts = list(model.iter_blocks(N, seed=11))
    assert [p.height for p in parts] == [BLOCK, BLOCK, BLOCK, 4]
    assert pl.concat(parts).equals(syn)
    # each block keeps its own share of missing values: round(0.2 * rows) of each
    share = model.metaframe["y"].prop_missing
    assert syn["y"].null_count() == sum(round(share * p.height) for p in parts)


def test_unique_keys_stay_unique_over_blocks(small_blocks):
    model = _fit(_frame())
    syn = model.synthesize(N, seed=2)
    # consecutive keys run on as one draw of N rows would: 100, 101, ..., 100 + N - 1
    assert syn["serial"].to_list() == list(range(100, 100 + N))
    assert syn["scattered"].n_unique() == N
    # block b's random keys are block 0's kind of draw, shifted past what earlier blocks can hold
    lower = model.metaframe["scattered"].distribution.lower
    for b in range(4):
        keys = syn["scattered"][b * BLOCK:(b + 1) * BLOCK]
        shift = 2 * b * BLOCK + 2 * b
        assert keys.min() >= lower + shift and keys.max() <= lower + shift + 2 * keys.len() + 1


def test_a_unique_text_column_stays_unique_over_blocks(small_blocks):
    rng = np.random.default_rng(5)
    df = pl.DataFrame({"code": [f"{a}{b:02d}" for a, b in zip(rng.choice(list("AB"), 40), rng.permutation(40))],
                       "v": rng.normal(size=40)})
    model = _fit(df, var_specs=[{"name": "code", "distribution": {"unique": True}}])
    dist = model.metaframe["code"].distribution
    assert dist.unique and not isinstance(dist, blocks._unique_key_type())
    syn = model.synthesize(60, seed=4)
    assert syn["code"].n_unique() == 60
    # without carrying the drawn values on, the blocks would repeat one another's codes
    drawn = [model.synthesize(BLOCK, seed=_child_seed(4, b) if b else 4)["code"] for b in range(60 // BLOCK)]
    assert pl.concat(drawn).n_unique() < sum(d.len() for d in drawn)
    # the caller's model is left as it was: a second draw gives the same rows
    assert model.synthesize(60, seed=4).equals(syn)


def test_enum_levels_are_the_models_in_every_block(small_blocks):
    df = pl.DataFrame({"c": pl.Series(["x"] * 370 + ["y"] * 30).cast(pl.Enum(["y", "x"])),
                       "v": np.random.default_rng(1).normal(size=400)})
    model = _fit(df, privacy="disclosure")
    gmf_vars = model.to_dict()["tables"][0]["vars"]
    labels = next(v for v in gmf_vars if v["name"] == "c")["distribution"]["parameters"]["labels"]
    want = pl.Enum(["y", "x"] + sorted(set(labels) - {"x", "y"}))
    assert set(labels) - {"x", "y"}  # the redacted placeholders
    parts = list(model.iter_blocks(N, seed=3))
    assert all(p.schema["c"] == want for p in parts)
    assert model.synthesize(N, seed=3).equals(pl.concat(parts))
    # one block: as always, the real levels and the extra labels it drew
    one = model.synthesize(BLOCK, seed=3)["c"]
    drawn = sorted(set(one.cast(pl.String).to_list()) - {"x", "y"})
    assert one.dtype == pl.Enum(["y", "x"] + drawn)


def test_a_draw_of_at_most_one_block_is_metasyns_own(small_blocks):
    from metasyn import MetaFrame

    df = _frame().drop("colour")  # raw metasyn has no Enum
    model = _fit(df)
    raw = MetaFrame.from_dict(model.to_dict())
    for n in (0, 3, BLOCK):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expect = raw.synthesize(n, seed=9, progress_bar=False)
        assert model.synthesize(n, seed=9).equals(expect.with_columns(pl.col("x").cast(pl.Float64)))


def test_block_seeds_follow_the_seed_policy():
    assert blocks.block_seed(5, 0) == 5
    seeds = [blocks.block_seed(2**31 - 1, b) for b in range(1, 200)]
    assert all(0 <= s <= 2**31 - 1 for s in seeds) and len(set(seeds)) == len(seeds)
    assert seeds[0] == _child_seed(2**31 - 1, 1)
    assert blocks.block_spans(0, 10) == [(0, 0)]
    assert blocks.block_spans(25, 10) == [(0, 10), (10, 10), (20, 5)]


def test_a_label_the_model_draws_beyond_the_recorded_levels_is_a_level_of_every_block(small_blocks):
    model = _fit(pl.DataFrame({"c": pl.Series(["a", "b"] * 20).cast(pl.Enum(["b", "a"]))}))
    model.dtypes["c"] = {"kind": "Enum", "categories": ["b"]}  # an edited file: "a" is no level
    parts = list(model.iter_blocks(N, seed=1))
    assert {p.schema["c"] for p in parts} == {pl.Enum(["b", "a"])}
