"""The measure registry: every name the native measures emit is declared, with a best value
inside its range and a distance that orders values the way the measure's goal says."""

import math
import warnings

import numpy as np
import pytest

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures import privacy, registry, utility
from synthspectrum.measures.bounds import LEFT_OUT_MEASURES

KEYS = ["age_band", "gender", "deprivation_decile"]


@pytest.fixture(scope="module")
def emitted(frozen_split):
    """Every measure name each native measure emits on the frozen data, with the needs it had."""
    real, syn, holdout = frozen_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = {
            frozenset(): [utility.univariate(real, syn), utility.association_difference(real, syn),
                          utility.utility_gen(real, syn, maxorder=0),
                          utility.utility_gen(real, syn, method="cart", nperms=2, maxorder=0),
                          privacy.exact_matches(real, syn)],
            frozenset({"keys"}): [utility.utility_tab(real, syn, KEYS), privacy.replicated_uniques(real, syn, KEYS)],
            frozenset({"keys", "target"}): [privacy.disclosure(real, syn, KEYS, "admitted")],
            frozenset({"holdout"}): [privacy.dcr(real, syn, holdout, max_records=300)],
        }
        fit = utility.regression_fit(real, syn, "admitted ~ age_band", family="binomial")
    out = {need: {m for f in fs for m in f["measure"].to_list()} for need, fs in frames.items()}
    out[frozenset()] |= {"AUC_cv"} | ({"std_coef_diff", "ci_overlap"} & set(fit.columns))
    return out


def test_every_emitted_measure_is_declared(emitted):
    names = set().union(*emitted.values()) - set(LEFT_OUT_MEASURES)
    missing = sorted(n for n in names if n not in registry.MEASURES)
    assert not missing, f"measures emitted but not declared: {missing}"
    assert {"std_coef_diff", "ci_overlap", "SPECKS", "PO50", "U", "S_JSD", "DiSDiO"} <= names
    # a measure that needs nothing is not declared as needing keys, and vice versa
    for need, found in emitted.items():
        for n in found - set(LEFT_OUT_MEASURES):
            declared = registry.get(n).needs
            assert declared <= need or n in {"pMSE", "S_pMSE"}, (n, declared, need)
    for n in emitted[frozenset({"holdout"})]:
        assert n in LEFT_OUT_MEASURES or registry.get(n).needs == {"holdout"}


def test_auc_below_one_half_is_no_better_than_one_half():
    assert registry.distance_from_best("AUC", 0.45) > registry.distance_from_best("AUC", 0.5)
    assert not registry.better("AUC", 0.45, 0.5) and registry.better("AUC", 0.5, 0.45)
    assert not registry.better("AUC", 0.25, 0.75) and not registry.better("AUC", 0.75, 0.25)  # equally far
    assert registry.better("pMSE", 0.01, 0.02) and registry.better("KSComplement", 0.9, 0.8)
    assert not registry.better("AUC", float("nan"), 0.7) and not registry.better("AUC", 0.7, float("nan"))
    with pytest.raises(SynthSpectrumError, match="'U' describes the data"):
        registry.better("U", 1.0, 2.0)


def test_best_lies_in_the_range_and_distance_is_never_negative():
    rng = np.random.default_rng(0)
    for m in registry.MEASURES.values():
        assert m.group in registry.GROUPS and m.needs <= registry.NEEDS and m.label and m.reference, m.name
        if m.goal == "ignore":
            assert math.isnan(m.best) and np.isnan(m.distance(1.0)) and not m.bands
            continue
        assert m.min_value <= m.best <= m.max_value, m.name
        lo = m.min_value if math.isfinite(m.min_value) else m.best - 1e6
        hi = m.max_value if math.isfinite(m.max_value) else m.best + 1e6
        values = np.r_[lo, hi, m.best, rng.uniform(lo, hi, 200)]
        assert (m.distance(values) >= 0).all(), m.name
        assert m.distance(m.best) == 0.0, m.name


def test_s_pmse_bands_follow_raab_nowok_dibben():
    # S_pMSE under 3 good, under 10 acceptable (Raab, Nowok & Dibben 2021)
    s = registry.get("S_pMSE")
    assert "Raab" in s.reference
    assert [s.band(v) for v in (1.0, 0.4, 2.9, 5.0, 9.9, 12.0)] == ["good", "good", "good", "acceptable",
                                                                    "acceptable", "poor"]
    assert s.band(float("nan")) is None and registry.get("AUC").band(0.5) is None  # no bands without literature
    assert [m.name for m in registry.MEASURES.values() if m.bands] == ["S_pMSE"]


def test_a_measure_without_a_goal_has_no_best():
    with pytest.raises(SynthSpectrumError, match="no best value"):
        registry.Measure("x", "utility", "x", "ignore", 0.0, 0.0, 1.0)
    with pytest.raises(SynthSpectrumError, match="outside"):
        registry.Measure("x", "utility", "x", "target", 2.0, 0.0, 1.0)
    assert registry.get("df").best_words() == "describes the data (no better or worse)"


def test_each_measure_says_what_one_value_describes(frozen_split):
    # the frontier places a synthetic set by one number, so it may only use per-frame measures:
    # what each native returns, one row per column, per pair, per term or per set, must match
    real, syn, _ = frozen_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        returned = {
            "column": utility.univariate(real, syn), "pair": utility.association_difference(real, syn),
            "frame": utility.utility_gen(real, syn, maxorder=0),
            "term": utility.regression_fit(real, syn, "admitted ~ age_band", family="binomial")
            .unpivot(index=[], on=[c for c in ("std_coef_diff", "ci_overlap")], variable_name="measure"),
        }
    for per, frame in returned.items():
        names = set(frame["measure"].to_list()) - set(LEFT_OUT_MEASURES)
        assert names and all(registry.get(n).per == per for n in names), (per, sorted(names))
    assert registry.get("S_VW").per == "table"
