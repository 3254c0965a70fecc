"""Inputs the twins must not take silently: R classes synthpop cannot model (integer64, difftime
in minutes), what the real data carries besides its values (row names), column names synthpop
uses itself (``t``), pairs and results that do not match the real data, misspelt arguments.

Each case is checked from R (a fresh Rscript that sources the twin) and, where Python can make
it, from Python. Skips as a whole, with the reason in the summary, where R, rpy2 or synthpop
is missing.
"""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from conftest import synthpop_or_skip_module, rscript
from synthspectrum.errors import SynthpopError, SynthSpectrumError
from synthspectrum import synthpop as sp

ri = synthpop_or_skip_module()  # skips the module, saying why, where synthpop is missing

LIB = 'suppressMessages(library(synthpop))\n'

# An integer64 (bit64's class) made without bit64: a double vector holding the 64-bit integer's
# bits, which is all bit64 itself stores. `i64(v)` for whole doubles v, NA for bit64's NA.
I64 = r'''
i64 <- function(v) {
  hi <- floor(v / 2^32); lo <- v - hi * 2^32; lo <- ifelse(lo >= 2^31, lo - 2^32, lo)
  hi[is.na(v)] <- -2^31; lo[is.na(v)] <- 0
  words <- as.vector(rbind(lo, hi))
  # -2^31 is NA_integer_ in R, which writeBin writes as those very bits
  bits <- writeBin(suppressWarnings(as.integer(words)), raw(), size = 4, endian = "little")
  structure(readBin(bits, "double", n = length(v), size = 8, endian = "little"), class = "integer64")
}
i64max <- function(n) {  # 2^63 - 1, n times: hi = 2^31 - 1, lo = all ones
  bits <- writeBin(rep(c(-1L, .Machine$integer.max), n), raw(), size = 4, endian = "little")
  structure(readBin(bits, "double", n = n, size = 8, endian = "little"), class = "integer64")
}
set.seed(0); n <- 300
d <- data.frame(a = sample(0:99, n, TRUE), b = sample(c("x", "y", "z"), n, TRUE), c = rnorm(n))
'''


def rlines(code: str, tmp_path) -> list[str]:
    return rscript(LIB + code, tmp_path, twin=True).splitlines()


# --- 1. integer64 ----------------------------------------------------------------------------

def test_r_integer64_is_synthesised_as_numbers_not_copied(tmp_path):
    out = rlines(I64 + r'''
d$id <- i64(sample(1:1e6, n, TRUE) * 1e6)
ids <- unclass(d$id)
w <- character()
r <- withCallingHandlers(syn(d, seed = 1), warning = function(x) {
  w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") })
cat(r$method[["id"]], "\n")
cat(any(grepl("column 'id'", w) & grepl("integer64", w)), any(grepl("integer64", r$notes)), "\n")
s <- r$synthetic$id
v <- if (inherits(s, "integer64")) NA else s  # without bit64 it comes back as whole doubles
cat(class(s)[1], is.numeric(s), identical(unclass(s), ids), "\n")
cat(all(v %in% (1:1e6 * 1e6)), "\n")
u <- suppressWarnings(utility_gen(d, d[sample(n), ], maxorder = 0))
cat(nrow(u), all(is.finite(u$value)), "\n")
d$id[1:10] <- i64max(10)
cat(tryCatch({ syn(d, seed = 1); "accepted" }, error = conditionMessage), "\n")
cat(tryCatch({ utility_gen(d, d, maxorder = 0); "accepted" }, error = conditionMessage), "\n")
''', tmp_path)
    assert out[0].strip() == "cart"
    assert out[1].strip() == "TRUE TRUE"
    assert out[2].strip() == "numeric TRUE FALSE"
    assert out[3].strip() == "TRUE"
    assert out[4].strip() == "6 TRUE"
    for line in out[5:7]:
        assert "column 'id'" in line and "integer64" in line and "2^53" in line
        assert "9223372036854775807" not in line


def test_r_integer64_with_bit64_comes_back_as_integer64(tmp_path):
    probe = rscript('cat(requireNamespace("bit64", quietly = TRUE))', tmp_path)
    if probe.strip() != "TRUE":
        pytest.skip("the R package bit64 is not installed for Rscript (R_LIBS can point at one)")
    out = rlines(r'''
suppressMessages(library(bit64))
set.seed(0); n <- 300
d <- data.frame(a = sample(0:99, n, TRUE), b = sample(c("x", "y", "z"), n, TRUE))
d$id <- as.integer64(sample(1:1e6, n, TRUE)) * as.integer64(1000000L)
d$id[3] <- NA
r <- suppressWarnings(syn(d, seed = 1))
s <- r$synthetic$id
cat(r$method[["id"]], class(s)[1], identical(as.character(s), as.character(d$id)), "\n")
cat(all(is.na(s) | s %in% d$id), "\n")
d$id[1] <- as.integer64("9223372036854775807")
cat(tryCatch({ syn(d, seed = 1); "accepted" }, error = conditionMessage), "\n")
''', tmp_path)
    assert out[0].strip() == "cart integer64 FALSE"
    assert out[1].strip() == "TRUE"
    assert "column 'id'" in out[2] and "2^53" in out[2]


# --- 2. difftime in its own units --------------------------------------------------------------

def test_r_difftime_keeps_its_units(tmp_path):
    out = rlines(I64 + r'''
d$wait <- as.difftime(sample(60:120, n, TRUE), units = "mins")
d$stay <- as.difftime(sample(1:48, n, TRUE), units = "hours")
r <- suppressWarnings(syn(d, seed = 1))
s <- r$synthetic
cat(units(s$wait), units(s$stay), "\n")
cat(all(as.numeric(s$wait, units = "mins") >= 60 & as.numeric(s$wait, units = "mins") <= 120),
    all(as.numeric(s$stay, units = "hours") >= 1 & as.numeric(s$stay, units = "hours") <= 48), "\n")
''', tmp_path)
    assert out == ["mins hours ", "TRUE TRUE "]


# --- 3. row names ------------------------------------------------------------------------------

def test_r_row_names_of_the_real_data_do_not_reach_the_synthetic_data(tmp_path):
    out = rlines(I64 + r'''
rownames(d) <- paste0("patient_", 1:n)
r <- syn(d, seed = 1)
two <- syn(d, seed = 1, m = 2)
plain <- function(f) .row_names_info(f) < 0  # automatic row names, 1..n
cat(plain(r$synthetic), all(vapply(two$synthetic, plain, logical(1))), plain(r$object$syn), "\n")
f <- tempfile(fileext = ".csv"); write.csv(r$synthetic, f)
cat(any(grepl("patient", readLines(f))), "\n")
invisible(capture.output(s <- sdc(d, r, keys = c("a", "b"), rm_replicated_uniques = TRUE)))
cat(plain(s$synthetic), "\n")
''', tmp_path)
    assert out == ["TRUE TRUE TRUE ", "FALSE ", "TRUE "]


# --- 4. a pandas categorical keeps `ordered` and its level order --------------------------------

def _pandas_real(n: int = 300) -> pd.DataFrame:
    g = np.random.default_rng(0)
    return pd.DataFrame({"a": g.integers(0, 100, n), "c": g.normal(size=n),
                         "f": pd.Categorical(g.choice(["u", "v"], n), categories=["v", "u", "w"]),
                         "o": pd.Categorical(g.choice(["lo", "hi"], n), categories=["lo", "mid", "hi"], ordered=True)})


def test_syn_keeps_a_pandas_categoricals_ordered_flag_and_levels():
    real = _pandas_real()
    for res in (sp.syn(real, seed=1), sp.syn(real, seed=1, m=2)):
        for s in res.synthetic if isinstance(res.synthetic, list) else [res.synthetic]:
            assert (s.f.cat.ordered, list(s.f.cat.categories)) == (False, ["v", "u", "w"])
            assert (s.o.cat.ordered, list(s.o.cat.categories)) == (True, ["lo", "mid", "hi"])


def test_sdc_keeps_a_pandas_categoricals_ordered_flag():
    real = _pandas_real()
    res = sp.syn(real, seed=1)
    for out in (sp.sdc(real, res, keys=["f", "o"]).synthetic, sp.sdc(real, res.synthetic, keys=["f", "o"])):
        assert (out.f.cat.ordered, list(out.f.cat.categories)) == (False, ["v", "u", "w"])
        assert (out.o.cat.ordered, list(out.o.cat.categories)) == (True, ["lo", "mid", "hi"])


# --- 5. column names synthpop uses itself -------------------------------------------------------

def _frames(seed: int, n: int = 300) -> pl.DataFrame:
    g = np.random.default_rng(seed)
    return pl.DataFrame({"a": g.integers(0, 100, n), "b": g.choice(["x", "y", "z"], n).tolist(),
                         "c": g.normal(size=n).round(3), "d": g.choice(["p", "q"], n).tolist()})


# synthpop's utility.gen adds an indicator `t`, disclosure columns `target` and `keys`, sdc a `flag`
RESERVED = {"c": "t", "a": "target", "b": "keys", "d": "flag"}


def test_python_measures_take_the_names_synthpop_uses_itself():
    real, syn = _frames(1), _frames(2)
    named = lambda f: f.rename(RESERVED)
    plain = sp.utility_gen(real, syn, maxorder=0)["value"].to_list()
    assert sp.utility_gen(named(real), named(syn), maxorder=0)["value"].to_list() == pytest.approx(plain)
    plain = sp.disclosure(real, syn, ["a", "b"], "d")["value"].to_list()
    assert sp.disclosure(named(real), named(syn), ["target", "keys"], "flag")["value"].to_list() == pytest.approx(plain)
    plain = sp.disclosure(real, syn, ["d", "b"], "a")["value"].to_list()
    assert sp.disclosure(named(real), named(syn), ["flag", "keys"], "target")["value"].to_list() == pytest.approx(plain)
    res = sp.syn(named(real), seed=3)
    assert res.synthetic.columns == ["target", "keys", "t", "flag"]
    assert sp.utility_gen(named(real), res, maxorder=0).height == 6
    out = sp.sdc(named(real), res, keys=["keys", "flag"], rm_replicated_uniques=True)
    assert out.synthetic.columns == ["target", "keys", "t", "flag"]
    # sdc's label is a column of its own, `flag`: with a column flag in the data, refused
    assert sp.sdc(real, sp.syn(real, seed=3), label="syn").synthetic.columns == ["flag", *real.columns]
    with pytest.raises(SynthpopError, match=r"sdc\(\): label adds a column 'flag', which the data have"):
        sp.sdc(named(real), res, label="synthetic")


def test_r_measures_take_the_names_synthpop_uses_itself(tmp_path):
    out = rlines(r'''
set.seed(0); n <- 300
mk <- function() data.frame(a = sample(0:99, n, TRUE), b = sample(c("x", "y", "z"), n, TRUE), c = rnorm(n),
                            d = sample(c("p", "q"), n, TRUE))
real <- mk(); s <- mk()
named <- function(f) setNames(f, c("target", "keys", "t", "flag"))
same <- function(x, y) isTRUE(all.equal(x$value, y$value))
cat(same(utility_gen(real, s, maxorder = 0), utility_gen(named(real), named(s), maxorder = 0)),
    same(utility_gen(real, s), utility_gen(named(real), named(s))),
    same(disclosure(real, s, c("a", "b"), "d"), disclosure(named(real), named(s), c("target", "keys"), "flag")),
    same(disclosure(real, s, c("d", "b"), "a"), disclosure(named(real), named(s), c("flag", "keys"), "target")),
    "\n")
r <- syn(named(real), seed = 1)
fit <- lm_synds(c ~ target + t, syn(setNames(real, c("target", "keys", "c", "t")), seed = 1))
cat(names(r$synthetic), nrow(compare_fit(fit, setNames(real, c("target", "keys", "c", "t")))), "\n")
# beside a column x, synthpop's own x_NA (utility.gen, x with NA) and x.1 (syn's dummies of a factor)
real$c[1:20] <- NA; s$c[1:20] <- NA
real$c_NA <- s$c_NA <- rnorm(n); real$b.1 <- s$b.1 <- rnorm(n)
cat(nrow(utility_gen(real, s)), names(syn(real, method = "parametric", seed = 1)$synthetic), "\n")
''', tmp_path)
    assert out[0].split() == ["TRUE"] * 4
    assert out[1].split() == ["target", "keys", "t", "flag", "3"]
    assert out[2].split() == ["6", "a", "b", "c", "d", "c_NA", "b.1"]


# --- 6. a synthetic frame missing a column -------------------------------------------------------

def test_r_refuses_a_synthetic_frame_missing_a_column_as_python_does(tmp_path):
    out = rlines(I64 + r'''
s <- d[sample(n), ]
for (call in list(quote(utility_gen(d, s[, c("a", "b")], maxorder = 0)),
                  quote(utility_tab(d, list(s[c("a", "b")], s[c("a", "b")]), vars = c("a", "b"))),
                  quote(disclosure(d, s[c("b", "a")], keys = "a", target = "b"))))
  cat(tryCatch({ eval(call); "accepted" }, error = conditionMessage), "\n", sep = "")
''', tmp_path)
    words = "the real data and synthetic data have different columns: 'c' is in only one"
    assert out == [words] * 3
    with pytest.raises(SynthSpectrumError, match=words):
        sp.utility_gen(_frames(1), _frames(2).drop("c"), maxorder=0)


# --- 7. a syn() result against real data of other types -----------------------------------------

TYPE_WORDS = r"column 'a' holds text in the real data but numbers in the data syn\(\) was given"


def test_python_refuses_a_result_against_real_data_of_other_types():
    real = _frames(1)
    res = sp.syn(real, seed=1)
    text = real.with_columns(pl.col("a").cast(pl.String))
    for measure in (lambda r: sp.utility_gen(r, res, maxorder=0), lambda r: sp.utility_tab(r, res, ["a", "b"]),
                    lambda r: sp.disclosure(r, res, ["b"], "a"), lambda r: sp.sdc(r, res, keys=["a", "b"]),
                    lambda r: sp.compare_fit(sp.lm_synds("c ~ a", res), r)):
        with pytest.raises(SynthSpectrumError, match=TYPE_WORDS):
            measure(text)
        with pytest.raises(SynthSpectrumError, match=TYPE_WORDS):
            measure(text.to_pandas())
    # another width of the same kind is the same column
    assert sp.utility_gen(real.with_columns(pl.col("a").cast(pl.Int32)), res, maxorder=0).height == 6


def test_r_refuses_a_result_against_real_data_of_other_types(tmp_path):
    out = rlines(I64 + r'''
r <- syn(d, seed = 1)
text <- d; text$a <- as.character(text$a)
for (call in list(quote(utility_gen(text, r, maxorder = 0)), quote(replicated_uniques(text, r, keys = c("a", "b"))),
                  quote(compare_fit(lm_synds(c ~ a, r), text))))
  cat(tryCatch({ invisible(capture.output(eval(call))); "accepted" }, error = conditionMessage), "\n", sep = "")
d$a <- as.numeric(d$a)
cat(nrow(utility_gen(d, r, maxorder = 0)), "\n")
''', tmp_path)
    import re
    assert all(re.match(TYPE_WORDS, line) for line in out[:3]), out
    assert out[3].strip() == "6"


# --- 8. misspelt arguments -----------------------------------------------------------------------

def test_python_misspelt_measure_arguments_are_named():
    real, syn = _frames(1), _frames(2)
    cases = [(lambda: sp.utility_gen(real, syn, maxordr=0), "utility_gen", "maxordr", "maxorder"),
             (lambda: sp.disclosure(real, syn, ["b"], "d", denom_lmi=5), "disclosure", "denom_lmi", "denom_lim"),
             (lambda: sp.utility_tab(real, syn, ["b", "d"], ngroup=3), "utility_tab", "ngroup", "ngroups"),
             (lambda: sp.multi_disclosure(real, syn, ["b"], thresh_1wya=90), "multi_disclosure", "thresh_1wya",
              "thresh_1way"),
             (lambda: sp.utility_gen(real, syn, bogus_arg=3), "utility_gen", "bogus_arg", None)]
    for call, fname, arg, right in cases:
        with pytest.raises(SynthpopError) as err:
            call()
        msg = str(err.value)
        assert f"argument '{arg}' is not one of {fname}()'s or synthpop's" in msg, msg
        assert (f"did you mean '{right}'?" in msg) if right else "did you mean" not in msg, msg
    # synthpop's own, in either spelling, still reach synthpop
    assert sp.disclosure(real, syn, ["b"], "d", denom_lim=5, thresh_1way=90).height == 10
    assert sp.utility_gen(real, syn, maxorder=0, k_syn=False, print_stats=["pMSE"]).height == 6


def test_r_misspelt_measure_arguments_are_named(tmp_path):
    out = rlines(I64 + r'''
s <- d[sample(n), ]
for (call in list(quote(utility_gen(d, s, bogus_arg = 3)), quote(utility_gen(d, s, maxorder = 0, ngroup = 3)),
                  quote(compare(d, s, brakes = 5)), quote(utility_tables(d, s, nworstt = 3)),
                  quote(utility_gen(d, s, 5, 0, 7)), quote(utility_gen(d, s, print.flag = TRUE))))
  cat(tryCatch({ eval(call); "accepted" }, error = conditionMessage), "\n", sep = "")
cat(nrow(utility_gen(d, s, maxorder = 0, ngroups = 3, style = "equal")), "\n")
''', tmp_path)
    assert out[0] == "argument 'bogus_arg' is not one of utility_gen()'s or synthpop's utility.gen"
    assert out[1] == ("argument 'ngroup' is not one of utility_gen()'s or synthpop's utility.gen "
                      "(did you mean 'ngroups'?)")
    assert out[2] == "argument 'brakes' is not one of compare()'s or synthpop's compare (did you mean 'breaks'?)"
    assert out[3] == ("argument 'nworstt' is not one of utility_tables()'s or synthpop's utility.tables "
                      "(did you mean 'nworst'?)")
    assert out[4] == "utility_gen() takes further arguments (synthpop's) by name only: 1 is unnamed"
    assert out[5] == "argument 'print.flag' is set by utility_gen() itself"
    assert out[6].strip() == "6"


# --- 9. m ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("m", [0, -1, 1.5, True, False, "2", None])
def test_python_refuses_an_m_that_is_not_a_whole_number_from_1(m):
    with pytest.raises(SynthSpectrumError, match=r"^m must be a whole number >= 1, got "):
        sp.syn(_frames(1), m=m, seed=1)


def test_python_takes_numpy_whole_numbers_for_m():
    assert len(sp.syn(_frames(1).head(100), m=np.int64(2), seed=1, method="sample").synthetic) == 2


def test_r_refuses_an_m_that_is_not_a_whole_number_from_1(tmp_path):
    out = rlines(I64 + r'''
for (m in list(0, -1, 1.5, TRUE, "2", NA, c(1, 2), NULL))
  cat(tryCatch({ syn(d, seed = 1, m = m); "accepted" }, error = conditionMessage), "\n", sep = "")
cat(length(syn(d, seed = 1, m = 2L, method = "sample")$synthetic), is.data.frame(syn(d, seed = 1, m = 1)$synthetic), "\n")
''', tmp_path)
    words = "m must be a whole number >= 1, got "
    assert out[:8] == [words + g for g in ["0", "-1", "1.5", "TRUE", '"2"', "NA", "c(1, 2)", "NULL"]]
    assert out[8].strip() == "2 TRUE"


# --- 10. the user's random numbers ---------------------------------------------------------------

def test_r_syn_with_a_seed_leaves_the_users_random_numbers_alone(tmp_path):
    out = rlines(I64 + r'''
set.seed(5); x0 <- runif(2)
set.seed(5); invisible(syn(d, seed = 1)); x1 <- runif(2)
set.seed(5); invisible(tryCatch(syn(d, seed = 1, m = 1, bogus.arg = 1), error = function(e) NULL)); x2 <- runif(2)
cat(identical(x0, x1), identical(x0, x2), "\n")
rm(.Random.seed, envir = globalenv()); invisible(syn(d, seed = 1))
cat(exists(".Random.seed", envir = globalenv()), "\n")
# without a seed, one is drawn from the user's random numbers: a call after it draws another
a <- syn(d); b <- syn(d)
set.seed(7); c1 <- syn(d)$seed; c2 <- runif(1); set.seed(7); d1 <- syn(d)$seed; d2 <- runif(1)
cat(a$seed != b$seed, c1 == d1, c2 == d2, "\n")
''', tmp_path)
    assert out == ["TRUE TRUE ", "FALSE ", "TRUE TRUE TRUE "]
