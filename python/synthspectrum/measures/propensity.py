"""General utility by propensity scores: can a model tell synthetic from real records?

Snoke, Raab, Nowok, Dibben & Slavkovic (2018), JRSS A 181(3); synthpop's ``utility.gen``.
A propensity model tells synthetic (t = 1) from real (t = 0) records. With fitted
propensities p_i over the N = n_real + n_syn records and c = n_syn / N:
pMSE = 1/N sum_i (p_i - c)^2; for a logistic model with k parameters the null expectation is
(k - 1)(1 - c)^2 c / N, and S_pMSE = pMSE / that expectation (about 1 for a synthesis the
model cannot tell apart; larger is worse). SPECKS is the KS distance between the two groups'
propensities, PO50 the percentage by which the model beats 50% accuracy, U the Mann-Whitney
statistic and AUC = U / (n_syn n_real) the propensity AUC (0.5 is best). :func:`propensity_auc_cv`
is the AUC of out-of-fold scores. Bounded as :mod:`synthspectrum.measures.bounds` says.
Returns model summaries (and, from :func:`propensity_scores`, one score per record), no
record value.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Sequence

import numpy as np
import polars as pl
from scipy import stats

from synthspectrum.core.columns import MAX_LEVELS, as_number, identifier_columns, kind
from synthspectrum.core.columns import labels as as_labels
from synthspectrum.core.pair import check_pair
from synthspectrum.core.tidy import measure_frame
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures.bounds import (MAX_CELLS, MAX_PARAMS, MIN_LEVEL_COUNT, RECORDS_PER_PARAM, apply_plan,
                                           identifier_notes, level_plan, note)
from synthspectrum.measures.logistic import independent_columns, irls_beta, logistic_fit


def _elementary_symmetric(widths: Sequence[int], k: int) -> int:
    """sum over all k-subsets of prod(widths): the design columns of all k-way interactions."""
    e = [1] + [0] * k
    for w in widths:
        for j in range(k, 0, -1):
            e[j] += e[j - 1] * w
    return e[k]


def _main_effects(r: pl.DataFrame, s: pl.DataFrame, max_levels: int, max_params: int):
    """The main-effect plan of the propensity design, built lazily: per kept column its design
    groups as functions (so that nothing over the cap is ever allocated), their widths, the
    columns used, and the notes. Rows are synthetic first, then real."""
    notes = identifier_notes(identifier_columns(r, max_levels), r.height, "the propensity model")
    ids = {n["column"] for n in notes}
    both = pl.concat([s, r], how="vertical_relaxed")
    n_rows = both.height
    specs: list[tuple[str, int, Any]] = []  # (column, width, build)
    for c in both.columns:
        if c in ids:
            continue
        col = both.get_column(c).alias("v")
        nr = r.get_column(c).alias("v").drop_nulls().n_unique()
        ns = s.get_column(c).alias("v").drop_nulls().n_unique()
        if nr <= 1 and ns <= 1:
            continue
        if kind(col.dtype) == "categorical" and col.dtype != pl.Boolean:
            labels = as_labels(col)
            labels, pooled = apply_plan(labels, level_plan(labels, max_levels, MIN_LEVEL_COUNT))
            if pooled:
                notes.append(note("levels_grouped", c, pooled,
                                   f"column {c!r}: {pooled} levels held by few records pooled into one level "
                                   f"in the propensity model (at most {max_levels} levels are modelled)"))
            codes = labels.rank("dense").cast(pl.Int64).to_numpy() - 1  # sorted levels, as .unique().sort()

            def onehot(codes: np.ndarray = codes) -> np.ndarray:
                out = np.zeros((n_rows, int(codes.max())))
                hit = codes > 0  # the first level is the reference
                out[np.flatnonzero(hit), codes[hit] - 1] = 1.0
                return out

            specs.append((c, int(codes.max()), onehot))
        elif col.dtype == pl.Boolean:
            specs.append((c, 1, lambda col=col: col.cast(pl.Float64).fill_null(0.0).to_numpy()[:, None]))
        else:
            x = as_number(col).to_numpy()
            miss = np.isnan(x)
            specs.append((c, 1, lambda x=x, miss=miss: np.where(miss, 0.0, x)[:, None]))
            if miss.any():
                specs.append((c, 1, lambda miss=miss: miss.astype(float)[:, None]))
    if not specs:
        if ids:
            raise SynthSpectrumError("every column that varies looks like an identifier (left out): there is "
                                     "nothing to tell real from synthetic by")
        raise SynthSpectrumError("no column varies: there is nothing to tell real from synthetic by")
    # main effects, column by column in order, while they fit max_params (a number's missingness
    # indicator goes with it)
    width_of: dict[str, int] = {}
    for c, w, _ in specs:
        width_of[c] = width_of.get(c, 0) + w
    used, fits = 1, set()
    for c, w in width_of.items():
        if used + w > max_params:
            break
        fits.add(c)
        used += w
    over = [c for c in width_of if c not in fits]
    if over:
        note("left_out_over_cap", None, 0, f"{len(over)} columns left out of the propensity model (the main "
              f"effects before them fill the cap of {max_params} design columns): {', '.join(map(repr, over[:5]))}"
              + (f" and {len(over) - 5} more" if len(over) > 5 else ""))
    notes += [{"measure": "left_out_over_cap", "column": c, "value": float(width_of[c])} for c in over]
    specs = [sp for sp in specs if sp[0] in fits]
    return specs, used, len(fits), n_rows, notes


def _cap(n_rows: int, used: int, max_params: int) -> int:
    """Design columns allowed for ``n_rows`` records (the rule of :mod:`synthspectrum.measures.bounds`)."""
    return min(max_params, max(min(n_rows // RECORDS_PER_PARAM, MAX_CELLS // n_rows), used))


def design_size(real: Any, synthetic: Any, maxorder: int = 1, max_levels: int = MAX_LEVELS,
                max_params: int = MAX_PARAMS) -> dict[str, int]:
    """The size of :func:`utility_gen`'s logistic design, counted without building it (identifier-like
    columns left out and levels grouped as there, with the same warnings): ``columns`` (with the
    cap applied), ``uncapped`` (all interactions of up to ``maxorder + 1`` variables),
    ``variables`` (design groups: a number with missing values counts twice, as in synthpop)
    and ``records`` (N = real + synthetic)."""
    r, s = check_pair(real, synthetic)
    specs, used, _, n_rows, _ = _main_effects(r, s, max_levels, max_params)
    widths = [w for _, w, _ in specs]
    uncapped = used + sum(_elementary_symmetric(widths, k) for k in range(2, maxorder + 2))
    columns, cap = used, _cap(n_rows, used, max_params)
    for order in range(2, maxorder + 2):
        for combo in combinations(widths, order):
            w = int(np.prod(combo))
            if columns + w > cap:
                return {"columns": columns, "uncapped": uncapped, "variables": len(widths), "records": n_rows}
            columns += w
    return {"columns": columns, "uncapped": uncapped, "variables": len(widths), "records": n_rows}


def _design(r: pl.DataFrame, s: pl.DataFrame, maxorder: int, max_levels: int = MAX_LEVELS,
            max_params: int = MAX_PARAMS) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Design matrix as synthpop's utility.gen builds it: synthetic rows first, then real; and
    the notes on what was left out (rows for LEFT_OUT_MEASURES, each also a warning).

    Columns with a single value (or none) in both frames are left out; a categorical's missing
    values form a level; a number's missing values get an indicator column and are set to 0;
    ``maxorder`` adds all interactions of up to ``maxorder + 1`` variables. Bounded by the
    rules of :mod:`synthspectrum.measures.bounds`: identifier-like columns left out, many-level columns
    grouped, at most min(max_params, max(min(N / 5, MAX_CELLS / N), main effects)) columns.
    """
    if isinstance(maxorder, bool) or not isinstance(maxorder, (int, np.integer)) or maxorder < 0:
        raise SynthSpectrumError(f"maxorder must be a whole number >= 0, got {maxorder!r}")
    specs, used, n_vars, n_rows, notes = _main_effects(r, s, max_levels, max_params)
    groups = [build() for _, _, build in specs]
    if maxorder >= len(groups):
        raise SynthSpectrumError(f"maxorder ({maxorder}) must be smaller than the number of variables ({len(groups)})")
    cap = _cap(n_rows, used, max_params)
    widths = [g.shape[1] for g in groups]
    cols = [np.ones((n_rows, 1))] + groups
    n_inter = 0
    full = False
    for order in range(2, maxorder + 2):
        if full:
            break
        for combo in combinations(range(len(groups)), order):
            width = int(np.prod([widths[i] for i in combo]))
            if used + width > cap:  # the first term that does not fit ends the model: deterministic
                full = True
                break
            prod = groups[combo[0]]
            for i in combo[1:]:
                prod = (prod[:, :, None] * groups[i][:, None, :]).reshape(n_rows, -1)
            cols.append(prod)
            used += width
            n_inter += width
    if maxorder:
        dropped = sum(_elementary_symmetric(widths, k) for k in range(2, maxorder + 2)) - n_inter
        if dropped:
            notes.append(note("interaction_columns_dropped", None, dropped,
                               f"{dropped} of {dropped + n_inter} interaction design columns dropped from the "
                               f"propensity model: at most {cap} design columns for {n_rows} records "
                               f"({n_vars} variables, maxorder {maxorder})"))
    t = np.concatenate([np.ones(s.height), np.zeros(r.height)])
    return np.hstack(cols), t, notes


def _propensity_stats(score: np.ndarray, t: np.ndarray, n_params: int | None) -> dict[str, float]:
    n = len(t)
    c = t.mean()
    p_syn, p_real = score[t == 1], score[t == 0]
    pmse = float(np.mean((score - c) ** 2))
    u = float(stats.mannwhitneyu(p_syn, p_real, method="asymptotic").statistic)
    out = {
        "pMSE": pmse,
        "S_pMSE": pmse / ((n_params - 1) * (1 - c) ** 2 * c / n) if n_params else float("nan"),
        "SPECKS": float(stats.ks_2samp(p_syn, p_real).statistic),
        "PO50": float(np.mean((score > 0.5) == (t == 1)) * 100 - 50),
        "U": u,
        "AUC": u / (len(p_syn) * len(p_real)),
    }
    return out


def propensity_scores(real: Any, synthetic: Any, maxorder: int = 1) -> pl.DataFrame:
    """Logistic propensity of being synthetic for every record (polars: ``source``, ``propensity``);
    the model of :func:`utility_gen` with ``method="logit"``. Scores only, no record values."""
    r, s = check_pair(real, synthetic)
    X, t, _ = _design(r, s, maxorder)
    return _scores_frame(logistic_fit(X, t), t)


def _scores_frame(score: np.ndarray, t: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({"source": np.where(t == 1, "synthetic", "real"), "propensity": score})


def utility_gen(real: Any, synthetic: Any, method: str = "logit", maxorder: int = 1, nperms: int = 50,
                min_leaf: int = 5, seed: int = 0, max_params: int = MAX_PARAMS, max_levels: int = MAX_LEVELS,
                return_scores: bool = False) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
    """General utility by propensity scores (see the module docstring); the twin of synthpop's
    ``utility.gen``: one row per statistic (``measure`` pMSE, S_pMSE, SPECKS, PO50, U, AUC;
    ``column`` null; ``value``).

    ``method="logit"``: logistic regression with main effects (``maxorder=0``) or interactions
    of up to ``maxorder + 1`` variables (default 1, synthpop's: all pairs); it equals synthpop's
    ``utility.gen(method = "logit")`` whenever no bound applies. ``method="cart"``: a
    classification tree (leaves of at least ``min_leaf``); S_pMSE is then pMSE over its mean
    under ``nperms`` random relabellings (seeded by ``seed``), as synthpop's ``resamp.method = "perm"``.

    Bounded (see :mod:`synthspectrum.measures.bounds`): identifier-like columns are left out,
    columns with more than ``max_levels`` levels grouped, the design capped at ``max_params``
    columns; each of these adds a row (measure in :data:`LEFT_OUT_MEASURES`) and a warning.

    ``return_scores``: also the fitted propensity of every record, from the same fit (the frame
    of :func:`propensity_scores`: ``source``, ``propensity``; scores, no record values).
    """
    if method not in ("logit", "cart"):
        raise SynthSpectrumError(f"method must be 'logit' or 'cart', got {method!r}")
    r, s = check_pair(real, synthetic)
    X, t, notes = _design(r, s, maxorder, max_levels=max_levels, max_params=max_params)
    if method == "logit":
        keep = independent_columns(X)
        score = logistic_fit(X[:, keep], t, independent=True)
        res = _propensity_stats(score, t, len(keep))
    else:
        from sklearn.tree import DecisionTreeClassifier

        def tree_scores(labels: np.ndarray) -> np.ndarray:
            tree = DecisionTreeClassifier(min_samples_leaf=min_leaf, random_state=seed).fit(X, labels)
            return tree.predict_proba(X)[:, 1]

        score = tree_scores(t)
        res = _propensity_stats(score, t, None)
        rng = np.random.default_rng(seed)
        null = [np.mean((tree_scores(rng.permutation(t)) - t.mean()) ** 2) for _ in range(nperms)]
        res["S_pMSE"] = res["pMSE"] / float(np.mean(null))
    rows = [{"measure": m, "column": None, "value": float(v)} for m, v in res.items()] + notes
    if return_scores:
        return measure_frame(rows), _scores_frame(score, t)
    return measure_frame(rows)


def propensity_auc_cv(real: Any, synthetic: Any, maxorder: int = 1, folds: int = 5, seed: int = 0) -> float:
    """Cross-validated propensity AUC: how well the logistic propensity model of :func:`utility_gen`
    tells synthetic from real records it was *not* fitted on (0.5 is best; a number, no records).

    The records (synthetic t = 1, real t = 0) are split into ``folds`` stratified folds (each
    fold keeps the share of synthetic records as far as it can; shuffled with ``seed``), and
    records identical in the model (the same design row) are kept in one fold (sklearn's StratifiedGroupKFold):
    a synthetic copy of a real record, fitted with the opposite label, would otherwise teach
    the model the opposite of the truth, and a frame scored against itself would give about
    0.17 instead of 0.5. For each fold k the
    model (the same design as :func:`utility_gen`, aliased columns dropped as glm does) is fitted on
    the other folds by maximum likelihood and scores the fold's records by their linear
    predictor eta_i = x_i' b_(-k). With all out-of-fold scores pooled,

        AUC_cv = U / (n_syn n_real),  U = #{(i, j): t_i = 1, t_j = 0, eta_i > eta_j}
                                          + 1/2 #{ties},

    the Mann-Whitney form of the AUC (Hanley & McNeil 1982) of out-of-fold predictions, as in
    Hastie, Tibshirani & Friedman (2009), Elements of Statistical Learning, 7.10.

    Why: the in-sample AUC of :func:`utility_gen` rewards a model for memorising its own records. On
    small data (a few hundred rows) a main-effects model with many dummies scores an
    in-sample AUC near 0.95 even for two independent real samples, and every generator looks
    equally bad. Out of sample, two samples of one distribution score about 0.5 (slightly
    below on average: cross-validation of a model with no signal is pessimistic).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    if not isinstance(folds, (int, np.integer)) or isinstance(folds, bool) or folds < 2:
        raise SynthSpectrumError(f"folds must be a whole number of at least 2, got {folds!r}")
    r, s = check_pair(real, synthetic)
    X, t, _ = _design(r, s, maxorder)  # bounded as utility_gen's; what was left out is warned
    # identical records stay in one fold: a copy in the fitting folds, labelled the other way,
    # would teach the model the opposite of the truth (a frame against itself would score ~0.17).
    # Identical means identical design rows; a group is named by its first record, so the folds
    # do not depend on hash values.
    _, first, inverse = np.unique(pl.from_numpy(X).hash_rows(seed=0).to_numpy(), return_index=True,
                                  return_inverse=True)
    groups = first[inverse.ravel()]
    if min(r.height, s.height) < folds:
        raise SynthSpectrumError(f"{folds} folds need at least {folds} real and {folds} synthetic records, "
                                 f"got {r.height} and {s.height}")
    eta = np.empty(len(t))
    split = StratifiedGroupKFold(n_splits=int(folds), shuffle=True, random_state=seed)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # separation drives eta to +-inf
        for fit_rows, test_rows in split.split(X, t, groups):
            keep = independent_columns(X[fit_rows])
            beta = irls_beta(X[fit_rows][:, keep], t[fit_rows], 100, 1e-10)
            eta[test_rows] = X[test_rows][:, keep] @ beta
    eta = np.nan_to_num(eta, nan=0.0)
    u = float(stats.mannwhitneyu(eta[t == 1], eta[t == 0], method="asymptotic").statistic)
    return u / (int(t.sum()) * int((t == 0).sum()))
