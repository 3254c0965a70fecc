"""Utility and privacy measures, native Python, cross-checked against synthpop's own.

``utility`` (marginal, association, propensity, table and specific utility) and ``privacy``
(exact matches, replicated uniques, attribute disclosure, distance to closest record) are the
two sections' public faces; ``registry`` declares every measure (section, needs, best value,
direction, range). The public measures are also names of this package, loaded on first use.
"""

_UTILITY = ("univariate", "associations", "association_difference", "utility_gen", "propensity_scores",
            "propensity_auc_cv", "design_size", "utility_tab", "cell_counts", "regression_fit",
            "left_out_sentences", "LEFT_OUT_MEASURES")
_PRIVACY = ("exact_matches", "replicated_uniques", "disclosure", "dcr", "dcr_distances")


def __getattr__(name: str):
    # the measures pull in scipy and scikit-learn: loaded on first use, so that the registry
    # (read by reports and the CLI) stays cheap to import
    if name in _UTILITY or name in _PRIVACY:
        import importlib

        value = getattr(importlib.import_module(f"synthspectrum.measures.{'utility' if name in _UTILITY else 'privacy'}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'synthspectrum.measures' has no attribute {name!r}")


__all__ = [*_UTILITY, *_PRIVACY]
