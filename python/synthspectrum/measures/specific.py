"""Specific utility: the same regression on real and synthetic data, term by term.

Returns estimates, standard errors and their agreement per model term (term names are column
names and category labels of the data: see the evaluation, which leaves out terms held by
fewer than k real records), no record.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from synthspectrum.core.columns import kind, levels
from synthspectrum.core.pair import check_pair
from synthspectrum.errors import SynthSpectrumError


def _require_binary(endog: np.ndarray, outcome: str, what: str) -> None:
    """A logistic model needs a 0/1 outcome: refuse a continuous one (glm would return
    coefficients of 1e16 and exit as if all were well). The message holds counts, no values."""
    y = np.asarray(endog, dtype=float)
    if y.ndim == 2 and y.shape[1] == 2:  # a two-level text outcome: patsy's two indicator columns
        return
    y = y.ravel()
    if y.size and np.isin(y, (0.0, 1.0)).all():
        return
    distinct = np.unique(y).size
    raise SynthSpectrumError(f"family 'binomial' needs an outcome that is 0/1, boolean or a two-level category, "
                             f"but in the {what} it has {distinct} distinct values; use family='gaussian' for a "
                             "number, or an outcome such as 'I(x > 10) ~ ...'", outcome)


def regression_fit(real: Any, synthetic: Any, formula: str, family: str = "gaussian", level: float = 0.95) -> pl.DataFrame:
    """Specific utility: the same regression on real and synthetic data, term by term.

    ``formula`` in R/patsy syntax (``"y ~ x1 + C(group)"``); ``family`` is
    ``"gaussian"`` (linear) or ``"binomial"`` (logistic; its outcome must be 0/1, boolean or a
    two-level category, else a one-line error names it). Per term: both estimates and standard
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

    outcome = formula.split("~", 1)[0].strip() if "~" in formula else formula
    # A two-level category outcome is modelled as R's glm models a factor: the probability of
    # its second level (an Enum's own order, else sorted, as R's factor() sorts). Left to
    # statsmodels, the category became two columns and the model that of the first level: every
    # estimate had the opposite sign of synthpop's compare.fit.
    two_levels = (family == "binomial" and outcome in r.columns and kind(r.schema[outcome]) == "categorical"
                  and r.schema[outcome] != pl.Boolean)
    second = levels(r.get_column(outcome).alias("v"))[1:2] if two_levels else []

    def fit(df: pl.DataFrame, what: str):
        if two_levels:
            n_levels = df.get_column(outcome).alias("v").drop_nulls().n_unique()
            if n_levels != 2 or len(second) != 1:
                raise SynthSpectrumError(f"family 'binomial' needs an outcome that is 0/1, boolean or a two-level "
                                         f"category, but in the {what} it has {n_levels} categories", outcome)
            y = df.get_column(outcome).alias("v").cast(pl.String)
            df = df.with_columns((y == second[0]).cast(pl.Int8).alias(outcome))
        pdf = df.with_columns([df.get_column(c).cast(pl.Int8) for c in df.columns if df.schema[c] == pl.Boolean]).to_pandas()
        try:
            model = smf.glm(formula, data=pdf, family=fams[family])
        except Exception as exc:  # patsy names the unknown term
            raise SynthSpectrumError(f"the formula {formula!r} cannot be fitted on the {what}",
                                     detail=f"{type(exc).__name__}: {exc}") from None
        if family == "binomial":
            _require_binary(model.endog, outcome, what)
        try:
            return model.fit()
        except Exception as exc:
            raise SynthSpectrumError(f"the formula {formula!r} cannot be fitted on the {what}",
                                     detail=f"{type(exc).__name__}: {exc}") from None

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
