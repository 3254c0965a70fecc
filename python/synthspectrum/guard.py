"""Fit metasyn-disclosure column by column under a time limit, with a bounded fallback.

metasyn-disclosure's micro-aggregation searches for partitions whose most dominant record
stays under ``max_dominance``; on some columns at large n that search can run for hours.
We fit each column in a child process and stop it when it passes the time limit; that column
is then refitted, under the same disclosure control, on a seeded random subsample of
``fallback_rows`` records (a subsample of the data is never less private than the whole).
If the fallback also fails, the user gets one clear error naming the column.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any, Callable, Sequence

import polars as pl

from synthspectrum.errors import SynthSpectrumError


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


def _worker(conn, frame: pl.DataFrame, specs: dict[str, dict], privacy, fit: Callable) -> None:
    import threading

    from tqdm import tqdm

    # tqdm's default lock is a multiprocessing semaphore that leaks (with a warning) when
    # this child is stopped; the child draws no bars, so a thread lock is enough.
    tqdm.set_lock(threading.RLock())
    for name in frame.columns:
        conn.send(("start", name, None))
        try:
            conn.send(("ok", name, fit(frame.get_column(name).to_frame(), specs.get(name), privacy)))
        except Exception as exc:  # sent to the parent, which names the column
            conn.send(("error", name, f"{type(exc).__name__}: {exc}"))
    conn.close()


def _run(frame: pl.DataFrame, specs: dict[str, dict], privacy, time_limit: float,
         fit: Callable, on_done: Callable[[str], None]) -> tuple[dict[str, dict], dict[str, str], list[str]]:
    """Fit every column; return (fitted var dicts, errors by column, columns that ran out of time)."""
    ctx = mp.get_context("spawn")  # fork after polars has started threads can deadlock
    done: dict[str, dict] = {}
    errors: dict[str, str] = {}
    timed_out: list[str] = []
    todo = list(frame.columns)
    while todo:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(child, _columns(frame, todo), specs, privacy, fit), daemon=True)
        proc.start()
        child.close()
        current, started = None, None
        try:
            while todo:
                wait = None if current is None else max(0.0, time_limit - (time.monotonic() - started))
                # The first message waits for the child to start up; only the fits are timed.
                if not parent.poll(wait if current is not None else 300):
                    if current is None:
                        raise SynthSpectrumError("the disclosure-control worker did not start")
                    timed_out.append(current)
                    todo.remove(current)
                    break
                try:
                    status, name, payload = parent.recv()
                except EOFError:
                    raise SynthSpectrumError(
                        f"the disclosure-control worker died while fitting column {current!r}"
                    ) from None
                if status == "start":
                    current, started = name, time.monotonic()
                    continue
                (done if status == "ok" else errors)[name] = payload
                todo.remove(name)
                current = None
                on_done(name)
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join()
            parent.close()
    return done, errors, timed_out


def fit_guarded(frame: pl.DataFrame, var_specs: Sequence[dict[str, Any]], privacy, *,
                column_time_limit: float, fallback_rows: int, seed: int, progress: bool = False,
                fit: Callable = fit_column):
    """Fit a MetaFrame with disclosure control; return ``(MetaFrame, notes)``."""
    from metasyn import MetaFrame, MetaVar

    if column_time_limit <= 0:
        raise SynthSpectrumError(f"column_time_limit must be positive, got {column_time_limit}")
    if fallback_rows < 2 * getattr(privacy, "partition_size", 11):
        raise SynthSpectrumError(f"fallback_rows={fallback_rows} is too small for disclosure control")
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
        raise SynthSpectrumError(f"disclosure control could not model this column: {message}", name)
    meta_vars = [MetaVar.from_dict(done[name]) for name in frame.columns]
    return MetaFrame(meta_vars, frame.height), notes
