"""The generators of the privacy-utility spectrum behind one small interface.

A generator is fitted on a (polars) training frame and then samples ``n`` rows with a seed:

    gen = make_generator("metasyn")
    gen.fit(train, seed=1)
    synthetic = gen.sample(len(train), seed=1)

In order along the spectrum, from least to most of the real data kept:

``random``               type-consistent values from the schema and a few aggregates:
                         uniform over each number's and date's real [min, max]; uniform
                         over a text or category column's labels held by at least ``k``
                         real records (option ``k``, default 5; the small-category rule of
                         ``synthspectrum.core.categories.category_rule``); invented placeholders
                         ("random_000001", ... one per row, never a real value) for a text
                         column that rule calls identifier-like (IDs, names, free text); an
                         Enum keeps its levels but draws only those held by >= ``k``
                         records, or missing values if none is; booleans uniform over
                         False/True; no other missing values. It discloses every column's
                         name and type (an Enum's whole level list, which is part of its
                         type), the real minimum and maximum of numbers and dates, and the
                         category labels held by at least ``k`` real records; no other
                         record value.
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
from synthspectrum.core.columns import levels

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
    """Uniform values within each column's real range, or over its categories held by at least
    ``k`` real records (see the module docstring for what that discloses).

    Which categories may be drawn is the package's one small-category rule,
    :func:`synthspectrum.core.categories.category_rule` (the rule for what plots and reports may show),
    applied to the non-missing real values with no cap on how many are shown:

    * a String or Categorical column draws uniformly from its labels held by >= ``k`` real
      records (in sorted order, so a column with no label held by fewer gives the values it
      always did);
    * a String or Categorical column that the rule calls identifier-like (fewer than half of its
      real records in labels of >= ``k`` records: IDs, names, free text) gets invented
      placeholders instead, ``random_000001``, ``random_000002``, ... numbered by row, so it stays
      identifier-like and keeps its dtype; the prefix is lengthened ("random__", ...) if a real
      value starts with it, so no placeholder can equal a real value;
    * an Enum keeps its dtype (its level list is part of the schema, disclosed anyway) and draws
      only the levels held by >= ``k`` real records; an Enum with no such level gives missing
      values, not its most common level, which may be a single record's;
    * numbers and dates: uniform over the real [min, max]; booleans: uniform over False/True.

    :func:`synthspectrum.core.columns.identifier_columns` is not used: it is the measures' rule for
    what a model can afford (more than 60 levels, almost all distinct) and would pass a notes
    column of 40 distinct texts straight through.
    """

    name = "random"

    def __init__(self, k: int = 5, **options: Any):
        from synthspectrum.core.categories import check_k

        if options:
            raise SynthSpectrumError(f"the random generator has one option, k; got {', '.join(map(repr, options))}")
        self.k = check_k(k, "the random generator's k")

    def available(self) -> tuple[bool, str]:
        return True, ""

    def fit(self, train: pl.DataFrame, seed: int, holdout: pl.DataFrame | None = None) -> None:
        from synthspectrum.core.categories import category_rule

        self.schema = train.schema
        # a text column: (kind, options or placeholder prefix, how many labels the draw over
        # every real label had before the small-category rule, which sample keeps drawing)
        self.spec: dict[str, Any] = {}
        for c, dtype in train.schema.items():
            s = train.get_column(c).alias("v").drop_nulls()  # a name such as "^a.*$" is no pattern
            if isinstance(dtype, (pl.Enum, pl.Categorical)) or dtype == pl.String:
                every = levels(s)
                rule = category_rule(s, self.k, max(1, len(every)))
                shown = set(rule.shown)
                if rule.identifier_like and not isinstance(dtype, pl.Enum):
                    prefix = "random_"
                    text = s.cast(pl.String)
                    while text.str.starts_with(prefix).any():
                        prefix += "_"
                    self.spec[c] = ("placeholder", prefix, len(every))
                else:
                    self.spec[c] = ("choice", [v for v in every if v in shown], len(every))
            elif dtype == pl.Boolean:
                self.spec[c] = ("choice", [False, True], 2)
            elif dtype.is_numeric() or dtype.is_temporal():
                phys = s.to_physical()
                self.spec[c] = ("range", phys.min(), phys.max())
            else:
                raise SynthSpectrumError(f"the random generator cannot make {dtype} values", c)

    def sample(self, n: int, seed: int) -> pl.DataFrame:
        rng = np.random.default_rng(seed)
        cols: dict[str, pl.Series] = {}
        for c, dtype in self.schema.items():
            kind, *args = self.spec[c]
            if kind == "placeholder" or (kind == "choice" and not args[0]):
                if args[1]:  # drawn and dropped, so the columns after it keep their values for this seed
                    rng.integers(0, args[1], n)
                if kind == "placeholder":
                    width = max(6, len(str(n)))
                    cols[c] = pl.Series("v", [f"{args[0]}{i:0{width}d}" for i in range(1, n + 1)]).cast(dtype)
                else:
                    cols[c] = pl.Series("v", [None] * n, dtype=dtype)
            elif kind == "choice":
                options = args[0]
                values = [options[i] for i in rng.integers(0, len(options), n)]
                cols[c] = pl.Series("v", values).cast(dtype)
            elif args[0] is None:
                cols[c] = pl.Series("v", [None] * n, dtype=dtype)
            else:
                lo, hi = args
                if dtype.is_float():
                    raw = pl.Series("v", rng.uniform(lo, hi, n))
                else:
                    raw = pl.Series("v", rng.integers(int(lo), int(hi) + 1, n))
                physical = pl.Series([], dtype=dtype).to_physical().dtype
                cols[c] = raw.cast(physical).cast(dtype)
        return pl.DataFrame(cols)  # renamed from the neutral alias here


class MetasynGenerator:
    """metasyn's per-column models, with or without its disclosure-control plugin."""

    def __init__(self, privacy: str = "none", **options: Any):
        self.privacy = privacy
        self.options = options
        self.name = "metasyn" if privacy == "none" else "metasyn-disclosure"

    def available(self) -> tuple[bool, str]:
        return True, ""

    def fit(self, train: pl.DataFrame, seed: int, holdout: pl.DataFrame | None = None) -> None:
        from synthspectrum.metadata.model import fit_metadata

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
            from synthspectrum.synthpop import session as rsession

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
    "random": lambda **o: RandomGenerator(**o),
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
