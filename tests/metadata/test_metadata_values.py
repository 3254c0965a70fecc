"""Synthetic values a column could have had: the shared number policy, sign, whole numbers,
and collapsed columns named at fit time and in the audit (issue 8, items 4.4 and 4.5)."""

import json
import warnings

import numpy as np
import polars as pl
import pytest
from metasyn import MetaFrame

from synthspectrum.metadata.audit import audit
from synthspectrum.metadata.model import fit_metadata, load


def _fit(df, **kw):
    """fit_metadata, returning (model, warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit_metadata(df, **kw)
    return model, [str(w.message) for w in caught]


# --- 4.4: one extreme value -----------------------------------------------------------------

@pytest.mark.parametrize("planted", [1e308, np.inf, -np.inf])
def test_one_extreme_float_leaves_the_other_values_sane(planted):
    rng = np.random.default_rng(4)
    others = rng.normal(50, 5, 299)
    df = pl.DataFrame({"x": np.append(others, planted), "y": rng.normal(size=300)})
    model, caught = _fit(df)
    about_x = [m for m in caught if "'x'" in m]
    assert len(about_x) == 1 and "treated as missing" in about_x[0]  # shown once, names the column
    assert not [m for m in caught if "'y'" in m]
    assert any("'x'" in n and "treated as missing" in n for n in model.notes)
    syn = model.synthesize(5000, seed=1)["x"]
    assert syn.null_count() == pytest.approx(5000 / 300, abs=4 * np.sqrt(5000 / 300))
    # the synthetic values live where the other 299 real values live (mean 50, sd 5)
    mu, sd = others.mean(), others.std()
    assert mu - 8 * sd <= syn.min() and syn.max() <= mu + 8 * sd
    assert abs(syn.mean() - mu) < 0.5 and abs(syn.std() - sd) < 1


def test_int64_max_as_a_code_leaves_the_other_values_sane():
    rng = np.random.default_rng(5)
    others = rng.integers(0, 100, 499)
    df = pl.DataFrame({"n": np.append(others, np.iinfo(np.int64).max)})
    model, caught = _fit(df)
    assert len([m for m in caught if "'n'" in m and "magnitude >= 1e+15" in m]) == 1
    syn = model.synthesize(5000, seed=1)["n"]
    assert syn.dtype == pl.Int64
    assert 0 <= syn.min() and syn.max() <= 99


# --- 4.5: sign and whole numbers ---------------------------------------------------------------

def _counts(n=600, seed=6):
    """Columns that are never negative: skewed counts, follow-up days, near-normal platelets."""
    rng = np.random.default_rng(seed)
    return pl.DataFrame({
        "platelets": rng.normal(250, 70, n).clip(5),  # raw metasyn: a normal, which crosses 0
        "skewed": rng.gamma(1.2, 40.0, n),
        "followup_days": rng.exponential(200, n).astype(np.int64),
        "age": rng.integers(18, 95, n).astype(np.float64),  # whole numbers read as floats
        "below_zero": -rng.exponential(3.0, n),  # never positive
    })


def test_raw_metasyn_crosses_zero_on_these_columns():
    """The bug, shown on raw metasyn: negative platelets and follow-up days, ages with decimals."""
    df = _counts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = MetaFrame.fit_dataframe(df, progress_bar=False)
        syn = raw.synthesize(100_000, seed=1, progress_bar=False)
    assert raw["platelets"].distribution.name == "core.normal" and syn["platelets"].min() < 0
    assert (syn["age"] != syn["age"].round(0)).any()


@pytest.mark.parametrize("privacy", ["none", "disclosure"])
def test_a_column_keeps_its_sign_and_its_whole_numbers(privacy):
    df = _counts()
    model, _ = _fit(df, privacy=privacy)
    syn = model.synthesize(100_000, seed=1)
    assert syn.schema == df.schema
    for name in ("platelets", "skewed", "followup_days", "age"):
        assert syn[name].min() >= 0, name
    assert syn["below_zero"].max() <= 0
    assert (syn["age"] == syn["age"].round(0)).all()
    assert model.metaframe["platelets"].distribution.name != "core.normal"
    # the sign rule is written into the model file, and the audit finds nothing of the wrong sign
    assert model.to_dict()["provenance"]["synthspectrum"]["support"]["platelets"]["sign"] == "non-negative"
    assert audit(model, real=df).filter(pl.col("finding") == "can draw values of the wrong sign").height == 0


def test_sign_and_whole_numbers_are_kept_with_pandas_and_missing_values():
    pdf = _counts(300).to_pandas()
    pdf.loc[::10, "age"] = np.nan
    syn = fit_metadata(pdf).synthesize(5000, seed=2)
    assert syn["age"].dtype == np.float64
    present = syn["age"].dropna()
    assert (present == present.round()).all() and syn["age"].isna().mean() == pytest.approx(0.1, abs=0.03)
    assert (syn[["platelets", "skewed", "followup_days"]] >= 0).all().all()


def test_keep_support_false_is_raw_metasyn():
    model = fit_metadata(_counts(), keep_support=False)
    assert model.metaframe["platelets"].distribution.name == "core.normal"
    assert model.support == {}


def test_a_users_own_distribution_is_left_alone():
    spec = [{"name": "platelets", "distribution": "normal"}]
    model = fit_metadata(_counts(), var_specs=spec)
    assert model.metaframe["platelets"].distribution.name == "core.normal"


# --- 4.5: collapsed columns ------------------------------------------------------------------------

def _binary(n=400):
    """95% zeros: metasyn's truncated normal puts its mean so far below 0 that no 1 is ever drawn,
    and metasyn-disclosure finds the column disclosive."""
    return pl.DataFrame({"flag": np.r_[np.zeros(n - 20), np.ones(20)].astype(np.int64),
                         "v": np.random.default_rng(7).normal(size=n)})


@pytest.mark.parametrize("privacy", ["none", "disclosure"])
def test_a_column_that_collapses_is_named_at_fit_time(privacy):
    df = _binary()
    model, caught = _fit(df, privacy=privacy)
    syn = model.synthesize(4000, seed=1)
    about = [m for m in caught if "collapsed" in m]
    assert syn["flag"].n_unique() == 1  # what the warning is about
    assert len(about) == 1 and about[0].startswith("column 'flag' collapsed")
    assert "the real column has 2 distinct value(s)" in about[0]
    assert ("under disclosure control" in about[0]) == (privacy == "disclosure")
    assert any(n.startswith("column 'flag' collapsed") for n in model.notes)
    found = audit(model, real=df).filter((pl.col("column") == "flag") & (pl.col("finding") == "collapsed column"))
    assert found.height == 1 and found["severity"][0] == "quality"


def test_placeholder_categories_are_named():
    df = pl.DataFrame({"c": ["x"] * 370 + ["y"] * 30})  # one category over 90%: disclosive
    model, caught = _fit(df, privacy="disclosure")
    assert set(model.synthesize(500, seed=1)["c"]) <= {"A_REDACTED", "B_REDACTED", "C_REDACTED"}
    assert [m for m in caught if m.startswith("column 'c' collapsed under disclosure control")]
    assert "placeholder" in audit(model, real=df).filter(pl.col("finding") == "collapsed column")["detail"][0]


def test_a_constant_column_is_not_a_collapse():
    model, caught = _fit(pl.DataFrame({"same": [3] * 40, "v": range(40)}))
    assert not [m for m in caught if "collapsed" in m]


def test_a_count_column_gets_no_placeholder_under_disclosure():
    """Under disclosure control every bounded fit scores an infinite BIC, and the placeholder
    categories 77777/88888/99999 won for counts; they are refitted without that distribution."""
    df = _counts().select("followup_days")
    model, caught = _fit(df, privacy="disclosure")
    syn = model.synthesize(5000, seed=1)["followup_days"]
    assert not {77777, 88888, 99999} & set(syn.unique().to_list())
    assert syn.min() >= 0 and abs(syn.mean() - df["followup_days"].mean()) < 0.3 * df["followup_days"].mean()


# --- 4.5: the audit flags models that cannot give sensible values ----------------------------------

def test_audit_flags_a_location_far_outside_the_range():
    rng = np.random.default_rng(0)
    df = pl.DataFrame({"days": rng.exponential(200, 400).astype(np.int64)})
    model = fit_metadata(df)
    par = model.metaframe["days"].distribution.par
    assert model.metaframe["days"].distribution.name == "synthspectrum.rounded_truncated_normal"
    assert par["mean"] < par["lower"] - 2 * (par["upper"] - par["lower"])  # the case in the issue
    far = audit(model).filter(pl.col("finding") == "location far outside the range")
    assert far.height == 1 and far["severity"][0] == "quality" and "not a bell" in far["detail"][0]
    bell = pl.DataFrame({"days": rng.normal(300, 40, 400).round().astype(np.int64)})
    assert audit(fit_metadata(bell)).filter(pl.col("finding") == "location far outside the range").height == 0


def test_audit_flags_a_model_that_crosses_the_columns_sign(tmp_path):
    df = _counts().select("platelets")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = MetaFrame.fit_dataframe(df, progress_bar=False)  # a normal
    wrong = audit(raw, real=df).filter(pl.col("finding") == "can draw values of the wrong sign")
    assert wrong.height == 1 and "below 0; the column is never negative" in wrong["detail"][0]
    # without the data, the sign recorded in our model file is used: edit a saved model into a normal
    path = fit_metadata(df).save(tmp_path / "m.json")
    gmf = json.loads(path.read_text())
    var = (gmf["tables"][0] if "tables" in gmf else gmf)["vars"][0]
    var["distribution"] = {"name": "core.normal", "version": "1.0", "class_name": "ContinuousNormalDistribution",
                           "unique": False, "parameters": {"mean": 250.0, "sd": 70.0}}
    path.write_text(json.dumps(gmf))
    assert load(path).metaframe["platelets"].distribution.name == "core.normal"
    assert audit(path).filter(pl.col("finding") == "can draw values of the wrong sign").height == 1
