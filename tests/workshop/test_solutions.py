"""Every solution runs as a learner runs it (``python file.py``, ``Rscript file.R``, in a fresh
folder, the modules in order) and passes its checkpoint; every untouched exercise fails it;
the catch-up file lets a pair rejoin. Run times are measured against the module's minutes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, synthpop_installed
from synthspectrum.workshop.modules import MODULES

LANGS = {"py": [sys.executable], "R": ["Rscript", "--vanilla"]}
EXT = {"py": ".py", "R": ".R"}
# R's way of running an exercise cell by cell: a todo() stops a cell, the learner goes on
R_CELLWISE = ('exprs <- parse("{path}"); for (e in exprs) tryCatch(eval(e, globalenv()), '
              'error = function(err) cat("skipped:", conditionMessage(err), "\\n"))')


def _have(lang: str) -> str | None:
    if lang == "R" and shutil.which("Rscript") is None:
        return "R is not installed"
    return None


def _run(cmd: list[str], cwd: Path, timeout: int) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return res, time.perf_counter() - start


@pytest.fixture(scope="module")
def synthpop_here() -> bool:
    return synthpop_installed()


def _runnable(lang: str, synthpop: bool) -> tuple[list, list[str]]:
    """The modules whose solution in ``lang`` can run here, and why the others cannot."""
    ok, skipped = [], []
    for m in MODULES:
        if lang in m.needs_synthpop and not synthpop:
            skipped.append(f"{m.id} ({lang} needs R's synthpop, which is not installed)")
        else:
            ok.append(m)
    return ok, skipped


@pytest.fixture(scope="module", params=list(LANGS))
def day(request, tmp_path_factory, synthpop_here):
    """One language's day: every solution it can run, in order, in one fresh folder."""
    lang = request.param
    reason = _have(lang)
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp(f"day_{lang}")
    runnable, skipped = _runnable(lang, synthpop_here)
    results = {}
    for m in runnable:
        # what the earlier modules left, as a learner starting this module has it: the untouched
        # exercise runs on a copy of this, so a file only this module writes cannot pass its check
        shutil.copytree(folder, folder.parent / f"{folder.name}_before_{m.id}")
        path = ROOT / "solutions" / f"{m.stem}{EXT[lang]}"
        res, seconds = _run([*LANGS[lang], str(path)], folder, timeout=m.do * 60)
        results[m.id] = (res, seconds)
        if res.returncode != 0:
            break
    return lang, folder, results, skipped


def test_solutions_run_and_pass_their_checkpoints(day):
    lang, folder, results, skipped = day
    for mid, (res, seconds) in results.items():
        assert res.returncode == 0, f"solutions/{mid} ({lang}) failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
        assert f"Checkpoint {mid}:" in res.stdout and "All done" in res.stdout, (
            f"{mid} ({lang}) did not pass its checkpoint:\n{res.stdout[-3000:]}")
        print(f"{mid} {lang}: {seconds:.1f} s")
    if skipped:
        pytest.skip("not run here: " + "; ".join(skipped))


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.id)
def test_solution_fits_its_minutes(day, m):
    """A solution's run time is a small part of the minutes the pair has for the module (a
    learner also reads and types): at most a quarter of them."""
    lang, _, results, _ = day
    if m.id not in results:
        pytest.skip(f"{m.id} ({lang}) did not run here")
    _, seconds = results[m.id]
    assert seconds < m.do * 60 / 4, f"{m.id} ({lang}) took {seconds:.0f} s of its {m.do} minutes"


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.id)
def test_untouched_exercise_fails_its_checkpoint(day, m):
    lang, folder, results, _ = day
    if m.id not in results or results[m.id][0].returncode:
        pytest.skip(f"{m.id} ({lang}): its solution did not run here, so its inputs are missing")
    work = folder.parent / f"{folder.name}_exercise_{m.id}"
    shutil.copytree(folder.parent / f"{folder.name}_before_{m.id}", work)
    path = ROOT / "exercises" / f"{m.stem}{EXT[lang]}"
    if lang == "py":
        res, _ = _run([sys.executable, str(path)], work, timeout=m.do * 60)
        assert res.returncode == 0, f"the untouched exercise crashed before its check:\n{res.stderr[-3000:]}"
    else:
        res, _ = _run(["Rscript", "--vanilla", "-e", R_CELLWISE.format(path=path)], work, timeout=m.do * 60)
        assert "step not done yet" in res.stdout
    assert f"Checkpoint {m.id}:" in res.stdout, res.stdout[-2000:] + res.stderr[-2000:]
    # every step fails: a step that passes untouched checks nothing the learner wrote
    # (the set-up check that M0 runs prints "[ok]" lines of its own: only the checkpoint's count)
    assert "[X]" in res.stdout and "[ok] step" not in res.stdout and "All done" not in res.stdout, res.stdout[-3000:]


@pytest.mark.parametrize("lang", list(LANGS))
def test_catch_up_lets_a_pair_rejoin_the_last_module(lang, tmp_path, synthpop_here):
    reason = _have(lang)
    if reason:
        pytest.skip(reason)
    # without synthpop, the catch-up leaves out what needs it and the last module still runs
    last = MODULES[-1]
    catch = ROOT / "exercises" / "catchup" / f"{last.stem}{EXT[lang]}"
    res, _ = _run([*LANGS[lang], str(catch)], tmp_path, timeout=30 * 60)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    res, _ = _run([*LANGS[lang], str(ROOT / "solutions" / f"{last.stem}{EXT[lang]}")], tmp_path, timeout=last.do * 60)
    assert res.returncode == 0 and "All done" in res.stdout, res.stdout[-2000:] + res.stderr[-2000:]


def test_bring_your_own_data_runs_on_a_semicolon_csv_it_did_not_make(tmp_path):
    """byod.py on an outside file: semicolon-separated, R-style NA, an ID column, as a steward's
    export looks; it audits first and leaves the identifier out of the spectrum."""
    import polars as pl

    from synthspectrum.workshop import workshop_data

    real = workshop_data("train").head(400).with_row_index("record_id", offset=1000)
    path = tmp_path / "export.csv"
    real.with_columns(pl.col("record_id").cast(pl.String)).write_csv(path, separator=";", null_value="NA")
    res, _ = _run([sys.executable, str(ROOT / "exercises" / "byod.py"), str(path)], tmp_path, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    results = pl.read_csv(tmp_path / "workshop_out" / "byod" / "results.csv")
    assert results.height > 0 and "record_id" not in set(results["column"].drop_nulls().to_list())
    assert path.read_bytes() == real.with_columns(pl.col("record_id").cast(pl.String)).write_csv(
        separator=";", null_value="NA").encode()  # the user's file is only read
