"""The R side's shared rules: one seed policy, one place for synthpop's argument spelling, the
(real, synthetic) order, and synthetic data given as a result or as plain frames.

Skips as a whole, with the reason in the summary, where R, rpy2 or synthpop is missing.
"""

import polars as pl
import pytest

from conftest import synthpop_or_skip_module, rscript
from synthspectrum.core.seeds import SEED_MAX
from synthspectrum.errors import SynthSpectrumError
from synthspectrum import synthpop as sp
from synthspectrum.synthpop import from_r, to_r

ri = synthpop_or_skip_module()  # skips the module, saying why, where synthpop is missing

KEYS = ["age_band", "gender", "deprivation_decile"]
LIB = 'suppressMessages(library(synthpop))\n'


@pytest.fixture(scope="module")
def real(ae_deid):
    return ae_deid.head(800).drop("arrival_time_date")


@pytest.fixture(scope="module")
def result(real):
    return sp.syn(real, seed=4)


def direct(code: str, **frames):
    for name, df in frames.items():
        ri.globalenv[name] = to_r(df)[0]
    return ri.evalr(f"suppressMessages(library(synthpop)); {code}")


def vals(frame: pl.DataFrame, measure: str) -> list[float]:
    return frame.filter(pl.col("measure") == measure)["value"].to_list()


# --- seeds ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [-1, SEED_MAX + 1, 1.5, True, "7"])
def test_a_seed_outside_the_one_range_is_refused_in_python(real, seed):
    with pytest.raises(SynthSpectrumError, match=r"seed must be a whole number from 0 to 2147483647 \(2\^31 - 1\)"):
        sp.syn(real, seed=seed)


def test_r_refuses_the_same_seeds_in_the_same_words_and_takes_the_ends(tmp_path):
    out = rscript(LIB + """
d <- SD2011[1:200, c("sex", "age", "edu")]
for (s in list(-1, 2^31, 1.5, TRUE, "7")) {
  msg <- tryCatch({ syn(d, seed = s); "accepted" }, error = conditionMessage)
  cat(msg, "\\n", sep = "")
}
stopifnot(syn(d, seed = 0)$seed == 0, syn(d, seed = 2147483647)$seed == 2147483647)
set.seed(3); a <- syn(d); set.seed(3); b <- syn(d)
# without a seed: one drawn from R's random numbers, in range, kept, and repeatable
stopifnot(a$seed >= 0, a$seed <= 2147483647, a$seed == round(a$seed), identical(a$synthetic, b$synthetic),
          identical(syn(d, seed = a$seed)$synthetic, a$synthetic))
cat("ends ok\\n")
""", tmp_path, twin=True)
    lines = out.splitlines()
    words = "seed must be a whole number from 0 to 2147483647 (2^31 - 1), got "
    assert lines[:5] == [words + g for g in ["-1", "2147483648", "1.5", "TRUE", '"7"']]
    assert lines[5] == "ends ok"


def test_python_draws_a_seed_in_range_and_keeps_it(real):
    a = sp.syn(real.head(200), method="sample")
    assert 0 <= a.seed <= SEED_MAX
    assert sp.syn(real.head(200), method="sample", seed=a.seed).synthetic.equals(a.synthetic)
    assert sp.syn(real.head(200), method="sample", seed=SEED_MAX).seed == SEED_MAX


# --- synthpop's argument spelling, in one place --------------------------------------------

def test_python_spelling_of_a_synthpop_argument_reaches_synthpop(real):
    # cart_minbucket is not an argument of synthpop::syn: it becomes cart.minbucket
    ours = sp.syn(real, seed=1, cart_minbucket=50).synthetic
    theirs = direct("synthpop::syn(d, seed = 1, cart.minbucket = 50, print.flag = FALSE)$syn", d=real)
    assert from_r(theirs, to_r(real)[1]).equals(ours)
    assert not ours.equals(sp.syn(real, seed=1).synthetic)


def test_an_argument_synthpop_spells_with_an_underscore_keeps_it(real, result):
    # disclosure's own denom_lim and exclude_ov_denom_lim: not turned into denom.lim
    ours = sp.disclosure(real, result, KEYS, "treatment", denom_lim=1, exclude_ov_denom_lim=True)
    ri.globalenv["res"] = result.robject
    keys = 'c("' + '", "'.join(KEYS) + '")'
    theirs = [float(x) for x in direct(
        f'd2 <- disclosure(res$object, d, keys = {keys}, target = "treatment", print.flag = FALSE, denom_lim = 1, '
        'exclude_ov_denom_lim = TRUE); as.numeric(c(unlist(d2$ident), unlist(d2$attrib)[1:6]))', d=real)]
    assert ours["value"].to_list() == pytest.approx(theirs)
    assert ours["value"].to_list() != pytest.approx(sp.disclosure(real, result, KEYS, "treatment")["value"].to_list())


def test_the_r_twin_takes_both_spellings(tmp_path):
    out = rscript(LIB + """
d <- SD2011[1:500, c("sex", "age", "edu", "marital", "income")]
a <- syn(d, seed = 1, cart_minbucket = 40)
b <- syn(d, seed = 1, cart.minbucket = 40)
stopifnot(identical(a$synthetic, b$synthetic), !identical(a$synthetic, syn(d, seed = 1)$synthetic))
cat("spellings ok\\n")
""", tmp_path, twin=True)
    assert "spellings ok" in out


# --- (real, synthetic) and what synthetic may be ---------------------------------------------

def test_the_arguments_in_the_old_order_are_a_clear_error(real, result):
    with pytest.raises(SynthSpectrumError, match=r"real data must be a polars or pandas frame, got SynResult: "
                                                 r"the arguments are \(real, synthetic, \.\.\.\)"):
        sp.utility_gen(result, real)


def test_a_plain_frame_a_result_and_pandas_give_the_same_numbers(real, result):
    for measure in (lambda s: sp.utility_tab(real, s, ["age_band", "treatment"]),
                    lambda s: sp.replicated_uniques(real, s, KEYS),
                    lambda s: sp.disclosure(real, s, KEYS, "admitted"),
                    lambda s: sp.utility_gen(real, s, maxorder=0)):
        from_result = measure(result)
        assert from_result.equals(measure(result.synthetic))
        assert from_result.equals(measure(result.synthetic.to_pandas()))


def test_a_list_of_frames_is_m_sets(real):
    three = sp.syn(real.head(400), m=3, seed=2)
    as_list = sp.utility_tab(real.head(400), three.synthetic, ["age_band", "gender"])
    assert as_list.columns == ["set", "measure", "column", "value"]
    assert as_list["set"].unique().sort().to_list() == [1, 2, 3]
    assert as_list.equals(sp.utility_tab(real.head(400), three, ["age_band", "gender"]))
    # each set alone is that set's rows
    second = sp.utility_tab(real.head(400), three.synthetic[1], ["age_band", "gender"])
    assert as_list.filter(pl.col("set") == 2).drop("set").equals(second)


def test_a_plain_frame_with_a_level_the_real_data_lacks(real):
    # the real data has no "Zz" category: both get the union of the levels, as synthpop's own
    # data.frame methods would after synorig.compare; the counts are those of the native measure
    from synthspectrum.measures import privacy as pv

    syn = real.with_columns(pl.when(pl.int_range(pl.len()) < 30).then(pl.lit("Zz"))
                            .otherwise(pl.col("gender").cast(pl.String)).alias("gender"))
    ours = sp.replicated_uniques(real, syn, KEYS)
    assert ours["value"].to_list() == pv.replicated_uniques(real, syn, KEYS)["value"].to_list()


def test_missing_columns_are_named(real, result):
    with pytest.raises(SynthSpectrumError, match="no column 'nope'"):
        sp.disclosure(real, result, ["nope"], "admitted")
    # a synthetic column the real data lack: the native measure's words
    with pytest.raises(SynthSpectrumError, match="different columns: 'extra' is in only one"):
        sp.utility_gen(real, result.synthetic.with_columns(pl.lit(1).alias("extra")))


def test_lm_synds_needs_a_result(result):
    with pytest.raises(SynthSpectrumError, match="glm_synds needs what syn\\(\\) returned, got DataFrame"):
        sp.glm_synds("admitted ~ age_band", result.synthetic)


def test_the_r_twin_names_what_is_missing_and_takes_synds_objects(tmp_path):
    out = rscript(LIB + """
d <- SD2011[1:400, c("sex", "age", "edu", "marital")]
s <- synthpop::syn(d, seed = 5, print.flag = FALSE)
res <- syn(d, seed = 5)
# synthpop's own object, our result and the plain frame: one answer
a <- disclosure(d, s, keys = c("sex", "age"), target = "edu")
stopifnot(isTRUE(all.equal(a, disclosure(d, res, keys = c("sex", "age"), target = "edu"))),
          isTRUE(all.equal(a, disclosure(d, s$syn, keys = c("sex", "age"), target = "edu"))))
cut <- sdc(d, s, keys = c("sex", "age"), rm_replicated_uniques = TRUE)
stopifnot(inherits(cut, "synds"))
for (call in list(quote(utility_gen(res, d)), quote(disclosure(d, res, keys = "nope", target = "edu")),
                  quote(utility_gen(d, cbind(res$synthetic, extra = 1))), quote(lm_synds("age ~ sex", res$synthetic))))
  cat(tryCatch({ eval(call); "no error" }, error = conditionMessage), "\\n", sep = "")
""", tmp_path, twin=True)
    lines = out.strip().splitlines()[-4:]
    assert lines[0] == "real must be the real data, a data.frame, got list: the arguments are (real, synthetic, ...)"
    assert lines[1] == "the synthetic data has no column 'nope'"
    assert lines[2] == "the real data has no column 'extra', which the synthetic data has"
    assert lines[3].startswith("lm_synds needs what syn() returned (or a synds object), got data.frame")


def test_a_plain_frame_missing_a_column_is_refused_as_by_the_native(real, result):
    # the wrapper checks the pair as the native measure does, instead of cutting the real data
    # down to the synthetic frame's columns (which then failed deep inside R)
    from synthspectrum.measures import utility

    short = result.synthetic.drop("gender")
    with pytest.raises(SynthSpectrumError, match="different columns: 'gender' is in only one"):
        utility.utility_gen(real, short)
    with pytest.raises(SynthSpectrumError, match="different columns: 'gender' is in only one"):
        sp.utility_gen(real, short)
