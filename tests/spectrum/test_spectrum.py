"""The spectrum: ordering measured on the bundled data, reproducibility, the config file,
failures and skips reported, clean output folders, and the report in a browser."""

import shutil
import subprocess

import numpy as np
import polars as pl
import pytest

from synthspectrum.cli import main
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.datasets.ae_tutorial import DEIDENTIFIED_COLUMNS as BUNDLED_AE_COLUMNS
from synthspectrum.datasets.ae_tutorial import SPECTRUM_KEYS, SPECTRUM_TARGET
from synthspectrum.spectrum import SpectrumConfig, explain, make_generator, run_spectrum, split, write_outputs
from synthspectrum.spectrum.base import Generator


def _synthpop_here() -> bool:
    return make_generator("synthpop-cart").available()[0]


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
    with pytest.raises(SynthSpectrumError, match="'m' must be at least 1"):
        SpectrumConfig.from_toml("m = 0")
    with pytest.raises(SynthSpectrumError, match="not valid TOML"):
        SpectrumConfig.from_toml("m = = 1")


class Broken(Generator):
    name = "broken"

    def fit(self, real, holdout=None):
        return self

    def sample(self, n):
        raise SynthSpectrumError("planted failure")


class Unavailable(Broken):
    name = "unavailable"

    def available(self):
        return False, "needs a thing this machine lacks"


def test_a_failing_generator_is_reported_and_the_run_goes_on(data, generator_registry):
    generator_registry.register_generator("broken", Broken)
    generator_registry.register_generator("unavailable", Unavailable)
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
    from synthspectrum.io.outputs import MANIFEST

    assert {p.name for p in out.iterdir()} == {"results.parquet", "results.csv", "runs.csv", "spectrum.toml",
                                               "frontier.png", "report.html", MANIFEST}
    assert pl.read_parquet(out / "results.parquet").equals(res.results)
    # an interruption while writing leaves the earlier complete folder and no partial one
    import synthspectrum.spectrum.files as files

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "plot_frontier", interrupted)
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
    syn = make_generator("random", seed=1).fit(data).sample(6000)
    assert syn.schema == data.schema and syn.null_count().sum_horizontal()[0] == 0
    # uniform over the category list, whatever the real frequencies were
    shares = syn["hospital"].value_counts(normalize=True)["proportion"].to_numpy()
    assert np.allclose(shares, 1 / 10, atol=0.02)
    assert syn["time_in_ae_minutes"].min() >= data["time_in_ae_minutes"].min()
    assert syn["time_in_ae_minutes"].max() <= data["time_in_ae_minutes"].max()


# --- issue 8: the numbers at small n, data other than the bundled set, the config, progress,
# --- failures that keep data values out of runs.csv


def test_small_data_keep_the_utility_axis_meaningful(ae_deid):
    # 300 records: 100 training records, 100 per synthetic set. In sample, a propensity model
    # with interactions separates even real holdout records from the training records.
    small = ae_deid.sample(300, seed=4)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_spectrum(small, generators=["random", "real-holdout"], m=2, progress=False)
    caught = [str(w.message) for w in caught]
    assert not [w for w in caught if "Even the reference" in w]
    hold, rnd = point(res, "real-holdout"), point(res, "random")
    assert res.config.utility_measure == "AUC_cv"
    # under the null the Mann-Whitney AUC has sd sqrt((n1 + n2 + 1) / (12 n1 n2))
    n1 = n2 = 100
    sd0 = np.sqrt((n1 + n2 + 1) / (12 * n1 * n2))
    assert abs(hold["utility_mean"] - 0.5) < 3 * sd0, hold
    assert rnd["utility_mean"] > 0.5 + 4 * sd0  # and it still tells random values apart
    # the in-sample AUC of the same sets is far from 0.5: what the out-of-sample measure fixes
    insample = res.results.filter((pl.col("generator") == "real-holdout") & (pl.col("measure") == "AUC"))
    assert insample["value"].mean() > 0.6
    assert any("main effects only" in n for n in res.notes)  # 200 records cannot fit 400+ columns


def test_data_too_wide_even_for_main_effects_say_the_propensity_measures_cannot_rank():
    # 70 numeric columns, 30 training records (a third of 90): against 30 synthetic ones, 60
    # records for 71 columns (70 slopes and the intercept); maxorder 1 would add the 2,415 pairs
    rng = np.random.default_rng(1)
    wide = pl.DataFrame({f"c{j:02d}": rng.normal(size=90).round(2) for j in range(70)})
    res = run_spectrum(wide, generators=["random", "real-holdout"], m=1, progress=False)
    note = [n for n in res.notes if "too wide" in n]
    assert len(note) == 1, res.notes
    assert "with 60 records" in note[0] and "even main effects give it 71 columns" in note[0]
    assert "maxorder 1 would give 2,486 columns" in note[0]
    assert not [n for n in res.notes if "main effects only" in n]
    insample = res.results.filter((pl.col("measure") == "AUC") & (pl.col("generator") == "real-holdout"))
    assert insample["value"].item() > 0.9  # what the note warns of: the reference, "separated"


def test_a_reference_far_from_best_is_warned_about(ae_deid):
    small = ae_deid.sample(300, seed=4)
    with pytest.warns(UserWarning, match="Even the reference, real records no generator saw, scores AUC"):
        res = run_spectrum(small, generators=["real-holdout"], m=1, utility_measure="AUC", progress=False)
    assert any("Even the reference" in line for line in explain(res))


def test_bundled_columns_are_those_of_the_bundled_data(ae_deid):
    assert BUNDLED_AE_COLUMNS == set(ae_deid.columns)


def test_any_data_runs_without_keys_and_says_what_it_skipped(ae_deid):
    rng = np.random.default_rng(3)
    n = 600
    other = pl.DataFrame({"height": rng.normal(170, 10, n), "weight": rng.normal(70, 12, n),
                          "smoker": rng.choice(["yes", "no"], n)})
    res = run_spectrum(other, generators=["random", "real-holdout"], m=1, progress=False)
    assert res.config.keys == [] and res.config.target == ""
    assert set(res.runs.filter(pl.col("status") == "ok")["generator"]) == {"random", "real-holdout"}
    measured = set(res.results["measure"])
    assert "share_closer_to_training" in measured and "AUC_cv" in measured
    assert not {"replicated_uniques_percent", "DiSCO"} & measured
    skipped = res.runs.filter(pl.col("generator") == "measures")
    assert skipped["status"].to_list() == ["skipped"] and "replicated uniques" in skipped["message"][0]
    assert any(line.startswith("Measures skipped:") and "need keys" in line for line in explain(res))
    # a key that is not a column: one line with a config example
    with pytest.raises(SynthSpectrumError, match=r'no key column .sex.*keys = \["height", "weight"\]') as err:
        run_spectrum(other, generators=["random"], m=1, keys=["sex"], progress=False)
    assert "\n" not in str(err.value)
    with pytest.raises(SynthSpectrumError, match="needs keys"):
        run_spectrum(other, generators=["random"], m=1, risk_measure="DiSCO", progress=False)
    with pytest.raises(SynthSpectrumError, match="also one of the keys"):
        run_spectrum(ae_deid.head(600), generators=["random"], keys=["gender", "admitted"], target="admitted")
    # the bundled data (some of its rows) keep their default keys and target
    res = run_spectrum(ae_deid.head(600), generators=["random"], m=1, progress=False)
    assert res.config.keys == list(SPECTRUM_KEYS) and res.config.target == SPECTRUM_TARGET
    assert "replicated_uniques_percent" in set(res.results["measure"])


@pytest.mark.parametrize("toml, setting", [
    ('m = "three"', "'m'"), ('keys = "sex"', "'keys'"), ("maxorder = -1", "'maxorder'"),
    ("seed = -1", "'seed'"), ("seed = 2147484", "'seed'"), ("seed = 1.5", "'seed'"),
    ("max_records = -5", "'max_records'"), ('generators = ["random", "nope"]', "unknown generator 'nope'"),
    ("m = true", "'m'"), ("holdout_fraction = 1.5", "'holdout_fraction'"), ("cv_folds = 1", "'cv_folds'"),
    ("target = 3", "'target'"), ('utility_measure = "auc"', "'utility_measure'"),
])
def test_bad_settings_get_one_line_naming_them(toml, setting):
    with pytest.raises(SynthSpectrumError) as err:
        SpectrumConfig.from_toml(toml)
    assert setting in str(err.value) and "\n" not in str(err.value)


def test_the_largest_seed_keeps_every_derived_seed_valid():
    # synthetic sets are seeded seed * 1000 + i (i < m), the split seed + 1; R's set.seed takes
    # a 32-bit signed integer
    for m in (1, 3, 7):
        largest = (2**31 - 1 - (m - 1)) // 1000
        SpectrumConfig(m=m, seed=largest).validate()
        assert largest * 1000 + m - 1 <= 2**31 - 1
        with pytest.raises(SynthSpectrumError, match="'seed'"):
            SpectrumConfig(m=m, seed=largest + 1).validate()
    with pytest.raises(SynthSpectrumError, match="unknown setting.*seeed"):
        run_spectrum(pl.DataFrame({"x": [1.0, 2.0, 3.0]}), seeed=1, progress=False)


def test_progress_counts_runs_and_estimates_the_time_left(data, capsys, generator_registry):
    generator_registry.register_generator("unavailable", Unavailable)
    # one process: the runs finish in the order of a plain loop, which the counts below follow
    run_spectrum(data.head(600), generators=["random", "unavailable", "real-holdout"], m=2, jobs=1, progress=False)
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("[")]
    assert [x.split("]")[0] + "]" for x in lines] == ["[1/6]", "[2/6]", "[4/6]", "[5/6]", "[6/6]"]
    import re

    worked = [1, 2, 2, 3, 4]  # skipped runs take no time and do not count toward the rate
    for line, done, k in zip(lines[:-1], (1, 2, 4, 5), worked):
        elapsed, left = map(float, re.search(r"elapsed ([\d.]+) s, about ([\d.]+) s left", line).groups())
        # left = elapsed / runs that did work x runs to go, each printed to 0.1 s
        assert abs(left - elapsed / k * (6 - done)) <= 0.05 * (6 - done) / k + 0.051, line
    assert lines[-1].endswith("done")


class Leaky(Broken):
    name = "leaky"

    def sample(self, n):
        raise RuntimeError("could not parse value 'Zebedee Quartermaine' in column name")


class LeakyFit(Broken):
    name = "leaky-fit"

    def fit(self, real, holdout=None):
        raise ValueError("bad value 1987-03-04 for a date")


def test_failure_messages_keep_data_values_out_of_runs(data, tmp_path, generator_registry):
    generator_registry.register_generator("leaky", Leaky)
    generator_registry.register_generator("leaky-fit", LeakyFit)
    generator_registry.register_generator("broken", Broken)
    res = run_spectrum(data.head(600), generators=["leaky", "leaky-fit", "broken", "random"], m=2, progress=False)
    assert res.n_runs == 8 and res.n_failed == 2 + 2 + 2
    text = " ".join(res.runs["message"].to_list()) + " ".join(explain(res))
    assert "Zebedee" not in text and "1987" not in text
    assert "RuntimeError" in text and "fit: ValueError" in text
    assert "planted failure" in text  # our own errors name no value and are kept
    assert [d["text"] for d in res.error_details if d["generator"] == "leaky"][0].endswith("column name")
    res.runs.write_csv(tmp_path / "runs.csv")
    assert "Zebedee" not in (tmp_path / "runs.csv").read_text()


def test_progress_on_a_terminal_is_a_bar_with_the_time_left(data, capsys):
    run_spectrum(data.head(600), generators=["random", "real-holdout"], m=1, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "[1/2]" not in err  # tqdm's k/N, not the line per run
    assert "<" in err  # tqdm's [elapsed<remaining]


def test_every_generator_sees_the_number_policy(ae_deid):
    """A sentinel 9.2e18 in one record must not reach the random generator's range (it would make
    every synthetic value absurd); it is treated as missing, with a warning naming the column."""
    import warnings

    real = ae_deid.head(400).with_columns(pl.col("time_in_ae_minutes").cast(pl.Int64))
    real = real.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit(2**63 - 1))
                             .otherwise(pl.col("time_in_ae_minutes")).alias("time_in_ae_minutes"))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = run_spectrum(real, generators=["random"], m=1, progress=False)
    assert any("'time_in_ae_minutes'" in str(w.message) and "treated as missing" in str(w.message) for w in rec)
    assert res.runs.filter(pl.col("generator") == "random")["status"].to_list() == ["ok"]
    ks = res.results.filter((pl.col("measure") == "KSComplement") & (pl.col("column") == "time_in_ae_minutes"))
    assert ks["value"][0] > 0.2  # uniform over the real range, not over [0, 9.2e18]


def test_identifier_columns_are_left_out_of_every_run_and_named(ae_deid):
    """A steward's file has an ID and a free-text column: synthpop refuses them and they carry no
    utility, so the spectrum leaves them out (names only in the note) unless asked to keep them."""
    import warnings

    real = ae_deid.head(600).with_columns(
        pl.Series("patient id", [f"P{i:05d}" for i in range(600)]),
        pl.Series("notes", [f"seen on visit {i} by Dr Qz{i}" for i in range(600)]))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = run_spectrum(real, generators=["random", "synthpop-cart"], m=1, progress=False)
    assert any("Left out of every run: 'patient id', 'notes'" in str(w.message) for w in rec)
    assert any("'patient id', 'notes'" in n for n in res.notes)
    assert not res.results.filter(pl.col("column").is_in(["patient id", "notes"])).height
    statuses = dict(res.runs.select("generator", "status").iter_rows())
    assert statuses["random"] == "ok" and statuses["synthpop-cart"] in ("ok", "skipped")
    assert not any("Qz" in (m or "") for m in res.runs["message"].to_list())
    kept = run_spectrum(real, generators=["random"], m=1, progress=False, drop_identifiers=False)
    assert kept.results.filter(pl.col("column") == "notes").height
    with pytest.raises(SynthSpectrumError, match="exclude"):
        run_spectrum(real, generators=["random"], m=1, progress=False, exclude=["nope"])


def test_a_librarys_words_inside_our_error_never_reach_the_runs_table(ae_deid, tmp_path):
    """patsy quotes the offending data value; our error carries its words as ``detail``, which the
    runs table and report withhold while the message (naming the formula) is kept."""
    real = ae_deid.head(600).with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("Qzsecret")).otherwise(pl.col("treatment").cast(pl.String))
        .alias("treatment"))
    res = run_spectrum(real, generators=["random"], m=1, progress=False,
                       formula="time_in_ae_minutes ~ C(treatment, levels=['Qzother'])")
    run = res.runs.filter(pl.col("generator") == "random")
    assert run["status"].to_list() == ["failed"]
    assert "cannot be fitted" in run["message"][0] and "withheld" in run["message"][0]
    values = [v for v in real["treatment"].unique().to_list() if v]
    write_outputs(res, tmp_path / "out")
    for name in ("runs.csv", "report.html"):
        text = (tmp_path / "out" / name).read_text()
        assert not [v for v in values if f"'{v}'" in text], name
    # patsy's own words, which quote a real value, are kept in memory for the user
    assert any("observation with value" in d["text"] for d in res.error_details)
