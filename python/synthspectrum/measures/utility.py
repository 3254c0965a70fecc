"""Utility measures: how much of the real data's information a synthetic frame keeps.

The public face of the utility section; each measure lives in a module with one job:

* :mod:`~synthspectrum.measures.marginal` -- :func:`univariate` (KSComplement, TVComplement,
  missing-share difference, coverage per column; SDMetrics' definitions);
* :mod:`~synthspectrum.measures.bivariate` -- :func:`associations`,
  :func:`association_difference` (NMI, Spearman, Cramer's V per pair);
* :mod:`~synthspectrum.measures.propensity` -- :func:`utility_gen` (pMSE, S_pMSE, SPECKS, PO50,
  U, AUC: synthpop's ``utility.gen``), :func:`propensity_scores`, :func:`propensity_auc_cv`,
  :func:`design_size`; fitted by our solver in :mod:`~synthspectrum.measures.logistic`;
* :mod:`~synthspectrum.measures.tables` -- :func:`utility_tab` (synthpop's ``utility.tab``),
  :func:`cell_counts`;
* :mod:`~synthspectrum.measures.specific` -- :func:`regression_fit` (the same regression on
  both frames, Karr et al.'s confidence-interval overlap);
* :mod:`~synthspectrum.measures.bounds` -- what a measure leaves out, and why
  (:data:`LEFT_OUT_MEASURES`, :func:`left_out_sentences`).

Every function takes the real and the synthetic frame (polars or pandas, same columns) and
returns a polars frame (``measure``, ``column``, ``value`` for the measures of
:mod:`synthspectrum.core.tidy`'s shape). Nothing returned holds a record: only counts, shares,
distances and model summaries. Numbers no model can use (NaN, +-inf, magnitudes >= 1e15) are
made missing first, with a warning (:func:`synthspectrum.core.numbers.clean_numbers`, applied
by :func:`synthspectrum.core.pair.check_pair`).
"""

from synthspectrum.measures.bivariate import association_difference, associations
from synthspectrum.measures.bounds import (LEFT_OUT_MEASURES, MAX_ASSOCIATION_COLUMNS, MAX_CELLS, MAX_PARAMS,
                                           MIN_LEVEL_COUNT, RECORDS_PER_PARAM, left_out_sentences)
from synthspectrum.measures.marginal import univariate
from synthspectrum.measures.propensity import design_size, propensity_auc_cv, propensity_scores, utility_gen
from synthspectrum.measures.specific import regression_fit
from synthspectrum.measures.tables import cell_counts, utility_tab

__all__ = [
    "univariate", "associations", "association_difference", "utility_gen", "propensity_scores",
    "propensity_auc_cv", "design_size", "utility_tab", "cell_counts", "regression_fit",
    "LEFT_OUT_MEASURES", "left_out_sentences", "MIN_LEVEL_COUNT", "MAX_PARAMS", "MAX_CELLS",
    "RECORDS_PER_PARAM", "MAX_ASSOCIATION_COLUMNS",
]
