"""synthpop from Python and the R twin: the same numbers as calling synthpop directly in R.

Skips as a whole, with the reason in the summary, where R, rpy2 or synthpop is missing.
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthspectrum.errors import ColumnError, RNotAvailableError

try:
    from synthspectrum import rsession
    from synthspectrum import synthpop as sp
    from synthspectrum.rbridge import from_r, rinterface, to_r

    rsession.twin()
    ri = rinterface()
except RNotAvailableError as exc:  # also SynthpopNotInstalledError
    pytest.skip(f"synthpop not available: {exc}", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.mark.parametrize("method", ["cart", "parametric", "sample"])
def test_syn_equals_direct_synthpop(real, method):
    ours = sp.syn(real, method=method, seed=11)
    theirs = direct(f'synthpop::syn(d, method = "{method}", seed = 11, print.flag = FALSE)$syn', d=real)
    assert from_r(theirs, to_r(real)[1]).equals(ours.synthetic)
    assert ours.synthetic.schema == real.schema
    assert ours.visit_sequence == real.columns
    assert set(ours.method.values()) <= {"sample", "cart", "polyreg", "logreg", "normrank", "polr", ""}


def test_methods_per_column_and_smoothing(real):
    with pytest.warns(rsession.RWarning, match="column 'gender' has no method: synthpop copies its REAL values"):
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
    ours = sp.utility_gen(result if m == 1 else result3, real, method="logit", maxorder=0)
    assert ours.height == m
    for stat in ["pMSE", "S_pMSE", "SPECKS", "PO50"]:
        theirs = nums(f'utility.gen({_synds(m)}, d, method = "logit", maxorder = 0, print.flag = FALSE)${stat}', d=real)
        assert ours[stat].to_list() == pytest.approx(theirs, rel=1e-9), stat


def test_utility_tab_equals_direct(real, result):
    ours = sp.utility_tab(result, real, ["age_band", "treatment"])
    for stat in ["pMSE", "S_pMSE", "df", "VW", "FT", "JSD"]:
        theirs = nums(f'utility.tab({_synds(1)}, d, vars = c("age_band", "treatment"), print.flag = FALSE)${stat}', d=real)
        assert ours[stat].to_list() == pytest.approx(theirs, rel=1e-9), stat


def test_utility_tables_equals_direct(real, result):
    ours = sp.utility_tables(result, real, vars=["age_band", "gender", "treatment"])
    assert ours.height == 3 and ours["table"][0].endswith("gender")
    theirs = nums(f'utility.tables({_synds(1)}, d, vars = c("age_band", "gender", "treatment"), plot = FALSE, print.flag = FALSE)$tabs[, "S_pMSE"]', d=real)
    assert ours["S_pMSE"].to_list() == pytest.approx(theirs)


def test_replicated_uniques_and_disclosure_equal_direct(real, result):
    ru = sp.replicated_uniques(result, real, KEYS)
    keys = 'c("' + '", "'.join(KEYS) + '")'
    theirs = nums(f"replicated.uniques({_synds(1)}, d, keys = {keys})$res_tab[, 1]", d=real)
    assert ru["number"].to_list() == theirs
    dis = sp.disclosure(result, real, KEYS[:3], "admitted")
    ident = nums(f'disclosure({_synds(1)}, d, keys = {keys}[1:3], target = "admitted", print.flag = FALSE)$ident', d=real)
    attrib = nums(f'disclosure({_synds(1)}, d, keys = {keys}[1:3], target = "admitted", print.flag = FALSE)$attrib', d=real)
    assert dis.ident.drop("m").row(0) == pytest.approx(ident)
    assert dis.attrib.drop("m").row(0) == pytest.approx(attrib, nan_ok=True)
    multi = sp.multi_disclosure(result, real, KEYS[:3], ["admitted", "treatment"])
    assert multi["target"].to_list() == ["admitted", "treatment"]
    assert multi.filter(pl.col("target") == "admitted")["DiSCO"][0] == pytest.approx(dis.attrib["DiSCO"][0])


def test_sdc_removes_replicated_uniques(real, result, capsys):
    cleaned = sp.sdc(result, real, keys=KEYS, rm_replicated_uniques=True)
    n_rep = sp.replicated_uniques(result, real, KEYS).filter(pl.col("measure") == "Replicated uniques")["number"][0]
    assert cleaned.synthetic.height == result.synthetic.height - n_rep
    assert capsys.readouterr().out == ""  # synthpop's console chatter only with verbose=True
    sp.sdc(result, real, keys=KEYS, rm_replicated_uniques=True, verbose=True)
    assert "replicated uniques removed" in capsys.readouterr().out


def test_compare_and_fits_equal_direct(real, result, tmp_path):
    cmp = sp.compare(result, real, ["age_band", "time_in_ae_minutes"])
    theirs = nums(f'compare({_synds(1)}, d, vars = c("age_band", "time_in_ae_minutes"), plot = FALSE, print.flag = FALSE)$tab.utility[, "S_pMSE"]', d=real)
    assert cmp.utility["S_pMSE"].to_list() == pytest.approx(theirs)
    age = cmp.tables.filter((pl.col("variable") == "age_band") & (pl.col("source") == "observed"))
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
    with pytest.warns(rsession.RWarning, match="column 'big' has 30 levels"):
        res = sp.syn(df, seed=1)
    assert any("big" in note for note in res.notes)
    assert res.synthetic.schema == df.schema


def test_a_number_with_few_values_is_synthesised_as_a_category():
    rng = np.random.default_rng(3)
    df = pl.DataFrame({"flag": rng.integers(0, 2, 400), "x": rng.normal(size=400)})
    with pytest.warns(rsession.RWarning, match="column 'flag' has at most 5 distinct values"):
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
    with pytest.raises(rsession.SynthpopError, match=r"synthpop syn\(\) failed: column 'free': text with 100"):
        sp.syn(text, maxfaclevels=60)
    with pytest.raises(rsession.SynthpopError, match=r"synthpop glm_synds\(\)|synthpop compare_fit\(\)"):
        sp.compare_fit(sp.glm_synds("admitted ~ no_such_column", sp.syn(real.head(200), seed=1)), real)


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not on PATH")
def test_the_r_twin_from_rscript_gives_synthpops_numbers(tmp_path):
    script = tmp_path / "twin.R"
    script.write_text(f"""
suppressMessages(library(synthpop))
source("{ROOT / 'r' / 'synthspectrum.R'}")
d <- SD2011[1:400, c("sex", "age", "edu", "marital", "income")]
ours <- syn(d, seed = 9)
theirs <- synthpop::syn(d, seed = 9, print.flag = FALSE)
stopifnot(identical(ours$synthetic[[1]], theirs$syn))
u <- utility_gen(ours, d, method = "logit", maxorder = 0)
v <- utility.gen(theirs, d, method = "logit", maxorder = 0, print.flag = FALSE)
stopifnot(isTRUE(all.equal(u$pMSE, v$pMSE)), isTRUE(all.equal(u$S_pMSE, v$S_pMSE)))
r1 <- replicated_uniques(ours, d, keys = c("sex", "age", "edu"))
r2 <- replicated.uniques(theirs, d, keys = c("sex", "age", "edu"))
stopifnot(all(r1$number == r2$res_tab[, 1]))
cat("twin ok\\n")
""")
    res = subprocess.run(["Rscript", "--vanilla", str(script)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "twin ok" in res.stdout
