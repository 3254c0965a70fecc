"""The spectrum: ordering measured on the bundled data, reproducibility, the config file,
failures and skips reported, clean output folders, and the report in a browser."""

import shutil
import subprocess

import numpy as np
import polars as pl
import pytest

from synthspectrum import generators as gens
from synthspectrum.cli import main
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.spectrum import SpectrumConfig, explain, run_spectrum, split, write_outputs


def _synthpop_here() -> bool:
    return gens.make_generator("synthpop-cart").available()[0]


@pytest.fixture(scope="module")
def data(ae_deid):
    return ae_deid.sample(3000, seed=4)


@pytest.fixture(scope="module")
def spectrum(ae_deid):
    # the whole bundled data: with fewer records the interaction model overfits every set alike
    names = ["random", "metasyn", "synthpop-cart", "real-holdout"]
    return run_spectrum(ae_deid, generators=names, m=2, progress=False)


def point(result, generator):
    pts = result.frontier_points().filter(pl.col("generator") == generator)
    assert pts.height == 1, generator
    return pts.row(0, named=True)


def test_the_spectrum_orders_as_it_promises(spectrum, ae_deid):
    rnd, meta, hold = point(spectrum, "random"), point(spectrum, "metasyn"), point(spectrum, "real-holdout")
    # utility: propensity AUC, lower is better; random is far worse than any model of the data
    assert rnd["utility_mean"] > meta["utility_mean"] + 0.1
    assert rnd["utility_mean"] > hold["utility_mean"] + 0.2
    assert hold["utility_mean"] < meta["utility_mean"]  # real records keep the relations metasyn drops
    # risk: random and real holdout records are no closer to the training data than to unseen data
    assert abs(rnd["risk_mean"] - 0.5) < 0.05 and abs(hold["risk_mean"] - 0.5) < 0.05
    # random's replicated uniques are at chance level: a uniform draw of k records over C key
    # cells repeats a real unique's cell exactly once with probability k (1/C) (1 - 1/C)^(k-1)
    train, _ = split(ae_deid, spectrum.config.holdout_fraction, spectrum.config.seed)
    keys = spectrum.config.keys
    cells = int(np.prod([train.get_column(k).drop_nulls().n_unique() for k in keys]))
    counts = train.drop_nulls(keys).group_by(keys).len()
    uniques = counts.filter(pl.col("len") == 1).height
    k = train.height
    p = k / cells * (1 - 1 / cells) ** (k - 1)
    expected, sd = uniques * p, np.sqrt(uniques * p * (1 - p) / spectrum.config.m)
    rep = spectrum.results.filter((pl.col("measure") == "replicated_uniques_percent") & (pl.col("generator") == "random"))
    observed = rep["value"].mean() / 100 * train.height
    assert abs(observed - expected) < 4 * sd, (observed, expected, sd)
    if _synthpop_here():
        cart = point(spectrum, "synthpop-cart")
        assert rnd["utility_mean"] > cart["utility_mean"] + 0.2  # CART's utility beats random's widely
        assert cart["utility_mean"] < meta["utility_mean"]  # and metasyn's: it keeps relations
        assert cart["risk_mean"] > hold["risk_mean"] + 0.03  # ... at a price in privacy
    else:
        runs = spectrum.runs.filter(pl.col("generator") == "synthpop-cart")
        assert runs["status"].to_list() == ["skipped"] and "synthpop" in runs["message"][0]


def test_reproducible_with_fixed_seeds(data):
    a = run_spectrum(data.head(1200), generators=["random", "metasyn"], m=2, progress=False)
    b = run_spectrum(data.head(1200), generators=["random", "metasyn"], m=2, progress=False)
    assert a.results.equals(b.results)
    c = run_spectrum(data.head(1200), generators=["random", "metasyn"], m=2, seed=2, progress=False)
    assert not a.results.equals(c.results)


def test_config_round_trip(tmp_path):
    cfg = SpectrumConfig(data="ae_deidentified", generators=["random", "synthpop-cart-smooth"], m=4, seed=9,
                         generator_options={"synthpop-cart-smooth": {"minbucket": 50}}, formula="admitted ~ age_band",
                         family="binomial")
    path = tmp_path / "spectrum.toml"
    path.write_text(cfg.to_toml())
    assert SpectrumConfig.from_toml(path) == cfg
    with pytest.raises(SynthSpectrumError, match="unknown setting.*generatorz"):
        SpectrumConfig.from_toml('generatorz = ["random"]')
    with pytest.raises(SynthSpectrumError, match="m must be at least 1"):
        SpectrumConfig.from_toml("m = 0")
    with pytest.raises(SynthSpectrumError, match="not valid TOML"):
        SpectrumConfig.from_toml("m = = 1")


class Broken:
    name = "broken"

    def available(self):
        return True, ""

    def fit(self, train, seed, holdout=None):
        pass

    def sample(self, n, seed):
        raise RuntimeError("synthpop raised: planted failure")


class Unavailable(Broken):
    name = "unavailable"

    def available(self):
        return False, "needs a thing this machine lacks"


def test_a_failing_generator_is_reported_and_the_run_goes_on(data):
    gens.register_generator("broken", lambda **o: Broken())
    gens.register_generator("unavailable", lambda **o: Unavailable())
    res = run_spectrum(data.head(900), generators=["broken", "random", "unavailable"], m=2, progress=False)
    status = dict(res.runs.group_by("generator").agg(pl.col("status").first()).iter_rows())
    assert status == {"broken": "failed", "random": "ok", "unavailable": "skipped"}
    assert set(res.results["generator"]) == {"random"}
    text = " ".join(explain(res))
    assert "broken failed" in text and "planted failure" in text and "unavailable was skipped" in text
    with pytest.raises(SynthSpectrumError, match="unknown generator 'nope'"):
        run_spectrum(data.head(900), generators=["nope"], progress=False)


def test_outputs_are_complete_or_absent(data, tmp_path, monkeypatch):
    res = run_spectrum(data.head(900), generators=["random", "real-holdout"], m=1, progress=False)
    out = write_outputs(res, tmp_path / "spec")
    assert {p.name for p in out.iterdir()} == {"results.parquet", "results.csv", "runs.csv", "spectrum.toml",
                                               "frontier.png", "report.html"}
    assert pl.read_parquet(out / "results.parquet").equals(res.results)
    # an interruption while writing leaves the earlier complete folder and no partial one
    import synthspectrum.spectrum as spectrum_mod

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(spectrum_mod, "plot_frontier", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(res, tmp_path / "spec")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec"]
    assert (tmp_path / "spec" / "report.html").exists()


def test_report_shows_the_frontier_in_chromium(spectrum, tmp_path):
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None)
    if browser is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); .ci/run installs it")
    out = write_outputs(spectrum, tmp_path / "spec")
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", (out / "report.html").as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0
    assert 'id="frontier"' in dom.stdout and "alt=\"privacy-utility frontier\"" in dom.stdout
    assert 'id="headline"' in dom.stdout and "real-holdout" in dom.stdout


def test_cli_spectrum(data, tmp_path, capsys):
    src = tmp_path / "d.parquet"
    data.head(900).write_parquet(src)
    cfg = tmp_path / "s.toml"
    cfg.write_text(SpectrumConfig(data=str(src), generators=["random", "metasyn"], m=1).to_toml())
    code = main(["spectrum", "--config", str(cfg), "-o", str(tmp_path / "out")])
    assert code == 0
    assert "From random to metasyn" in capsys.readouterr().out
    assert (tmp_path / "out" / "report.html").exists()
    code = main(["spectrum", str(src), "--generators", "nope", "-o", str(tmp_path / "o2")])
    assert code == 1 and "unknown generator" in capsys.readouterr().err
    assert not (tmp_path / "o2").exists()


def test_random_generator_is_type_consistent_and_frequency_free(data):
    g = gens.make_generator("random")
    g.fit(data, seed=1)
    syn = g.sample(6000, seed=1)
    assert syn.schema == data.schema and syn.null_count().sum_horizontal()[0] == 0
    # uniform over the category list, whatever the real frequencies were
    shares = syn["hospital"].value_counts(normalize=True)["proportion"].to_numpy()
    assert np.allclose(shares, 1 / 10, atol=0.02)
    assert syn["time_in_ae_minutes"].min() >= data["time_in_ae_minutes"].min()
    assert syn["time_in_ae_minutes"].max() <= data["time_in_ae_minutes"].max()
