"""Checkpoints: one spec, two judges. Python's judge against hand-made cases, then R's judge fed
the very same answers must give the very same verdicts."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest

from conftest import ROOT, rscript
from synthspectrum.workshop.checkpoints import judge, load_spec, spec_folder
from synthspectrum.workshop.modules import MODULES

SPEC = {"module": "mx", "steps": [
    {"step": 1, "name": "count", "side": "both", "var": "n", "test": "value", "value": 37, "hint": "h1"},
    {"step": 2, "name": "share", "side": "python", "var": "share", "test": "value", "value": 0.25, "tol": 0.001,
     "hint": "h2"},
    {"step": 3, "name": "word", "side": "r", "var": "w", "test": "text", "value": "abc", "hint": "h3"},
    {"step": 4, "name": "frame", "side": "both", "var": "df", "test": "rows", "value": 3, "columns": ["a", "b"],
     "hint": "h4"},
    {"step": 5, "name": "twins", "side": "both", "var": "fp_r", "test": "same", "other": "fp_py", "hint": "h5"},
    {"step": 6, "name": "better", "side": "both", "var": "low", "test": "less", "other": "high", "hint": "h6"},
    {"step": 7, "name": "below", "side": "both", "var": "low", "test": "less", "value": 1, "hint": "h7"},
    {"step": 8, "name": "flag", "side": "both", "var": "ok", "test": "true", "hint": "h8"},
    {"step": 9, "name": "saved", "side": "both", "var": "path", "test": "file", "hint": "h9"},
    {"step": 10, "name": "same number", "side": "both", "var": "a", "test": "same", "other": "b", "tol": 0.01,
     "hint": "h10"},
]}

# each case: answers (JSON-able; "df" given as a row count) and the expected reason per step
CASES = [
    ({"n": 37, "share": 0.2504, "w": "abc", "df": 3, "fp_r": "x1", "fp_py": "x1", "low": 0.5, "high": 0.9,
      "ok": True, "path": "here.txt", "a": 1.0, "b": 1.005},
     ["right"] * 10),
    ({}, ["not_done"] * 10),
    ({"n": 36, "share": 0.3, "w": "abd", "df": 4, "fp_r": "x1", "fp_py": "x2", "low": 2.0, "high": 0.9,
      "ok": False, "path": "nowhere.txt", "a": 1.0, "b": 1.5},
     ["wrong_value"] * 10),
    ({"n": "37", "share": True, "w": 3, "df": "table", "fp_r": "x", "fp_py": 3, "low": "a", "high": 1,
      "ok": 1, "path": 7, "a": 1.0, "b": "one"},
     ["wrong_type"] * 10),
    ({"n": 37.0, "fp_r": "x1", "low": 0.1, "a": 2, "b": None}, 
     ["right", "not_done", "not_done", "not_done", "not_done", "not_done", "right", "not_done", "not_done",
      "not_done"]),
    ({"n": float("nan"), "df": 3, "low": 0.5, "high": 0.5, "a": 3, "b": 3}, 
     ["wrong_value", "not_done", "not_done", "right", "not_done", "wrong_value", "right", "not_done",
      "not_done", "right"]),
]


def _py_answers(answers: dict) -> dict:
    out = dict(answers)
    if isinstance(out.get("df"), int):
        cols = ["a", "b"] if out["df"] == 3 else ["a", "c"]
        out["df"] = pl.DataFrame({c: list(range(out["df"])) for c in cols})
    return out


@pytest.mark.parametrize("i", range(len(CASES)))
def test_python_judge(i, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.txt").write_text("x")
    answers, reasons = CASES[i]
    got = judge(SPEC, _py_answers(answers), side="all")
    assert [v.reason for v in got.verdicts] == reasons
    assert got.passed == all(r == "right" for r in reasons)
    for v, step in zip(got.verdicts, SPEC["steps"]):
        assert v.ok == (v.reason == "right")
        if not v.ok:
            assert v.message.endswith("Hint: " + step["hint"])
            assert step["var"] in v.message or step.get("other", "\x00") in v.message
            # the expected answer is never printed
            assert str(step.get("value", "\x00")) not in v.message.replace(step["hint"], "") or step["test"] in (
                "less",)


def test_sides_select_steps():
    assert [v.step for v in judge(SPEC, {}, side="python").verdicts] == [1, 2, 4, 5, 6, 7, 8, 9, 10]
    assert [v.step for v in judge(SPEC, {}, side="r").verdicts] == [1, 3, 4, 5, 6, 7, 8, 9, 10]


def _r_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else f"{v}L"
    return json.dumps(v)


def test_r_judge_gives_the_same_verdicts(tmp_path):
    spec_path = tmp_path / "mx.json"
    spec_path.write_text(json.dumps(SPEC))
    (tmp_path / "here.txt").write_text("x")
    blocks = []
    for i, (answers, _) in enumerate(CASES):
        lines = [f"e{i} <- new.env()"]
        for k, v in answers.items():
            if k == "df" and isinstance(v, int):
                cols = ["a", "b"] if v == 3 else ["a", "c"]
                v_r = "data.frame(" + ", ".join(f"{c} = seq_len({v})" for c in cols) + ")"
            elif v is None:
                continue  # R has no variable holding NULL that differs from a missing one here
            else:
                v_r = _r_value(v)
            lines.append(f"assign({json.dumps(k)}, {v_r}, envir = e{i})")
        lines.append(f"v <- .ws_judge(jsonlite::fromJSON('{spec_path}', simplifyVector = FALSE), e{i}, side = 'all')")
        lines.append(f"cat(paste('CASE', {i}, v$step, v$ok, v$reason, v$message, sep = '\\t'), sep = '\\n')")
        blocks.append("\n".join(lines))
    out = rscript(f'source("{ROOT / "r" / "workshop.R"}")\n' + "\n".join(blocks), tmp_path)
    got = {}
    for line in out.splitlines():
        if line.startswith("CASE\t"):
            _, case, step, ok, reason, message = line.split("\t", 5)
            got.setdefault(int(case), []).append((int(step), ok == "TRUE", reason, message))
    for i, (answers, _) in enumerate(CASES):
        import os

        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            py = judge(SPEC, _py_answers(answers), side="all")
        finally:
            os.chdir(cwd)
        assert got[i] == [(v.step, v.ok, v.reason, v.message) for v in py.verdicts], f"case {i}"


@pytest.mark.parametrize("module", [m.id for m in MODULES])
def test_every_module_has_a_valid_spec_with_both_sides(module):
    spec = load_spec(module)
    assert spec["module"] == module
    sides = {s["side"] for s in spec["steps"]}
    assert sides & {"python", "both"} and sides & {"r", "both"}, "each role has steps to pass"


def test_no_stray_spec_files():
    assert sorted(p.stem for p in spec_folder().glob("*.json")) == sorted(m.id for m in MODULES)


def test_unknown_module_is_named():
    with pytest.raises(Exception, match="no checkpoint for module 'm9'"):
        load_spec("m9")


def _answers_from_spec(spec: dict, right: bool, side: str) -> dict:
    """Answers that satisfy every step of ``spec`` for ``side`` (``right``), or miss each by a little."""
    out: dict = {}
    for step in spec["steps"]:
        if step["side"] not in (side, "both"):
            continue
        var, test = step["var"], step["test"]
        if test == "value":
            out[var] = float(step["value"]) + (0 if right else float(step.get("tol", 0)) + 1)
        elif test == "text":
            out[var] = step["value"] if right else step["value"] + "x"
        elif test == "rows":
            cols = list(step.get("columns", ["a"]))
            out[var] = ("rows", int(step["value"]) + (0 if right else 1), cols)
        elif test == "same":
            if var in out:  # the variable has a test of its own: the other one must match it
                out[step["other"]] = out[var] if right else str(out[var]) + "-other"
            else:
                out.setdefault(step["other"], "abc")
                out[var] = out[step["other"]] if right else "abd"
        elif test == "less":
            if "other" in step:
                out.setdefault(step["other"], 10.0)
                out[var] = float(out[step["other"]]) - 1 if right else float(out[step["other"]]) + 1
            else:
                out[var] = float(step["value"]) - 1 if right else float(step["value"]) + 1
        elif test == "true":
            out[var] = right
        elif test == "file":
            out[var] = "here.txt" if right else "nowhere.txt"
    return out


def _to_r(k, v) -> str:
    if isinstance(v, tuple) and v[0] == "rows":
        _, n, cols = v
        return f"assign({json.dumps(k)}, data.frame(" + ", ".join(
            f"{json.dumps(c)} = seq_len({n})" for c in cols) + ", check.names = FALSE), envir = e)"
    return f"assign({json.dumps(k)}, {_r_value(v)}, envir = e)"


def _to_py(v):
    if isinstance(v, tuple) and v[0] == "rows":
        _, n, cols = v
        return pl.DataFrame({c: list(range(n)) for c in cols})
    return v


@pytest.mark.parametrize("side", ["python", "r"])
@pytest.mark.parametrize("module", [m.id for m in MODULES])
def test_both_judges_agree_on_the_real_specs(module, side, tmp_path, monkeypatch):
    """Each module's spec, fed right, wrong and empty answers for one role's steps: Python's and
    R's verdicts agree, and right answers pass every step in both."""
    spec = load_spec(module)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.txt").write_text("x")
    cases = [_answers_from_spec(spec, True, side), _answers_from_spec(spec, False, side), {}]
    code = [f'source("{ROOT / "r" / "workshop.R"}")',
            f"spec <- jsonlite::fromJSON('{spec_folder() / (module + '.json')}', simplifyVector = FALSE)"]
    for i, answers in enumerate(cases):
        code.append("e <- new.env()")
        code += [_to_r(k, v) for k, v in answers.items()]
        code.append(f"v <- .ws_judge(spec, e, side = '{side}')")
        code.append(f"cat(paste('CASE', {i}, v$step, v$ok, v$reason, v$message, sep = '\\t'), sep = '\\n')")
    out = rscript("\n".join(code), tmp_path)
    got: dict = {}
    for line in out.splitlines():
        if line.startswith("CASE\t"):
            _, case, step, ok, reason, message = line.split("\t", 5)
            got.setdefault(int(case), []).append((int(step), ok == "TRUE", reason, message))
    for i, answers in enumerate(cases):
        py = judge(spec, {k: _to_py(v) for k, v in answers.items()}, side=side)
        assert got[i] == [(v.step, v.ok, v.reason, v.message) for v in py.verdicts], f"{module} case {i}"
        if i == 0:
            assert py.passed
        else:
            assert not any(v.ok for v in py.verdicts)


def _spellings(value) -> set[str]:
    """How an expected value could be written in a hint: 5000, 5,000, 5000.0, 0.5559, 55.6%..."""
    if isinstance(value, str):
        return {value} if len(value) > 3 else set()
    x = float(value)
    out = {f"{x:g}", f"{x:,.0f}" if x == int(x) else f"{x:.4g}"}
    if x == int(x):
        out.add(str(int(x)))
    if 0 < abs(x) < 1:
        out.add(f"{100 * x:.1f}%")
    return {s for s in out if len(s.strip("0.,-")) > 1}  # a 0 or 1 is a word, not an answer


@pytest.mark.parametrize("module", [m.id for m in MODULES])
def test_no_step_gives_its_answer_away(module):
    """A checkpoint's name and hint (printed to the learner) never spell out a number that step,
    or another step of the module, expects. (A text answer may be a column or measure name, which
    a hint may use as vocabulary.)"""
    import re

    spec = load_spec(module)
    answers = {s for step in spec["steps"] if step["test"] == "value" for s in _spellings(step["value"])}
    for step in spec["steps"]:
        for field in ("name", "hint"):
            words = {w.rstrip(".,;:") for w in re.findall(r"[\w.,%+-]+", step[field])}
            leaked = {a for a in answers if a in words or (len(a) > 6 and a in step[field])}
            assert not leaked, f"{module} step {step['step']} {field} gives away {sorted(leaked)}"
