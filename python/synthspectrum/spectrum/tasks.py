"""The spectrum's two units of work: fitting one generator (:func:`fit_task`), and drawing and
measuring one synthetic set from a fit (:func:`draw_task`).

They run wherever the engine (:mod:`synthspectrum.spectrum.engines`) puts them: in this process,
a local worker or a Dask worker. So they return plain records, never an exception object (R's do
not survive pickling), with the warnings they raised, which the runner raises again where the
caller sees them. The fitted generator travels inside the fit record to every draw of it: a fit
that does not depend on the seed is made once, and each seed only samples.

Every task runs with BLAS and OpenMP held to one thread. A threaded BLAS sums in an order that
depends on its thread count, so without the limit a number could differ in its last bit between
``jobs = 1`` and a worker; and two processes on two cores would each start a pool as wide as the
machine (threaded OpenBLAS made small factorisations about 50 times slower on a busy machine).

What a record holds: measures (aggregates), statuses, timings, the messages of
:func:`describe`; the full text of other libraries' errors (which can quote a data value) only
in ``detail``, which the runner keeps in memory (``SpectrumResult.error_details``).
"""

from __future__ import annotations

import os
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import polars as pl

from synthspectrum.errors import SynthSpectrumError


@dataclass(frozen=True)
class Work:
    """What every task of a run shares: the split and the measures' settings."""

    train: pl.DataFrame
    holdout: pl.DataFrame
    reference: pl.DataFrame
    keys: list[str]
    target: str
    formula: str | None
    family: str
    maxorder: int
    max_records: int
    utility_measure: str
    cv_folds: int
    m: int


_WHERE_WITHHELD = ("synthspectrum spectrum --show-errors prints them to the terminal, SpectrumResult.error_details "
                   "holds them in memory")


def describe(exc: BaseException) -> tuple[str, bool]:
    """A runs.csv message for ``exc`` and whether its own text was withheld.

    Our own errors (SynthSpectrumError) name settings and columns, never values: their ``public``
    part is kept. Other libraries' messages (polars, metasyn, R, and the ``detail`` our errors
    carry from them) can quote a data value, so only their type is recorded; the full text stays
    in memory (``SpectrumResult.error_details``)."""
    if isinstance(exc, SynthSpectrumError):
        if exc.detail:
            return (f"{type(exc).__name__}: {exc.public} (the library's own words are withheld here because "
                    f"they can quote a data value; {_WHERE_WITHHELD})"), True
        return f"{type(exc).__name__}: {exc}", False
    return (f"{type(exc).__name__} raised by the generator or a measure (its text is withheld here because it "
            f"can quote a data value; {_WHERE_WITHHELD})"), True


def _thread_lock_for_tqdm() -> None:
    """Give tqdm (metasyn's progress bars, off in tasks) a thread lock before it makes its own.
    Its own is a multiprocessing semaphore, registered with the standard library's resource
    tracker, which fails (AttributeError: '_thread.RLock' object has no attribute
    '_recursion_count') in a Python that loaded another build's libpython through an inherited
    LD_LIBRARY_PATH (R's, when the parent was started from R); a worker draws no bar that another
    process could garble anyway. Local workers only: the caller's own tqdm is left alone."""
    import threading

    from tqdm import tqdm

    if not hasattr(tqdm, "_lock"):
        tqdm.set_lock(threading.RLock())


@contextmanager
def _one_thread() -> Iterator[list]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _warnings(caught: list) -> list[tuple[type, str]]:
    return [(w.category, str(w.message)) for w in caught]


def _failure(record: dict, exc: Exception, where: str = "") -> dict:
    message, withheld = describe(exc)
    record.update(status="failed", message=where + message,
                  detail={"type": type(exc).__name__, "text": str(exc)} if withheld else None)
    return record


def warm_worker(generators: tuple[type, ...], plain: bool = False) -> None:
    """A local worker's start: the libraries every task imports, and R with synthpop when one of
    the ``generators`` classes needs R (``available()`` of a default instance starts it; the fit
    task asks again and reports). Classes, not instances, so that the next run with the same
    generators finds the same settings and reuses the workers, their R already started.
    Loky restarts a worker whose memory grew by more than 300 MB after its first task, taking that
    for a leak; R and the measures' libraries loaded here are counted in its starting size instead,
    so a worker is not restarted (and R started again) for loading them. A ``plain`` worker (the
    lane that starts no R, :class:`synthspectrum.spectrum.engines.JoblibEngine`) may still start R
    in a later task, when R tasks would otherwise wait: R with synthpop is 305 MB, so its
    allowance is raised by that much, not to have loky restart it (and R) after every R task."""
    import synthspectrum.evaluation  # noqa: F401 - loaded for its size, see above
    _thread_lock_for_tqdm()
    import synthspectrum.metadata  # noqa: F401

    if plain:
        from joblib.externals.loky import process_executor

        process_executor._MAX_MEMORY_LEAK_SIZE = int(3e8) + int(4e8)
    for cls in generators:
        try:
            cls().available()
        except Exception:  # the fit task asks again and reports why
            pass


def r_started() -> bool:
    """Whether this process has started R (through rpy2): a worker reports it with each task, so
    that the runner knows which workers can take an R task without starting R first."""
    import sys

    embedded = sys.modules.get("rpy2.rinterface_lib.embedded")
    return bool(embedded is not None and embedded.isinitialized())


def fit_task(name: str, gen: Any, work: Work, ship: bool = False) -> dict:
    """Check that ``gen`` can run here and fit it (on the reference pool for the reference, on the
    training records otherwise; never on the holdout, the distance measures' unseen baseline).

    ``ship``: the record travels through another process to the draws (a pool or a cluster),
    so the fitted generator goes in it already pickled: the process that hands it on never
    unpickles it (unpickling a metasyn model imports metasyn, a second in which that process
    gives no worker its next task). cloudpickle, as the engines use: a generator class defined in
    a script travels by value."""
    record: dict[str, Any] = {"generator": name, "seed": None, "status": "fitted", "message": "", "seconds": 0.0,
                              "detail": None, "fitted": None}
    with _one_thread() as caught:
        try:
            ok, reason = gen.available()
        except Exception as exc:  # a generator's own check that breaks: reported, the run goes on
            _failure(record, exc, "available: ")
            ok = None  # neither skipped nor fitted: failed
        if ok is False:
            record.update(status="skipped", message=reason)
        elif ok:
            t0 = time.perf_counter()
            try:
                gen.fit(work.reference if getattr(gen, "reference", False) else work.train)
                if ship:
                    import cloudpickle

                    record["fitted"] = cloudpickle.dumps(gen)
                else:
                    record["fitted"] = gen
            except Exception as exc:  # reported in the results; the run goes on
                _failure(record, exc, "fit: ")
            record["seconds"] = time.perf_counter() - t0
    record["warnings"] = _warnings(caught)
    record["worker"] = (os.getpid(), r_started())
    return record


def draw_task(fit: dict, seed: int, work: Work) -> dict:
    """One synthetic set of ``len(train)`` records from the fitted generator with ``seed``, and its
    measures (:func:`synthspectrum.evaluation.evaluate` against the training records and the holdout,
    the sampled measures seeded with ``seed``; the out-of-sample AUC when it is the utility axis)."""
    from synthspectrum.evaluation import evaluate

    record: dict[str, Any] = {"generator": fit["generator"], "seed": seed, "status": "ok", "message": "",
                              "seconds": 0.0, "detail": None, "measures": None}
    t1 = time.perf_counter()
    with _one_thread() as caught:
        try:
            fitted = fit["fitted"]
            if isinstance(fitted, bytes):  # shipped (fit_task): this task's own copy
                import pickle

                fitted = pickle.loads(fitted)
            syn = fitted.set_params(seed=seed).sample(work.train.height)
            gen_seconds = time.perf_counter() - t1 + fit["seconds"] / work.m
            t2 = time.perf_counter()
            # the out-of-sample AUC from the design the propensity model was fitted on (built once)
            ev = evaluate(work.train, syn, keys=work.keys or None, target=work.target or None, holdout=work.holdout,
                          formula=work.formula, family=work.family, seed=seed, maxorder=work.maxorder,
                          max_records=work.max_records, plots=False,
                          cv_folds=work.cv_folds if work.utility_measure == "AUC_cv" else None)
            record["measures"] = ev.measures
            record["message"] = f"generate {gen_seconds:.1f} s, measure {time.perf_counter() - t2:.1f} s"
        except Exception as exc:  # reported in the results; the run goes on
            _failure(record, exc)
    record["seconds"] = time.perf_counter() - t1
    record["warnings"] = _warnings(caught)
    record["worker"] = (os.getpid(), r_started())
    return record
