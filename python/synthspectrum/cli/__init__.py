"""The ``synthspectrum`` command line.

Exit codes: 0 success, 1 the work failed (bad data, unreadable file, a spectrum run that
failed...), 2 bad usage. Errors are one line on stderr; so are warnings (without the source
file and line of the library that raised them).

Every output is checked before any work starts (extension, not an input, folder writable) and
written atomically; see :mod:`synthspectrum.io.outputs`.
"""

from __future__ import annotations

import sys
import warnings
from typing import Sequence

from synthspectrum.cli.parser import build_parser
from synthspectrum.errors import SynthSpectrumError

__all__ = ["main", "build_parser"]


_SHOWN: set[str] = set()


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    # A library's warning shows the user what happened, not the library's source path and line;
    # and once: a spectrum measures many sets of the same data, which would repeat each warning.
    text = str(message)
    if text in _SHOWN:
        return
    _SHOWN.add(text)
    print(f"warning: {text}", file=sys.stderr if file is None else file)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # every warning reaches _one_line_warning, which shows it once
            warnings.showwarning = _one_line_warning
            _SHOWN.clear()
            return args.func(args)
    except (SynthSpectrumError, OSError) as exc:  # a full disk, a vanished folder...: one line too
        print(f"synthspectrum {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

