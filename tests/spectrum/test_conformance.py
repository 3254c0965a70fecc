"""The generator contract: every built-in and every entry-point generator passes the conformance
check, and a deliberately broken generator fails each rule with an error that names it."""

from importlib.metadata import entry_points

import numpy as np
import polars as pl
import pytest

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.spectrum import check_generator, list_generators, make_generator, register_generator
from synthspectrum.spectrum import generators as builtin
from synthspectrum.spectrum.base import Generator
from synthspectrum.spectrum.conformance import RULES, contract_frame
from synthspectrum.spectrum.registry import GROUP, SPECTRUM_ORDER, generator_class

BUILTINS = [builtin.RandomGenerator, builtin.MetasynGenerator, builtin.MetasynDisclosureGenerator,
            builtin.SynthpopSampleGenerator, builtin.SynthpopParametricGenerator, builtin.SynthpopCartGenerator,
            builtin.SynthpopCartSmoothGenerator, builtin.HoldoutReference]
ENTRY_POINTS = sorted(ep.name for ep in entry_points(group=GROUP))


def _conforms(cls):
    report = check_generator(cls)
    if report.skipped:
        # R or synthpop missing: what could be checked without running was, the rest is skipped visibly
        assert report.checked == ["available", "not fitted"]
        pytest.skip(f"{report.name}: {report.skipped}")
    assert report.checked == list(RULES)


@pytest.mark.parametrize("cls", BUILTINS, ids=lambda c: c.__name__)
def test_every_builtin_generator_keeps_the_contract(cls):
    _conforms(cls)


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_every_entry_point_generator_keeps_the_contract(name):
    _conforms(generator_class(name))


def test_the_builtins_are_the_entry_points_and_the_runner_finds_them_there():
    assert set(SPECTRUM_ORDER) <= set(ENTRY_POINTS)
    assert list_generators()[: len(SPECTRUM_ORDER)] == SPECTRUM_ORDER
    by_name = {ep.name: ep.load() for ep in entry_points(group=GROUP)}
    for name in SPECTRUM_ORDER:
        assert type(make_generator(name)) is by_name[name], name


def test_register_generator_adds_one_for_the_session(generator_registry):
    class Copy(builtin.HoldoutReference):
        name = "copy"

    assert "copy" not in list_generators()
    register_generator("copy", Copy)
    assert "copy" in list_generators() and type(make_generator("copy", seed=3)) is Copy
    with pytest.raises(SynthSpectrumError, match="unknown generator 'nope'"):
        make_generator("nope")


def test_the_registry_fixture_put_it_back():
    assert "copy" not in list_generators()


def test_configuration_and_seed_live_in_the_constructor():
    g = make_generator("synthpop-cart-smooth", seed=7, minbucket=50)
    assert g.get_params() == {"seed": 7, "method": "cart", "smooth": True, "minbucket": 50}
    assert g.set_params(seed=8) is g and g.seed == 8
    with pytest.raises(SynthSpectrumError, match="no parameter 'kk'"):
        g.set_params(kk=1)
    with pytest.raises(SynthSpectrumError, match="seed must be a whole number"):
        builtin.RandomGenerator(seed=-1)
    # without a seed each draw gets a fresh one, kept so the draw can be repeated
    g = builtin.RandomGenerator().fit(contract_frame())
    first = g.sample(30)
    assert g.set_params(seed=g.last_seed_).sample(30).equals(first)


# --- a generator that breaks one rule at a time ------------------------------------------------

class Faithful(Generator):
    """Draws rows of the real frame with replacement: keeps every rule."""

    name = "faithful"

    def __init__(self, seed=None, breaks=None):
        super().__init__(seed)
        self.breaks = breaks

    def available(self):
        return (True,) if self.breaks == "available" else (True, "")

    def fit(self, real, holdout=None):
        if self.breaks == "input unchanged":
            real.drop_in_place(real.columns[-1])
        self.real_ = real
        return None if self.breaks == "fit returns self" else self

    def sample(self, n):
        if self.breaks == "not fitted" and not hasattr(self, "real_"):
            return pl.DataFrame()
        real = self.check_fitted("real_")
        seed = {"same seed": None, "different seeds": 0}.get(self.breaks, self.seed)
        rng = np.random.default_rng(seed)
        out = real[rng.integers(0, real.height, n)]
        if self.breaks == "n rows":
            out = out.head(n - 1)
        if self.breaks == "columns and dtypes":
            out = out.with_columns(pl.col("grade").cast(pl.Enum(["low", "mid", "high"])))
        if self.breaks == "missing values":
            out = out.with_columns(pl.col("colour").fill_null("NA"))
        return out

    def set_params(self, **params):
        if self.breaks == "set seed":
            return self
        return super().set_params(**params)


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_can_fail_and_is_named(rule):
    class Broken(Faithful):
        def __init__(self, seed=None, breaks=rule):
            super().__init__(seed, breaks)

    with pytest.raises(SynthSpectrumError) as err:
        check_generator(Broken)
    assert f"breaks the rule '{rule}'" in str(err.value)
    assert "\n" not in str(err.value)


def test_the_faithful_generator_passes():
    assert check_generator(Faithful).checked == list(RULES)
    assert check_generator(Faithful(seed=3)).checked == list(RULES)


def test_a_generator_that_draws_no_missing_values_fails_unless_it_says_so():
    class NoMissing(Faithful):
        def sample(self, n):
            return super().sample(n).fill_null(strategy="forward").fill_null(strategy="backward")

    with pytest.raises(SynthSpectrumError, match="rule 'missing values'.*'size'"):
        check_generator(NoMissing)

    class Declared(NoMissing):
        keeps_missing = False

    assert check_generator(Declared).checked == list(RULES)
