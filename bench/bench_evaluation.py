"""Benchmark the evaluation: one default-spectrum set measured (our measures against the kept
reference implementations, in the same run); every measure on 10k and 100k rows; our logistic solver (on the
sparse design and on its dense copy) against statsmodels' GLM (and scikit-learn's
Newton-Cholesky) on the same propensity design; and our logistic pMSE against synthpop's
utility.gen(method = "logit") on the same 100k frames, at maxorder 0 and 1
(bench/bench_propensity.py, which also runs alone).

Targets: equal values (fitted probabilities within 1e-10 of each other, pMSE within 1e-6 of
synthpop's), ours >= 10x faster than synthpop. The synthpop part needs R, rpy2 and synthpop.

    .venv/bin/python bench/bench_evaluation.py [--rows 10000 100000] [--set-only]

The default-spectrum set: the bundled A&E data split as the spectrum splits it (3,333 training,
3,333 holdout records) and 3,333 metasyn records; timed best of 3 (interleaved), CPU seconds
of this process beside wall seconds (the machine is shared). References: the distance search
as it was (tests/measures/dcr_reference.py: scikit-learn's nearest neighbours on one-hot
features) and the cross-validated AUC computed separately (propensity_auc_cv, its own design),
as the spectrum did before evaluate(cv_folds=...).
"""

from __future__ import annotations

import argparse
import time


def frames(n: int):
    from synthspectrum import fit_metadata
    from synthspectrum.datasets import area_deprivation, generate_ae
    from synthspectrum.datasets.ae_tutorial import deidentify_ae

    real = deidentify_ae(generate_ae(2 * n, seed=5), area_deprivation())
    real_part, holdout = real.head(n), real.tail(n)
    syn = fit_metadata(real_part, progress=False).synthesize(n, seed=1)
    return real_part, syn, holdout


def clock(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def spectrum_set():
    """(training, synthetic, holdout) as the default spectrum's first metasyn run makes them."""
    from synthspectrum import fit_metadata
    from synthspectrum.datasets import load
    from synthspectrum.spectrum.config import SpectrumConfig
    from synthspectrum.spectrum.runner import split

    cfg = SpectrumConfig()
    real = load(cfg.data)
    train, held_out = split(real, cfg.holdout_fraction, cfg.seed)
    holdout, _ = split(held_out, 0.5, cfg.seed + 1)
    syn = fit_metadata(train, progress=False).synthesize(train.height, seed=1000)
    return train, syn, holdout, cfg


def best_of(fns: dict, repeat: int = 3) -> dict:
    """Best (wall, CPU) seconds of each function, the functions interleaved per round."""
    out = {name: (float("inf"), float("inf")) for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            w, c = time.perf_counter(), time.process_time()
            fn()
            w, c = time.perf_counter() - w, time.process_time() - c
            out[name] = (min(out[name][0], w), min(out[name][1], c))
    return out


def bench_spectrum_set() -> None:
    """One default-spectrum set measured: evaluate(cv_folds=2) and its parts, beside the references."""
    import sys
    import warnings
    from pathlib import Path

    from synthspectrum.core.pair import check_pair
    from synthspectrum.evaluation import evaluate
    from synthspectrum.measures import privacy, utility
    from synthspectrum.measures.propensity import logit_gen

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "measures"))
    import dcr_reference

    train, syn, holdout, cfg = spectrum_set()
    order, seed, folds = cfg.maxorder, 1000, cfg.cv_folds
    r, s = check_pair(train, syn)
    kw = dict(keys=["age_band", "gender", "deprivation_decile"], target="admitted", holdout=holdout, seed=seed,
              maxorder=order, max_records=cfg.max_records, plots=False)
    fns = {
        "evaluate(cv_folds=2)": lambda: evaluate(train, syn, cv_folds=folds, **kw),
        "  DCR + membership": lambda: privacy.dcr(r, s, holdout, max_records=cfg.max_records, seed=seed),
        "  pMSE + AUC_cv, one design": lambda: logit_gen(r, s, order, cv_folds=folds, seed=seed),
        "  associations": lambda: utility.association_difference(r, s),
        "ref: evaluate + propensity_auc_cv": lambda: (evaluate(train, syn, **kw),
                                                       utility.propensity_auc_cv(train, syn, order, folds, seed)),
        "ref: DCR (one-hot, sklearn)": lambda: dcr_reference.dcr(r, s, holdout, max_records=cfg.max_records, seed=seed),
        "ref: utility_gen + propensity_auc_cv": lambda: (utility.utility_gen(r, s, maxorder=order),
                                                          utility.propensity_auc_cv(r, s, order, folds, seed)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = best_of(fns)
    print(f"one default-spectrum set ({train.height:,} training, {syn.height:,} synthetic, {holdout.height:,} holdout "
          f"records; maxorder {order}, {folds} folds), best of 3", flush=True)
    for name, (w, c) in times.items():
        print(f"    {name:<38} {w:7.3f} s wall {c:7.3f} s CPU")
    for ours, ref in (("evaluate(cv_folds=2)", "ref: evaluate + propensity_auc_cv"),
                      ("  DCR + membership", "ref: DCR (one-hot, sklearn)"),
                      ("  pMSE + AUC_cv, one design", "ref: utility_gen + propensity_auc_cv")):
        print(f"    {ref[5:]} / {ours.strip()}: {times[ref][0] / times[ours][0]:.2f}x wall, "
              f"{times[ref][1] / times[ours][1]:.2f}x CPU")


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


def _r_glm_fit(X, t):
    """A function fitting R's glm.fit(X, t, binomial) on the matrix already copied to R (None without R)."""
    import numpy as np

    try:
        from synthspectrum.synthpop.bridge import rinterface

        ri = rinterface()
    except Exception as exc:  # R side absent: the rest still runs
        print(f"    (R glm.fit skipped: {exc})")
        return None
    ri.globalenv["X"] = ri.FloatSexpVector(np.asfortranarray(X).ravel(order="F"))
    ri.globalenv["t"] = ri.FloatSexpVector(t)
    ri.evalr(f"X <- matrix(X, nrow = {X.shape[0]})")
    return lambda: np.asarray(ri.evalr("glm.fit(X, t, family = binomial())$fitted.values"))


def bench_solver(n: int, repeat: int = 5) -> None:
    """Time :func:`synthspectrum.measures.logistic.logistic_fit` against statsmodels' GLM (IRLS)
    and scikit-learn's unpenalised Newton-Cholesky on utility_gen's own design (maxorder 0 and 1),
    each asked for the precision ours reaches; report the largest difference in fitted probability."""
    import warnings

    import numpy as np
    import statsmodels.api as sm
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from synthspectrum.core.pair import check_pair
    from synthspectrum.measures import propensity
    from synthspectrum.measures.logistic import independent_columns, logistic_fit

    real, syn, _ = frames(n)
    r, s = check_pair(real, syn)
    # main effects of every column; pairs of five columns (all pairs of every column would fill the
    # 1,000-column cap, where one statsmodels fit takes minutes and gigabytes)
    five = ["age_band", "gender", "treatment", "admitted", "time_in_ae_minutes"]
    for maxorder, cols in ((0, r.columns), (1, five)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X, t, _ = propensity._design(r.select(cols), s.select(cols), maxorder)
        X = X[:, independent_columns(X)]  # all fit the same full-rank design
        Xs = sparse.csr_matrix(X)
        fits = {
            "ours, dense design": lambda: logistic_fit(X, t, independent=True),
            "ours, sparse design": lambda: logistic_fit(Xs, t, independent=True),
            "statsmodels GLM (IRLS)": lambda: sm.GLM(t, X, family=sm.families.Binomial()).fit(tol=1e-10).fittedvalues,
            "sklearn newton-cholesky": lambda: LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10,
                                                                  max_iter=100, fit_intercept=False)
            .fit(X, t).predict_proba(X)[:, 1],
        }
        r_glm = _r_glm_fit(X, t)
        if r_glm is not None:  # R's own glm.fit (what synthpop's utility.gen calls), the matrix already in R
            fits["R glm.fit"] = r_glm
        print(f"logistic fit on {X.shape[0]:,} records x {X.shape[1]} columns (maxorder {maxorder}), best of {repeat}",
              flush=True)
        times, probs = {name: np.inf for name in fits}, {}
        with warnings.catch_warnings():  # near-separation: the alternatives warn of ill-conditioning
            warnings.simplefilter("ignore")
            for _ in range(repeat):  # interleaved, so that a busy moment of the machine hits all alike
                for name, fn in fits.items():
                    seconds, p = clock(fn)
                    times[name], probs[name] = min(times[name], seconds), np.asarray(p)
        ours = "ours, dense design"
        for name in fits:
            gap = float(np.max(np.abs(probs[name] - probs[ours])))
            print(f"    {name:<26} {times[name]:8.3f} s  {times[name] / times[ours]:6.2f}x ours' time  "
                  f"max |p - p_ours| {gap:.1e}", flush=True)


def bench_against_synthpop(n: int) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_propensity import against_synthpop

    against_synthpop(n, repeat=2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--solver-only", action="store_true", help="only the logistic solver comparison")
    ap.add_argument("--set-only", action="store_true", help="only the default-spectrum set")
    args = ap.parse_args()
    if not args.solver_only:
        bench_spectrum_set()
    if args.set_only:
        return
    for n in args.rows:
        if not args.solver_only:
            bench_measures(n)
        bench_solver(n)
    if args.solver_only:
        return
    bench_against_synthpop(max(args.rows))


if __name__ == "__main__":
    main()
