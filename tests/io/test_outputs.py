"""Users' files are sacred: outputs never delete, move or overwrite a file we did not write,
never overwrite an input, are checked before any work, and are written atomically."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from synthspectrum.cli import main
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io.outputs import MANIFEST, OutputFolder, atomic_path, check_output

SPECTRUM_FAST = ["--generators", "random", "real-holdout", "--m", "1"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def small_csv(tmp_path, ae_deid) -> Path:
    path = tmp_path / "project" / "data.csv"
    path.parent.mkdir()
    ae_deid.head(600).write_csv(path)
    return path


@pytest.fixture
def no_generators(monkeypatch):
    """Fail loudly if any generator is run: the refusals must come before any work."""
    import synthspectrum.spectrum as sp

    def boom(*a, **k):
        raise AssertionError("a generator ran before the output folder was checked")

    monkeypatch.setattr(sp, "run_spectrum", boom)


def test_spectrum_refuses_a_folder_holding_the_users_files(small_csv, capsys, no_generators):
    folder = small_csv.parent
    (folder / "spectrum.toml").write_text("m = 1\n")
    (folder / "notes.txt").write_text("my notes")
    before = snapshot(folder)
    code, _, err = run(capsys, "spectrum", small_csv, "-o", folder, *SPECTRUM_FAST)
    assert code == 1 and err.count("\n") == 1
    assert "not empty" in err and "--force" in err
    assert snapshot(folder) == before


def test_spectrum_dot_fails_in_one_line_before_any_generator(small_csv, capsys, no_generators, monkeypatch):
    monkeypatch.chdir(small_csv.parent)
    before = snapshot(small_csv.parent)
    code, _, err = run(capsys, "spectrum", "data.csv", "-o", ".", *SPECTRUM_FAST)
    assert code == 1 and err.count("\n") == 1 and "not empty" in err
    assert snapshot(small_csv.parent) == before


def test_spectrum_refuses_an_existing_file_as_folder(small_csv, capsys, no_generators):
    target = small_csv.parent / "report.txt"
    target.write_text("keep me")
    code, _, err = run(capsys, "spectrum", small_csv, "-o", target, *SPECTRUM_FAST)
    assert code == 1 and "is a file" in err
    assert target.read_text() == "keep me"


def test_spectrum_force_adds_its_files_and_touches_nothing_else(small_csv, capsys):
    folder = small_csv.parent
    (folder / "notes.txt").write_text("my notes")
    before = snapshot(folder)
    code, out, err = run(capsys, "spectrum", small_csv, "-o", folder, "--force", *SPECTRUM_FAST)
    assert code == 0, err
    after = snapshot(folder)
    for name, content in before.items():
        assert after[name] == content  # the input and the notes are byte for byte as they were
    assert {"results.csv", "report.html", "runs.csv", MANIFEST} <= set(after)
    # a re-run into its own previous output needs no --force and still leaves the rest alone
    code, _, err = run(capsys, "spectrum", small_csv, "-o", folder, "--seed", "2", *SPECTRUM_FAST)
    assert code == 0, err
    again = snapshot(folder)
    assert again["notes.txt"] == before["notes.txt"] and again["data.csv"] == before["data.csv"]
    assert again["results.csv"] != after["results.csv"]  # another seed, rewritten in place


def test_spectrum_never_overwrites_a_file_of_its_own_name_that_it_did_not_write(small_csv, capsys, no_generators):
    folder = small_csv.parent
    (folder / "results.csv").write_text("the user's own results")
    code, _, err = run(capsys, "spectrum", small_csv, "-o", folder, "--force", *SPECTRUM_FAST)
    assert code == 1 and "results.csv" in err and "did not write" in err
    assert (folder / "results.csv").read_text() == "the user's own results"


def test_spectrum_output_folder_is_created_with_the_umask(small_csv, capsys, tmp_path):
    old = os.umask(0o022)
    try:
        code, _, err = run(capsys, "spectrum", small_csv, "-o", tmp_path / "new" / "out", *SPECTRUM_FAST)
    finally:
        os.umask(old)
    assert code == 0, err
    folder = tmp_path / "new" / "out"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "results.csv").stat().st_mode) == 0o644
    assert not [p for p in folder.iterdir() if "partial" in p.name]


@pytest.mark.parametrize("argv, message", [
    (["fit", "{a}", "-o", "{a}"], "must end in .json"),
    (["deidentify", "{a}", "-o", "{a}", "--drop", "age"], "is also an input"),
    (["deidentify", "{a}", "-o", "{dir}/./data.csv", "--drop", "age"], "is also an input"),
    (["evaluate", "{a}", "{a}", "-o", "{a}"], "must end in .html"),
    (["evaluate", "{a}", "{a}", "-o", "{dir}"], "must end in .html"),
    (["synthesize", "{dir}/model.json", "-o", "{dir}/model.json"], "must end in .csv or .parquet"),
])
def test_an_output_that_is_an_input_or_of_the_wrong_kind_is_refused(small_csv, capsys, argv, message):
    folder = small_csv.parent
    (folder / "model.json").write_text("{}")
    before = snapshot(folder)
    args = [a.format(a=small_csv, dir=folder) for a in argv]
    code, _, err = run(capsys, *args)
    assert code == 1 and message in err and err.count("\n") == 1
    assert snapshot(folder) == before


def test_an_unwritable_output_is_found_before_the_work(small_csv, capsys, monkeypatch):
    import synthspectrum.metadata.model as md

    monkeypatch.setattr(md, "fit_metadata", lambda *a, **k: pytest.fail("fitted before checking the output"))
    blocker = small_csv.parent / "not_a_folder"
    blocker.write_text("x")
    code, _, err = run(capsys, "fit", small_csv, "-o", blocker / "model.json")
    assert code == 1 and "not_a_folder" in err


def test_fit_creates_the_output_folder(small_csv, capsys):
    target = small_csv.parent / "models" / "deep" / "m.json"
    code, _, err = run(capsys, "fit", small_csv, "-o", target)
    assert code == 0, err
    assert target.is_file() and target.read_text().lstrip().startswith("{")


def test_an_interrupted_synthesize_leaves_the_previous_file_as_it_was(small_csv, capsys, monkeypatch):
    folder = small_csv.parent
    model, prev = folder / "model.json", folder / "prev.csv"
    assert run(capsys, "fit", small_csv, "-o", model)[0] == 0
    assert run(capsys, "synthesize", model, "-n", "50", "--seed", "1", "-o", prev)[0] == 0
    before = prev.read_bytes()

    def half_then_interrupt(self, target, *a, **k):
        if hasattr(target, "write"):  # the file handle the blocks are appended to
            target.write(b"half a file")
        else:
            Path(target).write_text("half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(pl.DataFrame, "write_csv", half_then_interrupt)
    code, _, err = run(capsys, "synthesize", model, "-n", "50", "--seed", "2", "-o", prev)
    assert code == 130
    assert prev.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "data.csv", "model.json", "prev.csv"]


def test_atomic_path_replaces_only_on_success(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("new")
            raise RuntimeError("stop")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "t.txt"]  # and it is noted as ours


def test_output_folder_rules_without_the_cli(tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(SynthSpectrumError, match="not empty"):
        OutputFolder(tmp_path, ["a.csv"]).check()
    with pytest.raises(SynthSpectrumError, match="overwrite the input"):
        OutputFolder(tmp_path, ["mine.txt"], inputs=[tmp_path / "mine.txt"], force=True).check()
    with pytest.raises(SynthSpectrumError, match="already holds"):
        OutputFolder(tmp_path, ["mine.txt"], force=True).check()
    with pytest.raises(SynthSpectrumError, match=r"must end in \.json"):
        check_output(tmp_path / "m.csv", [".json"])


def test_the_demo_refuses_a_folder_of_user_files(tmp_path, capsys):
    (tmp_path / "model.json").write_text("the user's model")
    code, _, err = run(capsys, "demo", "-o", tmp_path)
    assert code == 1 and "not empty" in err
    assert (tmp_path / "model.json").read_text() == "the user's model"


def test_an_existing_file_we_did_not_write_is_never_overwritten(small_csv, capsys):
    """`synthesize -o steward.csv` must not replace the user's real data with synthetic rows."""
    folder = small_csv.parent
    model = folder / "model.json"
    assert run(capsys, "fit", small_csv, "-o", model)[0] == 0
    real_bytes = small_csv.read_bytes()
    code, _, err = run(capsys, "synthesize", model, "-n", "10", "-o", small_csv)
    assert code == 1 and "did not write it" in err and "--force" in err and err.count("\n") == 1
    assert small_csv.read_bytes() == real_bytes
    # a file we wrote is ours to replace on a re-run ...
    out = folder / "syn.csv"
    assert run(capsys, "synthesize", model, "-n", "10", "--seed", "1", "-o", out)[0] == 0
    assert run(capsys, "synthesize", model, "-n", "10", "--seed", "2", "-o", out)[0] == 0
    # ... and the user may say so for one of theirs
    other = folder / "mine.csv"
    other.write_text("a\n1\n")
    assert run(capsys, "synthesize", model, "-n", "10", "-o", other, "--force")[0] == 0
    assert other.read_text() != "a\n1\n"
    # the same rule in Python
    from synthspectrum import load_model

    (folder / "notes.json").write_text("{}")
    with pytest.raises(SynthSpectrumError, match="did not write it"):
        load_model(model).save(folder / "notes.json")
    assert (folder / "notes.json").read_text() == "{}"


def test_a_failed_command_leaves_no_empty_folder(small_csv, capsys):
    folder = small_csv.parent
    code, _, err = run(capsys, "evaluate", small_csv, small_csv, "--keys", "no_such_column",
                       "-o", folder / "e2" / "r.html")
    assert code == 1 and "no_such_column" in err
    code, _, err = run(capsys, "spectrum", small_csv, "--keys", "no_such_column", "-o", folder / "e3")
    assert code == 1
    assert not (folder / "e2").exists() and not (folder / "e3").exists()


def test_ctrl_c_stops_a_long_synthesize_at_once(tmp_path):
    """numpy's choice() over labels with probabilities loses a KeyboardInterrupt, and metasyn
    draws categories row by row with it: a long draw ignored Ctrl-C until it finished."""
    import signal
    import time

    src = tmp_path / "cats.parquet"
    import numpy as np

    rng = np.random.default_rng(1)  # 25 labels of unequal shares: the path on which numpy loses the signal
    pl.DataFrame({f"c{j}": [f"lab{v}" for v in rng.integers(0, 25, 400)] for j in range(3)}).write_parquet(src)
    model, prev = tmp_path / "m.json", tmp_path / "prev.csv"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cli = [sys.executable, "-m", "synthspectrum.cli"]
    assert subprocess.run(cli + ["fit", str(src), "-o", str(model)], capture_output=True, env=env).returncode == 0
    assert subprocess.run(cli + ["synthesize", str(model), "-n", "5", "-o", str(prev)], env=env,
                          capture_output=True).returncode == 0
    before = prev.read_bytes()
    proc = subprocess.Popen(cli + ["synthesize", str(model), "-n", "50000000", "-o", str(prev)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(8)  # well past start-up (about 2 s) and into the draw (which takes minutes)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("synthesize ignored Ctrl-C")
    assert proc.returncode == 130 and "interrupted" in err
    assert prev.read_bytes() == before


def test_a_file_we_wrote_that_the_user_then_replaced_is_theirs(tmp_path):
    from synthspectrum.io.outputs import owned, write_text

    target = tmp_path / "data.csv"
    write_text(target, "ours\n")
    assert "data.csv" in owned(tmp_path)
    target.write_text("the user's real data, saved over our file\n")
    assert "data.csv" not in owned(tmp_path)
    with pytest.raises(SynthSpectrumError, match="did not write it"):
        check_output(target, [".csv"])


def test_leftovers_of_a_killed_run_do_not_make_a_folder_foreign(tmp_path):
    (tmp_path / ".synthspectrum-partial-abc123").mkdir()
    (tmp_path / ".results.csv.x1y2.partial.csv").write_text("half")
    OutputFolder(tmp_path, ["results.csv"]).check()  # empty but for our own leftovers


def test_our_manifest_is_never_an_output_and_other_outputs_do_not_open_a_folder(tmp_path):
    from synthspectrum.io.outputs import write_text

    with pytest.raises(SynthSpectrumError, match="own list"):
        check_output(tmp_path / MANIFEST, [".json"], force=True)
    write_text(tmp_path / "syn.csv", "a\n1\n")  # e.g. an earlier `synthesize -o folder/syn.csv`
    (tmp_path / "notes.txt").write_text("user")
    with pytest.raises(SynthSpectrumError, match="not a previous synthspectrum output"):
        OutputFolder(tmp_path, ["results.csv", "report.html"]).check()


def test_plots_saved_from_python_follow_the_output_rules(tmp_path, frozen_split):
    from synthspectrum.render.plots import plot_marginals

    train, syn, _ = frozen_split
    mine = tmp_path / "holiday.png"
    mine.write_bytes(b"the user's photo")
    with pytest.raises(SynthSpectrumError, match="did not write it"):
        plot_marginals(train.select("age_band"), syn.select("age_band"), path=mine)
    assert mine.read_bytes() == b"the user's photo"
    with pytest.raises(SynthSpectrumError, match="must end in"):
        plot_marginals(train.select("age_band"), syn.select("age_band"), path=tmp_path / "plot.csv")
    out = plot_marginals(train.select("age_band"), syn.select("age_band"), path=tmp_path / "m.png")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG" and out is not None


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_public_table_writers_never_replace_a_users_file_or_an_input(tmp_path, suffix):
    from synthspectrum.io import write_table
    from synthspectrum.io.tables import write_table_blocks

    df = pl.DataFrame({"a": [1, 2]})
    precious = tmp_path / f"precious{suffix}"
    precious.write_bytes(b"my,own\n1,2\n")
    for write in (lambda p, **kw: write_table(df, p, **kw), lambda p, **kw: write_table_blocks(iter([df]), p, **kw)):
        with pytest.raises(SynthSpectrumError, match="did not write it"):
            write(precious)
        assert precious.read_bytes() == b"my,own\n1,2\n"
        with pytest.raises(SynthSpectrumError, match="also an input"):
            write(precious, force=True, inputs=[precious])
        assert precious.read_bytes() == b"my,own\n1,2\n"
    ours = tmp_path / f"ours{suffix}"
    write_table(df, ours)
    write_table(df.head(1), ours)  # a file synthspectrum wrote may be rewritten
    assert (pl.read_csv(ours) if suffix == ".csv" else pl.read_parquet(ours)).height == 1
    write_table(df, precious, force=True)  # and the user's own, when asked
    assert (pl.read_csv(precious) if suffix == ".csv" else pl.read_parquet(precious)).height == 2
