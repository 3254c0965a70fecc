"""``evaluate``: every utility and privacy measure on one synthetic frame, computed once, kept
in an :class:`Evaluation` (the tidy table, and what the measures computed on the way: the
association matrices, the propensity scores, the distances to closest records), from which the
summary, the plots and the HTML report are drawn without refitting anything.

What each artefact discloses (treat them like the metadata they summarise):

* ``Evaluation.measures`` (and every file made from it, such as the spectrum's results.csv):
  measure names, column names, numbers (shares, distances, counts, model summaries) and, in
  the ``specific`` rows, regression term names. A term names a category only if at least
  ``k`` real records (default 5) hold it (:mod:`synthspectrum.evaluation.specific`).
* ``Evaluation.associations``, ``.propensity``, ``.distances``: pairwise association values,
  one propensity score per record (real or synthetic) and one pair of distances per synthetic
  record drawn; numbers only, no value of a record. They stay in memory: no file is made of
  them, only the plots of their distributions.
* ``Evaluation.summary()``: headline numbers and the names of the weakest and of collapsed
  columns.
* The HTML report (:mod:`synthspectrum.render.evaluation`): all of the above, the settings the
  caller passed (keys, target, formula as typed), and the figures of
  :mod:`synthspectrum.render.plots`: column names, category labels held by >= ``k`` real
  records (at most 20 per column, the rest pooled into "other"), no per-value plot for
  identifier-like text, histograms between the k-th smallest and k-th largest real value. It
  never prints a record; the tests record every string drawn and scan the HTML. On wide data
  the per-column plots hold the MAX_MARGINAL_PANELS weakest columns and the heatmaps the
  MAX_HEATMAP_COLUMNS most changed (:mod:`synthspectrum.render.plots`), as the notes say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.core.categories import K_DEFAULT, category_rule, check_k
from synthspectrum.core.columns import kind
from synthspectrum.core.frames import require_columns, to_polars
from synthspectrum.core.pair import check_pair
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.evaluation import copies, separation
from synthspectrum.evaluation.specific import specific_rows
from synthspectrum.measures import privacy, utility
from synthspectrum.measures.propensity import logit_gen

WORST = 3  # columns named in the summary as the weakest
# Records of each frame the propensity model (utility_gen, its scores, the cross-validated AUC)
# is fitted on; beyond, a seeded random sample of this many. Why 100,000: the fit costs records
# x (non-zeros per record)^2 per Newton step and its design is capped at MAX_CELLS / N columns,
# so past 2 x 100,000 records a larger sample buys no interaction term and only time (a few
# seconds per fit at this size, minutes at 1M), while the AUC's sampling error at 100,000 per
# group is about 0.001, below any difference between generators worth reading. The default
# spectrum (3,333 records a frame) is far below it: its numbers are those of all records.
MAX_MODEL_RECORDS = 100_000
NARROW = 0.05  # a synthetic range covering less than this share of the real range has collapsed
# Panels of the report's per-column plot. Beyond, the weakest columns: drawing 200 panels took
# 50 of the report's 65 s on a 300 x 200 export (matplotlib lays out every axis) for a picture
# 200 inches tall that nobody reads; the table still lists every column.
MAX_MARGINAL_PANELS = 30

SCHEMA = {"group": pl.String, "section": pl.String, "measure": pl.String, "column": pl.String, "value": pl.Float64}

# The headline measures: (section, measure, the summary's label, mean over columns?)
HEADLINE = [
    ("univariate", "KSComplement", "mean KSComplement", True),
    ("univariate", "TVComplement", "mean TVComplement", True),
    ("general", "S_pMSE", "S_pMSE", False),
    ("general", "AUC", "propensity AUC", False),
    ("table", "S_pMSE", "table S_pMSE (keys)", False),
    ("privacy", "exact_match_share", "exact_match_share", False),
    ("privacy", "repU", "repU", False),
    ("privacy", "Dorig", "Dorig", False),
    ("privacy", "DiSCO", "DiSCO", False),
    ("privacy", "share_closer_to_training", "share_closer_to_training", False),
    ("privacy", "membership_auc", "membership_auc", False),
]


def _rows(df: pl.DataFrame, group: str, section: str, column: str | None = None) -> pl.DataFrame:
    out = df.select(
        pl.lit(group).alias("group"), pl.lit(section).alias("section"), pl.col("measure"),
        (pl.col("column") if "column" in df.columns else pl.lit(column, dtype=pl.String)).alias("column"),
        pl.col("value").cast(pl.Float64),
    )
    return out.cast(SCHEMA)


@dataclass
class Evaluation:
    """All measures of one synthetic frame (``measures``: group, section, measure, column, value)
    and what they computed on the way, for the plots: ``associations`` (the frame of
    :func:`synthspectrum.measures.utility.association_difference`), ``propensity`` (source,
    propensity: the scores of the propensity model behind ``utility_gen``, from its own fit),
    ``distances`` (dcr_training, dcr_holdout per synthetic record drawn; None without a holdout).

    ``notes``: per section, plain sentences on what was pooled, left out or not computed.
    """

    measures: pl.DataFrame
    settings: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: dict[str, list[str]] = field(default_factory=dict)
    associations: pl.DataFrame | None = field(default=None, repr=False)
    propensity: pl.DataFrame | None = field(default=None, repr=False)
    distances: pl.DataFrame | None = field(default=None, repr=False)

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

    def worst_pairs(self, n: int = WORST, measure: str = "NMI") -> pl.DataFrame:
        """The ``n`` pairs of columns whose association (default normalised mutual information)
        changed most (column_a, column_b, real, synthetic, difference), largest |difference| first."""
        if self.associations is None:
            return pl.DataFrame(schema={"column_a": pl.String, "column_b": pl.String, "real": pl.Float64,
                                        "synthetic": pl.Float64, "difference": pl.Float64})
        a = self.associations.filter((pl.col("measure") == measure) & pl.col("difference").is_not_null()
                                     & pl.col("difference").is_not_nan())
        return (a.with_columns(pl.col("difference").abs().alias("_size"))
                .sort(["_size", "column_a", "column_b"], descending=[True, False, False]).head(n)
                .select("column_a", "column_b", "real", "synthetic", "difference"))

    def separation(self) -> str | None:
        """Why S_pMSE is no verdict here (:mod:`synthspectrum.evaluation.separation`), or None."""
        return separation.evaluation_sentence(self.measures, self.settings)

    def verdict(self, section: str, measure: str, value: Any) -> str | None:
        """The verdict word of ``value``: the registry's band, but S_pMSE of the propensity model
        (section general) reads ``unreadable`` instead of good or acceptable where it separates."""
        return separation.verdict(measure, value, separation.propensity_auc(self.measures) if section == "general" else None)

    def alerts(self) -> list[str]:
        """Plain sentences on what to look at first: a propensity model that separates real from
        synthetic (its S_pMSE is then no verdict), real values in identifier-like columns, collapsed columns, the weakest columns and the
        relations between columns that changed most."""
        out = [s for s in [self.separation(), copies.sentence(self.measures)] if s]
        for row in self.collapsed().iter_rows(named=True):
            out.append(f"Column {row['column']!r} collapsed: {row['why']}. The overall measures (S_pMSE, "
                       "propensity AUC) can read well while a column is lost; this one is.")
        weak = self.weakest()
        if weak.height:
            out.append("Weakest columns on their own: " + ", ".join(
                f"{r['column']!r} ({r['measure']} {round(r['value'], 2) + 0.0:.2f})" for r in weak.iter_rows(named=True)) + ".")
        pairs = self.worst_pairs()
        if pairs.height:
            out.append("Relations most changed (normalised mutual information, real -> synthetic): " + ", ".join(
                f"{r['column_a']!r} x {r['column_b']!r} ({r['real']:.2f} -> {r['synthetic']:.2f})"
                for r in pairs.iter_rows(named=True)) + ".")
        return out

    def headline(self) -> pl.DataFrame:
        """The headline measures of :data:`HEADLINE` that were computed (section, measure, label,
        value); a mean over columns leaves out the columns without a value and, as
        :meth:`weakest` and the propensity, association and distance measures do, the
        identifier-like ones (a synthetic record number is not meant to match a real one)."""
        rows = []
        skip = list(self.settings.get("identifier_like", []))
        for section, measure, label, mean in HEADLINE:
            f = self.measures.filter((pl.col("section") == section) & (pl.col("measure") == measure))
            if mean:
                f = f.filter(~pl.col("column").is_in(skip) | pl.col("column").is_null())
            if f.height:
                value = f["value"].fill_nan(None).mean() if mean else f["value"][0]
                rows.append({"section": section, "measure": measure, "label": label, "value": value})
        return pl.DataFrame(rows, schema={"section": pl.String, "measure": pl.String, "label": pl.String,
                                          "value": pl.Float64})

    def summary(self) -> pl.DataFrame:
        """Headline measures, one row each (polars: measure, value), then the weakest columns
        ("weakest i: name", value their KS/TVComplement) and any collapsed column
        ("COLLAPSED: name", value its coverage) and, when the propensity model separates real from
        synthetic, "SEPARATED: ..." (value its in-sample AUC); :meth:`alerts` says why in words."""
        rows = [{"measure": r["label"], "value": r["value"]} for r in self.headline().iter_rows(named=True)]
        if self.separation():
            rows.append({"measure": "SEPARATED: propensity AUC, S_pMSE not readable",
                         "value": separation.propensity_auc(self.measures)})
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
        from synthspectrum.render.evaluation import render_html

        path = check_output(path, [".html", ".htm"], what="report", force=force)
        return write_text(path, render_html(self))


def _collapsed_rows(r: pl.DataFrame, s: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for c in r.columns:
        a, b = r.get_column(c).alias("v").drop_nulls(), s.get_column(c).alias("v").drop_nulls()
        if a.n_unique() > 1 and b.n_unique() <= 1:
            rows.append({"measure": "collapsed", "column": c, "value": float(b.n_unique())})
    return pl.DataFrame(rows, schema={"measure": pl.String, "column": pl.String, "value": pl.Float64})


def _model_sample(r: pl.DataFrame, s: pl.DataFrame, cap: int, seed: int
                  ) -> tuple[pl.DataFrame, pl.DataFrame, str | None]:
    """Each frame drawn down to at most ``cap`` records (seeded, without replacement, in the
    frame's order) for the propensity model, and the sentence that says so (None: all records)."""
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 2:
        raise SynthSpectrumError(f"max_model_records must be a whole number of at least 2, got {cap!r}")
    if r.height <= cap and s.height <= cap:
        return r, s, None
    rng = np.random.default_rng(seed)

    def draw(df: pl.DataFrame) -> pl.DataFrame:
        return df if df.height <= cap else df[np.sort(rng.choice(df.height, cap, replace=False))]

    rm, sm = draw(r), draw(s)
    return rm, sm, (f"The propensity model (S_pMSE, propensity AUC and its cross-validated AUC) was fitted on a "
                    f"random sample of {rm.height:,} of the {r.height:,} real and {sm.height:,} of the "
                    f"{s.height:,} synthetic records (seed {seed}): its fit grows with the records while a "
                    f"larger sample no longer changes what it can tell apart (max_model_records={cap:,}).")


def _marginal_columns(univariate: pl.DataFrame, columns: list[str], unplotted: list[str]) -> list[str]:
    """The columns of the per-column plot: all of them, or, past :data:`MAX_MARGINAL_PANELS`,
    the weakest by their complement (KS or TV), weakest first, leaving out the identifier-like
    columns, which would only show a note."""
    if len(columns) <= MAX_MARGINAL_PANELS:
        return list(columns)
    ranked = (univariate.filter(pl.col("measure").is_in(["KSComplement", "TVComplement"])
                                & ~pl.col("column").is_in(unplotted))
              .with_columns(pl.col("value").fill_nan(None))
              .with_row_index("order")
              .sort(["value", "order"], nulls_last=True))
    return ranked["column"].head(MAX_MARGINAL_PANELS).to_list()


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
    cv_folds: int | None = None,
    max_model_records: int = MAX_MODEL_RECORDS,
) -> Evaluation:
    """Measure ``synthetic`` against ``real`` (the training data), polars or pandas frames.

    ``keys`` (quasi-identifiers) enable table utility, replicated uniques and, with ``target``,
    attribute disclosure; ``holdout`` (real records the generator did not see) is the baseline of
    the distance measures and membership inference; ``formula`` (with ``family``) the specific
    utility. ``maxorder`` is the propensity model's interaction order (0: main effects).
    ``seed`` fixes every sampled measure. ``k`` (default 5) is the fewest real records a
    category label shown in a plot or a regression term may stand for (see the module
    docstring for what each artefact discloses). ``plots`` draws the figures (from what the
    measures computed; nothing is refitted).

    ``cv_folds``: also the cross-validated propensity AUC (a row utility / general / ``AUC_cv``,
    the last one), :func:`synthspectrum.measures.utility.propensity_auc_cv` with
    ``folds=cv_folds``, ``maxorder`` and ``seed``, the same number bit for bit, from the design
    the propensity model was fitted on (built once).

    Scale: the univariate, table, matching and disclosure measures use every record (time and
    memory linear in the records). The model-based ones work on seeded samples: the propensity
    model (and its cross-validated AUC) on at most ``max_model_records`` records of each frame
    (:data:`MAX_MODEL_RECORDS` says why), the distance measures on at most ``max_records``
    (their search is quadratic). ``Evaluation.settings["samples"]`` holds the records each used
    ({"propensity": {"real": .., "synthetic": ..}, "distances": {"real": .., "holdout": ..,
    "synthetic": ..}}), and the notes say so in a sentence whenever a sample was drawn.
    """
    k = check_k(k)
    # the pair is checked here once; the measures receive frames that already passed the check
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
    # the scores come from the same fit as the measures: the propensity plot refits nothing
    r_model, s_model, model_note = _model_sample(r, s, max_model_records, seed)
    general, scores, auc_cv = logit_gen(r_model, s_model, maxorder, cv_folds=cv_folds, seed=seed)
    univariate = utility.univariate(r, s)
    parts = [
        _rows(pl.concat([univariate, _collapsed_rows(r, s)]), "utility", "univariate"),
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
    if model_note:
        notes["general"].insert(0, model_note)
    dtypes = r.schema
    unplotted = [c for c in r.columns if kind(dtypes[c]) == "categorical"
                 and dtypes[c] != pl.Boolean and category_rule(r.get_column(c), k).identifier_like]
    if unplotted:
        notes["univariate"] = [f"{', '.join(repr(c) for c in unplotted)}: most values held by fewer than {k} real "
                               "records (identifier-like or free text), so no per-value plot."]
    if keys:
        parts.append(_rows(utility.utility_tab(r, s, keys), "utility", "table", ",".join(keys)))
    if formula:
        specific, notes["specific"] = specific_rows(r, s, formula, family, k)
        parts.append(_rows(specific, "utility", "specific"))
    parts.append(_rows(privacy.exact_matches(r, s), "privacy", "privacy"))
    parts.append(_rows(privacy.copied_values(r, s), "privacy", "privacy"))
    if keys:
        ru = privacy.replicated_uniques(r, s, keys).filter(pl.col("measure") == "replicated_uniques_percent")
        parts.append(_rows(ru, "privacy", "privacy", ",".join(keys)))
        if target:
            parts.append(_rows(privacy.disclosure(r, s, keys, target), "privacy", "privacy", target))
    distances = None
    samples: dict[str, dict[str, int]] = {"propensity": {"real": r_model.height, "synthetic": s_model.height}}
    if holdout is not None:
        dcr_rows, distances = privacy.dcr(r, s, holdout, max_records=max_records, seed=seed, return_distances=True)
        parts.append(_rows(dcr_rows, "privacy", "privacy"))
        n_holdout = to_polars(holdout, "holdout data")[0].height
        n_pair = min(max_records, r.height, n_holdout)  # dcr draws training and holdout to one size
        samples["distances"] = {"real": n_pair, "holdout": n_pair, "synthetic": min(max_records, s.height)}
        if n_pair < max(r.height, n_holdout) or max_records < s.height:
            notes.setdefault("privacy", []).append(
                f"The distance measures (share_closer_to_training, membership inference) used a random sample of "
                f"{n_pair:,} of the {r.height:,} real, {n_pair:,} of the {n_holdout:,} holdout and "
                f"{min(max_records, s.height):,} of the {s.height:,} synthetic records (seed {seed}): the search "
                f"for closest records compares every pair, so its time grows with the square of the records "
                f"(max_records={max_records:,}).")
        notes.setdefault("privacy", []).extend(utility.left_out_sentences(dcr_rows, "the distance measures"))
    else:
        notes.setdefault("privacy", []).append(
            "Distance to closest record (share_closer_to_training) and membership inference were not computed: "
            "they need a holdout, real records the generator did not see (holdout=..., --holdout).")
    if not keys:
        notes.setdefault("privacy", []).append(
            "Replicated uniques and attribute disclosure were not computed: they need key variables "
            "(keys=..., --keys) and, for disclosure, a target.")
    settings = {"n_real": r.height, "n_synthetic": s.height, "keys": list(keys or []), "target": target,
                "holdout": None if holdout is None else to_polars(holdout, "holdout data")[0].height,
                "formula": formula, "seed": seed, "k": k, "identifier_like": unplotted, "columns": r.columns,
                "samples": samples}
    if auc_cv is not None:  # last, where the spectrum has always put it
        parts.append(pl.DataFrame({"group": ["utility"], "section": ["general"], "measure": ["AUC_cv"],
                                   "column": [None], "value": [float(auc_cv)]}, schema=SCHEMA))
    ev = Evaluation(pl.concat(parts), settings, {}, notes, associations=assoc, propensity=scores, distances=distances)
    if plots:
        from synthspectrum.render import plots as pt

        shown = _marginal_columns(univariate, r.columns, unplotted)
        if len(shown) < len(r.columns):
            ev.notes.setdefault("univariate", []).append(
                f"The plots show the {len(shown)} weakest of the {len(r.columns)} columns (lowest KSComplement or "
                "TVComplement, weakest first); the table lists every column.")
        ev.figures["marginals"] = pt.marginals_figure(r.select(shown), s.select(shown), k=k)
        in_heatmaps = pt.heatmap_columns(assoc, r.columns)
        if len(in_heatmaps) < len(r.columns):
            ev.notes.setdefault("associations", []).append(
                f"The heatmaps show {len(in_heatmaps)} of the {len(r.columns)} columns: those whose association "
                "with another column changed most (largest |synthetic - real| NMI), in their order.")
        ev.figures.update(pt.evaluation_figures(ev))
    return ev
