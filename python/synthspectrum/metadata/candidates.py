"""Which of metasyn's distributions a column may be fitted with.

metasyn picks, per column, the candidate with the best information criterion (BIC) among its
installed fitters. We pass each column its own candidates (a ``plugins`` registry in
``var_specs``): every installed fitter, with the rounded whole-number normals of
:mod:`synthspectrum.metadata.distributions` in place of metasyn's truncating ones, and, for a
column that is never negative (or never positive), only distributions whose draws cannot
cross zero.
"""

from __future__ import annotations

import functools

# Distributions whose draws stay on one side of zero when fitted to a column on that side:
# bounded by the (possibly micro-aggregated) data, or with support [0, inf).
BOUNDED_BY_DATA = frozenset({"core.uniform", "core.truncated_normal", "core.constant",
                             "core.multinoulli", "core.na", "synthspectrum.rounded_truncated_normal"})
SIGN_SAFE = {
    # not core.unique_key: a unique key is this layer's own choice (is_unique_key, unique=)
    "non-negative": BOUNDED_BY_DATA | {"core.exponential", "core.lognormal", "core.poisson"},
    "non-positive": BOUNDED_BY_DATA,
}


@functools.lru_cache(maxsize=None)
def sign_safe_registry(sign: str | None, excluded: frozenset = frozenset()):
    """metasyn's installed fitters (all plugins) whose distributions keep ``sign`` (``None``: any
    sign), less the distributions in ``excluded``, with the rounded normals of
    :mod:`synthspectrum.metadata.distributions` in place of metasyn's truncating ones.

    Passed as a column's ``plugins`` in ``var_specs``; metasyn then chooses among these only.
    """
    from metasyn.registry import DistributionRegistry

    from synthspectrum.metadata.distributions import rounding

    fitters = rounding(DistributionRegistry.parse(None).fitters)
    return DistributionRegistry([f for f in fitters if f.distribution.name not in excluded
                                 and (sign is None or f.distribution.name in SIGN_SAFE[sign])])

