"""The workshop: a half-day pair-programming workshop on the privacy-utility spectrum.

For learners, in Python (the R role has the same functions in ``r/workshop.R``)::

    from synthspectrum.workshop import check, workshop_data, fingerprint, out_dir
    real = workshop_data("train")          # polars; "ae", "deidentified", "train", "holdout"
    ...
    check("m1")                            # what is right and what is not, step by step

For teachers: ``modules`` (the day's table and ``schedule()``), ``exercises`` (exercises and
catch-up files generated from ``solutions/``), ``slides`` (the decks, built offline),
``setup_check`` (``synthspectrum workshop check``), ``data`` (the typed files both languages read).
"""

from __future__ import annotations

from pathlib import Path

from synthspectrum.workshop.checkpoints import Checkpoint, check
from synthspectrum.workshop.data import read_rds, workshop_data, write_rds
from synthspectrum.workshop.fingerprint import fingerprint
from synthspectrum.workshop.modules import MODULES, module, schedule

__all__ = ["check", "Checkpoint", "workshop_data", "read_rds", "write_rds", "fingerprint", "out_dir", "MODULES", "module", "schedule",
           "setup_check", "synthpop_ready"]


def out_dir() -> Path:
    """``workshop_out`` under the current folder (created): where each module leaves what later
    modules read. Everything in it is synthetic or a model, except what a module says otherwise."""
    path = Path("workshop_out")
    path.mkdir(exist_ok=True)
    return path


def setup_check(r: bool = True):
    """The set-up check as a polars frame (module, part, ok, required, seconds, fix)."""
    from synthspectrum.workshop.setup_check import setup_check as run

    return run(r=r)


def synthpop_ready() -> bool:
    """Whether R's synthpop can be used from Python here (the modules that need it say so)."""
    from synthspectrum.synthpop import synthpop_available

    return synthpop_available()
