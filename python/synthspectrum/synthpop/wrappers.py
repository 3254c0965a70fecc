"""R's synthpop from Python, with synthpop's names in Python style.

Each function calls its twin in ``r/synthspectrum.R`` (same name, same arguments), moving
frames through :mod:`synthspectrum.synthpop.bridge`. Frames go in as polars or pandas and come back
as the same kind; measures come back as polars frames.

    from synthspectrum import synthpop as sp
    res = sp.syn(real, method="cart", seed=1)
    sp.utility_gen(res, real, method="logit")        # pMSE, S_pMSE, SPECKS, PO50, U per set
    sp.disclosure(res, real, keys=["sex", "age_group"], target="income")

References: Nowok, Raab & Dibben (2016), synthpop: Bespoke creation of synthetic data in R,
J. Stat. Softw. 74(11); Snoke et al. (2018), General and specific utility measures for
synthetic data, JRSS A 181(3); Raab, Nowok & Dibben (2025), Practical privacy metrics for
synthetic data (synthpop's disclosure vignette).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.synthpop import session as rsession
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.core.frames import from_polars, require_columns, require_rows, to_polars
from synthspectrum.synthpop.bridge import from_r, to_r

METHOD_SHORTCUTS = ("cart", "parametric", "sample")


@dataclass
class SynResult:
    """What :func:`syn` made: the synthetic frame(s), the methods and visit sequence used.

    ``synthetic`` is one frame for ``m == 1`` and a list of ``m`` frames otherwise (as
    synthpop's own ``$syn``, and ``res$synthetic`` in the R twin), of the type the real data
    had, with the same column names and dtypes: String stays String, Categorical stays
    Categorical, an Enum keeps its levels. ``notes`` says what was done beyond synthpop (values
    made missing, numbers synthesised as categories, copied columns...). ``robject`` is the R
    result (with synthpop's ``synds`` object, which uses synthpop-safe column names, as
    ``robject$object``) for further synthpop calls.
    """

    synthetic: Any
    method: dict[str, str]
    visit_sequence: list[str]
    m: int
    seed: int
    notes: list[str]
    robject: Any = field(repr=False)
    schema: dict = field(repr=False)
    frame_kind: str = "polars"

    @property
    def synthetic_list(self) -> list:
        return self.synthetic if self.m > 1 else [self.synthetic]


def _real(data: Any, what: str = "data") -> tuple[pl.DataFrame, str]:
    pdf, kind = to_polars(data, what)
    require_rows(pdf, what)
    return pdf, kind


def _cleaned(data: Any, before: pl.DataFrame, after: pl.DataFrame) -> Any:
    """``data`` with the columns that :func:`clean_numbers` changed (``before`` -> ``after``)
    taken from ``after``; a pandas frame stays pandas, so its categorical levels keep their order."""
    if not hasattr(data, "iloc"):
        return after
    out = data.copy()
    for c in after.columns:
        if not before.get_column(c).equals(after.get_column(c)):
            out[c] = after.get_column(c).to_pandas().to_numpy()
    return out


def _frame(rdf, schema: dict | None = None) -> pl.DataFrame:
    return from_r(rdf, schema)


def _strings(vec) -> list[str]:
    return [str(x) for x in vec]


def _result(robj, schema: dict, kind: str, m: int, seed: int, notes: Sequence[str] = ()) -> SynResult:
    parts = rsession.rlist(robj)
    # one data.frame for m = 1, a list of them otherwise (see SynResult)
    rframes = [parts["synthetic"]] if m == 1 else list(parts["synthetic"])
    frames = [from_polars(from_r(df, schema), kind) for df in rframes]
    method = dict(zip(_strings(parts["method"].do_slot("names")), _strings(parts["method"])))
    return SynResult(
        synthetic=frames[0] if m == 1 else frames, method=method,
        visit_sequence=_strings(parts["visit_sequence"]), m=m, seed=seed,
        notes=[*notes, *_strings(parts["notes"])], robject=robj, schema=schema, frame_kind=kind,
    )


def syn(
    data: Any,
    method: str | dict[str, str] = "cart",
    visit_sequence: Sequence[str] | None = None,
    smoothing: dict[str, str] | None = None,
    minnumlevels: int | None = None,
    maxfaclevels: int = 60,
    m: int = 1,
    seed: int | None = None,
    max_cart_levels: int = 20,
    verbose: bool = False,
    **control: Any,
) -> SynResult:
    """Synthesise with synthpop's ``syn()`` (sequential CART, parametric or sample methods).

    ``method``: ``"cart"``, ``"parametric"``, ``"sample"`` for every column, or a dict
    column -> synthpop method. ``visit_sequence``: column names in the order to synthesise.
    ``smoothing``: column -> ``"spline"`` or ``"density"``. ``seed``: the same seed gives the
    same data (``None`` draws one, kept in the result). ``control``: any further ``syn()``
    argument, in synthpop's spelling (``proper=True``, ``cont_na=...`` becomes ``cont.na``).
    Dates and datetimes are synthesised as numbers and come back as dates; a factor with more
    than ``max_cart_levels`` levels is not used as a tree predictor; a number with at most 5
    distinct values is synthesised as a category unless ``minnumlevels`` is given (warnings
    say so). A text column with more than ``maxfaclevels`` distinct values is an error.
    Any column name works: synthpop works on safe names inside and the results carry the
    real ones. NaN, +-inf and numbers of magnitude >= 1e15 become missing with a warning
    naming the column (:func:`synthspectrum.core.numbers.clean_numbers`; the R twin does the same).
    Returns a :class:`SynResult` (one frame for ``m == 1``, a list for ``m > 1``).
    """
    pdf, kind = _real(data)
    if not isinstance(m, int) or m < 1:
        raise SynthSpectrumError(f"m must be a whole number >= 1, got {m!r}")
    if isinstance(method, dict):
        require_columns(pdf, list(method), "data (method=)")
    elif method not in METHOD_SHORTCUTS and not isinstance(method, str):
        raise SynthSpectrumError(f"method must be a string or a dict column -> method, got {method!r}")
    if visit_sequence is not None:
        require_columns(pdf, list(visit_sequence), "data (visit_sequence=)")
    if smoothing is not None:
        require_columns(pdf, list(smoothing), "data (smoothing=)")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**31 - 1))
    cleaned, clean_notes = clean_numbers(pdf, "data")
    rdf, schema = to_r(_cleaned(data, pdf, cleaned) if clean_notes else data)
    extra = {k.replace("_", "."): v for k, v in control.items()}
    robj = rsession.call(
        "syn", rdf, method=method, visit_sequence=list(visit_sequence) if visit_sequence else None,
        smoothing=smoothing, minnumlevels=minnumlevels, maxfaclevels=maxfaclevels, m=m, seed=seed,
        max_cart_levels=max_cart_levels, verbose=verbose, **extra,
    )
    return _result(robj, schema, kind, m, seed, clean_notes)


def _check_result(result: Any) -> None:
    if not isinstance(result, SynResult):
        raise SynthSpectrumError(f"expected the result of syn(), got {type(result).__name__}")


def _data_r(data: Any, result: SynResult, need: Sequence[str] = ()):
    pdf, _ = _real(data, "real data")
    require_columns(pdf, need, "real data")
    missing = [c for c in result.schema["dtypes"] if c not in pdf.columns]
    if missing:
        raise SynthSpectrumError(f"the real data lacks column {missing[0]!r}, which was synthesised")
    pdf, _ = clean_numbers(pdf.select([pdf.get_column(c) for c in result.schema["dtypes"]]), "real data")
    return to_r(pdf)[0]


def utility_gen(result: SynResult, data: Any, method: str = "logit", maxorder: int = 1,
                verbose: bool = False, **control: Any) -> pl.DataFrame:
    """General utility (synthpop's ``utility.gen``): one row per synthetic set.

    A propensity model (``method`` ``"logit"`` with interactions up to ``maxorder``, or
    ``"cart"``) tells real from synthetic records. With propensities p_i and c = n_syn / N,
    pMSE = (1/N) * sum_i (p_i - c)^2; S_pMSE = pMSE / E[pMSE under a correct model]
    (Snoke et al. 2018), ~1 for a good synthesis. SPECKS is the KS distance between the
    propensity distributions, PO50 the % by which the model beats 50% accuracy, U the
    Mann-Whitney statistic.

    synthpop fits the logistic model with ``glm``, which on (nearly) separated data can stop
    "converged" at a wrong optimum (coefficients of 1e16, pMSE 0.25 where the true value is
    0.005); an :class:`~synthspectrum.errors.RWarning` then says so (fitted probabilities
    of 0 or 1, exploding coefficients): check with :func:`synthspectrum.measures.utility.utility_gen`.
    """
    _check_result(result)
    out = rsession.call("utility_gen", result.robject, _data_r(data, result), method=method,
                        maxorder=maxorder, verbose=verbose,
                        **{k.replace("_", "."): v for k, v in control.items()})
    return _frame(out)


def utility_tab(result: SynResult, data: Any, vars: Sequence[str], ngroups: int = 5,
                verbose: bool = False) -> pl.DataFrame:
    """Table utility (synthpop's ``utility.tab``) of the cross-table of ``vars``, per set.

    Compares the real and synthetic counts of the table: pMSE / S_pMSE, Voas-Williamson (VW),
    Freeman-Tukey (FT), Jensen-Shannon divergence (JSD), their standardised forms and df.
    Numeric variables are grouped into ``ngroups`` quantile groups.
    """
    _check_result(result)
    out = rsession.call("utility_tab", result.robject, _data_r(data, result, vars), vars=list(vars),
                        ngroups=ngroups, verbose=verbose)
    return _frame(out)


def utility_tables(result: SynResult, data: Any, tables: str = "twoway", vars: Sequence[str] | None = None,
                   ngroups: int = 5, tab_stats: Sequence[str] = ("pMSE", "S_pMSE", "df"),
                   verbose: bool = False) -> pl.DataFrame:
    """:func:`utility_tab` for every one-, two- or three-way table (synthpop's ``utility.tables``).

    One row per table (e.g. ``1.sex:2.age``), with the statistics in ``tab_stats``; the worst
    S_pMSE points at the relations the synthesis lost.
    """
    _check_result(result)
    out = rsession.call("utility_tables", result.robject, _data_r(data, result, vars or []), tables=tables,
                        vars=list(vars) if vars else None, ngroups=ngroups, tab_stats=list(tab_stats),
                        verbose=verbose)
    return _frame(out)


@dataclass
class Comparison:
    """Per-variable distributions (percent by category or bin) and their utility.

    ``tables`` holds every category's label, however few real records carry it: it is for you,
    not for sharing. ``plot`` follows the package's small-category rule.
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
        variables = self.tables["variable"].unique(maintain_order=True).to_list()
        fig = Figure(figsize=(7, 2.6 * len(variables)))
        axes = fig.subplots(len(variables), 1, squeeze=False)
        for ax, var in zip(axes[:, 0], variables):
            t = self.tables.filter(pl.col("variable") == var)
            sources = t["source"].unique(maintain_order=True).to_list()
            wide = t.pivot(on="source", index="value", values="percent", aggregate_function="first")
            real_src = sources[0]  # synthpop lists the observed data first
            counts = wide[real_src].fill_null(0.0) * self.n_real / 100
            keep = (counts.round(6) >= k).to_numpy()
            shown = wide.filter(pl.Series(keep))
            order = np.argsort(-shown[real_src].fill_null(0.0).to_numpy(), kind="stable")[:top]
            shown = shown[np.sort(order)]
            rest = wide.join(shown.select("value"), on="value", how="anti")
            labels = shown["value"].to_list()
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


def compare(result: SynResult, data: Any, vars: Sequence[str] | None = None, ngroups: int = 5,
            breaks: int = 20, verbose: bool = False) -> Comparison:
    """synthpop's ``compare``: distributions of each variable in real and synthetic data.

    Returns the numbers (percent by category or bin, per source) and each variable's
    pMSE / S_pMSE for any number of variables (default: all); ``.plot()`` draws them.
    Aggregates only; ``tables`` carries every category's label, the plot only those held by at
    least ``k`` real records.
    """
    _check_result(result)
    out = rsession.rlist(rsession.call("compare", result.robject, _data_r(data, result, vars or []),
                                       vars=list(vars) if vars else None, ngroups=ngroups,
                                       breaks=breaks, verbose=verbose))
    return Comparison(tables=_frame(out["tables"]), utility=_frame(out["utility"]),
                      n_real=_real(data, "real data")[0].height)


def replicated_uniques(result: SynResult, data: Any, keys: Sequence[str]) -> pl.DataFrame:
    """Unique records of the real data on ``keys`` that the synthetic data replicate (repU).

    One row per synthetic set and measure: uniques in the original, in the synthetic data,
    synthetic uniques found in the original, and replicated uniques, with counts and %.
    This is synthpop's own table, and its denominators (``from_total``) depend on the
    installed synthpop: 1.9-0 to 1.9-2 use n (real records) for "Original" and k (synthetic
    records) for the three other rows; 1.9-3 and later use n, k, n, n, as
    :func:`synthspectrum.measures.privacy.replicated_uniques` does. The counts are the same in all.
    """
    _check_result(result)
    return _frame(rsession.call("replicated_uniques", result.robject, _data_r(data, result, keys),
                                keys=list(keys)))


@dataclass
class Disclosure:
    """synthpop's ``disclosure`` measures, one row per synthetic set.

    ``ident`` (identity disclosure): UiO, % of real records unique on the keys; repU, % of
    real records that are unique and replicated in the synthetic data. ``attrib`` (attribute
    disclosure on ``target``): Dorig, % of real records whose target is disclosed by the real
    data itself (the baseline); DiSCO, % disclosed by the synthetic data and correct.
    """

    ident: pl.DataFrame
    attrib: pl.DataFrame


def disclosure(result: SynResult, data: Any, keys: Sequence[str], target: str, verbose: bool = False,
               **control: Any) -> Disclosure:
    """Identity and attribute disclosure of ``target`` from ``keys`` (see :class:`Disclosure`)."""
    _check_result(result)
    out = rsession.rlist(rsession.call("disclosure", result.robject, _data_r(data, result, [*keys, target]),
                                       keys=list(keys), target=target, verbose=verbose,
                                       **{k.replace("_", "."): v for k, v in control.items()}))
    return Disclosure(ident=_frame(out["ident"]), attrib=_frame(out["attrib"]))


def multi_disclosure(result: SynResult, data: Any, keys: Sequence[str],
                     targets: Sequence[str] | None = None) -> pl.DataFrame:
    """:func:`disclosure` for several targets (default: every non-key column), one row each."""
    _check_result(result)
    return _frame(rsession.call("multi_disclosure", result.robject,
                                _data_r(data, result, [*keys, *(targets or [])]), keys=list(keys),
                                targets=list(targets) if targets else None))


def sdc(result: SynResult, data: Any, keys: Sequence[str] | None = None, rm_replicated_uniques: bool = False,
        recode_vars: Sequence[str] | None = None, bottom_top_coding: list | None = None,
        recode_exclude: list | None = None, smooth_vars: Sequence[str] | None = None,
        label: str | None = None, verbose: bool = False) -> SynResult:
    """synthpop's ``sdc``: remove replicated uniques, top/bottom-code, smooth; a new result."""
    _check_result(result)
    robj = rsession.call("sdc", result.robject, _data_r(data, result, [*(keys or []), *(recode_vars or [])]),
                         keys=list(keys) if keys else None, rm_replicated_uniques=rm_replicated_uniques,
                         recode_vars=list(recode_vars) if recode_vars else None,
                         bottom_top_coding=bottom_top_coding, recode_exclude=recode_exclude,
                         smooth_vars=list(smooth_vars) if smooth_vars else None, label=label,
                         verbose=verbose)
    return _result(robj, result.schema, result.frame_kind, result.m, result.seed)


@dataclass
class Fit:
    """A model fitted to the synthetic data (``lm_synds`` / ``glm_synds``), for :func:`compare_fit`."""

    formula: str
    robject: Any = field(repr=False)


def lm_synds(formula: str, result: SynResult) -> Fit:
    """Linear model ``formula`` (R syntax) fitted to the synthetic data, combined over the m sets."""
    _check_result(result)
    return Fit(formula, rsession.call("lm_synds", formula, result.robject))


def glm_synds(formula: str, result: SynResult, family: str = "binomial") -> Fit:
    """Generalised linear model ``formula`` (R syntax, ``family``) fitted to the synthetic data."""
    _check_result(result)
    return Fit(formula, rsession.call("glm_synds", formula, result.robject, family=family))


def compare_fit(fit: Fit, data: Any) -> pl.DataFrame:
    """Specific utility: the same model on real and synthetic data, term by term.

    std_coef_diff = (beta_syn - beta_real) / se_real; ci_overlap is the confidence-interval
    overlap of Karr et al. (2006): 1 for identical intervals, <= 0 for disjoint ones.
    """
    pdf, _ = _real(data, "real data")
    pdf, _ = clean_numbers(pdf, "real data")
    return _frame(rsession.call("compare_fit", fit.robject, to_r(pdf)[0]))


__all__ = ["SynResult", "syn", "utility_gen", "utility_tab", "utility_tables", "Comparison", "compare",
           "replicated_uniques", "Disclosure", "disclosure", "multi_disclosure", "sdc", "Fit",
           "lm_synds", "glm_synds", "compare_fit"]
