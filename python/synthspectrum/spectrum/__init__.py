"""The privacy-utility spectrum: generators from random to synthpop CART, the runner that
measures each the same way on the same split, the frontier and its report.
"""

from synthspectrum.spectrum.runner import *  # noqa: F401,F403
from synthspectrum.spectrum.runner import __all__  # noqa: F401
