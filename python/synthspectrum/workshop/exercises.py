"""Exercises and catch-up files, generated from the solutions (the single source).

``solutions/`` holds one Python and one R script per module. In them, what the learner must
write sits between a line ``# >>> solution`` and a line ``# <<<``. The exercise is the same
file with each statement in such a block turned into a stub:

  ``name = expr`` (Python) / ``name <- expr`` (R)  ->  ``name = ...`` / ``name <- todo()``
  any other statement                              ->  ``...`` / ``todo()``

A statement is a line that starts at column 0; the lines after it that do not (its
continuation, a body) go with it. ``# hint: ...`` lines in a block stay (the learner sees
them); other comments in a block go, since they would give the answer away.

A catch-up file for a module is every solution before it, one after the other, so that a pair
that fell behind runs it and rejoins with the files the module reads (in ``workshop_out/``).
A solution that needs R's synthpop runs there only where synthpop is installed.

The instructor guide's schedule and measured pitfalls are generated too, in place between
their ``<!-- begin: ... -->`` and ``<!-- end: ... -->`` markers.

``write_exercises(root)`` writes all of these; ``stale_exercises(root)`` lists
what is missing or differs byte for byte (a test and ``synthspectrum workshop exercises --check``).
"""

from __future__ import annotations

import re
from pathlib import Path

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.workshop.modules import MODULES

__all__ = ["START", "END", "to_exercise", "catch_up", "generated_files", "write_exercises", "stale_exercises"]

START = "# >>> solution"
END = "# <<<"
_ASSIGN = {"py": re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=(?!=)"),
           "R": re.compile(r"^([A-Za-z.][A-Za-z0-9._]*)\s*(<-|=(?!=))")}
_STUB = {"py": ("{name} = ...", "..."), "R": ("{name} <- todo()", "todo()")}


def _lang(path: Path) -> str:
    if path.suffix == ".py":
        return "py"
    if path.suffix == ".R":
        return "R"
    raise SynthSpectrumError(f"{path.name}: exercises are made from .py and .R files only")


def to_exercise(text: str, lang: str, source: str = "solution") -> str:
    """The exercise made from a solution's ``text`` (``lang`` "py" or "R")."""
    out: list[str] = []
    in_block, start_line, last_stub = False, 0, None
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.rstrip()
        if stripped == START:
            if in_block:
                raise SynthSpectrumError(f"{source}, line {n}: a solution block opens inside another "
                                         f"(opened on line {start_line}); close it with '{END}'")
            in_block, start_line, last_stub = True, n, None
            continue
        if stripped == END:
            if not in_block:
                raise SynthSpectrumError(f"{source}, line {n}: '{END}' closes no solution block")
            in_block = False
            continue
        if not in_block:
            out.append(line)
            continue
        if not stripped:
            continue
        if stripped.lstrip().lower().startswith("# hint:"):
            out.append(stripped.lstrip())
            last_stub = None
            continue
        if line[0] in " \t)]}" or stripped.lstrip().startswith("#"):
            continue  # a continuation, a body, or a comment that would give the answer away
        m = _ASSIGN[lang].match(line)
        stub = _STUB[lang][0].format(name=m.group(1)) if m else _STUB[lang][1]
        if stub != last_stub:  # `x = a` then `x = f(x)` is still one thing for the learner to write
            out.append(stub)
        last_stub = stub
    if in_block:
        raise SynthSpectrumError(f"{source}, line {start_line}: a solution block is never closed with '{END}'")
    return "\n".join(out) + "\n"


def _header(lang: str, what: str, has_blocks: bool) -> str:
    fill = "`...`" if lang == "py" else "`todo()`"
    text = (f"# {what}\n# Generated from the solutions by `synthspectrum workshop exercises`: fill in every "
            f"{fill}, run the file,\n# and read what check() says.\n" if has_blocks else
            f"# {what}\n# Copied from the solutions by `synthspectrum workshop exercises`: nothing to fill in; "
            f"run it, then change it.\n")
    if lang == "R":
        text += ("# R finds its helpers through the synthspectrum command: start R with the virtualenv active\n"
                 "# (source .venv/bin/activate), or first Sys.setenv(SYNTHSPECTRUM_BIN = \"<full path of "
                 ".venv/bin/synthspectrum>\").\n")
    return text


def _guarded(text: str, m, lang: str) -> str:
    """A solution that needs synthpop, run only where synthpop is installed: a laptop without it
    still catches up on everything else (the later modules use what the other modules left)."""
    say = f"{m.id} skipped: it needs R's synthpop, which is not installed on this laptop"
    if lang == "py":
        body = "".join(("    " + line) if line.strip() else line for line in text.splitlines(keepends=True))
        return (f"from synthspectrum.workshop import synthpop_ready\n\nif synthpop_ready():\n{body}"
                f"else:\n    print({say!r})\n")
    return f"if (synthpop_ready()) {{\n{text}}} else {{\n  message({say!r})\n}}\n"


def catch_up(solutions: Path, stem: str, lang: str) -> str:
    """Every solution before module ``stem`` in ``lang``, as one script."""
    ext = ".py" if lang == "py" else ".R"
    stems = [m.stem for m in MODULES]
    before = MODULES[: stems.index(stem)]
    parts = [f"# Catch-up file for {stem}: runs the solutions of {', '.join(m.id for m in before)} so that "
             f"{stem.split('_')[0]} finds\n"
             f"# what it reads in workshop_out/. Run it from the folder you work in:\n"
             f"#   {'python' if lang == 'py' else 'Rscript'} exercises/catchup/{stem}{ext}\n"
             f"# Generated by `synthspectrum workshop exercises`; edit the solutions, not this file.\n"]
    for m in before:
        text = (solutions / f"{m.stem}{ext}").read_text(encoding="utf-8")
        if lang in m.needs_synthpop:
            text = _guarded(text, m, lang)
        parts.append(f"\n# ===== {m.stem}{ext} =====\n" + text)
    return "".join(parts)


GUIDE = Path("slides") / "instructor-guide.md"
_BLOCK = re.compile(r"(<!-- begin: (\w+)[^>]*-->\n)(.*?)(<!-- end: \2 -->)", re.S)


def schedule_markdown() -> str:
    from synthspectrum.workshop.modules import BREAK_MINUTES, DAY_MINUTES, schedule

    rows = ["| time | module | minutes (teach + do) |", "|---|---|---|"]
    by_title = {f"{m.id.upper()} {m.title}": m for m in MODULES}
    for start, end, what, minutes in schedule():
        m = by_title.get(what)
        split = f"{minutes} ({m.teach} + {m.do})" if m else str(minutes)
        rows.append(f"| {start}-{end} | {what} | {split} |")
    total = sum(m.minutes for m in MODULES) + BREAK_MINUTES
    rows.append(f"| | **the day** | **{total}** (of {DAY_MINUTES}) |")
    return "\n".join(rows) + "\n"


def fill_guide(text: str) -> str:
    """The instructor guide with its generated blocks (schedule, pitfalls) filled in."""
    from synthspectrum.workshop.pitfalls import pitfalls_markdown

    makers = {"schedule": schedule_markdown, "pitfalls": pitfalls_markdown}

    def fill(match: re.Match) -> str:
        name = match.group(2)
        if name not in makers:
            raise SynthSpectrumError(f"{GUIDE}: no generated block called {name!r} (there are {', '.join(makers)})")
        return match.group(1) + makers[name]() + match.group(4)

    return _BLOCK.sub(fill, text)


def generated_files(root: Path) -> dict[Path, str]:
    """Every generated file under ``root/exercises`` with its content, from ``root/solutions``."""
    root = Path(root)
    solutions = root / "solutions"
    if not solutions.is_dir():
        raise SynthSpectrumError(f"{solutions} is missing: run this from the repository's folder (--root)")
    files: dict[Path, str] = {}
    for src in sorted(solutions.iterdir()):
        if src.name.startswith(".") or not src.is_file():
            continue
        text = src.read_text(encoding="utf-8")
        if src.suffix in (".py", ".R"):
            lang = _lang(src)
            has_blocks = any(line.rstrip() == START for line in text.splitlines())
            files[root / "exercises" / src.name] = _header(lang, f"Exercise {src.stem}", has_blocks) + to_exercise(
                text, lang, source=f"solutions/{src.name}")
        else:
            files[root / "exercises" / src.name] = text  # e.g. a config the exercise reads
    for m in MODULES[1:]:
        for lang, ext in (("py", ".py"), ("R", ".R")):
            if all((solutions / f"{s.stem}{ext}").exists() for s in MODULES[: MODULES.index(m)]):
                files[root / "exercises" / "catchup" / f"{m.stem}{ext}"] = catch_up(solutions, m.stem, lang)
    guide = root / GUIDE
    if guide.exists():
        files[guide] = fill_guide(guide.read_text(encoding="utf-8"))
    return files


MANIFEST = Path("exercises") / ".generated"


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_manifest(root: Path, files: dict[Path, str]) -> dict[Path, str]:
    """The files and the manifest of what they are, so that a later run can tell a generated
    file from one a learner has edited."""
    lines = sorted(f"{_digest(t)}  {p.relative_to(root).as_posix()}" for p, t in files.items()
                   if p.is_relative_to(root / "exercises"))
    return {**files, root / MANIFEST: "# what `synthspectrum workshop exercises` wrote (sha256, path)\n"
            + "\n".join(lines) + "\n"}


def _generated_before(root: Path) -> set[str]:
    path = root / MANIFEST
    if not path.exists():
        return set()
    return {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")}


def write_exercises(root: Path, force: bool = False) -> list[Path]:
    """(Re)write the exercises and catch-up files; returns the paths that changed.

    An existing exercise that is neither what this run makes nor what an earlier run made (a
    learner filled it in) is not overwritten: the run stops and names it, unless ``force``."""
    from synthspectrum.io.outputs import atomic_path

    root = Path(root)
    files = _with_manifest(root, generated_files(root))
    known = _generated_before(root)
    edited = [p for p, text in files.items()
              if p.exists() and p != root / MANIFEST and p.is_relative_to(root / "exercises")
              and (current := p.read_text(encoding="utf-8")) != text and _digest(current) not in known]
    if edited and not force:
        raise SynthSpectrumError(
            "these exercises were edited since they were generated (a learner's work?): "
            + ", ".join(str(p.relative_to(root)) for p in edited)
            + "; copy them elsewhere first, or pass --force to replace them")
    changed = []
    for path, text in files.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        with atomic_path(path, record=False) as tmp:
            tmp.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed


def stale_exercises(root: Path) -> list[Path]:
    """Generated files that are missing or differ from what the solutions give."""
    root = Path(root)
    return [p for p, text in _with_manifest(root, generated_files(root)).items()
            if not p.exists() or p.read_bytes() != text.encode("utf-8")]
