"""synthpop from Python and the R twin: the same numbers as calling synthpop directly in R.

Skips as a whole, with the reason in the summary, where R, rpy2 or synthpop is missing.
"""

import os
import shutil
import sys
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from conftest import synthpop_or_skip_module, ROOT, rscript as run_rscript
from synthspectrum.errors import ColumnError, RWarning, SynthpopError, SynthSpectrumError
from synthspectrum import synthpop as sp
from synthspectrum.synthpop import from_r, to_r

ri = synthpop_or_skip_module()  # skips the module, saying why, where synthpop is missing

KEYS = ["age_band", "gender", "deprivation_decile", "hospital"]


@pytest.fixture(scope="module")
def real(ae_deid):
    # the date column is checked on its own; here every column is one synthpop takes as it is
    return ae_deid.head(1500).drop("arrival_time_date")


def direct(code: str, **frames):
    """Run R code with synthpop attached and the given polars frames bound as data.frames."""
    for name, df in frames.items():
        ri.globalenv[name] = to_r(df)[0]
    return ri.evalr(f"suppressMessages(library(synthpop)); {code}")


def nums(code: str, **frames) -> list[float]:
    return [float(x) for x in direct(f"as.numeric(unlist({code}))", **frames)]


def vals(frame: pl.DataFrame, measure: str) -> list[float]:
    """The values of ``measure`` in a tidy measure frame, in the order of the synthetic sets."""
    return frame.filter(pl.col("measure") == measure)["value"].to_list()


@pytest.mark.parametrize("method", ["cart", "parametric", "sample"])
def test_syn_equals_direct_synthpop(real, method):
    ours = sp.syn(real, method=method, seed=11)
    theirs = direct(f'synthpop::syn(d, method = "{method}", seed = 11, print.flag = FALSE)$syn', d=real)
    assert from_r(theirs, to_r(real)[1]).equals(ours.synthetic)
    assert ours.synthetic.schema == real.schema
    assert ours.visit_sequence == real.columns
    assert set(ours.method.values()) <= {"sample", "cart", "polyreg", "logreg", "normrank", "polr", ""}


def test_methods_per_column_and_smoothing(real):
    with pytest.warns(RWarning, match="column 'gender' has no method: synthpop copies its REAL values"):
        res = sp.syn(real, method={"age_band": "sample", "time_in_ae_minutes": "normrank", "admitted": "logreg"},
                     seed=2)
    assert res.method["time_in_ae_minutes"] == "normrank" and res.method["admitted"] == "logreg"
    assert res.method["gender"] == ""  # not named: not synthesised, kept as in the real data
    smooth = sp.syn(real, smoothing={"time_in_ae_minutes": "density"}, seed=2).synthetic["time_in_ae_minutes"]
    plain = sp.syn(real, seed=2).synthetic["time_in_ae_minutes"]
    # CART draws real values from its leaves; density smoothing draws new values around them
    assert set(plain) <= set(real["time_in_ae_minutes"])
    assert not set(smooth) <= set(real["time_in_ae_minutes"])
    with pytest.raises(ColumnError, match="no column 'nope'"):
        sp.syn(real, method={"nope": "cart"})


def test_m3_and_seeds(real):
    a = sp.syn(real, m=3, seed=5)
    b = sp.syn(real, m=3, seed=5)
    assert len(a.synthetic) == 3 and all(x.equals(y) for x, y in zip(a.synthetic, b.synthetic))
    assert not a.synthetic[0].equals(a.synthetic[1])
    assert not sp.syn(real, seed=6).synthetic.equals(sp.syn(real, seed=5).synthetic)
    theirs = direct("synthpop::syn(d, m = 3, seed = 5, print.flag = FALSE)$syn", d=real)
    assert all(from_r(t, to_r(real)[1]).equals(o) for t, o in zip(theirs, a.synthetic))


@pytest.fixture(scope="module")
def result(real):
    return sp.syn(real, seed=3)


@pytest.fixture(scope="module")
def result3(real):
    return sp.syn(real, m=3, seed=3)


def _synds(m):
    return f"synthpop::syn(d, m = {m}, seed = 3, print.flag = FALSE)"


@pytest.mark.parametrize("m", [1, 3])
def test_utility_gen_equals_direct(real, result, result3, m):
    ours = sp.utility_gen(real, result if m == 1 else result3, method="logit", maxorder=0)
    assert ours.columns == (["set"] if m > 1 else []) + ["measure", "column", "value"]
    assert ours.height == 6 * m and ours["column"].null_count() == ours.height
    if m > 1:
        assert ours["set"].to_list() == [i for i in range(1, m + 1) for _ in range(6)]
    for stat in ["pMSE", "S_pMSE", "SPECKS", "PO50", "U"]:
        theirs = nums(f'utility.gen({_synds(m)}, d, method = "logit", maxorder = 0, print.flag = FALSE)${stat}', d=real)
        assert vals(ours, stat) == pytest.approx(theirs, rel=1e-9), stat
    # the Mann-Whitney U over the n_syn * n_real pairs is the AUC
    assert vals(ours, "AUC") == pytest.approx([u / real.height**2 for u in vals(ours, "U")], rel=1e-12)


def test_utility_tab_equals_direct(real, result):
    ours = sp.utility_tab(real, result, ["age_band", "treatment"])
    assert ours["column"].unique().to_list() == ["age_band x treatment"]
    for stat in ["pMSE", "S_pMSE", "df", "VW", "S_VW", "FT", "S_FT", "JSD", "S_JSD"]:
        theirs = nums(f'utility.tab({_synds(1)}, d, vars = c("age_band", "treatment"), print.flag = FALSE)${stat}', d=real)
        assert vals(ours, stat) == pytest.approx(theirs, rel=1e-9), stat


def test_utility_tables_equals_direct(real, result):
    ours = sp.utility_tables(real, result, vars=["age_band", "gender", "treatment"])
    assert ours.height == 3 * 3
    assert ours["column"].unique(maintain_order=True).to_list() == [
        "age_band x gender", "age_band x treatment", "gender x treatment"]
    theirs = nums(f'utility.tables({_synds(1)}, d, vars = c("age_band", "gender", "treatment"), plot = FALSE, print.flag = FALSE)$tabs[, "S_pMSE"]', d=real)
    assert vals(ours, "S_pMSE") == pytest.approx(theirs)
    # a table of utility_tables is utility_tab of its variables
    one = sp.utility_tab(real, result, ["age_band", "treatment"])
    assert ours.filter(pl.col("column") == "age_band x treatment")["value"].to_list() == pytest.approx(
        [vals(one, s)[0] for s in ["pMSE", "S_pMSE", "df"]])


def test_replicated_uniques_and_disclosure_equal_direct(real, result):
    ru = sp.replicated_uniques(real, result, KEYS)
    keys = 'c("' + '", "'.join(KEYS) + '")'
    theirs = nums(f"replicated.uniques({_synds(1)}, d, keys = {keys})$res_tab[, 1]", d=real)
    counts = ["uniques_real", "uniques_synthetic", "synthetic_uniques_in_real", "replicated_uniques"]
    assert [vals(ru, c)[0] for c in counts] == theirs
    assert vals(ru, "replicated_uniques_percent") == [round(100 * theirs[3] / real.height, 2)]
    assert ru["column"].unique().to_list() == [" x ".join(KEYS)]
    dis = sp.disclosure(real, result, KEYS[:3], "admitted")
    ident = nums(f'disclosure({_synds(1)}, d, keys = {keys}[1:3], target = "admitted", print.flag = FALSE)$ident', d=real)
    attrib = nums(f'disclosure({_synds(1)}, d, keys = {keys}[1:3], target = "admitted", print.flag = FALSE)$attrib', d=real)
    assert dis["measure"].to_list() == ["UiO", "UiS", "UiOiS", "repU", "Dorig", "Dsyn", "iS", "DiS", "DiSCO", "DiSDiO"]
    assert dis["column"].unique().to_list() == ["admitted"]
    # synthpop's attrib table ends with max_denom and mean_denom, which are not percentages
    assert dis["value"].to_list() == pytest.approx(ident + attrib[:6], nan_ok=True)
    multi = sp.multi_disclosure(real, result, KEYS[:3], ["admitted", "treatment"])
    assert multi["column"].unique(maintain_order=True).to_list() == ["admitted", "treatment"]
    assert multi.filter(pl.col("column") == "admitted").equals(dis)


def test_sdc_removes_replicated_uniques(real, result, capsys):
    cleaned = sp.sdc(real, result, keys=KEYS, rm_replicated_uniques=True)
    n_rep = vals(sp.replicated_uniques(real, result, KEYS), "replicated_uniques")[0]
    assert n_rep > 0 and cleaned.synthetic.height == result.synthetic.height - n_rep
    # a plain frame gives a plain frame back, of the same dtypes, cut the same way
    frame = sp.sdc(real, result.synthetic, keys=KEYS, rm_replicated_uniques=True)
    assert isinstance(frame, pl.DataFrame) and frame.equals(cleaned.synthetic)
    assert capsys.readouterr().out == ""  # synthpop's console chatter only with verbose=True
    sp.sdc(real, result, keys=KEYS, rm_replicated_uniques=True, verbose=True)
    assert "replicated uniques removed" in capsys.readouterr().out


def test_compare_and_fits_equal_direct(real, result, tmp_path):
    cmp = sp.compare(real, result, ["age_band", "time_in_ae_minutes"])
    theirs = nums(f'compare({_synds(1)}, d, vars = c("age_band", "time_in_ae_minutes"), plot = FALSE, print.flag = FALSE)$tab.utility[, "S_pMSE"]', d=real)
    assert vals(cmp.utility, "S_pMSE") == pytest.approx(theirs)
    assert cmp.utility["column"].unique(maintain_order=True).to_list() == ["age_band", "time_in_ae_minutes"]
    age = cmp.tables.filter((pl.col("column") == "age_band") & (pl.col("source") == "observed"))
    expected = real["age_band"].value_counts(normalize=True).sort("age_band")["proportion"] * 100
    assert age["percent"].to_list() == pytest.approx(expected.to_list())
    fig = cmp.plot(str(tmp_path / "c.png"))
    assert (tmp_path / "c.png").stat().st_size > 0 and len(fig.axes) == 2
    fit = sp.glm_synds("admitted ~ age_band + treatment", result)
    ours = sp.compare_fit(fit, real)
    theirs = nums(f'compare(glm.synds(admitted ~ age_band + treatment, family = "binomial", data = {_synds(1)}), d, print.coef = FALSE, return.plot = FALSE)$coef.diff[, "Std. coef diff"]', d=real)
    assert ours["std_coef_diff"].to_list() == pytest.approx(theirs)
    assert ((ours["ci_overlap"] <= 1) & (ours["ci_overlap"] > -5)).all()
    lm = sp.compare_fit(sp.lm_synds("time_in_ae_minutes ~ age_band", result), real)
    assert lm["term"][0] == "(Intercept)"


def test_dates_and_pandas_come_back(ae_deid):
    d = ae_deid.head(800)
    res = sp.syn(d.to_pandas(), seed=2)
    out = res.synthetic
    assert str(out["arrival_time_date"].dtype).startswith("datetime64")
    back = pl.from_pandas(out)
    assert back["arrival_time_date"].dt.date().min() >= d["arrival_time_date"].min()
    res = sp.syn(d.select("age_band", "arrival_time_date"), seed=2)
    assert res.synthetic.schema["arrival_time_date"] == pl.Date


def test_many_level_factor_is_kept_out_of_tree_predictors():
    rng = np.random.default_rng(0)
    n = 600
    many = [f"L{i:02d}" for i in range(30)]
    df = pl.DataFrame({"big": pl.Series(rng.choice(many, n).tolist(), dtype=pl.Enum(many)),
                       "x": rng.normal(size=n), "y": rng.normal(size=n)})
    with pytest.warns(RWarning, match="column 'big' has 30 levels"):
        res = sp.syn(df, seed=1)
    assert any("big" in note for note in res.notes)
    assert res.synthetic.schema == df.schema


def test_a_number_with_few_values_is_synthesised_as_a_category():
    rng = np.random.default_rng(3)
    df = pl.DataFrame({"flag": rng.integers(0, 2, 400), "x": rng.normal(size=400)})
    with pytest.warns(RWarning, match="column 'flag' has at most 5 distinct values"):
        res = sp.syn(df, method="parametric", visit_sequence=["x", "flag"], seed=1)
    assert res.method["flag"] == "logreg"
    assert set(res.synthetic["flag"]) == {0, 1} and res.synthetic.schema == df.schema
    # asked for explicitly, the flag stays a number: a normal-rank model, values in between
    res = sp.syn(df, method="parametric", visit_sequence=["x", "flag"], seed=1, minnumlevels=1)
    assert res.method["flag"] == "normrank"


def test_errors_name_the_call_and_column(real):
    with pytest.raises(ColumnError, match="no column 'nope'"):
        sp.syn(real, visit_sequence=["nope"])
    text = pl.DataFrame({"free": [f"note {i}" for i in range(100)], "x": np.arange(100.0)})
    with pytest.raises(SynthpopError, match=r"^syn\(\): column 'free': text with 100") as err:
        sp.syn(text, maxfaclevels=60)
    assert err.value.detail is None  # the twin's own words: all of them public
    with pytest.raises(SynthpopError, match=r"synthpop glm_synds\(\)|synthpop compare_fit\(\)"):
        sp.compare_fit(sp.glm_synds("admitted ~ no_such_column", sp.syn(real.head(200), seed=1)), real)


def test_a_regression_with_more_terms_than_records_allow_stops_naming_its_column():
    # 12 records; column x_j is regressed on the j - 1 columns before it. synthpop's norm
    # family divides by records - terms - 2, so x10 (9 terms) is the last it can fit: synthpop's
    # own residual sd for x11 (10 terms) is Inf (NaN with fewer records still), and its synthetic
    # x11 nothing but the real minimum and maximum. The check stops that.
    rng = np.random.default_rng(5)
    df = pl.DataFrame({f"x{j}": rng.normal(size=12).round(3) for j in range(1, 12)})
    ok = sp.syn(df.drop("x11"), method="parametric", seed=2)
    assert ok.synthetic["x10"].null_count() == 0 and ok.synthetic["x10"].is_nan().sum() == 0
    theirs = direct('s <- suppressWarnings(synthpop::syn(d, method = "parametric", seed = 2, models = TRUE, '
                    'print.flag = FALSE)); c(s$models$x10$sigma, s$models$x11$sigma, '
                    'all(s$syn$x11 %in% range(d$x11)))', d=df)
    assert np.isfinite(theirs[0]) and not np.isfinite(theirs[1]) and theirs[2] == 1
    with pytest.raises(SynthpopError, match=r"column 'x11' cannot be synthesised by normrank: .* 10 columns .* "
                                            r"10 terms .* 12 records") as err:
        sp.syn(df, method="parametric", seed=2)
    assert err.value.detail is None
    # a category counts its levels less one: after a 4-level factor, x8 has 3 + 7 = 10 terms
    cat = pl.Series("g", ["a", "b", "c", "d"] * 3, dtype=pl.Enum(["a", "b", "c", "d"]))
    with pytest.raises(SynthpopError, match=r"column 'x8' cannot be synthesised by normrank: .* 8 columns .* 10 terms"):
        sp.syn(df.select(cat, *[f"x{j}" for j in range(1, 9)]), method="parametric", seed=2)
    sp.syn(df.select(cat, *[f"x{j}" for j in range(1, 8)]), method="parametric", seed=2)
    # CART has no such limit, and a method per column is checked too
    sp.syn(df, method="cart", seed=2)
    with pytest.raises(SynthpopError, match=r"column 'x11' cannot be synthesised by norm"):
        sp.syn(df, method={c: ("sample" if c == "x1" else "norm") for c in df.columns}, seed=2)


def test_the_r_twin_from_rscript_gives_synthpops_numbers(tmp_path):
    out = rscript(tmp_path, f"""
suppressMessages(library(synthpop))
source("{ROOT / 'r' / 'synthspectrum.R'}")
d <- SD2011[1:400, c("sex", "age", "edu", "marital", "income")]
ours <- syn(d, seed = 9)
theirs <- synthpop::syn(d, seed = 9, print.flag = FALSE)
stopifnot(is.data.frame(ours$synthetic), identical(ours$synthetic, theirs$syn), ours$seed == 9)
u <- utility_gen(d, ours, method = "logit", maxorder = 0)
v <- utility.gen(theirs, d, method = "logit", maxorder = 0, print.flag = FALSE)
stopifnot(identical(names(u), c("measure", "column", "value")), all(is.na(u$column)),
          isTRUE(all.equal(u$value[u$measure == "pMSE"], v$pMSE)),
          isTRUE(all.equal(u$value[u$measure == "S_pMSE"], v$S_pMSE)))
# the synthetic frame alone gives the same numbers as the syn() result
stopifnot(isTRUE(all.equal(utility_gen(d, ours$synthetic, maxorder = 0), u)))
r1 <- replicated_uniques(d, ours, keys = c("sex", "age", "edu"))
r2 <- replicated.uniques(theirs, d, keys = c("sex", "age", "edu"))
stopifnot(all(r1$value[1:4] == r2$res_tab[, 1]), r1$value[5] == round(100 * r2$res_tab[4, 1] / nrow(d), 2))
cat("twin ok\\n")
""")
    assert "twin ok" in out


# --- issue 8: Python and R parity ----------------------------------------------------------

def rscript(tmp_path: Path, code: str, cwd: Path | None = None) -> str:
    """R code in a fresh Rscript (conftest's helper), in ``cwd`` or ``tmp_path``."""
    return run_rscript(code, cwd or tmp_path)


TWIN = f'suppressMessages(library(synthpop)); source("{ROOT / "r" / "synthspectrum.R"}")\n'


@pytest.fixture(scope="module")
def bundled(ae_deid):
    # the README's data, every column (dates too)
    return ae_deid.head(1000)


def test_compare_takes_every_variable_of_the_bundled_data(bundled):
    res = sp.syn(bundled, seed=4)
    cmp = sp.compare(bundled, res)  # the README's snippet: every variable, synthpop pages them by 4
    assert cmp.tables["column"].unique(maintain_order=True).to_list() == bundled.columns
    assert cmp.utility["column"].unique(maintain_order=True).to_list() == bundled.columns
    for var in bundled.columns:
        for source in ["observed", "synthetic"]:
            t = cmp.tables.filter((pl.col("column") == var) & (pl.col("source") == source))
            assert t["percent"].sum() == pytest.approx(100), (var, source)
    # by hand: the observed percentages of a category are its shares in the real data
    hosp = cmp.tables.filter((pl.col("column") == "hospital") & (pl.col("source") == "observed"))
    expected = bundled["hospital"].value_counts(normalize=True).sort("hospital")
    assert hosp["category"].to_list() == expected["hospital"].cast(pl.String).to_list()
    assert hosp["percent"].to_list() == pytest.approx((expected["proportion"] * 100).to_list())
    one = sp.compare(bundled, res, ["treatment"])
    assert one.tables["column"].unique().to_list() == ["treatment"] and one.utility.height == 3
    syn_t = one.tables.filter(pl.col("source") == "synthetic")
    shares = res.synthetic["treatment"].value_counts(normalize=True).sort("treatment")
    assert syn_t["percent"].to_list() == pytest.approx((shares["proportion"] * 100).to_list())
    five = sp.compare(bundled, res, bundled.columns[:5])
    assert five.utility["column"].unique(maintain_order=True).to_list() == bundled.columns[:5]


def test_compare_in_r_takes_one_and_many_variables(tmp_path):
    out = rscript(tmp_path, TWIN + """
d <- SD2011[1:500, c("sex", "age", "edu", "marital", "income", "region")]
res <- syn(d, seed = 2)
all <- compare(d, res)
stopifnot(identical(unique(all$tables$column), names(d)), identical(unique(all$utility$column), names(d)))
one <- compare(d, res, vars = "sex")
stopifnot(identical(unique(one$tables$column), "sex"), identical(one$utility$measure, c("pMSE", "S_pMSE", "df")))
obs <- one$tables[one$tables$source == "observed", ]
stopifnot(isTRUE(all.equal(obs$percent, as.numeric(100 * prop.table(table(d$sex))))))
cat("compare ok\\n")
""")
    assert "compare ok" in out


SPACED = "Time in A&E (mins)"


@pytest.fixture(scope="module")
def spaced():
    rng = np.random.default_rng(8)
    n = 500
    minutes = rng.gamma(4, 40, n).round()
    minutes[rng.random(n) < 0.1] = np.nan  # synthpop refuses these under a name with spaces
    band = rng.choice(["0-17", "18-39", "40-64", "65+"], n)
    return pl.DataFrame({
        SPACED: pl.Series(minutes, nan_to_null=True),
        "age band": band,
        "if": rng.integers(0, 2, n),  # a reserved word in R
        "admitted?": rng.random(n) < np.where(band == "65+", 0.6, 0.2),
    })


def test_any_column_name_works_and_comes_back(spaced):
    with pytest.warns(RWarning, match="column 'if' has at most 5 distinct values"):
        res = sp.syn(spaced, method={SPACED: "cart", "age band": "sample", "if": "cart", "admitted?": "cart"},
                     visit_sequence=["age band", SPACED, "if", "admitted?"], seed=3)
    assert res.synthetic.columns == spaced.columns and res.synthetic.schema == spaced.schema
    assert list(res.method) == spaced.columns and res.method["age band"] == "sample"
    assert res.visit_sequence == ["age band", SPACED, "if", "admitted?"]
    assert any("'if'" in n for n in res.notes)
    syn_minutes = res.synthetic[SPACED]
    # missing values are synthesised as such; CART draws observed values
    assert 0 < syn_minutes.null_count() < len(syn_minutes)
    assert set(syn_minutes.drop_nulls()) <= set(spaced[SPACED].drop_nulls())
    cmp = sp.compare(spaced, res)
    assert cmp.utility["column"].unique(maintain_order=True).to_list() == spaced.columns
    tabs = sp.utility_tables(spaced, res, vars=["age band", SPACED])
    assert tabs["column"].unique().to_list() == [f"{SPACED} x age band"]  # in the order of the data
    tab = sp.utility_tab(spaced, res, ["age band", "admitted?"])
    assert tab["column"].unique().to_list() == ["age band x admitted?"] and vals(tab, "pMSE")[0] >= 0
    ru = sp.replicated_uniques(spaced, res, ["age band", SPACED])
    assert vals(ru, "uniques_real")[0] == pl.DataFrame({"k": spaced["age band"] + "|" + spaced[SPACED].cast(pl.String).fill_null("NA")}) \
        .group_by("k").len().filter(pl.col("len") == 1).height
    dis = sp.disclosure(spaced, res, ["age band", SPACED], "admitted?")
    assert dis.height == 10 and dis["column"].unique().to_list() == ["admitted?"]
    fit = sp.compare_fit(sp.glm_synds(f"`admitted?` ~ `age band` + `{SPACED}`", res), spaced)
    assert fit["term"].to_list() == ["(Intercept)", "`age band`18-39", "`age band`40-64", "`age band`65+", f"`{SPACED}`"]


def test_any_column_name_works_in_r(tmp_path):
    out = rscript(tmp_path, TWIN + """
set.seed(1)
d <- data.frame(`Time in A&E (mins)` = c(rpois(300, 90), rep(NA, 30)), `age band` = sample(c("a", "b", "c"), 330, TRUE),
                check.names = FALSE)
res <- syn(d, seed = 1, visit_sequence = c("age band", "Time in A&E (mins)"))
stopifnot(identical(names(res$synthetic), names(d)), identical(names(res$method), names(d)),
          identical(res$visit_sequence, c("age band", "Time in A&E (mins)")),
          anyNA(res$synthetic[["Time in A&E (mins)"]]), is.character(res$synthetic[["age band"]]))
u <- utility_tab(d, res, vars = c("age band", "Time in A&E (mins)"))
stopifnot(nrow(u) == 9, identical(unique(u$column), "age band x Time in A&E (mins)"))
cat("names ok\\n")
""")
    assert "names ok" in out


def test_synthetic_shapes_and_types_match_in_python_and_r(tmp_path):
    rng = np.random.default_rng(5)
    n = 300
    df = pl.DataFrame({
        "text": rng.choice(["x", "y", "z"], n).tolist(),
        "cat": pl.Series(rng.choice(["p", "q"], n).tolist()).cast(pl.Categorical),
        "enum": pl.Series(rng.choice(["lo", "hi"], n).tolist(), dtype=pl.Enum(["lo", "mid", "hi"])),
        "x": rng.normal(size=n),
    })
    one = sp.syn(df, seed=1)
    assert isinstance(one.synthetic, pl.DataFrame) and one.synthetic.schema == df.schema
    two = sp.syn(df, m=2, seed=1)
    assert isinstance(two.synthetic, list) and len(two.synthetic) == 2
    assert all(s.schema == df.schema for s in two.synthetic)
    pdf = df.to_pandas()
    back = sp.syn(pdf, seed=1).synthetic
    assert list(back.dtypes.astype(str)) == list(pdf.dtypes.astype(str))
    out = rscript(tmp_path, TWIN + """
set.seed(1)
d <- data.frame(text = sample(c("x", "y", "z"), 300, TRUE), f = factor(sample(c("p", "q"), 300, TRUE), levels = c("q", "p", "r")),
                x = rnorm(300), stringsAsFactors = FALSE)
one <- syn(d, seed = 1)
stopifnot(is.data.frame(one$synthetic), is.character(one$synthetic$text), identical(levels(one$synthetic$f), levels(d$f)))
two <- syn(d, m = 2, seed = 1)
stopifnot(is.list(two$synthetic), !is.data.frame(two$synthetic), length(two$synthetic) == 2,
          all(vapply(two$synthetic, function(s) is.character(s$text) && is.factor(s$f), logical(1))))
cat("shapes ok\\n")
""")
    assert "shapes ok" in out


def test_integer_columns_come_back_integer_in_r(tmp_path):
    # synthpop gives an integer column back as double after cart (a many-valued one without
    # NA), after a category (<= 5 values) under cart or parametric, and after a method drawing
    # in between; the README promises the column types that went in, as Python's Int64 does.
    out = rscript(tmp_path, TWIN + """
set.seed(3)
n <- 400
d <- data.frame(sex = sample(c("F", "M"), n, TRUE), `age (years)` = sample(18:90, n, TRUE),
                children = sample(0:3, n, TRUE), `days in hospital` = rpois(n, 12),
                smoker = sample(c(TRUE, FALSE), n, TRUE),
                ward = factor(sample(c("B", "A", "C"), n, TRUE), levels = c("C", "A", "B", "closed")),
                check.names = FALSE, stringsAsFactors = FALSE)
d$`days in hospital`[sample(n, 30)] <- NA
ints <- c("age (years)", "children", "days in hospital")
for (meth in c("cart", "parametric", "sample")) {
  res <- suppressWarnings(syn(d, method = meth, seed = 1))
  s <- res$synthetic
  stopifnot(identical(names(s), names(d)), is.integer(s$`age (years)`))
  for (v in ints) {
    raw <- as.numeric(res$object$syn[[make.names(v)]])
    # the values synthpop drew, NA where it drew NA: only the class is given back
    stopifnot(is.integer(s[[v]]), identical(is.na(s[[v]]), is.na(raw)), all(s[[v]] == raw, na.rm = TRUE))
  }
  stopifnot(anyNA(s$`days in hospital`), all(s$children %in% 0:3), is.character(s$sex), is.logical(s$smoker),
            is.factor(s$ward), identical(levels(s$ward), levels(d$ward)))
}
two <- suppressWarnings(syn(d, method = "cart", m = 2, seed = 1))
stopifnot(all(vapply(two$synthetic, function(s) all(vapply(s[ints], is.integer, logical(1))), logical(1))))
cut <- suppressWarnings(sdc(d, two, keys = c("sex", "age (years)"), rm_replicated_uniques = TRUE))
stopifnot(all(vapply(cut$synthetic, function(s) all(vapply(s[ints], is.integer, logical(1))), logical(1))))

# methods that draw between whole numbers: each value goes to the nearest one
syn.up <- function(y, x, xp, ...) list(res = rep(y, length.out = nrow(xp)) + 0.6, fit = "up")
syn.down <- function(y, x, xp, ...) list(res = rep(y, length.out = nrow(xp)) - 0.4, fit = "down")
e <- data.frame(sex = d$sex, `age (years)` = d$`age (years)`, balance = sample(-50:50, n, TRUE), check.names = FALSE)
res <- suppressWarnings(syn(e, method = c(sex = "sample", `age (years)` = "up", balance = "down"), seed = 1))
stopifnot(is.integer(res$synthetic$`age (years)`), identical(res$synthetic$`age (years)`, e$`age (years)` + 1L),
          is.integer(res$synthetic$balance), identical(res$synthetic$balance, e$balance))

# beyond R's integer range an integer column cannot hold the draws: whole doubles and a warning
syn.huge <- function(y, x, xp, ...) list(res = rep(y, length.out = nrow(xp)) + 3e9 + 0.6, fit = "huge")
said <- character()
res <- withCallingHandlers(syn(e[1:2], method = c(sex = "sample", `age (years)` = "huge"), seed = 1),
                           warning = function(w) { said <<- c(said, conditionMessage(w)); invokeRestart("muffleWarning") })
big <- res$synthetic$`age (years)`
stopifnot(is.double(big), identical(big, e$`age (years)` + 3e9 + 1),
          any(grepl("column 'age (years)' went in as integer", said, fixed = TRUE)))
cat("integers ok\\n")
""")
    assert "integers ok" in out


def test_the_documented_line_loads_the_twin_from_any_folder(tmp_path):
    exe = shutil.which("synthspectrum") or str(Path(sys.executable).parent / "synthspectrum")
    if not Path(exe).exists():
        pytest.skip("the synthspectrum command is not installed")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = elsewhere / "case.R"
    # the README's line, as an R user would run it from their own folder
    script.write_text('source(system2("synthspectrum", "r-twin", stdout = TRUE))\n'
                      'suppressMessages(library(synthpop))\n'
                      'res <- syn(SD2011[1:200, c("sex", "age")], seed = 1)\n'
                      'stopifnot(nrow(res$synthetic) == 200)\ncat("loaded from", getwd(), "\\n")\n')
    env = {**os.environ, "PATH": f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    res = subprocess.run(["Rscript", "--vanilla", str(script)], capture_output=True, text=True, timeout=300,
                         cwd=elsewhere, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert f"loaded from {elsewhere}" in res.stdout


def test_unusable_numbers_become_missing_the_same_way_in_python_and_r(tmp_path):
    rng = np.random.default_rng(2)
    n = 200
    x = rng.normal(50, 10, n)
    x[:3] = [np.inf, 1e20, -np.inf]
    df = pl.DataFrame({"x": x, "g": rng.choice(["a", "b"], n).tolist()})
    with pytest.warns(UserWarning) as record:
        res = sp.syn(df, method="sample", seed=1)
    py_msgs = [str(w.message) for w in record if "treated as missing" in str(w.message)]
    assert py_msgs == ["data, column 'x': 2 infinite value(s) and 1 value(s) of magnitude >= 1e+15 "
                       "treated as missing; such values are usually codes for 'unknown' "
                       "and would make every synthetic value absurd"]
    assert "1e+20" not in py_msgs[0]  # the value is not quoted: it may be a real record's
    assert py_msgs[0] in res.notes
    # "sample" draws the observed values: the three unusable ones can come back only as missing
    finite = set(x[3:])
    syn_x = res.synthetic["x"]
    assert set(syn_x.drop_nulls()) <= finite and syn_x.null_count() > 0
    out = rscript(tmp_path, TWIN + """
set.seed(1)
d <- data.frame(x = c(Inf, 1e20, -Inf, rnorm(197, 50, 10)), g = sample(c("a", "b"), 200, TRUE))
msgs <- character()
res <- withCallingHandlers(syn(d, method = "sample", seed = 1),
                           warning = function(w) { msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") })
stopifnot(all(res$synthetic$x[!is.na(res$synthetic$x)] %in% d$x[-(1:3)]), anyNA(res$synthetic$x))
cat(grep("treated as missing", msgs, value = TRUE), sep = "\\n")
""")
    assert out.strip().splitlines() == py_msgs


def _with_synthetic(result, synthetic: pl.DataFrame):
    """``result`` with synthpop's object holding ``synthetic`` instead: a pair we construct."""
    import dataclasses

    swap = ri.evalr("function(res, s) { res$object$syn <- s; res$object$k <- nrow(s); res }")
    return dataclasses.replace(result, robject=swap(result.robject, to_r(synthetic)[0]),
                               synthetic=synthetic)


def test_utility_gen_warns_when_synthpops_logistic_fit_separates():
    rng = np.random.default_rng(3)
    n = 400
    lv = pl.Enum(["a", "b", "c"])
    real = pl.DataFrame({"x": rng.normal(size=n),
                         "g": pl.Series(rng.choice(["a", "b", "c"], n, p=[0.45, 0.45, 0.1]).tolist(), dtype=lv)})
    res = sp.syn(real, seed=1)
    # no synthetic record in category "c": the propensity model separates its real records
    separated = _with_synthetic(res, pl.DataFrame({"x": rng.normal(size=n),
                                                   "g": pl.Series(rng.choice(["a", "b"], n).tolist(), dtype=lv)}))
    n_c = int((real["g"] == "c").sum())
    with pytest.warns(RWarning, match=rf"\(nearly\) separated: {n_c} of {2 * n} records have a fitted "
                                               r"probability of 0 or 1.*synthspectrum\.measures\.utility\.utility_gen"):
        sp.utility_gen(real, separated, method="logit", maxorder=0)
    # the same pair with "c" drawn like the real data: overlapping, no warning
    overlapping = _with_synthetic(res, pl.DataFrame({
        "x": rng.normal(size=n), "g": pl.Series(rng.choice(["a", "b", "c"], n, p=[0.45, 0.45, 0.1]).tolist(), dtype=lv)}))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RWarning)
        out = sp.utility_gen(real, overlapping, method="logit", maxorder=1)
    assert out.height == 6


def test_replicated_uniques_percent_is_of_the_real_records_whatever_synthpop(frozen_split):
    from synthspectrum.measures import privacy as pv

    train, syn, _ = frozen_split
    keys = ["age_band", "gender", "deprivation_decile"]
    res = _with_synthetic(sp.syn(train.select(keys), method="sample", seed=1), syn.select(keys))
    ours = sp.replicated_uniques(train.select(keys), res, keys)
    n, k = train.height, syn.height
    assert n != k  # so that the two denominators differ
    # synthpop's own table: the counts in column 1 (its percentages are of k before 1.9-3)
    ri.globalenv["res"] = res.robject
    r_keys = 'c("' + '", "'.join(keys) + '")'
    theirs = nums(f"replicated.uniques(res$object, d, keys = {r_keys})$res_tab[, 1]", d=train.select(keys))
    counts = [vals(ours, m)[0] for m in ["uniques_real", "uniques_synthetic", "synthetic_uniques_in_real",
                                         "replicated_uniques"]]
    native = pv.replicated_uniques(train, syn, keys)
    assert counts == theirs == native["value"].to_list()[:4]
    assert vals(ours, "replicated_uniques_percent") == [round(100 * counts[3] / n, 2)]
    assert ours.equals(native)


def test_compare_plot_shows_no_category_held_by_fewer_than_k_records(real, tmp_path):
    """Every string drawn, recorded: a category with 2 real records is pooled into "other", one
    with 6 is shown; the plot is drawn without pyplot, so the backend is left alone."""
    import matplotlib
    import matplotlib.text

    planted = real.with_columns(
        pl.when(pl.int_range(pl.len()) < 2).then(pl.lit("Zyrare"))
        .when(pl.int_range(pl.len()) < 8).then(pl.lit("Okcommon"))
        .otherwise(pl.col("treatment").cast(pl.String)).alias("treatment"))
    res = sp.syn(planted, method="sample", seed=3)
    cmp = sp.compare(planted, res, ["treatment"])
    backend = matplotlib.get_backend()
    fig = cmp.plot(str(tmp_path / "c.png"), k=5)
    assert matplotlib.get_backend() == backend
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert not [t for t in texts if "Zyrare" in t]
    assert "Okcommon" in texts and any(t.startswith("other (") for t in texts)
    assert "Zyrare" in cmp.tables["category"].to_list()  # the numbers are the user's, in full


def test_parametric_syn_skips_only_the_summaries_it_would_discard(real):
    # synthpop's polyreg ends with summary(multinom fit), kept only with models = TRUE; the twin
    # skips it otherwise (a fifth of the time). Expectations: synthpop's own data (above, and
    # here with a polyreg column), nnet's summary method back in place afterwards, also after
    # a call that fails, and the real summaries when models = TRUE is asked for.
    nnet_method = "identical(getS3method('summary', 'multinom'), nnet:::summary.multinom)"
    # count nnet's Hessian computations: none for syn(), some for syn(models = TRUE)
    direct("hess_calls <- 0; suppressMessages(trace('multinomHess', quote(hess_calls <<- hess_calls + 1), "
           "where = asNamespace('nnet'), print = FALSE))")
    try:
        ours = sp.syn(real, method="parametric", seed=4)
        assert int(direct("hess_calls")[0]) == 0
        kept = sp.syn(real, method="parametric", seed=4, models=True)
        assert int(direct("hess_calls")[0]) > 0
    finally:
        direct("suppressMessages(untrace('multinomHess', where = asNamespace('nnet')))")
    assert "polyreg" in ours.method.values()
    theirs = direct('synthpop::syn(d, method = "parametric", seed = 4, print.flag = FALSE)$syn', d=real)
    assert from_r(theirs, to_r(real)[1]).equals(ours.synthetic)
    assert bool(direct(nnet_method)[0])
    with pytest.raises(SynthpopError, match="syn.nosuch"):  # fails inside synthpop::syn
        sp.syn(real, method={"gender": "nosuch"}, seed=4)
    assert bool(direct(nnet_method)[0])
    ri.globalenv["o"] = kept.robject
    assert "summary.multinom" in list(direct("unique(unlist(lapply(o$object$models, class)))"))
    assert from_r(direct("o$object$syn"), to_r(real)[1]).equals(ours.synthetic)
