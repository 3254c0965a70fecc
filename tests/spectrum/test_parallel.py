"""The spectrum on several processes gives the numbers of one process, to the last bit: local
workers (joblib), a Dask cluster started here, a worker that dies, workers that cannot start or
stop as they start, and the settings' errors."""

import os

import polars as pl
import pytest

from synthspectrum.cli import main
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.spectrum import SpectrumConfig, make_generator, run_spectrum
from synthspectrum.spectrum.base import Generator

NAMES = ["random", "metasyn", "real-holdout"]


def _names():
    # with synthpop here, a generator whose workers start R takes part as well
    return NAMES + (["synthpop-cart"] if make_generator("synthpop-cart").available()[0] else [])


@pytest.fixture(scope="module")
def data(ae_deid):
    return ae_deid.sample(1500, seed=11)


@pytest.fixture(scope="module")
def one_process(data):
    return run_spectrum(data, generators=_names(), m=2, jobs=1, progress=False)


def _same_runs(a, b):
    cols = ["generator", "seed", "status"]  # messages and seconds hold timings
    assert a.runs.select(cols).equals(b.runs.select(cols))


def test_local_workers_give_the_numbers_of_one_process(data, one_process):
    two = run_spectrum(data, generators=_names(), m=2, jobs=2, progress=False)
    assert one_process.results.height > 0 and one_process.n_failed == 0
    # equals: the same rows in the same order and every float the same bit pattern (NaN == NaN)
    assert two.results.equals(one_process.results)
    _same_runs(two, one_process)
    assert two.config.jobs == 2 and one_process.config.jobs == 1


def test_a_dask_cluster_gives_the_numbers_of_one_process(data, one_process):
    # metasyn included: it draws from the process-wide random streams, which a Dask worker's event
    # loop also reads (sizing each message it sends samples with random.sample), so on Dask its
    # draw runs in a process of its own; without that, one message during a draw shifted its rows.
    # Such a message comes at random; here each worker's loop sizes one every 2 ms, as
    # distributed.comm.utils.to_frames sizes what it sends, so that one always comes.
    distributed = pytest.importorskip("distributed", reason="Dask's distributed package is not installed")
    names = _names()

    async def size_messages(dask_worker):  # defined here: it travels to the workers by value
        from dask.sizeof import sizeof
        from tornado.ioloop import PeriodicCallback

        dask_worker.sizing_messages = PeriodicCallback(lambda: sizeof(list(range(20))), 2)
        dask_worker.sizing_messages.start()

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        client.run(size_messages)
        res = run_spectrum(data, generators=names, m=2, backend="dask", scheduler=cluster.scheduler_address,
                           progress=False)
    expected = one_process.results.filter(pl.col("generator").is_in(names))
    assert res.results.height == expected.height > 0
    assert res.results.equals(expected)
    cols = ["generator", "seed", "status"]
    assert res.runs.select(cols).equals(one_process.runs.filter(pl.col("generator").is_in(names)).select(cols))


def _dying_generator():
    # defined in a function so that it travels to the worker by value (cloudpickle), as a
    # generator written in a user's script does
    class Dies(Generator):
        name = "dies"

        def fit(self, real, holdout=None):
            self.real_ = real
            return self

        def sample(self, n):
            if self.seed % 2:  # one of the two seeds: the worker process ends at once, as in a crash
                os._exit(3)
            return self.check_fitted("real_").head(n)

    return Dies


def test_a_worker_that_dies_fails_its_run_and_the_others_go_on(data, monkeypatch):
    from synthspectrum.spectrum import registry

    monkeypatch.setitem(registry.REGISTERED, "dies", _dying_generator())
    res = run_spectrum(data, generators=["random", "dies"], m=2, jobs=2, progress=False)
    runs = {(r["generator"], r["seed"]): r for r in res.runs.iter_rows(named=True)}
    assert runs[("dies", 1001)]["status"] == "failed"
    assert "worker process" in runs[("dies", 1001)]["message"]
    assert runs[("dies", 1000)]["status"] == "ok"
    # the runs the dead worker's pool took down with it were run again: none is lost
    assert [runs[("random", s)]["status"] for s in (1000, 1001)] == ["ok", "ok"]
    assert res.results.filter(pl.col("generator") == "dies")["seed"].unique().to_list() == [1000]


def test_where_no_worker_can_start_the_run_goes_on_in_this_process(data, monkeypatch):
    # as when Python was started from R and loads R's libpython build: spawning fails at once
    from synthspectrum.spectrum import engines

    class NoProcesses:
        def submit(self, fn, *args):
            raise AttributeError("'_thread.RLock' object has no attribute '_recursion_count'")

    monkeypatch.setattr(engines.JoblibEngine, "_start", lambda self, lane: NoProcesses())
    names = ["random", "real-holdout"]
    with pytest.warns(RuntimeWarning, match="could not start worker processes here .*one at a time in this process"):
        res = run_spectrum(data, generators=names, m=2, jobs=2, progress=False)
    assert res.results.equals(run_spectrum(data, generators=names, m=2, jobs=1, progress=False).results)


@pytest.mark.parametrize("name", ["metasyn", "metasyn-disclosure"])
def test_a_fitted_metasyn_generator_draws_the_same_rows_after_pickling(data, name):
    # what a worker receives: pickled, metasyn's scipy distributions kept a private copy of
    # numpy's global random state, and the copy drew other rows for the same seed
    import pickle

    gen = make_generator(name, seed=1).fit(data)
    here = gen.set_params(seed=1000).sample(500)
    there = pickle.loads(pickle.dumps(gen)).set_params(seed=1000).sample(500)
    assert there.equals(here) and there.schema == here.schema


def test_a_fitted_metasyn_generator_travels_without_metasyns_schema_check(data, monkeypatch):
    # our own to_dict() of a model just fitted: checking it against the GMF schema cost 0.5 s at
    # every draw in a worker. A user's model file is still checked.
    import pickle

    import jsonschema

    from synthspectrum.errors import SynthSpectrumError
    from synthspectrum.metadata.model import model_from_gmf

    gen = make_generator("metasyn", seed=1).fit(data.head(300))
    state = pickle.dumps(gen)
    calls = []
    monkeypatch.setattr(jsonschema, "validate", lambda *a, **k: calls.append(1))
    pickle.loads(state)
    assert calls == []
    model_from_gmf(gen.model_.to_dict(), "a user's model")
    assert calls == [1]
    monkeypatch.undo()
    broken = gen.model_.to_dict()
    broken["tables"][0]["n_rows"] = "many"
    with pytest.raises(SynthSpectrumError, match="a user's model is not a valid GMF model"):
        model_from_gmf(broken, "a user's model")


@pytest.mark.parametrize("settings, message", [
    ({"jobs": 0}, "'jobs' must be -1 (one per core) or at least 1"),
    ({"jobs": -2}, "'jobs' must be at least -1"),
    ({"jobs": 1.5}, "'jobs' must be a whole number"),
    ({"backend": "ray"}, "'backend' must be 'joblib'"),
    ({"scheduler": 8786}, "'scheduler' must be a Dask scheduler's address"),
])
def test_bad_parallel_settings_name_the_setting(settings, message):
    with pytest.raises(SynthSpectrumError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SpectrumConfig(**settings).validate()


def test_dask_without_an_address_says_how_to_give_one(data, monkeypatch):
    pytest.importorskip("distributed", reason="Dask's distributed package is not installed")
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    with pytest.raises(SynthSpectrumError, match="needs the scheduler's address: --scheduler"):
        run_spectrum(data, generators=["random"], m=1, backend="dask", progress=False)


def test_the_cli_refuses_jobs_zero(capsys):
    with pytest.raises(SystemExit):
        main(["spectrum", "--jobs", "0", "-o", "unused"])
    assert "--jobs must be -1 (one per core) or at least 1, got 0" in capsys.readouterr().err


def test_parallel_settings_round_trip_the_config_file():
    cfg = SpectrumConfig(jobs=2, backend="dask", scheduler="tcp://10.0.0.5:8786")
    again = SpectrumConfig.from_toml(cfg.to_toml())
    assert (again.jobs, again.backend, again.scheduler) == (2, "dask", "tcp://10.0.0.5:8786")


def test_only_the_r_lane_starts_r_unless_r_tasks_would_wait(data):
    # two workers: one starts R with synthpop, the other does not, and takes the tasks that need
    # no R; an R task of unknown time (no draw of its generator done yet) counts as long, so with
    # nothing else to do the plain worker starts R for it rather than wait
    ok, why = make_generator("synthpop-sample").available()
    if not ok:
        pytest.skip(f"needs synthpop: {why}")
    from synthspectrum.spectrum import engines, tasks
    from synthspectrum.spectrum.generators import SynthpopGenerator

    engine = engines.JoblibEngine(2, (SynthpopGenerator,))
    assert engine.lanes == {"r": 1, "plain": 1}
    for pool in engine._executors.values():  # fresh workers, whatever earlier tests left running
        pool.shutdown(wait=True, kill_workers=True)
    engines._PLAIN_POOLS.clear()
    names = ["random", "metasyn", "synthpop-sample"]
    res = run_spectrum(data, generators=names, m=2, jobs=2, progress=False)
    assert res.results.equals(run_spectrum(data, generators=names, m=2, jobs=1, progress=False).results)
    engine = engines.JoblibEngine(2, (SynthpopGenerator,))  # the same pools, kept across runs
    assert engine.submit(tasks.r_started, lane="r").result() is True
    assert engine.submit(tasks.r_started, lane="plain").result() is False
    only_r = run_spectrum(data, generators=["synthpop-sample", "synthpop-cart"], m=2, jobs=2, progress=False)
    assert only_r.n_failed == 0
    assert engine.submit(tasks.r_started, lane="plain").result() is True


def test_a_lane_that_cannot_start_leaves_its_tasks_to_the_other(data, monkeypatch):
    # the plain lane's processes cannot start (a process limit reached once the R lane's worker
    # runs): its tasks go to the R lane's worker, with a warning, not a failed run
    from joblib.externals.loky import process_executor as pe

    from synthspectrum.spectrum import engines

    engines._PLAIN_POOLS.clear()
    adjust = pe.ProcessPoolExecutor._adjust_process_count

    def limited(self):
        if type(self) is pe.ProcessPoolExecutor:  # the plain lane's own pool, not loky's reusable one
            raise OSError(11, "Resource temporarily unavailable")
        return adjust(self)

    monkeypatch.setattr(pe.ProcessPoolExecutor, "_adjust_process_count", limited)
    names = ["random", "synthpop-sample"]
    with pytest.warns(RuntimeWarning, match="could not start its 'plain' worker processes"):
        res = run_spectrum(data, generators=names, m=2, jobs=2, progress=False)
    monkeypatch.undo()
    engines._PLAIN_POOLS.clear()
    assert res.results.equals(run_spectrum(data, generators=names, m=2, jobs=1, progress=False).results)


def test_after_falling_back_to_one_process_no_worker_runs_a_half_submitted_task(data, monkeypatch, tmp_path,
                                                                                generator_registry):
    from joblib.externals.loky import process_executor as pe

    marks = tmp_path / "fits.txt"

    class Marker(Generator):  # defined here, so that it travels by value, its file's path with it
        name = "marker"

        def fit(self, real, holdout=None):
            with open(str(marks), "a") as f:
                f.write(f"{os.getpid()}\n")
            self.real_ = real
            return self

        def sample(self, n):
            return self.real_.sample(n, with_replacement=True, seed=self.seed)

    generator_registry.register_generator("marker", Marker)
    adjust = pe.ProcessPoolExecutor._adjust_process_count

    def boom(self):
        raise OSError(11, "transient")

    monkeypatch.setattr(pe.ProcessPoolExecutor, "_adjust_process_count", boom)
    with pytest.warns(RuntimeWarning, match="one at a time in this process"):
        run_spectrum(data.head(300), generators=["marker"], m=1, jobs=2, progress=False)
    monkeypatch.setattr(pe.ProcessPoolExecutor, "_adjust_process_count", adjust)
    run_spectrum(data.head(300), generators=["marker"], m=1, jobs=2, progress=False)
    import time

    time.sleep(2)  # a stale task would run on the second run's worker by now
    assert len(marks.read_text().splitlines()) == 2  # one fit per run, the first in this process


def _fresh_workers():
    # workers left running by earlier tests would serve the run: the environment under test only
    # reaches workers started after it is set
    from joblib.externals.loky import get_reusable_executor

    from synthspectrum.spectrum import engines

    get_reusable_executor().shutdown(wait=True, kill_workers=True)
    for pool in engines._PLAIN_POOLS.values():
        pool.shutdown(wait=True, kill_workers=True)
    engines._PLAIN_POOLS.clear()


@pytest.mark.parametrize("names", [["random", "metasyn"], ["random", "metasyn", "synthpop-sample"]],
                         ids=["one lane", "two lanes"])
def test_where_workers_stop_as_they_start_the_run_goes_on_in_this_process(data, monkeypatch, names):
    # a PYTHONHOME meant for another Python: every worker spawns and dies before its first task,
    # so each fresh pool broke again, and every run came back failed as a crash of its own
    if "synthpop-sample" in names and not make_generator("synthpop-sample").available()[0]:
        pytest.skip("needs synthpop: the R lane")
    import warnings

    small = data.head(300)
    _fresh_workers()
    monkeypatch.setenv("PYTHONHOME", "/nonexistent")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_spectrum(small, generators=names, m=2, jobs=2, progress=False)
    monkeypatch.undo()
    said = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(said) == 1, said  # one warning, whichever lanes there were
    assert "could not start worker processes here (each stopped as it started" in said[0]
    assert "one at a time in this process" in said[0]
    assert res.n_failed == 0
    one = run_spectrum(small, generators=names, m=2, jobs=1, progress=False)
    assert res.results.equals(one.results)
    _same_runs(res, one)


def _stops_its_r_worker_as_it_starts():
    # a generator that needs R, whose check kills the worker that runs it as it starts (as a
    # crash loading R would) and nowhere else: defined here, so that it travels by value
    import sys

    parent = os.getpid()

    class RCrash(Generator):
        name = "r-crash"
        needs_r = True

        def available(self):
            if os.getpid() != parent and sys._getframe(1).f_code.co_name == "warm_worker":
                os._exit(1)
            return True, ""

        def fit(self, real, holdout=None):
            self.real_ = real
            return self

        def sample(self, n):
            return self.check_fitted("real_").sample(n, with_replacement=True, seed=self.seed)

    return RCrash


def test_a_lane_whose_workers_stop_as_they_start_leaves_its_tasks_to_the_other(data, generator_registry):
    import warnings

    generator_registry.register_generator("r-crash", _stops_its_r_worker_as_it_starts())
    names, small = ["random", "r-crash"], data.head(300)
    _fresh_workers()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_spectrum(small, generators=names, m=2, jobs=2, progress=False)
    said = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(said) == 1 and "could not start its 'r' worker processes (each stopped as it started" in said[0], said
    assert "their tasks go to the other workers" in said[0]
    assert res.n_failed == 0
    one = run_spectrum(small, generators=names, m=2, jobs=1, progress=False)
    assert res.results.equals(one.results)
    _same_runs(res, one)
