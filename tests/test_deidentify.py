import datetime as dt

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthspectrum import datasets
from synthspectrum.datasets import ae_tutorial
from synthspectrum import deidentify as de
from synthspectrum.errors import ColumnError, SynthSpectrumError


def test_age_bands_by_hand():
    df = pl.DataFrame({"age": [0, 17, 18, 24, 25, 44, 45, 64, 65, 84, 85, 104, None]})
    out = de.band_numeric(df, "age")
    assert out["age"].cast(pl.String).to_list() == [
        "0-17", "0-17", "18-24", "18-24", "25-44", "25-44", "45-64", "45-64", "65-84", "65-84",
        "85+", "85+", None]
    assert out.schema["age"] == pl.Enum(["0-17", "18-24", "25-44", "45-64", "65-84", "85+"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 150)), min_size=1, max_size=30))
def test_every_value_lands_in_the_band_that_contains_it(values):
    out = de.band_numeric(pl.DataFrame({"x": values}, schema={"x": pl.Float64}), "x")["x"].cast(pl.String)
    for v, band in zip(values, out.to_list()):
        if v is None:
            assert band is None
            continue
        lo, _, hi = band.partition("-")
        lo = int(lo.rstrip("+"))
        assert lo <= v and (not hi or v < int(hi) + 1)


def test_band_rejects_values_below_the_first_break_and_text():
    with pytest.raises(SynthSpectrumError, match="column 'age': 1 value"):
        de.band_numeric(pl.DataFrame({"age": [-1, 5]}), "age")
    with pytest.raises(SynthSpectrumError, match="column 'age'.*numeric"):
        de.band_numeric(pl.DataFrame({"age": ["5"]}), "age")
    with pytest.raises(ColumnError, match="no column 'agee'"):
        de.band_numeric(pl.DataFrame({"age": [5]}), "agee")


def test_coarsen_datetime_by_hand():
    df = pl.DataFrame({"t": [dt.datetime(2019, 3, 4, 3, 59), dt.datetime(2019, 3, 4, 4, 0),
                             dt.datetime(2019, 12, 31, 23, 59), None], "x": [1, 2, 3, 4]})
    out = de.coarsen_datetime(df, "t", hours=4)
    assert out.columns == ["t_date", "t_hour_band", "x"]
    assert out["t_date"].to_list() == [dt.date(2019, 3, 4), dt.date(2019, 3, 4), dt.date(2019, 12, 31), None]
    assert out["t_hour_band"].cast(pl.String).to_list() == ["00-03", "04-07", "20-23", None]
    with pytest.raises(SynthSpectrumError, match="hours must divide 24"):
        de.coarsen_datetime(df, "t", hours=5)


def test_pseudonymise_is_one_to_one_seeded_and_keeps_missing():
    df = pl.DataFrame({"h": ["Royal", "Queen", "Royal", None, "St Ann"]})
    a = de.pseudonymise(df, "h", seed=1)["h"].cast(pl.String).to_list()
    assert a[0] == a[2] and len({a[0], a[1], a[4]}) == 3 and a[3] is None
    assert not set(a) & {"Royal", "Queen", "St Ann"}
    assert de.pseudonymise(df, "h", seed=1)["h"].cast(pl.String).to_list() == a
    assert de.pseudonymise(df, "h", seed=2)["h"].cast(pl.String).to_list() != a


def test_postcode_to_deprivation_by_hand():
    area = pl.DataFrame({"postcode_district": ["SE15", "E1"], "deprivation_decile": [3, 9]})
    df = pl.DataFrame({"pc": ["SE15 4QL", "e1 6an", None, "SE154QL"], "y": [1, 2, 3, 4]})
    out = de.postcode_to_deprivation(df, "pc", area, decile_column="deprivation_decile")
    assert out.columns == ["deprivation_decile", "y"]
    assert out["deprivation_decile"].to_list() == [3, 9, None, 3]
    bad = pl.DataFrame({"pc": ["W1 1AA"]})
    with pytest.raises(SynthSpectrumError, match="column 'pc': 1 postcode district.*W1"):
        de.postcode_to_deprivation(bad, "pc", area, decile_column="deprivation_decile")
    assert de.postcode_to_deprivation(bad, "pc", area, decile_column="deprivation_decile", unknown="null")["deprivation_decile"].to_list() == [None]


def test_suppress_rare_by_hand():
    df = pl.DataFrame({"g": pl.Series(["a"] * 5 + ["b"] * 3 + ["c"] + [None], dtype=pl.Enum(["a", "b", "c"]))})
    # c (1 record) < k=3 -> Other, but Other then has 1 record < 3 -> suppressed.
    out = de.suppress_rare(df, "g", k=3)["g"]
    assert out.cast(pl.String).to_list() == ["a"] * 5 + ["b"] * 3 + [None, None]
    # merged into an existing category, the order of levels is kept
    out = de.suppress_rare(df, "g", k=4, other="a")["g"]
    assert out.dtype == pl.Enum(["a"])
    assert out.cast(pl.String).to_list() == ["a"] * 9 + [None]
    out = de.suppress_rare(pl.DataFrame({"g": ["x"] * 3 + ["y", "z"]}), "g", k=2, other="rare")["g"]
    assert out.to_list() == ["x"] * 3 + ["rare", "rare"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=60), st.integers(1, 6))
def test_no_category_left_rarer_than_k(values, k):
    out = de.suppress_rare(pl.DataFrame({"g": values}), "g", k=k)["g"].drop_nulls()
    counts = out.value_counts()["count"]
    assert counts.len() == 0 or counts.min() >= k


def test_top_bottom_code():
    df = pl.DataFrame({"m": [1, 50, 900, None]})
    assert de.top_bottom_code(df, "m", lower=5, upper=720)["m"].to_list() == [5, 50, 720, None]
    with pytest.raises(SynthSpectrumError, match="lower"):
        de.top_bottom_code(df, "m", lower=10, upper=5)


def test_k_anonymity_by_hand():
    df = pl.DataFrame({"a": ["x", "x", "y", "y", "y", "y"], "b": [1, 1, 1, 2, 2, 2]})
    r = de.k_anonymity(df, ["a", "b"])
    assert (r.k, r.n_classes, r.n_unique, r.n_records) == (1, 3, 1, 6)
    assert r.sizes.to_dict(as_series=False) == {"class_size": [1, 2, 3], "n_classes": [1, 1, 1],
                                                "n_records": [1, 2, 3]}
    assert r.records_below(3) == 3
    assert "k = 1" in str(r) and "x" not in str(r).split(":", 1)[1]
    with pytest.raises(ColumnError):
        de.k_anonymity(df, ["a", "nope"])


def test_tutorial_pipeline(ae):
    out = ae_tutorial.deidentify_ae(ae, datasets.load("area_deprivation"))
    assert out.columns == ["age_band", "gender", "deprivation_decile", "arrival_time_date",
                           "arrival_time_hour_band", "hospital", "treatment", "time_in_ae_minutes", "admitted"]
    assert out.height == ae.height
    assert out["time_in_ae_minutes"].max() == ae_tutorial.AE_TOP_CODE_MINUTES
    assert out["gender"].value_counts()["count"].min() >= 50
    assert out["deprivation_decile"].null_count() == ae["home_postcode"].null_count()
    assert not set(out["hospital"].cast(pl.String)) & set(ae["hospital"].cast(pl.String))
    # the quasi-identifiers got coarser: far fewer sample uniques than on the raw data
    before = de.k_anonymity(ae, ["age", "gender", "home_postcode"]).n_unique
    after = de.k_anonymity(out, ["age_band", "gender", "deprivation_decile"]).n_unique
    assert after < before / 50


def test_pandas_in_pandas_out(ae):
    pdf = de.band_numeric(ae.select("age").head(5).to_pandas(), "age")
    assert isinstance(pdf, pd.DataFrame)
    assert list(pdf.columns) == ["age"]


def test_k_anonymity_groups_by_the_named_column_even_when_its_name_is_a_pattern():
    from synthspectrum.deidentify import k_anonymity

    # "^a.*$" would also match "ab" if read as a pattern: 4 classes of 5 by the named column alone
    df = pl.DataFrame({"^a.*$": [i // 5 for i in range(20)], "ab": list(range(20))})
    rep = k_anonymity(df, ["^a.*$"])
    assert (rep.k, rep.n_classes) == (5, 4)


def test_steps_touch_exactly_the_named_column_even_when_its_name_is_a_pattern():
    from synthspectrum import deidentify as de

    df = pl.DataFrame({"^a.*$": [1, 2, 3], "ab": [10, 20, 90], "c": ["x", "y", "z"]})
    assert de.drop_identifiers(df, ["^a.*$"]).columns == ["ab", "c"]
    banded = de.band_numeric(df, "ab")
    assert banded.columns == ["^a.*$", "ab", "c"] and banded["^a.*$"].to_list() == [1, 2, 3]
