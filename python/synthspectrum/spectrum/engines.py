"""Where the spectrum's tasks run: in this process, in local worker processes (joblib's loky
executor) or on an existing Dask cluster. The runner sees one small interface (``submit``,
``first_done``, ``close``) over futures, so that a draw can start as soon as its generator's fit
is done, on whichever worker is free, whatever the engine.

No engine changes a number: every task carries its own seeds, and
:mod:`synthspectrum.spectrum.tasks` holds the thread settings that could change a last bit.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from typing import Any, Callable, Iterable

from synthspectrum.errors import SynthSpectrumError

# Set in every local worker before it imports numpy or starts R: one thread per pool, so that two
# processes on two cores do not each start a pool as wide as the machine.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class SerialEngine:
    """Every task in this process, at once when submitted (``jobs = 1``)."""

    name = "serial"
    workers = 1
    lanes = {"any": 1}

    def submit(self, fn: Callable, *args: Any, lane: str = "any") -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(exc, KeyboardInterrupt):
                raise
            future.set_exception(exc)
        return future

    def first_done(self, pending: Iterable[Any], timeout: float | None = None) -> set:
        return set(pending)

    def lost_worker(self, exc: BaseException) -> bool:
        return False

    def close(self, cancel: bool = False) -> None:
        pass


# Seconds a worker takes to start R with synthpop (2.4 s measured on the 2-core machine; most of
# it loading the Matrix package, which synthpop needs through party and survival).
R_START_SECONDS = 3.0

# Seconds a fresh pool's first worker may take to start (R with synthpop included) before its
# lane counts as one whose workers cannot start: a run never waits on workers that hang as they start.
START_SECONDS = 120.0

# The pools of workers that never start R unless asked to (see JoblibEngine), kept across runs of
# one session like loky's reusable executor: {workers: executor}.
_PLAIN_POOLS: dict[int, Any] = {}


class JoblibEngine:
    """Local worker processes from joblib's engine, the loky executor (spawned, not forked: R and
    OpenMP do not survive a fork). Workers are reused across runs of one session, which keeps their
    R sessions warm, and stop after a minute idle.

    Two lanes when some generators need R and there are two workers or more: ``r``, half the
    workers, which start R with synthpop as they start, and ``plain``, the rest, which do not.
    Starting R costs a worker 2-4 s, during which it runs nothing: on two cores, a spectrum's
    first task started 4.8 s after the run did, as both workers loaded R, while the metasyn
    fits and every measure need no R. The schedule (:func:`synthspectrum.spectrum.schedule.run_tasks`)
    gives a plain worker the tasks that need no R first, and an R task only when the R lane would
    otherwise keep it waiting longer than starting R takes (a plain worker then starts R itself,
    as any task does). Either way, a task computes the same numbers in either lane."""

    name = "joblib"

    def __init__(self, workers: int, warm: tuple[type, ...] = ()):
        self.workers, self.warm = workers, tuple(warm)
        # Where processes cannot be started (a sandbox, or a Python that loads another Python's
        # library because of an inherited LD_LIBRARY_PATH), or start and stop at once (an inherited
        # PYTHONHOME), the run goes on in this process.
        self._serial: SerialEngine | None = None
        self._started: set[str] = set()  # the lanes whose workers have taken a task
        r_workers = max(1, workers // 2) if self.warm and workers >= 2 else workers
        self._sizes = {"r": r_workers, "plain": workers - r_workers} if r_workers < workers else {"any": workers}
        self._executors = {lane: self._start(lane) for lane in self._sizes}

    @property
    def lanes(self) -> dict[str, int]:
        return {"any": 1} if self._serial is not None or not self._sizes else dict(self._sizes)

    def _start(self, lane: str):
        from joblib.externals.loky import ProcessPoolExecutor, get_reusable_executor

        from synthspectrum.spectrum.tasks import warm_worker

        if lane != "plain":
            return get_reusable_executor(max_workers=self._sizes[lane], timeout=60, env=WORKER_ENV,
                                         initializer=warm_worker, initargs=(self.warm,))
        size = self._sizes[lane]
        pool = _PLAIN_POOLS.get(size)
        flags = getattr(pool, "_flags", None)
        if pool is None or flags is None or flags.broken or flags.shutdown:
            pool = _PLAIN_POOLS[size] = ProcessPoolExecutor(max_workers=size, timeout=60, env=WORKER_ENV,
                                                            initializer=warm_worker, initargs=((), True))
        return pool

    def submit(self, fn: Callable, *args: Any, lane: str = "any") -> cf.Future:
        from joblib.externals.loky.process_executor import BrokenProcessPool

        if self._serial is not None:
            return self._serial.submit(fn, *args)
        lane = lane if lane in self._executors else next(iter(self._executors))
        try:
            future = self._executors[lane].submit(fn, *args)
        except BrokenProcessPool as exc:  # a worker died (R crashed, out of memory): a fresh pool for what is left
            if not self._restart(lane):
                return self._cannot_start(lane, fn, args, _stopped_as_they_started(exc))
            future = self._executors[lane].submit(fn, *args)
        except Exception as exc:  # this lane's workers could not be started
            if lane in self._started:
                raise
            return self._cannot_start(lane, fn, args, f"{type(exc).__name__}: {exc}")
        self._started.add(lane)
        return future

    def _restart(self, lane: str) -> bool:
        """A fresh pool for ``lane`` in place of its broken one, and whether its workers start.
        Workers that die as they start (a PYTHONHOME or PYTHONPATH meant for another Python, a
        library that crashes as it loads) break every fresh pool before it runs anything: without
        this check, each task lost with the first pool was run again alone on a fresh one and
        reported as a crash of its own, so every run failed. A task goes to the fresh pool only
        once its workers have run a no-op, which no crash can be blamed on."""
        if lane == "plain":
            _PLAIN_POOLS.pop(self._sizes[lane], None)
        self._executors[lane] = self._start(lane)
        return self._works(lane)

    def _works(self, lane: str) -> bool:
        """Whether ``lane``'s workers start and run a no-op, within ``START_SECONDS``."""
        try:
            self._executors[lane].submit(os.getpid).result(timeout=START_SECONDS)
        except Exception:  # noqa: BLE001 - broken, cannot spawn, or no worker ready in time: not started
            return False
        self._started.add(lane)
        return True

    def _cannot_start(self, lane: str, fn: Callable, args: tuple, why: str) -> cf.Future:
        """``lane``'s workers could not start (``why``): its tasks go to the other lane's workers
        if those run, else every task goes to this process; either way with one warning."""
        import warnings

        self._drop(lane)
        for other in list(self._executors):  # each tried once (a broken pool once afresh), never again
            flags = getattr(self._executors[other], "_flags", None)
            if getattr(flags, "broken", None) is not None:
                runs = self._restart(other)
            else:
                runs = other in self._started or self._works(other)
            if not runs:
                self._drop(other)
        if self._executors:
            warnings.warn(f"the spectrum could not start its {lane!r} worker processes ({why}); their tasks go to "
                          "the other workers, with the same numbers", RuntimeWarning, stacklevel=3)
            return self.submit(fn, *args, lane=next(iter(self._executors)))
        warnings.warn(f"the spectrum could not start worker processes here ({why}); its runs go one at a time in "
                      "this process, with the same numbers", RuntimeWarning, stacklevel=3)
        self._serial, self.workers = SerialEngine(), 1
        return self._serial.submit(fn, *args)

    def _drop(self, lane: str) -> None:
        executor = self._executors.pop(lane)
        size = self._sizes.pop(lane)
        try:
            executor.shutdown(wait=False, kill_workers=True)
        except Exception:  # an executor that never started may not shut down cleanly: it holds nothing
            pass
        if lane == "plain":
            _PLAIN_POOLS.pop(size, None)
        self.workers = max(1, sum(self._sizes.values()))

    def first_done(self, pending: Iterable[Any], timeout: float | None = None) -> set:
        """The tasks done, as soon as one is; an empty set after ``timeout`` seconds without one."""
        done, _ = cf.wait(list(pending), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done

    def lost_worker(self, exc: BaseException) -> bool:
        """Whether ``exc`` says a worker died (the pool then fails every task it held)."""
        from joblib.externals.loky.process_executor import BrokenProcessPool

        return isinstance(exc, BrokenProcessPool)

    def close(self, cancel: bool = False) -> None:
        if cancel and self._started:  # interrupted: no worker may go on computing (or hold R) after we stop
            _quiet_manager_thread()
            for lane, executor in self._executors.items():
                executor.shutdown(wait=False, kill_workers=True)
                if lane == "plain":
                    _PLAIN_POOLS.pop(self._sizes[lane], None)


def _stopped_as_they_started(exc: BaseException) -> str:
    """Why a lane's workers did not start, for its warning: loky's own words blame a task (a
    segmentation fault while calling the function, memory), while no task had run; its workers'
    exit codes are kept."""
    import re

    codes = re.search(r"exit codes of the workers are (\{[^}]*\})", str(exc))
    return (f"each stopped as it started, before running anything: {type(exc).__name__}"
            + (f", exit codes {codes.group(1)}" if codes else "")
            + "; their Python or a library it loads cannot start in this environment, as with a PYTHONHOME or "
              "PYTHONPATH meant for another Python")


def _quiet_manager_thread() -> None:
    """Drop the traceback of loky's manager thread when it trips over the work items an
    interrupted submit left half made (a KeyError in ``add_call_item_to_queue``): the run is being
    stopped on purpose, and the user would read a crash into it. Other threads' errors print."""
    import threading

    previous = threading.excepthook

    def hook(args) -> None:
        if args.thread is None or args.thread.name != "ExecutorManagerThread":
            previous(args)

    threading.excepthook = hook


class DaskEngine:
    """An existing Dask cluster, reached through its scheduler's ``address`` (or the one in Dask's
    configuration, e.g. ``DASK_SCHEDULER_ADDRESS``). Each worker needs this package (and, for the
    synthpop generators, R and synthpop) installed: the tasks import it there."""

    name = "dask"

    @property
    def lanes(self) -> dict[str, int]:
        return {"any": self.workers}

    def __init__(self, address: str | None):
        try:
            import dask
            from distributed import Client
        except ImportError:
            raise SynthSpectrumError("backend 'dask' needs Dask's distributed package: pip install "
                                     "'dask[distributed]' (and the same on every worker)") from None
        address = address or dask.config.get("scheduler-address", None)
        if not address:
            raise SynthSpectrumError("backend 'dask' needs the scheduler's address: --scheduler tcp://HOST:8786, "
                                     "scheduler = \"...\" in the config, or DASK_SCHEDULER_ADDRESS")
        try:
            self.client = Client(address, set_as_default=False, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise SynthSpectrumError(f"could not reach the Dask scheduler at {address}: {type(exc).__name__}: {exc}") \
                from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
        self._submitted: list[Any] = []

    def submit(self, fn: Callable, *args: Any, lane: str = "any"):
        # pure=False: two draws with the same arguments are still two tasks (never merged by key)
        future = self.client.submit(fn, *args, pure=False)
        self._submitted = [f for f in self._submitted if not f.done()] + [future]
        return future

    def first_done(self, pending: Iterable[Any], timeout: float | None = None) -> set:
        from distributed import as_completed  # our client is not the default one: its loop is passed

        futures = list(pending)
        first = next(iter(as_completed(futures, loop=self.client.loop)))
        return {first} | {f for f in futures if f.done()}

    def lost_worker(self, exc: BaseException) -> bool:
        return False  # Dask already runs a task again elsewhere when its worker dies (KilledWorker after that)

    def close(self, cancel: bool = False) -> None:
        if cancel and self._submitted:  # interrupted: the cluster stops our tasks too, not only this client
            self.client.cancel(self._submitted)
        self.client.close()


def make_engine(backend: str, jobs: int, scheduler: str | None, warm: tuple[type, ...] = ()):
    """The engine for a run's settings: ``jobs = -1`` is one worker per core (as joblib counts
    them: the cores this process may use); one worker runs in this process. ``warm``: generator
    classes whose ``available()`` each local worker calls when it starts (those that need R)."""
    if backend == "dask":
        return DaskEngine(scheduler)
    from joblib import cpu_count

    workers = cpu_count() if jobs == -1 else jobs
    return SerialEngine() if workers <= 1 else JoblibEngine(workers, warm)


__all__ = ["SerialEngine", "JoblibEngine", "DaskEngine", "make_engine", "WORKER_ENV", "R_START_SECONDS"]
