"""The evaluation report reads like a verdict: headline measures with the registry's bands, one
row per column worst first, long tables folded away, "not applicable" with a reason instead of
nan; and it renders in headless Chromium at a laptop's width."""

import re
from html.parser import HTMLParser

import polars as pl
import pytest

from conftest import browse, fidelity_by_hand
from synthspectrum.evaluation import evaluate

KEYS = ["age_band", "gender", "deprivation_decile"]


class _Page(HTMLParser):
    """Rows of every table (cells as (class, text)), ids, and the text inside <details>."""

    def __init__(self):
        super().__init__()
        self.tables, self.ids, self.row, self.cell, self.depth, self.folded = [], [], None, None, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "table":
            self.tables.append({"folded": self.depth > 0, "rows": []})
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = [a.get("class") or "", ""]
        elif tag == "details":
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(tuple(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1]["rows"].append(self.row)
            self.row = None
        elif tag == "details":
            self.depth -= 1

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def _parse(text):
    p = _Page()
    p.feed(text)
    return p


def _strip_images(text):
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)


@pytest.fixture(scope="module")
def report(frozen_split, tmp_path_factory):
    train, syn, hold = frozen_split
    # one column empty in both frames: its measures have no value
    r = train.with_columns(pl.lit(None, dtype=pl.Float64).alias("empty"))
    s = syn.with_columns(pl.lit(None, dtype=pl.Float64).alias("empty"))
    h = hold.with_columns(pl.lit(None, dtype=pl.Float64).alias("empty"))
    ev = evaluate(r, s, keys=KEYS, target="admitted", holdout=h, formula="admitted ~ age_band + treatment",
                  family="binomial", seed=1)
    path = ev.to_html(tmp_path_factory.mktemp("page") / "report.html")
    return ev, path, path.read_text(), (train, syn)


def _table_with(page, header):
    return next(t for t in page.tables if [c[1] for c in t["rows"][0]][: len(header)] == header)


def test_headline_measures_carry_the_registrys_band(report):
    ev, _, text, _ = report
    page = _parse(text)
    head = _table_with(page, ["measure", "what it is", "value", "verdict", "best"])
    assert not head["folded"]
    rows = {r[0][1]: r for r in head["rows"][1:]}
    spmse = ev.measures.filter((pl.col("section") == "general") & (pl.col("measure") == "S_pMSE"))["value"][0]
    # Raab, Nowok & Dibben: S_pMSE under 3 good, under 10 acceptable, else poor
    word = "good" if spmse <= 3 else ("acceptable" if spmse <= 10 else "poor")
    assert rows["S_pMSE"][3] == (word, word)
    assert word in rows["S_pMSE"][2][0]  # the value's cell is coloured too
    assert rows["propensity AUC"][4][1] == "0.5 is best"


def test_one_row_per_column_worst_first(report):
    ev, _, text, (train, syn) = report
    page = _parse(text)
    cols = _table_with(page, ["column", "kind", "measure", "complement", "missing_share_difference", "coverage"])
    assert not cols["folded"]
    names = [r[0][1] for r in cols["rows"][1:]]
    assert sorted(names) == sorted([*train.columns, "empty"])  # one row each
    fidelity = fidelity_by_hand(train, syn)
    # worst first; the column without any value comes after every ranked one
    assert names == sorted(fidelity, key=lambda c: (fidelity[c], c)) + ["empty"]
    empty = next(r for r in cols["rows"] if r[0][1] == "empty")
    assert empty[3][1] == "not applicable (no value in one of the frames)"


def test_no_nan_and_long_tables_folded(report):
    ev, _, text, _ = report
    visible = _strip_images(text)
    assert not re.search(r"\bnan\b", visible, re.IGNORECASE)
    page = _parse(text)
    n_pairs = ev.measures.filter(pl.col("section") == "associations").height
    folded = [t for t in page.tables if t["folded"]]
    assert any(len(t["rows"]) - 1 == n_pairs for t in folded)  # the pairwise table, folded away
    assert all(len(t["rows"]) - 1 <= 12 for t in page.tables if not t["folded"] and t["rows"][0][0][1] == "measure")
    # the worst pair is named before the summary table
    worst = ev.worst_pairs(1).row(0, named=True)
    first = text.find(f"&#x27;{worst['column_a']}&#x27; x &#x27;{worst['column_b']}&#x27;")
    assert 0 < first < text.find("id='summary'")


def test_the_report_at_a_laptops_width(report, tmp_path):
    _, path, _, _ = report
    shot = tmp_path / "report-1366.png"
    dom = browse(path, tmp_path, screenshot=shot, width=1366, height=3000)
    for section in ["alerts", "summary", "univariate", "associations", "general", "table", "specific", "privacy"]:
        assert f'id="{section}"' in dom
    assert dom.count("<img") == 4 and dom.count("<details") >= 3
    assert shot.stat().st_size > 50_000


def test_pair_values_are_named_as_differences(report):
    """The full pairs table listed "NMI 0.04": a reader took the difference synthetic - real for
    the association itself. Each pair's value is named a difference; the rows saying what the
    matrices left out (counts) keep their names."""
    ev, _, text, _ = report
    page = _parse(text)
    pairs = ev.measures.filter(pl.col("section") == "associations")
    table = next(t for t in page.tables if t["folded"] and len(t["rows"]) - 1 == pairs.height)
    named = [r[0][1] for r in table["rows"][1:]]
    measures = pairs["measure"].to_list()
    assert named == [m + " difference (synthetic − real)" for m in measures]
    assert {"NMI difference (synthetic − real)", "Spearman difference (synthetic − real)"} <= set(named)
    values = [r[2][1] for r in table["rows"][1:]]
    nan = [v for v in values if v.startswith("not applicable")]
    assert all("(" in v for v in nan)  # a missing difference still says why
    worst = _table_with(page, ["pair", "NMI real", "NMI synthetic", "synthetic − real"])
    assert len(worst["rows"]) > 1
