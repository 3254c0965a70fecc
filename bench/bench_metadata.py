"""Benchmark: fit + synthesize through synthspectrum against raw metasyn, same frame, same run.

Each measurement runs in a fresh Python process so peak memory (max RSS) is comparable; the
raw-metasyn run gets the same frame with the dtypes metasyn needs (no Enum), so the ratio is
our layer's overhead. Targets: time <= 1.05x and peak memory <= 1.10x.

    .venv/bin/python bench/bench_metadata.py [--rows 10000 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import polars as pl
import metasyn  # imported before the clock in both modes: import time is not overhead
mode, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
df = pl.read_parquet(path)
if mode == "raw":
    from metasyn import MetaFrame
    df = df.with_columns(pl.col(pl.Enum).cast(pl.String).cast(pl.Categorical))
    t = time.perf_counter()
    mf = MetaFrame.fit_dataframe(df, progress_bar=False)
    syn = mf.synthesize(n, seed=1, progress_bar=False)
else:
    from synthspectrum import fit_metadata
    t = time.perf_counter()
    model = fit_metadata(df, progress=False)
    syn = model.synthesize(n, seed=1, progress=False)
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(mode: str, n: int, path: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD, mode, str(n), str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()


    from synthspectrum.datasets import area_deprivation, generate_ae
    from synthspectrum.datasets.ae_tutorial import deidentify_ae

    print(f"{'rows':>8} {'raw s':>8} {'ours s':>8} {'time x':>7} {'raw MB':>8} {'ours MB':>8} {'mem x':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows:
            path = Path(tmp) / f"ae_{n}.parquet"
            deidentify_ae(generate_ae(n), area_deprivation()).write_parquet(path)
            runs = {"raw": [], "ours": []}
            for _ in range(args.repeats):  # interleaved, so drift hits both alike
                for mode in runs:
                    runs[mode].append(measure(mode, n, path))
            t = {m: statistics.median(r["seconds"] for r in v) for m, v in runs.items()}
            mem = {m: statistics.median(r["max_rss_mb"] for r in v) for m, v in runs.items()}
            print(f"{n:>8} {t['raw']:>8.2f} {t['ours']:>8.2f} {t['ours'] / t['raw']:>7.3f} "
                  f"{mem['raw']:>8.0f} {mem['ours']:>8.0f} {mem['ours'] / mem['raw']:>6.3f}")
    print("targets: time x <= 1.05, mem x <= 1.10 (ratios are ours / raw metasyn)")


if __name__ == "__main__":
    main()
