"""Benchmark: how fit + synthesize, evaluate and a one-seed spectrum grow with the rows, beside raw
metasyn and raw synthpop on the same frames, in the same run.

At each size (default 10k, 100k and 1M rows) the data is drawn by metasyn from the bundled
de-identified A&E data (``fit_metadata(load("ae_deidentified")).synthesize(n, seed=101)``; the
synthetic set of the evaluation is the same model's draw with seed 102 and its holdout n / 2 rows
with seed 103), written to Parquet (and CSV for R). Then each step runs in a fresh process, so that
its time and peak memory are its own:

* ``ours fit+syn``: ``synthspectrum.fit_metadata(real)`` and ``.synthesize(n)``;
* ``raw metasyn``: ``MetaFrame.fit_dataframe(real)`` and ``.synthesize(n)`` on the same frame (its
  Enums cast to categoricals, the one dtype metasyn needs); the ratio ours / raw is the layer's
  overhead (target: within 5% in time and memory). Median of ``--repeats`` interleaved runs at
  sizes up to 100k rows (3; 1 with ``--quick``), one run above;
* ``evaluate``: ``synthspectrum.evaluate(real, synthetic, keys, target, holdout)`` with the
  spectrum's keys and target of the A&E data; the sample sizes the evaluation reports
  (``settings["samples"]``) are printed;
* ``spectrum m=1``: ``run_spectrum(real, m=1, progress=False)`` (every generator the machine can
  run; synthpop's through R);
* ``raw synthpop``: ``syn(df, method = "cart", seed = 1)`` in ``Rscript`` on the same frame read
  from CSV (factors; the date as days since 1970, as synthpop's CART needs numbers or factors).

Time: the step's own work (imports and reading the files excluded), in the child. Peak memory:
the larger of the child's own maximum resident set (``wait4``'s ``ru_maxrss``) and the resident
memory of its whole process tree (workers of a parallel spectrum, R) sampled every 0.2 s; it
includes the interpreter and its imports (about 200-300 MB for Python with polars and metasyn).
A step that runs past ``--timeout`` seconds is stopped and printed as "did not finish in N s".

Then the log-log slope of time and of memory against rows, between consecutive sizes and from the
first size to the last: 1 is linear; the slopes above ~1.1 are named, with the reason where known.
Memory slopes are low at small sizes because the interpreter's fixed ~250 MB dominates.

    .venv/bin/python bench/bench_scale.py                  # 10k, 100k, 1M rows (about 40 min on 2 cores)
    .venv/bin/python bench/bench_scale.py --quick          # 10k and 100k rows, one run each, 90 s per step at most
    .venv/bin/python bench/bench_scale.py --sizes 10000,100000,1000000 --timeout 1200
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SLOPE_LIMIT = 1.1
HEADER = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import polars as pl
import metasyn  # imported before the clock in every step: import time is not the step's
step, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
real = pl.read_parquet(f"{folder}/real_{n}.parquet")
extra = {}
"""

STEPS = {
    "setup": r"""
from synthspectrum import fit_metadata
from synthspectrum.datasets import load
model = fit_metadata(load("ae_deidentified"), progress=False)
t = time.perf_counter()
for name, seed, rows in (("real", 101, n), ("synthetic", 102, n), ("holdout", 103, max(n // 2, 1))):
    df = model.synthesize(rows, seed=seed, progress=False)
    df.write_parquet(f"{folder}/{name}_{n}.parquet")
    if name == "real":
        df.write_csv(f"{folder}/real_{n}.csv")
""",
    "ours": r"""
from synthspectrum import fit_metadata
t = time.perf_counter()
model = fit_metadata(real, progress=False)
syn = model.synthesize(n, seed=1, progress=False)
""",
    "raw": r"""
from metasyn import MetaFrame
real = real.with_columns(pl.col(pl.Enum).cast(pl.String).cast(pl.Categorical))
t = time.perf_counter()
mf = MetaFrame.fit_dataframe(real, progress_bar=False)
syn = mf.synthesize(n, seed=1, progress_bar=False)
""",
    "evaluate": r"""
from synthspectrum import evaluate
from synthspectrum.datasets import recipe_for
syn = pl.read_parquet(f"{folder}/synthetic_{n}.parquet")
holdout = pl.read_parquet(f"{folder}/holdout_{n}.parquet")
recipe = recipe_for(real)
t = time.perf_counter()
ev = evaluate(real, syn, keys=list(recipe.keys), target=recipe.target or None, holdout=holdout)
extra["samples"] = ev.settings.get("samples")
""",
    "spectrum": r"""
from synthspectrum.spectrum import run_spectrum
t = time.perf_counter()
result = run_spectrum(real, m=1, progress=False)
extra["runs"] = f"{result.n_runs - result.n_failed} of {result.n_runs} runs ok"
""",
}
FOOTER = r"""
elapsed = time.perf_counter() - t
extra["seconds"] = elapsed
extra["self_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("BENCH " + json.dumps(extra))
"""

R_CART = r"""
args <- commandArgs(TRUE)
suppressPackageStartupMessages(library(synthpop))
df <- read.csv(args[1], stringsAsFactors = TRUE)
for (col in names(df)) {
  v <- df[[col]]
  if (is.factor(v) && all(grepl("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", levels(v))))
    df[[col]] <- as.numeric(as.Date(as.character(v)))  # synthpop's CART: numbers or factors
}
t0 <- proc.time()[["elapsed"]]
s <- syn(df, method = "cart", seed = 1, print.flag = FALSE)
cat(sprintf('BENCH {"seconds": %.6f}\n', proc.time()[["elapsed"]] - t0))
"""

LABELS = {"ours": "ours fit+syn", "raw": "raw metasyn", "evaluate": "evaluate", "spectrum": "spectrum m=1",
          "synthpop": "raw synthpop"}
# why a slope can exceed ~1, where we know it (printed beside the slope)
REASONS = {
    "spectrum": "generators with superlinear fits (synthpop's CART sorts and searches splits per node)",
    "synthpop": "CART's tree growth: each node's split search sorts its records, n log n per level",
}


def _tree_rss_mb(root: int) -> float:
    """Resident memory (MB) of ``root`` and its descendants, from /proc (0 where /proc is absent)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21])  # pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_step(cmd: list[str], timeout: float) -> dict:
    """Run one step in a fresh process (its own session, so that a timeout stops the whole tree);
    return its JSON line plus ``peak_mb``, or ``{"timeout": timeout}`` / ``{"error": text}``."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
        start, peak = time.monotonic(), 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss_mb(proc.pid))
            if time.monotonic() - start > timeout:
                os.killpg(proc.pid, signal.SIGKILL)  # the step's own process group, nothing else
                os.wait4(proc.pid, 0)
                return {"timeout": timeout}
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = [ln for ln in out.read().splitlines() if ln.startswith("BENCH ")]
        if proc.returncode != 0 or not lines:
            tail = err.read().strip().splitlines()[-3:]
            return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}
        res = json.loads(lines[-1][len("BENCH "):])
        res["peak_mb"] = max(peak, usage.ru_maxrss / 1024, res.get("self_rss_mb", 0.0))
        return res


def python_step(step: str, folder: Path, n: int, timeout: float) -> dict:
    code = HEADER + STEPS[step] + FOOTER
    if step == "setup":  # no real data to read yet
        code = code.replace('real = pl.read_parquet(f"{folder}/real_{n}.parquet")\n', "")
    return run_step([sys.executable, "-c", code, step, str(folder), str(n)], timeout)


def r_step(folder: Path, n: int, timeout: float) -> dict:
    script = folder / "cart.R"
    script.write_text(R_CART, encoding="utf-8")
    return run_step(["Rscript", str(script), str(folder / f"real_{n}.csv")], timeout)


def _slope(a: tuple[int, float], b: tuple[int, float]) -> float:
    return math.log(b[1] / a[1]) / math.log(b[0] / a[0])


def _cell(res: dict) -> str:
    if "timeout" in res:
        return f"did not finish in {res['timeout']:.0f} s"
    if "error" in res:
        return "failed: " + res["error"][:90]
    return f"{res['seconds']:9.2f} s {res['peak_mb']:8.0f} MB"


def _have_synthpop() -> str | None:
    try:
        res = subprocess.run(["Rscript", "-e", "cat(requireNamespace('synthpop', quietly = TRUE))"],
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Rscript not found ({exc.__class__.__name__})"
    return None if res.stdout.strip() == "TRUE" else "R's synthpop is not installed"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="rows, comma-separated (default 10000,100000,1000000)")
    ap.add_argument("--quick", action="store_true", help="10k and 100k rows, at most 90 s per step")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per step (default 600; --quick 90)")
    ap.add_argument("--repeats", type=int, default=None,
                    help="runs of ours / raw metasyn up to 100k rows, their median (default 3; --quick 1)")
    ap.add_argument("--steps", default="ours,raw,evaluate,spectrum,synthpop",
                    help="steps to run, comma-separated (default all)")
    args = ap.parse_args()
    sizes = [int(s) for s in (args.sizes or ("10000,100000" if args.quick else "10000,100000,1000000")).split(",")]
    timeout = args.timeout or (90.0 if args.quick else 600.0)
    steps = [s for s in args.steps.split(",") if s]
    no_r = _have_synthpop() if "synthpop" in steps else None
    print(f"bench_scale: sizes {', '.join(f'{n:,}' for n in sizes)}; {os.cpu_count()} cores; "
          f"at most {timeout:.0f} s per step", flush=True)
    if no_r:
        print(f"raw synthpop skipped: {no_r}")
        steps.remove("synthpop")

    results: dict[str, dict[int, dict]] = {s: {} for s in steps}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        for n in sizes:
            setup = python_step("setup", folder, n, max(timeout, 600.0))
            if "seconds" not in setup:
                print(f"{n:>10,} rows: could not make the data: {_cell(setup)}")
                continue
            print(f"\n{n:,} rows (data drawn in {setup['seconds']:.1f} s)", flush=True)
            repeats = (args.repeats or (1 if args.quick else 3)) if n <= 100_000 else 1
            pair = [s for s in ("ours", "raw") if s in steps]
            runs: dict[str, list[dict]] = {s: [] for s in pair}
            for _ in range(repeats):  # interleaved, so that the machine's drift hits both alike
                for s in pair:
                    runs[s].append(python_step(s, folder, n, timeout))
            for s in pair:
                ok = [r for r in runs[s] if "seconds" in r]
                results[s][n] = ({"seconds": statistics.median(r["seconds"] for r in ok),
                                  "peak_mb": statistics.median(r["peak_mb"] for r in ok)} if len(ok) == len(runs[s])
                                 else next(r for r in runs[s] if "seconds" not in r))
                print(f"  {LABELS[s]:<14} {_cell(results[s][n])}" + (f"  (median of {repeats})" if repeats > 1 else ""),
                      flush=True)
            if len(pair) == 2 and all("seconds" in results[s][n] for s in pair):
                o, r = results["ours"][n], results["raw"][n]
                t_x, m_x = o["seconds"] / r["seconds"], o["peak_mb"] / r["peak_mb"]
                verdict = "within 5%" if t_x <= 1.05 and m_x <= 1.05 else "OVER 5%"
                print(f"  {'ours / raw':<14} time x {t_x:.3f}, memory x {m_x:.3f} ({verdict})")
            for s in [s for s in ("evaluate", "spectrum") if s in steps]:
                results[s][n] = python_step(s, folder, n, timeout)
                res = results[s][n]
                more = ""
                if res.get("samples"):
                    more = "  samples: " + ", ".join(f"{k} {v}" for k, v in res["samples"].items())
                if res.get("runs"):
                    more = f"  ({res['runs']})"
                print(f"  {LABELS[s]:<14} {_cell(res)}{more}", flush=True)
            if "synthpop" in steps:
                results["synthpop"][n] = r_step(folder, n, timeout)
                print(f"  {LABELS['synthpop']:<14} {_cell(results['synthpop'][n])}", flush=True)

    print("\nlog-log slopes against rows (1 = linear), between consecutive sizes and overall:")
    steep = []
    for s in steps:
        done = sorted((n, r) for n, r in results[s].items() if "seconds" in r)
        if len(done) < 2:
            print(f"  {LABELS[s]:<14} fewer than two sizes finished")
            continue
        parts = []
        for what, key in (("time", "seconds"), ("memory", "peak_mb")):
            pts = [(n, r[key]) for n, r in done]
            between = [_slope(a, b) for a, b in zip(pts, pts[1:])]
            overall = _slope(pts[0], pts[-1])
            parts.append(f"{what} " + " / ".join(f"{x:.2f}" for x in between) + f" (overall {overall:.2f})")
            if between[-1] > SLOPE_LIMIT:
                steep.append(f"{LABELS[s]} ({what}, {done[-2][0]:,} -> {done[-1][0]:,} rows: {between[-1]:.2f})"
                             + (f": {REASONS[s]}" if s in REASONS else ": reason not known"))
        print(f"  {LABELS[s]:<14} " + "; ".join(parts))
    if steep:
        print(f"slopes above {SLOPE_LIMIT} past the smallest sizes: " + "; ".join(steep))
    else:
        print(f"no slope above {SLOPE_LIMIT} between the largest sizes that finished")
    print(f"total {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
