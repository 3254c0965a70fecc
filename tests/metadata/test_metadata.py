import datetime as dt
import json
import random
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from metasyn import MetaFrame

from synthspectrum import datasets
from synthspectrum.errors import ColumnError, SynthSpectrumError
from synthspectrum.metadata.model import fit_metadata, load

FRUIT = ["apple", "banana", "cherry"]


def raw_fit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaFrame.fit_dataframe(df, progress_bar=False, **kw)


# --- round trips -------------------------------------------------------------------------

def test_round_trip_on_the_ae_data(ae_deid, tmp_path):
    model = fit_metadata(ae_deid)
    syn = model.synthesize(2000, seed=5)
    assert syn.schema == ae_deid.schema
    assert syn.height == 2000
    path = model.save(tmp_path / "m.json")
    again = load(path).synthesize(2000, seed=5)
    assert again.equals(syn)
    # metasyn itself reads our file
    assert MetaFrame.load(path).n_rows == ae_deid.height


@pytest.mark.parametrize("name", datasets.METASYN_DATASETS)
def test_round_trip_on_every_metasyn_demo_dataset(name, tmp_path):
    real = datasets.load(name)
    model = fit_metadata(real)
    syn = model.synthesize(50, seed=1)
    assert syn.columns == real.columns
    assert syn.schema == real.schema
    assert load(model.save(tmp_path / "m.json")).synthesize(50, seed=1).equals(syn)


def test_seeds_reproduce_and_differ(ae_deid):
    model = fit_metadata(ae_deid)
    assert model.synthesize(300, seed=1).equals(model.synthesize(300, seed=1))
    assert not model.synthesize(300, seed=1).equals(model.synthesize(300, seed=2))
    model.synthesize(10)
    assert isinstance(model.last_seed, int)


def test_seeds_follow_the_one_seed_policy():
    """A seed is a whole number from 0 to 2^31 - 1, as R's set.seed takes (core.seeds)."""
    from synthspectrum.core.seeds import SEED_MAX

    model = fit_metadata(pl.DataFrame({"a": [1, 2, 3] * 10}))
    assert SEED_MAX == 2**31 - 1
    assert model.synthesize(5, seed=SEED_MAX).height == 5
    for bad in (2**31, -1, True, 1.5):
        with pytest.raises(SynthSpectrumError, match="seed must be a whole number from 0 to 2147483647"):
            model.synthesize(5, seed=bad)
    with pytest.raises(SynthSpectrumError, match="seed must be a whole number"):
        fit_metadata(pl.DataFrame({"a": [1, 2, 3] * 10}), seed=2**32 - 1)
    for _ in range(20):
        model.synthesize(1)
        assert 0 <= model.last_seed <= SEED_MAX


def test_marginals_are_kept(ae_deid):
    syn = fit_metadata(ae_deid).synthesize(10_000, seed=3)
    real_p = ae_deid["treatment"].value_counts(normalize=True, name="p").sort("treatment")
    syn_p = syn["treatment"].value_counts(normalize=True, name="p").sort("treatment")
    # 4 binomial standard errors at n = 10,000
    assert np.allclose(real_p["p"], syn_p["p"], atol=4 * np.sqrt(0.25 / 10_000))
    assert syn["deprivation_decile"].null_count() / 10_000 == pytest.approx(
        ae_deid["deprivation_decile"].null_count() / ae_deid.height, abs=0.001)


# --- metasyn's sharp edges: each test shows the raw behaviour, then ours -------------------

def test_low_cardinality_text_is_categorical():
    df = pl.DataFrame({"fruit": [FRUIT[i % 3] for i in range(300)]})
    raw = raw_fit(df)
    assert raw["fruit"].var_type == "string"  # raw metasyn: a regex
    syn = fit_metadata(df).synthesize(1000, seed=1)
    assert syn.schema["fruit"] == pl.String
    assert set(syn["fruit"]) == set(FRUIT)
    assert syn["fruit"].value_counts()["count"].min() > 250


def test_nan_is_a_missing_value():
    x = np.array([1.0, np.nan, 2.5, 3.0] * 50)
    df = pl.DataFrame({"x": x}, nan_to_null=False)
    with pytest.raises(ValueError, match="non-finite values"):
        raw_fit(df)  # raw metasyn refuses NaN
    model = fit_metadata(df)
    assert model.metaframe["x"].prop_missing == pytest.approx(0.25)
    syn = model.synthesize(400, seed=1)
    assert syn["x"].null_count() == 100 and not syn["x"].is_nan().any()
    # infinities follow the shared number policy (tests/test_metadata_values.py)


def test_enum_comes_back_as_the_same_enum():
    levels = ["low", "mid", "high", "never_used"]
    df = pl.DataFrame({"e": pl.Series(["low", "mid", "high", "mid"] * 30, dtype=pl.Enum(levels))})
    with pytest.raises(pl.exceptions.InvalidOperationError, match="enum"):
        raw_fit(df).synthesize(5, seed=1, progress_bar=False)  # raw: the Enum cast fails
    syn = fit_metadata(df).synthesize(200, seed=1)
    assert syn.schema["e"] == pl.Enum(levels)
    assert set(syn["e"].cast(pl.String)) == {"low", "mid", "high"}


def test_unique_key_stays_unique_including_the_old_spec_style():
    rng = np.random.default_rng(0)
    df = pl.DataFrame({"id": rng.choice(10**6, 300, replace=False), "v": rng.normal(size=300)})
    raw = raw_fit(df, var_specs=[{"name": "id", "unique": True}])
    assert raw["id"].distribution.unique is False  # raw: the old style is silently ignored
    for model in (fit_metadata(df, var_specs=[{"name": "id", "unique": True}]), fit_metadata(df),
                  fit_metadata(df, unique=["id"])):
        syn = model.synthesize(3000, seed=1)
        assert syn["id"].n_unique() == 3000


def _no_enums(df):
    return df.with_columns(pl.col(pl.Enum).cast(pl.String).cast(pl.Categorical))


def test_whole_numbers_are_rounded_not_truncated(tmp_path):
    rng = np.random.default_rng(0)
    df = pl.DataFrame({"d": rng.integers(1, 11, 5000)})
    raw = raw_fit(df)
    assert raw["d"].distribution.name == "core.truncated_normal"
    raw_syn = raw.synthesize(20_000, seed=1, progress_bar=False)["d"]
    # CANARY (a metasyn bug): raw metasyn never draws the real maximum, and shifts values down.
    # If this fails, metasyn rounds now: drop synthspectrum.metadata.distributions.
    assert raw_syn.max() == 9, "CANARY: metasyn now reaches the real maximum; drop our rounded distributions"
    syn = fit_metadata(df).synthesize(20_000, seed=1)["d"]
    assert (syn.min(), syn.max()) == (1, 10)
    assert syn.mean() == pytest.approx(df["d"].mean(), abs=0.1)
    assert raw_syn.mean() < df["d"].mean() - 0.3, "CANARY: metasyn no longer shifts whole numbers down"
    # the model file is metasyn's own; a reloaded model draws the same rounded values
    model = fit_metadata(df)
    assert load(model.save(tmp_path / "m.json")).synthesize(50, seed=3).equals(model.synthesize(50, seed=3))


def test_progress_bars_only_on_a_terminal(capfd, ae_deid):
    small = _no_enums(ae_deid.head(100))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MetaFrame.fit_dataframe(small).synthesize(10)
    assert "it/s" in capfd.readouterr().err  # raw metasyn draws bars even into a log file
    fit_metadata(small).synthesize(10, seed=1)
    err = capfd.readouterr().err
    assert "%|" not in err and "it/s" not in err


def test_seed_leaves_the_global_random_state_alone(ae_deid):
    small = _no_enums(ae_deid.head(200))
    random.seed(5), np.random.seed(5)
    expected = (random.random(), np.random.random())
    random.seed(5), np.random.seed(5)
    raw_fit(small).synthesize(10, seed=1, progress_bar=False)
    assert (random.random(), np.random.random()) != expected  # raw: reseeded behind our back
    random.seed(5), np.random.seed(5)
    fit_metadata(small).synthesize(10, seed=1)
    assert (random.random(), np.random.random()) == expected


def test_pandas_in_pandas_out_with_nan():
    pdf = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0] * 25, "c": pd.Categorical(["a", "b"] * 50)})
    model = fit_metadata(pdf)
    syn = model.synthesize(100, seed=1)
    assert isinstance(syn, pd.DataFrame)
    assert syn["x"].isna().sum() == 25
    assert isinstance(syn["c"].dtype, pd.CategoricalDtype)
    assert isinstance(model.synthesize(5, seed=1, as_pandas=False), pl.DataFrame)


def test_numbers_modelled_as_categories_come_back_as_numbers():
    df = pl.DataFrame({"code": [10, 20, 30, 20] * 10})
    syn = fit_metadata(df, categorical=["code"]).synthesize(200, seed=1)
    assert syn.schema["code"] == pl.Int64 and set(syn["code"]) == {10, 20, 30}


def test_column_names_dtypes_and_time_zones_survive():
    tz = pl.Series([dt.datetime(2020, 1, 1, h % 24) for h in range(60)]).dt.replace_time_zone("Europe/London")
    df = pl.DataFrame({
        "with space": list(range(60)), "dot.name": [float(i % 7) for i in range(60)], "üñí": ["x", "y"] * 30,
        "1st": pl.Series([i % 3 for i in range(60)], dtype=pl.Int32), "when": tz,
        "dur": pl.Series([dt.timedelta(minutes=i) for i in range(60)]),
        "d": pl.date_range(dt.date(2020, 1, 1), dt.date(2020, 2, 29), eager=True),
        # names that polars' pl.col() would expand as a wildcard or a regex
        "*": [1.5, float("nan")] * 30, "^d.*$": pl.Series(["p", "q"] * 30, dtype=pl.Enum(["q", "p"])),
    })
    syn = fit_metadata(df).synthesize(30, seed=2)
    assert syn.columns == df.columns
    assert syn.schema == df.schema
    assert syn["*"].null_count() == 15


# --- bad input -----------------------------------------------------------------------------

def test_bad_input_gives_clear_errors():
    with pytest.raises(SynthSpectrumError, match="empty"):
        fit_metadata(pl.DataFrame({"a": []}, schema={"a": pl.Int64}))
    with pytest.raises(SynthSpectrumError, match="column 'l'.*not supported"):
        fit_metadata(pl.DataFrame({"l": [[1, 2]] * 5}))
    with pytest.raises(SynthSpectrumError, match="column 'd'.*Float64"):
        fit_metadata(pl.DataFrame({"d": pl.Series([1.5] * 5, dtype=pl.Decimal(10, 2))}))
    with pytest.raises(ColumnError, match="no column 'nope'"):
        fit_metadata(pl.DataFrame({"a": [1, 2]}), unique=["nope"])
    with pytest.raises(ColumnError, match=r"data \(var_specs\) has no column 'zz'"):
        fit_metadata(pl.DataFrame({"a": [1, 2]}), var_specs=[{"name": "zz"}])
    with pytest.raises(SynthSpectrumError, match="privacy must be one of"):
        fit_metadata(pl.DataFrame({"a": [1, 2]}), privacy="dp")
    with pytest.raises(SynthSpectrumError, match="polars or pandas"):
        fit_metadata([[1, 2]])
    with pytest.raises(SynthSpectrumError, match="n must be"):
        fit_metadata(pl.DataFrame({"a": [1, 2, 3]})).synthesize(-1)


def test_all_missing_and_constant_columns():
    df = pl.DataFrame({"gone": pl.Series([None] * 40, dtype=pl.Float64), "same": [3] * 40, "v": range(40)})
    with pytest.warns(UserWarning, match="'gone' is entirely missing"):
        model = fit_metadata(df)
    syn = model.synthesize(20, seed=1)
    assert syn["gone"].null_count() == 20 and syn.schema == df.schema
    assert syn["same"].to_list() == [3] * 20


@pytest.mark.parametrize("rows", [1, 2, 5])
def test_too_few_rows_to_differ_from_the_real_records_is_warned_about(rows):
    from synthspectrum.metadata.model import MIN_ROWS

    real = pl.DataFrame({"age": [47, 31, 52, 28, 60][:rows], "postcode": ["SW1A 1AA", "EC1A 1BB", "W1A 0AX",
                                                                         "N1 9GU", "E1 6AN"][:rows]})
    with pytest.warns(UserWarning, match=rf"only {rows} row.*fewer than {MIN_ROWS}.*copies of real records") as caught:
        model = fit_metadata(real)
    text = " ".join(str(w.message) for w in caught)
    assert "SW1A" not in text and "47" not in text  # the warning holds no real value
    assert any(f"only {rows} row" in n for n in model.notes)
    if rows == 1:  # what the warning is about: every synthetic record is the real one
        assert model.synthesize(3, seed=1).equals(pl.concat([real] * 3))


def test_enough_rows_give_no_few_rows_warning():
    from synthspectrum.metadata.model import MIN_ROWS

    real = pl.DataFrame({"a": list(range(MIN_ROWS))})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_metadata(real)
    assert not [w for w in caught if "row" in str(w.message) and "fewer than" in str(w.message)]


def test_load_errors(tmp_path):
    with pytest.raises(SynthSpectrumError, match="no model file"):
        load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(SynthSpectrumError, match="not a JSON model file"):
        load(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(SynthSpectrumError, match="not a metasyn GMF model file"):
        load(tmp_path / "other.json")


# --- disclosure control -----------------------------------------------------------------------

def test_disclosure_removes_rare_categories(ae_deid):
    df = pl.DataFrame({"c": ["a"] * 500 + ["b"] * 495 + ["rare"] * 2})
    assert "rare" in set(fit_metadata(df).synthesize(20_000, seed=1)["c"])
    model = fit_metadata(df, privacy="disclosure")
    assert model.privacy["name"] == "disclosure"
    assert "rare" not in set(model.synthesize(20_000, seed=1)["c"])


def test_disclosure_keeps_pattern_like_column_names():
    df = pl.DataFrame({"^x.*$": np.arange(200.0), "*": ["a", "b"] * 100})
    syn = fit_metadata(df, privacy="disclosure").synthesize(50, seed=1)
    assert syn.columns == ["^x.*$", "*"] and syn.schema == df.schema


@pytest.mark.parametrize("privacy", ["none", "disclosure"])
def test_columns_named_like_polars_own_result_columns_fit(privacy):
    # metasyn's fitters call value_counts, whose result columns are "count" and "proportion":
    # raw metasyn fails on such a column (a DuplicateError), ours fits it under a stand-in
    from metasyn import MetaFrame

    df = pl.DataFrame({"count": np.arange(200) % 37, "proportion": np.linspace(0, 1, 200), "x": ["a", "b"] * 100})
    with pytest.raises(Exception, match="duplicate"):
        MetaFrame.fit_dataframe(df.select("count"), progress_bar=False)
    model = fit_metadata(df, privacy=privacy)
    syn = model.synthesize(300, seed=2)
    assert syn.columns == df.columns and syn.schema == df.schema
    assert syn["count"].min() >= 0 and syn["count"].max() <= 36
    assert [v["name"] for v in model.to_dict()["tables"][0]["vars"]] == df.columns  # the file names them as they are


def test_the_metadata_side_never_imports_rpy2():
    import subprocess
    import sys

    code = ("import sys, polars as pl, synthspectrum as ss; "
            "ss.fit_metadata(pl.DataFrame({'a': [1, 2, 3] * 5})).synthesize(3, seed=1); "
            "import synthspectrum.cli, synthspectrum.metadata.audit, synthspectrum.deidentify; "
            "print('rpy2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_unique_text_key_that_runs_out_of_values_is_named():
    # the learnt pattern [a][0-9] has 10 values: metasyn's own words were a bare ValueError
    model = fit_metadata(pl.DataFrame({"k": [f"a{i}" for i in range(10)], "x": list(range(10))}))
    with pytest.raises(SynthSpectrumError, match="column 'k'.*cannot draw 11 distinct values"):
        model.synthesize(11, seed=1)
