"""Univariate utility: each column's distribution in the real and the synthetic data.

SDMetrics' definitions: KSComplement = 1 - D, D the two-sample Kolmogorov-Smirnov statistic on
the non-missing values (numbers, dates); TVComplement = 1 - 1/2 sum_c |p_real(c) - p_syn(c)|
(categories, total variation distance). 1 is a perfect match, 0 no overlap. Also the
missing-share difference and the coverage of the real range or categories. Returns shares and
distances per column, no record value.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from scipy import stats

from synthspectrum.core.columns import as_number, kind
from synthspectrum.core.pair import check_pair
from synthspectrum.core.tidy import measure_frame


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
        if kind(a.dtype) == "numeric":
            x, y = as_number(a).drop_nulls().to_numpy(), as_number(b).drop_nulls().to_numpy()
            value = 1 - stats.ks_2samp(x, y).statistic if x.size and y.size else float("nan")
            measure = "KSComplement"
            if x.size and y.size and x.max() > x.min():
                lo, hi = max(x.min(), y.min()), min(x.max(), y.max())
                coverage = max(0.0, hi - lo) / (x.max() - x.min())
            else:
                # nothing to cover when the real column has no value at all
                coverage = float("nan") if x.size == 0 else float(y.size > 0)
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
    return measure_frame(rows)
