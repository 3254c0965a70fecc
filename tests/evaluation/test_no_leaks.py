"""No real value in artefacts that promise aggregates only: every string matplotlib draws, the
HTML report, the measures frame (results.csv) and the summary.

Planted values: a name column (unique per record), a free-text column (unique per record) and
a diagnosis column with common categories, one held by exactly k = 5 records (must be shown:
the test fails both ways) and rare ones held by 1-4 records (must never be shown). Every
planted token is spelled so that no other string in the report could contain it by chance.
"""

import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import matplotlib.text
import numpy as np
import polars as pl
import pytest

from synthspectrum.render import plots
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.evaluation import evaluate

N = 100
RARE = {"zykawasaki": 4, "zypompe": 3, "zygaucher": 2, "zyfabry": 1}
COMMON = {"asthma": 35, "fracture": 30, "okfive": 5}


def _diagnoses(rng, n):
    values = [v for v, c in {**COMMON, **RARE}.items() for _ in range(c)]
    values += ["sprain"] * (n - len(values))
    return list(rng.permutation(values))


@pytest.fixture(scope="module")
def planted(frozen_split):
    train, syn, _ = frozen_split
    rng = np.random.default_rng(7)
    real = train.head(N).with_columns(
        pl.Series("name", [f"Qzname{i:04d} Vexworth" for i in range(N)]),
        pl.Series("note", [f"patient said xqzfree{i} hurts" for i in range(N)]),
        pl.Series("diagnosis", _diagnoses(rng, N)),
    )
    # a leaky synthesiser: copies some real names and notes and every rare diagnosis
    names = [f"Qzname{i:04d} Vexworth" if i % 3 == 0 else f"Synthname{i}" for i in range(N)]
    synth = syn.head(N).with_columns(
        pl.Series("name", names),
        pl.Series("note", [f"patient said xqzfree{i} hurts" for i in rng.permutation(N)]),
        pl.Series("diagnosis", _diagnoses(rng, N)),
    )
    return real, synth


SECRET = re.compile(r"Qzname|Vexworth|xqzfree|Zy(kawasaki|pompe|gaucher|fabry)", re.IGNORECASE)


def _strip_images(text: str) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)


@pytest.fixture
def drawn(monkeypatch):
    """Every string matplotlib draws while the fixture is active."""
    seen: list[str] = []
    original = matplotlib.text.Text.draw

    def record(self, renderer):
        seen.append(self.get_text())
        return original(self, renderer)

    monkeypatch.setattr(matplotlib.text.Text, "draw", record)
    return seen


def _all_texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def test_report_draws_and_writes_no_rare_value(planted, drawn, tmp_path):
    real, synth = planted
    ev = evaluate(real, synth, formula="time_in_ae_minutes ~ name + diagnosis + note + age_band", seed=1)
    html = _strip_images(ev.to_html(tmp_path / "r.html").read_text())
    texts = drawn + [t for fig in ev.figures.values() for t in _all_texts(fig)]
    assert texts
    leaked = sorted({t for t in texts if SECRET.search(t)})
    assert leaked == []
    assert SECRET.search(html) is None
    for frame in (ev.measures, ev.summary()):
        for col in frame.columns:
            if frame.schema[col] == pl.String:
                assert not any(SECRET.search(v) for v in frame[col].drop_nulls().to_list()), col
    # ... and a category held by k = 5 real records is shown: in the bars and as a regression term
    assert "okfive" in texts and "asthma" in texts
    terms = ev.measures.filter(pl.col("section") == "specific")["column"].drop_nulls().to_list()
    assert "diagnosis[T.okfive]" in terms and "age_band[T.85+]" in terms
    # what was pooled is said, in the measures and in the report
    pooled = dict(ev.measures.filter(pl.col("measure") == "categories_pooled").select("column", "value").iter_rows())
    assert pooled == {"name": N, "note": N, "diagnosis": len(RARE)}
    assert "no per-value plot" in html and "pooled into one level" in html
    # synthetic names that match no real name are not a weakness to report
    weakest = [m.split(": ")[1] for m in ev.summary()["measure"] if m.startswith("weakest")]
    assert len(weakest) == 3 and not {"name", "note"} & set(weakest)
    # identifier-like columns get a note in their panel, not bars
    panel = next(ax for ax in ev.figures["marginals"].axes if ax.get_title() == "name")
    assert [t.get_text() for t in panel.get_xticklabels()] == []
    assert any("no per-value plot" in t.get_text() for t in panel.texts)


def test_k_is_configurable_both_ways(planted, drawn):
    real, synth = planted
    fig = plots.plot_marginals(real, synth, columns=["diagnosis"], k=3)
    texts = set(drawn + _all_texts(fig))
    # k = 3: the categories of 3 and 4 records are shown, those of 1 and 2 are not
    assert {"zykawasaki", "zypompe"} <= texts
    assert not texts & {"zygaucher", "zyfabry"}
    assert "other (2 categories)" in texts
    cols = ["time_in_ae_minutes", "diagnosis"]
    ev = evaluate(real.select(cols), synth.select(cols), formula="time_in_ae_minutes ~ diagnosis", k=3, plots=False)
    terms = set(ev.measures.filter(pl.col("section") == "specific")["column"].drop_nulls())
    assert {"diagnosis[T.zykawasaki]", "diagnosis[T.zypompe]"} <= terms
    assert not any("gaucher" in t or "fabry" in t for t in terms)
    with pytest.raises(SynthSpectrumError, match="k must be a whole number"):
        evaluate(real, synth, k=0, plots=False)


def test_at_most_top_categories_most_frequent_first(drawn):
    # category c{i} held by 10 + i records: the 20 most frequent are c10..c29
    values = [f"c{i:02d}" for i in range(30) for _ in range(10 + i)]
    df = pl.DataFrame({"v": values})
    fig = plots.plot_marginals(df, df.sample(fraction=1.0, shuffle=True, seed=1))
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[:20] == [f"c{i:02d}" for i in range(29, 9, -1)]
    assert ticks[20:] == ["other (10 categories)"]
    assert set(drawn) & {f"c{i:02d}" for i in range(10)} == set()


def test_terms_of_small_cells_are_left_out(planted):
    # a Boolean flag true for 3 records, a numeric code used as a category whose rare values
    # would name themselves in C(code)[T.7777], and a comparison with one real name
    real, synth = planted
    flag = pl.Series("flag", [i < 3 for i in range(N)])
    code = pl.Series("code", [7777, 8888, 9999] + [0] * (N - 3))
    cols = ["time_in_ae_minutes", "name", "flag", "code"]  # identifier-like columns make other measures slow
    real, synth = real.with_columns(flag, code).select(cols), synth.with_columns(flag, code).select(cols)
    ev = evaluate(real, synth, formula="time_in_ae_minutes ~ flag + C(code) + I(name == 'Qzname0001 Vexworth')",
                  plots=False)
    spec = ev.measures.filter(pl.col("section") == "specific")
    terms = set(spec.filter(pl.col("measure") == "std_coef_diff")["column"])
    assert terms == {"Intercept"}
    assert spec.filter(pl.col("measure") == "terms_left_out")["value"].to_list() == [5.0]
    assert not any(v in " ".join(ev.measures["column"].drop_nulls()) for v in ("7777", "8888", "9999"))


def test_histograms_span_the_kth_values_not_the_outlier(frozen_split, drawn):
    train, syn, _ = frozen_split
    x = train["time_in_ae_minutes"].to_numpy().copy()
    x[0] = 987_654_321  # one extreme record must not set the axis
    real = train.with_columns(pl.Series("time_in_ae_minutes", x))
    fig = plots.plot_marginals(real, syn, columns=["time_in_ae_minutes"])
    lo, hi = np.sort(x)[4], np.sort(x)[-5]
    left, right = fig.axes[0].get_xlim()
    margin = 0.06 * (hi - lo)
    assert lo - margin <= left < lo and hi < right <= hi + margin
    assert not any("987" in t for t in drawn + _all_texts(fig))


def test_dollar_signs_are_text_not_mathtext(drawn):
    df = pl.DataFrame({"price": ["$5 copay"] * 10 + ["$x^{$"] * 10})
    fig = plots.plot_marginals(df, df)
    assert {"$5 copay", "$x^{$"} <= set(_all_texts(fig))


def test_backend_is_never_switched(tmp_path):
    code = (
        "import matplotlib\n"
        "matplotlib.use('svg')\n"
        "import polars as pl, sys\n"
        "from synthspectrum.render import plots\n"
        "from synthspectrum.evaluation import evaluate\n"
        f"d = pl.read_parquet({str(Path(__file__).parents[1] / 'data' / 'frozen_real.parquet')!r})\n"
        "ev = evaluate(d.head(200), d.tail(200), holdout=d.slice(500, 200))\n"
        f"ev.to_html({str(tmp_path / 'r.html')!r})\n"
        "plots.plot_marginals(d.head(50), d.tail(50))\n"
        "print(matplotlib.get_backend())\n"
        "print('matplotlib.pyplot' in sys.modules and len(sys.modules['matplotlib.pyplot'].get_fignums()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    backend, figures = out.stdout.split()
    assert backend == "svg"
    assert figures in ("False", "0")  # no figure left in pyplot's state
