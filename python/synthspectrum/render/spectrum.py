"""The spectrum's frontier figure and its HTML page.

Inputs are a :class:`synthspectrum.spectrum.SpectrumResult`'s public parts only:
``frontier_points()``, ``headline()``, ``runs``, ``config`` and the narration of
:func:`synthspectrum.spectrum.explain`; which value of a measure is best, its label and its
verdict bands come from the measure registry (:mod:`synthspectrum.measures.registry`).

What they disclose: generator names, the configuration (data path, keys, target, seeds) and
aggregates over synthetic sets (means, standard deviations, distances from best); no record.
"""

from __future__ import annotations

import math
from textwrap import fill
from typing import TYPE_CHECKING, Any

import polars as pl

from synthspectrum.render import html as h

if TYPE_CHECKING:  # matplotlib is imported where a figure is drawn: a spectrum's workers draw none
    from matplotlib.figure import Figure

REFERENCE = "real-holdout"
REAL, FRONT, REF = "#1A3C5A", "#E4572E", "#2a9d8f"
# where a label may sit around its point: offsets in points (radius) and directions (degrees),
# tried in this order; the first place that touches no other label, point or the axes' edge, and
# that no other point is near, wins
RADII = (9, 22, 36, 52, 70)
ANGLES = (30, -30, 150, -150, 90, -90, 0, 180, 60, -60, 120, -120)
# a label is read as its nearest point's: every other point must be at least this much (points)
# farther from the label's box than the label's own point
CLEAR = 4.0
# labels sit on a pale box above the error bars, so a bar crossing one does not hide it
LABEL = {"fontsize": 9, "parse_math": False, "zorder": 5,
         "bbox": {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}}


def axis_words(name: str, full: bool = True) -> str:
    """'S_pMSE: standardised pMSE ... (1 is best)': a measure's name, label (when ``full``) and
    which value is best, from the registry."""
    label, best = h.describe(name)
    if not best:
        return name
    return f"{name}: {label} ({best})" if full else f"{name} ({best})"


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    hgt = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * hgt if w > 0 and hgt > 0 else 0.0


def _outside(box, frame) -> float:
    inside = _overlap(box, frame)
    return box.width * box.height - inside


def _gap(px: float, py: float, box) -> float:
    """The distance (pixels) from a point to the nearest edge of a box; 0 inside it."""
    return math.hypot(max(box.x0 - px, 0.0, px - box.x1), max(box.y0 - py, 0.0, py - box.y1))


def _ambiguity(box, own: int, centres: list[tuple[float, float]], clear: float) -> float:
    """How far (pixels, summed) other points come inside the label's own point's distance from
    ``box`` plus ``clear``: 0 when the label's own point is clearly the one nearest to it."""
    mine = _gap(*centres[own], box) + clear
    return sum(max(0.0, mine - _gap(cx, cy, box)) for j, (cx, cy) in enumerate(centres) if j != own)


def _place_labels(fig: Figure, ax, points: list[tuple[float, float, str]],
                  sizes: list[float] | None = None) -> list[Any]:
    """Annotate each (x, y, text) where its label overlaps no other label and no point, inside
    the axes, and no other point is as near to it as its own (so that a reader does not take it
    for a neighbour's); where every place is taken, the least-crowded one, with a leader line.
    ``sizes``: each point's marker size (points; 7 by default). Labels of the points with the
    nearest neighbours are placed first, while most places are still free."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    renderer = FigureCanvasAgg(fig).get_renderer()  # a canvas of our own figure: no backend is chosen
    frame = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72
    clear = CLEAR * px_per_pt
    sizes = list(sizes) if sizes is not None else [7.0] * len(points)
    centres = [tuple(ax.transData.transform((p[0], p[1]))) for p in points]
    taken = []
    for (px, py), size in zip(centres, sizes):
        pad = max(5.0, size / 2) * px_per_pt  # a marker's half-size, in pixels
        taken.append(Bbox([[px - pad, py - pad], [px + pad, py + pad]]))

    def crowding(i: int) -> float:
        return min((math.dist(centres[i], c) for j, c in enumerate(centres) if j != i), default=math.inf)

    placed: dict[int, Any] = {}
    for i in sorted(range(len(points)), key=crowding):
        x, y, text = points[i]
        best = None
        for radius in RADII:
            for angle in ANGLES:
                dx, dy = radius * math.cos(math.radians(angle)), radius * math.sin(math.radians(angle))
                ha = "left" if dx > 1 else ("right" if dx < -1 else "center")
                va = "bottom" if dy > 1 else ("top" if dy < -1 else "center")
                ann = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                  **LABEL)
                box = ann.get_window_extent(renderer).padded(2)
                vague = _ambiguity(box, i, centres, clear)
                # an overlap costs its area (pixels squared); a neighbour 10 pixels too near, 500
                cost = sum(_overlap(box, t) for t in taken) + 4 * _outside(box, frame) + 50 * vague
                if best is None or cost < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (cost, ann, box, radius, vague)
                else:
                    ann.remove()
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _, ann, box, radius, vague = best
        if radius > RADII[0] or vague > 0:  # far from its point, or near another: a leader line says whose it is
            offset, ha, va = ann.xyann, ann.get_ha(), ann.get_va()
            ann.remove()
            ann = ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va, **LABEL,
                              arrowprops={"arrowstyle": "-", "color": "#555", "lw": 0.8, "shrinkA": 1,
                                          "shrinkB": 2})
        taken.append(box)
        placed[i] = ann
    return [placed[i] for i in range(len(points))]


def plot_frontier(result: Any, path: str | None = None) -> Figure:
    """Each generator's distance from the best value of the utility measure (x) and of the risk
    measure (y), with error bars of one sd over seeds (stopping at 0: a distance is never
    negative), the real-holdout reference marked, the Pareto frontier drawn (lower-left is better
    on both), and labels placed where they overlap no other label or point and sit nearer
    their own point than any other. Drawn on a
    ``matplotlib.figure.Figure`` without pyplot, so the caller's backend is left as it was.
    Aggregates only."""
    from matplotlib.lines import Line2D

    pts = result.frontier_points()
    cfg = result.config
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5.8))
    ax = fig.subplots()
    labelled, sizes = [], []
    for row in pts.iter_rows(named=True):
        ref = row["generator"] == REFERENCE
        ux, ry = row["utility_distance"], row["risk_distance"]
        usd, rsd = row["utility_distance_sd"] or 0.0, row["risk_distance_sd"] or 0.0
        ax.errorbar(ux, ry, xerr=[[min(usd, ux)], [usd]], yerr=[[min(rsd, ry)], [rsd]], fmt="*" if ref else "o",
                    markersize=14 if ref else 7, capsize=3, color=REF if ref else (FRONT if row["pareto"] else REAL))
        if ux is not None and ry is not None and not (math.isnan(ux) or math.isnan(ry)):
            labelled.append((ux, ry, row["generator"] + (" (reference)" if ref else "")))
            sizes.append(14 if ref else 7)
    front = pts.filter(pl.col("pareto")).sort("utility_distance")
    if front.height > 1:
        ax.plot(front["utility_distance"], front["risk_distance"], "--", color=FRONT, label="Pareto frontier")
    handles = [Line2D([], [], marker="o", ls="", color=FRONT, label="on the Pareto frontier"),
               Line2D([], [], marker="o", ls="", color=REAL, label="dominated")]
    if (pts["generator"] == REFERENCE).any():
        handles.append(Line2D([], [], marker="*", ls="", markersize=10, color=REF, label="real holdout (reference)"))
    if front.height > 1:
        handles.append(Line2D([], [], ls="--", color=FRONT, label="Pareto frontier"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=len(handles), fontsize=8,
              frameon=False)
    ax.set_xlabel(fill(f"utility loss: distance from best of {axis_words(cfg.utility_measure)}", 90), fontsize=9)
    ax.set_ylabel(fill(f"privacy risk: distance from best of {axis_words(cfg.risk_measure, full=False)}", 50), fontsize=9)
    ax.set_title("The privacy-utility spectrum: distance from each measure's best value (lower-left is better)",
                 fontsize=10)
    ax.margins(0.18)  # room around the outer points for their labels
    ax.set_xlim(ax.get_xlim())  # fixed now, so that labels are placed against the final axes
    ax.set_ylim(ax.get_ylim())
    fig.tight_layout()
    _place_labels(fig, ax, labelled, sizes)
    if path:
        from synthspectrum.io.outputs import save_figure

        save_figure(fig, path)
    return fig


IN_SAMPLE_AUC = "propensity AUC"  # the headline's column of the in-sample propensity AUC (mean over seeds)


def _in_sample_auc(result: Any) -> dict[str, float]:
    """Generator -> mean in-sample propensity AUC over its seeds, from ``headline()`` (empty
    when the headline has none)."""
    head = result.headline()
    if IN_SAMPLE_AUC not in head.columns:
        return {}
    return dict(head.select("generator", IN_SAMPLE_AUC).iter_rows())


def _verdict(column: str, value: Any, auc: Any) -> str | None:
    """A cell's colour: the registry's band, but no good or acceptable S_pMSE for a generator
    whose in-sample propensity model separates real from synthetic
    (:mod:`synthspectrum.evaluation.separation`)."""
    if column != "S_pMSE":
        return h.band(column, value)
    from synthspectrum.evaluation.separation import verdict

    return verdict(column, value, auc)


def _withheld(result: Any) -> bool:
    """Whether any generator's S_pMSE verdict is withheld (the legend then says what grey means)."""
    from synthspectrum.evaluation.separation import separates

    return "S_pMSE" in (result.config.utility_measure, result.config.risk_measure, *result.headline().columns) \
        and any(separates(a) for a in _in_sample_auc(result).values())


def _frontier_table(result: Any) -> str:
    """Per generator: each axis' mean (sd over seeds), its verdict where the registry has bands
    (S_pMSE's withheld where the propensity model separates), and whether it is on the Pareto
    frontier; the frontier's generators first."""
    cfg = result.config
    auc = _in_sample_auc(result)
    pts = result.frontier_points().sort("pareto", descending=True, maintain_order=True)
    u, r = cfg.utility_measure, cfg.risk_measure
    frame = pts.select(
        "generator",
        pl.col("utility_mean").alias(u), pl.col("utility_sd").alias(f"{u} sd"),
        pl.col("risk_mean").alias(r), pl.col("risk_sd").alias(f"{r} sd"),
        pl.col("pareto").alias("on the frontier"))

    def shade(column: str, row: dict) -> str | None:
        return _verdict(column, row[column], auc.get(row["generator"])) if column in (u, r) else None

    def why(column: str, row: dict) -> str:
        return ("one synthetic set: no spread over seeds" if column.endswith(" sd")
                else "the measure was not computed for this generator")

    return h.table(frame, cell_class=shade, reason=why)


def render_html(result: Any, frontier: Any = None, explanation: list[str] | None = None) -> str:
    """The spectrum's page: the frontier (``frontier``: a Figure or base64 PNG; drawn here when
    None), who is on it, the narration (``explanation``; by default
    :func:`synthspectrum.spectrum.explain`), the headline measures and the runs (folded away)."""
    if explanation is None:
        from synthspectrum.spectrum import explain  # here: the spectrum imports this module

        explanation = explain(result)
    cfg = result.config
    if frontier is None:
        frontier = plot_frontier(result)
    pts = result.frontier_points()
    on_front = [g for g, p in zip(pts["generator"], pts["pareto"]) if p]
    verdict = []
    if on_front:
        verdict.append(f"On the Pareto frontier (no generator closer to best on both axes): {', '.join(on_front)}.")
    failed = result.runs.filter(pl.col("status") == "failed").height
    skipped = result.runs.filter((pl.col("status") == "skipped") & (pl.col("generator") != "measures")).height
    if failed or skipped:
        verdict.append(f"{failed} run(s) failed and {skipped} generator(s) were skipped: see 'What each step "
                       "bought and cost' and the runs table.")
    parts = [
        "<h1>The privacy-utility spectrum</h1>",
        f"<p class='lead'>Data: {h.esc(cfg.data)}; {cfg.m} synthetic set(s) per generator; seed {cfg.seed}; "
        f"keys {h.esc(', '.join(cfg.keys or []) or 'none')}; target {h.esc(cfg.target or 'none')}. "
        "Aggregates only: this report holds no record.</p>",
    ]
    if verdict:
        parts.append(h.bullets(verdict, cls="verdict", title="In short.", key="verdict"))
    parts += [
        h.heading("frontier", "Frontier"),
        h.image(frontier, "privacy-utility frontier", dpi=110),
        "<p>Both axes show the distance from each measure's best value ("
        + h.esc(f"{axis_words(cfg.utility_measure)}; {axis_words(cfg.risk_measure)}")
        + "): an AUC of 0.45 is as far from ideal as one of 0.55.</p>",
        _frontier_table(result), h.legend(unreadable=_withheld(result)),
        h.heading("explanation", "What each step bought and cost"),
        h.bullets(explanation),
        h.heading("headline", "Every generator, headline measures (mean over seeds)"),
        # a column named after a registered measure (S_pMSE, ...) is coloured by its bands; S_pMSE
        # not good where the generator's in-sample propensity model separates real from synthetic
        h.table(result.headline(),
                cell_class=lambda column, row: _verdict(column, row[column], row.get(IN_SAMPLE_AUC))),
        h.heading("runs", "Runs"),
        h.fold(result.runs, "Every run: status, message and time", limit=0),
    ]
    return h.page("synthspectrum: the spectrum", parts)
