"""The cheat sheet names only functions that exist: every Python name imports, every R name is
defined by the file its column names, and synthpop's own names are in synthpop's namespace.

The sheet is read as a learner reads it: its Markdown tables, a column per side, names in
backticks. A column's header says where its names live: "Python ..." (dotted names to import),
"... (r/<file>.R)" (sourced, then exists()), "... (synthpop)" (asNamespace("synthpop")).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path

import pytest

from conftest import ROOT, rscript, synthpop_installed
from synthspectrum.synthpop import TWINS

SHEET = ROOT / "slides" / "cheatsheet.md"
R_NAME = re.compile(r"^[A-Za-z.][A-Za-z0-9._]*$")


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each pipe table as (header cells, rows of cells)."""
    out, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-|: ]+\|$", lines[i + 1]):
            header = [c.strip() for c in lines[i].strip("|").split("|")]
            rows, i = [], i + 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            out.append((header, rows))
        else:
            i += 1
    return out


def names_by_column() -> dict[str, set[str]]:
    """Where -> names: "python", "r/synthspectrum.R", "r/workshop.R", "synthpop"."""
    found: dict[str, set[str]] = {}
    for header, rows in tables(SHEET.read_text(encoding="utf-8")):
        for j, title in enumerate(header):
            where = re.search(r"\((r/[\w.]+\.R|synthpop)\)", title)
            key = "python" if title.startswith("Python") else where.group(1) if where else None
            if key is None:
                continue
            for row in rows:
                assert len(row) == len(header), f"a row of the table {header} has {len(row)} cells: {row}"
                for name in re.findall(r"`([^`]+)`", row[j]):
                    found.setdefault(key, set()).add(name)
    return found


def test_the_sheet_has_each_side():
    found = names_by_column()
    assert set(found) == {"python", "r/synthspectrum.R", "r/workshop.R", "synthpop"}
    assert all(len(v) >= 4 for v in found.values())


def test_every_twin_is_on_the_sheet():
    """The package's own list of twins (native, wrapper, R) against the sheet: none left out."""
    found = names_by_column()
    for twin in TWINS:
        module, func = twin.native.split(":")
        assert f"synthspectrum.measures.{func}" in found["python"], f"{twin.name}: native missing"
        assert f"synthspectrum.synthpop.{twin.wrapper.split(':')[1]}" in found["python"], f"{twin.name}: wrapper missing"
        assert twin.r in found["r/synthspectrum.R"], f"{twin.name}: R twin missing"


def test_every_python_name_imports():
    for name in sorted(names_by_column()["python"]):
        if name == "...":
            continue  # the Python stub, a piece of syntax
        assert name.startswith("synthspectrum."), f"{name!r}: write Python names in full"
        module, _, attr = name.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            pytest.fail(f"the cheat sheet names {name}, which does not exist: {exc}")
        assert callable(obj), f"{name} is not a function"


def exists_in_r(names: set[str], setup: str, tmp_path) -> dict[str, bool]:
    bad = [n for n in names if not R_NAME.match(n)]
    assert not bad, f"not R names: {bad}"
    code = setup + "\n" + "\n".join(f'cat("{n}", is.function(get0("{n}", envir = where)), "\\n")' for n in sorted(names))
    out = rscript(code, tmp_path)
    return {line.split()[0]: line.split()[1] == "TRUE" for line in out.splitlines() if line.strip()}


@pytest.mark.parametrize("file", ["r/synthspectrum.R", "r/workshop.R"])
def test_every_r_name_is_defined_by_its_file(file, tmp_path, monkeypatch):
    names = names_by_column()[file]
    # r/workshop.R asks the synthspectrum command where its files are: the virtualenv's bin first
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = exists_in_r(names, f'where <- new.env()\nsys.source("{ROOT / file}", envir = where)', tmp_path)
    missing = sorted(n for n in names if not result.get(n))
    assert not missing, f"{file} does not define {missing}"


def test_every_synthpop_name_is_synthpops(tmp_path):
    if not synthpop_installed():
        pytest.skip("R's synthpop is not installed here: its own names cannot be checked")
    names = names_by_column()["synthpop"]
    result = exists_in_r(names, 'where <- asNamespace("synthpop")', tmp_path)
    missing = sorted(n for n in names if not result.get(n))
    assert not missing, f"synthpop has no {missing}"
