"""The evaluation of one synthetic set against the real data: run every measure once, keep what
it computed, and hand it to the renderer.
"""

from synthspectrum.evaluation.report import Evaluation, evaluate

__all__ = ["evaluate", "Evaluation"]
