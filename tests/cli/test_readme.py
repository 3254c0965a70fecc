"""Every code block of README.md runs as written: each Python block as a plain ``python file.py``
from another folder (no ``if __name__ == "__main__":``), each R block through Rscript."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [(m.group(1), m.group(2)) for m in re.finditer(r"```(python|r)\n(.*?)```", README, flags=re.S)]


def _synthpop_reason() -> str | None:
    import shutil

    from synthspectrum.synthpop import synthpop_status

    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not installed"
    status = synthpop_status(rscript)  # the blocks run in a fresh process: ask a fresh R
    return None if status.ok else (status.message or status.state)


def _needs_synthpop(lang: str, code: str) -> bool:
    # a block that only names a synthpop generator runs without it (the spectrum skips it, saying so)
    return lang == "r" or re.search(r"^(from|import) synthspectrum(\.| import .*)(synthpop)", code, re.M) is not None


def test_the_readme_has_code_blocks():
    assert sum(lang == "python" for lang, _ in BLOCKS) >= 4 and any(lang == "r" for lang, _ in BLOCKS)


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(BLOCKS)])
def test_readme_block_runs_as_written(index, tmp_path):
    lang, code = BLOCKS[index]
    if _needs_synthpop(lang, code):
        reason = _synthpop_reason()
        if reason:
            pytest.skip(f"README block {index} needs R's synthpop: {reason}")
    script = tmp_path / ("block.py" if lang == "python" else "block.R")
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cmd = [sys.executable, str(script)] if lang == "python" else ["Rscript", "--vanilla", str(script)]
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env)
    assert res.returncode == 0, f"README block {index} failed:\n{code}\n--- stderr ---\n{res.stderr[-3000:]}"


def test_contributing_examples_run_as_one_script(tmp_path):
    """CONTRIBUTING.md's Python blocks build on each other (a generator, then its conformance
    check): together, as a plain script from another folder, they must run and pass."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2 and any("check_generator(" in b for b in blocks)
    script = tmp_path / "contributing.py"
    script.write_text("\n".join(blocks), encoding="utf-8")
    res = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert res.returncode == 0, res.stderr[-3000:]
