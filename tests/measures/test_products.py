"""The propensity fit's S'WS product, counted once and computed per Newton step, against scipy's
public sparse product: the same array, bit for bit."""

import warnings

import numpy as np
import pytest

from synthspectrum.core.pair import check_pair
from synthspectrum.measures import propensity
from synthspectrum.measures.logistic import Products


def _design(frozen_split, maxorder):
    real, syn, _ = frozen_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r, s = check_pair(real, syn)
        return propensity._sparse_design(r, s, maxorder)[0]


@pytest.mark.parametrize("maxorder", [0, 1])
def test_square_product_is_scipys_bit_for_bit(frozen_split, maxorder):
    X = _design(frozen_split, maxorder)
    P = Products(X)
    assert P.square.fast  # the one-pass route runs here (else the test would compare scipy with itself)
    rng = np.random.default_rng(maxorder)
    for w in (np.ones(X.shape[0]), rng.random(X.shape[0]), rng.random(X.shape[0]) * 1e-9):
        np.multiply(P.S.data, w[P.row_of], out=P.Sw.data)
        got, want = P.square(), (P.ST @ P.Sw).toarray()
        assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("maxorder", [0, 1])
def test_gram_is_the_blockwise_product_bit_for_bit(frozen_split, maxorder):
    # X'WX as its blocks by scipy's public products, the sparse columns taken on their own (the
    # layout before the sparse block kept all p columns): every entry the same bits
    from scipy import sparse

    X = _design(frozen_split, maxorder)
    P = Products(X)
    Xc = sparse.csc_matrix(X)
    rest = Xc[:, P.rest]
    for w in (np.ones(X.shape[0]), np.random.default_rng(7).random(X.shape[0])):
        dw = P.D * w[:, None]
        sw = rest.tocsr()
        sw.data = sw.data * w[np.repeat(np.arange(X.shape[0]), np.diff(sw.indptr))]
        want = np.empty((X.shape[1], X.shape[1]))
        want[np.ix_(P.dense, P.dense)] = P.D.T @ dw
        want[np.ix_(P.rest, P.dense)] = rest.T @ dw
        want[np.ix_(P.dense, P.rest)] = (rest.T @ dw).T
        want[np.ix_(P.rest, P.rest)] = (rest.T.tocsr() @ sw).toarray()
        assert P.gram(w).tobytes() == want.tobytes()
