"""synthspectrum: teach and do synthetic tabular data along the privacy-utility spectrum.

Metadata side (no R needed): :func:`fit_metadata`, :func:`load_model`, :func:`audit`,
de-identification in :mod:`synthspectrum.deidentify`, data in :mod:`synthspectrum.datasets`.
Measures: :func:`evaluate` (and :mod:`synthspectrum.measures.utility`, :mod:`synthspectrum.measures.privacy`);
synthpop from Python: :mod:`synthspectrum.synthpop`; the spectrum: :mod:`synthspectrum.spectrum`. Each wing is a
subpackage whose docstring says its job; CONTRIBUTING.md has the map.
"""

from importlib.metadata import PackageNotFoundError, version

from synthspectrum.errors import ColumnError, SynthSpectrumError
from synthspectrum.metadata import MetadataModel, audit, fit_metadata
from synthspectrum.metadata import load as load_model

_LAZY = {"evaluate": ("synthspectrum.evaluation", "evaluate"), "univariate": ("synthspectrum.measures.utility", "univariate")}


def __getattr__(name: str):
    # The measures pull in scipy, scikit-learn and matplotlib: loaded on first use, so that
    # `import synthspectrum` (and each disclosure-control worker) starts fast.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'synthspectrum' has no attribute {name!r}")

try:
    __version__ = version("synthspectrum")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "MetadataModel", "fit_metadata", "load_model", "audit", "evaluate", "univariate",
    "SynthSpectrumError", "ColumnError", "__version__",
]
