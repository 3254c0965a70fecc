"""The privacy-utility spectrum: every generator on the same data, measured the same way.

``run_spectrum(df)`` splits the real data into training records and held-out records (half of
them the baseline of the distance measures, half the pool of the ``real-holdout`` reference),
fits each
generator on the training records, draws ``m`` synthetic sets per generator (one seed each),
and measures every set with :func:`synthspectrum.evaluation.evaluate`. A generator that needs R
or synthpop is skipped with its reason where they are absent; a generator that fails is
reported and the run goes on.

One TOML file documents the whole run (``SpectrumConfig``); ``synthspectrum spectrum``
writes the results table (Parquet and CSV), the plots and one HTML report to a folder.

Which way is better: every frontier measure has a best value (``MEASURES``: the propensity
AUC's is 0.5, S_pMSE's 1, share_closer_to_training's 0.5, replicated uniques' and DiSCO's 0),
and generators are ranked by their distance from it, so an AUC of 0.45 is as far from ideal
as one of 0.55, not better than 0.5.

The utility axis (default ``AUC_cv``) is the propensity AUC measured out of sample
(:func:`synthspectrum.measures.utility.propensity_auc_cv`, ``cv_folds`` folds): the in-sample AUC of
a model with hundreds of interaction columns rewards memorising its own records, so even real
holdout records score 0.65 on the bundled 10,000 rows and 0.95-1.0 on 300. The interaction
order ``maxorder`` is lowered (down to main effects, noted in ``SpectrumResult.notes``) when
the propensity design would have fewer than ``RECORDS_PER_COLUMN`` records per column, so
small data get a model they can fit. A reference (real holdout) that still lands far from
the best value is warned about: then the measure cannot tell real from synthetic here.

Differences between neighbours along the spectrum are narrated only when they exceed their
uncertainty over seeds (see :func:`explain`); with ``m = 1`` there is no such estimate.

Keys and target default to the bundled data's (``datasets.recipe_for``) on
that data only; on any other data there are none unless configured, and the measures that
need them (table utility, replicated uniques, DiSCO) are skipped and reported.

What the outputs disclose: aggregates only (measures, model summaries, histograms of
synthetic-vs-real comparisons); no real or synthetic record is written.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.core.frames import require_columns, require_rows, to_polars
from synthspectrum.spectrum.generators import SPECTRUM_ORDER, generator_names, make_generator

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from synthspectrum.datasets import DEFAULT as DEFAULT_DATA

# Each frontier measure's best value, direction and range. "target": the best value is in the
# middle of the range and distance is |value - best| either way (an AUC of 0.45 is as far from
# ideal as 0.55); "lower": distance is value - best. One small table so that a later measure
# registry can take it over.
MEASURES: dict[str, tuple[float, str, tuple[float, float]]] = {
    "AUC": (0.5, "target", (0.0, 1.0)),
    "AUC_cv": (0.5, "target", (0.0, 1.0)),
    "S_pMSE": (1.0, "target", (0.0, math.inf)),
    "share_closer_to_training": (0.5, "target", (0.0, 1.0)),
    "membership_auc": (0.5, "target", (0.0, 1.0)),
    "replicated_uniques_percent": (0.0, "lower", (0.0, 100.0)),
    "DiSCO": (0.0, "lower", (0.0, 100.0)),
}
# How far the real-holdout reference may land from a utility measure's best value before the
# run warns that the measure cannot tell real from synthetic on this data. An AUC: 0.1, or 3
# standard deviations of the AUC of two samples of one distribution (Mann-Whitney,
# sd = sqrt((n1 + n2 + 1) / (12 n1 n2)), 0.12 at 100 + 100 records) when that is larger.
# S_pMSE above 3 is commonly read as poor.
REFERENCE_TOLERANCE = {"AUC": 0.1, "AUC_cv": 0.1, "S_pMSE": 2.0}
AUC_MEASURES = {"AUC", "AUC_cv"}
# The propensity model's interactions are kept only while its design has at least this many
# records per column (real + synthetic over design columns), the events-per-variable rule of
# thumb for logistic regression (Peduzzi et al. 1996, J Clin Epidemiol 49(12)).
RECORDS_PER_COLUMN = 10
# Derived seeds (split: seed, seed + 1; synthetic sets: seed * 1000 + i) must fit R's
# set.seed, a 32-bit signed integer.
MAX_DERIVED_SEED = 2**31 - 1
# A difference between two generators is "clear" when it exceeds this many standard errors.
CLEAR_SE = 2.0

UTILITY_MEASURES = {"AUC_cv": "propensity AUC, out of sample (0.5 is best)",
                    "AUC": "propensity AUC, in sample (0.5 is best)", "S_pMSE": "S_pMSE (1 is best)"}
RISK_MEASURES = {"share_closer_to_training": "share of synthetic records closer to training than holdout (0.5 is best)",
                 "replicated_uniques_percent": "replicated uniques, % of training records (0 is best)",
                 "DiSCO": "DiSCO, % of training records whose target is disclosed correctly (lower is better)"}


def distance_from_best(measure: str, value: Any) -> Any:
    """How far ``value`` (a number or numpy array) is from ``measure``'s best value (``MEASURES``)."""
    if measure not in MEASURES:
        raise SynthSpectrumError(f"no best value is known for measure {measure!r}; known: {', '.join(MEASURES)}")
    best, direction, _ = MEASURES[measure]
    return np.abs(np.asarray(value, dtype=float) - best) if direction == "target" else np.asarray(value, float) - best


def _whole(name: str, value: Any, low: int, high: int | None = None, example: str | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SynthSpectrumError(f"setting {name!r} must be a whole number, got {value!r}"
                                 + (f" (e.g. {example})" if example else ""))
    if value < low or (high is not None and value > high):
        span = f"at least {low}" if high is None else f"between {low} and {high}"
        raise SynthSpectrumError(f"setting {name!r} must be {span}, got {value}")


def _names(name: str, value: Any, example: str) -> None:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SynthSpectrumError(f"setting {name!r} must be a list of names, got {value!r}; "
                                 f"in the config: {name} = {example}")


@dataclass
class SpectrumConfig:
    """Everything a run depends on; ``to_toml`` / ``from_toml`` write and read it.

    ``keys = None`` (the default): the bundled A&E data's keys on that data, none on any
    other data; ``keys = []``: none. ``target = None``: the bundled default on the bundled
    data (when there are keys), none otherwise; ``target = ""``: none. A finished run's
    config (``SpectrumResult.config``) holds the keys and target it used.
    """

    data: str = DEFAULT_DATA
    keys: list[str] | None = None
    target: str | None = None
    holdout_fraction: float = 2 / 3  # train, distance baseline and reference pool of one size each
    generators: list[str] = field(default_factory=lambda: list(SPECTRUM_ORDER))
    generator_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    m: int = 3
    seed: int = 1
    utility_measure: str = "AUC_cv"
    risk_measure: str = "share_closer_to_training"
    maxorder: int = 1  # propensity model with pairwise interactions, so lost relations show
    cv_folds: int = 2  # out of sample for the price of one in-sample fit of the interaction model
    formula: str | None = None
    family: str = "gaussian"
    max_records: int = 5_000
    # identifier-like columns (nearly every value distinct: record numbers, names, free text) carry
    # no analytic value, only risk, and synthpop refuses them: left out of every run unless asked
    drop_identifiers: bool = True
    exclude: list[str] = field(default_factory=list)  # further columns to leave out of every run

    def validate(self) -> "SpectrumConfig":
        """Check every setting; a bad one raises a one-line :class:`SynthSpectrumError` naming it."""
        if not isinstance(self.data, str):
            raise SynthSpectrumError(f"setting 'data' must be a file name or a bundled dataset name, got {self.data!r}")
        _whole("m", self.m, 1, example="m = 3")
        # derived seeds: seed + 1 (the split) and seed * 1000 + i for i < m (the synthetic sets)
        _whole("seed", self.seed, 0, (MAX_DERIVED_SEED - self.m + 1) // 1000, example="seed = 1")
        _whole("maxorder", self.maxorder, 0, example="maxorder = 1")
        _whole("cv_folds", self.cv_folds, 2, example="cv_folds = 2")
        _whole("max_records", self.max_records, 1, example="max_records = 5000")
        if (isinstance(self.holdout_fraction, bool) or not isinstance(self.holdout_fraction, (int, float))
                or not 0 < self.holdout_fraction < 1):
            raise SynthSpectrumError(f"setting 'holdout_fraction' must be a number between 0 and 1, "
                                     f"got {self.holdout_fraction!r}")
        if self.keys is not None:
            _names("keys", self.keys, '["sex", "age_group"]')
        if self.target is not None and not isinstance(self.target, str):
            raise SynthSpectrumError(f"setting 'target' must be one column name, got {self.target!r}; "
                                     'in the config: target = "income" (or target = "" for none)')
        _names("generators", self.generators, '["random", "metasyn", "real-holdout"]')
        if not self.generators:
            raise SynthSpectrumError("setting 'generators' is empty: name at least one generator")
        known = generator_names()
        for name in self.generators:
            if name not in known:
                raise SynthSpectrumError(f"setting 'generators': unknown generator {name!r}; known: {', '.join(known)}")
        if len(set(self.generators)) < len(self.generators):
            raise SynthSpectrumError("setting 'generators' names a generator twice")
        if not isinstance(self.generator_options, dict) or not all(
                isinstance(v, dict) for v in self.generator_options.values()):
            raise SynthSpectrumError("setting 'generator_options' must map generator names to tables of options, "
                                     'e.g. [generator_options.synthpop-cart-smooth] minbucket = 50')
        for name in self.generator_options:
            if name not in known:
                raise SynthSpectrumError(f"setting 'generator_options': unknown generator {name!r}")
        if self.utility_measure not in UTILITY_MEASURES:
            raise SynthSpectrumError(f"setting 'utility_measure' must be one of {list(UTILITY_MEASURES)}, "
                                     f"got {self.utility_measure!r}")
        if self.risk_measure not in RISK_MEASURES:
            raise SynthSpectrumError(f"setting 'risk_measure' must be one of {list(RISK_MEASURES)}, "
                                     f"got {self.risk_measure!r}")
        if self.formula is not None and not isinstance(self.formula, str):
            raise SynthSpectrumError(f"setting 'formula' must be text such as \"y ~ x1 + x2\", got {self.formula!r}")
        if self.family not in ("gaussian", "binomial"):
            raise SynthSpectrumError(f"setting 'family' must be 'gaussian' or 'binomial', got {self.family!r}")
        if not isinstance(self.drop_identifiers, bool):
            raise SynthSpectrumError(f"setting 'drop_identifiers' must be true or false, got {self.drop_identifiers!r}")
        _names("exclude", self.exclude, '["patient_id", "notes"]')
        return self

    def to_toml(self) -> str:
        import tomli_w

        d = {k: v for k, v in asdict(self).items() if v is not None}
        return tomli_w.dumps(d)

    @classmethod
    def from_toml(cls, text_or_path: str | Path) -> "SpectrumConfig":
        text = Path(text_or_path).read_text() if Path(str(text_or_path)).suffix == ".toml" else str(text_or_path)
        try:
            d = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SynthSpectrumError(f"the spectrum config is not valid TOML: {exc}") from None
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise SynthSpectrumError(f"unknown setting(s) in the spectrum config: {', '.join(sorted(unknown))}")
        data = d.get("data")
        if isinstance(data, str) and Path(str(text_or_path)).suffix == ".toml" and Path(data).suffix \
                and not Path(data).is_absolute():
            # a data file named in a config file is found next to the config, wherever it is run from
            beside = Path(text_or_path).parent / data
            if beside.exists():
                d["data"] = str(beside)
        return cls(**d).validate()


@dataclass
class SpectrumResult:
    """``results``: generator, seed, group, section, measure, column, value (one row per measure);
    ``runs``: generator, seed, status (ok / skipped / failed), message, seconds; a row with
    generator ``"measures"`` names the measures skipped for want of keys or a target.
    ``notes``: what the run changed or warns about (a lowered interaction order, a reference
    far from the best value). ``error_details``: the full text of exceptions raised by other
    libraries, kept in memory only (never written to runs or reports: such text can quote a
    data value)."""

    results: pl.DataFrame
    runs: pl.DataFrame
    config: SpectrumConfig
    notes: list[str] = field(default_factory=list)
    error_details: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def n_runs(self) -> int:
        """Synthetic sets the run set out to make: generators x m."""
        return len(self.config.generators) * self.config.m

    @property
    def n_failed(self) -> int:
        """Synthetic sets that failed: a failed fit counts for each of its generator's m sets."""
        failed = self.runs.filter((pl.col("status") == "failed") & (pl.col("generator") != "measures"))
        return sum(1 if seed is not None else self.config.m for seed in failed["seed"].to_list())

    def headline(self) -> pl.DataFrame:
        """Generator x headline measure: mean and standard deviation over the seeds."""
        cfg = self.config
        names = {"AUC_cv": "propensity AUC (out of sample)", "AUC": "propensity AUC", "S_pMSE": "S_pMSE",
                 "KSComplement": "KSComplement",
                 "TVComplement": "TVComplement", "exact_match_share": "exact matches",
                 "replicated_uniques_percent": "repU %", "DiSCO": "DiSCO %",
                 "share_closer_to_training": "closer to training", "membership_auc": "membership AUC"}
        r = self.results.filter(pl.col("measure").is_in(list(names)) & (pl.col("section") != "table"))
        per_seed = r.group_by("generator", "seed", "measure").agg(pl.col("value").mean())
        agg = per_seed.group_by("generator", "measure").agg(
            pl.col("value").mean().alias("mean"), pl.col("value").std().alias("sd"))
        wide = agg.with_columns(pl.col("measure").replace(names)).pivot(
            on="measure", index="generator", values="mean")
        order = [g for g in cfg.generators if g in wide["generator"].to_list()]
        wide = wide.with_columns(pl.col("generator").replace_strict({g: i for i, g in enumerate(order)},
                                                                   return_dtype=pl.Int32).alias("_o")).sort("_o").drop("_o")
        return wide.select(["generator", *[v for v in names.values() if v in wide.columns]])

    def frontier_points(self) -> pl.DataFrame:
        """Per generator: the utility and risk measures' mean, sd and number of seeds (``*_n``),
        the mean over seeds of each seed's distance from the measure's best value (``*_distance``,
        see ``MEASURES``) and its sd (``*_distance_sd``),
        and ``pareto``: no other generator is at least as close to best on both axes and closer
        on one. The sd is null with one seed."""
        cfg = self.config
        out = []
        for which, measure in (("utility", cfg.utility_measure), ("risk", cfg.risk_measure)):
            f = self.results.filter((pl.col("measure") == measure) & (pl.col("section").is_in(["general", "privacy"])))
            f = f.group_by("generator", "seed").agg(pl.col("value").mean())
            # the distance of each seed's value, then its mean: AUCs of 0.40 and 0.60 are 0.1 from
            # best on average, not 0 (the distance of their mean)
            f = f.with_columns(pl.Series("d", distance_from_best(measure, f["value"].to_numpy())))
            out.append(f.group_by("generator").agg(pl.col("value").mean().alias(f"{which}_mean"),
                                                   pl.col("value").std().alias(f"{which}_sd"),
                                                   pl.len().cast(pl.Int64).alias(f"{which}_n"),
                                                   pl.col("d").mean().alias(f"{which}_distance"),
                                                   pl.col("d").std().alias(f"{which}_distance_sd")))
        schema = {"generator": pl.String}
        for which in ("utility", "risk"):
            schema |= {f"{which}_mean": pl.Float64, f"{which}_sd": pl.Float64, f"{which}_n": pl.Int64,
                       f"{which}_distance": pl.Float64, f"{which}_distance_sd": pl.Float64}
        schema["pareto"] = pl.Boolean
        if out[0].height == 0 or out[1].height == 0:
            return pl.DataFrame(schema=schema)
        pts = out[0].join(out[1], on="generator")
        u, r = pts["utility_distance"].to_numpy(), pts["risk_distance"].to_numpy()
        known = ~(np.isnan(u) | np.isnan(r))  # a point without both measures is on no frontier
        pareto = [bool(known[i]) and not any(known[j] and (u[j] <= u[i]) and (r[j] <= r[i])
                                             and (u[j] < u[i] or r[j] < r[i]) for j in range(len(u)))
                  for i in range(len(u))]
        pts = pts.with_columns(pl.Series("pareto", pareto))
        order = {g: i for i, g in enumerate(cfg.generators)}
        pts = pts.with_columns(pl.col("generator").replace_strict(order, default=len(order), return_dtype=pl.Int32)
                               .alias("_o")).sort("_o", "generator").drop("_o")
        return pts.select(list(schema))


def split(df: pl.DataFrame, holdout_fraction: float, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Training and holdout records, drawn at random with ``seed``."""
    rng = np.random.default_rng(seed)
    idx = rng.permutation(df.height)
    n_hold = int(round(df.height * holdout_fraction))
    if n_hold < 1 or n_hold >= df.height:
        raise SynthSpectrumError(f"holdout_fraction {holdout_fraction} leaves no training or no holdout record")
    return df[np.sort(idx[n_hold:])], df[np.sort(idx[:n_hold])]


class _Progress:
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


def _describe(exc: BaseException) -> tuple[str, bool]:
    """A runs.csv message for ``exc`` and whether its own text was withheld.

    Our own errors (SynthSpectrumError) name settings and columns, never values: their ``public``
    part is kept. Other libraries' messages (polars, metasyn, R, and the ``detail`` our errors
    carry from them) can quote a data value, so only their type is recorded; the full text stays
    in memory (``SpectrumResult.error_details``)."""
    if isinstance(exc, SynthSpectrumError):
        if exc.detail:
            return (f"{type(exc).__name__}: {exc.public} (the library's own words are withheld here because "
                    "they can quote a data value; SpectrumResult.error_details holds them in memory)"), True
        return f"{type(exc).__name__}: {exc}", False
    return (f"{type(exc).__name__} raised by the generator or a measure (its text is withheld here because it "
            "can quote a data value; SpectrumResult.error_details holds it in memory)"), True


def _config_example(df: pl.DataFrame) -> str:
    names = ", ".join(f'"{c}"' for c in df.columns[:2])
    return (f"name them in spectrum.toml, e.g. keys = [{names}] and target = \"{df.columns[-1]}\" "
            '(keys = [] and target = "" for none), or with --keys/--target')


def _leave_out(real: pl.DataFrame, cfg: SpectrumConfig) -> tuple[pl.DataFrame, str | None]:
    """``real`` without the columns of ``cfg.exclude`` and (with ``drop_identifiers``) its
    identifier-like ones, never a named key or target; and a note naming them (names only)."""
    import warnings

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
               "synthpop cannot model them; drop_identifiers = false keeps them)" if cfg.drop_identifiers else "")
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
    need = {"replicated_uniques_percent": bool(keys), "DiSCO": bool(keys and target)}
    if not need.get(cfg.risk_measure, True):
        raise SynthSpectrumError(f"risk_measure {cfg.risk_measure!r} needs keys"
                                 + (" and a target" if cfg.risk_measure == "DiSCO" else "")
                                 + f"; {_config_example(real)}")
    skipped = []
    if not keys:
        skipped.append("table utility, replicated uniques and DiSCO need keys (quasi-identifiers), and "
                       + ("the data are not the bundled A&E data, whose keys are the only default"
                          if cfg.keys is None else "keys = [] was given"))
    elif not target:
        skipped.append("DiSCO (attribute disclosure) needs a target column, and none was given")
    return keys, target, skipped


def _design_width(df: pl.DataFrame, maxorder: int) -> tuple[int, int]:
    """(columns, variables) of the propensity design :func:`synthspectrum.measures.utility.utility_gen` would fit
    on ``df``'s levels (identifier-like columns left out, levels grouped, the cap applied), counted
    without building it."""
    import warnings

    from synthspectrum.measures.utility import design_size

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the measures themselves warn about what they leave out
        size = design_size(df, df, maxorder)
    return size["columns"], size["variables"]


def _propensity_order(train: pl.DataFrame, maxorder: int) -> tuple[int, str | None]:
    """The highest interaction order <= ``maxorder`` whose design has at least
    ``RECORDS_PER_COLUMN`` records (a set of ``train.height`` synthetic records against the
    training records) per column, and a note when it is lower than asked."""
    n = 2 * train.height
    order, width = maxorder, 0
    for order in range(maxorder, -1, -1):
        width, variables = _design_width(train, order)
        if order < variables and n >= RECORDS_PER_COLUMN * width:
            break
    if order == maxorder:
        return order, None
    what = "main effects only" if order == 0 else f"interactions of up to {order + 1} variables"
    return order, (f"The propensity model uses {what} (maxorder {order}, not {maxorder}): with {n} records "
                   f"(training and synthetic) the model of maxorder {maxorder} would have "
                   f"{_design_width(train, maxorder)[0]} columns, fewer than {RECORDS_PER_COLUMN} records per "
                   "column, and would fit its own records instead of the data.")


def run_spectrum(df: Any, config: SpectrumConfig | None = None, progress: bool | None = None,
                 **overrides: Any) -> SpectrumResult:
    """Run every generator of ``config`` (defaults: the whole spectrum, m = 3) on ``df`` (polars
    or pandas); keyword ``overrides`` replace config fields (``generators=[...]``, ``m=2``...).

    ``progress``: a tqdm bar (True), one line per run on stderr (False), or the bar on a
    terminal and lines otherwise (None); either way ``k/N`` runs and the time left.
    """
    unknown = set(overrides) - set(SpectrumConfig.__dataclass_fields__)
    if unknown:
        raise SynthSpectrumError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    cfg = SpectrumConfig(**{**asdict(config or SpectrumConfig()), **overrides}).validate()
    real, _ = to_polars(df)
    require_rows(real)
    # the package's one policy for values no model can use, applied once, so that every generator
    # (the random one included) and every measure see the same real data
    real, _ = clean_numbers(real, "data")
    real, left_note = _leave_out(real, cfg)
    keys, target, skipped_measures = _resolve_keys(cfg, real)
    cfg = replace(cfg, keys=keys, target=target)
    for name in cfg.generators:
        make_generator(name)  # unknown names fail before any work
    from synthspectrum.measures import utility
    from synthspectrum.evaluation.report import evaluate

    train, rest = split(real, cfg.holdout_fraction, cfg.seed)
    # Half the held-out records are the distance baseline, half the real-holdout reference's
    # pool: measured against itself, the reference would look like a perfect copy.
    holdout, reference = split(rest, 0.5, cfg.seed + 1)
    seeds = [cfg.seed * 1000 + i for i in range(cfg.m)]
    order, order_note = _propensity_order(train, cfg.maxorder)
    notes = [n for n in (left_note, order_note) if n]
    show = sys.stderr.isatty() if progress is None else progress
    bar = _Progress(len(cfg.generators) * cfg.m, bool(show))
    results, runs, details = [], [], []
    for why in skipped_measures:
        runs.append({"generator": "measures", "seed": None, "status": "skipped", "message": why, "seconds": 0.0})

    def log(gen: str, seed: int | None, status: str, message: str, seconds: float) -> None:
        runs.append({"generator": gen, "seed": seed, "status": status, "message": message, "seconds": seconds})
        bar.step(gen, seed, status, message, seconds, 1 if seed is not None else cfg.m)

    def failed(gen: str, seed: int | None, exc: Exception, seconds: float, where: str = "") -> None:
        message, withheld = _describe(exc)
        if withheld:
            details.append({"generator": gen, "seed": seed, "type": type(exc).__name__, "text": str(exc)})
        log(gen, seed, "failed", where + message, seconds)

    try:
        for name in cfg.generators:
            gen = make_generator(name, **cfg.generator_options.get(name, {}))
            ok, reason = gen.available()
            if not ok:
                log(name, None, "skipped", reason, 0.0)
                continue
            t0 = time.perf_counter()
            try:
                gen.fit(train, seed=cfg.seed, holdout=reference)
            except Exception as exc:  # reported in the results; the run goes on
                failed(name, None, exc, time.perf_counter() - t0, "fit: ")
                continue
            fit_seconds = time.perf_counter() - t0
            for seed in seeds:
                t1 = time.perf_counter()
                try:
                    syn = gen.sample(train.height, seed=seed)
                    gen_seconds = time.perf_counter() - t1 + fit_seconds / cfg.m
                    t2 = time.perf_counter()
                    ev = evaluate(train, syn, keys=cfg.keys or None, target=cfg.target or None, holdout=holdout,
                                  formula=cfg.formula, family=cfg.family, seed=seed, maxorder=order,
                                  max_records=cfg.max_records, plots=False)
                    measures = ev.measures
                    if cfg.utility_measure == "AUC_cv" and "AUC_cv" not in measures["measure"].to_list():
                        auc = utility.propensity_auc_cv(train, syn, maxorder=order, folds=cfg.cv_folds, seed=seed)
                        measures = pl.concat([measures, pl.DataFrame(
                            {"group": ["utility"], "section": ["general"], "measure": ["AUC_cv"], "column": [None],
                             "value": [float(auc)]}, schema=measures.schema)])
                    results.append(measures.with_columns(pl.lit(name).alias("generator"), pl.lit(seed).alias("seed")))
                    log(name, seed, "ok", f"generate {gen_seconds:.1f} s, measure {time.perf_counter() - t2:.1f} s",
                        time.perf_counter() - t1)
                except Exception as exc:  # reported in the results; the run goes on
                    failed(name, seed, exc, time.perf_counter() - t1)
    finally:
        bar.close()
    res = (pl.concat(results).select("generator", "seed", "group", "section", "measure", "column", "value")
           if results else pl.DataFrame(schema={"generator": pl.String, "seed": pl.Int64, "group": pl.String,
                                                 "section": pl.String, "measure": pl.String, "column": pl.String,
                                                 "value": pl.Float64}))
    runs_df = pl.DataFrame(runs, schema={"generator": pl.String, "seed": pl.Int64, "status": pl.String,
                                         "message": pl.String, "seconds": pl.Float64})
    result = SpectrumResult(res.with_columns(pl.col("seed").cast(pl.Int64)), runs_df, cfg, notes, details)
    note = _reference_note(result, train.height, min(train.height, reference.height))
    if note:
        warnings.warn(note, UserWarning, stacklevel=2)
        result.notes.append(note)
    return result


def _reference_note(result: SpectrumResult, n_real: int, n_reference: int) -> str | None:
    """A warning when the real-holdout reference lands far from the utility measure's best value."""
    cfg = result.config
    tol = REFERENCE_TOLERANCE.get(cfg.utility_measure)
    if tol is not None and cfg.utility_measure in AUC_MEASURES:
        tol = max(tol, 3 * math.sqrt((n_real + n_reference + 1) / (12 * n_real * n_reference)))
    ref = result.frontier_points().filter(pl.col("generator") == "real-holdout")
    if tol is None or ref.height == 0 or not ref["utility_distance"][0] > tol:
        return None
    best = MEASURES[cfg.utility_measure][0]
    return (f"Even real holdout records score {cfg.utility_measure} {ref['utility_mean'][0]:.3f}, "
            f"{ref['utility_distance'][0]:.3f} from its best value {best:g} (more than {tol:.3g}): on these data "
            "the measure tells real records apart almost as well as synthetic ones, so its differences between "
            "generators say little. More records, a lower maxorder or utility_measure = \"AUC_cv\" help.")


def plot_frontier(result: SpectrumResult, path: str | None = None):
    """Each generator's distance from the best value of the utility measure (x) and of the risk
    measure (y), with error bars of one sd over seeds, the real-holdout reference marked and the
    Pareto frontier drawn (lower-left is better on both). Drawn on a ``matplotlib.figure.Figure``
    without pyplot, so the caller's backend is left as it was. Aggregates only."""
    from matplotlib.figure import Figure

    pts = result.frontier_points()
    cfg = result.config
    fig = Figure(figsize=(8, 5.5))
    ax = fig.subplots()
    u_span = max(float(pts["utility_distance"].max() - pts["utility_distance"].min()), 1e-9) if pts.height else 1.0
    r_span = max(float(pts["risk_distance"].max() - pts["risk_distance"].min()), 1e-9) if pts.height else 1.0
    placed: list[tuple[float, float]] = []
    for row in pts.sort("risk_distance", descending=True).iter_rows(named=True):
        ref = row["generator"] == "real-holdout"
        # a distance from the best value is never negative: the bars stop at 0
        ux, ry = row["utility_distance"], row["risk_distance"]
        usd, rsd = row["utility_distance_sd"] or 0.0, row["risk_distance_sd"] or 0.0
        ax.errorbar(ux, ry, xerr=[[min(usd, ux)], [usd]], yerr=[[min(rsd, ry)], [rsd]], fmt="*" if ref else "o", markersize=14 if ref else 7, capsize=3,
                    color="#2a9d8f" if ref else ("#E4572E" if row["pareto"] else "#1A3C5A"))
        # nearby points get their labels stacked downwards instead of on top of each other
        x, y = row["utility_distance"] / u_span, row["risk_distance"] / r_span
        crowd = sum(1 for px, py in placed if abs(px - x) < 0.15 and abs(py - y) < 0.12)
        placed.append((x, y))
        ax.annotate(row["generator"] + (" (reference)" if ref else ""), (row["utility_distance"], row["risk_distance"]),
                    textcoords="offset points", xytext=(8, 6 - 13 * crowd), fontsize=9,
                    arrowprops={"arrowstyle": "-", "color": "#999", "lw": 0.5} if crowd else None)
    front = pts.filter(pl.col("pareto")).sort("utility_distance")
    if front.height > 1:
        ax.plot(front["utility_distance"], front["risk_distance"], "--", color="#E4572E", label="Pareto frontier")
        ax.legend()
    ax.set_xlabel(f"utility loss: distance from best of {UTILITY_MEASURES[cfg.utility_measure]}", fontsize=9)
    ax.set_ylabel(f"privacy risk: distance from best of\n{RISK_MEASURES[cfg.risk_measure]}", fontsize=9)
    ax.set_title("The privacy-utility spectrum: distance from each measure's best value (lower-left is better)",
                 fontsize=10)
    fig.tight_layout()
    if path:
        from synthspectrum.io.outputs import save_figure

        save_figure(fig, path)
    return fig


CLEAR_RULE = (f"A difference between two generators is called clear only when the difference of their mean "
              f"distances from the measure's best value exceeds {CLEAR_SE:g} standard errors over seeds, "
              f"|d_b - d_a| > {CLEAR_SE:g} sqrt(sd_a^2 / m_a + sd_b^2 / m_b) (sd over a generator's m synthetic "
              "sets); otherwise it reads 'no clear difference'. With one set per generator (m = 1) there is no "
              "estimate of the noise over seeds, and no direction is claimed.")


def _compare(pa: dict[str, Any], pb: dict[str, Any], which: str) -> str:
    """``closer`` / ``farther`` (b against a, from the best value), ``same`` (within the noise
    of :data:`CLEAR_RULE`) or ``unknown`` (fewer than two seeds on one side)."""
    na, nb = pa[f"{which}_n"], pb[f"{which}_n"]
    sa, sb = pa[f"{which}_distance_sd"], pb[f"{which}_distance_sd"]
    if na < 2 or nb < 2 or sa is None or sb is None:
        return "unknown"
    diff = pb[f"{which}_distance"] - pa[f"{which}_distance"]
    if abs(diff) > CLEAR_SE * math.sqrt(sa**2 / na + sb**2 / nb):
        return "closer" if diff < 0 else "farther"
    return "same"


def explain(result: SpectrumResult) -> list[str]:
    """What moving along the spectrum bought and cost on this data, in plain words.

    "Better" is closer to a measure's best value (``MEASURES``); a change is narrated as a
    change only when it is clear by :data:`CLEAR_RULE`."""
    pts = result.frontier_points()
    cfg = result.config
    got = {r["generator"]: r for r in pts.iter_rows(named=True)}
    order = [g for g in cfg.generators if g in got and g != "real-holdout"]
    words = {"utility": {"closer": "improved", "farther": "worsened", "same": "no clear difference",
                         "unknown": "no uncertainty estimate (one set)"},
             "risk": {"closer": "fell", "farther": "rose", "same": "no clear difference",
                      "unknown": "no uncertainty estimate (one set)"}}
    lines = []
    if len(order) > 1 or (order and "real-holdout" in got):
        if any(min(got[g]["utility_n"], got[g]["risk_n"]) < 2 for g in got):
            lines.append("With one synthetic set per generator (m = 1) there is no estimate of the noise over "
                         "seeds, so no difference below is called better or worse; run with m = 2 or more.")
        else:
            lines.append(f"How to read it: {CLEAR_RULE}")
    for a, b in zip(order, order[1:]):
        pa, pb = got[a], got[b]
        lines.append(
            f"From {a} to {b}: utility {words['utility'][_compare(pa, pb, 'utility')]} "
            f"({cfg.utility_measure} {pa['utility_mean']:.3f} -> {pb['utility_mean']:.3f}); "
            f"risk {words['risk'][_compare(pa, pb, 'risk')]} "
            f"({cfg.risk_measure} {pa['risk_mean']:.3f} -> {pb['risk_mean']:.3f}).")
    if "real-holdout" in got:
        h = got["real-holdout"]
        spmse = result.results.filter((pl.col("generator") == "real-holdout") & (pl.col("section") == "general")
                                      & (pl.col("measure") == "S_pMSE"))["value"]
        measured = f"{cfg.utility_measure} {h['utility_mean']:.3f}" + (
            f", S_pMSE {spmse.mean():.2f}" if spmse.len() and cfg.utility_measure != "S_pMSE" else "")
        lines.append(f"Real holdout records, the 'no synthesis' reference: {measured}; "
                     f"{cfg.risk_measure} {h['risk_mean']:.3f}.")
        better = [g for g in order if _compare(h, got[g], "utility") == "closer"]
        if better:
            lines.append(
                "Even real records differ from the training records by sampling noise: two independent real "
                f"samples score {measured} on these data. {', '.join(better)} came clearly closer to the "
                "training data than that: they follow the training records, their sampling noise included; how "
                "close they come to the records themselves is what the risk axis measures.")
    lines.extend(result.notes)
    for r in result.runs.filter(pl.col("status") == "skipped").iter_rows(named=True):
        if r["generator"] == "measures":
            lines.append(f"Measures skipped: {r['message']}.")
        else:
            lines.append(f"{r['generator']} was skipped: {r['message']}")
    for r in result.runs.filter(pl.col("status") == "failed").iter_rows(named=True):
        lines.append(f"{r['generator']} failed (seed {r['seed'] if r['seed'] is not None else 'all: the fit'}): "
                     f"{r['message']}")
    return lines


def render_html(result: SpectrumResult, frontier_png: str) -> str:
    import html

    from synthspectrum.evaluation.report import _table

    cfg = result.config
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>synthspectrum: the spectrum</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}"
        "th{background:#eef}img{max-width:100%}</style></head><body>",
        "<h1>The privacy-utility spectrum</h1>",
        f"<p>Data: {html.escape(cfg.data)}; {cfg.m} synthetic set(s) per generator; seed {cfg.seed}; "
        f"keys {html.escape(', '.join(cfg.keys or []) or 'none')}; target {html.escape(cfg.target or 'none')}. "
        "Aggregates only: this report holds no record.</p>",
        "<h2 id='frontier'>Frontier</h2>",
        f"<img alt='privacy-utility frontier' src='data:image/png;base64,{frontier_png}'>",
        "<p>Both axes show the distance from each measure's best value (" + html.escape("; ".join(
            f"{k} {best:g}" if d == "target" else f"{k} {best:g}, lower is better"
            for k, (best, d, _) in MEASURES.items() if k in (cfg.utility_measure, cfg.risk_measure)))
        + "): an AUC of 0.45 is as far from ideal as one of 0.55. " + html.escape(CLEAR_RULE) + "</p>",
        "<h2 id='explanation'>What each step bought and cost</h2><ul>",
        *[f"<li>{html.escape(line)}</li>" for line in explain(result)],
        "</ul><h2 id='headline'>Every generator, headline measures (mean over seeds)</h2>",
        _table(result.headline()),
        "<h2 id='runs'>Runs</h2>", _table(result.runs),
        "</body></html>",
    ]
    return "\n".join(parts)


OUTPUT_FILES = ["results.parquet", "results.csv", "runs.csv", "spectrum.toml", "frontier.png", "report.html"]


def output_folder(outdir: str | Path, force: bool = False, inputs: Sequence[str | Path | None] = ()):
    """The :class:`~synthspectrum.outputs.OutputFolder` the spectrum writes: check it (``.check()``)
    before running, so that a folder it must not touch is refused before any generator runs."""
    from synthspectrum.io.outputs import OutputFolder

    return OutputFolder(outdir, OUTPUT_FILES, inputs=inputs, force=force, what="spectrum output folder")


def write_outputs(result: SpectrumResult, outdir: str | Path, force: bool = False,
                  inputs: Sequence[str | Path | None] = ()) -> Path:
    """Write results (Parquet, CSV), runs, config, frontier plot and report to ``outdir``.

    Only the files in ``OUTPUT_FILES`` (and a manifest naming them) are written; nothing else in
    ``outdir`` is deleted, moved or overwritten. A non-empty folder that is not a previous spectrum
    output is refused unless ``force``; a file of one of our names that we did not write is always
    refused. Each file is staged and renamed into place, so an interrupted run changes nothing.
    """
    import base64

    with output_folder(outdir, force=force, inputs=inputs).writing() as tmp:
        result.results.write_parquet(tmp / "results.parquet")
        result.results.write_csv(tmp / "results.csv")
        result.runs.write_csv(tmp / "runs.csv")
        (tmp / "spectrum.toml").write_text(result.config.to_toml())
        plot_frontier(result).savefig(tmp / "frontier.png", dpi=110)  # staged: renamed into place below
        png = base64.b64encode((tmp / "frontier.png").read_bytes()).decode("ascii")
        (tmp / "report.html").write_text(render_html(result, png), encoding="utf-8")
    return Path(outdir)


def spectrum_from_config(config: SpectrumConfig, data: str | None = None, progress: bool | None = None) -> SpectrumResult:
    cfg = SpectrumConfig(**{**asdict(config), **({"data": data} if data else {})}).validate()
    from synthspectrum.io.tables import read_data

    return run_spectrum(read_data(cfg.data), cfg, progress=progress)


__all__: Sequence[str] = ["SpectrumConfig", "SpectrumResult", "run_spectrum", "plot_frontier", "write_outputs",
                          "output_folder", "OUTPUT_FILES",
                          "spectrum_from_config", "split"]
