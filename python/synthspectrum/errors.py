"""Every exception and warning the package raises, in one hierarchy.

All errors derive from :class:`SynthSpectrumError` (a ``ValueError``), so ``except
SynthSpectrumError`` catches every one of ours and users see one clear line, not a deep
traceback. Warnings are plain ``UserWarning`` except R's, which are :class:`RWarning`.
"""

from __future__ import annotations


class SynthSpectrumError(ValueError):
    """Bad input or an impossible request; the message names the column and the problem.

    ``detail``: another library's own words (patsy, metasyn, R), shown to the user on one line
    after ours but kept out of ``public``, the part that artefacts (runs.csv, reports) may hold:
    such text can quote a data value.
    """

    def __init__(self, message: str, column: str | None = None, detail: str | None = None):
        self.column = column
        self.public = f"column {column!r}: {message}" if column is not None else message
        self.detail = " ".join(str(detail).split()) if detail else None
        super().__init__(self.public + (f": {self.detail}" if self.detail else ""))


class ColumnError(SynthSpectrumError, KeyError):
    """A column that was asked for is not in the frame."""

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return self.args[0]


class RNotAvailableError(SynthSpectrumError, ImportError):
    """R or rpy2 is missing: the R side (synthpop) cannot run. The message says how to install it."""


class SynthpopNotInstalledError(RNotAvailableError):
    """R runs, but the synthpop package is not installed in it."""


class SynthpopError(SynthSpectrumError):
    """synthpop (or the R twin) stopped with an error; the message names the call."""


class RWarning(UserWarning):
    """A warning R gave during a call; the message says which call."""
