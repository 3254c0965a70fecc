"""``evaluate``: every utility and privacy measure on one synthetic frame, as a tidy table,
a summary, and one self-contained HTML report.

What each artefact discloses (treat them like the metadata they summarise):

* ``Evaluation.measures`` (and every file made from it, such as the spectrum's results.csv):
  measure names, column names, numbers (shares, distances, counts, model summaries) and, in
  the ``specific`` rows, regression term names. A term names a category only if at least
  ``k`` real records (default 5) hold it: before fitting, the categories of every text
  predictor with fewer than ``k`` real records (and synthetic values outside the kept ones)
  are pooled into one level "other (n categories)", and after fitting any term whose dummy is
  non-zero in fewer than ``k`` real records (a rare level, a sparse interaction, a rare
  ``I(x == ...)``) is dropped. Rows ``categories_pooled`` and ``terms_left_out`` say so.
* ``Evaluation.summary()``: headline numbers and the names of the weakest and of collapsed
  columns.
* The HTML report: all of the above, the settings the caller passed (keys, target, formula as
  typed), and the figures of :mod:`synthspectrum.render.plots`: column names, category labels held by
  >= ``k`` real records (at most 20 per column, the rest pooled into "other"), no per-value
  plot for identifier-like text, histograms between the k-th smallest and k-th largest real
  value. It never prints a record; the tests record every string drawn and scan the HTML.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.measures import privacy
from synthspectrum.measures import utility
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.columns import kind
from synthspectrum.core.pair import check_pair
from synthspectrum.core.frames import require_columns, to_polars
from synthspectrum.core.categories import K_DEFAULT, category_rule, check_k

WORST = 3  # columns named in the summary as the weakest
NARROW = 0.05  # a synthetic range covering less than this share of the real range has collapsed

SCHEMA = {"group": pl.String, "section": pl.String, "measure": pl.String, "column": pl.String, "value": pl.Float64}

HOW_TO_READ = {
    "univariate": "KSComplement (numbers, dates) and TVComplement (categories) are 1 when a column's "
                  "distribution is the same in both frames and 0 when they do not overlap. "
                  "missing_share_difference should be near 0; coverage near 1. A 'collapsed' row marks a "
                  "column that varies in the real data but not in the synthetic data (value: the number of "
                  "distinct synthetic values, 0 or 1). The plots show categories held by at least k real "
                  "records (at most 20 per column); the rest are pooled into one 'other' bar.",
    "associations": "Normalised mutual information (all pairs), Spearman's rho (two numbers) and "
                    "Cramer's V (two categories), in the real and the synthetic data. A synthesiser that "
                    "keeps relations between columns shows differences near 0.",
    "general": "A logistic model tries to tell synthetic from real records. pMSE near 0, S_pMSE near 1 "
               "(below about 3 is commonly read as good), propensity AUC near 0.5 and PO50 near 0 mean "
               "it cannot.",
    "table": "The cross-table of the key variables in both frames: S_pMSE (= VW / df) near 1 means the "
             "synthetic table is as close to the real one as sampling alone would make it.",
    "specific": "The user's regression on both frames: std_coef_diff near 0 and ci_overlap near 1 mean "
                "the synthetic data support the same conclusion. Categories held by fewer than k real "
                "records are pooled into one level 'other (n categories)' before fitting "
                "(categories_pooled: how many per column), and terms that stand for fewer than k real "
                "records are left out (terms_left_out: how many).",
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
    """All measures of one synthetic frame (``measures``: group, section, measure, column, value).

    ``notes``: per section, plain sentences on what was pooled, left out or not plotted.
    """

    measures: pl.DataFrame
    settings: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def weakest(self, n: int = WORST) -> pl.DataFrame:
        """The ``n`` columns with the lowest KSComplement / TVComplement (column, measure, value),
        identifier-like text left aside (synthetic names should not match the real ones)."""
        skip = list(self.settings.get("identifier_like", []))
        return (self.measures.filter((pl.col("section") == "univariate")
                                     & pl.col("measure").is_in(["KSComplement", "TVComplement"])
                                     & pl.col("value").is_not_nan() & ~pl.col("column").is_in(skip))
                .sort(["value", "column"]).head(n).select("column", "measure", "value"))

    def collapsed(self) -> pl.DataFrame:
        """Columns whose synthetic values collapsed (column, why, value = coverage): constant or
        all missing where the real column varies, a synthetic range covering < 5% of the real
        range, or (text that is not identifier-like) < 5% of the real categories."""
        m = self.measures.filter(pl.col("section") == "univariate")
        coverage = m.filter(pl.col("measure") == "coverage").select("column", pl.col("value").alias("coverage"))
        const = m.filter(pl.col("measure") == "collapsed").select(
            "column", pl.when(pl.col("value") == 0).then(pl.lit("synthetic values all missing, real ones vary"))
            .otherwise(pl.lit("synthetic values constant, real ones vary")).alias("why")) \
            .join(coverage, on="column", how="left").rename({"coverage": "value"})
        numeric = m.filter(pl.col("measure") == "KSComplement")["column"].to_list()
        skip = const["column"].to_list() + list(self.settings.get("identifier_like", []))
        narrow = m.filter((pl.col("measure") == "coverage") & (pl.col("value") < NARROW)
                          & ~pl.col("column").is_in(skip))
        pct = (pl.col("value") * 100).round(1)
        narrow = narrow.select("column", pl.when(pl.col("column").is_in(numeric))
                               .then(pl.format("synthetic range covers {}% of the real range", pct))
                               .otherwise(pl.format("synthetic data hold {}% of the real categories", pct))
                               .alias("why"), "value")
        return pl.concat([const, narrow])

    def alerts(self) -> list[str]:
        """Plain sentences on what to look at first: collapsed columns and the weakest columns."""
        out = []
        for row in self.collapsed().iter_rows(named=True):
            out.append(f"Column {row['column']!r} collapsed: {row['why']}. The overall measures (S_pMSE, "
                       "propensity AUC) can read well while a column is lost; this one is.")
        weak = self.weakest()
        if weak.height:
            out.append("Weakest columns on their own: " + ", ".join(
                f"{r['column']!r} ({r['measure']} {round(r['value'], 2) + 0.0:.2f})" for r in weak.iter_rows(named=True)) + ".")
        return out

    def summary(self) -> pl.DataFrame:
        """Headline measures, one row each (polars: measure, value), then the weakest columns
        ("weakest i: name", value their KS/TVComplement) and any collapsed column
        ("COLLAPSED: name", value its coverage); :meth:`alerts` says why in words."""
        m = self.measures
        rows = []

        def pick(section: str, measure: str, label: str | None = None, agg: str | None = None):
            f = m.filter((pl.col("section") == section) & (pl.col("measure") == measure))
            if f.height:
                # a column with no value in either frame has no KS/TV: leave it out of the mean
                value = f["value"].fill_nan(None).mean() if agg == "mean" else f["value"][0]
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
        for i, r in enumerate(self.weakest().iter_rows(named=True), 1):
            rows.append({"measure": f"weakest {i}: {r['column']}", "value": r["value"]})
        for r in self.collapsed().iter_rows(named=True):
            rows.append({"measure": f"COLLAPSED: {r['column']}", "value": r["value"]})
        return pl.DataFrame(rows, schema={"measure": pl.String, "value": pl.Float64})

    def to_html(self, path: str | Path, force: bool = False) -> Path:
        """Write one self-contained HTML file (plots embedded) that opens offline; atomically, so an
        interrupted write leaves an earlier report as it was. An existing file is replaced only if
        synthspectrum wrote it, or with ``force``."""
        from synthspectrum.io.outputs import check_output, write_text

        path = check_output(path, [".html", ".htm"], what="report", force=force)
        return write_text(path, render_html(self))


def _mentions(text: str, column: str) -> bool:
    """Whether a formula side names ``column`` (as a whole name, bare or inside Q("..."))."""
    return re.search(r"(?<![A-Za-z0-9_.])" + re.escape(column) + r"(?![A-Za-z0-9_])", text) is not None


def _pool_rare(r: pl.DataFrame, s: pl.DataFrame, formula: str, k: int):
    """Text predictors of ``formula`` with their categories of < k real records (and synthetic
    values outside the kept ones) pooled into one level; returns both frames and
    {column: number of real categories pooled}."""
    lhs, _, rhs = formula.partition("~")
    pooled: dict[str, int] = {}
    for c in r.columns:
        dt = r.schema[c]
        if kind(dt) != "categorical" or dt == pl.Boolean or not _mentions(rhs, c) or _mentions(lhs, c):
            continue
        counts = r.get_column(c).alias("v").drop_nulls().cast(pl.String).alias("v").value_counts(name="n")
        keep = counts.filter(pl.col("n") >= k)["v"]
        rare = counts.height - keep.len()
        syn_out = bool((~s.get_column(c).alias("v").drop_nulls().cast(pl.String).is_in(keep.to_list())).any())
        if not rare and not syn_out:
            continue
        label = f"other ({rare} {'category' if rare == 1 else 'categories'})"
        while label in set(keep.to_list()):
            label += "*"
        if isinstance(dt, pl.Enum):  # keep the levels' order, pooled level last
            target = pl.Enum([lv for lv in dt.categories.to_list() if lv in set(keep.to_list())] + [label])
        else:
            target = pl.String

        kept = keep.to_list()

        def pool(df: pl.DataFrame) -> pl.DataFrame:
            v = pl.DataFrame({"v": df.get_column(c).alias("v").cast(pl.String)})
            out = v.select(pl.when(pl.col("v").is_null() | pl.col("v").is_in(kept)).then(pl.col("v"))
                           .otherwise(pl.lit(label)).cast(target))["v"]
            return df.clone().replace_column(df.get_column_index(c), out.alias(c))  # in place otherwise

        r, s = pool(r), pool(s)
        pooled[c] = rare
    return r, s, pooled


def _small_terms(r: pl.DataFrame, formula: str, terms: Sequence[str], k: int) -> set[str]:
    """Terms whose design column stands for fewer than ``k`` real records: a column named
    with a level ("g[T.a]", "a:b[T.x]") or holding only 0/1, non-zero in fewer than k rows.
    If the design cannot be rebuilt, every term naming a level is treated as small."""
    import patsy

    pdf = r.with_columns([r.get_column(c).cast(pl.Int8) for c in r.columns if r.schema[c] == pl.Boolean]).to_pandas()
    try:
        _, X = patsy.dmatrices(formula, pdf, return_type="dataframe", NA_action="drop",
                               eval_env=patsy.EvalEnvironment([{"np": np}]))
    except Exception:  # noqa: BLE001 (the fit itself worked; be safe rather than precise)
        return {t for t in terms if "[" in t}
    small = set()
    for t in terms:
        if t not in X.columns:
            small.add(t) if "[" in t else None
            continue
        v = X[t].to_numpy()
        dummy = np.isin(v, (0.0, 1.0)).all() and t != "Intercept"
        if ("[" in t or dummy) and np.count_nonzero(v) < k:
            small.add(t)
    return small


def _specific(r: pl.DataFrame, s: pl.DataFrame, formula: str, family: str, k: int):
    """Rows of the specific-utility section with the small-category rule applied, and notes."""
    rp, sp, pooled = _pool_rare(r, s, formula, k)
    fit = utility.regression_fit(rp, sp, formula, family=family)
    small = _small_terms(rp, formula, fit["term"].to_list(), k)
    fit = fit.filter(~pl.col("term").is_in(sorted(small)))
    rows = [fit.unpivot(index="term", on=["std_coef_diff", "ci_overlap"], variable_name="measure")
            .rename({"term": "column"}).select("measure", "column", "value")]
    notes = []
    for c, n in pooled.items():
        rows.append(pl.DataFrame({"measure": ["categories_pooled"], "column": [c], "value": [float(n)]}))
        notes.append(f"{c}: {n} {'category' if n == 1 else 'categories'} held by fewer than {k} real records "
                     "pooled into one level before fitting (with synthetic values outside the kept ones).")
    if small:
        rows.append(pl.DataFrame({"measure": ["terms_left_out"], "column": [None], "value": [float(len(small))]},
                                 schema={"measure": pl.String, "column": pl.String, "value": pl.Float64}))
        notes.append(f"{len(small)} {'term' if len(small) == 1 else 'terms'} standing for fewer than {k} real "
                     "records left out (their names could show a real value).")
    return pl.concat(rows, how="vertical_relaxed"), notes


def _collapsed_rows(r: pl.DataFrame, s: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for c in r.columns:
        a, b = r.get_column(c).alias("v").drop_nulls(), s.get_column(c).alias("v").drop_nulls()
        if a.n_unique() > 1 and b.n_unique() <= 1:
            rows.append({"measure": "collapsed", "column": c, "value": float(b.n_unique())})
    return pl.DataFrame(rows, schema={"measure": pl.String, "column": pl.String, "value": pl.Float64})


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
    k: int = K_DEFAULT,
) -> Evaluation:
    """Measure ``synthetic`` against ``real`` (the training data), polars or pandas frames.

    ``keys`` (quasi-identifiers) enable table utility, replicated uniques and, with ``target``,
    attribute disclosure; ``holdout`` (real records the generator did not see) enables the
    distance measures and membership inference; ``formula`` (with ``family``) the specific
    utility. ``seed`` fixes every sampled measure. ``k`` (default 5) is the fewest real records
    a category label shown in a plot or a regression term may stand for (see the module
    docstring for what each artefact discloses).
    """
    k = check_k(k)
    r, s = check_pair(real, synthetic)
    if keys:
        require_columns(r, keys, "real data (keys)")
    if target is not None:
        require_columns(r, [target], "real data (target)")
        if not keys:
            raise SynthSpectrumError("a target needs keys: attribute disclosure is keys -> target")
    notes: dict[str, list[str]] = {}
    assoc = utility.association_difference(r, s)
    is_note = pl.col("measure").is_in(list(utility.LEFT_OUT_MEASURES))
    general = utility.utility_gen(r, s, method="logit", maxorder=maxorder)
    parts = [
        _rows(pl.concat([utility.univariate(r, s), _collapsed_rows(r, s)]), "utility", "univariate"),
        _rows(assoc.filter(~is_note).select(
            pl.col("measure"), pl.concat_str("column_a", pl.lit(" × "), "column_b").alias("column"),
            pl.col("difference").alias("value")), "utility", "associations"),
        # what the bounded measures left out (identifiers, grouped levels, capped columns): counts only
        _rows(assoc.filter(is_note).select("measure", pl.col("column_a").alias("column"),
                                           pl.col("real").alias("value")), "utility", "associations"),
        _rows(general, "utility", "general"),
    ]
    for section, frame, what in (("associations", assoc, "the association matrices"),
                                 ("general", general, "the propensity model")):
        notes.setdefault(section, []).extend(utility.left_out_sentences(frame, what))
    unplotted = [c for c in r.columns if kind(r.schema[c]) == "categorical"
                 and r.schema[c] != pl.Boolean and category_rule(r.get_column(c), k).identifier_like]
    if unplotted:
        notes["univariate"] = [f"{', '.join(repr(c) for c in unplotted)}: most values held by fewer than {k} real "
                               "records (identifier-like or free text), so no per-value plot."]
    if keys:
        parts.append(_rows(utility.utility_tab(r, s, keys), "utility", "table", ",".join(keys)))
    if formula:
        specific, notes["specific"] = _specific(r, s, formula, family, k)
        parts.append(_rows(specific, "utility", "specific"))
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
        notes.setdefault("privacy", []).extend(utility.left_out_sentences(dcr_rows, "the distance measures"))
    else:
        notes.setdefault("privacy", []).append(
            "Distance to closest record (share_closer_to_training) and membership inference were not computed: "
            "they need a holdout, real records the generator did not see (holdout=..., --holdout).")
    if not keys:
        notes.setdefault("privacy", []).append(
            "Replicated uniques and attribute disclosure were not computed: they need key variables "
            "(keys=..., --keys) and, for disclosure, a target.")
    measures = pl.concat(parts)
    figures = {}
    if plots:
        from synthspectrum.render import plots as pt

        figures["marginals"] = pt.plot_marginals(r, s, k=k)
        figures["associations"] = pt.plot_associations(r, s)
        figures["propensity"] = pt.plot_propensity(r, s, maxorder)
        if distances is not None:
            figures["distances"] = pt.plot_dcr(distances)
    settings = {"n_real": r.height, "n_synthetic": s.height, "keys": list(keys or []), "target": target,
                "holdout": None if holdout is None else to_polars(holdout, "holdout data")[0].height,
                "formula": formula, "seed": seed, "k": k, "identifier_like": unplotted}
    return Evaluation(measures, settings, figures, notes)


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
        ".alert{background:#fdecea;padding:.5em 1em;border-left:4px solid #c0392b}.note{color:#555;font-size:14px}",
        "</style></head><body>",
        "<h1>synthspectrum evaluation</h1>",
        f"<p>{st['n_real']} real (training) records, {st['n_synthetic']} synthetic records"
        + (f", {st['holdout']} holdout records" if st.get("holdout") else "")
        + (f"; keys: {html.escape(', '.join(st['keys']))}" if st.get("keys") else "")
        + (f"; target: {html.escape(st['target'])}" if st.get("target") else "")
        + f"; seed {st['seed']}.</p>",
        "<p>This report holds aggregates only (shares, distances, model summaries, histograms) and no record. "
        f"It names columns and shows a category label only when at least {st.get('k', K_DEFAULT)} real records "
        "hold it (at most 20 per column; the rest are pooled into 'other').</p>",
    ]
    alerts = ev.alerts()
    if alerts:
        parts.append("<div class='alert' id='alerts'><b>Look here first.</b><ul>"
                     + "".join(f"<li>{html.escape(a)}</li>" for a in alerts) + "</ul></div>")
    parts += ["<h2 id='summary'>Summary</h2>", _table(ev.summary())]
    for key, title, fig_name in SECTIONS:
        rows = ev.measures.filter(pl.col("section") == key)
        if rows.height == 0:
            continue
        parts.append(f"<h2 id='{key}'>{html.escape(title)}</h2>")
        parts.append(f"<p class='read'><b>How to read it.</b> {html.escape(HOW_TO_READ[key])}</p>")
        if fig_name and fig_name in ev.figures:
            parts.append(f"<img alt='{html.escape(title)}' src='data:image/png;base64,{_png(ev.figures[fig_name])}'>")
        for note in ev.notes.get(key, []):
            parts.append(f"<p class='note'>{html.escape(note)}</p>")
        parts.append(_table(rows.select("measure", "column", "value")))
    parts.append("</body></html>")
    return "\n".join(parts)
