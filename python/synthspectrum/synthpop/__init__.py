"""R's synthpop from Python: the R side of the package.

``bridge`` moves frames between polars/pandas and R losslessly, ``session`` starts R, loads the
R twin (``r/synthspectrum.R``) and calls it, ``wrappers`` holds synthpop's functions under
their Python names (``syn``, ``utility_gen``, ``disclosure``...). Nothing outside this package
touches R.
"""

from synthspectrum.synthpop.wrappers import *  # noqa: F401,F403 - the public face is the wrappers
from synthspectrum.synthpop.wrappers import __all__  # noqa: F401
