"""The ``random`` generator copies no real record value: identifiers and free text become
invented placeholders, and only categories held by at least k real records are drawn."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.spectrum import make_generator
from synthspectrum.spectrum.generators import RandomGenerator

N = 300
COMMON = {"flu": 120, "asthma": 90, "fracture": 84}  # held by >= 5 records each
RARE = {"kuru": 1, "scurvy": 2, "anthrax": 3}  # held by 1-3 records each
GRADES = pl.Enum(["I", "II", "III", "IV", "unused"])  # IV held by 4 records, "unused" by none


def _column(counts: dict[str, int], seed: int) -> list[str]:
    values = [v for v, c in counts.items() for _ in range(c)]
    return list(np.random.default_rng(seed).permutation(values))


@pytest.fixture(scope="module")
def real() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    diagnosis = _column({**COMMON, **RARE}, 1)
    assert len(diagnosis) == N
    return pl.DataFrame({
        "patient_id": [f"P{i:04d}" for i in range(1, N + 1)],
        "notes": [f"seen on ward {rng.integers(1, 40)}, complains of {w} pain" for w in rng.permutation(N)],
        "diagnosis": diagnosis,
        "ward": pl.Series(_column({"A": 150, "B": 146, "C": 3, "D": 1}, 2), dtype=pl.Categorical),
        "grade": pl.Series(_column({"I": 100, "II": 100, "III": 96, "IV": 4}, 3), dtype=GRADES),
        "age": rng.integers(18, 90, N),
        "weight": rng.normal(75, 12, N),
        "admitted_on": [dt.date(2020, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, N)],
        "admitted": rng.random(N) < 0.3,
    })


@pytest.fixture(scope="module")
def synthetic(real) -> pl.DataFrame:
    return make_generator("random", seed=1).fit(real).sample(10_000)


def test_no_identifier_or_note_is_a_real_one(real, synthetic):
    for c in ("patient_id", "notes"):
        assert not set(synthetic[c].to_list()) & set(real[c].to_list()), c
        # still identifier-like: one distinct invented value per row
        assert synthetic[c].n_unique() == synthetic.height, c
        assert synthetic[c].str.starts_with("random_").all(), c


def test_rare_levels_never_drawn_common_ones_uniformly(real, synthetic):
    counts = dict(synthetic["diagnosis"].value_counts().iter_rows())
    assert not set(RARE) & set(counts)
    assert set(counts) == set(COMMON)
    # uniform over the shown labels, whatever their real frequencies: binomial(10000, 1/3)
    sd = np.sqrt(10_000 * (1 / 3) * (2 / 3))
    for v in COMMON:
        assert abs(counts[v] - 10_000 / 3) < 5 * sd, (v, counts[v])
    assert set(synthetic["ward"].cast(pl.String).to_list()) == {"A", "B"}
    # an Enum keeps its levels as a type but draws only those held by >= 5 records
    assert set(synthetic["grade"].cast(pl.String).to_list()) == {"I", "II", "III"}


def test_dtypes_and_ranges_are_kept(real, synthetic):
    assert synthetic.schema == real.schema
    assert synthetic.null_count().sum_horizontal()[0] == 0
    for c in ("age", "weight", "admitted_on"):
        assert real[c].min() <= synthetic[c].min() and synthetic[c].max() <= real[c].max(), c


def test_same_seed_same_frame(real, synthetic):
    g = make_generator("random", seed=1).fit(real)
    assert g.sample(10_000).equals(synthetic)
    assert RandomGenerator(seed=1).fit(real).sample(10_000).equals(synthetic)
    assert not g.set_params(seed=2).sample(10_000)["diagnosis"].equals(synthetic["diagnosis"])


def test_columns_without_rare_labels_draw_as_before(real):
    # the uniform draw the generator always made, by hand: one integer per row over the sorted labels
    common = pl.DataFrame({"diagnosis": _column(COMMON, 5)})
    g = RandomGenerator(seed=3).fit(common)
    idx = np.random.default_rng(3).integers(0, len(COMMON), 500)
    expected = [sorted(COMMON)[i] for i in idx]
    assert g.sample(500)["diagnosis"].to_list() == expected
    # an identifier column before it: its draw over the 294 real IDs is still made (and dropped),
    # so the column after it gets the values it always did for this seed
    with_id = pl.DataFrame({"patient_id": real["patient_id"][: common.height]}).hstack(common)
    g.fit(with_id)
    rng = np.random.default_rng(3)
    rng.integers(0, common.height, 500)
    expected = [sorted(COMMON)[i] for i in rng.integers(0, len(COMMON), 500)]
    assert g.sample(500)["diagnosis"].to_list() == expected


def test_k_is_an_option(real):
    g = make_generator("random", k=1, seed=1).fit(real)
    assert set(RARE) <= set(g.sample(10_000)["diagnosis"].to_list())
    # with k = 90 flu (120 records) and asthma (90) may be drawn, fracture (84) may not
    g = make_generator("random", k=90, seed=1).fit(real)
    assert set(g.sample(2000)["diagnosis"].to_list()) == {"flu", "asthma"}
    # with k = 100 only flu's 120 of 300 records are in a shown label: fewer than half, so the
    # column counts as identifier-like and gets placeholders
    g = make_generator("random", k=100, seed=1).fit(real)
    assert g.sample(2000)["diagnosis"].str.starts_with("random_").all()
    for bad in (0, -2, 2.5, True, "5"):
        with pytest.raises(SynthSpectrumError, match="k must be a whole number") as err:
            make_generator("random", k=bad)
        assert "\n" not in str(err.value)
    with pytest.raises(SynthSpectrumError, match="one option, k; got 'kk'"):
        make_generator("random", kk=5)


def test_an_enum_with_no_level_held_by_k_records_draws_missing():
    real = pl.DataFrame({"code": pl.Series(["a", "b", "b", "c", "c", "c"] * 1, dtype=pl.Enum(["a", "b", "c"]))})
    syn = RandomGenerator(seed=1).fit(real).sample(50)
    assert syn.schema == real.schema and syn["code"].null_count() == 50


def test_placeholders_never_equal_a_real_value():
    # real values that look like the placeholders themselves
    real = pl.DataFrame({"ref": [f"random_{i:06d}" for i in range(1, 201)]})
    syn = RandomGenerator(seed=1).fit(real).sample(400)
    assert not set(syn["ref"].to_list()) & set(real["ref"].to_list())
    assert syn["ref"].n_unique() == 400 and syn.schema == real.schema


def test_column_names_that_look_like_patterns():
    # polars reads "^a.*$" or "*" as patterns in some Series methods; the generator must not
    real = pl.DataFrame({"^id.*$": [f"P{i}" for i in range(40)], "*": ["a"] * 20 + ["b"] * 18 + ["c"] * 2,
                         "^n$": list(range(40))})
    syn = RandomGenerator(seed=1).fit(real).sample(200)
    assert syn.schema == real.schema
    assert not set(syn["^id.*$"].to_list()) & set(real["^id.*$"].to_list())
    assert set(syn["*"].to_list()) == {"a", "b"}
