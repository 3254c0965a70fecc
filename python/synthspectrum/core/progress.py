"""One progress policy: ``progress=None`` means show progress when a person watches (stderr is
a terminal), ``True``/``False`` force it. Progress goes to stderr, never into results."""

from __future__ import annotations

import sys


def show_progress(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    return sys.stderr.isatty()
