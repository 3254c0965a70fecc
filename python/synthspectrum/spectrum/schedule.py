"""The order in which the spectrum's tasks go to the workers (:func:`run_tasks`), and the
progress the runner shows while they run (:class:`Progress`).

The runner (:mod:`synthspectrum.spectrum.runner`) makes the tasks; the engines
(:mod:`synthspectrum.spectrum.engines`) run them; this module decides which task goes next and
to which lane, and gathers the records in one order whatever finished first. No choice here
changes a number: every task carries its own seeds.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from typing import Any

from synthspectrum.spectrum.engines import R_START_SECONDS
from synthspectrum.spectrum.tasks import Work, draw_task, fit_task


class Progress:
    """``k/N`` runs and, from the first run on, an estimate of the time left (elapsed time per
    run done so far times the runs to go; skipped runs take no time and do not count toward
    the rate): a tqdm bar when ``bar``, otherwise one line per run on stderr."""

    def __init__(self, total: int, bar: bool):
        self.total, self.done, self.worked = total, 0, 0
        self.t0 = time.perf_counter()
        self.bar = None
        if bar:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="run")

    def step(self, gen: str, seed: int | None, status: str, message: str, seconds: float, count: int) -> None:
        self.done += count
        if status != "skipped":
            self.worked += count
        if self.bar is not None:
            self.bar.set_description(gen)
            self.bar.update(count)
            return
        elapsed = time.perf_counter() - self.t0
        if self.done >= self.total:
            eta = "done"
        elif self.worked:
            eta = f"about {elapsed / self.worked * (self.total - self.done):.1f} s left"
        else:
            eta = "time left not known yet"
        print(f"[{self.done}/{self.total}] {gen:<22} seed {seed if seed is not None else '-':<10} {status:<8} "
              f"{seconds:7.1f} s {message[:100]} | elapsed {elapsed:.1f} s, {eta}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_tasks(generators: dict[str, Any], seeds: list[int], work: Work, engine: Any,
              bar: Progress) -> dict[str, list[dict]]:
    """Every generator's fit, then each of its draws as soon as that fit is done, on ``engine``;
    per generator, its records: the skip or the failed fit (seed None), or one per seed in
    ``seeds``' order. A task whose worker died (a crash in R or a library, out of memory) is
    reported as failed; the others go on (those the dead worker's pool took down with it are
    run again, one at a time). Workers that die as they start fail no task: the engine gives
    their tasks to the other lane, or to this process (JoblibEngine's ``submit``)."""
    records: dict[str, list[dict]] = {name: [] for name in generators}
    pending: dict[Any, tuple] = {}

    def died(name: str, seed: int | None, exc: BaseException) -> dict:
        return {"generator": name, "seed": seed, "status": "failed", "seconds": 0.0, "warnings": [],
                "message": f"the worker process running this stopped or could not run it ({type(exc).__name__}): "
                           "a crash in R or a library, out of memory, or a generator class the worker cannot "
                           "import", "detail": {"type": type(exc).__name__, "text": str(exc)}}

    def raise_again(caught: list[tuple[type, str]]) -> None:
        for category, message in caught:
            warnings.warn(message, category, stacklevel=4)

    def finish(rec: dict) -> None:
        raise_again(rec.pop("warnings"))
        records[rec["generator"]].append(rec)
        bar.step(rec["generator"], rec["seed"], rec["status"], rec["message"], rec["seconds"],
                 1 if rec["seed"] is not None else work.m)

    # Tasks wait in ``ready`` and go to the engine when a worker is free, so that the next one can
    # be chosen. One process takes a generator's draws before the next fit: a plain loop's order.
    # A pool takes the fits first (a long fit starts early), then the draw expected to take longest:
    # a generator's first draw before any second one, then by the time its first draw took, so
    # that the long draws (synthpop's parametric models) do not come last and leave a worker idle.
    # each waiting task: (queued as the n-th, generator, seed, function, arguments)
    ship = engine.name != "serial"
    ready: list[tuple] = [(i, name, None, fit_task, (name, gen, work, ship))
                          for i, (name, gen) in enumerate(generators.items())]
    queued = len(ready)
    took: dict[str, float] = {}

    def priority(task: tuple) -> tuple:
        n, name, _, fn, _ = task
        if engine.workers == 1:
            return fn is fit_task, n
        return fn is not fit_task, -took.get(name, float("inf")), n

    def queue(name: str, seed: int, fn: Any, args: tuple) -> None:
        nonlocal queued
        ready.append((queued, name, seed, fn, args))
        queued += 1

    # Tasks in flight when a worker died: the pool loses them all, without saying whose task
    # killed it. Each is run again alone; one that kills its worker alone is the one that failed.
    suspects: list[tuple[str, int | None, Any, tuple]] = []

    # Lanes (JoblibEngine): workers that start with R and workers that do not. A worker without
    # R takes the tasks that need none first, and an R task only when the R lane would keep the
    # waiting R tasks longer than starting R takes (a task of unknown time counts as long).
    r_names = {name for name, gen in generators.items() if getattr(gen, "needs_r", False)}
    plain_with_r: set[int] = set()  # plain workers that have started R since

    def lane_of(name: str) -> str:
        lanes = engine.lanes
        return "r" if name in r_names and "r" in lanes else ("plain" if "plain" in lanes else next(iter(lanes)))

    def expected(task: tuple) -> float:
        """A waiting task's time: its generator's first draw's, else at least as long as a draw
        of it has been running, else unknown (inf)."""
        name, fn = task[1], task[3]
        if fn is draw_task and name in took:
            return took[name]
        now = time.perf_counter()
        running = [now - entry[6] for entry in pending.values() if entry[0] == name and entry[2] is draw_task]
        return max(running) if running else float("inf")

    def pick(lane: str) -> tuple | None:
        ready.sort(key=priority)
        lanes = engine.lanes
        if lane not in ("r", "plain") or "r" not in lanes or "plain" not in lanes \
                or (lane == "plain" and len(plain_with_r) >= lanes["plain"]):
            return ready[0]
        own = [t for t in ready if (t[1] in r_names) == (lane == "r")]
        if own or lane == "r":
            return own[0] if own else ready[0]
        wait = sum(expected(t) for t in ready) / lanes["r"]
        return ready[0] if math.isinf(wait) or wait > R_START_SECONDS + expected(ready[0]) or not pending else None

    def submit(name: str, seed: int | None, fn: Any, args: tuple, alone: bool = False, lane: str = "any") -> None:
        pending[engine.submit(fn, *args, lane=lane)] = (name, seed, fn, args, alone, lane, time.perf_counter())

    try:
        while pending or ready or suspects:
            idle = False
            if suspects:
                if not pending:
                    name = suspects[0][0]
                    submit(*suspects.pop(0), alone=True, lane=lane_of(name))
            else:
                for lane in sorted(engine.lanes, key=lambda name: name != "r"):  # the R lane chooses first
                    while ready and sum(entry[5] == lane for entry in pending.values()) < engine.lanes.get(lane, 0):
                        task = pick(lane)
                        if task is None:
                            idle = True
                            break
                        ready.remove(task)
                        submit(*task[1:], lane=lane)
            # a worker left idle looks again each second: the R tasks' running draws grow longer
            done = engine.first_done(pending, timeout=1.0 if idle else None)
            for future in [f for f in list(pending) if f in done]:  # in the order submitted
                name, seed, fn, args, alone, lane, _ = pending.pop(future)
                try:
                    rec = future.result()
                except Exception as exc:  # the task itself catches everything: only a dead worker lands here
                    if engine.lost_worker(exc) and not alone:
                        suspects.append((name, seed, fn, args))
                    else:
                        finish(died(name, seed, exc))
                    continue
                pid, has_r = rec.pop("worker", (None, False))
                if lane == "plain" and has_r:
                    plain_with_r.add(pid)
                if rec["status"] != "fitted":
                    took.setdefault(name, rec["seconds"])
                    finish(rec)
                    continue
                raise_again(rec.pop("warnings"))
                for s in seeds:
                    queue(name, s, draw_task, (rec, s, work))
        engine.close()
    except BaseException:
        engine.close(cancel=True)
        raise
    finally:
        bar.close()
    for name in records:
        records[name].sort(key=lambda r: -1 if r["seed"] is None else seeds.index(r["seed"]))
    return records
