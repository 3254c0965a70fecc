"""Every column comes back with its own dtype, in the frame type given (README): pandas frames
too, whose categoricals, nullable and extension dtypes polars does not carry back, in memory and
through a model file; polars frames as before."""

import json
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata.files import FORMAT_KEY
from synthspectrum.metadata.model import fit_metadata, load

N = 300


def _fit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_metadata(df, **kw)


def _pandas_frame():
    g = np.random.default_rng(0)
    cut = g.random(N) < 0.2  # the rows made missing in the nullable columns
    ints = pd.array(g.integers(0, 100, N), dtype="Int64")
    ints[cut] = pd.NA
    bools = pd.array(g.random(N) < 0.3, dtype="boolean")
    bools[cut] = pd.NA
    floats = pd.array(g.normal(size=N), dtype="Float64")
    floats[cut] = pd.NA
    small = pd.array(g.integers(0, 9, N), dtype="UInt8")
    small[cut] = pd.NA
    labels = pd.array(g.choice(["p", "q", "r"], N), dtype="string[python]")
    labels[cut] = pd.NA
    text = pd.array([f"id{i}" for i in range(N)], dtype="string[pyarrow]")
    when = pd.Series(pd.Timestamp("2020-01-01", tz="Europe/Amsterdam")
                     + pd.to_timedelta(g.integers(0, 10**6, N), unit="s")).astype("datetime64[ns, Europe/Amsterdam]")
    return pd.DataFrame({
        "f": pd.Categorical(g.choice(["u", "v"], N), categories=["v", "u", "w"], ordered=True),
        "plain": pd.Categorical(g.choice(["b", "a"], N), categories=["b", "a", "z"]),
        "i": ints, "b": bools, "x": floats, "u8": small, "s": labels, "t": text, "when": when,
        "np_int": g.integers(0, 5, N).astype("int32"), "np_float": g.normal(size=N).astype("float32"),
        "np_bool": g.random(N) < 0.5, "obj": np.array(g.choice(["k", "l"], N), dtype=object),
    })


def _same_dtypes(syn: pd.DataFrame, real: pd.DataFrame):
    assert list(syn.columns) == list(real.columns)
    for c in real.columns:
        assert syn[c].dtype == real[c].dtype, (c, syn[c].dtype, real[c].dtype)


def test_an_ordered_categorical_keeps_its_categories_order_and_flag():
    real = _pandas_frame()[["f", "plain"]]
    syn = _fit(real).synthesize(seed=1)
    assert syn["f"].cat.ordered and list(syn["f"].cat.categories) == ["v", "u", "w"]
    assert not syn["plain"].cat.ordered and list(syn["plain"].cat.categories) == ["b", "a", "z"]
    assert set(syn["f"].dropna()) == {"u", "v"}  # the unused level is kept, never drawn
    assert syn["f"].isna().sum() == 0


def test_nullable_and_extension_dtypes_come_back_with_their_missing_values():
    real = _pandas_frame()
    syn = _fit(real).synthesize(seed=1)
    _same_dtypes(syn, real)
    for c in ("i", "b", "x", "u8", "s"):
        assert syn[c].isna().sum() > 20, c  # about a fifth missing, as pd.NA
        assert syn[c].isna().sum() < 100, c
    assert syn["i"].dropna().between(0, 99).all()
    assert set(syn["s"].dropna()) <= {"p", "q", "r"}
    assert syn["when"].dt.tz is not None and str(syn["when"].dt.tz) == "Europe/Amsterdam"


def test_pandas_dtypes_survive_the_model_file(tmp_path):
    real = _pandas_frame()
    model = _fit(real)
    path = model.save(tmp_path / "m.json")
    again = load(path).synthesize(seed=4)
    _same_dtypes(again, real)
    pd.testing.assert_frame_equal(again, model.synthesize(seed=4))
    assert list(again["f"].cat.categories) == ["v", "u", "w"] and again["f"].cat.ordered


def test_an_old_model_file_without_pandas_dtypes_still_loads(tmp_path):
    real = _pandas_frame()[["f", "i"]]
    doc = _fit(real).to_dict()
    doc["provenance"][FORMAT_KEY].pop("pandas_dtypes")  # as written before pandas dtypes were kept
    (tmp_path / "old.json").write_text(json.dumps(doc))
    syn = load(tmp_path / "old.json").synthesize(50, seed=1)
    assert isinstance(syn, pd.DataFrame) and syn.shape == (50, 2)  # polars' own conversion, as before


def test_a_model_file_with_a_broken_pandas_dtype_is_refused_in_one_line(tmp_path):
    doc = _fit(_pandas_frame()[["i"]]).to_dict()
    doc["provenance"][FORMAT_KEY]["pandas_dtypes"]["i"] = {"pandas": "no-such-dtype"}
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(SynthSpectrumError, match="column 'i'.*pandas dtype"):
        load(tmp_path / "bad.json").synthesize(5, seed=1)


def test_categories_that_are_numbers_stay_categories_drawn_among_them():
    g = np.random.default_rng(3)
    real = pd.DataFrame({"grade": pd.Categorical(g.choice([1, 2, 3], N), categories=[3, 2, 1, 4], ordered=True),
                         "half": pd.Categorical(g.choice([0.5, 1.5], N)),
                         "yes": pd.Categorical(g.choice([True, False], N))})
    syn = _fit(real).synthesize(1000, seed=2)
    _same_dtypes(syn, real)
    assert set(syn["grade"]) == {1, 2, 3} and syn["grade"].isna().sum() == 0
    assert set(syn["half"]) == {0.5, 1.5} and set(syn["yes"]) == {True, False}


def test_as_pandas_false_gives_polars_and_a_polars_model_gives_no_pandas_notes(tmp_path):
    model = _fit(_pandas_frame())
    assert isinstance(model.synthesize(5, seed=1, as_pandas=False), pl.DataFrame)
    pl_model = _fit(pl.from_pandas(_pandas_frame()[["i", "s"]]))
    assert "pandas_dtypes" not in pl_model.to_dict()["provenance"][FORMAT_KEY]


def test_polars_enums_and_categoricals_are_unchanged():
    g = np.random.default_rng(5)
    real = pl.DataFrame({
        "e": pl.Series(g.choice(["lo", "mid"], N), dtype=pl.Enum(["hi", "mid", "lo"])),  # "hi" unused
        "c": pl.Series(g.choice(["x", "y"], N), dtype=pl.Categorical),
        "i": pl.Series([None if g.random() < 0.2 else int(v) for v in g.integers(0, 9, N)], dtype=pl.Int64),
    })
    syn = _fit(real).synthesize(seed=1)
    assert syn.schema == real.schema
    assert syn["e"].dtype.categories.to_list() == ["hi", "mid", "lo"]
    assert syn["i"].null_count() > 0
    as_pd = _fit(real).synthesize(seed=1, as_pandas=True)  # a polars model asked for pandas: polars' conversion
    assert list(as_pd["e"].cat.categories) == ["hi", "mid", "lo"]


@pytest.mark.parametrize("values", [
    [True, False, None] * 20,
    [pd.Timestamp("2020-01-01").to_pydatetime(), pd.Timestamp("2021-06-01 10:00").to_pydatetime()] * 30,
])
def test_asked_for_categoricals_of_booleans_and_dates_come_back_in_their_dtype(values):
    real = pl.DataFrame({"c": values})
    syn = _fit(real, categorical=["c"]).synthesize(200, seed=1)
    assert syn.schema == real.schema
    assert set(syn["c"].drop_nulls()) == set(real["c"].drop_nulls())


def test_a_duration_cannot_be_asked_to_be_a_categorical():
    real = pl.DataFrame({"d": pl.Series([1, 2, 3] * 10).cast(pl.Duration("us"))})
    with pytest.raises(SynthSpectrumError, match="column 'd'.*categorical"):
        _fit(real, categorical=["d"])


def test_an_object_column_gets_python_values_back():
    import datetime as dt

    real = pd.DataFrame({"d": pd.Series([dt.date(2020, 1, 1 + i % 28) for i in range(N)], dtype=object),
                         "t": pd.Series([None if i % 4 == 0 else f"x{i % 3}" for i in range(N)], dtype=object)})
    syn = _fit(real).synthesize(seed=1)
    _same_dtypes(syn, real)
    assert all(type(v) is dt.date for v in syn["d"])  # dates, not Timestamps
    assert syn["t"].isna().sum() > 0 and set(syn["t"].dropna()) <= {"x0", "x1", "x2"}


@pytest.mark.parametrize("column, message", [
    (pd.Categorical(pd.to_timedelta(np.arange(60) % 3, unit="h")), "column 'c'.*categorical of timedeltas"),
    (pd.period_range("2020-01", periods=60, freq="M"), "column 'c'.*not supported"),
    (pd.Categorical(pd.cut(np.arange(60), 3)), "column 'c'.*not supported"),
])
def test_pandas_dtypes_that_cannot_come_back_are_refused_by_column(column, message):
    with pytest.raises(SynthSpectrumError, match=message):
        _fit(pd.DataFrame({"c": column}))
