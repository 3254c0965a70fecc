"""Plots of real versus synthetic data, for reading at a glance (matplotlib).

Every function returns a :class:`matplotlib.figure.Figure` and saves it when given ``path``.
The figures are made without pyplot and without choosing a backend, so importing this module
or calling a plot never changes the user's matplotlib state (backend, open windows, current
figure).

What the figures disclose (treat them like the metadata they summarise):

* column names (panel titles, heatmap axes);
* category labels held by at least ``k`` real records (default 5), at most the ``top``
  (default 20) most frequent of a column; every other category, and every synthetic value
  outside those shown, is pooled into one bar "other (n categories)", n counting the real
  categories pooled, and the panel says so; a pool of fewer than ``k`` real records (one rare
  category, say) gets no bar of its own: it is drawn with the least frequent category shown, in
  one bar "that category + other (n categories)", so no bar stands for fewer than k real records;
* nothing per value for identifier-like text (names, free text, codes): a column where fewer
  than half of the real records fall in categories of at least ``k`` records gets a note
  instead of bars;
* histograms of numbers and dates over the range between the k-th smallest and the k-th
  largest real value; values beyond it (real or synthetic) are counted in the two end bins,
  so no bin is placed by fewer than k extreme records and no outlier sets the axis;
* pairwise association measures, propensity scores and distances as distributions.

They never draw a record as a point, and no drawn string is a real value other than the
category labels above: the tests record every string matplotlib draws.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io.outputs import save_figure
from synthspectrum.core.categories import K_DEFAULT, TOP_DEFAULT, category_rule, check_k
from synthspectrum.core.columns import MISSING, as_number, kind, shown
from synthspectrum.core.pair import check_pair
from synthspectrum.measures.utility import association_difference, propensity_scores

REAL, SYN, HOLD = "#1A3C5A", "#E4572E", "#4187BF"
# text drawn from data is never parsed as mathtext: "$" in a label stays a dollar sign
PLAIN = {"parse_math": False}


def _shorten(label: str, width: int = 28) -> str:
    """``label`` cut to ``width`` characters in the middle: names that share a long prefix
    ("..._number_01", "..._number_02") stay told apart."""
    if len(label) <= width:
        return label
    tail = (width - 1) // 2
    return label[: width - 1 - tail] + "…" + label[-tail:]


def _finish(fig: Figure, path: str | None) -> Figure:
    fig.tight_layout()
    if path:
        save_figure(fig, path)
    return fig


def _bars(ax, a: pl.Series, b: pl.Series, k: int, top: int) -> tuple[bool, bool]:
    """Bars of category shares (real, synthetic) under the small-category rule; (pooled: an
    'other' group is drawn, merged: it held fewer than ``k`` real records and is drawn with the
    least frequent category shown)."""
    rule = category_rule(a, k, top)
    if rule.identifier_like:
        ax.text(0.5, 0.5, f"{rule.distinct} distinct values, most held by fewer than {k} records:\n"
                "identifier-like or free text, no per-value plot",
                ha="center", va="center", fontsize=8, wrap=True, transform=ax.transAxes, **PLAIN)
        ax.set_xticks([])
        ax.set_yticks([])
        return False, False
    order = list(rule.shown)
    if isinstance(a.dtype, pl.Enum):  # the levels' own order (age bands, ...)
        levels = {lv: i for i, lv in enumerate(a.dtype.categories.to_list())}
        order.sort(key=lambda v: levels.get(v, len(levels)))
    other = rule.other_label()

    def labels_of(x: pl.Series) -> list[str]:
        return x.cast(pl.String).fill_null(MISSING).to_list()

    keep = set(order)
    real_in_other = sum(v not in keep for v in labels_of(a))
    # The 'other' group stands for the real categories it pools: held by fewer than k real records
    # in all (one rare category, or two of 1 and 2 records), its bar would show their share. It is
    # drawn with the least frequent category shown instead, one bar of at least k real records,
    # labelled with both, and no bar (nor 1 minus the others) tells the rare share.
    smallest = rule.shown[-1] if rule.pooled and real_in_other < k else None
    merged = f"{_shorten(shown(smallest), 14)} + {other}" if smallest is not None else None

    def shares(x: pl.Series) -> dict[str, float]:
        labels = labels_of(x)
        out = dict.fromkeys(order, 0.0)
        out[other] = 0.0
        for v in labels:
            out[v if v in keep else other] += 1.0
        n = max(len(labels), 1)
        got = {lab: c / n for lab, c in out.items()}
        if smallest is not None:
            got[smallest] += got.pop(other)
        return got

    pa, pb = shares(a), shares(b)
    if smallest is None:
        names = order + ([other] if rule.pooled or pb[other] > 0 else [])
        ticks = [_shorten(shown(v)) for v in names]
    else:
        names = order
        ticks = [merged if v == smallest else _shorten(shown(v)) for v in names]
    idx = np.arange(len(names))
    ax.bar(idx - 0.2, [pa[v] for v in names], 0.4, color=REAL, label="real")
    ax.bar(idx + 0.2, [pb[v] for v in names], 0.4, color=SYN, label="synthetic")
    ax.set_xticks(idx, ticks, rotation=45, ha="right", fontsize=7, **PLAIN)
    ax.set_ylabel("share")
    return other in names or smallest is not None, smallest is not None


def _histogram(ax, a: pl.Series, b: pl.Series, k: int, bins: int) -> bool:
    x, y = as_number(a).drop_nulls().to_numpy(), as_number(b).drop_nulls().to_numpy()
    if x.size < 2 * k:
        ax.text(0.5, 0.5, f"fewer than {2 * k} real values: no histogram", ha="center", va="center",
                fontsize=8, transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return False
    xs = np.sort(x)
    lo, hi = xs[k - 1], xs[-k]  # the k-th smallest and largest: no bin edge rests on fewer than k records
    edges = np.histogram_bin_edges(np.clip(x, lo, hi), bins=bins)
    ax.hist(np.clip(x, edges[0], edges[-1]), bins=edges, density=True, alpha=0.55, color=REAL, label="real")
    if y.size:
        ax.hist(np.clip(y, edges[0], edges[-1]), bins=edges, density=True, alpha=0.55, color=SYN, label="synthetic")
    if a.dtype == pl.Date or isinstance(a.dtype, pl.Datetime):
        # days since 1970 are matplotlib's own date numbers
        import matplotlib.dates as mdates

        # A frequency (years, months, days...) is used once the range spans minticks of its units,
        # and then needs its largest step (6 months, 12 hours, 30 minutes: half the next unit) to
        # keep within maxticks: maxticks >= 2 minticks + 1. AutoDateLocator(maxticks=5) kept the
        # default minticks = 5, so 5 to 59 months could not be ticked within 5 and matplotlib
        # warned ("unable to pick an appropriate interval") and ticked every 6 months.
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7))
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_ylabel("density")
    return True


def plot_marginals(real: Any, synthetic: Any, columns: Sequence[str] | None = None, bins: int = 20,
                   path: str | None = None, k: int = K_DEFAULT, top: int = TOP_DEFAULT) -> Figure:
    """One panel per column: side-by-side bars of category shares, or overlaid histograms of
    numbers and dates on shared bins.

    Categories follow the small-category rule (module docstring): at most ``top`` categories,
    each held by at least ``k`` real records, the rest in one "other (n categories)" bar;
    identifier-like text gets a note instead of bars. Histograms span the k-th smallest to the
    k-th largest real value, with everything beyond in the end bins.
    """
    k, top = check_k(k), check_k(top, "top")
    r, s = check_pair(real, synthetic, columns)
    return marginals_figure(r, s, bins=bins, path=path, k=k, top=top)


def marginals_figure(r: pl.DataFrame, s: pl.DataFrame, bins: int = 20, path: str | None = None,
                     k: int = K_DEFAULT, top: int = TOP_DEFAULT) -> Figure:
    """:func:`plot_marginals` of a pair that already passed :func:`synthspectrum.core.pair.check_pair`
    (as :func:`synthspectrum.evaluation.evaluate` checks it once for every measure)."""
    k, top = check_k(k), check_k(top, "top")
    cols = r.columns
    ncol = 3
    nrow = int(np.ceil(len(cols) / ncol))
    fig = Figure(figsize=(4.2 * ncol, 3.0 * nrow))
    axes = fig.subplots(nrow, ncol, squeeze=False)
    pooled = clipped = merged = False
    for ax, c in zip(axes.flat, cols):
        a, b = r.get_column(c).alias("v"), s.get_column(c).alias("v")
        if kind(a.dtype) == "numeric":
            clipped |= _histogram(ax, a, b, k, bins)
        else:
            p, m = _bars(ax, a, b, k, top)
            pooled, merged = pooled or p, merged or m
        ax.set_title(_shorten(c, 40), fontsize=10, **PLAIN)
    for ax in list(axes.flat)[len(cols):]:
        ax.axis("off")
    first = next((ax for ax in axes.flat if ax.get_legend_handles_labels()[0]), None)
    if first is not None:
        first.legend(fontsize=8)
    notes = []
    if pooled:
        notes.append(f"'other' pools the categories held by fewer than {k} real records or beyond the {top} most "
                     "frequent, and synthetic values outside those shown."
                     + (f" Where those categories hold fewer than {k} real records in all, 'other' is drawn with the "
                        "least frequent category shown, in one bar named 'category + other (n categories)'." if merged else ""))
    if clipped:
        notes.append(f"Histograms: the end bins hold every value beyond the {k}th smallest / largest real value.")
    if not notes:
        return _finish(fig, path)
    from textwrap import fill

    # about 17 characters of 8-point text an inch: wrapped, no note runs past the figure's edge
    lines = "\n".join(fill(n, width=int(17 * fig.get_figwidth())) for n in notes)
    fig.text(0.01, 0.005, lines, fontsize=8, va="bottom", color="#444", **PLAIN)
    fig.tight_layout(rect=(0, 0.16 * (lines.count("\n") + 1.5) / fig.get_figheight(), 1, 1))
    if path:
        save_figure(fig, path)
    return fig


def plot_associations(real: Any, synthetic: Any, measure: str = "NMI", path: str | None = None) -> Figure:
    """Heatmaps of pairwise association (default normalised mutual information): real,
    synthetic, and synthetic minus real. Draws column names and association values only."""
    r, s = check_pair(real, synthetic)
    return association_heatmaps(association_difference(r, s), r.columns, measure, path)


def association_heatmaps(associations: pl.DataFrame, columns: Sequence[str], measure: str = "NMI",
                         path: str | None = None) -> Figure:
    """:func:`plot_associations` drawn from the frame of
    :func:`synthspectrum.measures.utility.association_difference` (column_a, column_b, measure,
    real, synthetic, difference), ``columns`` in their order (a column the measure left out
    stays as an empty row). Up to 12 columns the three panels sit side by side with their
    values written in; with more, one above the other, each wide enough that no name is cut."""
    cols = list(columns)
    d = associations.filter((pl.col("measure") == measure) & pl.col("column_b").is_not_null())
    pos = {c: i for i, c in enumerate(cols)}
    mats = {k: np.full((len(cols), len(cols)), np.nan) for k in ("real", "synthetic", "difference")}
    for row in d.iter_rows(named=True):
        if row["column_a"] not in pos or row["column_b"] not in pos:
            continue
        i, j = pos[row["column_a"]], pos[row["column_b"]]
        for k in mats:
            mats[k][i, j] = mats[k][j, i] = row[k]
    small = len(cols) <= 12
    side = max(4.0, 0.2 * len(cols) + 2.5)  # 0.2 inch a cell, room for the names
    fig = Figure(figsize=(15, 5) if small else (side + 1.5, 3 * side), layout="constrained")
    axes = fig.subplots(1, 3) if small else fig.subplots(3, 1)

    def top_of(m: np.ndarray) -> float:
        return float(np.nanmax(np.abs(m))) if np.isfinite(m).any() else 0.0

    # associations of real data are often small: scale to what is there, not to 1
    top = max(top_of(mats["real"]), top_of(mats["synthetic"]), 0.05)
    dtop = max(top_of(mats["difference"]), 0.02)
    labels = [_shorten(c) for c in cols]
    for ax, (k, m) in zip(axes, mats.items()):
        diff = k == "difference"
        im = ax.imshow(m, cmap="RdBu_r" if diff else "viridis", vmin=-dtop if diff else 0, vmax=dtop if diff else top)
        if small:
            for i in range(len(cols)):
                for j in range(len(cols)):
                    if np.isfinite(m[i, j]):
                        ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=6,
                                color="black" if diff or m[i, j] > top / 2 else "white")
        ax.set_xticks(range(len(cols)), labels, rotation=60 if small else 90, ha="right" if small else "center",
                      fontsize=7, **PLAIN)
        ax.set_yticks(range(len(cols)), labels, fontsize=7, **PLAIN)
        ax.set_title(f"{measure}: {k}", **PLAIN)
        fig.colorbar(im, ax=ax, fraction=0.046)
    if path:
        save_figure(fig, path)
    return fig


def plot_propensity(real: Any, synthetic: Any, maxorder: int = 0, path: str | None = None) -> Figure:
    """Distributions of the logistic propensity score (probability of being synthetic) for real
    and synthetic records; they coincide when the model cannot tell them apart. Scores only."""
    return propensity_histogram(propensity_scores(real, synthetic, maxorder), path)


def propensity_histogram(scores: pl.DataFrame, path: str | None = None) -> Figure:
    """:func:`plot_propensity` drawn from scores already computed (source: real / synthetic,
    propensity), as :class:`synthspectrum.evaluation.Evaluation` keeps them."""
    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    edges = np.linspace(scores["propensity"].min(), scores["propensity"].max() + 1e-9, 30)
    for src, color in (("real", REAL), ("synthetic", SYN)):
        ax.hist(scores.filter(pl.col("source") == src)["propensity"], bins=edges, alpha=0.55, density=True,
                color=color, label=src)
    ax.set_xlabel("propensity of being synthetic")
    ax.set_ylabel("density (records)")
    ax.legend()
    return _finish(fig, path)


def plot_dcr(distances: pl.DataFrame, path: str | None = None) -> Figure:
    """Distances of synthetic records to the closest training and closest holdout record
    (the frame of :func:`synthspectrum.measures.privacy.dcr_distances`). Distances only."""
    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    top = float(max(distances["dcr_training"].max(), distances["dcr_holdout"].max())) + 1e-9
    edges = np.linspace(0, top, 30)
    ax.hist(distances["dcr_training"], bins=edges, alpha=0.55, color=SYN, label="to closest training record")
    ax.hist(distances["dcr_holdout"], bins=edges, alpha=0.55, color=HOLD, label="to closest holdout record")
    ax.set_xlabel("Gower distance")
    ax.set_ylabel("synthetic records")
    ax.legend(fontsize=8)
    return _finish(fig, path)


# Columns of the association heatmaps. Beyond, those whose association changed most: 200 columns
# made a 44 x 127 inch figure that took 11 s to render and showed nothing at 0.2 inch a cell.
MAX_HEATMAP_COLUMNS = 40


def heatmap_columns(associations: pl.DataFrame, columns: Sequence[str], measure: str = "NMI",
                    most: int = MAX_HEATMAP_COLUMNS) -> list[str]:
    """The columns :func:`evaluation_figures` draws in the heatmaps: all of ``columns``, or, past
    ``most``, the ``most`` whose largest |synthetic - real| ``measure`` over their pairs is
    largest (ties by their order), in their order."""
    cols = list(columns)
    if len(cols) <= most:
        return cols
    d = associations.filter((pl.col("measure") == measure) & pl.col("column_b").is_not_null())
    ends = pl.concat([d.select(pl.col("column_a").alias("c"), pl.col("difference").abs().alias("d")),
                      d.select(pl.col("column_b").alias("c"), pl.col("difference").abs().alias("d"))])
    worst = dict(ends.group_by("c").agg(pl.col("d").fill_nan(None).max().fill_null(-1.0)).iter_rows())
    ranked = sorted((c for c in cols if c in worst), key=lambda c: -worst[c])  # stable: ties keep their order
    chosen = set(ranked[:most])
    return [c for c in cols if c in chosen]


def evaluation_figures(ev: Any) -> dict[str, Figure]:
    """The figures of an :class:`synthspectrum.evaluation.Evaluation` drawn from what its measures
    kept (association matrices, propensity scores, distances): nothing is refitted. The marginal
    plots need the frames themselves, so :func:`synthspectrum.evaluation.evaluate` draws them."""
    out = {}
    if ev.associations is not None:
        out["associations"] = association_heatmaps(ev.associations,
                                                   heatmap_columns(ev.associations, ev.settings["columns"]))
    if ev.propensity is not None:
        out["propensity"] = propensity_histogram(ev.propensity)
    if ev.distances is not None:
        out["distances"] = plot_dcr(ev.distances)
    return out
