"""What is installed, what is missing, and the command that fixes it."""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import shutil
import sys
from dataclasses import dataclass

CORE = ["metasyn", "metasyn-disclosure", "polars", "pandas", "numpy", "matplotlib", "pyarrow", "scipy",
        "scikit-learn", "statsmodels"]


@dataclass
class Check:
    name: str
    ok: bool
    version: str
    fix: str
    required: bool = True


def _python_package(name: str) -> Check:
    try:
        return Check(name, True, md.version(name), "")
    except md.PackageNotFoundError:
        return Check(name, False, "missing", f"pip install {name}")


def _synthpop(rscript: str) -> Check:
    """synthpop by the runtime's own check (rsession.synthpop_status): installed, loadable with
    every package it imports (a missing one is named), recent enough for the twin."""
    from synthspectrum.synthpop import synthpop_status

    st = synthpop_status(rscript)
    if st.ok:
        return Check("R package synthpop", True, st.version, "", required=False)
    shown = {"absent": "missing", "broken": f"{st.version}, cannot load", "old": f"{st.version}, too old",
             "no-r": "unknown"}.get(st.state, st.state)
    return Check("R package synthpop", False, shown, st.message, required=False)


def _rscript() -> tuple[str | None, str]:
    """The Rscript of the R that rpy2 would start: $R_HOME's when R_HOME is set, else the PATH's."""
    import os

    from synthspectrum.synthpop import r_home_problem

    problem = r_home_problem()
    if problem:
        return None, problem
    home = os.environ.get("R_HOME")
    if home:
        return os.path.join(home, "bin", "Rscript"), ""
    return shutil.which("Rscript"), ""


def checks() -> list[Check]:
    out = [Check("python", sys.version_info >= (3, 10), sys.version.split()[0], "use Python >= 3.10")]
    out += [_python_package(p) for p in CORE]
    try:
        from metasyn.privacy import get_privacy

        get_privacy("disclosure", {})
        out.append(Check("metasyn disclosure plugin", True, "registered", ""))
    except Exception:
        out.append(Check("metasyn disclosure plugin", False, "not registered", "pip install metasyn-disclosure"))
    # The R side is optional: the metadata side works without it.
    rscript, problem = _rscript()
    out.append(Check("R (Rscript)", rscript is not None, "found" if rscript else "missing",
                     problem or "sudo apt-get install -y --no-install-recommends r-base-core", required=False))
    rpy2 = importlib.util.find_spec("rpy2") is not None
    out.append(Check("rpy2", rpy2, md.version("rpy2") if rpy2 else "missing",
                     "pip install 'synthspectrum[r]'", required=False))
    if rscript:
        out.append(_synthpop(rscript))
    return out


def report() -> tuple[str, bool]:
    """Text report and whether everything required is present."""
    lines, ok = [], True
    for c in checks():
        mark = "ok  " if c.ok else ("MISS" if c.required else "opt ")
        line = f"[{mark}] {c.name:<28} {c.version}"
        if not c.ok:
            line += f"  -> {c.fix}"
            ok = ok and not c.required
        lines.append(line)
    lines.append("everything the metadata side needs is installed" if ok
                 else "something required is missing: run the commands shown")
    return "\n".join(lines), ok
