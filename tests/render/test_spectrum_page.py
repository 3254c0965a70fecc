"""The spectrum's frontier figure and page, from a result's public parts (frontier_points,
headline, runs, config): labels that never overlap, error bars that stop at zero, verdict
colours from the registry, the runs folded away."""

import math
from itertools import combinations
from types import SimpleNamespace

import matplotlib
import polars as pl
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from synthspectrum.render import spectrum as sp

GENERATORS = ["random", "metasyn", "metasyn-disclosure", "synthpop-sample", "synthpop-parametric",
              "synthpop-cart", "synthpop-cart-smooth", "real-holdout"]


def result(points: dict[str, tuple[float, float, float, float]], utility="AUC_cv", risk="share_closer_to_training",
           pareto=()):
    """A stand-in with the public parts the page reads: generator -> (utility distance, its sd,
    risk distance, its sd); means are best + distance (AUC's and the share's best is 0.5)."""
    rows = [{"generator": g, "utility_mean": 0.5 + u, "utility_sd": us, "utility_n": 2, "utility_distance": u,
             "utility_distance_sd": us, "risk_mean": 0.5 + r, "risk_sd": rs, "risk_n": 2, "risk_distance": r,
             "risk_distance_sd": rs, "pareto": g in pareto} for g, (u, us, r, rs) in points.items()]
    pts = pl.DataFrame(rows)
    runs = pl.DataFrame({"generator": list(points), "seed": [1000] * len(points), "status": ["ok"] * len(points),
                         "message": ["generate 0.1 s"] * len(points), "seconds": [0.1] * len(points)})
    cfg = SimpleNamespace(utility_measure=utility, risk_measure=risk, data="d.parquet", m=2, seed=1, keys=["k"],
                          target="t")
    headline = pts.select("generator", (1 + pl.col("utility_distance")).alias("S_pMSE"))
    return SimpleNamespace(frontier_points=lambda: pts, headline=lambda: headline,
                           runs=runs, config=cfg)


def _label_boxes(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    boxes = {}
    for a in ax.texts:
        if isinstance(a, Annotation):
            a.update_positions(renderer)
            # the text's own box (an Annotation's extent would include its leader line)
            boxes[a.get_text()] = matplotlib.text.Text.get_window_extent(a, renderer)
    return boxes, ax.get_window_extent(renderer)


def test_crowded_labels_do_not_overlap_and_stay_inside():
    # eight generators within 0.001 of each other: the old stacking put labels on top of each other
    crowd = {g: (0.01 + 0.0001 * i, 0.002, 0.02 + 0.0001 * (i % 2), 0.001) for i, g in enumerate(GENERATORS)}
    fig = sp.plot_frontier(result(crowd, pareto=("random",)))
    boxes, frame = _label_boxes(fig)
    assert set(boxes) == {*GENERATORS[:-1], "real-holdout (reference)"}
    for (a, ba), (b, bb) in combinations(boxes.items(), 2):
        assert not ba.overlaps(bb), (a, b)
    for name, box in boxes.items():
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, name


def _markers(fig):
    """Each drawn point's centre in pixels, in drawing order (the generators' order)."""
    ax = fig.axes[0]
    return [tuple(ax.transData.transform(c.lines[0].get_xydata()[0])) for c in ax.containers]


def _gap(point, box):
    return math.hypot(max(box.x0 - point[0], 0, point[0] - box.x1), max(box.y0 - point[1], 0, point[1] - box.y1))


# a spectrum's default run (ae_deid, 2 seeds): metasyn's and synthpop-sample's points 13 pixels
# apart; synthpop-sample's label sat nearer the reference star, metasyn's nearer synthpop-sample
DEFAULT_RUN = {"random": (0.401, 0.003, 0.00655, 0.0055), "metasyn": (0.1059, 0.008, 0.00155, 0.001),
               "metasyn-disclosure": (0.1731, 0.006, 0.00215, 0.001),
               "synthpop-sample": (0.1004, 0.009, 0.00595, 0.003),
               "synthpop-parametric": (0.0533, 0.004, 0.0326, 0.005), "synthpop-cart": (0.0394, 0.002, 0.1337, 0.001),
               "synthpop-cart-smooth": (0.0213, 0.012, 0.0578, 0.001), "real-holdout": (0.0056, 0.001, 0.00345, 0.0)}


def test_each_label_is_nearest_its_own_point(points=DEFAULT_RUN):
    # a reader takes a label for the point nearest it: measured on the drawn figure, from each
    # label's text to every marker's centre, its own point must be the nearest
    fig = sp.plot_frontier(result(points, pareto=("metasyn", "real-holdout")))
    boxes, _ = _label_boxes(fig)
    centres = dict(zip(points, _markers(fig)))
    for name, box in boxes.items():
        own = name.removesuffix(" (reference)")
        gaps = {g: _gap(c, box) for g, c in centres.items()}
        nearest = min(gaps, key=gaps.get)
        assert nearest == own, f"label {name!r} is {gaps[own]:.1f} px from its point, {gaps[nearest]:.1f} from {nearest}'s"


def test_points_at_their_distances_and_bars_stop_at_zero(monkeypatch):
    from matplotlib.collections import LineCollection

    def no_switch(*a, **k):
        raise AssertionError("plot_frontier switched the matplotlib backend")

    monkeypatch.setattr(matplotlib, "use", no_switch)
    fig = sp.plot_frontier(result({"a": (0.04, 0.1, 0.02, 0.3), "b": (0.005, 0.0, 0.1, 0.05)}, pareto=("a", "b")))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    xs = sorted(float(c.lines[0].get_xdata()[0]) for c in ax.containers)
    assert xs == pytest.approx([0.005, 0.04])
    segments = [seg for coll in ax.findobj(LineCollection) for seg in coll.get_segments()]
    assert segments and min(float(pt[i]) for seg in segments for pt in seg for i in (0, 1)) >= 0
    assert "distance from best" in ax.get_xlabel() and "0.5 is best" in ax.get_xlabel()
    assert "distance from best" in ax.get_ylabel()


def test_the_page_gives_a_verdict_coloured_by_the_registry_and_folds_the_runs(tmp_path):
    from html.parser import HTMLParser

    res = result({"close": (0.5, 0.1, 0.01, 0.0), "far": (11.0, 0.5, 0.2, 0.0)}, utility="S_pMSE", pareto=("close",))
    # S_pMSE 1.5 is within 2 of its best value 1 (good); 12 is poor
    pts = res.frontier_points().with_columns((1 + pl.col("utility_distance")).alias("utility_mean"))
    res.frontier_points = lambda: pts
    text = sp.render_html(res, explanation=["From close to far: utility worsened."])

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells, self.ids, self.open = [], [], None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if "id" in a:
                self.ids.append(a["id"])
            if tag == "td":
                self.open = [a.get("class", ""), ""]

        def handle_endtag(self, tag):
            if tag == "td" and self.open:
                self.cells.append(tuple(self.open))
                self.open = None

        def handle_data(self, data):
            if self.open:
                self.open[1] += data

    p = Cells()
    p.feed(text)
    assert {"frontier", "explanation", "headline", "runs"} <= set(p.ids)
    assert ("num good", "1.5") in p.cells and ("num poor", "12") in p.cells
    headline = text[text.index("id='headline'"):text.index("id='runs'")]
    assert "class='num good'>1.5<" in headline and "class='num poor'>12<" in headline
    assert "alt='privacy-utility frontier'" in text and "From close to far: utility worsened." in text
    assert "On the Pareto frontier (no generator closer to best on both axes): close." in text
    runs = text[text.index("id='runs'"):]
    assert runs.index("<details>") < runs.index("generate 0.1 s")


def _spectrum(auc_by_generator, utility="AUC_cv"):
    """A SpectrumResult of one seed per generator: in-sample AUC as given, S_pMSE 2.01 (inside
    the registry's "good" band), AUC_cv 0.6, share_closer_to_training 0.5."""
    from synthspectrum.spectrum import SpectrumConfig, SpectrumResult

    rows = []
    for g, auc in auc_by_generator.items():
        for section, measure, value in (("general", "pMSE", 0.25 if auc == 1 else 0.01), ("general", "S_pMSE", 2.01),
                                        ("general", "AUC", auc), ("general", "AUC_cv", 0.6),
                                        ("privacy", "share_closer_to_training", 0.5)):
            rows.append({"generator": g, "seed": 1000, "group": "privacy" if section == "privacy" else "utility",
                         "section": section, "measure": measure, "column": None, "value": value})
    results = pl.DataFrame(rows, schema={"generator": pl.String, "seed": pl.Int64, "group": pl.String,
                                         "section": pl.String, "measure": pl.String, "column": pl.String,
                                         "value": pl.Float64})
    runs = pl.DataFrame({"generator": list(auc_by_generator), "seed": [1000] * len(auc_by_generator),
                         "status": ["ok"] * len(auc_by_generator), "message": ["generate 0.1 s"] * len(auc_by_generator),
                         "seconds": [0.1] * len(auc_by_generator)})
    cfg = SpectrumConfig(generators=list(auc_by_generator), m=1, utility_measure=utility)
    return SpectrumResult(results, runs, cfg, [])


@pytest.mark.parametrize("utility", ["AUC_cv", "S_pMSE"])
def test_no_green_s_pmse_where_the_propensity_model_separates(utility):
    """On a 300 x 200 export every generator's in-sample model separated (AUC 1, pMSE 0.25, its
    maximum) and S_pMSE sat at 2.01 for all, random noise and the reference too: shaded "good"."""
    text = sp.render_html(_spectrum({"random": 1.0, "metasyn": 1.0, "real-holdout": 1.0}, utility))
    assert "class='num good'" not in text
    assert text.count("class='num unreadable'>2.01<") == (2 if utility == "S_pMSE" else 1) * 3
    assert "not readable: the propensity model separates real from synthetic" in text  # the legend says so
    assert "tells real from synthetic records apart (almost) perfectly for every generator, the reference too" in text
    # only where it separates: metasyn's model does not
    text = sp.render_html(_spectrum({"random": 1.0, "metasyn": 0.62, "real-holdout": 0.55}, utility))
    headline = text[text.index("id='headline'"):text.index("id='runs'")]
    assert headline.count("class='num unreadable'>2.01<") == 1 and headline.count("class='num good'>2.01<") == 2
    assert "perfectly for random (propensity AUC" in text
    text = sp.render_html(_spectrum({"metasyn": 0.62, "real-holdout": 0.55}, utility))
    assert "unreadable'>" not in text and "not readable" not in text and "perfectly for" not in text
