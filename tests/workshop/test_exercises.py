"""Exercises are generated from the solutions: the stub rules on hand-made files, and the
committed exercises/ equal, byte for byte, to what the solutions give today."""

from __future__ import annotations

import pytest

from conftest import ROOT
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.workshop.exercises import generated_files, stale_exercises, to_exercise
from synthspectrum.workshop.modules import MODULES

PY = """# %% Step 1: fit
x = 1
# >>> solution
# hint: call fit_metadata on the training data
model = fit_metadata(real,
                     seed=1)
# this comment would give the answer away
model.save("m.json")
for c in cols:
    print(c)
total: int = 3
total = total + 1
# <<<
print(x)
"""

PY_EXERCISE = """# %% Step 1: fit
x = 1
# hint: call fit_metadata on the training data
model = ...
...
total = ...
print(x)
"""

R = """real <- workshop_data("train")
# >>> solution
# hint: table() has an argument for NA
counts <- table(real$a,
                useNA = "ifany")
n_classes = length(counts)
print(counts)
# <<<
check("m1")
"""

R_EXERCISE = """real <- workshop_data("train")
# hint: table() has an argument for NA
counts <- todo()
n_classes <- todo()
todo()
check("m1")
"""


def test_python_stubs():
    assert to_exercise(PY, "py") == PY_EXERCISE


def test_r_stubs():
    assert to_exercise(R, "R") == R_EXERCISE


@pytest.mark.parametrize("text, problem", [
    ("# >>> solution\nx = 1\n", "never closed"),
    ("x = 1\n# <<<\n", "closes no solution block"),
    ("# >>> solution\n# >>> solution\n# <<<\n", "opens inside another"),
])
def test_bad_markers_are_named_with_their_line(text, problem):
    with pytest.raises(SynthSpectrumError, match=problem):
        to_exercise(text, "py", source="solutions/x.py")


def test_committed_exercises_are_what_the_solutions_give():
    stale = stale_exercises(ROOT)
    assert not stale, ("exercises/ is out of date; run `synthspectrum workshop exercises`: "
                       + ", ".join(str(p.relative_to(ROOT)) for p in stale))


def test_every_module_has_both_solutions_exercises_and_catch_up():
    files = generated_files(ROOT)
    for m in MODULES:
        for ext in (".py", ".R"):
            assert (ROOT / "solutions" / f"{m.stem}{ext}").exists()
            assert ROOT / "exercises" / f"{m.stem}{ext}" in files
            if m is not MODULES[0]:
                assert ROOT / "exercises" / "catchup" / f"{m.stem}{ext}" in files


def test_a_catch_up_is_every_earlier_solution_in_order():
    last = MODULES[-1]
    text = generated_files(ROOT)[ROOT / "exercises" / "catchup" / f"{last.stem}.py"]
    at = []
    for m in MODULES[:-1]:
        source = (ROOT / "solutions" / f"{m.stem}.py").read_text()
        if "py" in m.needs_synthpop:  # runs only where synthpop is, indented under that test
            source = "".join(("    " + line) if line.strip() else line for line in source.splitlines(keepends=True))
        at.append(text.index(source))
    assert at == sorted(at)
    assert (ROOT / "solutions" / f"{last.stem}.py").read_text() not in text


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.id)
def test_each_exercise_has_stubs_and_ends_with_its_check(m):
    for ext, stub in ((".py", "..."), (".R", "todo()")):
        text = (ROOT / "exercises" / f"{m.stem}{ext}").read_text()
        assert stub in text.replace("# Generated", "")
        assert text.rstrip().splitlines()[-1] == f'check("{m.id}")'
        assert "# >>> solution" not in text


def test_a_learners_edited_exercise_is_never_overwritten(tmp_path):
    """Regenerating refuses to replace an exercise someone filled in (it is neither what this
    run makes nor what an earlier run made), and names it; --force replaces it."""
    import shutil

    from synthspectrum.workshop.exercises import write_exercises

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "solutions", root / "solutions")
    write_exercises(root)
    mine = root / "exercises" / f"{MODULES[1].stem}.py"
    mine.write_text(mine.read_text() + "\n# my answer\n")
    solution = root / "solutions" / f"{MODULES[1].stem}.py"
    solution.write_text(solution.read_text() + "\n# a teacher's change\n")
    with pytest.raises(SynthSpectrumError, match=f"edited since they were generated.*{mine.name}"):
        write_exercises(root)
    assert mine.read_text().endswith("# my answer\n")
    # an exercise that is still what an earlier run wrote is simply brought up to date
    other = root / "exercises" / f"{MODULES[2].stem}.py"
    (root / "solutions" / other.name).write_text((root / "solutions" / other.name).read_text() + "\n# new\n")
    write_exercises(root, force=True)
    assert not mine.read_text().endswith("# my answer\n") and other.read_text().endswith("# new\n")
