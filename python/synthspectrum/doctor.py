"""What is installed, what is missing, and the command that fixes it."""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass

CORE = ["metasyn", "metasyn-disclosure", "polars", "pandas", "numpy", "matplotlib", "pyarrow", "scipy",
        "scikit-learn", "statsmodels"]
R_PACKAGES = ["synthpop"]


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


def _r_package(pkg: str, rscript: str) -> Check:
    try:
        res = subprocess.run(
            [rscript, "--vanilla", "-e", f'cat(as.character(packageVersion("{pkg}")))'],
            capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        res = None
    if res is not None and res.returncode == 0 and res.stdout.strip():
        return Check(f"R package {pkg}", True, res.stdout.strip(), "", required=False)
    return Check(f"R package {pkg}", False, "missing",
                 f'Rscript -e \'install.packages("{pkg}")\' (needs CRAN)', required=False)


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
    rscript = shutil.which("Rscript")
    out.append(Check("R (Rscript)", rscript is not None, "found" if rscript else "missing",
                     "sudo apt-get install -y --no-install-recommends r-base-core", required=False))
    rpy2 = importlib.util.find_spec("rpy2") is not None
    out.append(Check("rpy2", rpy2, md.version("rpy2") if rpy2 else "missing",
                     "pip install 'synthspectrum[r]'", required=False))
    if rscript:
        out += [_r_package(p, rscript) for p in R_PACKAGES]
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
