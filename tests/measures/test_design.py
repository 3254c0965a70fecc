"""The sparse propensity design and its fit, against the dense path they replaced.

The reference below is the dense design and the dense IRLS as they were before the design went
sparse (copied here, not imported, so that it stays what it was): one-hot blocks and their
outer products, (X * w)' X by BLAS, scipy's Mann-Whitney and KS. Only the plan (which columns,
pooled levels, widths: design.main_effects, moved unchanged, tested in test_bounds) is shared.
The sparse path must give the same matrix bit for bit and the same measures to 1e-6; frozen
numbers computed by the dense code before the change pin the default spectrum's frames.
"""

import warnings
from itertools import combinations
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import sparse, stats

from synthspectrum.measures import propensity
from synthspectrum.measures import utility as ut
from synthspectrum.measures.design import cap, main_effects
from synthspectrum.measures.logistic import Products, independent_columns, irls_beta

DATA = Path(__file__).parents[1] / "data"


# --- the dense reference (the code before the change) --------------------------------------

def dense_design(r, s, maxorder):
    """The dense design as propensity._design built it: one-hot groups, then the outer products
    of whole terms in R's order while they fit the cap."""
    specs, used, _, n, _ = main_effects(r, s, 60, 1000)
    groups = []
    for _, _, build in specs:
        g = build()
        if g.codes is not None:
            out = np.zeros((n, g.width))
            hit = g.codes > 0
            out[np.flatnonzero(hit), g.codes[hit] - 1] = 1.0
            groups.append(out)
        else:
            groups.append(g.values[:, None])
    limit, cols = cap(n, used, 1000), [np.ones((n, 1))] + groups
    for order in range(2, maxorder + 2):
        for combo in combinations(range(len(groups)), order):
            width = int(np.prod([groups[i].shape[1] for i in combo]))
            if used + width > limit:
                return np.hstack(cols)
            prod = groups[combo[0]]
            for i in combo[1:]:
                prod = (prod[:, :, None] * groups[i][:, None, :]).reshape(n, -1)
            cols.append(prod)
            used += width
    return np.hstack(cols)


def dense_independent(X, tol=1e-10):
    from scipy.linalg import qr

    norms = np.linalg.norm(X, axis=0)
    norms[norms == 0] = 1.0
    _, rr, piv = qr(X.T @ X / np.outer(norms, norms), pivoting=True)
    diag = np.abs(np.diag(rr))
    return np.sort(piv[:int(np.sum(diag > tol * diag[0]))])


def dense_irls(X, y, max_iter=100, tol=1e-10):
    from scipy.linalg import cho_factor, cho_solve

    def deviance(beta):
        eta = X @ beta
        mu = np.clip(1 / (1 + np.exp(-eta)), 1e-15, 1 - 1e-15)
        return float(-2 * np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu))), eta, mu

    mu = np.full(len(y), (y.sum() + 0.5) / (len(y) + 1.0))
    eta = np.log(mu / (1 - mu))
    dev_old, beta_old = np.inf, None
    for _ in range(max_iter):
        w = np.maximum(mu * (1 - mu), 1e-12)
        z = eta + (y - mu) / w
        xw = X * w[:, None]
        try:
            beta = cho_solve(cho_factor(xw.T @ X), xw.T @ z)
        except np.linalg.LinAlgError:
            sw = np.sqrt(w)
            beta = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
        with np.errstate(over="ignore"):
            dev, eta, mu = deviance(beta)
            halvings = 0
            while beta_old is not None and not dev <= dev_old + tol * (abs(dev_old) + 0.1) and halvings < 30:
                beta = (beta + beta_old) / 2
                dev, eta, mu = deviance(beta)
                halvings += 1
        if beta_old is not None and dev > dev_old:
            return beta_old
        if abs(dev - dev_old) < tol * (abs(dev) + 0.1):
            return beta
        dev_old, beta_old = dev, beta
    return beta


def dense_measures(r, s, maxorder):
    X = dense_design(r, s, maxorder)
    t = np.concatenate([np.ones(s.height), np.zeros(r.height)])
    keep = dense_independent(X)
    with np.errstate(over="ignore"):
        score = 1 / (1 + np.exp(-X[:, keep] @ dense_irls(X[:, keep], t)))
    n, c = len(t), t.mean()
    pmse = np.mean((score - c) ** 2)
    u = stats.mannwhitneyu(score[t == 1], score[t == 0], method="asymptotic").statistic
    return {"pMSE": pmse, "S_pMSE": pmse / ((len(keep) - 1) * (1 - c) ** 2 * c / n),
            "SPECKS": stats.ks_2samp(score[t == 1], score[t == 0]).statistic,
            "PO50": np.mean((score > 0.5) == (t == 1)) * 100 - 50, "U": u, "AUC": u / (s.height * r.height)}


# --- frames ----------------------------------------------------------------------------------

def mixed(rng, n, shift):
    """Every kind of group: a category, one with missing values, a number with missing values,
    a boolean, a small integer and a 70-level category (pooled)."""
    x = rng.normal(shift, 1, n)
    x[rng.random(n) < 0.1] = np.nan
    return pl.DataFrame({"a": rng.choice(list("pqrs"), n),
                         "b": pl.Series(rng.choice(["u", "v", "w"], n)).replace("w", None),
                         "x": x, "f": rng.random(n) < 0.3 + shift / 10, "k": rng.integers(0, 5, n),
                         "m": rng.choice([f"l{i}" for i in range(70)], n)})


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(11)
    frozen = pl.read_parquet(DATA / "frozen_real.parquet"), pl.read_parquet(DATA / "frozen_synthetic.parquet")
    five = ["age_band", "gender", "treatment", "admitted", "time_in_ae_minutes"]
    return {"mixed": (mixed(rng, 900, 0.0), mixed(rng, 700, 0.3)),
            "frozen": frozen,
            "frozen five": tuple(f.select(five) for f in frozen),
            "numbers": tuple(pl.DataFrame({f"x{j}": rng.normal(size=300) for j in range(12)}) for _ in range(2))}


CASES = [("mixed", 0), ("mixed", 1), ("mixed", 2), ("frozen", 0), ("frozen five", 1), ("numbers", 1)]


@pytest.mark.parametrize("name,maxorder", CASES)
def test_the_sparse_design_is_the_dense_design_bit_for_bit(pairs, name, maxorder):
    r, s = pairs[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X, t, notes, n_main = propensity._sparse_design(r, s, maxorder)
        dense = dense_design(r, s, maxorder)
        mains = dense_design(r, s, 0)
        size = ut.design_size(r, s, maxorder)
    assert sparse.isspmatrix_csr(X) and X.has_sorted_indices
    assert np.all(X.data != 0)  # zeros are not stored
    assert X.shape == dense.shape and np.array_equal(X.toarray(), dense)
    assert n_main == mains.shape[1]  # the intercept and main effects come first
    assert size["columns"] == X.shape[1]


@pytest.mark.parametrize("name,maxorder", CASES)
def test_utility_gen_gives_the_dense_paths_numbers(pairs, name, maxorder):
    r, s = pairs[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ut.utility_gen(r, s, maxorder=maxorder)
        theirs = dense_measures(r, s, maxorder)
    got = dict(zip(ours["measure"], ours["value"]))
    for stat, want in theirs.items():
        assert got[stat] == pytest.approx(want, rel=1e-6, abs=1e-12), stat


@pytest.mark.parametrize("name,maxorder", CASES)
def test_the_rank_behind_s_pmse_is_the_designs_rank(pairs, name, maxorder):
    # S_pMSE's null expectation counts k = rank(X) parameters: the sparse Gram must keep exactly
    # the columns the dense one kept, and their number is numpy's rank of the dense matrix
    r, s = pairs[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = propensity._sparse_design(r, s, maxorder)[0]
    dense = X.toarray()
    keep = independent_columns(X)
    assert np.array_equal(keep, dense_independent(dense))
    assert len(keep) == np.linalg.matrix_rank(dense)


def test_the_sparse_gram_is_the_dense_one():
    rng = np.random.default_rng(2)
    dense = rng.normal(size=(400, 30)) * (rng.random((400, 30)) < np.linspace(0.02, 1, 30))
    dense[:, 0] = 1.0
    w = rng.random(400)
    p = Products(sparse.csr_matrix(dense))
    assert len(p.dense) and len(p.rest)  # both blocks are exercised
    gram, rhs = p.normal(w, np.arange(400.0))
    assert np.allclose(gram, (dense * w[:, None]).T @ dense, rtol=1e-13, atol=1e-12)
    assert np.allclose(rhs, dense.T @ (w * np.arange(400.0)), rtol=1e-13)
    y = (rng.random(400) < 0.4).astype(float)
    assert np.allclose(irls_beta(sparse.csr_matrix(dense), y, 100, 1e-10), dense_irls(dense, y), rtol=1e-8)


def test_one_sort_gives_scipys_u_and_ks():
    rng = np.random.default_rng(8)
    for k in range(200):
        n = int(rng.integers(2, 80))
        t = (rng.random(n) < 0.5).astype(float)
        t[:2] = [1, 0]
        x = rng.integers(0, 6, n).astype(float) if k % 2 else rng.normal(size=n)  # ties, or none
        if k % 3 == 0:
            x[rng.random(n) < 0.2] = np.inf  # separated out-of-fold predictors
        u, d = propensity._u_and_ks(x, t)
        assert u == stats.mannwhitneyu(x[t == 1], x[t == 0]).statistic
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy's exact p-value can fail; its statistic stands
            assert d == stats.ks_2samp(x[t == 1], x[t == 0]).statistic


# numbers from the dense code, computed before the design went sparse (commit 6d9beac)
FROZEN = {
    ("frozen", 0): {"pMSE": 0.002873057214273466, "S_pMSE": 2.447187511250538, "SPECKS": 0.091,
                    "PO50": 3.94736842105263, "U": 2019979.0, "AUC_cv2": 0.5138555555555555,
                    "AUC_cv5": 0.5148275},
    ("frozen", 1): {"pMSE": 0.05826061931754663, "S_pMSE": 3.388033096868359, "SPECKS": 0.4117777777777778,
                    "PO50": 20.578947368421055, "U": 2800724.0},
    ("spectrum", 0): {"U": 5554444.5, "AUC_cv2": 0.4647898633247663, "AUC_cv5": 0.4276981253480884},
    ("spectrum", 1): {"pMSE": 0.04360404706902362, "S_pMSE": 4.586423317745348, "SPECKS": 0.3363336333633363,
                      "PO50": 16.32163216321632, "U": 8181454.0, "AUC_cv2": 0.6075019743198442},
}


@pytest.mark.parametrize("name,maxorder", list(FROZEN))
def test_the_numbers_before_the_change_stand(pairs, name, maxorder):
    """The default spectrum's own frame (its training split of the bundled data against a copy
    with every column shuffled) and the frozen frames. AUC_cv of frozen/1 is left out: its
    2-fold fits (1,900 records, ~480 columns) are separated, their out-of-fold predictors run
    to +-60,000 and move by thousands when the dense code merely reorders the design's columns;
    its AUC moved by 5e-4 either way."""
    if name == "spectrum":
        from synthspectrum.datasets import load
        from synthspectrum.spectrum import split

        r, _ = split(load("ae_deidentified"), 2 / 3, 1)
        rng = np.random.default_rng(3)
        s = r.select([r.get_column(c).gather(rng.permutation(r.height)) for c in r.columns])
    else:
        r, s = pairs[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ut.utility_gen(r, s, maxorder=maxorder)
        got = dict(zip(out["measure"], out["value"]))
        for folds in (2, 5):
            if f"AUC_cv{folds}" in FROZEN[name, maxorder]:
                got[f"AUC_cv{folds}"] = ut.propensity_auc_cv(r, s, maxorder=maxorder, folds=folds, seed=4)
    for stat, want in FROZEN[name, maxorder].items():
        assert got[stat] == pytest.approx(want, rel=1e-6, abs=1e-12), stat


def test_the_folds_are_scikit_learns():
    # propensity_auc_cv's folds: StratifiedGroupKFold's greedy assignment, rewritten on plain
    # floats; sklearn itself is the expectation, on random labels, group sizes, folds and seeds
    from sklearn.model_selection import StratifiedGroupKFold

    rng = np.random.default_rng(0)
    for _ in range(150):
        n, folds = int(rng.integers(10, 400)), int(rng.integers(2, 6))
        t = (rng.random(n) < rng.uniform(0.2, 0.8)).astype(float)
        t[:folds], t[folds:2 * folds] = 1, 0
        groups = rng.integers(0, max(folds, int(n * rng.uniform(0.05, 1))), n)
        seed = int(rng.integers(0, 1000))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                split = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
                want = [test for _, test in split.split(t, t, groups)]
            except ValueError:  # fewer groups than folds: refused by both
                with pytest.raises(ValueError):
                    propensity._stratified_group_folds(t, groups, folds, seed)
                continue
        got = propensity._stratified_group_folds(t, groups, folds, seed)
        assert len(got) == folds and all(np.array_equal(a, b) for a, b in zip(got, want))


def test_enum_codes_are_the_text_paths_codes():
    # an Enum's codes come from its physical codes; the same column as text takes the general
    # path (labels sorted as text): both must give one design, on labels that sort differently
    # by code point than by the Enum's own order, with missing values and unused levels
    rng = np.random.default_rng(5)
    levels = ["b", "a", "Zed", "\u00e9", "\u00e4", "a b", "10", "9", "unused"]
    def frame(n):
        values = [None if rng.random() < 0.1 else v for v in rng.choice(levels[:-1], n).tolist()]
        return pl.DataFrame({"e": pl.Series(values, dtype=pl.Enum(levels)), "x": rng.normal(size=n)})
    real, syn = frame(400), frame(300)
    as_text = [f.with_columns(pl.col("e").cast(pl.String)) for f in (real, syn)]
    for maxorder in (0, 1):
        X = propensity._sparse_design(real, syn, maxorder)[0]
        assert np.array_equal(X.toarray(), propensity._sparse_design(*as_text, maxorder)[0].toarray())
    assert ut.utility_gen(real, syn).equals(ut.utility_gen(*as_text))
