"""synthpop's ``compare``, drawn: real against synthetic distributions, one panel per column.

The figure shows a category's label only when at least ``k`` real records hold it
(:mod:`synthspectrum.core.categories`); the tables themselves are the user's, in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass
class Comparison:
    """What :func:`synthspectrum.synthpop.compare` found: each column's distribution in the real and
    synthetic data, and its utility.

    ``tables``: column, category (a category or a bin of numbers), source (synthpop's
    "observed" or "synthetic") and percent. It holds every category's label, however few real
    records carry it: it is for you, not for sharing. ``utility``: measure (pMSE, S_pMSE, df),
    column, value, the tidy shape of every measure. ``plot`` follows the package's
    small-category rule.
    """

    tables: pl.DataFrame
    utility: pl.DataFrame
    n_real: int = 0

    def plot(self, path: str | None = None, k: int = 5, top: int = 20):
        """Bar charts, real vs synthetic, one panel per variable (a matplotlib Figure, drawn without
        pyplot, so the user's backend is left alone).

        A bar is labelled only when at least ``k`` real records hold its category or bin, and at most
        ``top`` bars are drawn per variable; the rest are pooled into one bar "other (n categories)".
        """
        from matplotlib.figure import Figure

        from synthspectrum.core.categories import check_k

        k = check_k(k)
        variables = self.tables["column"].unique(maintain_order=True).to_list()
        fig = Figure(figsize=(7, 2.6 * len(variables)))
        axes = fig.subplots(len(variables), 1, squeeze=False)
        for ax, var in zip(axes[:, 0], variables):
            t = self.tables.filter(pl.col("column") == var)
            sources = t["source"].unique(maintain_order=True).to_list()
            wide = t.pivot(on="source", index="category", values="percent", aggregate_function="first")
            real_src = sources[0]  # synthpop lists the observed data first
            counts = wide[real_src].fill_null(0.0) * self.n_real / 100
            keep = (counts.round(6) >= k).to_numpy()
            shown = wide.filter(pl.Series(keep))
            order = np.argsort(-shown[real_src].fill_null(0.0).to_numpy(), kind="stable")[:top]
            shown = shown[np.sort(order)]
            rest = wide.join(shown.select("category"), on="category", how="anti")
            labels = shown["category"].to_list()
            if rest.height:
                labels.append(f"other ({rest.height} categories)")
            x = np.arange(len(labels))
            for i, src in enumerate(sources):
                y = shown[src].fill_null(0.0).to_list()
                if rest.height:
                    y.append(float(rest[src].fill_null(0.0).sum()))
                ax.bar(x + (i - 0.5) * 0.4, y, width=0.4, label=src)
            ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
            ax.set_title(var)
            ax.set_ylabel("%")
        axes[0, 0].legend()
        fig.tight_layout()
        if path:
            from synthspectrum.io.outputs import save_figure

            save_figure(fig, path, dpi=120)
        return fig
