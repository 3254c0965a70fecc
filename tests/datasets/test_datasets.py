import datetime as dt
import re
from pathlib import Path

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


CODEBOOK = (Path(__file__).resolve().parents[2] / "data" / "CODEBOOK.md").read_text()


def documented(pattern: str) -> re.Match:
    """The codebook's own words, so that these tests check the data against what we tell users
    (not against the generator's constants, which would agree with themselves)."""
    found = re.search(pattern, CODEBOOK)
    assert found, f"CODEBOOK.md no longer says {pattern!r}"
    return found


def test_time_in_ae_rises_with_age_as_documented(ae):
    m = documented(r"median ([\d.]+) \+ ([\d.]+) x age minutes")
    base, per_year = float(m.group(1)), float(m.group(2))
    for lo, hi in [(20, 30), (70, 80)]:
        grp = ae.filter(pl.col("age").is_between(lo, hi - 1))
        expected = np.median(base + per_year * grp["age"].to_numpy())
        assert grp["time_in_ae_minutes"].median() == pytest.approx(expected, rel=0.08)


def test_admission_follows_age_and_treatment_as_documented(ae):
    m = documented(r"logit p = ([-\d.]+) \+ ([\d.]+) x age \+ effect\(treatment\); effects: ([^|]+)\|")
    intercept, per_year = float(m.group(1)), float(m.group(2))
    effects = dict((name.strip(), float(v)) for name, v in re.findall(r"([A-Za-z ]+?) ([-+][\d.]+|0)\b", m.group(3)))
    levels = ae["treatment"].dtype.categories.to_list()
    # the codebook names a treatment by the first word(s) of its level
    by_level = {lv: next(v for k, v in effects.items() if lv.startswith(k)) for lv in levels}
    eff = ae["treatment"].cast(pl.String).replace_strict(by_level, return_dtype=pl.Float64)
    p = 1 / (1 + np.exp(-(intercept + per_year * ae["age"].to_numpy() + eff.to_numpy())))
    for mask in [np.ones(ae.height, bool), ae["age"].to_numpy() >= 65,
                 (ae["treatment"] == "Observation").to_numpy()]:
        obs = ae["admitted"].to_numpy()[mask].mean()
        se = np.sqrt(np.sum(p[mask] * (1 - p[mask]))) / mask.sum()
        assert abs(obs - p[mask].mean()) < 4 * se
    old = ae.filter(pl.col("age") >= 65)["admitted"].mean()
    young = ae.filter(pl.col("age") < 30)["admitted"].mean()
    assert old > young + 0.1


def test_weekends_busier_and_each_weekday_has_its_peak_as_documented(ae):
    factor = float(documented(r"weekends ([\d.]+)x as likely as weekdays").group(1))
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    peaks = {days.index(d): int(h) for d, h in re.findall(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d+)h", CODEBOOK)}
    assert sorted(peaks) == list(range(7))
    t = ae.select(pl.col("arrival_time").dt.date().alias("d"), pl.col("arrival_time").dt.hour().alias("h"),
                  (pl.col("arrival_time").dt.weekday() - 1).alias("wd"))
    per_day = t.group_by("d", "wd").len()
    weekend = per_day.filter(pl.col("wd") >= 5)["len"].mean()
    weekday = per_day.filter(pl.col("wd") < 5)["len"].mean()
    assert weekend / weekday == pytest.approx(factor, abs=0.1)
    for wd, peak in peaks.items():
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
