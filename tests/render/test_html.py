"""The one HTML renderer: a self-contained page with the one stylesheet inlined, tables that
escape, say "not applicable" with a reason instead of "nan", colour by the registry's bands and
fold long tables away."""

import math
from html.parser import HTMLParser

import polars as pl

from synthspectrum.render import html as h


class _Cells(HTMLParser):
    """(tag, attributes, text) of every td / th, and the tags seen."""

    def __init__(self):
        super().__init__()
        self.cells, self.tags, self.cur = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self.cur = [tag, dict(attrs), ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cur is not None:
            self.cells.append(tuple(self.cur))
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None:
            self.cur[2] += data


def _parse(text):
    p = _Cells()
    p.feed(text)
    return p


def test_the_page_inlines_the_one_stylesheet_and_loads_nothing():
    text = h.page("t", ["<p>x</p>"])
    css = h.STYLESHEET.read_text(encoding="utf-8")
    assert h.STYLESHEET.suffix == ".css" and css.strip()
    assert css in text  # the file itself, inlined
    tags = _parse(text).tags
    assert not [t for t, a in tags if t in ("link", "script")]
    assert "http://" not in text and "https://" not in text and "@import" not in text


def test_tables_escape_and_say_not_applicable_with_the_reason():
    df = pl.DataFrame({"measure": ["<b>x</b>", "y", "z"], "value": [0.123456, math.nan, None]})
    text = h.table(df, reason=lambda col, row: f"no values for {row['measure']}")
    cells = _parse(text).cells
    texts = [c[2] for c in cells]
    assert texts[:2] == ["measure", "value"]
    assert "<b>x</b>" in texts  # escaped: text, not markup
    assert "&lt;b&gt;x&lt;/b&gt;" in text
    assert "0.1235" in texts  # four significant digits
    assert "not applicable (no values for y)" in texts
    assert "nan" not in " ".join(texts).lower().replace("not applicable", "")
    assert texts[-1] == ""  # a null (no column, no value) stays empty
    assert cells[3][1].get("class") == "num"  # numbers right-aligned


def test_cells_take_the_registrys_verdict_words():
    # S_pMSE: under 3 good, under 10 acceptable, else poor (Raab, Nowok & Dibben 2021)
    assert [h.band("S_pMSE", v) for v in (1.0, 2.9, 3.5, 9.9, 10.5)] == \
        ["good", "good", "acceptable", "acceptable", "poor"]
    assert h.band("S_pMSE", math.nan) is None and h.band("no such measure", 1.0) is None
    df = pl.DataFrame({"measure": ["S_pMSE", "S_pMSE"], "value": [2.0, 12.0]})
    text = h.table(df, row_class=lambda row: h.band(row["measure"], row["value"]))
    rows = [a.get("class") for t, a in _parse(text).tags if t == "tr"]
    assert rows == [None, "good", "poor"]
    assert all(f".{b}" in h.stylesheet() for b in h.BANDS)  # each word has its colour


def test_long_tables_fold_away_short_ones_stay():
    short = pl.DataFrame({"v": list(range(h.FOLD_ROWS))})
    long = pl.DataFrame({"v": list(range(h.FOLD_ROWS + 1))})
    assert "<details" not in h.fold(short, "rows")
    folded = h.fold(long, "rows")
    assert folded.startswith("<details>") and f"rows ({h.FOLD_ROWS + 1} rows)" in folded
    assert _parse(folded).cells[-1][2] == str(h.FOLD_ROWS)  # every row is still there
