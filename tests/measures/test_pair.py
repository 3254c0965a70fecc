"""The real/synthetic pair check (synthspectrum.core.pair.check_pair): one dtype per column for
both frames, so that every measure compares like with like, and a clear refusal where the two
columns are not the same variable."""

from datetime import date, datetime

import numpy as np
import pandas as pd
import polars as pl
import pytest

from synthspectrum import evaluate
from synthspectrum.core.pair import check_pair
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures.privacy import disclosure, replicated_uniques
from synthspectrum.measures.utility import utility_gen

REAL = pl.DataFrame({"age": [30, 40, 50, 60, 70, 30], "sex": ["f", "m", "f", "m", "f", "m"],
                     "y": ["a", "b", "a", "b", "a", "b"]})


def _value(df, measure):
    return df.filter(pl.col("measure") == measure)["value"].item()


def test_a_copy_with_its_whole_numbers_as_floats_is_still_a_copy():
    # every record is unique on (age, sex), and the synthetic data are those very records: by hand,
    # all 6 are replicated uniques (100%), and each key's target is disclosed (repU = DiSCO = 100%)
    copy = REAL.with_columns(pl.col("age").cast(pl.Float64))
    ru = replicated_uniques(REAL, copy, keys=["age", "sex"])
    assert _value(ru, "replicated_uniques") == 6
    d = disclosure(REAL, copy, keys=["age", "sex"], target="y")
    assert _value(d, "repU") == 100 and _value(d, "DiSCO") == 100
    assert ru.equals(replicated_uniques(REAL, REAL, keys=["age", "sex"]))


def test_numbers_of_two_widths_meet_in_one_dtype():
    r, s = check_pair(REAL.with_columns(pl.col("age").cast(pl.Int16)), REAL.with_columns(pl.col("age").cast(pl.Int64)))
    assert r.schema["age"] == s.schema["age"] == pl.Int64
    # whole floats against real ints (a pandas round trip with a missing value): the real dtype
    r, s = check_pair(REAL, REAL.with_columns(pl.col("age").cast(pl.Float32)))
    assert r.schema["age"] == s.schema["age"] == pl.Int64 and r.equals(REAL)
    # fractions, or whole numbers past the real dtype's range: both float
    r, s = check_pair(REAL, REAL.with_columns(pl.col("age") + 0.5))
    assert r.schema["age"] == s.schema["age"] == pl.Float64
    assert r["age"].to_list() == [30.0, 40.0, 50.0, 60.0, 70.0, 30.0]
    r, s = check_pair(REAL.with_columns(pl.col("age").cast(pl.Int8)), REAL.with_columns(pl.col("age") * 1000.0))
    assert s.schema["age"] == pl.Float64 and s["age"].max() == 70_000.0


def test_enums_of_different_levels_are_measured_as_their_labels():
    g = np.random.default_rng(0)
    n = 300
    r = pl.DataFrame({"a": g.integers(0, 9, n), "e": pl.Series(g.choice(["p", "q"], n)).cast(pl.Enum(["q", "p"]))})
    s = pl.DataFrame({"a": g.integers(0, 9, n), "e": pl.Series(g.choice(["p", "q", "new"], n))}).with_columns(
        pl.col("e").cast(pl.Enum(["p", "q", "new"])))
    rr, ss = check_pair(r, s)
    assert rr.schema["e"] == ss.schema["e"] == pl.Enum(["q", "p", "new"])  # the real order, then the new level
    assert rr["e"].to_list() == r["e"].cast(pl.String).to_list()
    as_text = utility_gen(r.with_columns(pl.col("e").cast(pl.String)), s.with_columns(pl.col("e").cast(pl.String)),
                          maxorder=0)
    assert utility_gen(r, s, maxorder=0).equals(as_text)
    evaluate(r, s, plots=False)  # polars found no supertype for the two Enums


@pytest.mark.parametrize("real_col, syn_col", [
    (pl.Series(["x", "y"] * 3), pl.Series([True, False] * 3)),
    (pl.Series([date(2020, 1, 1)] * 6), pl.Series([18262] * 6)),
    (pl.Series([date(2020, 1, 1)] * 6), pl.Series([datetime(2020, 1, 1)] * 6)),
    (pl.Series([datetime(2020, 1, 1)] * 6), pl.Series([datetime(2020, 1, 1)] * 6).dt.replace_time_zone("UTC")),
])
def test_columns_that_are_not_the_same_variable_are_refused_by_name(real_col, syn_col):
    r = REAL.with_columns(real_col.alias("when"))
    s = REAL.with_columns(syn_col.alias("when"))
    with pytest.raises(SynthSpectrumError, match="'when'"):
        check_pair(r, s)
    with pytest.raises(SynthSpectrumError, match="'when'"):
        utility_gen(r, s, maxorder=0)


def test_datetimes_in_two_zones_are_compared_as_instants():
    t = pl.Series([datetime(2020, 1, 1, h) for h in range(6)]).dt.replace_time_zone("UTC")
    r, s = check_pair(REAL.with_columns(t.alias("t")), REAL.with_columns(t.dt.convert_time_zone("Europe/Amsterdam").alias("t")))
    assert r.schema["t"] == s.schema["t"] and r["t"].equals(s["t"])


def test_pandas_frames_that_polars_cannot_take_get_the_column_named_and_no_value():
    dup = pd.DataFrame([[1, 2]] * 3, columns=["a", "a"])
    with pytest.raises(SynthSpectrumError, match="'a' appears 2 times"):
        check_pair(dup, dup)
    mixed = pd.DataFrame({"a": range(6), "o": [1, "secret-two", 3.0] * 2})
    with pytest.raises(SynthSpectrumError, match="column 'o'.*float, int, str") as err:
        check_pair(mixed, mixed)
    assert "secret" not in str(err.value)
