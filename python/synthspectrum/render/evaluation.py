"""The evaluation's HTML page, drawn from an :class:`synthspectrum.evaluation.Evaluation`.

It reads like a verdict: what to look at first (collapsed columns, the weakest columns, the
relations that changed most), the headline measures each with its band from the measure
registry (e.g. S_pMSE under 3 good, under 10 acceptable, after Raab, Nowok & Dibben 2021; no
good or acceptable S_pMSE where the propensity model separates real from synthetic, see
:mod:`synthspectrum.evaluation.separation`), one row per column sorted worst first, and the long tables folded away in ``<details>``. A measure
without a value reads "not applicable" with the reason.

What it discloses: what the Evaluation holds (see :mod:`synthspectrum.evaluation.evaluator`):
column names, category labels held by >= k real records (in the figures), measures, the
settings the caller passed; never a record.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from synthspectrum.core.categories import K_DEFAULT
from synthspectrum.render import html as h

HOW_TO_READ = {
    "univariate": "KSComplement (numbers, dates) and TVComplement (categories) are 1 when a column's "
                  "distribution is the same in both frames and 0 when they do not overlap. "
                  "missing_share_difference should be near 0; coverage near 1. A 'collapsed' row marks a "
                  "column that varies in the real data but not in the synthetic data (value: the number of "
                  "distinct synthetic values, 0 or 1). The plots show categories held by at least k real "
                  "records (at most 20 per column); the rest are pooled into one 'other' bar, which is drawn with the "
                  "least frequent category shown ('category + other') when it holds fewer than k real records.",
    "associations": "Normalised mutual information (all pairs), Spearman's rho (two numbers) and "
                    "Cramer's V (two categories), in the real and the synthetic data. A synthesiser that "
                    "keeps relations between columns shows differences near 0.",
    "general": "A logistic model tries to tell synthetic from real records. pMSE near 0, S_pMSE near 1 "
               "(below about 3 is commonly read as good), propensity AUC near 0.5 and PO50 near 0 mean "
               "it cannot. A model that separates the two (in-sample AUC near 1, pMSE at its maximum) makes "
               "S_pMSE no verdict: it then stays near 2 whatever the data when the model is as wide as the records.",
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

SECTIONS = [
    ("univariate", "Utility: each column on its own", "marginals"),
    ("associations", "Utility: relations between columns", "associations"),
    ("general", "Utility: can a model tell synthetic from real?", "propensity"),
    ("table", "Utility: the cross-table of the keys", None),
    ("specific", "Utility: the same regression on both", None),
    ("privacy", "Privacy: what the synthetic data give away", "distances"),
]

# Why a measure can have no value (NaN)
NOT_APPLICABLE = {
    "KSComplement": "no value in one of the frames", "KS": "no value in one of the frames",
    "TVComplement": "no value in one of the frames", "TVD": "no value in one of the frames",
    "coverage": "the real column has no value",
    "S_pMSE": "the model has no parameter to standardise by",
    "S_VW": "the table has a single cell (df = 0)", "S_FT": "the table has a single cell (df = 0)",
    "S_JSD": "the table has a single cell (df = 0)",
    "std_coef_diff": "the real estimate has no standard error", "ci_overlap": "the term is missing from one fit",
    "NMI": "a column is constant in one frame", "Spearman": "a column is constant in one frame",
    "CramersV": "a column is constant in one frame",
}
NOT_APPLICABLE_DEFAULT = "the measure has no value on these data"
PAIRS_SHOWN = 10  # pairs of columns listed before the full table


def _words(name: str) -> tuple[str, str]:
    """(what it is, which value is best), from the measure registry."""
    return h.describe(name)


def _why(column: str, row: dict) -> str:
    return NOT_APPLICABLE.get(row.get("measure") or column, NOT_APPLICABLE_DEFAULT)


def _by_band(ev: Any, section: str):
    """The cell colour of a table of ``section``'s measures: the value's verdict (:meth:`Evaluation.verdict`)."""
    def shade(column: str, row: dict) -> str | None:
        return ev.verdict(section, row["measure"], row["value"]) if column == "value" and row.get("measure") else None
    return shade


def headline_table(ev: Any) -> str:
    """The headline measures: what each is, its value, the verdict and which value is best. The
    verdict is the registry's band, except an S_pMSE the propensity model cannot give one, as
    it separates real from synthetic (:mod:`synthspectrum.evaluation.separation`)."""
    from synthspectrum.evaluation.separation import UNREADABLE, UNREADABLE_WORDS

    rows, name_of, shades = [], {}, {}
    for r in ev.headline().iter_rows(named=True):
        label, best = _words(r["measure"])
        name_of[r["label"]] = r["measure"]
        word = ev.verdict(r["section"], r["measure"], r["value"])
        shades[r["label"]] = word
        rows.append({"measure": r["label"], "what it is": label, "value": r["value"],
                     "verdict": UNREADABLE_WORDS if word == UNREADABLE else (word or ""), "best": best})
    frame = pl.DataFrame(rows, schema={"measure": pl.String, "what it is": pl.String, "value": pl.Float64,
                                       "verdict": pl.String, "best": pl.String})

    def shade(column: str, row: dict) -> str | None:
        return shades[row["measure"]] if column in ("value", "verdict") else None

    def why(column: str, row: dict) -> str:
        return NOT_APPLICABLE.get(name_of[row["measure"]], NOT_APPLICABLE_DEFAULT)

    return h.table(frame, cell_class=shade, reason=why)


def column_table(ev: Any) -> pl.DataFrame:
    """One row per column: kind, complement (KS / TV), missing-share difference, coverage and
    what is wrong, sorted worst first (lowest complement; identifier-like text, whose synthetic
    values should not match, last)."""
    m = ev.measures.filter(pl.col("section") == "univariate")
    skip = set(ev.settings.get("identifier_like", []))
    collapsed = dict(ev.collapsed().select("column", "why").iter_rows())
    rows = []
    for c in ev.settings.get("columns") or m["column"].unique(maintain_order=True).to_list():
        got = {r["measure"]: r["value"] for r in m.filter(pl.col("column") == c).iter_rows(named=True)}
        which = "KSComplement" if "KSComplement" in got else "TVComplement"
        note = collapsed.get(c, "identifier-like text: not ranked" if c in skip else "")
        rows.append({"column": c, "kind": "numbers, dates" if which == "KSComplement" else "categories",
                     "measure": which, "complement": got.get(which), "missing_share_difference":
                     got.get("missing_share_difference"), "coverage": got.get("coverage"), "look at": note})
    frame = pl.DataFrame(rows, schema={"column": pl.String, "kind": pl.String, "measure": pl.String,
                                       "complement": pl.Float64, "missing_share_difference": pl.Float64,
                                       "coverage": pl.Float64, "look at": pl.String})
    rank = frame.select(pl.col("column").is_in(list(skip)).alias("_id"),
                        pl.col("complement").fill_nan(None).is_null().alias("_na"),
                        pl.col("look at").is_in(list(collapsed.values())).alias("_c"))
    return (pl.concat([frame, rank], how="horizontal")
            .sort(["_id", "_c", "_na", "complement", "column"], descending=[False, True, False, False, False],
                  nulls_last=True).drop("_id", "_na", "_c"))


def _column_html(ev: Any) -> str:
    frame = column_table(ev)

    def shade(column: str, row: dict) -> str | None:
        if column == "complement":
            return h.band(row["measure"], row["complement"])
        if column in ("missing_share_difference", "coverage"):
            return h.band(column, row[column])
        if column == "look at" and row["look at"] and "not ranked" not in row["look at"]:
            return "poor"
        return None

    def why(column: str, row: dict) -> str:
        return NOT_APPLICABLE.get("coverage" if column == "coverage" else row["measure"], NOT_APPLICABLE_DEFAULT)

    return h.table(frame, cell_class=shade, reason=why)


def _pairs_html(ev: Any) -> str:
    pairs = ev.worst_pairs(PAIRS_SHOWN)
    if not pairs.height:
        return ""
    frame = pairs.select(pl.concat_str("column_a", pl.lit(" × "), "column_b").alias("pair"),
                         pl.col("real").alias("NMI real"), pl.col("synthetic").alias("NMI synthetic"),
                         pl.col("difference").alias("synthetic − real"))
    return (f"<p>The {pairs.height} pairs whose normalised mutual information changed most:</p>"
            + h.table(frame, reason=lambda c, r: NOT_APPLICABLE["NMI"]))


PRIVACY_FIRST = ["exact_match_share", "replicated_uniques_percent", "repU", "Dorig", "DiSCO",
                 "share_closer_to_training", "membership_auc"]
TERMS_SHOWN = 5  # regression terms listed before the full table


def _terms_html(ev: Any) -> str:
    """The terms whose confidence intervals overlap least (real vs synthetic fit), worst first."""
    spec = ev.measures.filter((pl.col("section") == "specific") & pl.col("measure").is_in(["std_coef_diff", "ci_overlap"]))
    if not spec.height:
        return ""
    wide = spec.pivot(on="measure", index="column", values="value", aggregate_function="first")
    if "ci_overlap" not in wide.columns:
        return ""
    worst = (wide.with_columns(pl.col("ci_overlap").fill_nan(None))
             .sort(["ci_overlap", "column"], nulls_last=True).head(TERMS_SHOWN).rename({"column": "term"}))
    return (f"<p>The {worst.height} terms whose confidence intervals overlap least:</p>"
            + h.table(worst, reason=lambda c, r: NOT_APPLICABLE.get(c, NOT_APPLICABLE_DEFAULT)))


def _privacy_html(ev: Any) -> str:
    """The privacy measures a reader weighs first, with their verdicts and which value is best."""
    rows = ev.measures.filter((pl.col("section") == "privacy") & pl.col("measure").is_in(PRIVACY_FIRST))
    order = {m: i for i, m in enumerate(PRIVACY_FIRST)}
    rows = rows.sort(pl.col("measure").replace_strict(order, return_dtype=pl.Int32))
    frame = pl.DataFrame([{"measure": r["measure"], "what it is": _words(r["measure"])[0], "value": r["value"],
                           "best": _words(r["measure"])[1]} for r in rows.iter_rows(named=True)],
                         schema={"measure": pl.String, "what it is": pl.String, "value": pl.Float64, "best": pl.String})
    return h.table(frame, cell_class=_by_band(ev, "privacy"), reason=_why) if frame.height else ""


DIFFERENCE = " difference (synthetic − real)"


def _associations_table(rows: pl.DataFrame) -> str:
    """The associations section's rows, each pair's value named for what it is: the synthetic
    minus the real association (a row "NMI 0.04" read as an NMI of 0.04); the rows saying what
    the matrices left out (counts) keep their names."""
    from synthspectrum.measures.utility import LEFT_OUT_MEASURES

    named = rows.with_columns(pl.when(pl.col("measure").is_in(list(LEFT_OUT_MEASURES))).then(pl.col("measure"))
                              .otherwise(pl.col("measure") + pl.lit(DIFFERENCE)).alias("measure"))
    return h.table(named, reason=lambda c, r: _why(c, {"measure": r["measure"].removesuffix(DIFFERENCE)}))


def _section_tables(ev: Any, key: str) -> tuple[str, str]:
    """(what to read first, the full table: folded away when long) of one section."""
    rows = ev.measures.filter(pl.col("section") == key).select("measure", "column", "value")
    detail = h.table(rows, cell_class=_by_band(ev, key), reason=_why)
    if key == "univariate":
        return _column_html(ev), h.details(f"Every univariate measure ({rows.height} rows)", detail)
    if key == "associations":
        return _pairs_html(ev), h.details(f"Every pair and measure ({rows.height} rows)", _associations_table(rows))
    first = _terms_html(ev) if key == "specific" else (_privacy_html(ev) if key == "privacy" else "")
    if rows.height > h.FOLD_ROWS or first:
        return first, h.details(f"Every measure of this section ({rows.height} rows)", detail)
    return detail, ""


def render_html(ev: Any) -> str:
    """The whole page (see the module docstring), one self-contained HTML document."""
    st = ev.settings
    parts = [
        "<h1>synthspectrum evaluation</h1>",
        f"<p class='lead'>{st['n_real']} real (training) records, {st['n_synthetic']} synthetic records"
        + (f", {st['holdout']} holdout records" if st.get("holdout") else "")
        + (f"; keys: {h.esc(', '.join(st['keys']))}" if st.get("keys") else "")
        + (f"; target: {h.esc(st['target'])}" if st.get("target") else "")
        + f"; seed {st['seed']}.</p>",
        "<p class='note'>This report holds aggregates only (shares, distances, model summaries, histograms) and no "
        f"record. It names columns and shows a category label only when at least {st.get('k', K_DEFAULT)} real "
        "records hold it (at most 20 per column; the rest are pooled into 'other').</p>",
    ]
    alerts = ev.alerts()
    if alerts:
        parts.append(h.bullets(alerts, cls="alert", title="Look here first.", key="alerts"))
    parts += [h.heading("summary", "Summary"), headline_table(ev), h.legend(unreadable=bool(ev.separation()))]
    for key, title, fig_name in SECTIONS:
        if ev.measures.filter(pl.col("section") == key).height == 0:
            continue
        parts.append(h.heading(key, title))
        parts.append(f"<p class='read'><b>How to read it.</b> {h.esc(HOW_TO_READ[key])}</p>")
        for note in ev.notes.get(key, []):
            parts.append(f"<p class='note'>{h.esc(note)}</p>")
        if key == "general" and ev.separation():
            parts.append(f"<p class='alert'>{h.esc(ev.separation())}</p>")
        first, rest = _section_tables(ev, key)
        parts.append(first)
        if fig_name and fig_name in ev.figures:
            parts.append(h.image(ev.figures[fig_name], title))
        parts.append(rest)
    return h.page("synthspectrum evaluation", parts)
