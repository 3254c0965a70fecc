"""The privacy-utility spectrum: every generator on the same data, measured the same way.

``run_spectrum(real)`` splits the real data into training records and records no generator
sees (``holdout_fraction`` of them): half the holdout, the distance measures' baseline, half
the reference pool, from which the reference (``real-holdout``) draws real records. Measured
against itself, the reference would look like a perfect copy, hence two pools. Each generator
is fitted once on the training records (the reference on its pool) and draws ``m`` synthetic
sets, one seed each (``set_params(seed=...)``); every set is measured with
:func:`synthspectrum.evaluation.evaluate`. A generator that needs R or synthpop is skipped
with its reason where they are absent; a generator that fails is reported and the run goes on.
Fits and draws are tasks (:mod:`synthspectrum.spectrum.tasks`) run by an engine
(:mod:`synthspectrum.spectrum.engines`: ``jobs`` local workers, or a Dask cluster) in the order
:mod:`synthspectrum.spectrum.schedule` chooses; a draw starts
as soon as its fit is done, and the results come in one order whatever finished first, so the
numbers do not depend on where or in which order the tasks ran.

The utility axis (default ``AUC_cv``) is the propensity AUC measured out of sample
(:func:`synthspectrum.measures.utility.propensity_auc_cv`, ``cv_folds`` folds): the in-sample AUC
of a model with hundreds of interaction columns rewards memorising its own records, so even
the reference scores 0.65 on the bundled 10,000 rows and 0.95-1.0 on 300. The interaction
order ``maxorder`` is lowered (down to main effects, noted in ``SpectrumResult.notes``) when
the propensity design would have fewer than ``RECORDS_PER_COLUMN`` records per column, so
small data get a model they can fit.

Keys and target default to the bundled data's (``datasets.recipe_for``) on that data only; on
any other data there are none unless configured, and the measures that need them (as the
measure registry declares) are skipped and reported.

What a run discloses: aggregates only (measures, run statuses); no real or synthetic record.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import polars as pl

from synthspectrum.core.frames import require_columns, require_rows, to_polars
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.core.progress import show_progress
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures import registry as measure_registry
from synthspectrum.spectrum.config import SpectrumConfig, set_seeds
from synthspectrum.spectrum.engines import make_engine
from synthspectrum.spectrum.narrate import reference_note
from synthspectrum.spectrum.registry import make_generator
from synthspectrum.spectrum.result import SpectrumResult
from synthspectrum.spectrum.schedule import Progress, run_tasks
from synthspectrum.spectrum.tasks import Work

# The propensity model's interactions are kept only while its design has at least this many
# records per column (real + synthetic over design columns), the events-per-variable rule of
# thumb for logistic regression (Peduzzi et al. 1996, J Clin Epidemiol 49(12)).
RECORDS_PER_COLUMN = 10


def split(real: pl.DataFrame, holdout_fraction: float, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``real``'s records in two, at random with ``seed``: those to fit on (the training records)
    and the ``holdout_fraction`` held out from fitting, each in their original order."""
    rng = np.random.default_rng(seed)
    idx = rng.permutation(real.height)
    n_hold = int(round(real.height * holdout_fraction))
    if n_hold < 1 or n_hold >= real.height:
        raise SynthSpectrumError(f"holdout_fraction {holdout_fraction} leaves no training or no holdout record")
    return real[np.sort(idx[n_hold:])], real[np.sort(idx[:n_hold])]


def _config_example(real: pl.DataFrame) -> str:
    names = ", ".join(f'"{c}"' for c in real.columns[:2])
    return (f"name them in spectrum.toml, e.g. keys = [{names}] and target = \"{real.columns[-1]}\" "
            '(keys = [] and target = "" for none), or with --keys/--target')


def _leave_out(real: pl.DataFrame, cfg: SpectrumConfig) -> tuple[pl.DataFrame, str | None]:
    """``real`` without the columns of ``cfg.exclude`` and (with ``drop_identifiers``) its
    identifier-like ones, never a named key or target; and a note naming them (names only)."""
    from synthspectrum.core.columns import identifier_columns

    require_columns(real, cfg.exclude, "data (exclude)")
    left = list(cfg.exclude)
    if cfg.drop_identifiers:
        protected = set(cfg.keys or []) | ({cfg.target} if cfg.target else set())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = identifier_columns(real)
        left += [c for c in found if c not in protected and c not in left]
    if not left:
        return real, None
    if len(left) == real.width:
        raise SynthSpectrumError("every column would be left out of the spectrum (exclude / identifier-like)")
    note = (f"Left out of every run: {', '.join(repr(c) for c in left)}"
            + (" (identifier-like: nearly every value distinct; they carry no analytic value, only risk, and "
               "synthpop cannot model them; drop_identifiers = false in the config, or --keep-identifiers, keeps them)" if cfg.drop_identifiers else "")
            + ".")
    warnings.warn(note, UserWarning, stacklevel=3)
    keep = [real.get_column(c) for c in real.columns if c not in left]  # Series: names may be patterns
    return pl.DataFrame(keep), note


def _resolve_keys(cfg: SpectrumConfig, real: pl.DataFrame) -> tuple[list[str], str, list[str]]:
    """Keys, target ("" for none) and the measures skipped for want of them."""
    from synthspectrum.datasets import recipe_for

    recipe = recipe_for(real)
    keys = list(cfg.keys) if cfg.keys is not None else (list(recipe.keys) if recipe else [])
    target = cfg.target if cfg.target is not None else (recipe.target if recipe and keys else "")
    for c in keys:
        if c not in real.columns:
            raise SynthSpectrumError(f"the data have no key column {c!r}; {_config_example(real)}")
    if target and target not in real.columns:
        raise SynthSpectrumError(f"the data have no target column {target!r}; {_config_example(real)}")
    if target and not keys:
        raise SynthSpectrumError(f"target {target!r} needs keys (attribute disclosure is keys -> target); "
                                 f"{_config_example(real)}")
    if target and target in keys:
        raise SynthSpectrumError(f"target {target!r} is also one of the keys: disclosure is keys -> target, "
                                 "so the target must be another column")
    if len(set(keys)) < len(keys):
        raise SynthSpectrumError("setting 'keys' names a column twice")
    needs = measure_registry.get(cfg.risk_measure).needs
    if ("keys" in needs and not keys) or ("target" in needs and not target):
        raise SynthSpectrumError(f"risk_measure {cfg.risk_measure!r} needs keys"
                                 + (" and a target" if "target" in needs else "")
                                 + f"; {_config_example(real)}")
    skipped = []
    if not keys:
        skipped.append("table utility, replicated uniques and DiSCO need keys (quasi-identifiers), and "
                       + ("the data are not the bundled A&E data, whose keys are the only default"
                          if cfg.keys is None else "keys = [] was given"))
    elif not target:
        skipped.append("DiSCO (attribute disclosure) needs a target column, and none was given")
    return keys, target, skipped


def _design_width(df: pl.DataFrame, maxorder: int) -> tuple[int, int, int]:
    """(columns, variables, uncapped columns) of the propensity design
    :func:`synthspectrum.measures.utility.utility_gen` would fit on ``df``'s levels
    (identifier-like columns left out, levels grouped, the cap applied; ``uncapped``: before the
    cap), counted without building it."""
    # not through measures.utility, which loads scipy.stats (0.6 s): a parallel run's parent
    # measures nothing and needs only this count
    from synthspectrum.measures.propensity import design_size

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the measures themselves warn about what they leave out
        size = design_size(df, df, maxorder)
    return size["columns"], size["variables"], size["uncapped"]


def _propensity_order(real: pl.DataFrame, maxorder: int) -> tuple[int, str | None]:
    """The highest interaction order <= ``maxorder`` whose design has at least
    ``RECORDS_PER_COLUMN`` records (a set of ``real.height`` synthetic records against the
    training records) per column, and a note when it is lower than asked, or when even main
    effects are too many for the records (then the propensity measures cannot rank generators)."""
    n = 2 * real.height
    order, width, fits = maxorder, 0, False
    for order in range(maxorder, -1, -1):
        width, variables, _ = _design_width(real, order)
        if order < variables and n >= RECORDS_PER_COLUMN * width:
            fits = True
            break
    if order == maxorder and fits:
        return order, None
    asked, _, uncapped = _design_width(real, maxorder)
    asked_text = f"{uncapped:,} columns" + (f", {asked:,} after the cap" if asked != uncapped else "")
    if not fits and width >= n:
        # a logistic model with as many columns as records separates them: no estimate exists
        return 0, (f"The propensity model is too wide for these data: with {n} records (training and synthetic) "
                   f"even main effects give it {width:,} columns, as many as the records or more (maxorder "
                   f"{maxorder} would give {asked_text}). It separates its own records: the in-sample pMSE, "
                   "S_pMSE and propensity AUC are at their worst for every generator, the reference too, and "
                   "the out-of-sample AUC_cv, from a model that cannot generalise, tells only gross "
                   "differences apart. On these data the propensity measures cannot rank the generators: "
                   "read the per-column measures (KSComplement, TVComplement), or measure fewer columns or "
                   "more records.")
    what = "main effects only" if order == 0 else f"interactions of up to {order + 1} variables"
    short = "" if fits else (f"; even main effects, {width:,} columns, have fewer than {RECORDS_PER_COLUMN} records "
                             "per column: read its in-sample measures with care")
    return order, (f"The propensity model uses {what} (maxorder {order}, not {maxorder}): with {n} records "
                   f"(training and synthetic) the model of maxorder {maxorder} would have "
                   f"{asked_text}, fewer than {RECORDS_PER_COLUMN} records per "
                   f"column, and would fit its own records instead of the data{short}.")


def run_spectrum(real: Any, config: SpectrumConfig | None = None, progress: bool | None = None,
                 **overrides: Any) -> SpectrumResult:
    """Run every generator of ``config`` (defaults: the whole spectrum, m = 3) on ``real`` (polars
    or pandas); keyword ``overrides`` replace config fields (``generators=[...]``, ``m=2``...).

    ``progress``: a tqdm bar (True), one line per run on stderr (False), or the bar on a
    terminal and lines otherwise (None); either way ``k/N`` runs and the time left.
    """
    unknown = set(overrides) - set(SpectrumConfig.__dataclass_fields__)
    if unknown:
        raise SynthSpectrumError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    cfg = SpectrumConfig(**{**asdict(config or SpectrumConfig()), **overrides}).validate()
    real, _ = to_polars(real)
    require_rows(real)
    # the package's one policy for values no model can use, applied once, so that every generator
    # (the random one included) and every measure see the same real data
    real, _ = clean_numbers(real, "data")
    real, left_note = _leave_out(real, cfg)
    keys, target, skipped_measures = _resolve_keys(cfg, real)
    cfg = replace(cfg, keys=keys, target=target)
    generators = {name: make_generator(name, **{**cfg.generator_options.get(name, {}), "seed": cfg.seed})
                  for name in cfg.generators}  # unknown names and options fail before any work

    train, held_out = split(real, cfg.holdout_fraction, cfg.seed)
    # Half the held-out records are the distance baseline (the holdout), half the reference's
    # pool: measured against itself, the reference would look like a perfect copy.
    holdout, reference = split(held_out, 0.5, cfg.seed + 1)
    seeds = set_seeds(cfg.seed, cfg.m)
    order, order_note = _propensity_order(train, cfg.maxorder)
    notes = [n for n in (left_note, order_note) if n]
    work = Work(train, holdout, reference, list(cfg.keys or []), cfg.target or "", cfg.formula, cfg.family, order,
                cfg.max_records, cfg.utility_measure, cfg.cv_folds, cfg.m)
    needs_r = sorted({type(g) for g in generators.values() if getattr(g, "needs_r", False)},
                     key=lambda c: c.__qualname__)
    records = run_tasks(generators, seeds, work, make_engine(cfg.backend, cfg.jobs, cfg.scheduler, tuple(needs_r)),
                        Progress(len(cfg.generators) * cfg.m, show_progress(progress)))
    runs = [{"generator": "measures", "seed": None, "status": "skipped", "message": why, "seconds": 0.0}
            for why in skipped_measures]
    results, details = [], []
    # one order whatever the engine and whichever task finished first: the generators', then the seeds'
    for name in cfg.generators:
        for rec in records[name]:
            runs.append({k: rec[k] for k in ("generator", "seed", "status", "message", "seconds")})
            if rec["detail"]:
                details.append({"generator": name, "seed": rec["seed"], **rec["detail"]})
            if rec.get("measures") is not None:
                results.append(rec["measures"].with_columns(pl.lit(name).alias("generator"),
                                                            pl.lit(rec["seed"]).alias("seed")))
    res = (pl.concat(results).select("generator", "seed", "group", "section", "measure", "column", "value")
           if results else pl.DataFrame(schema={"generator": pl.String, "seed": pl.Int64, "group": pl.String,
                                                 "section": pl.String, "measure": pl.String, "column": pl.String,
                                                 "value": pl.Float64}))
    runs_df = pl.DataFrame(runs, schema={"generator": pl.String, "seed": pl.Int64, "status": pl.String,
                                         "message": pl.String, "seconds": pl.Float64})
    result = SpectrumResult(res.with_columns(pl.col("seed").cast(pl.Int64)), runs_df, cfg, notes, details)
    note = reference_note(result, train.height, min(train.height, reference.height))
    if note:
        warnings.warn(note, UserWarning, stacklevel=2)
        result.notes.append(note)
    return result


def spectrum_from_config(config: SpectrumConfig, data: str | None = None, progress: bool | None = None) -> SpectrumResult:
    cfg = SpectrumConfig(**{**asdict(config), **({"data": data} if data else {})}).validate()
    from synthspectrum.io.tables import read_data

    return run_spectrum(read_data(cfg.data), cfg, progress=progress)
