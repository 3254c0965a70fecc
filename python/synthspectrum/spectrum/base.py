"""The generators' common base: parameters as scikit-learn's estimators keep them
(``get_params`` / ``set_params``), the seed of a draw, and the not-fitted error. The contract
itself is described in :mod:`synthspectrum.spectrum.generators`."""

from __future__ import annotations

import inspect
from typing import Any

import polars as pl

from synthspectrum.core.seeds import check_seed, fresh_seed
from synthspectrum.errors import SynthSpectrumError


class Generator:
    """The base of the built-in generators, and of yours:

        class MyGenerator(Generator):
            name = "my-generator"

            def __init__(self, seed=None, strength=1.0):
                super().__init__(seed)
                self.strength = strength

            def fit(self, real, holdout=None):
                self.real_ = real
                return self

            def sample(self, n):
                real = self.check_fitted("real_")
                rng = np.random.default_rng(self.draw_seed())
                ...

    It gives ``get_params`` / ``set_params`` (the constructor's arguments, as scikit-learn's
    estimators have them; the spectrum draws its m sets with ``set_params(seed=...)``),
    ``draw_seed`` (the constructor's seed, or a fresh one kept in ``last_seed_``),
    ``check_fitted`` (the one-line not-fitted error) and ``available() == (True, "")``."""

    name = "generator"
    # fitted on the spectrum's reference pool of real records instead of the training records
    reference = False
    # draws missing values where the real data have them (the conformance check holds it to that)
    keeps_missing = True
    # needs R: the spectrum's local workers start it before their first task (the synthpop generators)
    needs_r = False

    def __init__(self, seed: int | None = None):
        self.seed = seed if seed is None else check_seed(seed, f"the {self.name} generator's seed")

    @classmethod
    def _param_names(cls) -> list[str]:
        names = []
        for klass in cls.__mro__:
            if "__init__" not in vars(klass) or klass is object:
                continue
            for p in inspect.signature(klass.__init__).parameters.values():
                if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name not in names:
                    names.append(p.name)
        return names

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments as this generator holds them."""
        params = {n: getattr(self, n) for n in self._param_names() if hasattr(self, n)}
        params.update(getattr(self, "options", {}))
        return params

    def set_params(self, **params: Any) -> "Generator":
        """Change constructor arguments; ``set_params(seed=s)`` on a fitted generator draws
        another set from the same fit. Returns the generator."""
        known = self._param_names()
        options = getattr(self, "options", None)
        for key, value in params.items():
            if key == "seed" and value is not None:
                value = check_seed(value, f"the {self.name} generator's seed")
            if key in known:
                setattr(self, key, value)
            elif isinstance(options, dict) and key in options:  # a keyword option passed through
                options[key] = value
            else:
                raise SynthSpectrumError(f"the {self.name} generator has no parameter {key!r}; "
                                         f"it has {', '.join(known)}")
        return self

    def available(self) -> tuple[bool, str]:
        return True, ""

    def fit(self, real: pl.DataFrame, holdout: pl.DataFrame | None = None) -> "Generator":
        raise NotImplementedError

    def sample(self, n: int) -> pl.DataFrame:
        raise NotImplementedError

    def draw_seed(self) -> int:
        """The seed of this draw: the constructor's, or a fresh one (kept in ``last_seed_``)."""
        self.last_seed_ = self.seed if self.seed is not None else fresh_seed()
        return self.last_seed_

    def check_fitted(self, attribute: str) -> Any:
        """``self.<attribute>``, set by ``fit``; before ``fit``, a one-line error saying so."""
        if not hasattr(self, attribute):
            raise SynthSpectrumError(f"the {self.name} generator is not fitted: call fit(real) before sample(n)")
        return getattr(self, attribute)
