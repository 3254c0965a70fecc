"""Benchmark the default spectrum (all generators, m = 3) on the bundled 10k-row data.

Target: the whole run within 5 minutes on a 2-core machine with R + synthpop present. Prints
the time spent per generator (generating and measuring) and, on one synthpop-cart set (or
metasyn's where synthpop is absent), per measure, so the slowest step is visible.

    .venv/bin/python bench/bench_spectrum.py
"""

from __future__ import annotations

import time

import polars as pl

TARGET_SECONDS = 300


def main() -> None:
    from synthspectrum.measures import privacy
    from synthspectrum.measures import utility
    from synthspectrum.datasets import load
    from synthspectrum.spectrum import SpectrumConfig, make_generator, run_spectrum, split

    data = load("ae_deidentified")
    cfg = SpectrumConfig()
    t0 = time.perf_counter()
    res = run_spectrum(data, cfg, progress=False)
    total = time.perf_counter() - t0
    per_gen = res.runs.group_by("generator", maintain_order=True).agg(
        pl.col("status").first(), pl.col("seconds").sum().alias("seconds"))
    print(f"default spectrum on {data.height:,} rows, m = {cfg.m}: {total:.1f} s "
          f"({total / TARGET_SECONDS:.2f} of the {TARGET_SECONDS} s target)")
    for row in per_gen.iter_rows(named=True):
        print(f"    {row['generator']:<22} {row['status']:<8} {row['seconds']:7.1f} s")

    keys, target = res.config.keys, res.config.target  # resolved by the run (bundled-data defaults)
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
        print(f"    {label:<28} {time.perf_counter() - t:7.2f} s")


if __name__ == "__main__":
    main()
