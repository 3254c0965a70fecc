"""The generators of the privacy-utility spectrum behind one small interface.

A generator is fitted on a (polars) training frame and then samples ``n`` rows with a seed:

    gen = make_generator("metasyn")
    gen.fit(train, seed=1)
    synthetic = gen.sample(len(train), seed=1)

In order along the spectrum, from least to most of the real data kept:

``random``               type-consistent values from the schema only: uniform over each
                         number's and date's [min, max] and over each category list, no
                         missing values. Even this discloses something: every column's name,
                         type, real minimum and maximum, and every category label.
``metasyn``              independent per-column parametric models (metasyn).
``metasyn-disclosure``   the same under metasyn-disclosure's disclosure control.
``synthpop-sample``      synthpop's ``method = "sample"``: each column's real values
                         resampled, no dependence (compare with ``metasyn``).
``synthpop-parametric``  synthpop's parametric sequential models.
``synthpop-cart``        synthpop's CART, sequential trees.
``synthpop-cart-smooth`` CART with density smoothing of numbers and leaves of at least 20
                         records: a little less utility for a little less risk.
``real-holdout``         not a generator: real records the generators never saw, the point
                         "no synthesis at all" would reach.

``register_generator(name, factory)`` adds your own; a factory takes keyword options and
returns an object with ``fit``, ``sample`` and ``available``.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.frames import levels

SPECTRUM_ORDER = [
    "random", "metasyn", "metasyn-disclosure", "synthpop-sample", "synthpop-parametric",
    "synthpop-cart", "synthpop-cart-smooth", "real-holdout",
]


class Generator(Protocol):
    name: str

    def available(self) -> tuple[bool, str]: ...

    def fit(self, train: pl.DataFrame, seed: int, holdout: pl.DataFrame | None = None) -> None: ...

    def sample(self, n: int, seed: int) -> pl.DataFrame: ...


class RandomGenerator:
    """Uniform values within each column's real range or category list (see the module docstring)."""

    name = "random"

    def available(self) -> tuple[bool, str]:
        return True, ""

    def fit(self, train: pl.DataFrame, seed: int, holdout: pl.DataFrame | None = None) -> None:
        self.schema = train.schema
        self.spec: dict[str, Any] = {}
        for c, dtype in train.schema.items():
            s = train.get_column(c).drop_nulls()
            if isinstance(dtype, (pl.Enum, pl.Categorical)) or dtype == pl.String:
                self.spec[c] = ("choice", levels(s) if dtype != pl.String else sorted(s.unique().to_list()))
            elif dtype == pl.Boolean:
                self.spec[c] = ("choice", [False, True])
            elif dtype.is_numeric() or dtype.is_temporal():
                phys = s.to_physical()
                self.spec[c] = ("range", phys.min(), phys.max())
            else:
                raise SynthSpectrumError(f"the random generator cannot make {dtype} values", c)

    def sample(self, n: int, seed: int) -> pl.DataFrame:
        rng = np.random.default_rng(seed)
        cols = []
        for c, dtype in self.schema.items():
            kind, *args = self.spec[c]
            if kind == "choice" or args[0] is None:
                options = args[0] if kind == "choice" else []
                if not options:
                    cols.append(pl.Series(c, [None] * n, dtype=dtype))
                    continue
                values = [options[i] for i in rng.integers(0, len(options), n)]
                cols.append(pl.Series(c, values).cast(dtype))
            else:
                lo, hi = args
                if dtype.is_float():
                    raw = pl.Series(c, rng.uniform(lo, hi, n))
                else:
                    raw = pl.Series(c, rng.integers(int(lo), int(hi) + 1, n))
                physical = pl.Series([], dtype=dtype).to_physical().dtype
                cols.append(raw.cast(physical).cast(dtype))
        return pl.DataFrame(cols)


class MetasynGenerator:
    """metasyn's per-column models, with or without its disclosure-control plugin."""

    def __init__(self, privacy: str = "none", **options: Any):
        self.privacy = privacy
        self.options = options
        self.name = "metasyn" if privacy == "none" else "metasyn-disclosure"

    def available(self) -> tuple[bool, str]:
        return True, ""

    def fit(self, train: pl.DataFrame, seed: int, holdout: pl.DataFrame | None = None) -> None:
        from synthspectrum.metadata import fit_metadata

        self.model = fit_metadata(train, privacy=self.privacy, seed=seed, progress=False, **self.options)

    def sample(self, n: int, seed: int) -> pl.DataFrame:
        return self.model.synthesize(n, seed=seed, progress=False, as_pandas=False)


class SynthpopGenerator:
    """synthpop's ``syn()``; fitting and drawing happen together in synthpop, so ``sample``
    runs the synthesis with its seed (the training frame is kept from ``fit``)."""

    def __init__(self, name: str, method: str, smooth: bool = False, minbucket: int | None = None, **control: Any):
        self.name, self.method, self.smooth, self.minbucket, self.control = name, method, smooth, minbucket, control

    def available(self) -> tuple[bool, str]:
        """Whether R, rpy2 and a loadable synthpop are there (rsession's one check, the same as
        ``doctor``'s); if not, the reason, naming a missing R package."""
        from synthspectrum.errors import RNotAvailableError

        try:
            from synthspectrum import rsession

            rsession.twin()
        except RNotAvailableError as exc:
            return False, str(exc)
        except Exception as exc:  # whatever else keeps R from starting: a skip with its reason
            return False, f"R could not load synthpop: {type(exc).__name__}: {exc}"
        return True, ""

    def fit(self, train: pl.DataFrame, seed: int, holdout: pl.DataFrame | None = None) -> None:
        self.train = train

    def sample(self, n: int, seed: int) -> pl.DataFrame:
        import warnings

        from synthspectrum import synthpop as sp

        control = dict(self.control)
        if self.smooth:
            control["smoothing"] = {c: "density" for c, t in self.train.schema.items()
                                    if t.is_numeric() and t != pl.Boolean}
        if self.minbucket is not None:
            control["cart_minbucket"] = self.minbucket
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its notes are in the result; the run reports failures
            res = sp.syn(self.train, method=self.method, seed=seed, k=n, **control)
        return res.synthetic


class HoldoutReference:
    """Real holdout records: where "no synthesis at all" lands on the frontier."""

    name = "real-holdout"

    def available(self) -> tuple[bool, str]:
        return True, ""

    def fit(self, train: pl.DataFrame, seed: int, holdout: pl.DataFrame | None = None) -> None:
        if holdout is None or holdout.height == 0:
            raise SynthSpectrumError("the real-holdout reference needs holdout records")
        self.holdout = holdout

    def sample(self, n: int, seed: int) -> pl.DataFrame:
        rng = np.random.default_rng(seed)
        idx = rng.choice(self.holdout.height, min(n, self.holdout.height), replace=False)
        return self.holdout[np.sort(idx)]


_REGISTRY: dict[str, Callable[..., Generator]] = {
    "random": lambda **o: RandomGenerator(),
    "metasyn": lambda **o: MetasynGenerator("none", **o),
    "metasyn-disclosure": lambda **o: MetasynGenerator("disclosure", **o),
    "synthpop-sample": lambda **o: SynthpopGenerator("synthpop-sample", "sample", **o),
    "synthpop-parametric": lambda **o: SynthpopGenerator("synthpop-parametric", "parametric", **o),
    "synthpop-cart": lambda **o: SynthpopGenerator("synthpop-cart", "cart", **o),
    "synthpop-cart-smooth": lambda **o: SynthpopGenerator("synthpop-cart-smooth", "cart",
                                                          **{"smooth": True, "minbucket": 20, **o}),
    "real-holdout": lambda **o: HoldoutReference(),
}


def register_generator(name: str, factory: Callable[..., Generator]) -> None:
    """Add (or replace) a generator under ``name``; ``factory(**options)`` makes one."""
    _REGISTRY[name] = factory


def generator_names() -> list[str]:
    return list(_REGISTRY)


def make_generator(name: str, **options: Any) -> Generator:
    if name not in _REGISTRY:
        raise SynthSpectrumError(f"unknown generator {name!r}; known: {', '.join(_REGISTRY)}")
    gen = _REGISTRY[name](**options)
    if not getattr(gen, "name", None):
        gen.name = name
    return gen
