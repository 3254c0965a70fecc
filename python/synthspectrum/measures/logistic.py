"""Our logistic regression solver: unpenalised IRLS, the fit of R's ``glm(family = binomial)``.

Why our own: the propensity measures (:mod:`synthspectrum.measures.propensity`) must give
synthpop's numbers, and synthpop fits its propensity model with R's glm. This solver drops
aliased columns as glm does and iterates to glm's deviance tolerance, so its fitted
probabilities match glm's to about 1e-10; it solves the small p x p normal equations by
Cholesky instead of a QR of the N x p design per step, which makes it several times faster
than a general solver at that precision (``bench/bench_evaluation.py`` measures it against
statsmodels' GLM on the same design). Numbers in, numbers out: it sees no column names.
"""

from __future__ import annotations

import numpy as np


def independent_columns(X: np.ndarray, tol: float = 1e-10) -> np.ndarray:
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
        X = X[:, independent_columns(X)]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # separation drives eta to +-inf
        return 1 / (1 + np.exp(-X @ irls_beta(X, y, max_iter, tol)))


def irls_beta(X: np.ndarray, y: np.ndarray, max_iter: int, tol: float) -> np.ndarray:
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
