"""The evaluation of one synthetic set against the real data: check the pair once, run every
measure once, keep what they computed (the tidy table, association matrices, propensity
scores, distances) in an :class:`Evaluation`, which the renderer draws from.
"""

from synthspectrum.evaluation.evaluator import Evaluation, evaluate

__all__ = ["evaluate", "Evaluation"]
