"""Our logistic regression solver: unpenalised IRLS, the fit of R's ``glm(family = binomial)``.

Why our own: the propensity measures (:mod:`synthspectrum.measures.propensity`) must give
synthpop's numbers, and synthpop fits its propensity model with R's glm. This solver drops
aliased columns as glm does (:func:`independent_columns`) and takes glm's Newton steps, but
solves the small p x p normal equations by Cholesky instead of a QR of the N x p design per
step, and iterates to a deviance tolerance of 1e-10 (glm's default is 1e-8).

What ``bench/bench_evaluation.py`` measured (best of 5, interleaved, on a shared 2-core
machine; utility_gen's own designs; time relative to ours):

    design (records x columns)      statsmodels GLM   R glm.fit   sklearn newton-cholesky
    4,000 x 35, main effects              7.2x           4.9x            1.9x
    4,000 x 114, pairs of 5 columns      16.8x           9.2x            0.3x
    20,000 x 36, main effects             5.6x           2.2x            1.5x
    20,000 x 131, pairs of 5 columns      1.5x           0.7x            0.1x

Fitted probabilities agree with statsmodels' to 2e-13 (main effects) and 1e-7 (pairs), with
R's glm.fit to 1e-10 .. 1e-8 on main effects and 1e-5 with pairs (a coefficient running off
under separation, where glm stops at its looser tolerance); the pMSE equals synthpop's to 1e-6
(tests/measures). So: faster than statsmodels' GLM on every design and than R's glm.fit on all
but the widest; scikit-learn's Newton-Cholesky solver is faster once interactions widen the design.

That table is of the dense design. The propensity design is now sparse
(:mod:`synthspectrum.measures.design`), and the same Newton steps build X'WX from sparse products
(:class:`Products`): the step costs the non-zeros per record squared, not the columns squared.
On the default spectrum's model (6,666 records x 511 columns, 31 non-zeros per record) the fit
took 0.55 s instead of 11-12 s (1.6-2.1 s with BLAS held to one thread) on the shared 2-core
machine, fitted probabilities within 2e-10 of the dense fit's (``bench/bench_propensity.py``).
Numbers in, numbers out: it sees no column names.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

# A column of a sparse design with non-zeros in more than this share of its records is handled
# as a dense one (BLAS beats sparse products there): the intercept, numbers and their products.
DENSE_SHARE = 0.25


class Products:
    """X'WX and X'Wz of one design X, the cheap way for its kind.

    A dense X: (X * w)' X by BLAS, as ever. A sparse X (:mod:`synthspectrum.measures.design`): its
    columns split into the dense ones D (:data:`DENSE_SHARE`) and the sparse rest S, and

        X'WX = [[D'WD, D'WS], [S'WD, S'WS]]

    with D'WD by BLAS, S'WD a sparse-times-dense product and S'WS a sparse-times-sparse one:
    the work is the number of non-zeros per record squared instead of the number of columns
    squared (the dummies of a category and their products hold one non-zero per record each).
    The same sums, added in another order: equal to rounding.
    """

    def __init__(self, X: Any):
        self.X = X
        self.sparse = sparse.issparse(X)
        if not self.sparse:
            return
        Xc = sparse.csc_matrix(X)  # columns are cheap to take from CSC, and its transpose is CSR
        n, p = Xc.shape
        nnz = np.diff(Xc.indptr)
        self.dense, self.rest = np.flatnonzero(nnz > DENSE_SHARE * n), np.flatnonzero(nnz <= DENSE_SHARE * n)
        self.D = np.ascontiguousarray(Xc[:, self.dense].toarray())
        # S keeps all p columns, the dense ones empty: its products come out p x p, ready to take
        # the dense blocks, instead of being scattered into place (np.ix_ cost a sixth of a step).
        # Each entry is the same sum in the same order as with the sparse columns alone.
        is_rest = nnz <= DENSE_SHARE * n
        entries = np.repeat(is_rest, nnz)
        rest = sparse.csc_matrix((Xc.data[entries], Xc.indices[entries],
                                  np.concatenate([[0], np.cumsum(nnz * is_rest)])), shape=(n, p))
        self.ST = rest.T  # CSR
        self.S = rest.tocsr()
        self.Sw = self.S.copy()  # S with its rows scaled by w, refilled at every call
        self.row_of = np.repeat(np.arange(n), np.diff(self.S.indptr))
        self.XT = Xc.T
        self.p = p
        self.square = _SquareProduct(self.ST, self.Sw)

    def gram(self, w: np.ndarray) -> np.ndarray:
        """X'WX, W = diag(w), as a dense p x p array."""
        if not self.sparse:
            xw = self.X * w[:, None]
            return xw.T @ self.X
        dw = self.D * w[:, None]
        np.multiply(self.S.data, w[self.row_of], out=self.Sw.data)
        out = self.square()  # S'WS, zero in the dense rows and columns
        sd = self.ST @ dw  # S'WD, zero in the dense rows
        out[:, self.dense] = sd
        out[self.dense, :] = sd.T
        out[np.ix_(self.dense, self.dense)] = self.D.T @ dw
        return out

    def normal(self, w: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The normal equations of a weighted least-squares step: X'WX and X'Wz."""
        if not self.sparse:  # today's dense step, to the last bit
            xw = self.X * w[:, None]
            return xw.T @ self.X, xw.T @ z
        return self.gram(w), self.XT @ (w * z)


class _SquareProduct:
    """S'WS (``ST @ Sw``, both CSR) as a dense array, by the very routines scipy's ``@`` and
    ``toarray`` run (sparsetools' csr_matmat, then csr_todense), without its first pass.

    scipy's sparse product first counts an upper bound of the result's non-zeros
    (csr_matmat_maxnnz, a walk of both structures as long as the product itself) and then
    computes it. The structure of S and Sw is the same at every Newton step (only Sw's values
    change), so the bound is counted once here; each call runs the numeric pass alone, so every
    entry is the same sum in the same order as before, bit for bit. Where sparsetools' private
    names are missing (another scipy), the public ``(ST @ Sw).toarray()``: the same numbers.
    """

    def __init__(self, ST: Any, Sw: Any):
        self.ST, self.Sw = ST, Sw
        try:
            from scipy.sparse._sparsetools import csr_matmat, csr_matmat_maxnnz, csr_todense
        except ImportError:
            self.fast = False
            return
        self.fast = True
        self.matmat, self.todense = csr_matmat, csr_todense
        self.M, self.N = ST.shape[0], Sw.shape[1]
        idx = ST._get_index_dtype((ST.indptr, ST.indices, Sw.indptr, Sw.indices))
        self.arrays = [np.asarray(a, dtype=idx) for a in (ST.indptr, ST.indices, Sw.indptr, Sw.indices)]
        nnz = csr_matmat_maxnnz(self.M, self.N, *self.arrays)
        idx = ST._get_index_dtype((ST.indptr, ST.indices, Sw.indptr, Sw.indices), maxval=nnz)
        self.arrays = [np.asarray(a, dtype=idx) for a in self.arrays]
        self.Cp, self.Cj = np.empty(self.M + 1, dtype=idx), np.empty(nnz, dtype=idx)
        self.Cx = np.empty(nnz, dtype=np.result_type(ST.dtype, Sw.dtype))

    def __call__(self) -> np.ndarray:
        if not self.fast:
            return (self.ST @ self.Sw).toarray()
        sp, si, op, oi = self.arrays
        self.matmat(self.M, self.N, sp, si, self.ST.data, op, oi, self.Sw.data, self.Cp, self.Cj, self.Cx)
        out = np.zeros((self.M, self.N), dtype=self.Cx.dtype)
        self.todense(self.M, self.N, self.Cp, self.Cj, self.Cx, out)
        return out


def independent_columns(X: Any, tol: float = 1e-10) -> np.ndarray:
    """Indices of a maximal set of linearly independent columns (R's glm drops the others).

    Found by pivoted QR of the small Gram matrix X'X, which has the same null space as X: a
    p x p problem instead of an N x p one. X dense or scipy-sparse (its Gram by :class:`Products`).
    """
    if sparse.issparse(X):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):  # small BLAS work: one thread (see irls_beta)
            return _sparse_rank(Products(X), tol)
    norms = np.linalg.norm(X, axis=0)
    norms[norms == 0] = 1.0
    gram = X.T @ X / np.outer(norms, norms)  # unit columns: a date in days and a 0/1 dummy alike
    return _pivoted_rank(gram, tol)


def _sparse_rank(products: Products, tol: float) -> np.ndarray:
    gram = products.gram(np.ones(products.X.shape[0]))
    norms = np.sqrt(np.diag(gram))
    norms[norms == 0] = 1.0
    return _pivoted_rank(gram / np.outer(norms, norms), tol)


def fit_full_rank(X: Any, y: np.ndarray, max_iter: int = 100, tol: float = 1e-10,
                  stretch: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """:func:`independent_columns` then :func:`irls_beta` on those columns: (kept columns,
    coefficients). For a sparse X of full rank (the usual case) both share one
    :class:`Products`, whose set-up (column split, transposes) costs as much as a Newton step.
    ``stretch``: see :func:`_stretch`."""
    if not sparse.issparse(X):
        keep = independent_columns(X)
        return keep, irls_beta(X[:, keep], y, max_iter, tol, stretch)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # see irls_beta
        products = Products(X)
        keep = _sparse_rank(products, 1e-10)
        if len(keep) < X.shape[1]:
            X = X[:, keep]
            products = Products(X)
        return keep, _irls(X, y, max_iter, tol, products, stretch)


def _pivoted_rank(gram: np.ndarray, tol: float) -> np.ndarray:
    """The columns kept by pivoted QR of a unit-diagonal Gram matrix: those whose pivot exceeds
    ``tol`` times the first."""
    from scipy.linalg import qr

    rr, piv = qr(gram, pivoting=True, mode="r")  # R and the pivots only: Q, never read, is not formed
    diag = np.abs(np.diag(rr))
    rank = int(np.sum(diag > tol * diag[0])) if diag.size else 0
    return np.sort(piv[:rank])


def logistic_fit(X: Any, y: np.ndarray, max_iter: int = 100, tol: float = 1e-10,
                 independent: bool = False) -> np.ndarray:
    """Unpenalised logistic regression by iteratively reweighted least squares; fitted probabilities.

    The same fit as R's ``glm(family = binomial)``: aliased columns are dropped first, then
    Newton steps solve (X'WX) b = X'Wz by Cholesky until the deviance changes by < ``tol``.
    Written out for the reasons (and the measured speed) in the module docstring. X dense or
    scipy-sparse (:class:`Products` says how each is used).
    """
    if not independent:
        X = X[:, independent_columns(X)]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # separation drives eta to +-inf
        return 1 / (1 + np.exp(-X @ irls_beta(X, y, max_iter, tol)))


def irls_beta(X: Any, y: np.ndarray, max_iter: int, tol: float, stretch: bool = True) -> np.ndarray:
    """The coefficients of the IRLS fit of :func:`logistic_fit` (X already of full column rank).

    Near separation a full Newton step can overshoot, after which the deviance climbs and the
    weights of the separated records vanish: the step is then halved until the deviance no
    longer rises (as R's glm.fit truncates a diverging step), and the best iterate is kept. A
    fit that does not converge within ``max_iter`` steps says so in a warning. Where every
    step lowers the deviance, as on well-conditioned designs, no step is halved. With
    ``stretch`` (the default), a step that lowers the deviance is lengthened while it goes on
    lowering it (:func:`_stretch`), which brings a separated fit to the tolerance in about half
    the steps; ``stretch=False`` is the plain Newton iteration.
    """
    if sparse.issparse(X):
        # the BLAS work left is small (p x p Cholesky factors, thin dense blocks): one thread.
        # Measured on the shared 2-core machine, OpenBLAS's threads, waking beside polars' and
        # other processes', made a 508 x 508 Cholesky factor take 250 ms instead of 5 ms
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return _irls(X, y, max_iter, tol, stretch=stretch)
    return _irls(X, y, max_iter, tol, stretch=stretch)


def _stretch(deviance: Any, beta_old: np.ndarray, beta: np.ndarray, dev: float, eta: np.ndarray,
             mu: np.ndarray) -> tuple:
    """The Newton step from ``beta_old`` to ``beta``, doubled (up to 1024 times its length) while the
    deviance keeps falling: (coefficients, deviance, eta, mu, whether it was stretched).

    Why: under (quasi-)separation, which the propensity model's interactions nearly always meet
    (a cell of two categories held by synthetic records only), the coefficients that separate run
    off to infinity, and a Newton step moves them by a constant amount (the linear predictor of the
    separated records grows by about 2 a step), so the deviance converges only linearly, at a rate
    of about 1/e a step: 17-20 steps to glm's criterion at tol 1e-10 on the default spectrum's
    model. Along those directions the deviance falls all the way to its infimum, so a longer step
    along the same direction is better still; where the model is well determined, the doubled step
    overshoots, the deviance rises and the plain step is kept. The fit still ends on a plain Newton
    step (see :func:`_irls`). Measured on the default spectrum's five kinds of synthetic set:
    9-11 Newton steps instead of 17-20, fitted probabilities within 4e-6 and pMSE within 6e-9 of
    the plain iteration's (both iterations stop short of the same infimum; the stretched one nearer
    it, at a lower deviance)."""
    step = beta - beta_old
    for factor in (2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0):
        longer = beta_old + factor * step
        dev2, eta2, mu2 = deviance(longer)
        if not dev2 < dev:
            return beta, dev, eta, mu, factor > 2.0
        beta, dev, eta, mu = longer, dev2, eta2, mu2
    return beta, dev, eta, mu, True


def _cholesky_solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``cho_solve(cho_factor(gram), rhs)``, the same LAPACK routines (potrf, potrs) called
    directly: scipy's wrappers (argument checks, finiteness scans, a copy) took half as long
    again as the factorisation of the spectrum's 507 x 507 X'WX. ``gram`` is made afresh at
    every Newton step and is finite by construction (w >= 1e-12), so it is factored in place; it
    is float64, as the designs are (the d-routines would cast anything else to it)."""
    from scipy.linalg import lapack

    factor, info = lapack.dpotrf(gram, lower=False, clean=False, overwrite_a=True)
    if info > 0:
        raise np.linalg.LinAlgError(f"{info}-th leading minor of the array is not positive definite")
    beta, info = lapack.dpotrs(factor, rhs, lower=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"potrs: illegal value in argument {-info}")
    return beta


def _irls(X: Any, y: np.ndarray, max_iter: int, tol: float, products: Products | None = None,
          stretch: bool = True) -> np.ndarray:
    import warnings

    products = products or Products(X)

    def deviance(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        eta = X @ beta
        mu = np.clip(1 / (1 + np.exp(-eta)), 1e-15, 1 - 1e-15)
        return float(-2 * np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu))), eta, mu

    mu = np.full(len(y), (y.sum() + 0.5) / (len(y) + 1.0))
    eta = np.log(mu / (1 - mu))
    dev_old, beta_old = np.inf, None
    for _ in range(max_iter):
        w = np.maximum(mu * (1 - mu), 1e-12)
        z = eta + (y - mu) / w
        try:
            gram, rhs = products.normal(w, z)
            beta = _cholesky_solve(gram, rhs)
        except np.linalg.LinAlgError:  # near-separation: weights ~0 make X'WX singular
            sw = np.sqrt(w)
            dense = X.toarray() if products.sparse else X
            beta = np.linalg.lstsq(dense * sw[:, None], z * sw, rcond=None)[0]
        stretched = False
        with np.errstate(over="ignore"):
            dev, eta, mu = deviance(beta)
            halvings = 0
            while beta_old is not None and not dev <= dev_old + tol * (abs(dev_old) + 0.1) and halvings < 30:
                beta = (beta + beta_old) / 2
                dev, eta, mu = deviance(beta)
                halvings += 1
            if stretch and beta_old is not None and halvings == 0 and dev < dev_old:
                beta, dev, eta, mu, stretched = _stretch(deviance, beta_old, beta, dev, eta, mu)
        if beta_old is not None and dev > dev_old:  # halving did not help: the previous iterate is the best
            return beta_old
        # the fit ends on a plain Newton step, never on a stretched one, so that the coefficients that
        # do converge are at Newton's precision (a stretched step moves them too)
        if not stretched and abs(dev - dev_old) < tol * (abs(dev) + 0.1):
            return beta
        dev_old, beta_old = dev, beta
    warnings.warn(f"the logistic propensity model did not converge in {max_iter} iterations (near separation): "
                  "its pMSE is that of the best iterate found", UserWarning, stacklevel=3)
    return beta
