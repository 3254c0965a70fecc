"""Benchmark the default spectrum (all generators, m = 3) on the bundled 10k-row data.

Runs it twice in one go, ``--jobs 1`` (one process, the reference) and the default (one
worker per core), checks that both give the same numbers to the last bit, and prints:

* the time of each and their ratio (target: >= 1.8x on 2 cores), and the parallel run against
  the 45 s target;
* the time spent measuring against the time spent generating, summed over the runs of the
  one-process run (target: measuring <= half of generating);
* per generator, and, on one synthpop-cart set (or metasyn's where synthpop is absent), per
  measure, so that the slowest step is visible.

    .venv/bin/python bench/bench_spectrum.py          # add --jobs N for another worker count
"""

from __future__ import annotations

import argparse
import re
import time

import polars as pl

TARGET_SECONDS = 45
TARGET_SPEEDUP = 1.8
TARGET_MEASURE_SHARE = 0.5


def _split_seconds(runs: pl.DataFrame) -> tuple[float, float]:
    """(generating, measuring) seconds summed over the runs' messages ("generate X s, measure Y s")."""
    gen = meas = 0.0
    for message in runs.filter(pl.col("status") == "ok")["message"]:
        g, m = re.search(r"generate ([\d.]+) s, measure ([\d.]+) s", message).groups()
        gen, meas = gen + float(g), meas + float(m)
    return gen, meas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=-1, help="workers of the parallel run (default -1: one per core)")
    args = parser.parse_args()

    from joblib import cpu_count

    from synthspectrum.datasets import load
    from synthspectrum.measures import privacy, utility
    from synthspectrum.spectrum import SpectrumConfig, make_generator, run_spectrum, split

    data = load("ae_deidentified")
    cfg = SpectrumConfig()
    timings, results = {}, {}
    for jobs in (1, args.jobs):
        t0 = time.perf_counter()
        results[jobs] = run_spectrum(data, cfg, progress=False, jobs=jobs)
        timings[jobs] = time.perf_counter() - t0
    one, many = results[1], results[args.jobs]
    same = many.results.equals(one.results)
    workers = cpu_count() if args.jobs == -1 else args.jobs
    print(f"\ndefault spectrum on {data.height:,} rows, m = {cfg.m}, {cpu_count()} cores:")
    print(f"    --jobs 1               {timings[1]:7.1f} s")
    print(f"    --jobs {args.jobs:<2} ({workers} workers) {timings[args.jobs]:7.1f} s   "
          f"{timings[1] / timings[args.jobs]:.2f}x faster (target >= {TARGET_SPEEDUP}x); "
          f"{timings[args.jobs] / TARGET_SECONDS:.2f} of the {TARGET_SECONDS} s target")
    print(f"    same numbers to the last bit: {same}")
    gen, meas = _split_seconds(one.runs)
    print(f"    measuring / generating (--jobs 1): {meas:.1f} s / {gen:.1f} s = {meas / gen:.2f} "
          f"(target <= {TARGET_MEASURE_SHARE})")
    per_gen = one.runs.group_by("generator", maintain_order=True).agg(
        pl.col("status").first(), pl.col("seconds").sum().alias("seconds"))
    print("per generator (--jobs 1, generating and measuring):")
    for row in per_gen.iter_rows(named=True):
        print(f"    {row['generator']:<22} {row['status']:<8} {row['seconds']:7.1f} s")

    keys, target = one.config.keys, one.config.target  # resolved by the run (bundled-data defaults)
    train, rest = split(data, cfg.holdout_fraction, cfg.seed)
    holdout, _ = split(rest, 0.5, cfg.seed + 1)
    name = "synthpop-cart" if make_generator("synthpop-cart").available()[0] else "metasyn"
    syn = make_generator(name, seed=1).fit(train).sample(train.height)
    steps = {
        "univariate": lambda: utility.univariate(train, syn),
        "associations": lambda: utility.association_difference(train, syn),
        f"pMSE logit (maxorder {cfg.maxorder})": lambda: utility.utility_gen(train, syn, maxorder=cfg.maxorder),
        "propensity AUC, out of sample": lambda: utility.propensity_auc_cv(train, syn, maxorder=cfg.maxorder,
                                                                          folds=cfg.cv_folds),
        "utility_tab (keys)": lambda: utility.utility_tab(train, syn, keys),
        "exact matches": lambda: privacy.exact_matches(train, syn),
        "replicated uniques": lambda: privacy.replicated_uniques(train, syn, keys),
        "disclosure": lambda: privacy.disclosure(train, syn, keys, target),
        "DCR + membership": lambda: privacy.dcr(train, syn, holdout),
    }
    print(f"per measure, one {name} set of {train.height:,} rows:")
    for label, fn in steps.items():
        t = time.perf_counter()
        fn()
        print(f"    {label:<30} {time.perf_counter() - t:7.2f} s")
    if not same:
        raise SystemExit("the parallel run's numbers differ from the one-process run's")


main()
