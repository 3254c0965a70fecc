"""R's synthpop from Python, with synthpop's names in Python style.

Each function calls its twin in ``r/synthspectrum.R`` (same name, same arguments), moving
frames through :mod:`synthspectrum.synthpop.bridge`. Frames go in as polars or pandas and come back
as the same kind; measures come back as polars frames.

Every measure takes ``(real, synthetic, ...)`` in that order, as the Python-native measures of
:mod:`synthspectrum.measures` do: ``real`` is the real (training) data, ``synthetic`` what
:func:`syn` returned (a :class:`SynResult`), a synthetic frame or a list of frames (as synthpop's
own methods take a ``synds`` object, a data.frame or a list). Each returns the tidy shape
``measure``, ``column``, ``value``, with a leading ``set`` (1, 2, ...) only when the synthetic
object holds m > 1 sets.

    from synthspectrum import synthpop as sp
    res = sp.syn(real, method="cart", seed=1)
    sp.utility_gen(real, res, method="logit")       # pMSE, S_pMSE, SPECKS, PO50, U, AUC
    sp.disclosure(real, res, keys=["sex", "age_group"], target="income")

Further keyword arguments go to synthpop as they are; the R twin turns the Python spelling into
synthpop's (``cont_na`` -> ``cont.na``) in one place (``.ss_synthpop_args``).

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

from synthspectrum.core.frames import require_columns, require_rows, to_polars
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.core.pair import check_pair, family
from synthspectrum.core.seeds import check_seed, fresh_seed
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.synthpop import session as rsession
from synthspectrum.synthpop.bridge import from_r, to_r
from synthspectrum.synthpop.comparison import Comparison


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


def _real(data: Any, what: str = "real data") -> tuple[pl.DataFrame, str]:
    if isinstance(data, (SynResult, list, tuple)):
        raise SynthSpectrumError(f"{what} must be a polars or pandas frame, got {type(data).__name__}: "
                                 "the arguments are (real, synthetic, ...)")
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


def _strings(vec) -> list[str]:
    return [str(x) for x in vec]


def _result(robj, schema: dict, kind: str, m: int, seed: int, notes: Sequence[str] = ()) -> SynResult:
    parts = rsession.rlist(robj)
    # one data.frame for m = 1, a list of them otherwise (see SynResult)
    rframes = [parts["synthetic"]] if m == 1 else list(parts["synthetic"])
    frames = [from_r(df, schema, frame_kind=kind) for df in rframes]
    method = dict(zip(_strings(parts["method"].do_slot("names")), _strings(parts["method"])))
    return SynResult(
        synthetic=frames[0] if m == 1 else frames, method=method,
        visit_sequence=_strings(parts["visit_sequence"]), m=m, seed=seed,
        notes=[*notes, *_strings(parts["notes"])], robject=robj, schema=schema, frame_kind=kind,
    )


def syn(
    real: Any,
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
    """Synthesise ``real`` with synthpop's ``syn()`` (sequential CART, parametric or sample methods).

    ``method``: ``"cart"``, ``"parametric"``, ``"sample"`` for every column, or a dict
    column -> synthpop method. ``visit_sequence``: column names in the order to synthesise.
    ``smoothing``: column -> ``"spline"`` or ``"density"``. ``seed``: a whole number from 0 to
    2^31 - 1 (:func:`synthspectrum.core.seeds.check_seed`); the same seed gives the same data
    (``None`` draws one, kept in the result). ``control``: any further ``syn()``
    argument, in synthpop's spelling (``proper=True``, ``cont_na=...`` becomes ``cont.na``).
    Dates and datetimes are synthesised as numbers and come back as dates; a factor with more
    than ``max_cart_levels`` levels is not used as a tree predictor; a number with at most 5
    distinct values is synthesised as a category unless ``minnumlevels`` is given (warnings
    say so). A text column with more than ``maxfaclevels`` distinct values is an error.
    Any column name works: synthpop works on safe names inside and the results carry the
    real ones. NaN, +-inf and numbers of magnitude >= 1e15 become missing with a warning
    naming the column (:func:`synthspectrum.core.numbers.clean_numbers`; the R twin does the same).
    Unless ``models=True``, the summaries of multinomial models that synthpop computes and then
    discards are skipped (the same synthetic data; parametric synthesis five times faster).
    Returns a :class:`SynResult` (one frame for ``m == 1``, a list for ``m > 1``).
    """
    pdf, kind = _real(real, "data")
    # the words of the R twin's .ss_check_m (keep the two in step); True is no number of sets
    if isinstance(m, (bool, np.bool_)) or not isinstance(m, (int, np.integer)) or m < 1:
        raise SynthSpectrumError(f"m must be a whole number >= 1, got {m!r}")
    m = int(m)
    if isinstance(method, dict):
        require_columns(pdf, list(method), "data (method=)")
    elif not isinstance(method, str):
        raise SynthSpectrumError(f"method must be a string or a dict column -> method, got {method!r}")
    if visit_sequence is not None:
        require_columns(pdf, list(visit_sequence), "data (visit_sequence=)")
    if smoothing is not None:
        require_columns(pdf, list(smoothing), "data (smoothing=)")
    seed = fresh_seed() if seed is None else check_seed(seed)
    cleaned, clean_notes = clean_numbers(pdf, "data")
    rdf, schema = to_r(_cleaned(real, pdf, cleaned) if clean_notes else real)
    robj = rsession.call(
        "syn", rdf, method=method, visit_sequence=list(visit_sequence) if visit_sequence else None,
        smoothing=smoothing, minnumlevels=minnumlevels, maxfaclevels=maxfaclevels, m=m, seed=seed,
        max_cart_levels=max_cart_levels, verbose=verbose, **control,
    )
    return _result(robj, schema, kind, m, seed, clean_notes)


# the words of the R twin's .ss_check_families (keep the two in step)
_FAMILY_WORDS = {"text": "text", "boolean": "true/false values", "number": "numbers", "date": "dates",
                 "datetime": "datetimes", "duration": "durations", "time": "times of day"}


def _check_families(real: pl.DataFrame, schema: dict) -> None:
    """The real data given with a :class:`SynResult` against the dtypes that ``syn()`` was given:
    a column of another family (text where numbers were synthesised) is refused, naming it."""
    for c, want in schema["dtypes"].items():
        if c not in real.columns:
            continue
        got, want = family(real.schema[c]), family(want)
        if got != want:
            raise SynthSpectrumError(
                f"column '{c}' holds {_FAMILY_WORDS.get(got, got)} in the real data but "
                f"{_FAMILY_WORDS.get(want, want)} in the data syn() was given: measure against real data "
                "of the types that were synthesised")


def _pair(real: Any, synthetic: Any, need: Sequence[str] = ()) -> tuple[Any, Any, pl.DataFrame]:
    """``(real as R, synthetic as R, real as polars)`` for a twin call: the real data cut to the
    synthetic columns and cleaned as the native measures clean it, ``synthetic`` as the R result
    of :func:`syn` or as R data.frame(s)."""
    r, _ = _real(real)
    if isinstance(synthetic, SynResult):
        columns = list(synthetic.schema["dtypes"])
        missing = [c for c in columns if c not in r.columns]
        if missing:
            raise SynthSpectrumError(f"the real data lacks column {missing[0]!r}, which was synthesised")
        _check_families(r, synthetic.schema)
        require_columns(r, need, "real data")
        r, _ = clean_numbers(r.select([r.get_column(c) for c in columns]), "real data")
        return to_r(r)[0], synthetic.robject, r
    frames = list(synthetic) if isinstance(synthetic, (list, tuple)) else [synthetic]
    if not frames:
        raise SynthSpectrumError("synthetic is an empty list: give a frame, a list of frames or what syn() returned")
    pairs = []
    for s in frames:
        s, _ = to_polars(s, "synthetic data")
        require_columns(s, need, "synthetic data")
        # the same pair check as the native measures: a plain synthetic frame has the real columns
        pairs.append(check_pair(r, s))
    rsyn = [to_r(s)[0] for _, s in pairs]
    return to_r(pairs[0][0])[0], rsyn[0] if len(rsyn) == 1 else rsyn, pairs[0][0]


def _measures(rdf) -> pl.DataFrame:
    """The twin's data.frame as the tidy polars frame: [set,] measure, column, value (NA as NaN)."""
    out = from_r(rdf)
    cols = [pl.col("set").cast(pl.Int64)] if "set" in out.columns else []
    return out.select(*cols, pl.col("measure").cast(pl.String), pl.col("column").cast(pl.String),
                      pl.col("value").cast(pl.Float64).fill_null(float("nan")))


def utility_gen(real: Any, synthetic: Any, method: str = "logit", maxorder: int = 1,
                verbose: bool = False, **control: Any) -> pl.DataFrame:
    """General utility (synthpop's ``utility.gen``), the twin of
    :func:`synthspectrum.measures.utility.utility_gen`: measures pMSE, S_pMSE, SPECKS, PO50, U and
    AUC, ``column`` null, per synthetic set.

    A propensity model (``method`` ``"logit"`` with interactions up to ``maxorder``, or
    ``"cart"``) tells real from synthetic records. With propensities p_i and c = n_syn / N,
    pMSE = (1/N) * sum_i (p_i - c)^2; S_pMSE = pMSE / E[pMSE under a correct model]
    (Snoke et al. 2018), ~1 for a good synthesis. SPECKS is the KS distance between the
    propensity distributions, PO50 the % by which the model beats 50% accuracy, U the
    Mann-Whitney statistic of the synthetic records' propensities against the real ones', and
    AUC = U / (n_syn * n_real).

    synthpop fits the logistic model with ``glm``, which on (nearly) separated data can stop
    "converged" at a wrong optimum (coefficients of 1e16, pMSE 0.25 where the true value is
    0.005); an :class:`~synthspectrum.errors.RWarning` then says so (fitted probabilities
    of 0 or 1, exploding coefficients): check with :func:`synthspectrum.measures.utility.utility_gen`.
    """
    rreal, rsyn, _ = _pair(real, synthetic)
    return _measures(rsession.call("utility_gen", rreal, rsyn, method=method, maxorder=maxorder,
                                   verbose=verbose, **control))


def utility_tab(real: Any, synthetic: Any, vars: Sequence[str], ngroups: int = 5,
                verbose: bool = False, **control: Any) -> pl.DataFrame:
    """Table utility (synthpop's ``utility.tab``) of the cross-table of ``vars``, the twin of
    :func:`synthspectrum.measures.utility.utility_tab`: measures pMSE, S_pMSE, df, VW, S_VW, FT,
    S_FT, JSD, S_JSD, ``column`` the vars joined by " x ", per synthetic set.

    Compares the real and synthetic counts of the table: pMSE / S_pMSE, Voas-Williamson (VW),
    Freeman-Tukey (FT), Jensen-Shannon divergence (JSD), their standardised forms and df.
    Numeric variables are grouped into ``ngroups`` quantile groups.
    """
    rreal, rsyn, _ = _pair(real, synthetic, vars)
    return _measures(rsession.call("utility_tab", rreal, rsyn, vars=list(vars), ngroups=ngroups,
                                   verbose=verbose, **control))


def utility_tables(real: Any, synthetic: Any, tables: str = "twoway", vars: Sequence[str] | None = None,
                   ngroups: int = 5, tab_stats: Sequence[str] = ("pMSE", "S_pMSE", "df"),
                   verbose: bool = False) -> pl.DataFrame:
    """:func:`utility_tab` for every one-, two- or three-way table (synthpop's ``utility.tables``).

    One row per table and statistic of ``tab_stats``, ``column`` the table's variables joined
    by " x " as in :func:`utility_tab`; the worst S_pMSE points at the relations the synthesis
    lost. For m > 1 sets, synthpop's mean over the sets.
    """
    rreal, rsyn, _ = _pair(real, synthetic, vars or [])
    return _measures(rsession.call("utility_tables", rreal, rsyn, tables=tables,
                                   vars=list(vars) if vars else None, ngroups=ngroups,
                                   tab_stats=list(tab_stats), verbose=verbose))


def compare(real: Any, synthetic: Any, vars: Sequence[str] | None = None, ngroups: int = 5,
            breaks: int = 20, verbose: bool = False) -> Comparison:
    """synthpop's ``compare``: distributions of each variable in real and synthetic data.

    Returns the numbers (percent by category or bin, per source) and each variable's
    pMSE / S_pMSE / df (tidy) for any number of variables (default: all); ``.plot()`` draws them.
    Aggregates only; ``tables`` carries every category's label, the plot only those held by at
    least ``k`` real records.
    """
    rreal, rsyn, r = _pair(real, synthetic, vars or [])
    out = rsession.rlist(rsession.call("compare", rreal, rsyn, vars=list(vars) if vars else None,
                                       ngroups=ngroups, breaks=breaks, verbose=verbose))
    return Comparison(tables=from_r(out["tables"]), utility=_measures(out["utility"]), n_real=r.height)


def replicated_uniques(real: Any, synthetic: Any, keys: Sequence[str]) -> pl.DataFrame:
    """Unique records of the real data on ``keys`` that the synthetic data replicate (synthpop's
    ``replicated.uniques``), the twin of :func:`synthspectrum.measures.privacy.replicated_uniques`.

    Measures, per synthetic set: uniques_real, uniques_synthetic, synthetic_uniques_in_real,
    replicated_uniques (synthpop's counts) and replicated_uniques_percent = round(100 *
    replicated_uniques / n_real, 2), the denominator of synthpop >= 1.9-3 whatever synthpop is
    installed (1.9-0 to 1.9-2 divide by the synthetic records); ``column`` the keys joined by " x ".
    """
    rreal, rsyn, _ = _pair(real, synthetic, keys)
    return _measures(rsession.call("replicated_uniques", rreal, rsyn, keys=list(keys)))


def disclosure(real: Any, synthetic: Any, keys: Sequence[str], target: str, verbose: bool = False,
               **control: Any) -> pl.DataFrame:
    """Identity and attribute disclosure of ``target`` from ``keys`` (synthpop's ``disclosure``),
    the twin of :func:`synthspectrum.measures.privacy.disclosure`; ``column`` the target.

    In percent of the real records, per synthetic set: UiO (unique on the keys), UiS, UiOiS,
    repU (unique and replicated in the synthetic data); Dorig (target disclosed by the real
    data itself, the baseline), Dsyn, iS, DiS, DiSCO (disclosed by the synthetic data and
    correct), DiSDiO. ``control``: synthpop's further arguments (``denom_lim``, ``usetargetNA``...).
    """
    rreal, rsyn, _ = _pair(real, synthetic, [*keys, target])
    return _measures(rsession.call("disclosure", rreal, rsyn, keys=list(keys), target=target,
                                   verbose=verbose, **control))


def multi_disclosure(real: Any, synthetic: Any, keys: Sequence[str], targets: Sequence[str] | None = None,
                     verbose: bool = False, **control: Any) -> pl.DataFrame:
    """:func:`disclosure` for several targets (default: every non-key column): its rows, one
    block per target (``column``)."""
    rreal, rsyn, _ = _pair(real, synthetic, [*keys, *(targets or [])])
    return _measures(rsession.call("multi_disclosure", rreal, rsyn, keys=list(keys),
                                   targets=list(targets) if targets else None, verbose=verbose, **control))


def sdc(real: Any, synthetic: Any, keys: Sequence[str] | None = None, rm_replicated_uniques: bool = False,
        recode_vars: Sequence[str] | None = None, bottom_top_coding: list | None = None,
        recode_exclude: list | None = None, smooth_vars: Sequence[str] | None = None,
        label: str | None = None, verbose: bool = False) -> Any:
    """synthpop's ``sdc``: remove replicated uniques, top/bottom-code, smooth.

    Gives back what came in: a new :class:`SynResult` for a result, the frame (or list of
    frames, of the same kind and dtypes) for frames.
    """
    rreal, rsyn, _ = _pair(real, synthetic, [*(keys or []), *(recode_vars or []), *(smooth_vars or [])])
    robj = rsession.call("sdc", rreal, rsyn, keys=list(keys) if keys else None,
                         rm_replicated_uniques=rm_replicated_uniques,
                         recode_vars=list(recode_vars) if recode_vars else None,
                         bottom_top_coding=bottom_top_coding, recode_exclude=recode_exclude,
                         smooth_vars=list(smooth_vars) if smooth_vars else None, label=label,
                         verbose=verbose)
    if isinstance(synthetic, SynResult):
        return _result(robj, synthetic.schema, synthetic.frame_kind, synthetic.m, synthetic.seed)
    frames = list(synthetic) if isinstance(synthetic, (list, tuple)) else [synthetic]
    rframes = [robj] if len(frames) == 1 else list(robj)
    out = []
    for f, rdf in zip(frames, rframes):
        pdf, kind = to_polars(f, "synthetic data")
        # a pandas frame's own schema (to_r's), which keeps its categoricals' levels and ordered flags
        schema = to_r(f)[1] if kind == "pandas" else {"dtypes": dict(pdf.schema)}
        out.append(from_r(rdf, schema, frame_kind=kind))
    return out[0] if len(frames) == 1 and not isinstance(synthetic, (list, tuple)) else out


@dataclass
class Fit:
    """A model fitted to the synthetic data (``lm_synds`` / ``glm_synds``), for :func:`compare_fit`."""

    formula: str
    robject: Any = field(repr=False)
    schema: dict | None = field(default=None, repr=False)  # the SynResult's, for compare_fit's check


def _check_result(synthetic: Any, fname: str) -> None:
    if not isinstance(synthetic, SynResult):
        raise SynthSpectrumError(f"{fname} needs what syn() returned, got {type(synthetic).__name__}: synthpop's "
                                 "combining rules use the sizes of the real and synthetic data")


def lm_synds(formula: str, synthetic: SynResult) -> Fit:
    """Linear model ``formula`` (R syntax) fitted to the synthetic data, combined over the m sets."""
    _check_result(synthetic, "lm_synds")
    return Fit(formula, rsession.call("lm_synds", formula, synthetic.robject), synthetic.schema)


def glm_synds(formula: str, synthetic: SynResult, family: str = "binomial") -> Fit:
    """Generalised linear model ``formula`` (R syntax, ``family``) fitted to the synthetic data."""
    _check_result(synthetic, "glm_synds")
    return Fit(formula, rsession.call("glm_synds", formula, synthetic.robject, family=family), synthetic.schema)


def compare_fit(fit: Fit, real: Any) -> pl.DataFrame:
    """Specific utility: the same model on real and synthetic data, term by term.

    std_coef_diff = (beta_syn - beta_real) / se_real; ci_overlap is the confidence-interval
    overlap of Karr et al. (2006): 1 for identical intervals, <= 0 for disjoint ones.
    """
    pdf, _ = _real(real)
    if fit.schema is not None:
        _check_families(pdf, fit.schema)
    pdf, _ = clean_numbers(pdf, "real data")
    return from_r(rsession.call("compare_fit", fit.robject, to_r(pdf)[0]))


__all__ = ["SynResult", "syn", "utility_gen", "utility_tab", "utility_tables", "Comparison", "compare",
           "replicated_uniques", "disclosure", "multi_disclosure", "sdc", "Fit",
           "lm_synds", "glm_synds", "compare_fit"]
