"""The spectrum's configuration: one TOML file documents a whole run (``SpectrumConfig``).

Every setting is checked on its own (``validate``), with a one-line error that names it and
shows how the config file writes it. The measures on the frontier must be registered in
:mod:`synthspectrum.measures.registry`: ``utility_measure`` a utility measure,
``risk_measure`` a privacy one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synthspectrum.core.seeds import SEED_MAX
from synthspectrum.datasets import DEFAULT as DEFAULT_DATA
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures import registry as measure_registry
from synthspectrum.spectrum.registry import SPECTRUM_ORDER, list_generators

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

# The seeds a run derives from its one ``seed``: the splits seed and seed + 1, the synthetic sets
# seed * 1000 + i; each must be a seed of the package's one policy (core.seeds: 0 to SEED_MAX,
# what R's set.seed takes), which bounds ``seed``.
SET_SEED_STRIDE = 1000


def set_seeds(seed: int, m: int) -> list[int]:
    """The seeds of a run's ``m`` synthetic sets per generator."""
    return [seed * SET_SEED_STRIDE + i for i in range(m)]


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


def _measure(setting: str, name: Any, group: str) -> None:
    """``name`` must be a registered measure of ``group`` (utility or privacy) with a best value (goal not "ignore") and
    one value per synthetic set (``per == "frame"``): the frontier places each set by one number."""
    known = [m.name for m in measure_registry.MEASURES.values()
             if m.group == group and m.goal != "ignore" and m.per == "frame"]
    if name not in known:
        raise SynthSpectrumError(f"setting {setting!r} must be one of the registered {group} measures "
                                 f"{known}, got {name!r}")


@dataclass
class SpectrumConfig:
    """Everything a run depends on; ``to_toml`` / ``from_toml`` write and read it.

    ``keys = None`` (the default): the bundled A&E data's keys on that data, none on any
    other data; ``keys = []``: none. ``target = None``: the bundled default on the bundled
    data (when there are keys), none otherwise; ``target = ""``: none. A finished run's
    config (``SpectrumResult.config``) holds the keys and target it used.
    """

    data: str = DEFAULT_DATA  # where the real data come from: a file or a bundled dataset's name
    keys: list[str] | None = None
    target: str | None = None
    # the share of records no generator sees: half the holdout (the distance measures' baseline),
    # half the reference pool; 2/3 makes training records, holdout and reference one size each
    holdout_fraction: float = 2 / 3
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
    # Where the runs go; none of the three changes a number (each run's seeds are fixed by ``seed``).
    # jobs: runs at once, each in its own process (-1: one per core; 1: in this process, one at a time).
    jobs: int = -1
    backend: str = "joblib"  # "joblib": local processes; "dask": an existing Dask cluster
    scheduler: str | None = None  # the Dask scheduler's address (None: Dask's own configuration)

    def validate(self) -> "SpectrumConfig":
        """Check every setting; a bad one raises a one-line :class:`SynthSpectrumError` naming it."""
        if not isinstance(self.data, str):
            raise SynthSpectrumError(f"setting 'data' must be a file name or a bundled dataset name, got {self.data!r}")
        _whole("m", self.m, 1, example="m = 3")
        # derived seeds: seed + 1 (the split) and seed * 1000 + i for i < m (the synthetic sets)
        _whole("seed", self.seed, 0, (SEED_MAX - self.m + 1) // SET_SEED_STRIDE, example="seed = 1")
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
        known = list_generators()
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
        _measure("utility_measure", self.utility_measure, "utility")
        _measure("risk_measure", self.risk_measure, "privacy")
        if self.formula is not None and not isinstance(self.formula, str):
            raise SynthSpectrumError(f"setting 'formula' must be text such as \"y ~ x1 + x2\", got {self.formula!r}")
        if self.family not in ("gaussian", "binomial"):
            raise SynthSpectrumError(f"setting 'family' must be 'gaussian' or 'binomial', got {self.family!r}")
        if not isinstance(self.drop_identifiers, bool):
            raise SynthSpectrumError(f"setting 'drop_identifiers' must be true or false, got {self.drop_identifiers!r}")
        _names("exclude", self.exclude, '["patient_id", "notes"]')
        _whole("jobs", self.jobs, -1, example="jobs = 2")
        if self.jobs == 0:
            raise SynthSpectrumError("setting 'jobs' must be -1 (one per core) or at least 1, got 0")
        if self.backend not in ("joblib", "dask"):
            raise SynthSpectrumError(f"setting 'backend' must be 'joblib' (local processes) or 'dask' (a Dask "
                                     f"cluster), got {self.backend!r}")
        if self.scheduler is not None and not isinstance(self.scheduler, str):
            raise SynthSpectrumError(f"setting 'scheduler' must be a Dask scheduler's address such as "
                                     f'"tcp://10.0.0.5:8786", got {self.scheduler!r}')
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
