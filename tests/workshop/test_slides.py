"""The slides: every code block on a slide runs, and every deck builds offline into one
self-contained HTML file with one slide per heading, its figures inlined and its run-only code gone.

The sources are read two ways: by the package's own reader (synthspectrum.workshop.slides) and by
pandoc's Markdown parser (its JSON syntax tree), which must agree, so that what the tests run is
what pandoc puts on the slides. The build is skipped, with the reason, only where pandoc or
slides/node_modules (``cd slides && npm ci``) is missing.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, chromium, CHROMIUM_FLAGS, rscript, synthpop_installed
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.workshop import slides as sl
from synthspectrum.workshop.modules import MODULES

SLIDES = ROOT / "slides"
VENV_BIN = Path(sys.executable).parent
STEMS = [m.stem for m in MODULES]
# the twin's functions that need R's synthpop (an R block calling one skips where it is missing)
SYNTHPOP_R = re.compile(r"\b(syn|utility_gen|utility_tab|utility_tables|compare|replicated_uniques|disclosure|"
                        r"multi_disclosure|sdc|lm_synds|glm_synds|compare_fit)\s*\(")
GLOSSARY_TERMS = ["quasi-identifier", "k-anonymity", "sample unique", "replicated unique", "pMSE", "S_pMSE",
                  "propensity AUC", "DiSCO", "DCR", "holdout", "GMF", "micro-aggregation", "MetaFrame", "CART",
                  "visit sequence", "equivalence class", "direct identifier", "de-identification",
                  "synthetic data", "fidelity", "Pareto set"]


def source(stem: str) -> str:
    return (SLIDES / f"{stem}.md").read_text(encoding="utf-8")


def pandoc_ast(path: Path) -> dict:
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed (apt-get install pandoc; setup.sh does it)")
    res = subprocess.run(["pandoc", str(path), "--from", "markdown", "--to", "json"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def walk(node, kind):
    """Every element of type ``kind`` in a pandoc JSON tree (the top level and nested)."""
    if isinstance(node, dict):
        if node.get("t") == kind:
            yield node
        for v in node.values():
            yield from walk(v, kind)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, kind)


def learner_env() -> dict:
    """The environment a learner has: the virtualenv's bin (the synthspectrum command) first on PATH."""
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}


# --- the sources ------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_each_module_has_a_deck_of_level_one_slides_with_notes(stem):
    text = source(stem)
    titles = sl.headings(text)
    assert 6 <= len(titles) <= 12, f"{stem}: {len(titles)} slides; a module has about 6-12"
    bare = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    assert not re.search(r"^#{2,} ", bare, re.M), f"{stem}: only level-1 headings (one slide each)"
    assert not text.lstrip().startswith("---"), f"{stem}: the title comes from modules.py, not a YAML block"
    # speaker notes on every slide: each slide's text holds a notes div
    slides_text = re.split(r"^# .*$", bare, flags=re.M)[1:]
    assert len(slides_text) == len(titles)
    for title, body in zip(titles, slides_text):
        assert "::: notes" in body, f"{stem}: the slide {title!r} has no speaker notes"


@pytest.mark.parametrize("stem", STEMS)
def test_the_reader_agrees_with_pandoc(stem):
    """Headings and code blocks as the package reads them are the ones pandoc's parser sees."""
    ast = pandoc_ast(SLIDES / f"{stem}.md")
    levels = [h["c"][0] for h in walk(ast["blocks"], "Header")]
    assert levels.count(1) == len(sl.headings(source(stem)))
    theirs = [(b["c"][0][1], b["c"][1]) for b in walk(ast["blocks"], "CodeBlock")]
    ours = sl.code_blocks(source(stem))
    assert len(ours) == len(theirs)
    for block, (classes, code) in zip(ours, theirs):
        assert block.code.rstrip("\n") == code
        assert sorted(c.lower() for c in classes) == sorted(([block.language] if block.language else [])
                                                            + list(block.classes))


def test_block_kinds_are_read_from_the_fence():
    text = ("# A\n\n```python\nx = 1\n```\n\n```{.python .show-only}\ny = 2\n```\n\n"
            "```{.python .run-only}\nz = 3\n```\n\n```r\nw <- 4\n```\n\n```bash\nls\n```\n")
    kinds = [(b.language, b.tested, b.show_only, b.run_only) for b in sl.code_blocks(text)]
    assert kinds == [("python", True, False, False), ("python", False, True, False),
                     ("python", False, False, True), ("r", True, False, False), (None, False, False, False)]
    assert sl.headings(text + "```\n# not a heading\n```\n") == ["A"]


# --- every code block runs ----------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_python_blocks_run_as_one_script(stem, tmp_path):
    blocks = [b for b in sl.code_blocks(source(stem)) if b.tested and b.language == "python"]
    if not blocks:
        pytest.skip(f"{stem} shows no Python block to run")
    script = "\n".join(b.code for b in blocks)
    # `import synthspectrum.synthpop` or `from synthspectrum import synthpop`: R's synthpop is called
    if re.search(r"synthspectrum\.synthpop|from synthspectrum import [^\n]*\bsynthpop\b", script) and not synthpop_installed():
        pytest.skip(f"{stem}'s Python blocks call R's synthpop, which is not installed here")
    (tmp_path / "slide.py").write_text(script, encoding="utf-8")
    res = subprocess.run([sys.executable, "slide.py"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=600, env=learner_env())
    assert res.returncode == 0, f"{stem}'s Python blocks failed:\n{res.stderr[-3000:]}"


@pytest.mark.parametrize("stem", STEMS)
def test_r_blocks_run_through_rscript(stem, tmp_path, monkeypatch):
    blocks = [b for b in sl.code_blocks(source(stem)) if b.tested and b.language == "r"]
    if not blocks:
        pytest.skip(f"{stem} shows no R block to run")
    code = "\n".join(b.code for b in blocks)
    if SYNTHPOP_R.search(code) and not synthpop_installed():
        pytest.skip(f"{stem}'s R blocks call synthpop, which is not installed here")
    monkeypatch.setenv("PATH", learner_env()["PATH"])  # source(system2("synthspectrum", ...)) finds it
    rscript(code, tmp_path)


# --- the build ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every deck and page, built once for the tests below."""
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed: apt-get install pandoc (setup.sh does it)")
    if not (SLIDES / "node_modules" / "reveal.js" / "dist" / "reveal.js").is_file():
        pytest.skip("reveal.js is not installed in slides/node_modules: cd slides && npm ci (setup.sh does it)")
    out = tmp_path_factory.mktemp("slides-build")
    pages = sl.build_slides(SLIDES, out)
    return out, pages


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <style> element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.styles, self._in_style = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False if tag == "style" else self._in_style

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parse(page: Path) -> Tags:
    t = Tags()
    t.feed(page.read_text(encoding="utf-8"))
    return t


def assert_self_contained(page: Path):
    tags = parse(page)
    for tag, attrs in tags.tags:
        for attr in ("src", "data-src", "href", "data", "poster"):  # reveal.js loads images from data-src
            value = (attrs.get(attr) or "").strip()
            if tag == "a" or not value or value.startswith("#"):
                continue  # links the reader may follow are not resources the page loads
            assert value.startswith("data:"), f"{page.name}: <{tag} {attr}={value[:80]!r}> is not inlined"
    css = "\n".join(tags.styles) + "\n".join(a.get("style") or "" for _, a in tags.tags)
    network = re.findall(r"(?:url\(\s*['\"]?|@import\s+['\"])\s*((?:https?:)?//[^'\")\s]+)", css)
    assert not network, f"{page.name}: its CSS loads {network[:3]} from the network"
    assert not re.search(r"@import\s+url\(\s*['\"]?(?!data:)", css), f"{page.name}: a CSS @import is not inlined"


def test_build_writes_every_deck_and_page(built):
    out, pages = built
    assert [p.name for p in pages] == [f"{s}.html" for s in STEMS] + [f"{p}.html" for p in sl.PAGES]
    assert all(p.parent == out and p.stat().st_size > 0 for p in pages)
    assert not list(out.glob("*.partial*")), "a temporary file of the atomic write was left behind"


@pytest.mark.parametrize("stem", STEMS)
def test_deck_is_self_contained(built, stem):
    assert_self_contained(built[0] / f"{stem}.html")


@pytest.mark.parametrize("stem", STEMS)
def test_deck_has_one_slide_per_heading_and_its_minutes(built, stem):
    page = (built[0] / f"{stem}.html").read_text(encoding="utf-8")
    sections = [a for t, a in parse(built[0] / f"{stem}.html").tags if t == "section"]
    content = [a for a in sections if a.get("id") != "title-slide"]
    assert len(sections) - len(content) == 1, "one title slide, made from modules.py"
    assert len(content) == len(sl.headings(source(stem)))
    m = next(m for m in MODULES if m.stem == stem)
    assert f"{m.minutes} minutes: {m.teach} teach + {m.do} do" in page
    assert html.escape(m.title, quote=False) in page
    assert page.count('<aside class="notes">') == source(stem).count("::: notes")


@pytest.mark.parametrize("stem", STEMS)
def test_deck_leaks_no_run_only_code_and_inlines_its_figures(built, stem):
    page = (built[0] / f"{stem}.html").read_text(encoding="utf-8")
    text = source(stem)
    assert "run-only" not in page and "show-only" not in page
    # pandoc's highlighter splits code into spans: compare the text with the tags taken out
    shown_text = html.unescape(re.sub(r"<[^>]+>", "", page))
    blocks = sl.code_blocks(text)
    shown_code = {ln.strip() for b in blocks if not b.run_only for ln in b.code.splitlines()}
    for block in blocks:
        for line in (ln.strip() for ln in block.code.splitlines()):
            if len(line) < 12 or (block.run_only and line in shown_code):
                continue  # too short to be telling, or a run-only line a slide shows anyway
            assert (line in shown_text) != block.run_only, f"{stem}: line {block.line}: {line!r} " + (
                "of a run-only block is in the deck" if block.run_only else "is missing from the deck")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(re.findall(r'<img (?:data-)?src="data:image/png;base64,', page)) == len(images)
    for image in images:  # the figure was drawn by this build, not found lying around
        assert (built[0] / image).is_file()


@pytest.mark.parametrize("name", sl.PAGES)
def test_pages_are_self_contained(built, name):
    assert_self_contained(built[0] / f"{name}.html")
    # a plain page, not a deck (its text may mention reveal.js; its markup must not be one)
    html = (built[0] / f"{name}.html").read_text(encoding="utf-8")
    assert 'class="reveal' not in html and "Reveal.initialize" not in html


def test_glossary_defines_every_term_with_a_reference():
    text = (SLIDES / "glossary.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"^([^\s:][^\n]*)\n\n?:\s+(.+?)(?=\n\S|\Z)", text, re.M | re.S))
    terms = {t.lower(): d for t, d in entries.items()}
    for term in GLOSSARY_TERMS:
        hit = [d for t, d in terms.items() if term.lower() in t]
        assert hit, f"the glossary has no entry for {term!r}"
        assert re.search(r"\b(19|20)\d\d\b|https?://", hit[0]), f"the glossary's {term!r} names no reference"


def test_each_deck_opens_in_a_browser(built, tmp_path):
    """Headless Chromium renders each deck: reveal.js starts (it marks the deck ready) with the
    slide the address asks for. (Looking at the screenshots is the human half of this test.)"""
    browser = chromium()
    for stem in STEMS:
        page = built[0] / f"{stem}.html"
        res = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                              "--virtual-time-budget=3000", "--window-size=1280,720", "--dump-dom",
                              page.as_uri() + "#/1"], capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        assert re.search(r'class="[^"]*\breveal\b[^"]*\bready\b', res.stdout), f"{stem}: reveal.js did not start"
        assert re.search(r'<section[^>]*class="[^"]*\bpresent\b', res.stdout), f"{stem}: no slide is shown"


# --- the errors a teacher meets -----------------------------------------------------------------


def test_missing_pandoc_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(sl.shutil, "which", lambda name: None)
    with pytest.raises(SynthSpectrumError, match="apt-get install pandoc"):
        sl.build_slides(SLIDES, tmp_path / "out")


def test_missing_node_modules_says_npm_ci(tmp_path):
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed (apt-get install pandoc)")
    bare = tmp_path / "slides"
    bare.mkdir()
    with pytest.raises(SynthSpectrumError, match=r"cd .*slides && npm ci"):
        sl.build_slides(bare, tmp_path / "out", modules=["m0"])
    assert not (tmp_path / "out").exists(), "a failed build creates nothing"


def test_unknown_deck_is_named(tmp_path):
    with pytest.raises(SynthSpectrumError, match="no slides called 'm9'.*m0.*glossary"):
        sl.build_slides(SLIDES, tmp_path, modules=["m9"])


def test_a_failing_figure_leaves_the_previous_deck_as_it_was(tmp_path):
    """The build is atomic per page: a deck whose figure code fails keeps its previous HTML."""
    if shutil.which("pandoc") is None or not (SLIDES / "node_modules").is_dir():
        pytest.skip("pandoc or slides/node_modules is missing")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("filters", "node_modules"):
        (src / name).symlink_to(SLIDES / name)
    shutil.copy(SLIDES / "slides.css", src)
    deck = src / f"{MODULES[0].stem}.md"
    deck.write_text("# One\n\nfirst\n\n::: notes\nn\n:::\n", encoding="utf-8")
    out = tmp_path / "out"
    [page] = sl.build_slides(src, out, modules=[MODULES[0].id])
    before = page.read_bytes()
    deck.write_text("# One\n\nsecond\n\n```{.python .run-only}\nraise RuntimeError('no figure today')\n```\n",
                    encoding="utf-8")
    with pytest.raises(SynthSpectrumError, match="no figure today"):
        sl.build_slides(src, out, modules=[MODULES[0].id])
    assert page.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".synthspectrum-output.json", page.name]
