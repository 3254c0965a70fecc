"""Checkpoints: ``check("m2")`` tells a learner, step by step, what is right and what is not.

One specification per module, ``checkpoints/<module>.json``, shipped with the package, is read
by this module and by ``check()`` in ``r/workshop.R``; both judge the same answers alike (a test
feeds both the same answers and compares the verdicts). A step names the learner's variable,
which side computes it (``python``, ``r`` or ``both``), a test, and a hint:

  value   a number equal to ``value`` within ``tol`` (absolute; default 0)
  text    a string equal to ``value``
  rows    a data frame with ``value`` rows (and, with ``columns``, exactly those column names)
  same    equal to the learner's variable named in ``other`` (numbers within ``tol``)
  less    a number below ``value``, or below the learner's variable named in ``other``
  true    a single True
  file    a string naming a file that exists (relative to the current folder)

Each verdict has a ``reason``: ``right``, ``not_done`` (missing, None, ``...`` or, in R, a
``todo()``), ``wrong_type`` or ``wrong_value``. The messages never print the expected value
(that would hand out the answer), only what is wrong and the hint.
"""

from __future__ import annotations

import inspect
import json
import math
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from synthspectrum.errors import SynthSpectrumError

__all__ = ["Checkpoint", "Verdict", "check", "judge", "load_spec", "spec_folder", "TESTS", "SIDES"]

TESTS = ("value", "text", "rows", "same", "less", "true", "file")
SIDES = ("python", "r", "both")


def spec_folder() -> Path:
    return Path(str(files("synthspectrum.workshop") / "checkpoints"))


def load_spec(module: str) -> dict:
    """The checkpoint specification of ``module`` ("m0" ... "m5"), validated."""
    path = spec_folder() / f"{module}.json"
    if not path.exists():
        known = sorted(p.stem for p in spec_folder().glob("*.json"))
        raise SynthSpectrumError(f"no checkpoint for module {module!r}; there are checkpoints for {', '.join(known)}")
    spec = json.loads(path.read_text(encoding="utf-8"))
    for i, step in enumerate(spec.get("steps", []), 1):
        where = f"checkpoint {module}, step {step.get('step', i)}"
        for field in ("step", "name", "side", "var", "test", "hint"):
            if field not in step:
                raise SynthSpectrumError(f"{where} has no {field!r}")
        if step["test"] not in TESTS:
            raise SynthSpectrumError(f"{where}: unknown test {step['test']!r} (one of {', '.join(TESTS)})")
        if step["side"] not in SIDES:
            raise SynthSpectrumError(f"{where}: unknown side {step['side']!r} (one of {', '.join(SIDES)})")
        if step["test"] == "same" and "other" not in step:
            raise SynthSpectrumError(f"{where}: a 'same' test names the 'other' variable")
        if step["test"] == "less" and "value" not in step and "other" not in step:
            raise SynthSpectrumError(f"{where}: a 'less' test needs a 'value' or an 'other' variable")
        if step["test"] in ("value", "text", "rows") and "value" not in step:
            raise SynthSpectrumError(f"{where}: a {step['test']!r} test needs a 'value'")
    return spec


@dataclass(frozen=True)
class Verdict:
    step: int
    name: str
    ok: bool
    reason: str
    message: str


@dataclass(frozen=True)
class Checkpoint:
    module: str
    verdicts: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and all(v.ok for v in self.verdicts)

    def frame(self) -> pl.DataFrame:
        """The verdicts as a polars frame (step, name, ok, reason, message), as R's check() returns."""
        return pl.DataFrame([v.__dict__ for v in self.verdicts],
                            schema={"step": pl.Int64, "name": pl.String, "ok": pl.Boolean, "reason": pl.String,
                                    "message": pl.String})

    def __str__(self) -> str:
        right = sum(v.ok for v in self.verdicts)
        lines = [f"Checkpoint {self.module}: {right} of {len(self.verdicts)} steps right"]
        lines += [("  [ok] " if v.ok else "  [X]  ") + f"step {v.step}: {v.message}" for v in self.verdicts]
        if self.passed:
            lines.append("  All done: on to the next module.")
        return "\n".join(lines)

    __repr__ = __str__


def _not_done(x: Any) -> bool:
    return x is None or x is Ellipsis


def _is_frame(x: Any) -> bool:
    return isinstance(x, pl.DataFrame) or type(x).__name__ == "DataFrame" and hasattr(x, "columns")


def _number(x: Any) -> float | None:
    if isinstance(x, bool) or _is_frame(x) or isinstance(x, str):
        return None
    if hasattr(x, "item"):  # numpy scalars, one-element arrays and Series
        try:
            if len(x) != 1:
                return None
        except TypeError:
            pass  # a numpy scalar has no length
        x = x.item()
    if isinstance(x, (int, float)):
        return float(x)
    return None


def _scalar_text(x: Any) -> str | None:
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple)) and len(x) == 1 and isinstance(x[0], str):
        return x[0]
    return None


def _fmt(x: float) -> str:
    return "%.6g" % x


def _judge_step(step: Mapping, answers: Mapping[str, Any]) -> tuple[str, str]:
    var, test = step["var"], step["test"]
    if var not in answers or _not_done(answers[var]):
        return "not_done", f"`{var}` is not done yet"
    x = answers[var]
    if test in ("value", "less", "same") and not (test == "same" and _scalar_text(x) is not None):
        got = _number(x)
        if got is None:
            return "wrong_type", f"`{var}` should be a single number"
        if math.isnan(got):
            return "wrong_value", f"`{var}` is NaN (a missing number)"
        if test == "value":
            if abs(got - float(step["value"])) <= float(step.get("tol", 0)):
                return "right", ""
            return "wrong_value", f"`{var}` is {_fmt(got)}, not the expected value"
        if "other" in step:
            other = step["other"]
            if other not in answers or _not_done(answers[other]):
                return "not_done", f"`{other}` (to compare `{var}` with) is not done yet"
            ref = _number(answers[other])
            if ref is None:
                return "wrong_type", f"`{other}` should be a single number"
        else:
            ref = float(step["value"])
        if test == "less":
            return ("right", "") if got < ref else ("wrong_value", f"`{var}` is {_fmt(got)}, not below {_fmt(ref)}")
        if abs(got - ref) <= float(step.get("tol", 0)):
            return "right", ""
        return "wrong_value", f"`{var}` is {_fmt(got)} but `{step['other']}` is {_fmt(ref)}"
    if test == "same":
        other = step["other"]
        if other not in answers or _not_done(answers[other]):
            return "not_done", f"`{other}` (to compare `{var}` with) is not done yet"
        ref = _scalar_text(answers[other])
        if ref is None:
            return "wrong_type", f"`{other}` should be a single string"
        return ("right", "") if _scalar_text(x) == ref else ("wrong_value", f"`{var}` and `{other}` differ")
    if test == "text":
        got = _scalar_text(x)
        if got is None:
            return "wrong_type", f"`{var}` should be a single string"
        return ("right", "") if got == step["value"] else ("wrong_value", f"`{var}` is not the expected text")
    if test == "true":
        if not isinstance(x, bool) and not (hasattr(x, "dtype") and getattr(x, "size", 0) == 1 and x.dtype == bool):
            return "wrong_type", f"`{var}` should be a single true/false value"
        return ("right", "") if bool(x) else ("wrong_value", f"`{var}` is not true")
    if test == "file":
        path = x if isinstance(x, (str, Path)) else _scalar_text(x)
        if path is None:
            return "wrong_type", f"`{var}` should be the path of a file"
        return ("right", "") if Path(path).is_file() else ("wrong_value", f"`{var}` names no existing file")
    # rows
    if not _is_frame(x):
        return "wrong_type", f"`{var}` should be a data frame"
    n = x.height if isinstance(x, pl.DataFrame) else len(x)
    if n != int(step["value"]):
        return "wrong_value", f"`{var}` has {n} rows, not the expected number"
    if "columns" in step and [str(c) for c in x.columns] != list(step["columns"]):
        return "wrong_value", f"`{var}` does not have the expected columns"
    return "right", ""


def judge(spec: Mapping, answers: Mapping[str, Any], side: str = "python") -> Checkpoint:
    """Judge ``answers`` (name -> value) against ``spec`` for ``side`` ("python", "r" or "all")."""
    verdicts = []
    for step in spec["steps"]:
        if side != "all" and step["side"] not in (side, "both"):
            continue
        try:
            reason, problem = _judge_step(step, answers)
        except Exception as exc:  # a learner's odd value is a verdict, never a traceback
            reason, problem = "wrong_type", f"`{step['var']}` is a value check() cannot read ({type(exc).__name__})"
        ok = reason == "right"
        message = step["name"] if ok else f"{step['name']}: {problem}. Hint: {step['hint']}"
        verdicts.append(Verdict(int(step["step"]), step["name"], ok, reason, message))
    return Checkpoint(spec["module"], tuple(verdicts))


def check(module: str, answers: Mapping[str, Any] | None = None, quiet: bool = False) -> Checkpoint:
    """Check the learner's work on ``module`` ("m0" ... "m5") and print a verdict per step.

    ``answers`` defaults to the caller's global variables (the script or notebook that calls it).
    Returns the :class:`Checkpoint` (``.passed``, ``.verdicts``, ``.frame()``).
    """
    if answers is None:
        caller = inspect.currentframe().f_back
        answers = {**caller.f_globals, **caller.f_locals}
    result = judge(load_spec(module), answers, side="python")
    if not quiet:
        print(result)
    return result
