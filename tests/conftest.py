"""Shared fixtures and helpers for every test folder (they mirror the package's wings).

Helpers here, not copied per file: ``rscript`` (run R code in a fresh R), ``chromium`` (a
headless browser or a skip), ``frozen_split`` (fixed frames for the measures), the bundled data,
``generator_registry`` (the spectrum's registry, left as the test found it).
"""

import os
import shutil
import sys
import subprocess
from pathlib import Path

import polars as pl
import pytest

from synthspectrum import datasets

ROOT = Path(__file__).resolve().parents[1]
TWIN_FILE = ROOT / "r" / "synthspectrum.R"
FROZEN = Path(__file__).parent / "data"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def fidelity_by_hand(real: pl.DataFrame, synthetic: pl.DataFrame) -> dict[str, float]:
    """Per column, computed independently of the package: 1 - scipy's two-sample KS statistic for
    numbers and dates, 1 - total variation distance for everything else (missing values left out)."""
    from collections import Counter

    from scipy import stats

    out = {}
    for c in real.columns:
        a, b = real[c].drop_nulls(), synthetic[c].drop_nulls()
        if a.dtype.is_numeric() or a.dtype.is_temporal():
            out[c] = 1 - stats.ks_2samp(a.to_physical().to_numpy(), b.to_physical().to_numpy()).statistic
        else:
            pa, pb = Counter(map(str, a.to_list())), Counter(map(str, b.to_list()))
            out[c] = 1 - 0.5 * sum(abs(pa[v] / a.len() - pb[v] / b.len()) for v in set(pa) | set(pb))
    return out


def synthpop_or_skip_module():
    """rpy2's R interface with synthpop loadable, else skip the whole calling test module, saying why."""
    from synthspectrum.errors import RNotAvailableError

    try:
        from synthspectrum import synthpop as sp

        sp.require_synthpop()
        return sp.rinterface()
    except RNotAvailableError as exc:  # also SynthpopNotInstalledError
        pytest.skip(f"synthpop not available: {exc}", allow_module_level=True)


def synthpop_installed() -> bool:
    if shutil.which("Rscript") is None:
        return False
    res = subprocess.run(["Rscript", "-e", 'cat(requireNamespace("synthpop", quietly = TRUE))'],
                         capture_output=True, text=True, timeout=120)
    return res.stdout.strip().endswith("TRUE")


def rscript(code: str, cwd: Path, timeout: int = 600, twin: bool = False) -> str:
    """Run R code with ``Rscript --vanilla`` in ``cwd`` (a fresh R); return its stdout, failing
    the test on an R error and skipping it where R is missing. ``twin``: source the R twin first."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not on PATH (R is not installed)")
    script = Path(cwd) / "case.R"
    script.write_text((f'source("{TWIN_FILE}")\n' if twin else "") + code)
    res = subprocess.run(["Rscript", "--vanilla", str(script)], capture_output=True, text=True, timeout=timeout,
                         cwd=cwd)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def chromium() -> str:
    """Path of a headless-capable Chromium, else skip (``.ci/run`` installs one)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium on this machine (apt-get install chromium); .ci/run installs it")


def browse(page: Path, tmp_path: Path, screenshot: Path | None = None, width: int = 1280,
           height: int = 2400) -> str:
    """The DOM of ``page`` as headless Chromium renders it (and a screenshot if asked)."""
    browser = chromium()
    profile = tmp_path / "chromium-profile"
    dom = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    if screenshot is not None:
        shot = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={screenshot}",
                               f"--window-size={width},{height}", page.as_uri()],
                              capture_output=True, text=True, timeout=120)
        assert shot.returncode == 0, shot.stderr[-2000:]
    return dom.stdout


@pytest.fixture(scope="session", autouse=True)
def commands_on_path():
    """The virtualenv's commands (synthspectrum, as R's workshop helpers call it) on the PATH of
    every subprocess, as for a learner with the virtualenv activated, even when pytest is run as
    .venv/bin/python -m pytest."""
    bindir = str(Path(sys.executable).parent)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = bindir + os.pathsep + old
    yield
    os.environ["PATH"] = old


@pytest.fixture
def generator_registry():
    """The session's generator registrations, put back as they were after the test."""
    from synthspectrum.spectrum import registry

    saved = dict(registry.REGISTERED)
    yield registry
    registry.REGISTERED.clear()
    registry.REGISTERED.update(saved)


@pytest.fixture(scope="session")
def ae() -> pl.DataFrame:
    return datasets.load("ae")


@pytest.fixture(scope="session")
def ae_deid() -> pl.DataFrame:
    return datasets.load("ae_deidentified")


@pytest.fixture(scope="session")
def frozen_split():
    """Frozen frames for the measures: (training, synthetic, holdout).

    tests/data holds 2,000 de-identified A&E records and 1,800 metasyn-synthetic ones, fixed
    on disk so that the tests compare measures, not generators.
    """
    real = pl.read_parquet(FROZEN / "frozen_real.parquet")
    return real.head(1000), pl.read_parquet(FROZEN / "frozen_synthetic.parquet"), real.tail(1000)
