"""Where ``evaluate`` lived before the split: the names old code imports from here.

``evaluate`` and ``Evaluation`` are in :mod:`synthspectrum.evaluation.evaluate`, the page in
:mod:`synthspectrum.render.evaluation`, tables in :mod:`synthspectrum.render.html`. Import them
from ``synthspectrum.evaluation``; this module goes once no caller uses it.
"""

from synthspectrum.evaluation.evaluate import HEADLINE, Evaluation, evaluate  # noqa: F401
from synthspectrum.render.evaluation import HOW_TO_READ, SECTIONS, render_html  # noqa: F401
from synthspectrum.render.html import table as _table  # noqa: F401  (the spectrum runner's old import)

__all__ = ["evaluate", "Evaluation", "render_html"]
