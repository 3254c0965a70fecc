"""Benchmark the R side, each reference measured in the same run.

(a) the bridge: a 1M x 10 mixed frame into R and back, ours against rpy2's pandas converter
    (target: ours >= 50x faster each way, and lossless);
(b) syn(cart) through Python against the same synthpop::syn call in plain Rscript on a
    5,000 x 10 frame (target: our overhead <= 10%).

    .venv/bin/python bench/bench_rbridge.py [--rows 1000000] [--syn-rows 5000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import polars as pl


def mixed_frame(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    miss = rng.random(n) < 0.05
    cats = ["alpha", "beta", "gamma", "delta"]
    return pl.DataFrame({
        "f1": np.where(miss, np.nan, rng.normal(size=n)),
        "f2": rng.exponential(size=n),
        "i1": pl.Series(rng.integers(0, 1000, n)).scatter(np.flatnonzero(miss), None),
        "i2": rng.integers(-5, 5, n),
        "b": rng.random(n) < 0.3,
        "s": pl.Series(rng.choice(cats, n)).scatter(np.flatnonzero(miss), None),
        "c": pl.Series(rng.choice(cats, n)).cast(pl.Enum(cats)),
        "d": pl.Series(rng.integers(0, 9000, n)).cast(pl.Int32).cast(pl.Date),
        "t": pl.Series(rng.integers(0, 10**15, n)).cast(pl.Datetime("us")),
        "g": rng.gamma(2.0, size=n),
    }, nan_to_null=False)


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_bridge(n: int, repeats: int) -> None:
    import rpy2.robjects as ro
    from rpy2.robjects import pandas2ri
    from rpy2.robjects.conversion import localconverter

    from synthspectrum.synthpop import from_r, to_r

    df = mixed_frame(n)
    pdf = df.to_pandas()
    t_in, (r_ours, schema) = timed(lambda: to_r(df), repeats)
    t_out, back = timed(lambda: from_r(r_ours, schema), repeats)
    lossless = back.equals(df.with_columns(pl.col("f1").fill_nan(None)))
    with warnings.catch_warnings(), localconverter(ro.default_converter + pandas2ri.converter):
        warnings.simplefilter("ignore")
        rt_in, r_stock = timed(lambda: ro.conversion.get_conversion().py2rpy(pdf), 1)
        rt_out, _ = timed(lambda: ro.conversion.get_conversion().rpy2py(r_stock), 1)
    print(f"(a) bridge, {n:,} rows x {df.width} columns")
    print(f"    into R : ours {t_in:8.3f} s   rpy2 pandas2ri {rt_in:8.3f} s   ratio {rt_in / t_in:7.1f}x (target >= 50x)")
    print(f"    back   : ours {t_out:8.3f} s   rpy2 pandas2ri {rt_out:8.3f} s   ratio {rt_out / t_out:7.1f}x (target >= 50x)")
    print(f"    ours lossless (values, NAs, dtypes, levels, names): {lossless}")


def bench_syn(n: int, repeats: int) -> None:
    from synthspectrum import synthpop as sp

    df = mixed_frame(n, seed=1).drop("t").with_columns(pl.col("f1").fill_nan(None))
    t_py, _ = timed(lambda: sp.syn(df, method="cart", seed=1), repeats)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        df.with_columns(pl.col("d").cast(pl.Int32)).write_csv(csv)
        script = Path(tmp) / "syn.R"
        script.write_text(f"""
suppressMessages(library(synthpop))
d <- read.csv("{csv}", stringsAsFactors = TRUE)
d$b <- as.logical(d$b)
times <- numeric({repeats})
for (i in seq_len({repeats})) times[i] <- system.time(synthpop::syn(d, method = "cart", seed = 1, print.flag = FALSE))[["elapsed"]]
cat(median(times))
""")
        out = subprocess.run(["Rscript", "--vanilla", str(script)], capture_output=True, text=True, check=True)
        t_r = float(out.stdout.strip().splitlines()[-1])
    print(f"(b) syn(cart), {n:,} rows x {df.width} columns")
    print(f"    through Python {t_py:7.3f} s   plain Rscript {t_r:7.3f} s   overhead {100 * (t_py / t_r - 1):+6.1f}% (target <= 10%)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--syn-rows", type=int, default=5_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    bench_bridge(args.rows, args.repeats)
    bench_syn(args.syn_rows, args.repeats)


if __name__ == "__main__":
    main()
