"""The instructor guide: its schedule adds up to the day, and its measured pitfalls are what
an independent count on the workshop data gives."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import ROOT
from synthspectrum.workshop.modules import BREAK_MINUTES, DAY_MINUTES, MODULES

GUIDE = ROOT / "slides" / "instructor-guide.md"


def test_schedule_in_the_guide_adds_up_to_the_day():
    text = GUIDE.read_text()
    block = text[text.index("<!-- begin: schedule"):text.index("<!-- end: schedule -->")]
    rows = [r for r in block.splitlines() if re.match(r"^\| \d\d:\d\d-\d\d:\d\d \|", r)]
    minutes = [int(r.split("|")[3].split()[0]) for r in rows]
    assert sum(minutes) == DAY_MINUTES == 210
    assert sum(m.minutes for m in MODULES) + BREAK_MINUTES == 210
    assert [r.split("|")[2].strip() for r in rows if "Break" not in r] == [f"{m.id.upper()} {m.title}" for m in MODULES]
    assert sum("Break" in r for r in rows) == 1 and f"| {BREAK_MINUTES} |" in next(r for r in rows if "Break" in r)
    # the clock runs on without gaps: each row starts where the last one ended
    times = [r.split("|")[1].strip().split("-") for r in rows]
    assert all(a[1] == b[0] for a, b in zip(times, times[1:]))


def test_pitfall_numbers_match_an_independent_count():
    from synthspectrum.datasets.ae_tutorial import AE_QUASI_IDENTIFIERS
    from synthspectrum.workshop import workshop_data
    from synthspectrum.workshop.pitfalls import measure_pitfalls

    p = measure_pitfalls()
    rows = workshop_data("deidentified").select(AE_QUASI_IDENTIFIERS).rows()
    with_na = Counter(rows)
    dropping = Counter(r for r in rows if None not in r)  # what base R's table() keeps
    assert p["classes_with_na"] == len(with_na)
    assert p["classes_dropping_na"] == len(dropping)
    assert p["uniques_with_na"] == sum(1 for c in with_na.values() if c == 1)
    assert p["uniques_dropping_na"] == sum(1 for c in dropping.values() if c == 1)
    assert p["records_with_missing_qi"] == sum(1 for r in rows if None in r)
    # time order separates head from tail; random halves are close to indistinguishable
    assert p["auc_head_tail"] > 0.95 and abs(p["auc_random_halves"] - 0.5) < 0.1
    assert 0 < p["random_replicated_uniques"] <= p["random_uniques_synthetic"]
    assert p["spmse_metasyn"] < p["spmse_holdout"]


def test_guide_numbers_are_the_measured_ones():
    from synthspectrum.workshop.pitfalls import measure_pitfalls

    text = GUIDE.read_text()
    p = measure_pitfalls()
    assert f"{p['classes_dropping_na']:,.0f} classes" in text
    assert f"{p['auc_head_tail']:.3f}" in text and f"{p['auc_random_halves']:.3f}" in text
