"""The layout is the architecture: these tests keep it so.

Read from the source with ``ast`` (nothing is imported): the wings are the subpackages of
``python/synthspectrum``; a module is a ``.py`` file.
"""

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "python" / "synthspectrum"
MAX_LINES = 400
# A module may pass MAX_LINES only with a reason written here.
LONG_MODULES: dict[str, str] = {}
# Names of the bundled A&E data's columns: only the datasets wing may know them. "A&E" itself
# may be named (help texts say what the bundled data are); its columns may not.
AE_NAMES = ["nhs_number", "home_postcode", "arrival_time", "arrival_time_date", "arrival_time_hour_band",
            "age_band", "time_in_ae_minutes", "deprivation_decile", "admitted", "hospital", "nhs"]
# The R side: only the synthpop wing touches R.
R_MODULES = {"synthspectrum.synthpop.bridge", "synthspectrum.synthpop.session"}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = modules()


def wing(module: str) -> str:
    """The subpackage a module belongs to (``synthspectrum.measures.utility`` -> ``measures``);
    a top-level module is its own wing."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports(path: Path, top_level_only: bool) -> list[tuple[str, list[str], int]]:
    """(module, names imported from it, line) for each ``synthspectrum`` import in the file."""
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # module level includes try/except and if blocks, not functions
        flat = []
        stack = list(nodes)
        while stack:
            n = stack.pop()
            flat.append(n)
            if isinstance(n, (ast.Try, ast.If)):
                stack.extend(n.body + n.orelse + [h for t in getattr(n, "handlers", []) for h in t.body])
        nodes = flat
    out = []
    for n in nodes:
        if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("synthspectrum"):
            out.append((n.module, [a.name for a in n.names], n.lineno))
        elif isinstance(n, ast.Import):
            out.extend((a.name, [], n.lineno) for a in n.names if a.name.startswith("synthspectrum"))
    return out


def targets(module: str, names: list[str]) -> list[str]:
    """The package modules an import loads: the module, and each name that is itself a module."""
    found = [module] if module in MODULES else []
    found += [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES]
    return found


def test_the_layout_is_found():
    # an independent expectation: the wings the issue asked for, each a package with a docstring
    wings = {p.parent.name for p in PKG.glob("*/__init__.py")}
    assert {"core", "io", "metadata", "synthpop", "measures", "evaluation", "render", "spectrum", "datasets",
            "cli"} <= wings
    for w in wings:
        doc = ast.get_docstring(ast.parse((PKG / w / "__init__.py").read_text()))
        assert doc and len(doc) > 40, f"synthspectrum.{w} has no docstring saying what the wing is for"


def test_no_import_cycles_at_module_level():
    graph = {m: set() for m in MODULES}
    for m, path in MODULES.items():
        for mod, names, _ in imports(path, top_level_only=True):
            # a module inside package P that imports from P finds P already loading: no edge to P
            graph[m].update(t for t in targets(mod, names) if t != m and not m.startswith(t + "."))
    # a package's __init__ is loaded before its submodules: importing synthspectrum.a.b loads synthspectrum.a
    for m in list(graph):
        for t in list(graph[m]):
            parent = t.rsplit(".", 1)[0]
            while parent != "synthspectrum" and "." in parent:
                if parent in graph and parent != m and not m.startswith(parent + "."):
                    graph[m].add(parent)
                parent = parent.rsplit(".", 1)[0]
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, path: list[str]) -> bool:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle.extend(path[path.index(t):] + [m, t] if t in path else [m, t])
                return True
            if t not in state and visit(t, path + [m]):
                return True
        state[m] = 2
        return False

    for m in sorted(graph):
        if m not in state and visit(m, []):
            break
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_no_module_is_long_without_a_reason():
    long = {m: len(p.read_text().splitlines()) for m, p in MODULES.items()}
    over = {m: n for m, n in long.items() if n > MAX_LINES and m not in LONG_MODULES}
    assert not over, f"modules over {MAX_LINES} lines (split them, or give the reason in LONG_MODULES): {over}"


def test_no_private_name_crosses_a_wing():
    bad = []
    for m, path in MODULES.items():
        bound: dict[str, str] = {}  # local alias -> module, for attribute access below
        for mod, names, line in imports(path, top_level_only=False):
            for n in names:
                full = f"{mod}.{n}"
                if full in MODULES:
                    bound[n] = full
                elif n.startswith("_") and not n.startswith("__") and wing(mod) != wing(m):
                    bad.append(f"{path.name}:{line} imports {n} from {mod}")
        tree = ast.parse(path.read_text())
        for alias in ast.walk(tree):
            if isinstance(alias, ast.alias) and alias.asname and alias.name in bound:
                bound[alias.asname] = bound[alias.name]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                    and node.attr.startswith("_") and not node.attr.startswith("__")
                    and wing(bound[node.value.id]) != wing(m)):
                bad.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not bad, "private names used across wings (move the helper into core/): " + "; ".join(bad)


def test_only_the_synthpop_wing_touches_r():
    bad = [f"{p.relative_to(PKG)}:{line} imports {mod}"
           for m, p in MODULES.items() if wing(m) != "synthpop"
           for mod, names, line in imports(p, top_level_only=False)
           if set(targets(mod, names)) & R_MODULES]
    assert not bad, "only synthspectrum.synthpop may import its bridge and session: " + "; ".join(bad)


def test_no_ae_name_outside_the_datasets_wing():
    pattern = re.compile(r"\b(" + "|".join(AE_NAMES) + r")\b", re.I)
    bad = [f"{p.relative_to(PKG)}:{i}: {line.strip()[:80]}"
           for m, p in MODULES.items() if wing(m) != "datasets"
           for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert not bad, "A&E column names outside synthspectrum.datasets: " + "; ".join(bad)


def test_the_structure_checks_can_fail(tmp_path, monkeypatch):
    """Each check above on a small planted package: a cycle, a long module, a private import,
    R touched outside the synthpop wing, an A&E column outside the datasets wing."""
    pkg = tmp_path / "synthspectrum"
    for w in ("a", "b"):
        (pkg / w).mkdir(parents=True)
        (pkg / w / "__init__.py").write_text('"""Wing of a planted package, for the structure checks."""\n')
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "x.py").write_text("from synthspectrum.b.y import _helper\n"
                                    "from synthspectrum.synthpop.bridge import to_r\n"
                                    "KEYS = ['age_band']\n" + "pass\n" * (MAX_LINES + 1))
    (pkg / "synthpop").mkdir()
    (pkg / "synthpop" / "__init__.py").write_text('"""The planted R side."""\n')
    (pkg / "synthpop" / "bridge.py").write_text("to_r = None\n")
    (pkg / "b" / "y.py").write_text("from synthspectrum.a.x import thing\n_helper = 1\n")
    monkeypatch.setattr(__import__(__name__), "PKG", pkg)
    monkeypatch.setattr(__import__(__name__), "MODULES", modules())
    with pytest.raises(AssertionError, match="import cycle"):
        test_no_import_cycles_at_module_level()
    with pytest.raises(AssertionError, match="synthspectrum.a.x"):
        test_no_module_is_long_without_a_reason()
    with pytest.raises(AssertionError, match="imports _helper"):
        test_no_private_name_crosses_a_wing()
    with pytest.raises(AssertionError, match="imports synthspectrum.synthpop.bridge"):
        test_only_the_synthpop_wing_touches_r()
    with pytest.raises(AssertionError, match="age_band"):
        test_no_ae_name_outside_the_datasets_wing()
