"""The workshop's slides, built offline into self-contained HTML.

Sources: ``slides/<stem>.md``, one deck per module (stems and titles from :mod:`.modules`), one
slide per level-1 heading, speaker notes in ``::: notes`` divs; ``slides/glossary.md`` and
``slides/cheatsheet.md`` become plain HTML pages. :func:`build_slides` builds them all with
pandoc (its ``revealjs`` writer for the decks) and the reveal.js that ``npm ci`` installs into
``slides/node_modules``: every script, stylesheet, font and figure is inlined, so a deck opens
from a USB stick with no network, at build time or in class.

Code blocks on a slide come in three kinds (the fence's classes say which):

* ``` ```python ``` or ``` ```r ```: shown on the slide, and run by the tests (each deck's Python
  blocks as one script, its R blocks through Rscript), so that no slide shows code that fails;
* ``` ```{.python .show-only} ```: shown, never run (a sketch, or code that needs the learner's file);
* ``` ```{.python .run-only} ```: never shown; run here, before pandoc, to draw the deck's
  figures with the package on the bundled data. The blocks of a deck run as one script in a
  fresh folder, with ``save(fig, "name.png")`` defined to put a figure into the build's
  ``figures/`` folder, where the slide's ``![...](figures/name.png)`` finds it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io.outputs import atomic_path, check_output
from synthspectrum.workshop.modules import MODULES, Module

__all__ = ["PAGES", "RUN_ONLY", "SHOW_ONLY", "Block", "code_blocks", "headings", "build_slides",
           "figure_script", "reveal_folder"]

RUN_ONLY = "run-only"
SHOW_ONLY = "show-only"
PAGES = ("glossary", "cheatsheet", "instructor-guide")  # plain pages (not decks) built from slides/<name>.md
FIGURES = "figures"                 # the build's figure folder, next to the HTML

# Debian's pandoc 2.x writes for reveal.js 4; pandoc 3.x for reveal.js 5 (slides/package.json pins 4)
REVEAL_MAJOR_FOR_PANDOC = {2: 4, 3: 5}

_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                    re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^# +\S")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a slide source: its language (``python``, ``r`` or None), its
    other classes, its code and the line it starts on (1-based)."""

    language: str | None
    classes: tuple[str, ...]
    code: str
    line: int

    @property
    def run_only(self) -> bool:
        return RUN_ONLY in self.classes

    @property
    def show_only(self) -> bool:
        return SHOW_ONLY in self.classes

    @property
    def tested(self) -> bool:
        """Shown on the slide and run by the tests."""
        return self.language in ("python", "r") and not (self.run_only or self.show_only)


def _classes(info: str) -> list[str]:
    info = info.strip()
    if info.startswith("{"):  # {.python .run-only #id key=value}
        return [w[1:] for w in info.strip("{}").split() if w.startswith(".")]
    return info.split()[:1]  # ```python


def code_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown source, in order."""
    out = []
    for m in _FENCE.finditer(text):
        classes = [c.lower() for c in _classes(m["info"])]
        language = next((c for c in classes if c in ("python", "r")), None)
        out.append(Block(language, tuple(c for c in classes if c != language), m["body"],
                         text.count("\n", 0, m.start()) + 1))
    return out


def headings(text: str) -> list[str]:
    """The level-1 headings (``# Title``) outside code blocks: one slide each."""
    bare = _FENCE.sub("", text)
    return [line[2:].strip() for line in bare.splitlines() if _HEADING.match(line)]


def figure_script(text: str, figures: Path) -> str | None:
    """The deck's run-only blocks joined into one script that saves its figures into
    ``figures`` (None when the deck has none)."""
    blocks = [b for b in code_blocks(text) if b.run_only]
    if not blocks:
        return None
    wrong = [b for b in blocks if b.language != "python"]
    if wrong:
        raise SynthSpectrumError(f"the run-only block on line {wrong[0].line} is not Python: "
                                 "figures are drawn by Python blocks ({.python .run-only})")
    prelude = (
        "# figures for the slides, drawn at build time (added by synthspectrum.workshop.slides)\n"
        "import matplotlib\nmatplotlib.use('Agg')\nfrom pathlib import Path as _Path\n"
        f"FIGURES = _Path({str(figures)!r})\n\n"
        "def save(fig, name, dpi=110):\n"
        "    from synthspectrum.io.outputs import save_figure\n"
        "    return save_figure(fig, FIGURES / name, dpi=dpi)\n\n"
    )
    return prelude + "\n".join(f"# --- line {b.line}\n{b.code}" for b in blocks)


def reveal_folder(source: Path) -> Path:
    """``source/node_modules/reveal.js``, or a clear error saying how to install it."""
    folder = Path(source) / "node_modules" / "reveal.js"
    if not (folder / "dist" / "reveal.js").is_file():
        raise SynthSpectrumError(f"reveal.js is not installed in {folder.parent}: run `cd {source} && npm ci` "
                                 "(once, with the network; setup.sh does it), then build again")
    return folder


def _pandoc() -> tuple[str, int]:
    path = shutil.which("pandoc")
    if path is None:
        raise SynthSpectrumError("pandoc is not installed: apt-get install pandoc (setup.sh does it), "
                                 "then build again")
    res = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    m = re.match(r"pandoc(?:\.exe)? (\d+)\.", res.stdout)
    if res.returncode != 0 or not m:
        raise SynthSpectrumError(f"{path} --version did not say which pandoc it is: {res.stderr.strip()[:200]}")
    return path, int(m.group(1))


def _check_reveal_major(reveal: Path, pandoc_major: int) -> None:
    version = json.loads((reveal / "package.json").read_text(encoding="utf-8"))["version"]
    want = REVEAL_MAJOR_FOR_PANDOC.get(pandoc_major)
    if want is not None and int(version.split(".")[0]) != want:
        raise SynthSpectrumError(
            f"pandoc {pandoc_major}.x writes slides for reveal.js {want}, but slides/node_modules holds reveal.js "
            f"{version}: pin reveal.js {want}.x in slides/package.json (and run npm install there), or use "
            f"the pandoc that matches it")


def _wanted(modules: Iterable[str] | None) -> tuple[list[Module], list[str]]:
    if modules is None:
        return list(MODULES), list(PAGES)
    decks, pages = [], []
    for name in [modules] if isinstance(modules, str) else modules:
        if name in PAGES:
            pages.append(name)
            continue
        found = [m for m in MODULES if name in (m.id, m.stem)]
        if not found:
            raise SynthSpectrumError(f"no slides called {name!r}; there are "
                                     + ", ".join([m.id for m in MODULES] + list(PAGES)))
        decks.append(found[0])
    return decks, pages


_DRIVER = """\
import sys, traceback
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as fh:
            exec(compile(fh.read(), path, "exec"), {"__name__": "__main__"})
    except BaseException:
        print("@@failed " + path, file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
"""


def _run_figures(texts: dict[str, str], figures: Path) -> None:
    """Run every deck's run-only blocks, a fresh namespace for each deck, in one Python process
    (the package's imports are paid once) in a fresh temporary folder."""
    scripts = {name: figure_script(text, figures) for name, text in texts.items()}
    scripts = {name: code for name, code in scripts.items() if code is not None}
    if not scripts:
        return
    with tempfile.TemporaryDirectory(prefix="synthspectrum-slides-") as tmp:
        paths = []
        for name, code in scripts.items():
            path = Path(tmp) / f"{Path(name).stem}_figures.py"
            path.write_text(code, encoding="utf-8")
            paths.append(path.name)
        (Path(tmp) / "driver.py").write_text(_DRIVER, encoding="utf-8")
        res = subprocess.run([sys.executable, "driver.py", *paths], cwd=tmp, capture_output=True, text=True,
                             timeout=900, env={**os.environ, "MPLBACKEND": "Agg"})
    if res.returncode != 0:
        failed = re.search(r"@@failed (\S+)_figures\.py", res.stderr)
        what = f"{failed.group(1)}.md" if failed else "the slides"
        raise SynthSpectrumError(f"the figures of {what} failed (its run-only blocks):\n{res.stderr[-3000:]}")


def _pandoc_run(args: list[str], what: str) -> None:
    res = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        raise SynthSpectrumError(f"pandoc could not build {what}:\n{res.stderr[-3000:]}")


def build_slides(source: Path, out: Path, *, modules: Iterable[str] | None = None) -> list[Path]:
    """Build the workshop's decks (and the glossary and cheat sheet pages) from ``source``
    (the ``slides/`` folder) into ``out``: ``out/<stem>.html`` per module, ``out/glossary.html``,
    ``out/cheatsheet.html``, each self-contained. ``modules``: only these (ids such as ``"m2"``,
    stems, or ``"glossary"``/``"cheatsheet"``); None builds everything. Returns the pages written.

    The decks' run-only blocks run first (they draw the figures into ``out/figures``; if one fails,
    no page is written); pandoc then writes each page to a temporary file that is renamed into
    place, so an interrupted build leaves the previous page as it was.
    """
    source, out = Path(source).resolve(), Path(out).resolve()
    decks, pages = _wanted(modules)
    pandoc, major = _pandoc()
    reveal = reveal_folder(source) if decks else None
    if reveal is not None:
        _check_reveal_major(reveal, major)
    targets = [(m.stem, source / f"{m.stem}.md", m) for m in decks] + [(p, source / f"{p}.md", None) for p in pages]
    for stem, md, _ in targets:
        if not md.is_file():
            raise SynthSpectrumError(f"the slide source {md} is missing")
        check_output(out / f"{stem}.html", [".html"], inputs=[md], what="slides")
    filt = source / "filters" / "blocks.lua"
    if not filt.is_file():
        raise SynthSpectrumError(f"the slides' pandoc filter {filt} is missing")
    figures = out / FIGURES
    _run_figures({md.name: md.read_text(encoding="utf-8") for _, md, m in targets if m is not None}, figures)
    written = []
    for stem, md, m in targets:
        with atomic_path(out / f"{stem}.html") as tmp:
            args = [pandoc, str(md), "--from", "markdown", "--self-contained", "--lua-filter", str(filt),
                    "--resource-path", os.pathsep.join([str(out), str(source)]), "--output", str(tmp)]
            if m is not None:
                args += ["--to", "revealjs", "--slide-level", "1", "-V", f"revealjs-url={reveal}",
                         "-V", "theme=serif", "-V", "width=1280", "-V", "height=720", "-V", "hash=true",
                         "-V", "slideNumber=true", "--css", str(source / "slides.css"),
                         "--metadata", f"title={m.id.upper()} {m.title}",
                         "--metadata", f"subtitle={m.minutes} minutes: {m.teach} teach + {m.do} do",
                         "--metadata", f"pagetitle={m.id.upper()} {m.title}"]
            else:
                args += ["--to", "html5", "--standalone", "--css", str(source / "page.css")]
            _pandoc_run(args, md.name)
        written.append(out / f"{stem}.html")
    return written
