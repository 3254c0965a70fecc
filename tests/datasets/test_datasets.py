import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from synthspectrum import datasets
from synthspectrum.datasets import ae as gen
from synthspectrum.errors import SynthSpectrumError


def test_generator_is_deterministic_for_a_seed():
    a, b = gen.generate_ae(500, seed=7), gen.generate_ae(500, seed=7)
    assert a.equals(b)
    assert not a.equals(gen.generate_ae(500, seed=8))


def test_committed_file_is_the_generator_output(ae):
    assert ae.equals(gen.generate_ae())


def test_nhs_check_digit_known_example():
    # 943 476 5919 is the NHS's published example of a valid number.
    assert gen.nhs_check_digit("943476591") == 9
    assert gen.is_valid_nhs_number("9434765919")
    assert not gen.is_valid_nhs_number("9434765918")
    assert not gen.is_valid_nhs_number("94347659")


def test_every_nhs_number_is_valid_and_unique(ae):
    numbers = ae["nhs_number"].to_list()
    assert len(set(numbers)) == len(numbers) == 10_000
    for x in numbers:
        weights = range(10, 1, -1)
        check = (11 - sum(int(d) * w for d, w in zip(x[:9], weights)) % 11) % 11
        assert check != 10 and int(x[9]) == check


def test_time_in_ae_rises_with_age_as_documented(ae):
    # median minutes = 90 + 2 * age, multiplied by a log-normal with median 1
    for lo, hi in [(20, 30), (70, 80)]:
        grp = ae.filter(pl.col("age").is_between(lo, hi - 1))
        expected = np.median(gen.TIME_BASE + gen.TIME_AGE * grp["age"].to_numpy())
        assert grp["time_in_ae_minutes"].median() == pytest.approx(expected, rel=0.08)


def test_admission_follows_age_and_treatment(ae):
    eff = ae["treatment"].cast(pl.String).replace_strict(gen.TREATMENT_EFFECT, return_dtype=pl.Float64)
    p = 1 / (1 + np.exp(-(gen.ADMIT_INTERCEPT + gen.ADMIT_AGE * ae["age"].to_numpy() + eff.to_numpy())))
    for mask in [np.ones(ae.height, bool), ae["age"].to_numpy() >= 65,
                 (ae["treatment"] == "Observation").to_numpy()]:
        obs = ae["admitted"].to_numpy()[mask].mean()
        se = np.sqrt(np.sum(p[mask] * (1 - p[mask]))) / mask.sum()
        assert abs(obs - p[mask].mean()) < 4 * se
    old = ae.filter(pl.col("age") >= 65)["admitted"].mean()
    young = ae.filter(pl.col("age") < 30)["admitted"].mean()
    assert old > young + 0.1


def test_weekends_busier_and_each_weekday_has_its_peak(ae):
    t = ae.select(pl.col("arrival_time").dt.date().alias("d"), pl.col("arrival_time").dt.hour().alias("h"),
                  (pl.col("arrival_time").dt.weekday() - 1).alias("wd"))
    per_day = t.group_by("d", "wd").len()
    weekend = per_day.filter(pl.col("wd") >= 5)["len"].mean()
    weekday = per_day.filter(pl.col("wd") < 5)["len"].mean()
    assert weekend / weekday == pytest.approx(gen.WEEKEND_FACTOR, abs=0.1)
    for wd, peak in gen.PEAK_HOUR.items():
        counts = t.filter(pl.col("wd") == wd).group_by("h").len().sort("len", descending=True)
        top3 = counts["h"].head(3).to_list()
        assert any(min(abs(h - peak), 24 - abs(h - peak)) <= 1 for h in top3), (wd, top3)


def test_skewed_categories_and_rare_codes(ae):
    h = ae["hospital"].value_counts()["count"]
    assert h.max() > 10 * h.min()
    g = ae["gender"].value_counts(normalize=True, name="p")
    rare = g.filter(pl.col("gender").is_in(["Not known", "Not specified"]))["p"]
    assert (rare < 0.02).all() and rare.len() == 2
    share_null = ae["home_postcode"].null_count() / ae.height
    assert 0.005 < share_null < 0.015
    districts = ae["home_postcode"].drop_nulls().str.split(" ").list.first().unique()
    assert set(districts.to_list()) <= set(gen.DISTRICTS)


def test_loader_dtypes(ae):
    assert ae.schema["arrival_time"] == pl.Datetime("us")
    assert ae.schema["gender"] == pl.Enum(gen.GENDERS)
    assert ae.schema["treatment"] == pl.Enum(gen.TREATMENTS)
    assert ae.schema["admitted"] == pl.Boolean
    assert ae["arrival_time"].min() >= dt.datetime(2019, 1, 1)
    area = datasets.load("area_deprivation")
    assert area["deprivation_decile"].is_between(1, 10).all()
    assert set(area["postcode_district"]) == set(gen.DISTRICTS)


def test_list_and_pandas():
    names = datasets.list()
    assert names[:3] == ["ae", "ae_deidentified", "area_deprivation"]
    assert {"titanic", "spaceship", "survey"} <= set(names)
    df = datasets.load("ae", as_pandas=True)
    assert isinstance(df, pd.DataFrame) and len(df) == 10_000
    assert isinstance(df["gender"].dtype, pd.CategoricalDtype)


@pytest.mark.parametrize("name", datasets.METASYN_DATASETS)
def test_metasyn_demo_datasets_load(name):
    df = datasets.load(name)
    assert df.height > 0 and df.width > 0


def test_unknown_dataset_is_a_clear_error():
    with pytest.raises(SynthSpectrumError, match="unknown dataset 'nope'.*available: ae"):
        datasets.load("nope")
