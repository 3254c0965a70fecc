"""Fitters for the disclosure-guard tests; importable by the guard's child processes."""

import time

from synthspectrum.metadata.guard import fit_column


def slow_on_full_data(frame, spec, privacy):
    """Hang on the column 'slow' unless it is the small fallback subsample."""
    if frame.columns[0] == "slow" and frame.height > 1000:
        time.sleep(600)
    return fit_column(frame, spec, privacy)


def always_slow(frame, spec, privacy):
    if frame.columns[0] == "slow":
        time.sleep(600)
    return fit_column(frame, spec, privacy)


def failing(frame, spec, privacy):
    if frame.columns[0] == "bad":
        raise ValueError("Could not find solution satisfying dominance conditions")
    return fit_column(frame, spec, privacy)


def dies(frame, spec, privacy):
    """Crash the worker outright (no exception, no message) on the column 'bad'."""
    import os

    if frame.columns[0] == "bad":
        os._exit(3)
    return fit_column(frame, spec, privacy)


def killed(frame, spec, privacy):
    """The worker is killed by a signal (as the kernel's out-of-memory killer would) on 'bad'."""
    import os
    import signal

    if frame.columns[0] == "bad":
        os.kill(os.getpid(), signal.SIGKILL)
    return fit_column(frame, spec, privacy)
