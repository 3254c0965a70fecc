"""The propensity model's logistic fit against the maximum likelihood worked out by hand: a model
of group dummies fits each group's share of ones, and a group of ones only (separation) is fitted
a probability that tends to 1. Stretched Newton steps reach the same fit in fewer steps."""

import numpy as np
import pytest
from scipy import sparse

from synthspectrum.measures import logistic


def _groups(sizes_and_ones):
    """Intercept and one dummy per group but the first; y with the given number of ones per group."""
    rows, y = [], []
    for g, (size, ones) in enumerate(sizes_and_ones):
        for i in range(size):
            rows.append([1.0] + [1.0 if g == h else 0.0 for h in range(1, len(sizes_and_ones))])
            y.append(1.0 if i < ones else 0.0)
    return np.array(rows), np.array(y)


def _fit(X, y, stretch, monkeypatch):
    steps = []
    normal = logistic.Products.normal
    monkeypatch.setattr(logistic.Products, "normal", lambda self, w, z: steps.append(1) or normal(self, w, z))
    beta = logistic.irls_beta(sparse.csr_matrix(X), y, 100, 1e-10, stretch=stretch)
    monkeypatch.setattr(logistic.Products, "normal", normal)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-X @ beta)), len(steps)


def test_group_dummies_fit_each_groups_share(monkeypatch):
    X, y = _groups([(40, 12), (50, 30), (30, 21)])  # shares 0.3, 0.6, 0.7
    for stretch in (False, True):
        p, _ = _fit(X, y, stretch, monkeypatch)
        assert p[:40] == pytest.approx(np.full(40, 0.3), abs=1e-12)
        assert p[40:90] == pytest.approx(np.full(50, 0.6), abs=1e-12)
        assert p[90:] == pytest.approx(np.full(30, 0.7), abs=1e-12)


def test_a_separated_group_is_fitted_near_one_in_fewer_steps(monkeypatch):
    X, y = _groups([(40, 12), (50, 30), (30, 30)])  # the third group holds ones only
    fits = {stretch: _fit(X, y, stretch, monkeypatch) for stretch in (False, True)}
    for p, _ in fits.values():
        assert p[:40] == pytest.approx(np.full(40, 0.3), abs=1e-9)
        assert p[40:90] == pytest.approx(np.full(50, 0.6), abs=1e-9)
        assert (1 - p[90:]).max() < 1e-8  # the limit is 1
    (plain, plain_steps), (stretched, stretched_steps) = fits[False], fits[True]
    assert stretched_steps < 0.7 * plain_steps, (stretched_steps, plain_steps)
    # the pMSE, sum (p - c)^2 / N with c the share of ones, is the same to far below 1e-6
    c = y.mean()
    assert np.mean((stretched - c) ** 2) == pytest.approx(np.mean((plain - c) ** 2), abs=1e-10)


def test_the_direct_cholesky_solve_is_scipys_bit_for_bit():
    from scipy.linalg import cho_factor, cho_solve

    rng = np.random.default_rng(4)
    for p in (1, 7, 120, 507):
        a = rng.normal(size=(3 * p, p))
        gram, rhs = a.T @ a, rng.normal(size=p)
        want = cho_solve(cho_factor(gram), rhs)
        assert logistic._cholesky_solve(gram.copy(), rhs).tobytes() == want.tobytes()
    with pytest.raises(np.linalg.LinAlgError):  # not positive definite: the step falls back, as before
        logistic._cholesky_solve(np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2))
