"""The polars/pandas <-> R data.frame bridge: lossless round trips and each rpy2 pitfall.

Skips as a whole, with the reason in the summary, where R or rpy2 is missing.
"""

import datetime as dt
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthspectrum.errors import RNotAvailableError, SynthSpectrumError

try:
    from synthspectrum.synthpop.bridge import from_r, rinterface, to_r

    ri = rinterface()
except RNotAvailableError as exc:
    pytest.skip(f"R side not available: {exc}", allow_module_level=True)


def r_eval(code: str, **values):
    """Evaluate R code with the given R objects bound as variables; return the R result."""
    env = ri.baseenv["new.env"]()
    for k, v in values.items():
        env[k] = v
    return ri.baseenv["eval"](ri.parse(code), env)


def r_strs(code: str, **values) -> list:
    return [None if x is ri.NA_Character else str(x) for x in r_eval(f"as.character({code})", **values)]


# --- property: random frames of every supported dtype, with missing values, round-trip -----

NAMES = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=8)
LEVELS = ["zeta", "alpha", "mid", "never used"]


def columns(n: int):
    def opt(strategy):
        return st.lists(st.one_of(st.none(), strategy), min_size=n, max_size=n)

    return {
        "float": opt(st.floats(allow_nan=False, allow_infinity=False, width=64)).map(lambda v: pl.Series(v, dtype=pl.Float64)),
        "int32": opt(st.integers(-2**31 + 1, 2**31 - 1)).map(lambda v: pl.Series(v, dtype=pl.Int32)),
        "int64": opt(st.integers(-2**53, 2**53)).map(lambda v: pl.Series(v, dtype=pl.Int64)),
        "bool": opt(st.booleans()).map(lambda v: pl.Series(v, dtype=pl.Boolean)),
        "str": opt(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"), max_size=6)).map(lambda v: pl.Series(v, dtype=pl.String)),
        "enum": opt(st.sampled_from(LEVELS[:3])).map(lambda v: pl.Series(v, dtype=pl.Enum(LEVELS))),
        "cat": opt(st.sampled_from(["b", "a", "c"])).map(lambda v: pl.Series(v, dtype=pl.String).cast(pl.Categorical)),
        "date": opt(st.dates(dt.date(1700, 1, 1), dt.date(2200, 1, 1))).map(lambda v: pl.Series(v, dtype=pl.Date)),
        "datetime": opt(st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1))).map(lambda v: pl.Series(v, dtype=pl.Datetime("us"))),
        "datetime_tz": opt(st.datetimes(dt.datetime(1950, 1, 2), dt.datetime(2090, 1, 1))).map(
            lambda v: pl.Series(v, dtype=pl.Datetime("us")).dt.replace_time_zone("UTC").dt.convert_time_zone("America/New_York")),
        "duration": opt(st.timedeltas(dt.timedelta(days=-9999), dt.timedelta(days=9999))).map(
            lambda v: pl.Series(v, dtype=pl.Duration("us"))),
    }


@st.composite
def frames(draw):
    n = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(sorted(columns(0))), min_size=1, max_size=6))
    names = draw(st.lists(NAMES, min_size=len(kinds), max_size=len(kinds), unique=True))
    cols = columns(n)
    return pl.DataFrame([draw(cols[k]).alias(name) for k, name in zip(kinds, names)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_random_frames_round_trip_exactly(df):
    r, schema = to_r(df)
    back = from_r(r, schema)
    assert back.columns == df.columns
    assert back.schema == df.schema
    assert back.equals(df)
    for c in df.columns:
        if isinstance(df.schema[c], pl.Enum):
            assert back.schema[c].categories.to_list() == LEVELS  # order and unused level kept


@settings(max_examples=40, deadline=None)
@given(frames())
def test_pandas_round_trip_returns_pandas(df):
    df = df.select([c for c in df.columns if not isinstance(df.schema[c], (pl.Duration, pl.Categorical))])
    if df.width == 0:
        return
    pdf = df.to_pandas()
    back = from_r(*to_r(pdf), frame_kind="pandas")
    assert isinstance(back, pd.DataFrame)
    assert list(back.columns) == list(pdf.columns)
    assert pl.from_pandas(back).equals(pl.from_pandas(pdf))


# --- each pitfall of rpy2's stock converter -------------------------------------------------

def test_nan_arrives_as_na_not_nan():
    r, _ = to_r(pl.DataFrame({"x": [1.0, float("nan"), None]}, nan_to_null=False))
    assert list(r_eval("is.na(d$x) & !is.nan(d$x)", d=r)) == [False, True, True]


def test_dates_arrive_as_dates_not_numbers():
    r, _ = to_r(pl.DataFrame({"d": [dt.date(2020, 1, 31)], "t": [dt.datetime(2020, 1, 31, 8, 30)]}))
    assert r_strs("class(d$d)", d=r) == ["Date"]
    assert r_strs("format(d$d)", d=r) == ["2020-01-31"]
    assert r_strs("format(d$t, '%Y-%m-%d %H:%M', tz = 'UTC')", d=r) == ["2020-01-31 08:30"]


def test_big_int64_stays_a_number():
    r, schema = to_r(pl.DataFrame({"id": [2**31, 2**40 + 1, None], "small": [1, 2, 3]}))
    assert r_strs("typeof(d$id)", d=r) == ["double"]
    assert r_strs("typeof(d$small)", d=r) == ["integer"]
    back = from_r(r, schema)
    assert back["id"].to_list() == [2**31, 2**40 + 1, None] and back.schema["id"] == pl.Int64


def test_integer_categories_stay_a_factor():
    pdf = pd.DataFrame({"c": pd.Categorical([3, 1, 2, 1], categories=[3, 1, 2], ordered=True)})
    r, schema = to_r(pdf)
    assert r_strs("class(d$c)", d=r) == ["ordered", "factor"]
    assert r_strs("levels(d$c)", d=r) == ["3", "1", "2"]
    back = from_r(r, schema, frame_kind="pandas")
    assert back["c"].cat.ordered and list(back["c"].cat.categories) == ["3", "1", "2"]


def test_r_missing_values_come_back_as_missing():
    r = r_eval("data.frame(i = c(1L, NA), s = c('a', NA), b = c(NA, TRUE), f = factor(c(NA, 'x')),"
               " d = as.Date(c('2001-02-03', NA)), check.names = FALSE)")
    back = from_r(r)
    assert back.to_dict(as_series=False) == {
        "i": [1, None], "s": ["a", None], "b": [None, True], "f": [None, "x"],
        "d": [dt.date(2001, 2, 3), None]}
    assert back.schema["d"] == pl.Date and back.schema["i"] == pl.Int32


def test_column_names_are_not_mangled():
    names = ["a b", "x.y", "ünï", "1st", "if", "a", "A"]
    r, _ = to_r(pl.DataFrame({n: [1] for n in names}))
    assert r_strs("names(d)", d=r) == names
    assert r_strs("nrow(d)", d=r) == ["1"]
    assert from_r(r).columns == names


def test_factor_levels_keep_their_order_and_unused_levels():
    df = pl.DataFrame({"f": pl.Series(["mid", "low"], dtype=pl.Enum(["low", "mid", "high"]))})
    r, _ = to_r(df)
    assert r_strs("levels(d$f)", d=r) == ["low", "mid", "high"]
    assert r_strs("as.character(d$f)", d=r) == ["mid", "low"]
    assert from_r(r).schema["f"] == pl.Enum(["low", "mid", "high"])


def test_r_datetimes_and_difftimes_come_back():
    r = r_eval("data.frame(t = as.POSIXct('2020-03-01 10:00:00', tz = 'Asia/Tokyo'),"
               " h = as.difftime(90, units = 'mins'))")
    back = from_r(r)
    assert back.schema["t"] == pl.Datetime("us", "Asia/Tokyo")
    assert back["t"][0] == dt.datetime(2020, 3, 1, 1, 0, tzinfo=dt.timezone.utc)
    assert back["h"][0] == dt.timedelta(minutes=90)


def test_unsupported_dtypes_name_the_column():
    with pytest.raises(SynthSpectrumError, match="column 'l'.*cannot cross to R"):
        to_r(pl.DataFrame({"ok": [1], "l": [[1, 2]]}))
    with pytest.raises(SynthSpectrumError, match="column 'n'.*ordered factor"):
        to_r(pl.DataFrame({"n": [1]}), ordered=["n"])


def test_large_frame_values_survive():
    n = 200_000
    rng = np.random.default_rng(0)
    df = pl.DataFrame({"x": rng.normal(size=n), "k": rng.integers(0, 1000, n),
                       "s": pl.Series(rng.choice(["a", "b", None], n).tolist(), dtype=pl.String)})
    r, schema = to_r(df)
    assert math.isclose(float(r_eval("sum(d$x)", d=r)[0]), float(df["x"].sum()), rel_tol=1e-12)
    assert from_r(r, schema).equals(df)


@pytest.mark.parametrize("before", [None, "/opt/mine/lib"])
def test_starting_r_leaves_the_library_path_of_child_processes_as_it_was(before):
    # R's start-up writes its library path into the environment; a Python child started after
    # it (the spectrum's workers, Dask's) would load the system's libpython instead of its own
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    if before is not None:
        env["LD_LIBRARY_PATH"] = before
    code = ("import os; from synthspectrum.synthpop.bridge import rinterface; rinterface(); "
            "print(repr(os.environ.get('LD_LIBRARY_PATH')))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == repr(before)
