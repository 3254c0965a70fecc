"""`synthspectrum workshop ...` as a learner and a teacher type it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

CLI = [sys.executable, "-m", "synthspectrum.cli"]


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_setup_check_passes_here_and_names_every_module(tmp_path):
    res = _cli("workshop", "check", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Ready for the workshop." in res.stdout
    for mid in ("m0", "m1", "m2", "m4"):
        assert f"[ok] {mid}" in res.stdout


def test_setup_check_without_r_says_the_r_role_is_optional(tmp_path):
    # a PATH with python's folder but no Rscript: the Python role is ready, R is optional
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("synthspectrum",):
        found = shutil.which(tool)
        if found:
            (bindir / tool).symlink_to(found)
    res = _cli("workshop", "check", cwd=tmp_path, env={"PATH": str(bindir)})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[--] m0  R (Rscript) for the R role" in res.stdout
    assert "sudo apt-get install r-base-core" in res.stdout
    assert "lines are optional: the Python role does the day without them" in res.stdout


def test_path_points_at_real_files(tmp_path):
    for what, kind in (("r", "file"), ("twin", "file"), ("data", "dir"), ("checkpoints", "dir")):
        res = _cli("workshop", "path", what, cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        p = Path(res.stdout.strip())
        assert (p.is_file() if kind == "file" else p.is_dir()), (what, p)
    assert _cli("workshop", "r", cwd=tmp_path).stdout == _cli("workshop", "path", "r", cwd=tmp_path).stdout


def test_schedule_command_ends_at_the_day_length(tmp_path):
    res = _cli("workshop", "schedule", "--start", "13:30", cwd=tmp_path)
    lines = res.stdout.splitlines()
    assert lines[0].startswith("13:30-") and lines[-1].split()[0].endswith("-17:00")  # 210 minutes on


def test_exercises_check_from_the_repository(tmp_path):
    res = _cli("workshop", "exercises", "--check", "--root", str(ROOT), cwd=tmp_path)
    assert res.returncode == 0, res.stdout
    res = _cli("workshop", "exercises", "--check", cwd=tmp_path)
    # from a folder without solutions/, the development install's repository is used
    assert res.returncode == 0, res.stdout + res.stderr


def test_r_helpers_say_how_to_find_the_command(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed")
    res = subprocess.run(["Rscript", "--vanilla", "-e", f'source("{ROOT / "r" / "workshop.R"}")'], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PATH": "/usr/bin:/bin", "SYNTHSPECTRUM_BIN": "no-such-command"})
    assert res.returncode != 0
    assert "cannot run the synthspectrum command" in res.stderr and "SYNTHSPECTRUM_BIN" in res.stderr
