"""evaluate(): the tidy table, the summary, the HTML report (opened in headless Chromium),
and the promise that the report holds no real record."""

import warnings
from html.parser import HTMLParser

import polars as pl
import pytest

from synthspectrum.cli import main
from synthspectrum.errors import ColumnError, SynthSpectrumError
from conftest import browse, fidelity_by_hand
from synthspectrum.evaluation import evaluate

KEYS = ["age_band", "gender", "deprivation_decile"]


@pytest.fixture(scope="module")
def frames(frozen_split):
    return frozen_split


@pytest.fixture(scope="module")
def ev(frames):
    train, syn, hold = frames
    return evaluate(train, syn, keys=KEYS, target="admitted", holdout=hold,
                    formula="admitted ~ age_band + treatment", family="binomial", seed=1)


def test_every_section_and_reproducible(ev, frames):
    assert set(ev.measures["section"]) == {"univariate", "associations", "general", "table", "specific", "privacy"}
    assert ev.measures.columns == ["group", "section", "measure", "column", "value"]
    train, syn, hold = frames
    again = evaluate(train, syn, keys=KEYS, target="admitted", holdout=hold,
                     formula="admitted ~ age_band + treatment", family="binomial", seed=1, plots=False)
    assert again.measures.equals(ev.measures)
    summary = dict(ev.summary().iter_rows())
    assert 0.5 <= summary["propensity AUC"] < 1 and 0 <= summary["DiSCO"] <= 100


def test_identical_frames_score_perfectly(frames):
    train, _, hold = frames
    s = dict(evaluate(train, train, holdout=hold, plots=False).summary().iter_rows())
    assert s["mean KSComplement"] == 1.0 and s["mean TVComplement"] == 1.0
    assert s["propensity AUC"] == pytest.approx(0.5)
    # ... and are the worst possible on privacy: every record is a copy
    assert s["exact_match_share"] == 1.0 and s["share_closer_to_training"] == 1.0


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cur, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.cur = []
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cur is not None:
            self.cur.append(self.cell)
            self.cell = None
        elif tag == "tr":
            self.rows.append(self.cur)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def test_report_contains_no_real_record(ev, frames, tmp_path):
    path = ev.to_html(tmp_path / "r.html")
    text = path.read_text()
    parser = _Rows()
    parser.feed(text)
    assert parser.rows
    train, _, hold = frames
    real = pl.concat([train, hold])
    records = [tuple("" if v is None else str(v) for v in row) for row in real.iter_rows()]
    for cells in parser.rows:
        cellset = set(cells)
        assert not any(set(rec) <= cellset for rec in records)
    for rec in records[:500]:
        assert ",".join(rec) not in text and " | ".join(rec) not in text


def test_bad_input(frames):
    train, syn, hold = frames
    with pytest.raises(SynthSpectrumError, match="a target needs keys"):
        evaluate(train, syn, target="admitted", plots=False)
    with pytest.raises(ColumnError, match="no column 'nope'"):
        evaluate(train, syn, keys=["nope"], plots=False)
    with pytest.raises(SynthSpectrumError, match="different columns"):
        evaluate(train, syn.drop("gender"), plots=False)
    with pytest.raises(SynthSpectrumError, match="empty"):
        evaluate(train.head(0), syn, plots=False)


def test_report_opens_in_headless_chromium(ev, tmp_path):
    path = ev.to_html(tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    dom = browse(path, tmp_path, screenshot=shot, width=1200, height=2400)
    for section in ["summary", "univariate", "associations", "general", "table", "specific", "privacy"]:
        assert f'id="{section}"' in dom
    assert dom.count("<img") == 4
    assert shot.stat().st_size > 10_000


def test_cli_evaluate(frames, tmp_path, capsys):
    train, syn, hold = frames
    for name, df in (("t", train), ("s", syn), ("h", hold)):
        df.write_parquet(tmp_path / f"{name}.parquet")
    out = tmp_path / "report.html"
    code = main(["evaluate", str(tmp_path / "t.parquet"), str(tmp_path / "s.parquet"), "--keys", *KEYS,
                 "--target", "admitted", "--holdout", str(tmp_path / "h.parquet"), "-o", str(out)])
    assert code == 0 and out.stat().st_size > 0
    assert "propensity AUC" in capsys.readouterr().out
    code = main(["evaluate", str(tmp_path / "t.parquet"), str(tmp_path / "s.parquet"), "--target", "admitted"])
    assert code == 1 and "a target needs keys" in capsys.readouterr().err


def test_summary_names_the_weakest_and_the_collapsed_columns(frames, tmp_path):
    train, syn, _ = frames
    # one column collapses to a constant: the headline measures alone can still read well
    syn = syn.with_columns(pl.lit(120, dtype=pl.Int64).alias("time_in_ae_minutes"))
    ev = evaluate(train, syn, plots=False)
    fidelity = fidelity_by_hand(train, syn)
    worst = sorted(fidelity, key=lambda c: (fidelity[c], c))[:3]
    summary = dict(ev.summary().iter_rows())
    named = [m for m in summary if m.startswith("weakest")]
    assert named == [f"weakest {i}: {c}" for i, c in enumerate(worst, 1)]
    assert [summary[m] for m in named] == pytest.approx([fidelity[c] for c in worst])
    assert summary["COLLAPSED: time_in_ae_minutes"] == 0.0  # coverage: a point covers no range
    assert sum(m.startswith("COLLAPSED") for m in summary) == 1
    # the report says it at the top, before the summary table
    text = ev.to_html(tmp_path / "r.html").read_text()
    alert = text.find("Column &#x27;time_in_ae_minutes&#x27; collapsed: synthetic values constant, real ones vary")
    assert 0 < alert < text.find("id='summary'")
    # frames that match have no collapsed column
    assert not any(m.startswith("COLLAPSED") for m in dict(evaluate(train, train, plots=False).summary().iter_rows()))


def test_narrowed_columns_are_collapsed_too(frames):
    train, syn, _ = frames
    lo, hi = train["time_in_ae_minutes"].min(), train["time_in_ae_minutes"].max()
    med = int(train["time_in_ae_minutes"].median())
    waits = pl.Series("time_in_ae_minutes", [med + i % 2 for i in range(syn.height)])  # a range of 1 minute
    real = train.with_columns(pl.Series("ward", [f"ward{i % 40:02d}" for i in range(train.height)]))  # 40 x 25
    two_of_40 = pl.Series("ward", [f"ward{i % 2:02d}" for i in range(syn.height)])  # 5%: not below 5%
    one_of_40 = pl.Series("ward", ["ward00"] * (syn.height - 1) + ["ward99"])  # 2.5%, two synthetic values
    s = dict(evaluate(real, syn.with_columns(waits, two_of_40), plots=False).summary().iter_rows())
    assert s["COLLAPSED: time_in_ae_minutes"] == pytest.approx(1 / (hi - lo))
    assert "COLLAPSED: ward" not in s
    s = dict(evaluate(real, syn.with_columns(one_of_40), plots=False).summary().iter_rows())
    assert s["COLLAPSED: ward"] == pytest.approx(1 / 40)
    assert "COLLAPSED: time_in_ae_minutes" not in s


def test_the_report_says_which_privacy_measures_it_could_not_compute(frozen_split, tmp_path):
    train, syn, _ = frozen_split
    ev = evaluate(train, syn, plots=False)
    said = " ".join(ev.notes.get("privacy", []))
    assert "need a holdout" in said and "need key variables" in said
    assert "need a holdout" in ev.to_html(tmp_path / "r.html").read_text()
    assert not ev.measures.filter(pl.col("measure") == "share_closer_to_training").height


def test_evaluate_takes_a_pattern_like_column_name(frozen_split):
    """A column called "^g.*$" (which polars reads as a pattern matching "gender"'s neighbours)
    gives every measure exactly the numbers it gives under its plain name."""
    train, syn, hold = frozen_split
    r, s, h = (d.rename({"gender": "^g.*$"}) for d in (train, syn, hold))
    ev = evaluate(r, s, holdout=h, keys=["^g.*$", "age_band"], target="admitted", plots=True)
    plain = evaluate(train, syn, holdout=hold, keys=["gender", "age_band"], target="admitted", plots=False)
    assert ev.measures["value"].to_list() == pytest.approx(plain.measures["value"].to_list(), nan_ok=True)
    assert ev.measures["measure"].to_list() == plain.measures["measure"].to_list()


def test_an_all_missing_column_neither_spoils_the_summary_nor_raises_a_false_alert(frozen_split):
    train, syn, _ = frozen_split
    r = train.with_columns(pl.lit(None, dtype=pl.Float64).alias("empty"))
    s = syn.with_columns(pl.lit(None, dtype=pl.Float64).alias("empty"))
    ev = evaluate(r, s, plots=False)
    summary = dict(ev.summary().iter_rows())
    plain = dict(evaluate(train, syn, plots=False).summary().iter_rows())
    assert summary["mean KSComplement"] == pytest.approx(plain["mean KSComplement"])
    assert "empty" not in ev.collapsed()["column"].to_list()
    assert not [a for a in ev.alerts() if "'empty'" in a]


def test_headline_means_leave_identifier_like_columns_aside(frozen_split):
    # a synthetic record number is not meant to match a real one: like weakest() and the
    # propensity, association and distance measures, the headline mean leaves such columns out
    real, syn, _ = frozen_split
    real = real.with_columns(pl.Series("patient_id", [f"P{i:05d}" for i in range(real.height)]))
    syn = syn.head(real.height).with_columns(pl.Series("patient_id", [f"Q{i:05d}" for i in range(real.height)]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evaluate(real, syn, plots=False)
    per_column = ev.measures.filter((pl.col("measure") == "TVComplement") & (pl.col("section") == "univariate"))
    expected = per_column.filter(pl.col("column") != "patient_id")["value"].mean()
    head = ev.headline().filter(pl.col("measure") == "TVComplement")["value"][0]
    assert head == pytest.approx(expected) and head > per_column["value"].mean()
