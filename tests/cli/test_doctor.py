"""`doctor` and the runtime answer "can synthpop be used?" with one check, and say why not.

Each case runs in a fresh process (R starts once per process, and the environment decides
which R and which R libraries it sees): R_HOME pointing nowhere, and a library in which
synthpop is installed but one of its dependencies (ggplot2) is out of reach.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def run_python(code: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env}, cwd=cwd)


def rscript_lines(code: str, env: dict | None = None) -> list[str]:
    res = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **(env or {})})
    return [line for line in res.stdout.split("\n") if line] if res.returncode == 0 else []


# --- R_HOME pointing nowhere ------------------------------------------------------------------

def test_a_wrong_r_home_skips_the_r_generators_with_a_reason(tmp_path):
    code = """
import json, warnings
import polars as pl
warnings.simplefilter("ignore")
from synthspectrum.spectrum import make_generator, run_spectrum
from synthspectrum.doctor import checks
ok, reason = make_generator("synthpop-cart").available()
df = pl.DataFrame({"a": ["x", "y", "z", "x"] * 30, "n": list(range(120))})
res = run_spectrum(df, generators=["random", "synthpop-cart"], m=1, progress=False)
runs = res.runs.to_dicts()
r = [c for c in checks() if c.name == "R (Rscript)"][0]
print(json.dumps({"ok": ok, "reason": reason, "runs": runs, "doctor": [r.ok, r.fix]}))
"""
    res = run_python(code, {"R_HOME": "/nonexistent"}, tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["ok"] is False and "R_HOME=/nonexistent" in out["reason"]
    assert "FileNotFoundError" not in res.stderr and "Traceback" not in res.stderr
    runs = {r["generator"]: r for r in out["runs"]}
    assert runs["synthpop-cart"]["status"] == "skipped" and "R_HOME=/nonexistent" in runs["synthpop-cart"]["message"]
    assert runs["random"]["status"] == "ok"
    assert out["doctor"][0] is False and "R_HOME=/nonexistent" in out["doctor"][1]


# --- synthpop installed, a dependency out of reach ------------------------------------------

@pytest.fixture(scope="module")
def library_without_ggplot2(tmp_path_factory):
    """R_LIBS_SITE for an R that finds synthpop and everything else, but not ggplot2."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not on PATH")
    found = rscript_lines('cat(nzchar(system.file(package = "synthpop")), dirname(system.file(package = "ggplot2")), '
                          '.Library, .libPaths(), sep = "\\n")')
    if not found or found[0] != "TRUE":
        pytest.skip("synthpop is not installed in R")
    real = os.path.realpath
    ggplot2_lib, base_lib, paths = real(found[1]), real(found[2]), [real(p) for p in found[3:]]
    # R's own site file may put a library on the path whatever R_LIBS_SITE says
    always = [real(p) for p in rscript_lines('cat(.libPaths(), sep = "\\n")',
                                             {"R_LIBS_SITE": "/nonexistent", "R_LIBS_USER": "/nonexistent"})]
    if ggplot2_lib in (base_lib, *always):
        pytest.skip(f"ggplot2 sits in a library R always uses ({ggplot2_lib}): cannot hide it")
    lib = tmp_path_factory.mktemp("rlib")
    for p in paths:
        if p == base_lib:
            continue
        for pkg in Path(p).iterdir():
            if pkg.name != "ggplot2" and not (lib / pkg.name).exists():
                (lib / pkg.name).symlink_to(pkg)
    return {"R_LIBS_SITE": str(lib), "R_LIBS_USER": str(lib / "none"), "R_LIBS": ""}


def test_doctor_and_runtime_both_name_the_missing_dependency(library_without_ggplot2, tmp_path):
    code = """
import json, warnings
warnings.simplefilter("ignore")
from synthspectrum.doctor import checks
from synthspectrum.spectrum import make_generator
from synthspectrum import synthpop
from synthspectrum.errors import SynthpopNotInstalledError
doc = [c for c in checks() if c.name == "R package synthpop"][0]
ok, reason = make_generator("synthpop-cart").available()
try:
    synthpop.require_synthpop()
    raised = ""
except SynthpopNotInstalledError as exc:
    raised = str(exc)
print(json.dumps({"doctor": [doc.ok, doc.version, doc.fix], "available": [ok, reason], "twin": raised}))
"""
    res = run_python(code, library_without_ggplot2, tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    doc_ok, doc_version, doc_fix = out["doctor"]
    assert doc_ok is False and "cannot load" in doc_version
    assert "ggplot2" in doc_fix and "r-cran-ggplot2" in doc_fix
    assert out["available"][0] is False and "ggplot2" in out["available"][1]
    assert "ggplot2" in out["twin"] and "not installed" not in out["twin"]
    # one check: doctor and runtime say the same
    assert doc_fix == out["available"][1] == out["twin"]


def test_doctor_and_runtime_agree_when_synthpop_works(tmp_path):
    if shutil.which("Rscript") is None or rscript_lines('cat(requireNamespace("synthpop", quietly = TRUE))') != ["TRUE"]:
        pytest.skip("synthpop cannot be loaded in R here")
    code = """
import json
from synthspectrum.doctor import checks
from synthspectrum.spectrum import make_generator
doc = [c for c in checks() if c.name == "R package synthpop"][0]
print(json.dumps({"doctor": [doc.ok, doc.version], "available": make_generator("synthpop-cart").available()}))
"""
    res = run_python(code, {}, tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    version = rscript_lines('cat(as.character(packageVersion("synthpop")))')[0]
    assert out["doctor"] == [True, version]
    assert out["available"] == [True, ""]


def test_sourcing_the_twin_in_r_warns_at_once(library_without_ggplot2, tmp_path):
    res = subprocess.run(["Rscript", "-e", f'source("{ROOT / "r" / "synthspectrum.R"}")'], capture_output=True,
                         text=True, timeout=120, env={**os.environ, **library_without_ggplot2}, cwd=tmp_path)
    assert "synthpop" in res.stderr and "ggplot2" in res.stderr
