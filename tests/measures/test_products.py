"""The propensity fit's S'WS product, counted once and computed per Newton step, upper triangle
only, against scipy's public sparse product: the same upper triangle, bit for bit (the Newton
step's Cholesky factor reads no other), and its mirror below."""

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
    assert len(P.square.blocks) > 1  # and the triangle is cut into runs (else no sum would be saved)
    upper = np.triu(np.ones((X.shape[1], X.shape[1]), dtype=bool))
    rng = np.random.default_rng(maxorder)
    for w in (np.ones(X.shape[0]), rng.random(X.shape[0]), rng.random(X.shape[0]) * 1e-9):
        sw = P.S.copy()
        sw.data = P.S.data * w[P.row_of]
        got, want = P.square(w), (P.ST @ sw).toarray()
        assert got[upper].tobytes() == want[upper].tobytes()
        assert np.allclose(got, want, rtol=1e-14, atol=0)  # below it, scipy's to rounding (summed or mirrored)
        if (w == 1).all():  # the rank check's X'X (pivoted QR reads all of it): every entry's bits
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
        upper = np.triu(np.ones(want.shape, dtype=bool))  # what the Newton step's Cholesky factor reads
        assert P.gram(w)[upper].tobytes() == want[upper].tobytes()
