"""Writing outputs without ever losing a user's file.

The rules every command and every ``save``/``write`` function follows:

* an output is checked *before* any work starts (:func:`check_output`, :class:`OutputFolder`):
  right extension, not one of the inputs, its folder creatable and writable — so a typo or a
  read-only disk fails in one line, not after an hour of synthesis;
* every file is written to a temporary file in the same folder and renamed into place
  (:func:`atomic_path`), so an interrupted write leaves the previous file as it was and never a
  half-written one;
* an output *folder* (the spectrum's) is only ever added to: we write the files we own and a
  manifest naming them; we never delete, move or empty a folder, and we never overwrite a file we
  did not write (one not named in our manifest);
* files get the permissions the user's umask gives, as any other program's would.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from synthspectrum.errors import SynthSpectrumError

MANIFEST = ".synthspectrum-output.json"


def _umask_mode() -> int:
    # os.umask can only be read by setting it; put it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _ensure_writable_folder(folder: Path, what: str) -> None:
    if folder.exists() and not folder.is_dir():
        raise SynthSpectrumError(f"{what}: {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SynthSpectrumError(f"{what}: cannot create the folder {folder}: {exc.strerror or exc}") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".synthspectrum-probe-", dir=folder)
    except OSError as exc:
        raise SynthSpectrumError(f"{what}: cannot write into {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)


def check_output(path: str | Path, suffixes: Sequence[str], inputs: Iterable[str | Path | None] = (),
                 what: str = "output") -> Path:
    """Check an output file before any work: its extension is one of ``suffixes``, it is not one
    of ``inputs`` (nor a folder), and its folder exists or can be made and is writable.
    Creates the folder; writes nothing else. Returns the path."""
    path = Path(path)
    if path.suffix.lower() not in [s.lower() for s in suffixes]:
        raise SynthSpectrumError(f"{what} {path} must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise SynthSpectrumError(f"{what} {path} is a folder; name a file")
    for src in inputs:
        if src is not None and (_same_file(path, Path(src)) or path.resolve() == Path(src).resolve()):
            raise SynthSpectrumError(f"{what} {path} is also an input: choose another file name, "
                                     "an input is never overwritten")
    _ensure_writable_folder(path.parent if str(path.parent) else Path("."), what)
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it onto ``path``, on any error
    or interrupt remove it and leave ``path`` untouched."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial" + path.suffix, dir=folder)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _umask_mode())  # mkstemp makes 0600 files; outputs follow the umask
        os.replace(tmp_path, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


class OutputFolder:
    """A folder we write a known set of files into, never touching anything else in it.

    ``check()`` (call it before any work) refuses: a path that is a file; a non-empty folder that
    is not a previous output of ours, unless ``force``; any of our file names that already exists
    in the folder but was not written by us (not in our manifest), even with ``force``; and a
    folder in which one of ``inputs`` would be overwritten.
    """

    def __init__(self, path: str | Path, names: Sequence[str], inputs: Iterable[str | Path | None] = (),
                 force: bool = False, what: str = "output folder"):
        self.path = Path(path)
        self.names = list(names)
        self.inputs = [Path(p) for p in inputs if p is not None]
        self.force = force
        self.what = what

    def _manifest(self) -> list[str] | None:
        m = self.path / MANIFEST
        if not m.is_file():
            return None
        try:
            return list(json.loads(m.read_text(encoding="utf-8"))["files"])
        except (ValueError, KeyError, TypeError, OSError):
            return None

    def check(self) -> "OutputFolder":
        p = self.path
        if p.exists() and not p.is_dir():
            raise SynthSpectrumError(f"{self.what} {p} is a file; name a folder (it is never overwritten)")
        for name in self.names:
            for src in self.inputs:
                if _same_file(p / name, src) or (p / name).resolve() == src.resolve():
                    raise SynthSpectrumError(f"{self.what} {p} would overwrite the input {src}: choose another folder")
        if p.is_dir():
            owned = self._manifest()
            others = [c.name for c in p.iterdir() if c.name != MANIFEST]
            if owned is None and others and not self.force:
                raise SynthSpectrumError(
                    f"{self.what} {p} is not empty and is not a previous synthspectrum output; choose a new "
                    "folder, or pass --force (force=True) to add the output files to it (nothing else in it "
                    "is touched)")
            clash = [n for n in self.names if (p / n).exists() and n not in (owned or [])]
            if clash:
                raise SynthSpectrumError(
                    f"{self.what} {p} already holds {clash[0]!r}, which synthspectrum did not write: "
                    "it is never overwritten; choose another folder or move that file")
        _ensure_writable_folder(p, self.what)
        return self

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """Check, then yield a private staging folder inside the output folder; on success each
        named file is renamed into place and the manifest updated; on failure nothing changes."""
        self.check()
        stage = Path(tempfile.mkdtemp(prefix=".synthspectrum-partial-", dir=self.path))
        try:
            yield stage
            missing = [n for n in self.names if not (stage / n).is_file()]
            if missing:
                raise SynthSpectrumError(f"internal: the output {missing[0]} was not produced")
            mode = _umask_mode()
            for n in self.names:
                os.chmod(stage / n, mode)
                os.replace(stage / n, self.path / n)
            owned = sorted(set(self._manifest() or []) | set(self.names))
            write_text(self.path / MANIFEST, json.dumps({"written_by": "synthspectrum", "files": owned}, indent=1))
        finally:
            for leftover in stage.glob("*"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            with contextlib.suppress(OSError):
                stage.rmdir()
