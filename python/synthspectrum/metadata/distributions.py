"""Whole numbers from a normal curve, rounded: metasyn distributions of our own.

metasyn 3 draws a whole number from its discrete normal and truncated normal as
``int(continuous draw)``, which truncates toward zero: the real maximum of a truncated normal
on [lower, upper] is (almost) never drawn and every value shifts down by about a half. The
distributions here are the same curves discretised by rounding:

* ``synthspectrum.rounded_normal`` (mean, sd): ``rint(X)``, X ~ normal(mean, sd);
* ``synthspectrum.rounded_truncated_normal`` (lower, upper, mean, sd): ``rint(X)`` clipped to
  [lower, upper], X ~ normal(mean, sd) truncated to [lower - 1/2, upper + 1/2], so that each
  whole number k in the range gets the curve's mass on [k - 1/2, k + 1/2].

Their parameters and information criterion are metasyn's own (each fitter is metasyn's, or
metasyn-disclosure's under disclosure control, with our distribution as its result), so a model
holds the same numbers either way and metasyn chooses among candidates as it would. synthspectrum
fits with :func:`rounding` applied to the candidates: ours in the place of metasyn's.

metasyn finds the distributions through the entry point ``metasyn.distribution_registry``
(``synthspectrum = "synthspectrum.metadata.distributions:fitters"`` in pyproject.toml), as it
finds metasyn-disclosure's. metasyn knows a distribution only through a fitter that gives it,
and takes every registered fitter as a candidate in its own search; so that installing
synthspectrum changes neither what plain metasyn fits nor how long it takes (a second fit of
every whole-number normal, which then never wins), the registered fitters are
:class:`RoundedNormalLoader` and :class:`RoundedTruncatedNormalLoader`, which provide no
variable type: they let metasyn read a model file, and are never a candidate. To fit with
plain metasyn, pass ``plugins=DistributionRegistry(rounding(...))``, as synthspectrum does.

A model file names these distributions (``"name": "synthspectrum.rounded_truncated_normal"``,
``"class_name": "RoundedTruncatedNormalDistribution"``). Plain metasyn reads it wherever
synthspectrum is installed and draws the same values; without synthspectrum, metasyn refuses
it ("No known distributions with name ...") rather than drawing truncated values.
:func:`rounded` turns metasyn's truncating models (a file written by plain metasyn or by an
older synthspectrum, a column given its own distribution) into these.

What a model holds is unchanged: the parameters above, which include the real extremes
(``lower``, ``upper``) unless disclosure control micro-aggregated them.
"""

from __future__ import annotations

from importlib import metadata

import numpy as np
from metasyn.distribution.base import metadist, metafit
from metasyn.distribution.normal import (
    DiscreteNormalDistribution,
    DiscreteNormalFitter,
    DiscreteTruncatedNormalDistribution,
    DiscreteTruncatedNormalFitter,
)
from scipy.stats import truncnorm

PLUGIN = "synthspectrum"
try:
    PLUGIN_VERSION = metadata.version("synthspectrum")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    PLUGIN_VERSION = "unknown"


@metadist(name="synthspectrum.rounded_normal", var_type="discrete")
class RoundedNormalDistribution(DiscreteNormalDistribution):
    """Whole numbers from a normal curve, rounded to the nearest (metasyn truncates toward zero).

    Parameters
    ----------
    mean: float
        Mean of the normal curve.
    sd: float
        Standard deviation of the normal curve.
    """

    def draw(self):
        return self.draw_list(1, {})[0]

    def draw_list(self, n: int, synth_dict: dict | None = None) -> list:  # noqa: ARG002
        return list(np.rint(self.dist.rvs(n)).astype(np.int64))


@metadist(name="synthspectrum.rounded_truncated_normal", var_type="discrete")
class RoundedTruncatedNormalDistribution(DiscreteTruncatedNormalDistribution):
    """Whole numbers in [lower, upper] from a truncated normal curve, rounded to the nearest.

    The curve is truncated to [lower - 1/2, upper + 1/2] before rounding, so the real extremes
    get their half-width of mass and the values are not shifted (metasyn truncates toward zero,
    so its draws never reach ``upper`` and sit about a half below the data).

    Parameters
    ----------
    lower: float
        Smallest value drawn.
    upper: float
        Largest value drawn.
    mean: float
        Mean of the normal curve before truncation.
    sd: float
        Standard deviation of the normal curve before truncation.
    """

    def __init__(self, lower: float, upper: float, mean: float, sd: float):
        super().__init__(lower, upper, mean, sd)
        scale = max(sd, 1e-8)
        self.widened = truncnorm((lower - 0.5 - mean) / scale, (upper + 0.5 - mean) / scale,
                                 loc=mean, scale=scale)

    def draw(self):
        return self.draw_list(1, {})[0]

    def draw_list(self, n: int, synth_dict: dict | None = None) -> list:  # noqa: ARG002
        lower, upper = self.par["lower"], self.par["upper"]
        return list(np.clip(np.rint(self.widened.rvs(n)), lower, upper).astype(np.int64))


@metafit(distribution=RoundedNormalDistribution, var_type="discrete", plugin=PLUGIN,
         plugin_version=PLUGIN_VERSION)
class RoundedNormalFitter(DiscreteNormalFitter):
    """metasyn's fitter of the discrete normal, giving the rounded distribution."""


@metafit(distribution=RoundedTruncatedNormalDistribution, var_type="discrete", plugin=PLUGIN,
         plugin_version=PLUGIN_VERSION)
class RoundedTruncatedNormalFitter(DiscreteTruncatedNormalFitter):
    """metasyn's fitter of the discrete truncated normal (bounds: the data's extremes), giving
    the rounded distribution."""


@metafit(distribution=RoundedNormalDistribution, var_type=[], plugin=PLUGIN, plugin_version=PLUGIN_VERSION)
class RoundedNormalLoader(RoundedNormalFitter):
    """Makes the rounded normal known to metasyn (to read model files) without making it a
    candidate in metasyn's own search: it provides no variable type."""


@metafit(distribution=RoundedTruncatedNormalDistribution, var_type=[], plugin=PLUGIN,
         plugin_version=PLUGIN_VERSION)
class RoundedTruncatedNormalLoader(RoundedTruncatedNormalFitter):
    """Makes the rounded truncated normal known to metasyn (to read model files) without making
    it a candidate in metasyn's own search: it provides no variable type."""


# what the entry point registers (see the module docstring)
fitters: list[type] = [RoundedNormalLoader, RoundedTruncatedNormalLoader]
# metasyn's truncating fitters -> ours, for rounding()
REPLACES: dict[type, type] = {
    DiscreteNormalFitter: RoundedNormalFitter,
    DiscreteTruncatedNormalFitter: RoundedTruncatedNormalFitter,
}

try:
    from metasyncontrib.disclosure.base import disclosure_fitter
    from metasyncontrib.disclosure.normal import DisclosureDiscreteNormal, DisclosureDiscreteTruncatedNormal
    from metasyncontrib.disclosure.numerical import DisclosureNumericalMixin
except ImportError:  # metasyn-disclosure not installed: no disclosure-control variants
    pass
else:
    @disclosure_fitter()
    @metafit(distribution=RoundedNormalDistribution, var_type="discrete", plugin=PLUGIN,
             plugin_version=PLUGIN_VERSION)
    class DisclosureRoundedNormal(DisclosureNumericalMixin, RoundedNormalFitter):
        """metasyn-disclosure's discrete normal (fitted on micro-aggregated data), rounded."""

    @disclosure_fitter()
    @metafit(distribution=RoundedTruncatedNormalDistribution, var_type="discrete", plugin=PLUGIN,
             plugin_version=PLUGIN_VERSION)
    class DisclosureRoundedTruncatedNormal(DisclosureNumericalMixin, RoundedTruncatedNormalFitter):
        """metasyn-disclosure's discrete truncated normal (micro-aggregated bounds), rounded."""

    REPLACES.update({DisclosureDiscreteNormal: DisclosureRoundedNormal,
                     DisclosureDiscreteTruncatedNormal: DisclosureRoundedTruncatedNormal})


def rounding(candidates: list[type]) -> list[type]:
    """``candidates`` (metasyn fitter classes) with each truncating fitter replaced, in its
    place, by ours, and our registered loaders dropped."""
    ours = set(REPLACES.values()) | set(fitters)
    return [REPLACES.get(f, f) for f in candidates if f not in ours]


# metasyn's truncating distributions -> ours
ROUNDED_CLASSES: dict[type, type] = {
    DiscreteNormalDistribution: RoundedNormalDistribution,
    DiscreteTruncatedNormalDistribution: RoundedTruncatedNormalDistribution,
}


def rounded(distribution):
    """Ours in place of metasyn's truncating discrete normal or truncated normal (a model file
    from plain metasyn, a column given its own distribution), with the same parameters; any
    other distribution as it is. A new object: the one given is not changed."""
    cls = ROUNDED_CLASSES.get(type(distribution))  # exactly metasyn's class, not a subclass
    return distribution if cls is None else cls(**distribution.par)


__all__ = ["RoundedNormalDistribution", "RoundedTruncatedNormalDistribution", "RoundedNormalFitter",
           "RoundedTruncatedNormalFitter", "RoundedNormalLoader", "RoundedTruncatedNormalLoader", "fitters",
           "REPLACES", "rounding", "rounded"]
