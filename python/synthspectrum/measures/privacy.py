"""Privacy measures: what a synthetic frame gives away about the real records it was made from.

The public face of the privacy section; each measure lives in a module with one job:

* :mod:`~synthspectrum.measures.matching` -- :func:`exact_matches`,
  :func:`copied_values` (of identifier-like columns), :func:`replicated_uniques` (synthpop's ``replicated.uniques``), :func:`disclosure` (synthpop's
  ``disclosure``: UiO ... DiSDiO);
* :mod:`~synthspectrum.measures.distance` -- :func:`dcr` (distance to closest record against a
  holdout baseline, and membership inference), :func:`dcr_distances`, :func:`gower_features`.

All measures compare the synthetic data with the real data (the training records the
generator saw); the distance-based ones also take a ``holdout`` (real records it did not see)
as the baseline: a generator that leaks nothing treats both alike. Every function takes polars
or pandas frames and returns a polars frame of aggregates (never a record).
"""

from synthspectrum.measures.matching import copied_values, disclosure, exact_matches, replicated_uniques
from synthspectrum.measures.distance import dcr, dcr_distances, gower_features

__all__ = ["exact_matches", "copied_values", "replicated_uniques", "disclosure", "dcr", "dcr_distances", "gower_features"]
