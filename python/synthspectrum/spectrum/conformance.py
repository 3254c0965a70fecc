"""The generator contract as a check, like scikit-learn's ``check_estimator`` or metasyn's
``check_fitter``: ``check_generator(MyGenerator)`` runs every rule of
:mod:`synthspectrum.spectrum.generators` on a small constructed frame (numbers, a number with
many missing values, text and an Enum with missing values and an unused level, booleans, dates)
and raises a one-line :class:`~synthspectrum.errors.SynthSpectrumError` naming the first rule
broken. A generator that cannot run here (``available()`` says no) is checked as far as it can
be without running, and the report says why the rest was not.

The frame is invented (no real record); the check writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError

# the rules, in the order they are checked: (key, what the generator must do)
RULES: dict[str, str] = {
    "available": "available() returns (bool, str)",
    "not fitted": "sample before fit raises a SynthSpectrumError",
    "fit returns self": "fit(real) returns the generator itself",
    "input unchanged": "fit and sample leave the real (and holdout) frame as they were",
    "columns and dtypes": "sample has the real columns, in order, with their dtypes and Enum levels",
    "n rows": "sample(n) has n rows",
    "same seed": "the same seed gives the same rows, from one generator and from two",
    "different seeds": "different seeds give different rows",
    "set seed": "set_params(seed=s) on a fitted generator draws what a new one with seed s draws (the "
                "spectrum fits once and draws its m sets so)",
    "missing values": "missing values stay missing (null, never a stand-in text or NaN), and a generator "
                      "that keeps missingness draws some where the real data have many",
}
ROWS, N = 120, 60
SEEDS = (11, 12)
STAND_INS = {"NA", "nan", "NaN", "Missing", "missing", "<NA>", "None", "null", ""}


@dataclass
class ConformanceReport:
    """Which rules ``name`` was checked against, and why the others were not (``skipped``)."""

    name: str
    checked: list[str] = field(default_factory=list)
    skipped: str | None = None


def contract_frame(rows: int = ROWS, seed: int = 0) -> pl.DataFrame:
    """An invented frame that exercises the contract: every kind of column, missing values."""
    rng = np.random.default_rng(seed)
    miss = rng.random(rows) < 0.4
    colours = rng.choice(["red", "green", "blue"], rows)
    grade = rng.choice(["low", "mid", "high"], rows)
    return pl.DataFrame({
        "visits": rng.integers(0, 50, rows),
        "size": pl.Series([None if m else float(v) for m, v in zip(miss, rng.normal(10, 2, rows))], dtype=pl.Float64),
        "colour": pl.Series([None if i % 7 == 0 else c for i, c in enumerate(colours)], dtype=pl.String),
        "grade": pl.Series([None if i % 9 == 0 else g for i, g in enumerate(grade)],
                           dtype=pl.Enum(["low", "mid", "high", "unused"])),
        "flag": rng.random(rows) < 0.5,
        "day": [dt.date(2021, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, rows)],
    })


def _broken(name: str, rule: str, why: str) -> SynthSpectrumError:
    return SynthSpectrumError(f"generator {name!r} breaks the rule '{rule}' ({RULES[rule]}): {why}")


def _maker(generator_or_class: Any) -> tuple[Callable[[int], Any], str]:
    """A function seed -> new unfitted generator, and the generator's name."""
    if isinstance(generator_or_class, type) or not hasattr(generator_or_class, "fit"):
        factory = generator_or_class  # a class, or a factory taking keyword options

        def make(seed: int) -> Any:
            return factory(seed=seed)
    else:
        template = generator_or_class
        if not hasattr(template, "get_params"):
            raise SynthSpectrumError(f"generator {getattr(template, 'name', template)!r}: pass its class, or give it "
                                     "get_params() so that new ones with other seeds can be made")

        def make(seed: int) -> Any:
            return type(template)(**{**template.get_params(), "seed": seed})
    try:
        probe = make(SEEDS[0])
    except TypeError as exc:
        raise SynthSpectrumError(f"generator {getattr(generator_or_class, '__name__', generator_or_class)!r}: its "
                                 f"constructor must take seed=...: {exc}") from None
    return make, str(getattr(probe, "name", None) or getattr(generator_or_class, "__name__", "generator"))


def _same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.schema == b.schema and a.equals(b, null_equal=True)


def check_generator(generator_or_class: Any, real: pl.DataFrame | None = None) -> ConformanceReport:
    """Run the contract on a generator class (or an instance: new ones are made from its
    ``get_params()`` with other seeds); raise on the first broken rule; report what was checked."""
    make, name = _maker(generator_or_class)
    real = contract_frame() if real is None else real
    holdout = contract_frame(40, seed=1)
    report = ConformanceReport(name)

    gen = make(SEEDS[0])
    ok = gen.available()
    if not (isinstance(ok, tuple) and len(ok) == 2 and isinstance(ok[0], bool) and isinstance(ok[1], str)):
        raise _broken(name, "available", f"it returned {type(ok).__name__} {ok!r:.60}")
    report.checked.append("available")
    try:
        gen.sample(N)
    except SynthSpectrumError:
        pass
    except Exception as exc:
        raise _broken(name, "not fitted", f"it raised {type(exc).__name__}, not a SynthSpectrumError") from None
    else:
        raise _broken(name, "not fitted", "sample before fit returned rows")
    report.checked.append("not fitted")
    if not ok[0]:
        report.skipped = f"not available here, so not run: {ok[1]}"
        return report

    real_before, holdout_before = real.clone(), holdout.clone()
    fitted = gen.fit(real, holdout=holdout)
    if fitted is not gen:
        raise _broken(name, "fit returns self", f"it returned {type(fitted).__name__}")
    report.checked.append("fit returns self")
    first = gen.sample(N)
    again = gen.sample(N)
    if not (_same(real, real_before) and real.columns == real_before.columns
            and _same(holdout, holdout_before)):
        raise _broken(name, "input unchanged", "the frame passed in was changed")
    report.checked.append("input unchanged")

    if not isinstance(first, pl.DataFrame):
        raise _broken(name, "columns and dtypes", f"sample returned {type(first).__name__}, not a polars DataFrame")
    if first.columns != real.columns:
        raise _broken(name, "columns and dtypes", f"columns {first.columns} for {real.columns}")
    for c, dtype in real.schema.items():
        if first.schema[c] != dtype:
            raise _broken(name, "columns and dtypes", f"column {c!r} is {first.schema[c]}, the real one {dtype}")
    report.checked.append("columns and dtypes")
    if first.height != N:
        raise _broken(name, "n rows", f"sample({N}) gave {first.height} rows")
    report.checked.append("n rows")

    twin = make(SEEDS[0]).fit(real.clone(), holdout=holdout.clone())
    if not (_same(first, again) and _same(first, twin.sample(N))):
        raise _broken(name, "same seed", f"seed {SEEDS[0]} gave different rows")
    report.checked.append("same seed")
    other = make(SEEDS[1]).fit(real.clone(), holdout=holdout.clone()).sample(N)
    if _same(first, other):
        raise _broken(name, "different seeds", f"seeds {SEEDS[0]} and {SEEDS[1]} gave the same rows")
    report.checked.append("different seeds")
    if not callable(getattr(gen, "set_params", None)):
        raise _broken(name, "set seed", "it has no set_params (subclass synthspectrum.spectrum.base.Generator)")
    reseeded = gen.set_params(seed=SEEDS[1])
    if reseeded is not gen or not _same(gen.sample(N), other):
        raise _broken(name, "set seed", f"set_params(seed={SEEDS[1]}) did not draw what a new generator with that "
                                        "seed draws" if reseeded is gen else "set_params did not return the generator")
    report.checked.append("set seed")

    for c, dtype in real.schema.items():
        s = first.get_column(c).alias("v")  # a name such as "^a.*$" is no pattern
        if dtype == pl.String and s.is_in(list(STAND_INS)).any() and not real.get_column(c).alias("v").is_in(
                list(STAND_INS)).any():
            raise _broken(name, "missing values", f"column {c!r} has a stand-in text for missing values")
        if dtype.is_float() and s.is_nan().any() and not real.get_column(c).alias("v").is_nan().any():
            raise _broken(name, "missing values", f"column {c!r} has NaN where the real column has nulls")
    if getattr(gen, "keeps_missing", True):
        many = [c for c in real.columns if real.get_column(c).null_count() >= 0.3 * real.height]
        for c in many:
            if first.get_column(c).null_count() == 0:
                raise _broken(name, "missing values", f"column {c!r} is {real.get_column(c).null_count()}/"
                                                      f"{real.height} missing in the real data, never in the sample")
    report.checked.append("missing values")
    return report
