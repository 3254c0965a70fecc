"""The disclosure-control worker: no re-run of the user's script, deaths named at once."""

import subprocess
import sys
import textwrap
import time

import numpy as np
import polars as pl
import pytest

import guard_helpers
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata.guard import fit_guarded
from synthspectrum.metadata.fitting import privacy_object

# A workshop script as people write it: no `if __name__ == "__main__":`. It must print its
# marker once; a worker that re-imports __main__ would run it again (and fail or hang).
SCRIPT = textwrap.dedent("""
    import numpy as np
    import polars as pl
    from synthspectrum import fit_metadata

    rng = np.random.default_rng(0)
    df = pl.DataFrame({"x": rng.normal(size=80), "c": ["a", "b", "c", "d"] * 20})
    model = fit_metadata(df, privacy="disclosure")
    syn = model.synthesize(7, seed=1)
    print("SCRIPT-RAN", syn.height, model.privacy["name"])
""")


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "plain_script.py"
    path.write_text(SCRIPT, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return path, elsewhere


def _check(out: subprocess.CompletedProcess) -> None:
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("SCRIPT-RAN") == 1, out.stdout
    assert "SCRIPT-RAN 7 disclosure" in out.stdout
    assert "bootstrapping" not in out.stderr and "Traceback" not in out.stderr


def test_a_plain_script_runs_once(script):
    path, elsewhere = script
    _check(subprocess.run([sys.executable, str(path)], cwd=elsewhere, capture_output=True,
                          text=True, timeout=300))


def test_a_script_piped_to_stdin_runs_once(script):
    path, elsewhere = script
    with path.open("rb") as stdin:
        out = subprocess.run([sys.executable, "-"], stdin=stdin, cwd=elsewhere, capture_output=True,
                             timeout=300)
    _check(subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode(), out.stderr.decode()))


def _frame():
    return pl.DataFrame({"ok": np.arange(100.0), "bad": np.arange(100.0), "after": np.arange(100.0)})


@pytest.mark.parametrize("fitter, how", [(guard_helpers.dies, "exited with code 3"),
                                         (guard_helpers.killed, "was killed by SIGKILL")])
def test_a_worker_that_dies_is_named_at_once(fitter, how):
    t0 = time.monotonic()
    with pytest.raises(SynthSpectrumError) as err:
        # a time limit far beyond the test: the death must be seen when it happens, not at a timeout
        fit_guarded(_frame(), [], privacy_object("disclosure", 11, 0.5), column_time_limit=900,
                    fallback_rows=500, seed=0, fit=fitter)
    assert str(err.value).startswith("column 'bad': the disclosure-control worker " + how)
    assert "while fitting this column" in str(err.value)
    assert err.value.column == "bad"
    assert time.monotonic() - t0 < 120


def _local_fitter(frame, spec, privacy):  # defined in a test module: importable, fine
    return guard_helpers.fit_column(frame, spec, privacy)


def test_the_fitter_must_be_importable():
    def nested(frame, spec, privacy):
        return guard_helpers.fit_column(frame, spec, privacy)

    with pytest.raises(SynthSpectrumError, match="top-level function of an importable module"):
        fit_guarded(_frame(), [], privacy_object("disclosure", 11, 0.5), column_time_limit=60,
                    fallback_rows=500, seed=0, fit=nested)
    mf, notes = fit_guarded(_frame().select("ok"), [], privacy_object("disclosure", 11, 0.5),
                            column_time_limit=60, fallback_rows=500, seed=0, fit=_local_fitter)
    assert [v.name for v in mf.meta_vars] == ["ok"] and notes == []


def test_a_worker_that_cannot_start_says_why(tmp_path, monkeypatch):
    """The fitter's module imports in the parent but not in the child: one line, no hang."""
    (tmp_path / "vanishing_fitter.py").write_text(
        "from synthspectrum.metadata.guard import fit_column\n\n"
        "def fit(frame, spec, privacy):\n    return fit_column(frame, spec, privacy)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import vanishing_fitter

    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(tmp_path)])
    with pytest.raises(SynthSpectrumError, match="worker could not start: ModuleNotFoundError.*vanishing_fitter"):
        fit_guarded(_frame(), [], privacy_object("disclosure", 11, 0.5), column_time_limit=60,
                    fallback_rows=500, seed=0, fit=vanishing_fitter.fit)


def test_run_spectrum_in_a_plain_script_runs_once(tmp_path):
    code = textwrap.dedent("""
        from synthspectrum import datasets
        from synthspectrum.spectrum import run_spectrum

        df = datasets.load("ae_deidentified").head(400)
        res = run_spectrum(df, generators=["metasyn-disclosure"], m=1, progress=False)
        print("SCRIPT-RAN", type(res).__name__)
    """)
    out = subprocess.run([sys.executable, "-"], input=code, cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("SCRIPT-RAN") == 1 and "SCRIPT-RAN SpectrumResult" in out.stdout


# --- moved from test_metadata: the fallback and the clear errors ---------------------------

def _frame_for_guard(n=3000):
    rng = np.random.default_rng(1)
    return pl.DataFrame({"slow": rng.normal(size=n), "fast": rng.normal(size=n)})


def test_guard_falls_back_to_a_subsample_when_a_column_runs_too_long():
    df = _frame_for_guard()
    t0 = time.monotonic()
    mf, notes = fit_guarded(df, [], privacy_object("disclosure", 11, 0.5), column_time_limit=3,
                            fallback_rows=500, seed=0, fit=guard_helpers.slow_on_full_data)
    assert time.monotonic() - t0 < 60
    assert [v.name for v in mf.meta_vars] == ["slow", "fast"]
    assert len(notes) == 1 and notes[0].startswith("slow: disclosure fit passed 3 s")
    assert mf["slow"].creation_method["fitter"]["privacy"]["name"] == "disclosure"


def test_guard_gives_up_with_a_clear_error():
    with pytest.raises(SynthSpectrumError, match="column 'slow': disclosure control did not finish"):
        fit_guarded(_frame_for_guard(), [], privacy_object("disclosure", 11, 0.5), column_time_limit=2,
                    fallback_rows=500, seed=0, fit=guard_helpers.always_slow)
    df = pl.DataFrame({"ok": np.arange(100.0), "bad": np.arange(100.0)})
    with pytest.raises(SynthSpectrumError, match="column 'bad': disclosure control could not model"):
        fit_guarded(df, [], privacy_object("disclosure", 11, 0.5), column_time_limit=30,
                    fallback_rows=500, seed=0, fit=guard_helpers.failing)
