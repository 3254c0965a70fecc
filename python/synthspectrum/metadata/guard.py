"""Fit metasyn-disclosure column by column under a time limit, with a bounded fallback.

metasyn-disclosure's micro-aggregation searches for partitions whose most dominant record
stays under ``max_dominance``; on some columns at large n that search can run for hours.
We fit each column in a child process and stop it when it passes the time limit; that column
is then refitted, under the same disclosure control, on a seeded random subsample of
``fallback_rows`` records (a subsample of the data is never less private than the whole).
If the fallback also fails, the user gets one clear error naming the column.

The child is a fresh interpreter started as ``python -c "...synthspectrum.metadata.guard.serve()"``
and fed through its standard input and output (pickles), not a ``multiprocessing`` process:
the 'spawn' start method re-imports the user's ``__main__``, which in a plain script (no
``if __name__ == "__main__":``) or code piped to stdin re-runs the whole script in the child.
The child imports only this package, metasyn and the fitter it is given, which must therefore
be an importable function (a module's top-level function, not one defined in ``__main__``).
A child that dies (a crash, a kill, an import error) closes its output; the parent sees that
at once and names the column it was fitting and how the child ended.

What crosses the pipe is the data of the columns being fitted and the fitted GMF variables;
nothing is written to disk.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Sequence

import polars as pl

from synthspectrum.errors import SynthSpectrumError

START_TIMEOUT = 300.0  # seconds for a child to import metasyn and report that it is ready
# The child's first act: take the parent's import path (so the fitter, the package and any
# plugin resolve as in the parent), then serve. Nothing else runs in its __main__.
_BOOT = ("import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
         "from synthspectrum.metadata.guard import serve; serve()")


def fit_column(frame: pl.DataFrame, spec: dict[str, Any] | None, privacy) -> dict[str, Any]:
    """Fit one column with metasyn; return its GMF variable dict."""
    import warnings

    from metasyn import MetaFrame

    # metasyn selects columns by name, and polars reads names like "^a.*$" as patterns:
    # fit under a neutral name and put the real one back.
    name = frame.columns[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mf = MetaFrame.fit_dataframe(frame.rename({name: "value"}),
                                     var_specs=[{**spec, "name": "value"}] if spec else None,
                                     privacy=privacy, progress_bar=False)
    return {**mf.meta_vars[0].to_dict(), "name": name}


def _columns(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    # not frame.select(names): polars reads names like "^a.*$" as patterns
    return pl.DataFrame([frame.get_column(n) for n in names])


def serve() -> None:
    """The child's side: read one job from stdin, fit its columns, report on stdout.

    Messages are pickled tuples ``(status, column, payload)``: ``("ready", None, None)`` once,
    then per column ``("start", name, None)`` and ``("ok", name, var dict)`` or
    ``("error", name, message)``; ``("fatal", None, message)`` if the job cannot be read.
    """
    # The protocol owns the real stdout; anything a fitter prints goes to stderr instead.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def send(*msg) -> None:
        pickle.dump(msg, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        from tqdm import tqdm

        # tqdm's default lock is a multiprocessing semaphore; the child draws no bars, and a
        # thread lock cannot leak when the child is stopped.
        tqdm.set_lock(threading.RLock())
        frame, specs, privacy, fit = pickle.load(sys.stdin.buffer)
    except Exception as exc:  # e.g. the fitter's module cannot be imported here
        send("fatal", None, f"{type(exc).__name__}: {exc}")
        return
    send("ready", None, None)
    for name in frame.columns:
        send("start", name, None)
        try:
            result = fit(frame.get_column(name).to_frame(), specs.get(name), privacy)
        except Exception as exc:  # sent to the parent, which names the column
            send("error", name, f"{type(exc).__name__}: {exc}")
        else:
            send("ok", name, result)
    out.close()


def _check_importable(fit: Callable) -> None:
    module = getattr(fit, "__module__", None)
    if module in (None, "__main__", "__mp_main__") or "<locals>" in getattr(fit, "__qualname__", "<locals>"):
        raise SynthSpectrumError(
            "the disclosure-control fitter must be a top-level function of an importable module "
            f"(got {getattr(fit, '__qualname__', fit)!r} from {module!r}); the worker never imports __main__"
        )


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "stopped"
    if code < 0:
        try:
            sig = signal.Signals(-code).name
        except ValueError:
            sig = f"signal {-code}"
        hint = " (out of memory?)" if -code == getattr(signal, "SIGKILL", 9) else ""
        return f"was killed by {sig}{hint}"
    return f"exited with code {code}"


class _Worker:
    """One child process running :func:`serve`, with a thread feeding its job and one reading
    its messages into a queue (threads, so that neither a slow start nor a death blocks us)."""

    def __init__(self, job: tuple):
        self.stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self.stderr, close_fds=True,
            )
        except OSError as exc:  # no usable interpreter at sys.executable (an embedded Python)
            self.stderr.close()
            raise SynthSpectrumError(
                f"could not start the disclosure-control worker with {sys.executable!r}: {exc}") from None
        self.messages: queue.Queue = queue.Queue()
        payload = pickle.dumps(list(sys.path)) + pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        threading.Thread(target=self._feed, args=(payload,), daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()

    def _feed(self, payload: bytes) -> None:
        try:
            self.proc.stdin.write(payload)
            self.proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the child died; the reader sees its output close

    def _read(self) -> None:
        try:
            while True:
                self.messages.put(pickle.load(self.proc.stdout))
        except Exception:  # EOF (the child ended) or a torn message from a dying child
            self.messages.put(None)

    def next(self, timeout: float | None):
        """The next message; ``None`` when the child ended; raises ``queue.Empty`` on timeout."""
        return self.messages.get(timeout=timeout)

    def ended(self) -> str:
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        return _how_it_ended(code)

    def last_error_line(self) -> str:
        # Only used when the child dies before reading its job, i.e. before it has seen any data.
        self.stderr.seek(0)
        lines = [ln for ln in self.stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1].strip() if lines else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stdin):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self.stderr.close()


def _run(frame: pl.DataFrame, specs: dict[str, dict], privacy, time_limit: float,
         fit: Callable, on_done: Callable[[str], None]) -> tuple[dict[str, dict], dict[str, str], list[str]]:
    """Fit every column; return (fitted var dicts, errors by column, columns that ran out of time)."""
    done: dict[str, dict] = {}
    errors: dict[str, str] = {}
    timed_out: list[str] = []
    todo = list(frame.columns)
    while todo:
        worker = _Worker((_columns(frame, todo), specs, privacy, fit))
        current, started, ready = None, None, False
        try:
            while todo:
                # The start-up (importing metasyn) has its own allowance; only the fits are timed.
                wait = START_TIMEOUT if current is None else max(0.0, time_limit - (time.monotonic() - started))
                try:
                    msg = worker.next(wait)
                except queue.Empty:
                    if current is None:
                        raise SynthSpectrumError(
                            f"the disclosure-control worker did not start within {START_TIMEOUT:g} s") from None
                    timed_out.append(current)
                    todo.remove(current)
                    break
                if msg is None:
                    how = worker.ended()
                    if not ready:
                        line = worker.last_error_line()
                        raise SynthSpectrumError(
                            f"the disclosure-control worker {how} before it started"
                            + (f": {line}" if line else ""))
                    where = "while fitting this column" if current else "between columns"
                    raise SynthSpectrumError(f"the disclosure-control worker {how} {where}",
                                             current if current else None)
                status, name, payload = msg
                if status == "fatal":
                    raise SynthSpectrumError(f"the disclosure-control worker could not start: {payload}")
                if status == "ready":
                    ready = True
                    continue
                if status == "start":
                    current, started = name, time.monotonic()
                    continue
                (done if status == "ok" else errors)[name] = payload
                todo.remove(name)
                current = None
                on_done(name)
        finally:
            worker.stop()
    return done, errors, timed_out


def fit_guarded(frame: pl.DataFrame, var_specs: Sequence[dict[str, Any]], privacy, *,
                column_time_limit: float, fallback_rows: int, seed: int, progress: bool = False,
                fit: Callable = fit_column):
    """Fit a MetaFrame with disclosure control; return ``(MetaFrame, notes)``.

    ``fit(frame_of_one_column, spec, privacy) -> GMF var dict`` runs in the child; it must be an
    importable top-level function (see the module docstring).
    """
    from metasyn import MetaFrame, MetaVar

    if column_time_limit <= 0:
        raise SynthSpectrumError(f"column_time_limit must be positive, got {column_time_limit}")
    if fallback_rows < 2 * getattr(privacy, "partition_size", 11):
        raise SynthSpectrumError(f"fallback_rows={fallback_rows} is too small for disclosure control")
    _check_importable(fit)
    specs = {s["name"]: {k: v for k, v in s.items()} for s in var_specs}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=frame.width, desc="disclosure fit")
    tick = (lambda _name: bar.update(1)) if bar is not None else (lambda _name: None)
    notes: list[str] = []
    try:
        done, errors, timed_out = _run(frame, specs, privacy, column_time_limit, fit, tick)
        if timed_out:
            sample = _columns(frame, timed_out)
            if sample.height > fallback_rows:
                sample = sample.sample(fallback_rows, seed=seed)
            more, more_errors, still = _run(sample, specs, privacy, column_time_limit, fit, tick)
            done.update(more)
            errors.update(more_errors)
            for name in timed_out:
                if name in more:
                    notes.append(
                        f"{name}: disclosure fit passed {column_time_limit:g} s; refitted on a random "
                        f"subsample of {sample.height} rows (seed {seed})"
                    )
            if still:
                raise SynthSpectrumError(
                    f"disclosure control did not finish within {column_time_limit:g} s even on a "
                    f"{sample.height}-row subsample; raise column_time_limit, lower fallback_rows, "
                    "or use privacy='none' for this column via var_specs", still[0]
                )
    finally:
        if bar is not None:
            bar.close()
    if errors:
        name, message = next(iter(errors.items()))
        raise SynthSpectrumError("disclosure control could not model this column", name, detail=message)
    meta_vars = [MetaVar.from_dict(done[name]) for name in frame.columns]
    return MetaFrame(meta_vars, frame.height), notes
