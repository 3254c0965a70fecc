"""Writing outputs without ever losing a user's file.

The rules every command and every ``save``/``write`` function follows:

* an output is checked *before* any work starts (:func:`check_output`, :class:`OutputFolder`):
  right extension, not one of the inputs, its folder creatable and writable — so a typo or a
  read-only disk fails in one line, not after an hour of synthesis; the check creates nothing,
  so a command that then fails leaves no empty folder behind;
* an existing file is replaced only if synthspectrum wrote it: each folder we write into holds a
  manifest (``.synthspectrum-output.json``) naming the files we wrote there; any other existing
  file is refused unless the user says ``force`` (``--force``);
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
    # Linux says the umask in /proc without changing it; elsewhere os.umask can only be read by
    # setting it (a moment in which another thread would create files with umask 0)
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            mask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0)
        os.umask(mask)
    return 0o666 & ~mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _manifest(folder: Path) -> dict[str, list[int] | None]:
    """name -> [size, mtime_ns] of each file we wrote in ``folder`` (None: being written)."""
    m = Path(folder) / MANIFEST
    try:
        files = json.loads(m.read_text(encoding="utf-8"))["files"]
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (ValueError, KeyError, TypeError, OSError):
        return {}
    if isinstance(files, list):
        return {str(n): None for n in files}
    return {str(n): s for n, s in files.items()} if isinstance(files, dict) else {}


def _stat(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def owned(folder: str | Path) -> set[str]:
    """Names in ``folder`` that synthspectrum wrote and nobody has changed since (from its
    manifest: a file whose size or modification time differs from what we recorded is the
    user's now); a name whose file is gone counts as ours."""
    folder = Path(folder)
    out = set()
    for name, stat in _manifest(folder).items():
        path = folder / name
        try:
            if stat is None or _stat(path) == list(stat):
                out.add(name)
        except (FileNotFoundError, NotADirectoryError):
            out.add(name)
        except (OSError, TypeError):
            pass
    return out


def _record(folder: Path, names: Iterable[str], pending: bool = False) -> None:
    """Note ``names`` in the folder's manifest as ours: with their size and time once written,
    or as being written (``pending``), so that a crash mid-way still leaves them ours."""
    names = set(names) - {MANIFEST}
    if not names:
        return
    files = _manifest(folder)
    for n in names:
        files[n] = None if pending or not (folder / n).exists() else _stat(folder / n)
    with atomic_path(folder / MANIFEST, record=False) as tmp:
        tmp.write_text(json.dumps({"written_by": "synthspectrum", "files": dict(sorted(files.items()))}, indent=1),
                       encoding="utf-8")


def _ours_in_progress(name: str) -> bool:
    # staging folders, probes and temporary files of ours that a killed run may leave behind
    return name.startswith(".synthspectrum-") or ".partial" in name


def _check_writable_folder(folder: Path, what: str) -> None:
    """The folder exists and is writable, or can be created: its nearest existing ancestor is a
    writable folder. Probes with a temporary file; creates no folder."""
    probe_in = folder
    while not probe_in.exists():
        if probe_in.parent == probe_in:
            break
        probe_in = probe_in.parent
    if not probe_in.is_dir():
        raise SynthSpectrumError(f"{what}: cannot create the folder {folder}: {probe_in} is a file")
    try:
        fd, probe = tempfile.mkstemp(prefix=".synthspectrum-probe-", dir=probe_in)
    except OSError as exc:
        raise SynthSpectrumError(f"{what}: cannot write into {probe_in}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)


def _make_folder(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SynthSpectrumError(f"{what}: cannot create the folder {folder}: {exc.strerror or exc}") from None


def check_output(path: str | Path, suffixes: Sequence[str], inputs: Iterable[str | Path | None] = (),
                 what: str = "output", force: bool = False) -> Path:
    """Check an output file before any work: its extension is one of ``suffixes``, it is not one
    of ``inputs`` (nor a folder), it does not exist or synthspectrum wrote it (else ``force``), and
    its folder exists or can be made and is writable. Creates and writes nothing. Returns the path."""
    path = Path(path)
    if path.suffix.lower() not in [s.lower() for s in suffixes]:
        raise SynthSpectrumError(f"{what} {path} must end in {' or '.join(suffixes)}")
    if path.name == MANIFEST:
        raise SynthSpectrumError(f"{what} {path} is synthspectrum's own list of the files it wrote: choose another name")
    if path.is_dir():
        raise SynthSpectrumError(f"{what} {path} is a folder; name a file")
    for src in inputs:
        if src is not None and (_same_file(path, Path(src)) or path.resolve() == Path(src).resolve()):
            raise SynthSpectrumError(f"{what} {path} is also an input: choose another file name, "
                                     "an input is never overwritten")
    folder = path.parent
    if path.exists() and not force and path.name not in owned(folder):
        raise SynthSpectrumError(f"{what} {path} already exists and synthspectrum did not write it: it is never "
                                 "overwritten; choose another name, or pass --force (force=True) to replace it")
    _check_writable_folder(folder, what)
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path, record: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` (creating its folder); on success rename it onto
    ``path`` and note it in the folder's manifest as ours; on any error or interrupt remove it
    and leave ``path`` untouched."""
    path = Path(path)
    folder = path.parent
    _make_folder(folder, "output")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial" + path.suffix, dir=folder)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _umask_mode())  # mkstemp makes 0600 files; outputs follow the umask
        if record:
            _record(folder, [path.name], pending=True)
        os.replace(tmp_path, path)
        if record:
            _record(folder, [path.name])
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


FIGURE_TYPES = [".png", ".pdf", ".svg"]


def save_figure(fig, path: str | Path, dpi: int = 110, force: bool = False) -> Path:
    """Save a matplotlib figure by the rules of every output: a picture's extension, never over a
    file we did not write (unless ``force``), atomically."""
    path = check_output(path, FIGURE_TYPES, what="figure", force=force)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".").lower())
    return path


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

    def check(self) -> "OutputFolder":
        p = self.path
        if p.exists() and not p.is_dir():
            raise SynthSpectrumError(f"{self.what} {p} is a file; name a folder (it is never overwritten)")
        for name in self.names:
            for src in self.inputs:
                if _same_file(p / name, src) or (p / name).resolve() == src.resolve():
                    raise SynthSpectrumError(f"{self.what} {p} would overwrite the input {src}: choose another folder")
        if p.is_dir():
            mine = owned(p)
            previous = bool(set(_manifest(p)) & set(self.names))  # an earlier output of this very kind
            others = [c.name for c in p.iterdir() if c.name != MANIFEST and not _ours_in_progress(c.name)]
            if not previous and others and not self.force:
                raise SynthSpectrumError(
                    f"{self.what} {p} is not empty and is not a previous synthspectrum output; choose a new "
                    "folder, or pass --force (force=True) to add the output files to it (nothing else in it "
                    "is touched)")
            clash = [n for n in self.names if (p / n).exists() and n not in mine]
            if clash:
                raise SynthSpectrumError(
                    f"{self.what} {p} already holds {clash[0]!r}, which synthspectrum did not write: "
                    "it is never overwritten; choose another folder or move that file")
        _check_writable_folder(p, self.what)
        return self

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """Check, then yield a private staging folder inside the output folder; on success each
        named file is renamed into place and the manifest updated; on failure nothing changes."""
        self.check()
        _make_folder(self.path, self.what)
        stage = Path(tempfile.mkdtemp(prefix=".synthspectrum-partial-", dir=self.path))
        try:
            yield stage
            missing = [n for n in self.names if not (stage / n).is_file()]
            if missing:
                raise SynthSpectrumError(f"internal: the output {missing[0]} was not produced")
            mode = _umask_mode()
            _record(self.path, self.names, pending=True)  # ours even if a crash stops the renames
            for n in self.names:
                os.chmod(stage / n, mode)
                os.replace(stage / n, self.path / n)
            _record(self.path, self.names)
        finally:
            for leftover in stage.glob("*"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            with contextlib.suppress(OSError):
                stage.rmdir()
