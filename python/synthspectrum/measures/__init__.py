"""Utility and privacy measures, native Python, cross-checked against synthpop's own.

``utility`` (marginal, association, propensity, table and specific utility) and ``privacy``
(exact matches, replicated uniques, attribute disclosure, distance to closest record).
"""
