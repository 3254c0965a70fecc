"""Plots of real versus synthetic data, for reading at a glance (matplotlib).

Every function returns a matplotlib Figure and saves it when given ``path``. They draw
aggregates only (bar heights, histograms, matrices of association, score and distance
distributions), never a record as a point.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")  # files, not windows: works on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from synthspectrum.utility import _as_number, _kind, association_difference, check_pair, propensity_scores  # noqa: E402

REAL, SYN, HOLD = "#1A3C5A", "#E4572E", "#4187BF"


def _finish(fig, path: str | None):
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=110)
    return fig


def plot_marginals(real: Any, synthetic: Any, columns: Sequence[str] | None = None, bins: int = 20,
                   path: str | None = None):
    """Side-by-side bars (categories, shares) or overlaid histograms (numbers, shared bins)."""
    r, s = check_pair(real, synthetic, columns)
    cols = r.columns
    ncol = 3
    nrow = int(np.ceil(len(cols) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.0 * nrow), squeeze=False)
    for ax, c in zip(axes.flat, cols):
        a, b = r.get_column(c).alias("v"), s.get_column(c).alias("v")
        if _kind(a.dtype) == "numeric":
            x, y = _as_number(a).drop_nulls().to_numpy(), _as_number(b).drop_nulls().to_numpy()
            both = np.concatenate([x, y])
            edges = np.histogram_bin_edges(both, bins=bins) if both.size else bins
            ax.hist(x, bins=edges, density=True, alpha=0.55, color=REAL, label="real")
            ax.hist(y, bins=edges, density=True, alpha=0.55, color=SYN, label="synthetic")
            if a.dtype in (pl.Date,) or isinstance(a.dtype, pl.Datetime):
                # days since 1970 are matplotlib's own date numbers
                import matplotlib.dates as mdates

                ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=5))
                ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        else:
            pa = a.cast(pl.String).fill_null("(missing)").value_counts(normalize=True, name="p")
            pb = b.cast(pl.String).fill_null("(missing)").value_counts(normalize=True, name="p")
            t = pa.join(pb, on="v", how="full", coalesce=True).fill_null(0.0)
            if isinstance(a.dtype, pl.Enum):  # the levels' own order (age bands, ...)
                order = {lv: i for i, lv in enumerate(a.dtype.categories.to_list())}
                t = t.with_columns(pl.col("v").replace_strict(order, default=len(order), return_dtype=pl.Int64)
                                   .alias("_o")).sort("_o", "v").drop("_o")
            else:
                t = t.sort("v")
            idx = np.arange(t.height)
            ax.bar(idx - 0.2, t["p"], 0.4, color=REAL, label="real")
            ax.bar(idx + 0.2, t["p_right"], 0.4, color=SYN, label="synthetic")
            ax.set_xticks(idx, t["v"].to_list(), rotation=45, ha="right", fontsize=7)
            ax.set_ylabel("share")
        ax.set_title(c, fontsize=10)
    for ax in list(axes.flat)[len(cols):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    return _finish(fig, path)


def plot_associations(real: Any, synthetic: Any, measure: str = "NMI", path: str | None = None):
    """Heatmaps of pairwise association (default normalised mutual information): real,
    synthetic, and synthetic minus real."""
    d = association_difference(real, synthetic).filter(pl.col("measure") == measure)
    cols = check_pair(real, synthetic)[0].columns
    pos = {c: i for i, c in enumerate(cols)}
    mats = {k: np.full((len(cols), len(cols)), np.nan) for k in ("real", "synthetic", "difference")}
    for row in d.iter_rows(named=True):
        i, j = pos[row["column_a"]], pos[row["column_b"]]
        for k in mats:
            mats[k][i, j] = mats[k][j, i] = row[k]
    fig, axes = plt.subplots(1, 3, figsize=(15, 5))
    # associations of real data are often small: scale to what is there, not to 1
    top = max(np.nanmax(np.abs(mats["real"])), np.nanmax(np.abs(mats["synthetic"])), 0.05)
    dtop = max(np.nanmax(np.abs(mats["difference"])), 0.02)
    for ax, (k, m) in zip(axes, mats.items()):
        diff = k == "difference"
        im = ax.imshow(m, cmap="RdBu_r" if diff else "viridis", vmin=-dtop if diff else 0, vmax=dtop if diff else top)
        if len(cols) <= 12:
            for i in range(len(cols)):
                for j in range(len(cols)):
                    if np.isfinite(m[i, j]):
                        ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=6,
                                color="black" if diff or m[i, j] > top / 2 else "white")
        ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(cols)), cols, fontsize=7)
        ax.set_title(f"{measure}: {k}")
        fig.colorbar(im, ax=ax, fraction=0.046)
    return _finish(fig, path)


def plot_propensity(real: Any, synthetic: Any, maxorder: int = 0, path: str | None = None):
    """Distributions of the logistic propensity score (probability of being synthetic) for real
    and synthetic records; they coincide when the model cannot tell them apart."""
    p = propensity_scores(real, synthetic, maxorder)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    edges = np.linspace(p["propensity"].min(), p["propensity"].max() + 1e-9, 30)
    for src, color in (("real", REAL), ("synthetic", SYN)):
        ax.hist(p.filter(pl.col("source") == src)["propensity"], bins=edges, alpha=0.55, density=True,
                color=color, label=src)
    ax.set_xlabel("propensity of being synthetic")
    ax.legend()
    return _finish(fig, path)


def plot_dcr(distances: pl.DataFrame, path: str | None = None):
    """Distances of synthetic records to the closest training and closest holdout record
    (the frame of :func:`synthspectrum.privacy.dcr_distances`)."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    top = float(max(distances["dcr_training"].max(), distances["dcr_holdout"].max())) + 1e-9
    edges = np.linspace(0, top, 30)
    ax.hist(distances["dcr_training"], bins=edges, alpha=0.55, color=SYN, label="to closest training record")
    ax.hist(distances["dcr_holdout"], bins=edges, alpha=0.55, color=HOLD, label="to closest holdout record")
    ax.set_xlabel("Gower distance")
    ax.legend(fontsize=8)
    return _finish(fig, path)
