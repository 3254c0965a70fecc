"""The small-category rule: what a plot, a table or a generator may show of a real column.

A category is shown only when at least ``k`` real records hold it (default 5), at most the
``top`` (default 20) most frequent; the rest are pooled and counted. A column where fewer than
half of the real records fall in categories of at least ``k`` records is identifier-like
(names, free text, codes): nothing per value is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from synthspectrum.core.columns import MISSING
from synthspectrum.errors import SynthSpectrumError

K_DEFAULT = 5  # fewest real records a shown category (or a regression term) may stand for
TOP_DEFAULT = 20  # most categories drawn per column


def check_k(k: Any, what: str = "k") -> int:
    """``k`` as an int >= 1, else a one-line error."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise SynthSpectrumError(f"{what} must be a whole number >= 1 (fewest real records a shown category "
                                 f"stands for), got {k!r}")
    return int(k)


@dataclass(frozen=True)
class CategoryRule:
    """Which categories of one column may be shown (see the module docstring).

    ``shown``: labels held by >= k real records, at most ``top``, most frequent first (ties by
    label); ``pooled``: how many real categories are not shown; ``identifier_like``: fewer than
    half of the real records fall in categories of >= k records, so nothing per value is shown.
    """

    shown: tuple[str, ...]
    pooled: int
    distinct: int
    identifier_like: bool

    def other_label(self) -> str:
        label = f"other ({self.pooled} {'category' if self.pooled == 1 else 'categories'})"
        while label in self.shown:  # a real category of that very name keeps its own bar
            label += "*"
        return label


def category_rule(real: pl.Series, k: int = K_DEFAULT, top: int = TOP_DEFAULT) -> CategoryRule:
    """The small-category rule for one real column (labels as strings, missing as the stand-in ``MISSING``)."""
    k = check_k(k)
    counts = (real.alias("v").cast(pl.String).fill_null(MISSING).value_counts(name="n")
              .sort(["n", "v"], descending=[True, False]))
    big = counts.filter(pl.col("n") >= k)
    shown = tuple(big["v"].head(top).to_list())
    in_big = int(big["n"].sum()) if big.height else 0
    return CategoryRule(shown, counts.height - len(shown), counts.height,
                        identifier_like=counts.height > 0 and in_big < 0.5 * real.len())
