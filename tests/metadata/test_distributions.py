"""The rounded whole-number normals are proper metasyn distributions (issue 9): metasyn's own
conformance checks, the distribution of their draws against probabilities computed here with
scipy, what a model file says and who can read it, and that installing them changes no plain
metasyn fit."""

import json
import warnings

import numpy as np
import polars as pl
import pytest
from metasyn import MetaFrame
from metasyn.distribution.normal import DiscreteNormalDistribution, DiscreteTruncatedNormalDistribution
from metasyn.privacy import BasicPrivacy, get_privacy
from metasyn.registry import DistributionRegistry
from metasyn.testutils import check_distribution_registry, check_fitter
from scipy.stats import chisquare, norm

from synthspectrum.metadata import distributions as rd
from synthspectrum.metadata.model import fit_metadata, load


def _draws(dist, n, seed):
    np.random.seed(seed)  # metasyn's distributions draw from numpy's global stream
    return np.asarray(dist.draw_list(n, {}))


def _bin_probabilities(ks, mean, sd, lo=-np.inf, hi=np.inf):
    """P(rint(X) = k) for X ~ normal(mean, sd) kept to [lo, hi] (the real line cut there)."""
    edges = norm.cdf((np.r_[ks - 0.5, ks[-1] + 0.5] - mean) / sd)
    p = np.diff(edges)
    return p / (norm.cdf((hi - mean) / sd) - norm.cdf((lo - mean) / sd))


# --- metasyn's own conformance checks -------------------------------------------------------

def _candidates():
    """The candidates synthspectrum fits with: every installed fitter, ours in place of metasyn's."""
    return DistributionRegistry(rd.rounding(DistributionRegistry.parse(None).fitters))


def test_the_plugin_passes_metasyns_registry_check_and_is_never_a_candidate_of_plain_metasyn():
    check_distribution_registry("synthspectrum")
    registered = DistributionRegistry.parse("synthspectrum")
    assert {d.name for d in registered.distributions} == {"synthspectrum.rounded_normal",
                                                          "synthspectrum.rounded_truncated_normal"}
    # plain metasyn's own search (all plugins) never fits ours: no doubled work, no changed choice
    disclosure = get_privacy("disclosure", {"partition_size": 11, "max_dominance": 0.5})
    for privacy in (BasicPrivacy(), disclosure):
        for var_type in ("discrete", "continuous"):
            found = DistributionRegistry.parse(None).filter_fitters(privacy=privacy, var_type=var_type)
            assert not [f for f in found if f.plugin == "synthspectrum"]
    # ours take the place of metasyn's truncating fitters, once each
    cands = _candidates().fitters
    assert not set(rd.REPLACES) & set(cands) and set(rd.REPLACES.values()) <= set(cands)
    assert len(cands) == len(set(cands))


@pytest.mark.parametrize("fitter", sorted(set(rd.REPLACES.values()), key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)
def test_each_fitter_passes_metasyns_fitter_check(fitter):
    privacy = (BasicPrivacy() if fitter.privacy_type == "none"
               else get_privacy("disclosure", {"partition_size": 11, "max_dominance": 0.5}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_fitter(fitter, privacy, _candidates())
    assert fitter.plugin == "synthspectrum" and fitter.distribution.var_type == "discrete"


# --- the draws: a discretised (truncated) normal ---------------------------------------------

@pytest.mark.parametrize("lower, upper, mean, sd", [(1, 10, 4.3, 2.5), (0, 3, -1.0, 1.5), (18, 95, 60.0, 30.0)])
def test_rounded_truncated_normal_draws_the_discretised_curve(lower, upper, mean, sd):
    dist = rd.RoundedTruncatedNormalDistribution(lower, upper, mean, sd)
    n = 200_000
    draws = _draws(dist, n, seed=11)
    ks = np.arange(lower, upper + 1)
    assert draws.min() == lower and draws.max() == upper  # the real extremes are reachable
    expected = _bin_probabilities(ks, mean, sd, lower - 0.5, upper + 0.5)
    observed = np.array([(draws == k).sum() for k in ks])
    assert observed.sum() == n
    # pool sparse bins so every expected count is >= 5 (chi-square's rule of thumb)
    keep = expected * n >= 5
    obs = np.r_[observed[keep], observed[~keep].sum()] if (~keep).any() else observed
    exp = np.r_[expected[keep], expected[~keep].sum()] if (~keep).any() else expected
    assert chisquare(obs, exp * n).pvalue > 1e-3
    # no shift: the mean is the discretised curve's, within 4 standard errors
    assert abs(draws.mean() - (ks * expected).sum()) < 4 * draws.std() / np.sqrt(n)


def test_rounded_normal_draws_the_discretised_curve():
    mean, sd, n = 3.7, 4.0, 200_000
    draws = _draws(rd.RoundedNormalDistribution(mean, sd), n, seed=12)
    ks = np.arange(-8, 16)
    inner = np.array([(draws == k).sum() for k in ks])
    observed = np.r_[(draws < ks[0]).sum(), inner, (draws > ks[-1]).sum()]
    p = _bin_probabilities(ks, mean, sd)
    expected = np.r_[norm.cdf((ks[0] - 0.5 - mean) / sd), p, norm.sf((ks[-1] + 0.5 - mean) / sd)]
    assert chisquare(observed, expected * n).pvalue > 1e-3
    assert abs(draws.mean() - mean) < 4 * sd / np.sqrt(n)


def test_metasyn_still_truncates_its_whole_number_normals():
    """CANARY for a metasyn bug: its discrete (truncated) normal draws int(x), truncating toward
    zero, so the upper bound is never drawn and values shift down by about a half. If this fails,
    metasyn has fixed it: drop synthspectrum.metadata.distributions (and its entry point) and
    use metasyn's own distributions again."""
    draws = _draws(DiscreteTruncatedNormalDistribution(1, 10, 5.5, 3.0), 50_000, seed=1)
    assert draws.max() < 10, "CANARY: metasyn now reaches the upper bound; drop our rounded distributions"
    normal = _draws(DiscreteNormalDistribution(0.0, 3.0), 50_000, seed=1)
    assert (normal == 0).mean() > 1.5 * (normal == 1).mean(), \
        "CANARY: metasyn's discrete normal no longer piles values on 0; drop our rounded distributions"


def test_same_parameters_and_values_as_metasyns_fit_rounded():
    """The fitted parameters and the information criterion are metasyn's own; only drawing
    differs (rounded, not truncated)."""
    x = pl.Series("x", np.random.default_rng(3).integers(1, 11, 3000))
    ours = rd.RoundedTruncatedNormalFitter(BasicPrivacy()).fit(x)
    theirs = DiscreteTruncatedNormalDistribution(**ours.par)
    from metasyn.distribution.normal import DiscreteTruncatedNormalFitter

    assert DiscreteTruncatedNormalFitter(BasicPrivacy()).fit(x).par == ours.par
    assert ours.information_criterion(x) == theirs.information_criterion(x)
    converted = rd.rounded(theirs)
    assert type(converted) is rd.RoundedTruncatedNormalDistribution and converted.par == theirs.par
    assert type(theirs) is DiscreteTruncatedNormalDistribution  # the given object is left alone
    assert (_draws(converted, 1000, 5) == _draws(ours, 1000, 5)).all()


# --- model files: what they say, who reads them ---------------------------------------------------

def _whole_numbers(n=2000):
    return pl.DataFrame({"d": np.random.default_rng(0).integers(1, 11, n)})


def test_a_model_file_names_the_rounded_distribution_and_plain_metasyn_reads_it(tmp_path):
    model = fit_metadata(_whole_numbers())
    path = model.save(tmp_path / "m.json")
    var = json.loads(path.read_text())["tables"][0]["vars"][0]
    assert var["distribution"]["name"] == "synthspectrum.rounded_truncated_normal"
    assert var["distribution"]["class_name"] == "RoundedTruncatedNormalDistribution"
    assert var["creation_method"]["fitter"]["plugin"] == "synthspectrum"
    # plain metasyn, with synthspectrum installed, reads it and draws the very same values
    raw = MetaFrame.load(path).synthesize(500, seed=4, progress_bar=False)
    assert raw["d"].equals(model.synthesize(500, seed=4)["d"])
    # without synthspectrum (only metasyn's and metasyn-disclosure's registries), metasyn refuses it
    # loudly instead of drawing truncated values
    with pytest.raises(ValueError, match="No known distributions with name 'RoundedTruncatedNormalDistribution'"):
        DistributionRegistry.parse(["builtin", "metasyn-disclosure"]).from_dict(var)


def test_a_plain_metasyn_file_is_drawn_rounded_and_the_callers_metaframe_is_left_alone(tmp_path):
    df = _whole_numbers(5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = MetaFrame.fit_dataframe(df, progress_bar=False)
    # installing synthspectrum changes no plain metasyn fit
    assert type(raw["d"].distribution) is DiscreteTruncatedNormalDistribution
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        protected = MetaFrame.fit_dataframe(df, progress_bar=False, privacy=get_privacy(
            "disclosure", {"partition_size": 11, "max_dominance": 0.5}))
    assert type(protected["d"].distribution) is DiscreteTruncatedNormalDistribution
    assert protected["d"].creation_method["fitter"]["plugin"] != "synthspectrum"
    raw.save(tmp_path / "raw.json")
    syn = load(tmp_path / "raw.json").synthesize(20_000, seed=1)["d"]
    assert (syn.min(), syn.max()) == (1, 10)
    from synthspectrum.metadata.model import MetadataModel

    model = MetadataModel(raw, {})
    assert model.synthesize(20_000, seed=1)["d"].max() == 10
    assert model.metaframe is not raw and type(raw["d"].distribution) is DiscreteTruncatedNormalDistribution


def test_disclosure_control_fits_the_rounded_distribution_on_micro_aggregated_data():
    model = fit_metadata(_whole_numbers(3000), privacy="disclosure")
    var = model.metaframe["d"]
    assert type(var.distribution) is rd.RoundedTruncatedNormalDistribution
    assert var.creation_method["fitter"]["name"] == "DisclosureRoundedTruncatedNormal"
    assert var.creation_method["fitter"]["privacy"]["name"] == "disclosure"
    syn = model.synthesize(20_000, seed=1)["d"]
    lo, hi = var.distribution.par["lower"], var.distribution.par["upper"]
    assert lo == int(lo) and hi == int(hi)  # micro-aggregation of many tied values kept them whole
    assert (syn.min(), syn.max()) == (lo, hi)


def test_pattern_like_names_do_not_touch_the_callers_metaframe():
    df = pl.DataFrame({"^x.*$": np.arange(60.0), "y": [1, 2, 3] * 20})
    model = fit_metadata(df)
    before = [(v.name, v.distribution) for v in model.metaframe.meta_vars]
    assert model.synthesize(30, seed=1).columns == ["^x.*$", "y"]
    assert [(v.name, v.distribution) for v in model.metaframe.meta_vars] == before
