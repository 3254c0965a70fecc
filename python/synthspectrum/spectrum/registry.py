"""Which generators the spectrum knows, by name.

Generators are found through the package entry-point group ``synthspectrum.generators`` (the
built-ins are declared there in pyproject.toml too), so a third-party package adds one with

    [project.entry-points."synthspectrum.generators"]
    my-gan = "my_package.generators:GanGenerator"

where ``GanGenerator(seed=None, **options)`` follows the contract of
:mod:`synthspectrum.spectrum.generators` (check it with
:func:`synthspectrum.spectrum.conformance.check_generator`). ``register_generator(name, cls)``
adds one for this session only, ahead of the entry points.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any, Callable

from synthspectrum.errors import SynthSpectrumError

GROUP = "synthspectrum.generators"
# the built-ins in order along the spectrum, from least to most of the real data kept; the
# default of a run and the order of its report
SPECTRUM_ORDER = [
    "random", "metasyn", "metasyn-disclosure", "synthpop-sample", "synthpop-parametric",
    "synthpop-cart", "synthpop-cart-smooth", "real-holdout",
]

# the built-in reference: real records no generator saw, where "no synthesis" lands; the
# frontier, the narration and the plot mark it
REFERENCE = "real-holdout"
# generators registered in this session (name -> class or factory taking keyword options)
REGISTERED: dict[str, Callable[..., Any]] = {}


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def list_generators() -> list[str]:
    """Every generator name known: the built-ins in spectrum order, then the others by name."""
    names = set(_entry_points()) | set(REGISTERED)
    return [n for n in SPECTRUM_ORDER if n in names] + sorted(names - set(SPECTRUM_ORDER))


def register_generator(name: str, cls: Callable[..., Any]) -> None:
    """Add (or, for this session, replace) the generator ``name``: ``cls(**options)`` makes one."""
    if not isinstance(name, str) or not name:
        raise SynthSpectrumError(f"a generator's name must be a non-empty text, got {name!r}")
    if not callable(cls):
        raise SynthSpectrumError(f"generator {name!r}: register a class (or factory) that makes a generator")
    REGISTERED[name] = cls


def generator_class(name: str) -> Callable[..., Any]:
    """The class (or factory) behind ``name``: a session registration first, then the entry points."""
    if name in REGISTERED:
        return REGISTERED[name]
    found = _entry_points().get(name)
    if found is None:
        raise SynthSpectrumError(f"unknown generator {name!r}; known: {', '.join(list_generators())}")
    try:
        return found.load()
    except Exception as exc:  # a third party's broken package: name it, in one line
        raise SynthSpectrumError(f"generator {name!r} ({found.value}) could not be loaded: "
                                 f"{type(exc).__name__}") from exc


def make_generator(name: str, **options: Any) -> Any:
    """A new generator ``name`` with ``options`` (its constructor's keywords, ``seed`` among them)."""
    gen = generator_class(name)(**options)
    if not getattr(gen, "name", None):
        gen.name = name
    return gen
