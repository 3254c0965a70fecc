"""The privacy-utility spectrum: generators from random to synthpop CART behind one contract,
the runner that measures each the same way on the same split, the frontier and its report.

Modules: ``generators`` (the built-ins and their contract), ``base`` (the generators' common
base), ``uniform`` (the random generator), ``registry`` (generators by name, entry points),
``conformance`` (the contract as a check), ``config`` (``SpectrumConfig``, TOML), ``runner``
(``run_spectrum``, ``split``), ``tasks`` (a fit, a draw: the units of work), ``schedule`` (which
task goes next, to which workers), ``engines`` (where they run: this process, local workers in
two lanes, a Dask cluster), ``result`` (``SpectrumResult``: headline, frontier points),
``narrate`` (``explain``), ``files`` (the output folder; the frontier plot and the page are
drawn by :mod:`synthspectrum.render.spectrum`).
"""

from synthspectrum.spectrum.base import Generator
from synthspectrum.spectrum.config import SpectrumConfig
from synthspectrum.spectrum.conformance import check_generator
from synthspectrum.spectrum.files import OUTPUT_FILES, output_folder, write_outputs
from synthspectrum.spectrum.narrate import explain
from synthspectrum.spectrum.registry import list_generators, make_generator, register_generator
from synthspectrum.render.spectrum import plot_frontier
from synthspectrum.spectrum.result import SpectrumResult
from synthspectrum.spectrum.runner import run_spectrum, spectrum_from_config, split

__all__ = ["SpectrumConfig", "SpectrumResult", "run_spectrum", "spectrum_from_config", "split", "explain",
           "plot_frontier", "write_outputs", "output_folder", "OUTPUT_FILES", "make_generator", "register_generator",
           "list_generators", "check_generator", "Generator"]
