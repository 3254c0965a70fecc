"""Utility measures: how much of the real data's information a synthetic frame keeps.

Every function takes the real and the synthetic frame (polars or pandas, same columns) and
returns a polars frame, one row per measure (and column or pair). Nothing returned holds a
record: only counts, shares, distances and model summaries.

Univariate (SDMetrics' definitions)
    KSComplement = 1 - D, D the two-sample Kolmogorov-Smirnov statistic on the non-missing
    values (numbers, dates); TVComplement = 1 - 1/2 sum_c |p_real(c) - p_syn(c)| (categories).
    1 is a perfect match, 0 no overlap.
General utility (Snoke, Raab, Nowok, Dibben & Slavkovic 2018, JRSS A 181(3); synthpop's
``utility.gen``)
    A propensity model tells synthetic (t = 1) from real (t = 0) records. With fitted
    propensities p_i over the N = n_real + n_syn records and c = n_syn / N:
    pMSE = 1/N sum_i (p_i - c)^2; for a logistic model with k parameters the null expectation
    is (k - 1)(1 - c)^2 c / N, and S_pMSE = pMSE / that expectation (about 1 for a synthesis
    the model cannot tell apart; larger is worse). SPECKS is the KS distance between the two
    groups' propensities, PO50 the percentage by which the model beats 50% accuracy, U the
    Mann-Whitney statistic and AUC = U / (n_syn n_real) the propensity AUC (0.5 is best).
Table utility (synthpop's ``utility.tab``)
    For the cross-table of chosen variables with real counts d and synthetic counts s over the
    non-empty cells, c = sum s / sum(s + d): VW = sum (s - d c/(1-c))^2 / ((s + d) c), the
    Voas-Williamson statistic; S_pMSE = S_VW = VW / df with df = cells - 1;
    pMSE = VW c (1-c)^2 / N; FT = 4 sum (sqrt s - sqrt(c/(1-c) d))^2 (Freeman-Tukey);
    JSD the Jensen-Shannon divergence (base 2) of the two cell distributions.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Sequence

import numpy as np
import polars as pl
from scipy import stats

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.frames import is_categorical, require_columns, to_polars


# --- input checks ----------------------------------------------------------------------------

def check_pair(real: Any, synthetic: Any, columns: Sequence[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both frames as polars, with the same columns and compatible dtypes, else a clear error."""
    r, _ = to_polars(real, "real data")
    s, _ = to_polars(synthetic, "synthetic data")
    for what, df in (("real data", r), ("synthetic data", s)):
        if df.height == 0:
            raise SynthSpectrumError(f"the {what} is empty (0 rows)")
    if columns is not None:
        require_columns(r, columns, "real data")
        require_columns(s, columns, "synthetic data")
        r, s = r.select([r.get_column(c) for c in columns]), s.select([s.get_column(c) for c in columns])
    if set(r.columns) != set(s.columns):
        only = sorted(set(r.columns) ^ set(s.columns))
        raise SynthSpectrumError(f"the real and synthetic frames have different columns: {only[0]!r} is in only one")
    s = s.select([s.get_column(c) for c in r.columns])
    for c in r.columns:
        a, b = r.schema[c], s.schema[c]
        if _kind(a) != _kind(b):
            raise SynthSpectrumError(f"is {a} in the real data but {b} in the synthetic data", c)
    return r, s


def _kind(dtype: pl.DataType) -> str:
    if is_categorical(dtype) or dtype in (pl.String, pl.Boolean):
        return "categorical"
    if dtype.is_numeric() or dtype.is_temporal():
        return "numeric"
    return str(dtype)


def _as_number(s: pl.Series) -> pl.Series:
    """Numbers as float; dates and datetimes as days since 1970 (as the R twin sends them)."""
    if s.dtype == pl.Date:
        return s.to_physical().cast(pl.Float64)
    if isinstance(s.dtype, pl.Datetime):
        return s.dt.epoch("us").cast(pl.Float64) / 86_400e6
    if isinstance(s.dtype, pl.Duration):
        return s.dt.total_microseconds().cast(pl.Float64) / 1e6
    return s.cast(pl.Float64)


# --- univariate ------------------------------------------------------------------------------

def univariate(real: Any, synthetic: Any) -> pl.DataFrame:
    """Per column: KS and KSComplement (numbers, dates) or TVD and TVComplement (categories),
    the missing-share difference and coverage.

    ``coverage`` is, for numbers, the share of the real range [min, max] that the synthetic
    range covers; for categories, the share of real categories that appear in the synthetic data.
    """
    r, s = check_pair(real, synthetic)
    rows = []
    for c in r.columns:
        a, b = r.get_column(c).alias("v"), s.get_column(c).alias("v")
        miss = abs(a.null_count() / a.len() - b.null_count() / b.len())
        if _kind(a.dtype) == "numeric":
            x, y = _as_number(a).drop_nulls().to_numpy(), _as_number(b).drop_nulls().to_numpy()
            value = 1 - stats.ks_2samp(x, y).statistic if x.size and y.size else float("nan")
            measure = "KSComplement"
            if x.size and y.size and x.max() > x.min():
                lo, hi = max(x.min(), y.min()), min(x.max(), y.max())
                coverage = max(0.0, hi - lo) / (x.max() - x.min())
            else:
                coverage = float(x.size > 0 and y.size > 0)
        else:
            pa = a.drop_nulls().cast(pl.String).value_counts(normalize=True, name="p")
            pb = b.drop_nulls().cast(pl.String).value_counts(normalize=True, name="p")
            # sorted: the sum then runs in one order and repeats to the last bit
            joined = pa.join(pb, on="v", how="full", coalesce=True).fill_null(0.0).sort("v")
            value = 1 - 0.5 * float((joined["p"] - joined["p_right"]).abs().sum()) if pa.height and pb.height else float("nan")
            measure = "TVComplement"
            coverage = pa.join(pb, on="v", how="semi").height / pa.height if pa.height else float("nan")
        rows += [
            {"measure": "KS" if measure == "KSComplement" else "TVD", "column": c, "value": 1 - value},
            {"measure": measure, "column": c, "value": value},
            {"measure": "missing_share_difference", "column": c, "value": miss},
            {"measure": "coverage", "column": c, "value": coverage},
        ]
    return pl.DataFrame(rows, schema={"measure": pl.String, "column": pl.String, "value": pl.Float64})


# --- bivariate -------------------------------------------------------------------------------

def _codes(s: pl.Series, bins: int) -> np.ndarray:
    """Integer codes of a column: categories as they are, numbers in quantile bins; missing is a code."""
    if _kind(s.dtype) == "numeric":
        x = _as_number(s).to_numpy()
        finite = x[~np.isnan(x)]
        if finite.size == 0:
            return np.zeros(len(x), dtype=np.int64)
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
        out = np.searchsorted(edges, np.nan_to_num(x, nan=np.inf), side="right")
        return np.where(np.isnan(x), len(edges) + 1, out)
    return s.cast(pl.String).fill_null("\x00missing").rank("dense").cast(pl.Int64).to_numpy()


def _nmi(x: np.ndarray, y: np.ndarray) -> float:
    """Normalised mutual information I(X;Y) / sqrt(H(X) H(Y)) of two code arrays (0 if either is constant)."""
    _, xi = np.unique(x, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    joint = np.zeros((xi.max() + 1, yi.max() + 1))
    np.add.at(joint, (xi, yi), 1)
    p = joint / joint.sum()
    px, py = p.sum(1), p.sum(0)
    hx = -np.sum(px[px > 0] * np.log(px[px > 0]))
    hy = -np.sum(py[py > 0] * np.log(py[py > 0]))
    if hx == 0 or hy == 0:
        return 0.0
    nz = p > 0
    mi = np.sum(p[nz] * np.log(p[nz] / np.outer(px, py)[nz]))
    return float(max(0.0, mi) / np.sqrt(hx * hy))


def _cramers_v(x: np.ndarray, y: np.ndarray) -> float:
    _, xi = np.unique(x, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    table = np.zeros((xi.max() + 1, yi.max() + 1))
    np.add.at(table, (xi, yi), 1)
    if min(table.shape) < 2:
        return 0.0
    chi2 = stats.chi2_contingency(table, correction=False).statistic
    return float(np.sqrt(chi2 / table.sum() / (min(table.shape) - 1)))


def associations(df: Any, bins: int = 10) -> pl.DataFrame:
    """Pairwise associations of one frame: normalised mutual information for every pair, plus
    Spearman's rho for two numeric columns or Cramer's V for two categorical ones.

    Numbers are cut into ``bins`` quantile bins for the mutual information; a missing value is
    a value of its own. Tidy polars frame: column_a, column_b, measure, value.
    """
    d, _ = to_polars(df)
    rows = []
    codes = {c: _codes(d.get_column(c), bins) for c in d.columns}
    for a, b in combinations(d.columns, 2):
        rows.append({"column_a": a, "column_b": b, "measure": "NMI", "value": _nmi(codes[a], codes[b])})
        ka, kb = _kind(d.schema[a]), _kind(d.schema[b])
        if ka == kb == "numeric":
            pair = pl.DataFrame([_as_number(d.get_column(a)).alias("x"), _as_number(d.get_column(b)).alias("y")]).drop_nulls()
            rho = stats.spearmanr(pair["x"], pair["y"]).statistic if pair.height > 2 else float("nan")
            rows.append({"column_a": a, "column_b": b, "measure": "Spearman", "value": float(rho)})
        elif ka == kb == "categorical":
            rows.append({"column_a": a, "column_b": b, "measure": "CramersV", "value": _cramers_v(codes[a], codes[b])})
    return pl.DataFrame(rows, schema={"column_a": pl.String, "column_b": pl.String, "measure": pl.String,
                                      "value": pl.Float64})


def association_difference(real: Any, synthetic: Any, bins: int = 10) -> pl.DataFrame:
    """:func:`associations` of both frames side by side, with ``difference = synthetic - real``."""
    r, s = check_pair(real, synthetic)
    a = associations(r, bins).rename({"value": "real"})
    b = associations(s, bins).rename({"value": "synthetic"})
    return a.join(b, on=["column_a", "column_b", "measure"], how="left").with_columns(
        (pl.col("synthetic") - pl.col("real")).alias("difference"))


# --- general utility: propensity-score measures -----------------------------------------------

def _propensity_design(r: pl.DataFrame, s: pl.DataFrame, maxorder: int) -> tuple[np.ndarray, np.ndarray]:
    """Design matrix as synthpop's utility.gen builds it: synthetic rows first, then real.

    Columns with a single value (or none) in both frames are left out; a categorical's missing
    values form a level; a number's missing values get an indicator column and are set to 0;
    ``maxorder`` adds all interactions of up to ``maxorder + 1`` variables.
    """
    both = pl.concat([s, r], how="vertical_relaxed")
    groups: list[np.ndarray] = []
    for c in both.columns:
        col = both.get_column(c).alias("v")
        nr = r.get_column(c).drop_nulls().n_unique()
        ns = s.get_column(c).drop_nulls().n_unique()
        if nr <= 1 and ns <= 1:
            continue
        if _kind(col.dtype) == "categorical" and col.dtype != pl.Boolean:
            labels = col.cast(pl.String).fill_null("\x00NA")
            levels = labels.unique().sort().to_list()
            onehot = np.stack([(labels == lv).to_numpy() for lv in levels[1:]], axis=1).astype(float)
            groups.append(onehot)
        elif col.dtype == pl.Boolean:
            groups.append(col.cast(pl.Float64).fill_null(0.0).to_numpy()[:, None])
        else:
            x = _as_number(col).to_numpy()
            miss = np.isnan(x)
            groups.append(np.where(miss, 0.0, x)[:, None])
            if miss.any():
                groups.append(miss.astype(float)[:, None])
    if not groups:
        raise SynthSpectrumError("no column varies: there is nothing to tell real from synthetic by")
    if maxorder >= len(groups):
        raise SynthSpectrumError(f"maxorder ({maxorder}) must be smaller than the number of variables ({len(groups)})")
    cols = [np.ones((both.height, 1))] + groups
    for order in range(2, maxorder + 2):
        for combo in combinations(groups, order):
            prod = combo[0]
            for g in combo[1:]:
                prod = (prod[:, :, None] * g[:, None, :]).reshape(both.height, -1)
            cols.append(prod)
    t = np.concatenate([np.ones(s.height), np.zeros(r.height)])
    return np.hstack(cols), t


def _independent_columns(X: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Indices of a maximal set of linearly independent columns (R's glm drops the others).

    Found by pivoted QR of the small Gram matrix X'X, which has the same null space as X: a
    p x p problem instead of an N x p one.
    """
    from scipy.linalg import qr

    norms = np.linalg.norm(X, axis=0)
    norms[norms == 0] = 1.0
    gram = X.T @ X / np.outer(norms, norms)  # unit columns: a date in days and a 0/1 dummy alike
    _, rr, piv = qr(gram, pivoting=True)
    diag = np.abs(np.diag(rr))
    rank = int(np.sum(diag > tol * diag[0])) if diag.size else 0
    return np.sort(piv[:rank])


def logistic_fit(X: np.ndarray, y: np.ndarray, max_iter: int = 100, tol: float = 1e-10,
                 independent: bool = False) -> np.ndarray:
    """Unpenalised logistic regression by iteratively reweighted least squares; fitted probabilities.

    The same fit as R's ``glm(family = binomial)``: aliased columns are dropped first, then
    Newton steps solve (X'WX) b = X'Wz by Cholesky until the deviance changes by < ``tol``.
    Written out because it is a few lines and runs several times faster than a QR per step.
    """
    if not independent:
        X = X[:, _independent_columns(X)]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # separation drives eta to +-inf
        return _irls(X, y, max_iter, tol)


def _irls(X: np.ndarray, y: np.ndarray, max_iter: int, tol: float) -> np.ndarray:
    return 1 / (1 + np.exp(-X @ _irls_beta(X, y, max_iter, tol)))


def _irls_beta(X: np.ndarray, y: np.ndarray, max_iter: int, tol: float) -> np.ndarray:
    """The coefficients of the IRLS fit of :func:`logistic_fit` (X already of full column rank)."""
    from scipy.linalg import cho_factor, cho_solve

    mu = np.full(len(y), (y.sum() + 0.5) / (len(y) + 1.0))
    eta = np.log(mu / (1 - mu))
    dev_old = np.inf
    for _ in range(max_iter):
        w = np.maximum(mu * (1 - mu), 1e-12)
        z = eta + (y - mu) / w
        xw = X * w[:, None]
        try:
            beta = cho_solve(cho_factor(xw.T @ X), xw.T @ z)
        except np.linalg.LinAlgError:  # near-separation: weights ~0 make X'WX singular
            sw = np.sqrt(w)
            beta = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
        eta = X @ beta
        mu = np.clip(1 / (1 + np.exp(-eta)), 1e-15, 1 - 1e-15)
        dev = -2 * np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu))
        if abs(dev - dev_old) < tol * (abs(dev) + 0.1):
            break
        dev_old = dev
    return beta


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


def propensity_scores(real: Any, synthetic: Any, maxorder: int = 0) -> pl.DataFrame:
    """Logistic propensity of being synthetic for every record (polars: ``source``, ``propensity``);
    the model of :func:`pmse` with ``method="logit"``. Scores only, no record values."""
    r, s = check_pair(real, synthetic)
    X, t = _propensity_design(r, s, maxorder)
    score = logistic_fit(X, t)
    return pl.DataFrame({"source": np.where(t == 1, "synthetic", "real"), "propensity": score})


def pmse(real: Any, synthetic: Any, method: str = "logit", maxorder: int = 0, nperms: int = 50,
         min_leaf: int = 5, seed: int = 0) -> pl.DataFrame:
    """General utility by propensity scores (see the module docstring); one row per statistic.

    ``method="logit"``: logistic regression with main effects (``maxorder=0``) or interactions
    of up to ``maxorder + 1`` variables; it equals synthpop's ``utility.gen(method = "logit")``.
    ``method="cart"``: a classification tree (leaves of at least ``min_leaf``); S_pMSE is then
    pMSE over its mean under ``nperms`` random relabellings (seeded by ``seed``), as synthpop's
    ``resamp.method = "perm"``.
    """
    r, s = check_pair(real, synthetic)
    X, t = _propensity_design(r, s, maxorder)
    if method == "logit":
        keep = _independent_columns(X)
        score = logistic_fit(X[:, keep], t, independent=True)
        res = _propensity_stats(score, t, len(keep))
    elif method == "cart":
        from sklearn.tree import DecisionTreeClassifier

        def tree_scores(labels: np.ndarray) -> np.ndarray:
            tree = DecisionTreeClassifier(min_samples_leaf=min_leaf, random_state=seed).fit(X, labels)
            return tree.predict_proba(X)[:, 1]

        score = tree_scores(t)
        res = _propensity_stats(score, t, None)
        rng = np.random.default_rng(seed)
        null = [np.mean((tree_scores(rng.permutation(t)) - t.mean()) ** 2) for _ in range(nperms)]
        res["S_pMSE"] = res["pMSE"] / float(np.mean(null))
    else:
        raise SynthSpectrumError(f"method must be 'logit' or 'cart', got {method!r}")
    return pl.DataFrame({"measure": list(res), "value": list(res.values())})


def propensity_auc_cv(real: Any, synthetic: Any, maxorder: int = 0, folds: int = 5, seed: int = 0) -> float:
    """Cross-validated propensity AUC: how well the logistic propensity model of :func:`pmse`
    tells synthetic from real records it was *not* fitted on (0.5 is best; a number, no records).

    The records (synthetic t = 1, real t = 0) are split into ``folds`` stratified folds (each
    fold keeps the share of synthetic records as far as it can; shuffled with ``seed``), and
    records identical on every column are kept in one fold (sklearn's StratifiedGroupKFold):
    a synthetic copy of a real record, fitted with the opposite label, would otherwise teach
    the model the opposite of the truth, and a frame scored against itself would give about
    0.17 instead of 0.5. For each fold k the
    model (the same design as :func:`pmse`, aliased columns dropped as glm does) is fitted on
    the other folds by maximum likelihood and scores the fold's records by their linear
    predictor eta_i = x_i' b_(-k). With all out-of-fold scores pooled,

        AUC_cv = U / (n_syn n_real),  U = #{(i, j): t_i = 1, t_j = 0, eta_i > eta_j}
                                          + 1/2 #{ties},

    the Mann-Whitney form of the AUC (Hanley & McNeil 1982) of out-of-fold predictions, as in
    Hastie, Tibshirani & Friedman (2009), Elements of Statistical Learning, 7.10.

    Why: the in-sample AUC of :func:`pmse` rewards a model for memorising its own records. On
    small data (a few hundred rows) a main-effects model with many dummies scores an
    in-sample AUC near 0.95 even for two independent real samples, and every generator looks
    equally bad. Out of sample, two samples of one distribution score about 0.5 (slightly
    below on average: cross-validation of a model with no signal is pessimistic).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    r, s = check_pair(real, synthetic)
    X, t = _propensity_design(r, s, maxorder)
    # identical records stay in one fold: a copy in the fitting folds, labelled the other way,
    # would teach the model the opposite of the truth (a frame against itself would score ~0.17)
    groups = pl.concat([s, r], how="vertical_relaxed").hash_rows(seed=0).to_numpy()
    if not isinstance(folds, (int, np.integer)) or isinstance(folds, bool) or folds < 2:
        raise SynthSpectrumError(f"folds must be a whole number of at least 2, got {folds!r}")
    if min(r.height, s.height) < folds:
        raise SynthSpectrumError(f"{folds} folds need at least {folds} real and {folds} synthetic records, "
                                 f"got {r.height} and {s.height}")
    eta = np.empty(len(t))
    split = StratifiedGroupKFold(n_splits=int(folds), shuffle=True, random_state=seed)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # separation drives eta to +-inf
        for fit_rows, test_rows in split.split(X, t, groups):
            keep = _independent_columns(X[fit_rows])
            beta = _irls_beta(X[fit_rows][:, keep], t[fit_rows], 100, 1e-10)
            eta[test_rows] = X[test_rows][:, keep] @ beta
    eta = np.nan_to_num(eta, nan=0.0)
    u = float(stats.mannwhitneyu(eta[t == 1], eta[t == 0], method="asymptotic").statistic)
    return u / (int(t.sum()) * int((t == 0).sum()))


# --- table utility ---------------------------------------------------------------------------

def _group_numeric(real: np.ndarray, syn: np.ndarray, ngroups: int) -> tuple[np.ndarray, np.ndarray]:
    """synthpop's group_num: quantile breaks (R type 7) of real and synthetic values together,
    intervals closed on the left, the last one closed; 'equal' breaks if fewer than 3 groups."""
    both = np.concatenate([real[~np.isnan(real)], syn[~np.isnan(syn)]])
    if both.size == 0:
        raise SynthSpectrumError("a variable has only missing values")

    def cut(breaks: np.ndarray, x: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(breaks, x, side="right") - 1
        idx = np.clip(idx, 0, len(breaks) - 2).astype(float)
        idx[np.isnan(x)] = np.nan
        return idx

    breaks = np.unique(np.quantile(both, np.linspace(0, 1, ngroups + 1)))
    if len(breaks) < 2:
        return np.where(np.isnan(real), np.nan, 0.0), np.where(np.isnan(syn), np.nan, 0.0)
    gr = cut(breaks, real)
    if len(np.unique(gr[~np.isnan(gr)])) < 3:
        breaks = np.unique(np.linspace(both.min(), both.max(), ngroups + 1))
        gr = cut(breaks, real)
    return gr, cut(breaks, syn)


def cell_counts(real: Any, synthetic: Any, vars: Sequence[str], ngroups: int = 5) -> pl.DataFrame:
    """Counts of the cross-table of ``vars`` in both frames (numbers grouped as synthpop does);
    a missing value is a category. Columns: the vars, ``real``, ``synthetic``."""
    r, s = check_pair(real, synthetic, vars)
    cols_r, cols_s = [], []
    for c in vars:
        a, b = r.get_column(c), s.get_column(c)
        if _kind(a.dtype) == "numeric":
            ga, gb = _group_numeric(_as_number(a).to_numpy(), _as_number(b).to_numpy(), ngroups)
            cols_r.append(pl.Series(c, ga, nan_to_null=True))
            cols_s.append(pl.Series(c, gb, nan_to_null=True))
        else:
            cols_r.append(a.cast(pl.String).alias(c))
            cols_s.append(b.cast(pl.String).alias(c))
    tr = pl.DataFrame(cols_r).group_by(list(vars)).len("real")
    ts = pl.DataFrame(cols_s).group_by(list(vars)).len("synthetic")
    # sorted, so that sums over the cells run in one order and repeat to the last bit
    return tr.join(ts, on=list(vars), how="full", coalesce=True, nulls_equal=True) \
        .with_columns(pl.col("real").fill_null(0).cast(pl.Int64), pl.col("synthetic").fill_null(0).cast(pl.Int64)) \
        .sort(list(vars), nulls_last=True)


def utility_tab(real: Any, synthetic: Any, vars: Sequence[str], ngroups: int = 5) -> pl.DataFrame:
    """Table utility of the cross-table of ``vars`` (see the module docstring), as synthpop's
    ``utility.tab``; one row per statistic."""
    if not vars:
        raise SynthSpectrumError("name at least one variable for the table")
    counts = cell_counts(real, synthetic, vars, ngroups)
    td = counts["real"].to_numpy().astype(float)
    ts = counts["synthetic"].to_numpy().astype(float)
    df = len(td) - 1
    n = ts.sum() + td.sum()
    c = ts.sum() / n
    diff = ts - td * c / (1 - c)
    vw = float(np.sum(diff**2 / ((ts + td) * c)))
    ft = float(4 * np.sum((np.sqrt(ts) - np.sqrt(c / (1 - c) * td)) ** 2))
    pd_, ps = td / td.sum(), ts / ts.sum()
    half = (pd_ + ps) / 2
    def kl_part(p: np.ndarray) -> float:  # sum p log2(p / half) over the cells where p > 0
        nz = p > 0
        return float(np.sum(p[nz] * np.log2(p[nz] / half[nz])))

    jsd = kl_part(pd_) / 2 + kl_part(ps) / 2
    res = {
        "pMSE": vw * c * (1 - c) ** 2 / n, "S_pMSE": vw / df if df else float("nan"), "df": float(df),
        "VW": vw, "S_VW": vw / df if df else float("nan"), "FT": ft, "S_FT": ft / df if df else float("nan"),
        "JSD": jsd, "S_JSD": jsd * 2 * n / df / np.log(2) if df else float("nan"),
    }
    return pl.DataFrame({"measure": list(res), "value": [float(v) for v in res.values()]})


# --- specific utility ------------------------------------------------------------------------

def regression_fit(real: Any, synthetic: Any, formula: str, family: str = "gaussian", level: float = 0.95) -> pl.DataFrame:
    """Specific utility: the same regression on real and synthetic data, term by term.

    ``formula`` in R/patsy syntax (``"admitted ~ age_band + treatment"``); ``family`` is
    ``"gaussian"`` (linear) or ``"binomial"`` (logistic). Per term: both estimates and standard
    errors, ``std_coef_diff = (b_syn - b_real) / se_real`` and the confidence-interval overlap
    of Karr, Kohnen, Oganian, Reiter & Sanil (2006):
    ``ci_overlap = 1/2 [(min(U_r, U_s) - max(L_r, L_s)) / (U_r - L_r) + (same) / (U_s - L_s)]``,
    1 for identical intervals, 0 or below for intervals that do not overlap.
    """
    import statsmodels.formula.api as smf
    from statsmodels.genmod import families

    r, s = check_pair(real, synthetic)
    fams = {"gaussian": families.Gaussian(), "binomial": families.Binomial()}
    if family not in fams:
        raise SynthSpectrumError(f"family must be 'gaussian' or 'binomial', got {family!r}")

    def fit(df: pl.DataFrame, what: str):
        pdf = df.with_columns([df.get_column(c).cast(pl.Int8) for c in df.columns if df.schema[c] == pl.Boolean]).to_pandas()
        try:
            return smf.glm(formula, data=pdf, family=fams[family]).fit()
        except Exception as exc:  # patsy names the unknown term
            raise SynthSpectrumError(f"the formula {formula!r} cannot be fitted on the {what}: {exc}") from None

    fr, fs = fit(r, "real data"), fit(s, "synthetic data")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for term in fr.params.index:
        br, sr = float(fr.params[term]), float(fr.bse[term])
        bs = float(fs.params.get(term, np.nan))
        ss = float(fs.bse.get(term, np.nan))
        lr, ur, ls, us = br - z * sr, br + z * sr, bs - z * ss, bs + z * ss
        inter = min(ur, us) - max(lr, ls)
        overlap = 0.5 * (inter / (ur - lr) + inter / (us - ls)) if np.isfinite(bs) else float("nan")
        rows.append({"term": term, "estimate_real": br, "se_real": sr, "estimate_synthetic": bs, "se_synthetic": ss,
                     "std_coef_diff": (bs - br) / sr if sr > 0 else float("nan"), "ci_overlap": overlap})
    return pl.DataFrame(rows)
