"""The learner's set-up check: a few seconds of smoke test per module, each saying exactly what
is missing and the command that fixes it (``synthspectrum workshop check``).

The Python role is required for the day; the R role is optional per laptop. Where R or synthpop
is missing, the pair's R role works from the files the Python side writes (see the instructor
guide), and the check says so instead of failing.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Callable

import polars as pl

from synthspectrum.workshop.modules import MODULES

__all__ = ["Part", "setup_check", "format_check"]

_R_CHECK = r"""
ok <- function(x) cat(if (isTRUE(x)) "yes" else "no", "\n")
ok(requireNamespace("jsonlite", quietly = TRUE))
ok(requireNamespace("synthpop", quietly = TRUE))
ok(nzchar(Sys.which(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"))))
"""


@dataclass(frozen=True)
class Part:
    module: str
    part: str
    ok: bool
    required: bool
    seconds: float
    fix: str


def _run(module: str, part: str, required: bool, probe: Callable[[], str]) -> Part:
    start = time.perf_counter()
    try:
        problem = probe()
    except Exception as exc:  # a smoke test: any failure is the learner's news, with its reason
        problem = f"{type(exc).__name__}: {exc}"
    return Part(module, part, not problem, required, round(time.perf_counter() - start, 2), problem)


def _data() -> str:
    from synthspectrum.workshop.data import NAMES, workshop_data

    for name in NAMES:
        workshop_data(name)
    return ""


def _deidentify() -> str:
    from synthspectrum.datasets.ae_tutorial import AE_QUASI_IDENTIFIERS
    from synthspectrum.deidentify import k_anonymity
    from synthspectrum.workshop.data import workshop_data

    k_anonymity(workshop_data("deidentified").head(500), list(AE_QUASI_IDENTIFIERS))
    return ""


def _metasyn() -> str:
    from synthspectrum import fit_metadata
    from synthspectrum.workshop.data import workshop_data

    model = fit_metadata(workshop_data("train").head(300), seed=1)
    model.synthesize(20, seed=1)
    return ""


def _native_measures() -> str:
    from synthspectrum.measures.utility import utility_gen
    from synthspectrum.workshop.data import workshop_data

    real = workshop_data("train").head(300)
    utility_gen(real, workshop_data("holdout").head(300), maxorder=0)
    return ""


def _generators() -> str:
    from synthspectrum.spectrum import check_generator, make_generator
    from synthspectrum.workshop.data import workshop_data

    check_generator(make_generator("random"), workshop_data("train").head(200))
    return ""


def _rscript() -> str:
    if shutil.which("Rscript") is None:
        return ("Rscript is not on the PATH: install R (sudo apt-get install r-base-core) for the R role, "
                "or let the R role work from the Python side's files today")
    return ""


def _r_packages() -> tuple[str, str, str]:
    if shutil.which("Rscript") is None:
        return "no R", "no R", "no R"
    res = subprocess.run(["Rscript", "--vanilla", "-e", _R_CHECK], capture_output=True, text=True, timeout=60)
    answers = res.stdout.split()
    if res.returncode or len(answers) != 3:
        return (f"Rscript failed: {' '.join(res.stderr.split())[-200:]}",) * 3
    jsonlite = "" if answers[0] == "yes" else ("check() in R needs jsonlite: sudo apt-get install r-cran-jsonlite "
                                               "(or install.packages('jsonlite'))")
    synthpop = "" if answers[1] == "yes" else ("synthpop is not installed: Rscript -e 'install.packages(\"synthpop\")'"
                                               " (M2's R role, M3 and M4 need it: compare numbers with a pair that "
                                               "has it)")
    command = "" if answers[2] == "yes" else (
        "R cannot find the synthspectrum command, which the R files' first line runs: start R with the "
        "virtualenv active (source .venv/bin/activate), or Sys.setenv(SYNTHSPECTRUM_BIN = \"<full path of "
        ".venv/bin/synthspectrum>\") first")
    return jsonlite, synthpop, command


def _synthpop_from_python() -> str:
    from synthspectrum.synthpop import synthpop_status

    st = synthpop_status()
    return "" if st.ok else f"synthpop from Python: {st.message or st.state}"


def setup_check(r: bool = True) -> pl.DataFrame:
    """Run the smoke tests; a polars frame with module, part, ok, required, seconds, fix."""
    parts = [
        _run("m0", "the workshop data (Python)", True, _data),
        _run("m1", "de-identification and k-anonymity", True, _deidentify),
        _run("m2", "metasyn: fit and synthesize", True, _metasyn),
        _run("m4", "Python-native utility measures", True, _native_measures),
        _run("m5", "the spectrum's generators (conformance of one)", True, _generators),
    ]
    if r:
        parts.append(_run("m0", "R (Rscript) for the R role", False, _rscript))
        jsonlite, synthpop, command = _r_packages()
        parts.append(Part("m0", "R package jsonlite (check() in R)", not jsonlite, False, 0.0, jsonlite))
        parts.append(Part("m0", "R finds the synthspectrum command", not command, False, 0.0, command))
        parts.append(Part("m3", "R package synthpop (the R role, M2-M4)", not synthpop, False, 0.0, synthpop))
        parts.append(_run("m3", "synthpop from Python (rpy2)", False, _synthpop_from_python))
    order = {m.id: i for i, m in enumerate(MODULES)}
    parts.sort(key=lambda p: order[p.module])
    return pl.DataFrame([p.__dict__ for p in parts])


def format_check(frame: pl.DataFrame) -> tuple[str, bool]:
    """The check as lines for a learner, and whether the Python role is ready."""
    lines = []
    for row in frame.iter_rows(named=True):
        mark = "[ok]" if row["ok"] else ("[X] " if row["required"] else "[--]")
        lines.append(f"{mark} {row['module']}  {row['part']} ({row['seconds']:.1f} s)")
        if not row["ok"]:
            lines.append(f"       {row['fix']}")
            if row["required"]:
                lines.append("       (then run `bash setup.sh` in the repository, and this check again)")
    ready = bool(frame.filter(pl.col("required"))["ok"].all())
    lines.append("Ready for the workshop." if ready else "Not ready: fix the [X] lines above, then run this again.")
    if not frame.filter(~pl.col("required"))["ok"].all():
        lines.append("[--] lines are optional: the Python role does the day without them (the instructor guide says what the "
                     "R role does then).")
    return "\n".join(lines), ready
