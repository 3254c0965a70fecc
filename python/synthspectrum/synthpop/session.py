"""Run the R twin (``r/synthspectrum.R``) from Python: load it once, call it, translate R's
console output, warnings and errors into Python's.

* R's console chatter is captured and printed only with ``verbose=True``;
* each R warning becomes a Python ``RWarning``;
* an R error becomes a :class:`SynthpopError` naming the synthpop call (and, where the twin
  or synthpop says so, the column). The twin's own errors (class ``synthspectrum_error``) are
  the whole public message; synthpop's and R's words go to ``detail``, which can quote a value.

Arguments go to R under their Python names; the twin itself turns the Python spelling of
synthpop's own arguments into synthpop's (``cont_na`` -> ``cont.na``, in ``.ss_synthpop_args``),
the one place for that rule, from Python and from R alike.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from synthspectrum.errors import RNotAvailableError, RWarning, SynthpopError, SynthpopNotInstalledError, SynthSpectrumError
from synthspectrum.synthpop.bridge import rinterface

_CALL = """function(fname, args, envir) {
  msgs <- character(); warns <- character(); err <- NULL; own <- FALSE; value <- NULL
  out <- utils::capture.output(
    value <- withCallingHandlers(
      tryCatch(do.call(get(fname, envir = envir), args),
               error = function(e) {
                 err <<- conditionMessage(e); own <<- inherits(e, "synthspectrum_error"); NULL }),
      warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") },
      message = function(m) { msgs <<- c(msgs, conditionMessage(m)); invokeRestart("muffleMessage") }))
  list(value = value, output = c(out, msgs), warnings = warns,
       error = if (is.null(err)) character() else err, own = own)
}"""

_env = None


def twin_file() -> Path:
    """``synthspectrum.R``: inside the installed wheel, or the repository's ``r/``."""
    packaged = files("synthspectrum") / "r" / "synthspectrum.R"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "r" / "synthspectrum.R"


@dataclass
class SynthpopStatus:
    """What the twin's one check (``.ss_synthpop_status()`` in ``r/synthspectrum.R``) found.

    ``state``: ``"ok"``, ``"absent"`` (not installed), ``"broken"`` (installed, but an R
    package it needs cannot be loaded; ``missing`` names it), ``"old"`` (before 1.9-0) or
    ``"no-r"`` (R itself cannot run). ``message`` says what to do; empty when ok.
    """

    state: str
    version: str = ""
    missing: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def _status(values: list[str]) -> SynthpopStatus:
    state, version, missing, message = (list(values) + ["", "", "", ""])[:4]
    return SynthpopStatus(state, version, [m for m in missing.split(", ") if m], message)


# The same check from outside, in a fresh R (`synthspectrum doctor`): no --vanilla, so that R
# reads the start-up files (libraries set in ~/.Renviron) just as embedded R does.
_STATUS_SCRIPT = ("options(synthspectrum.quiet_source = TRUE); source(commandArgs(TRUE)[1]); "
                  "cat(.ss_synthpop_status(), sep = '\\n')")


def synthpop_status(rscript: str | None = None) -> SynthpopStatus:
    """Whether synthpop can be used and, if not, why (naming a missing R package).

    Without ``rscript``: asks the embedded R (rpy2) that the runtime uses. With the path of
    an ``Rscript``: runs the very same check there (``doctor`` does, without rpy2).
    """
    if rscript is not None:
        import subprocess

        try:
            res = subprocess.run([rscript, "-e", _STATUS_SCRIPT, str(twin_file())],
                                 capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return SynthpopStatus("no-r", message=f"{rscript} could not run: {exc}")
        lines = res.stdout.splitlines()
        if res.returncode != 0 or not lines:
            err = " ".join(res.stderr.split())[-300:]
            return SynthpopStatus("no-r", message=f"{rscript} failed: {err}")
        return _status(lines)
    try:
        env = _load_twin()
    except RNotAvailableError as exc:
        return SynthpopStatus("no-r", message=str(exc))
    return _status([str(x) for x in env[".ss_synthpop_status"]()])


def synthpop_available() -> bool:
    """Whether the embedded R can run synthpop (see :func:`synthpop_status` for why not)."""
    return synthpop_status().ok


def require_synthpop() -> None:
    """Start R and load the twin and synthpop, or raise :class:`RNotAvailableError` (no R) /
    :class:`SynthpopNotInstalledError` (no usable synthpop) saying why: the runtime's one check."""
    twin()


_loaded: dict[str, Any] = {}


def _load_twin():
    """The twin's environment, sourced (sourcing needs R, not synthpop)."""
    if "env" in _loaded:
        return _loaded["env"]
    ri = rinterface()
    ri.evalr("options(synthspectrum.quiet_source = TRUE)")
    env = ri.baseenv["new.env"](parent=ri.globalenv)
    ri.baseenv["sys.source"](ri.StrSexpVector([str(twin_file())]), envir=env)
    env[".ss_call"] = ri.evalr(_CALL)
    _loaded["env"] = env
    return env


def twin():
    """The R environment holding the twin's functions (loads R and synthpop on first use).

    Raises :class:`RNotAvailableError` when R cannot run and :class:`SynthpopNotInstalledError`
    when synthpop cannot be used, saying why (a missing dependency by name).
    """
    global _env
    if _env is not None:
        return _env
    status = synthpop_status()
    if status.state == "no-r":
        raise RNotAvailableError(status.message)
    if not status.ok:
        raise SynthpopNotInstalledError(status.message)
    _env = _load_twin()
    return _env


def to_rvalue(value: Any):
    """A Python argument as an R value (frames are converted by the caller)."""
    ri = rinterface()
    if value is None:
        return ri.NULL
    if isinstance(value, bool):
        return ri.BoolSexpVector([value])
    if isinstance(value, int):
        return ri.IntSexpVector([value])
    if isinstance(value, float):
        return ri.FloatSexpVector([value])
    if isinstance(value, str):
        return ri.StrSexpVector([value])
    if isinstance(value, dict):
        vals = [to_rvalue(v) for v in value.values()]
        out = ri.ListSexpVector(vals)
        return ri.baseenv["names<-"](out, ri.StrSexpVector([str(k) for k in value]))
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            return ri.StrSexpVector(list(value))
        if all(isinstance(v, bool) for v in value):
            return ri.BoolSexpVector(list(value))
        if all(isinstance(v, int) for v in value):
            return ri.IntSexpVector(list(value))
        if all(isinstance(v, (int, float)) for v in value):
            return ri.FloatSexpVector([float(v) for v in value])
        return ri.ListSexpVector([to_rvalue(v) for v in value])
    if hasattr(value, "typeof"):  # already an R object
        return value
    raise SynthSpectrumError(f"cannot pass a {type(value).__name__} to R")


def call(fname: str, *args, verbose: bool = False, **kwargs):
    """Call twin function ``fname``; return its R value, raising R errors as :class:`SynthpopError`."""
    ri = rinterface()
    env = twin()
    rargs = ri.baseenv["list"](*[to_rvalue(a) for a in args], **{k: to_rvalue(v) for k, v in kwargs.items()})
    res = env[".ss_call"](ri.StrSexpVector([fname]), rargs, env)
    parts = dict(zip([str(n) for n in res.do_slot("names")], res))
    if verbose:
        for line in parts["output"]:
            print(line)
    for w in parts["warnings"]:
        warnings.warn(f"synthpop {fname}(): {w}", RWarning, stacklevel=3)
    if len(parts["error"]):
        if bool(parts["own"][0]):
            # the twin's own words (.ss_stop) name columns and counts, never a value: all public
            raise SynthpopError(f"{fname}(): {parts['error'][0]}")
        raise SynthpopError(f"synthpop {fname}() failed", detail=str(parts["error"][0]))
    return parts["value"]


def rlist(obj) -> dict[str, Any]:
    """A named R list as a dict of its R elements."""
    return dict(zip([str(n) for n in obj.do_slot("names")], obj))
