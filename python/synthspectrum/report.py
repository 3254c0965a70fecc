"""``evaluate``: every utility and privacy measure on one synthetic frame, as a tidy table,
a summary, and one self-contained HTML report.

What the report discloses: aggregates only — distances, shares, counts of equivalence
classes, model coefficients, category labels and histograms. It never prints a record; a test
scans it for real rows. Category labels and the ranges shown by histograms are the real
data's, so treat the report like the metadata it summarises.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import polars as pl

from synthspectrum import privacy, utility
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.frames import require_columns

SCHEMA = {"group": pl.String, "section": pl.String, "measure": pl.String, "column": pl.String, "value": pl.Float64}

HOW_TO_READ = {
    "univariate": "KSComplement (numbers, dates) and TVComplement (categories) are 1 when a column's "
                  "distribution is the same in both frames and 0 when they do not overlap. "
                  "missing_share_difference should be near 0; coverage near 1.",
    "associations": "Normalised mutual information (all pairs), Spearman's rho (two numbers) and "
                    "Cramer's V (two categories), in the real and the synthetic data. A synthesiser that "
                    "keeps relations between columns shows differences near 0.",
    "general": "A logistic model tries to tell synthetic from real records. pMSE near 0, S_pMSE near 1 "
               "(below about 3 is commonly read as good), propensity AUC near 0.5 and PO50 near 0 mean "
               "it cannot.",
    "table": "The cross-table of the key variables in both frames: S_pMSE (= VW / df) near 1 means the "
             "synthetic table is as close to the real one as sampling alone would make it.",
    "specific": "The user's regression on both frames: std_coef_diff near 0 and ci_overlap near 1 mean "
                "the synthetic data support the same conclusion.",
    "privacy": "Exact matches and replicated uniques should be near 0. Disclosure: DiSCO is the % of real "
               "records whose target the synthetic data disclose correctly from the keys; compare it with "
               "Dorig, the % the real data disclose themselves. Distances: share_closer_to_training and "
               "membership_auc near 0.5 mean the synthetic records are no closer to the training records "
               "than to unseen (holdout) ones.",
}


def _rows(df: pl.DataFrame, group: str, section: str, column: str | None = None) -> pl.DataFrame:
    out = df.select(
        pl.lit(group).alias("group"), pl.lit(section).alias("section"), pl.col("measure"),
        (pl.col("column") if "column" in df.columns else pl.lit(column, dtype=pl.String)).alias("column"),
        pl.col("value").cast(pl.Float64),
    )
    return out.cast(SCHEMA)


@dataclass
class Evaluation:
    """All measures of one synthetic frame (``measures``: group, section, measure, column, value)."""

    measures: pl.DataFrame
    settings: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self) -> pl.DataFrame:
        """Headline measures, one row each (polars)."""
        m = self.measures
        rows = []

        def pick(section: str, measure: str, label: str | None = None, agg: str | None = None):
            f = m.filter((pl.col("section") == section) & (pl.col("measure") == measure))
            if f.height:
                value = f["value"].mean() if agg == "mean" else f["value"][0]
                rows.append({"measure": label or measure, "value": value})

        pick("univariate", "KSComplement", "mean KSComplement", "mean")
        pick("univariate", "TVComplement", "mean TVComplement", "mean")
        pick("general", "S_pMSE")
        pick("general", "AUC", "propensity AUC")
        pick("table", "S_pMSE", "table S_pMSE (keys)")
        pick("privacy", "exact_match_share")
        pick("privacy", "repU")
        pick("privacy", "Dorig")
        pick("privacy", "DiSCO")
        pick("privacy", "share_closer_to_training")
        pick("privacy", "membership_auc")
        return pl.DataFrame(rows, schema={"measure": pl.String, "value": pl.Float64})

    def to_html(self, path: str | Path) -> Path:
        """Write one self-contained HTML file (plots embedded) that opens offline."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(self), encoding="utf-8")
        return path


def evaluate(
    real: Any,
    synthetic: Any,
    keys: Sequence[str] | None = None,
    target: str | None = None,
    holdout: Any = None,
    formula: str | None = None,
    family: str = "gaussian",
    maxorder: int = 0,
    seed: int = 0,
    max_records: int = 5_000,
    plots: bool = True,
) -> Evaluation:
    """Measure ``synthetic`` against ``real`` (the training data), polars or pandas frames.

    ``keys`` (quasi-identifiers) enable table utility, replicated uniques and, with ``target``,
    attribute disclosure; ``holdout`` (real records the generator did not see) enables the
    distance measures and membership inference; ``formula`` (with ``family``) the specific
    utility. ``seed`` fixes every sampled measure.
    """
    r, s = utility.check_pair(real, synthetic)
    if keys:
        require_columns(r, keys, "real data (keys)")
    if target is not None:
        require_columns(r, [target], "real data (target)")
        if not keys:
            raise SynthSpectrumError("a target needs keys: attribute disclosure is keys -> target")
    parts = [
        _rows(utility.univariate(r, s), "utility", "univariate"),
        _rows(utility.association_difference(r, s).select(
            pl.col("measure"), pl.concat_str("column_a", pl.lit(" × "), "column_b").alias("column"),
            pl.col("difference").alias("value")), "utility", "associations"),
        _rows(utility.pmse(r, s, method="logit", maxorder=maxorder), "utility", "general"),
    ]
    if keys:
        parts.append(_rows(utility.utility_tab(r, s, keys), "utility", "table", ",".join(keys)))
    if formula:
        fit = utility.regression_fit(r, s, formula, family=family)
        parts.append(_rows(fit.unpivot(index="term", on=["std_coef_diff", "ci_overlap"], variable_name="measure")
                           .rename({"term": "column"}), "utility", "specific"))
    parts.append(_rows(privacy.exact_matches(r, s), "privacy", "privacy"))
    if keys:
        ru = privacy.replicated_uniques(r, s, keys).filter(pl.col("measure") == "Replicated uniques")
        parts.append(_rows(ru.select(pl.lit("replicated_uniques_percent").alias("measure"),
                                     pl.col("percent").alias("value")), "privacy", "privacy", ",".join(keys)))
        if target:
            parts.append(_rows(privacy.disclosure(r, s, keys, target), "privacy", "privacy", target))
    distances = None
    if holdout is not None:
        dcr_rows, distances = privacy.dcr(r, s, holdout, max_records=max_records, seed=seed, return_distances=True)
        parts.append(_rows(dcr_rows, "privacy", "privacy"))
    measures = pl.concat(parts)
    figures = {}
    if plots:
        from synthspectrum import plots as pt

        figures["marginals"] = pt.plot_marginals(r, s)
        figures["associations"] = pt.plot_associations(r, s)
        figures["propensity"] = pt.plot_propensity(r, s, maxorder)
        if distances is not None:
            figures["distances"] = pt.plot_dcr(distances)
    settings = {"n_real": r.height, "n_synthetic": s.height, "keys": list(keys or []), "target": target,
                "holdout": None if holdout is None else utility.check_pair(holdout, s)[0].height,
                "formula": formula, "seed": seed}
    return Evaluation(measures, settings, figures)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _table(df: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
    body = []
    for row in df.iter_rows():
        cells = []
        for v in row:
            text = "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


SECTIONS = [
    ("univariate", "Utility: each column on its own", "marginals"),
    ("associations", "Utility: relations between columns", "associations"),
    ("general", "Utility: can a model tell synthetic from real?", "propensity"),
    ("table", "Utility: the cross-table of the keys", None),
    ("specific", "Utility: the same regression on both", None),
    ("privacy", "Privacy: what the synthetic data give away", "distances"),
]


def render_html(ev: Evaluation) -> str:
    st = ev.settings
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>synthspectrum evaluation</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}",
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}",
        "th{background:#eef}img{max-width:100%}.read{background:#f6f6f0;padding:.5em 1em;border-left:4px solid #bb8}",
        "</style></head><body>",
        "<h1>synthspectrum evaluation</h1>",
        f"<p>{st['n_real']} real (training) records, {st['n_synthetic']} synthetic records"
        + (f", {st['holdout']} holdout records" if st.get("holdout") else "")
        + (f"; keys: {html.escape(', '.join(st['keys']))}" if st.get("keys") else "")
        + (f"; target: {html.escape(st['target'])}" if st.get("target") else "")
        + f"; seed {st['seed']}.</p>",
        "<p>This report holds aggregates only (shares, distances, model summaries, histograms) and no record.</p>",
        "<h2 id='summary'>Summary</h2>", _table(ev.summary()),
    ]
    for key, title, fig_name in SECTIONS:
        rows = ev.measures.filter(pl.col("section") == key)
        if rows.height == 0:
            continue
        parts.append(f"<h2 id='{key}'>{html.escape(title)}</h2>")
        parts.append(f"<p class='read'><b>How to read it.</b> {html.escape(HOW_TO_READ[key])}</p>")
        if fig_name and fig_name in ev.figures:
            parts.append(f"<img alt='{html.escape(title)}' src='data:image/png;base64,{_png(ev.figures[fig_name])}'>")
        parts.append(_table(rows.select("measure", "column", "value")))
    parts.append("</body></html>")
    return "\n".join(parts)
