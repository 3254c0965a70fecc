"""Benchmark the evaluation: every measure on 10k and 100k rows, and our logistic pMSE against
synthpop's utility.gen(method = "logit") on the same 100k frames in the same run.

Target: equal values, ours at least 5x faster. The synthpop part needs R, rpy2 and synthpop.

    .venv/bin/python bench/bench_evaluation.py [--rows 10000 100000]
"""

from __future__ import annotations

import argparse
import time

import polars as pl


def frames(n: int):
    from synthspectrum import fit_metadata
    from synthspectrum.datasets import area_deprivation, generate_ae
    from synthspectrum.datasets.ae_tutorial import deidentify_ae

    real = deidentify_ae(generate_ae(2 * n, seed=5), area_deprivation())
    train, holdout = real.head(n), real.tail(n)
    syn = fit_metadata(train, progress=False).synthesize(n, seed=1)
    return train, syn, holdout


def clock(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def bench_measures(n: int) -> None:
    from synthspectrum.measures import privacy
    from synthspectrum.measures import utility

    train, syn, holdout = frames(n)
    keys = ["age_band", "gender", "deprivation_decile"]
    steps = {
        "univariate": lambda: utility.univariate(train, syn),
        "associations": lambda: utility.association_difference(train, syn),
        "pMSE logit": lambda: utility.utility_gen(train, syn, maxorder=0),
        "pMSE cart (10 perms)": lambda: utility.utility_gen(train, syn, method="cart", nperms=10, maxorder=0),
        "utility_tab": lambda: utility.utility_tab(train, syn, keys),
        "regression": lambda: utility.regression_fit(train, syn, "admitted ~ age_band + treatment", "binomial"),
        "exact matches": lambda: privacy.exact_matches(train, syn),
        "replicated uniques": lambda: privacy.replicated_uniques(train, syn, keys),
        "disclosure": lambda: privacy.disclosure(train, syn, keys, "admitted"),
        "DCR + membership (5k)": lambda: privacy.dcr(train, syn, holdout),
    }
    print(f"measures on {n:,} rows")
    for name, fn in steps.items():
        print(f"    {name:<24} {clock(fn)[0]:8.3f} s")


def bench_against_synthpop(n: int) -> None:
    try:
        from synthspectrum.synthpop import session as rsession
        from synthspectrum.synthpop.bridge import rinterface, to_r

        rsession.twin()
    except Exception as exc:  # R side absent: say so, the rest still ran
        print(f"pMSE against synthpop: skipped ({exc})")
        return
    from synthspectrum.measures import utility

    train, syn, _ = frames(n)
    ri = rinterface()
    ri.globalenv["real"] = to_r(train)[0]
    ri.globalenv["syn"] = to_r(syn)[0]
    t_ours, ours = clock(lambda: utility.utility_gen(train, syn, method="logit", maxorder=0))
    t_r, theirs = clock(lambda: ri.evalr(
        'suppressMessages(library(synthpop)); utility.gen(syn, real, method = "logit", maxorder = 0, print.flag = FALSE)$pMSE'))
    ours_p = ours.filter(pl.col("measure") == "pMSE")["value"][0]
    print(f"logistic pMSE on {n:,} + {n:,} rows: ours {t_ours:.3f} s, synthpop {t_r:.3f} s, "
          f"speed-up {t_r / t_ours:.1f}x (target >= 5x); values {ours_p:.10g} vs {float(theirs[0]):.10g} "
          f"(equal to 1e-6: {abs(ours_p - float(theirs[0])) <= 1e-6 * abs(float(theirs[0]))})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = ap.parse_args()
    for n in args.rows:
        bench_measures(n)
    bench_against_synthpop(max(args.rows))


if __name__ == "__main__":
    main()
