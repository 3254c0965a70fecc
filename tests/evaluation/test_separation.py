"""A propensity model that separates real from synthetic records gives no S_pMSE verdict: its
S_pMSE then sits near N / ((k - 1)(1 - c)), about 2 for a model as wide as the records, inside
the registry's "good" band whatever the data (a newcomer's 300 x 200 export read "S_pMSE 2.857
good" next to AUC 1 and pMSE at its maximum). A model that does not separate keeps its band."""

import numpy as np
import polars as pl
import pytest

from synthspectrum.evaluation import evaluate
from synthspectrum.evaluation.separation import separates, verdict
from synthspectrum.measures import registry


def _frame(n, p, seed):
    g = np.random.default_rng(seed)
    return pl.DataFrame({f"x{i}": g.normal(size=n) for i in range(p)})


@pytest.fixture(scope="module")
def wide():
    # two samples of one distribution, 60 columns for 40 + 40 records: main effects alone separate them
    return evaluate(_frame(40, 60, 1), _frame(40, 60, 2), plots=False)


@pytest.fixture(scope="module")
def narrow():
    return evaluate(_frame(200, 5, 1), _frame(200, 5, 2), plots=False)


def _general(ev):
    return dict(ev.measures.filter(pl.col("section") == "general").select("measure", "value").iter_rows())


def test_a_separating_model_gets_no_good_s_pmse(wide, tmp_path):
    g = _general(wide)
    assert g["AUC"] == 1.0 and g["pMSE"] == pytest.approx(0.25)
    assert registry.get("S_pMSE").band(g["S_pMSE"]) == "good"  # what the registry alone would say
    assert wide.verdict("general", "S_pMSE", g["S_pMSE"]) == "unreadable"
    # the summary says so (the terminal prints it), and the alerts say why, first
    summary = dict(wide.summary().iter_rows())
    assert summary["SEPARATED: propensity AUC, S_pMSE not readable"] == 1.0
    first = wide.alerts()[0]
    assert "tells real from synthetic records apart" in first and "cannot be read as good" in first
    assert "61 parameters for 80 records" in first and "too wide" in first
    text = wide.to_html(tmp_path / "r.html").read_text()
    summary_html = text[text.index("id='summary'"):text.index("id='univariate'")]
    assert "good" not in summary_html.replace("<span class='good'>good</span>", "")
    assert "not readable: the propensity model separates real from synthetic" in summary_html
    assert "class='num unreadable'" in summary_html
    general_html = text[text.index("id='general'"):]
    assert "class='num good'" not in general_html  # nor in the section's full table
    alert = text.index("Look here first.")
    assert alert < text.find("tells real from synthetic records apart") < text.index("id='summary'")


def test_a_model_that_does_not_separate_keeps_its_band(narrow, tmp_path):
    g = _general(narrow)
    assert not separates(g["AUC"])
    assert narrow.verdict("general", "S_pMSE", g["S_pMSE"]) == registry.get("S_pMSE").band(g["S_pMSE"]) == "good"
    assert narrow.separation() is None
    assert not [m for m in dict(narrow.summary().iter_rows()) if m.startswith("SEPARATED")]
    text = narrow.to_html(tmp_path / "r.html").read_text()
    assert "class='num good'>2.058<" in text and "class='num unreadable'" not in text and "not readable" not in text


def test_the_rule():
    assert separates(0.99) and separates(1.0) and separates(0.005)
    assert not separates(0.98) and not separates(None) and not separates(float("nan"))
    assert verdict("S_pMSE", 2.0, 1.0) == "unreadable" and verdict("S_pMSE", 5.0, 1.0) == "unreadable"
    assert verdict("S_pMSE", 40.0, 1.0) == "poor"  # a poor S_pMSE stays poor
    assert verdict("S_pMSE", 2.0, None) == "good"  # no propensity model (a table's S_pMSE): its band
    assert verdict("S_pMSE", 2.0, 0.7) == "good"


def test_real_free_text_in_new_records_is_a_first_alert_naming_the_column_not_the_value():
    from synthspectrum import evaluate

    g = np.random.default_rng(3)
    n = 200
    real = pl.DataFrame({"x": g.normal(size=n), "group": g.choice(["a", "b"], n),
                         "note": [f"private note {i}" for i in range(n)]})
    syn = pl.DataFrame({"x": g.normal(size=n), "group": g.choice(["a", "b"], n),
                        "note": [f"private note {i}" for i in range(150, 350)]})  # 50 of 200 are real notes
    ev = evaluate(real, syn, plots=False)
    got = ev.measures.filter((pl.col("column") == "note") & pl.col("measure").str.starts_with("copied"))
    assert dict(zip(got["measure"], got["value"])) == {"copied_values": 50.0, "copied_value_share": 0.25}
    alert = [a for a in ev.alerts() if "copied" in a]
    assert alert and "'note' 50 of 200 (25%)" in alert[0] and "private note" not in alert[0]
