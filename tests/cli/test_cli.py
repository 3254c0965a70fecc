import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from synthspectrum.cli import main
from synthspectrum.io.tables import read_table


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


COMMANDS = ["datasets", "deidentify", "fit", "synthesize", "audit", "evaluate", "spectrum", "doctor", "r-twin", "demo", "workshop"]


def test_help_lists_the_subcommands():
    """The top-level help lists exactly the documented commands, and each has its own help."""
    import re

    res = subprocess.run([sys.executable, "-m", "synthspectrum.cli", "--help"], capture_output=True, text=True)
    assert res.returncode == 0
    block = res.stdout.split("  COMMAND\n", 1)[1].split("\noptions:")[0]
    listed = re.findall(r"^    (\S+)", block, flags=re.M)  # a command is indented 4, its help further
    assert listed == COMMANDS
    for cmd in COMMANDS:
        sub = subprocess.run([sys.executable, "-m", "synthspectrum.cli", cmd, "--help"], capture_output=True, text=True)
        assert sub.returncode == 0 and sub.stdout.startswith(f"usage: synthspectrum {cmd} ")


def test_end_to_end(tmp_path, capsys):
    deid = tmp_path / "deid.parquet"
    model = tmp_path / "model.json"
    syn = tmp_path / "syn.csv"
    code, out, _ = run(capsys, "deidentify", "ae", "-o", str(deid))
    assert code == 0 and "k-anonymity" in out
    assert "nhs_number" not in pl.read_parquet(deid).columns
    code, out, _ = run(capsys, "fit", str(deid), "-o", str(model))
    assert code == 0 and "audit" in out
    code, out, _ = run(capsys, "synthesize", str(model), "-n", "300", "--seed", "4", "-o", str(syn))
    assert code == 0 and "seed 4" in out
    first = syn.read_text()
    run(capsys, "synthesize", str(model), "-n", "300", "--seed", "4", "-o", str(syn))
    assert syn.read_text() == first
    back = read_table(syn)
    assert back.height == 300 and back.schema["arrival_time_date"] == pl.Date
    assert back.schema["treatment"] == pl.Categorical
    code, out, _ = run(capsys, "audit", str(model), "--format", "json")
    assert code == 0 and {"severity", "finding"} <= set(json.loads(out)[0])
    code, out, _ = run(capsys, "audit", str(model), "--data", str(deid))
    assert code == 0 and out.rstrip().endswith(")")


def test_datasets_commands(tmp_path, capsys):
    code, out, _ = run(capsys, "datasets", "list")
    assert code == 0 and out.splitlines()[0].startswith("ae ")
    target = tmp_path / "t.parquet"
    code, _, _ = run(capsys, "datasets", "export", "titanic", "-o", str(target))
    assert code == 0 and pl.read_parquet(target).height == 891
    code, _, err = run(capsys, "datasets", "export", "titanic")
    assert code == 1 and err.count("\n") == 1


def test_deidentify_steps_on_any_file(tmp_path, capsys):
    src = tmp_path / "in.csv"
    pl.DataFrame({"id": [1, 2, 3], "age": [5, 30, 90], "m": [10, 20, 900]}).write_csv(src)
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "deidentify", str(src), "-o", str(out), "--drop", "id", "--band", "age",
                       "--top-code", "m=100")
    assert code == 0, err
    assert pl.read_csv(out).to_dict(as_series=False) == {"age": ["0-17", "25-44", "85+"], "m": [10, 20, 100]}


def test_errors_are_one_line_with_exit_code_1(tmp_path, capsys):
    code, out, err = run(capsys, "fit", str(tmp_path / "missing.csv"))
    assert code == 1 and err.startswith("synthspectrum fit: error: no such file") and err.count("\n") == 1
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    code, _, err = run(capsys, "deidentify", str(tmp_path / "x.csv"), "-o", str(tmp_path / "y.csv"), "--band", "zz")
    assert code == 1 and "no column 'zz'" in err and err.count("\n") == 1
    code, _, err = run(capsys, "synthesize", str(tmp_path / "x.csv"), "-o", str(tmp_path / "z.csv"))
    assert code == 1 and "not a JSON model file" in err
    code, _, err = run(capsys, "fit", "data.xlsx")
    assert code == 1 and "neither" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["synthesize"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["fit", "ae", "--privacy", "dp"])
    assert exc.value.code == 2


def test_doctor(capsys):
    code, out, _ = run(capsys, "doctor")
    assert code == 0
    assert "[ok  ] metasyn " in out and "metasyn disclosure plugin" in out and "R (Rscript)" in out


def test_demo_writes_its_files_and_no_real_record(tmp_path, capsys, ae, ae_deid):
    code, out, _ = run(capsys, "demo", "-o", str(tmp_path), "-n", "500")
    assert code == 0
    assert {p.name for p in tmp_path.iterdir()} == {"model.json", "audit.txt", "synthetic.csv", "comparison.csv",
                                                    ".synthspectrum-output.json"}
    text = "".join(p.read_text() for p in tmp_path.iterdir()) + out
    # no direct identifier, no raw postcode and no raw hospital name leaves the demo
    for value in ae["nhs_number"].head(200).to_list() + ae["home_postcode"].drop_nulls().head(200).to_list():
        assert value not in text
    assert "St Aldric" not in text


def test_csv_reading_infers_categoricals(tmp_path):
    p = tmp_path / "d.csv"
    pl.DataFrame({"t": ["x", "y"] * 50, "u": [f"id{i}" for i in range(100)],
                  "d": ["2020-01-02"] * 100}).write_csv(p)
    df = read_table(p)
    assert df.schema["t"] == pl.Categorical and df.schema["u"] == pl.String and df.schema["d"] == pl.Date


def test_every_option_has_help_text():
    from synthspectrum.cli import build_parser

    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    assert list(subs.choices) == COMMANDS
    argparse = __import__("argparse")
    todo = list(subs.choices.items())
    while todo:  # subcommands of subcommands (workshop check, workshop slides, ...) too
        name, sub = todo.pop()
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"synthspectrum {name}: option {action.option_strings or action.dest} has no help"
            if isinstance(action, argparse._SubParsersAction):
                todo += [(f"{name} {n}", p) for n, p in action.choices.items()]


@pytest.mark.parametrize("argv, message", [
    (["synthesize", "m.json", "-o", "s.csv", "--seed", "-1"], "a seed must be at least 0"),
    (["synthesize", "m.json", "-o", "s.csv", "--seed", str(2**31)], "a seed must be at most 2147483647"),
    (["audit", "m.json", "--k", "-3"], "--k must be at least 1"),
    (["spectrum", "--m", "three"], "--m must be a whole number"),
    (["spectrum", "--m", "0"], "--m must be at least 1"),
    (["fit", "ae", "--column-time-limit", "0"], "must be positive"),
])
def test_bad_values_are_one_line_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and message in err and err.count("\n") == 1


def test_warnings_are_one_line_without_source_paths(tmp_path):
    src = tmp_path / "w.csv"
    src.write_text("v,w\n" + "\n".join(f"{i},{i % 2}" for i in range(40)) + "\nunknown,1\n")
    res = subprocess.run([sys.executable, "-m", "synthspectrum.cli", "fit", str(src), "-o", str(tmp_path / "m.json")],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert any(ln.startswith("warning: ") and "'v'" in ln for ln in lines)
    assert not [ln for ln in lines if ".py:" in ln or "site-packages" in ln or "warnings.warn" in ln]
    assert len(lines) == len(set(lines))  # each warning once


def test_spectrum_exits_nonzero_and_counts_failed_runs(tmp_path, capsys, ae_deid, generator_registry):
    from synthspectrum.spectrum import Generator

    class Broken(Generator):
        name = "broken"

        def fit(self, real, holdout=None):
            return self

        def sample(self, n):
            raise RuntimeError("no luck")

    src = tmp_path / "d.parquet"
    ae_deid.head(600).write_parquet(src)
    generator_registry.register_generator("broken", Broken)
    code, out, err = run(capsys, "spectrum", str(src), "-o", str(tmp_path / "out"),
                         "--generators", "random", "broken", "--m", "2")
    assert code == 1
    assert out.rstrip().splitlines()[-1].startswith("2 of 4 runs FAILED")
    warned = [ln for ln in err.splitlines() if ln.startswith("warning: ")]
    assert len(warned) == len(set(warned))  # the same warning from every run is shown once
    assert (tmp_path / "out" / "results.csv").is_file()  # what succeeded is still written
    runs = pl.read_csv(tmp_path / "out" / "runs.csv")
    assert runs.filter(pl.col("status") == "failed").height == 2


def test_r_twin_prints_the_twin_file(capsys):
    code, out, _ = run(capsys, "r-twin")
    from pathlib import Path

    assert code == 0 and Path(out.strip()).is_file() and out.strip().endswith("synthspectrum.R")


def test_the_written_config_reproduces_the_run_from_another_folder(tmp_path, capsys, ae_deid, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    ae_deid.head(500).write_csv(project / "steward.csv")
    monkeypatch.chdir(project)
    assert run(capsys, "spectrum", "steward.csv", "-o", "out", "--generators", "random", "--m", "1")[0] == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _, err = run(capsys, "spectrum", "--config", str(project / "out" / "spectrum.toml"), "-o", "again")
    assert code == 0, err
    first = pl.read_csv(project / "out" / "results.csv")
    assert pl.read_csv(elsewhere / "again" / "results.csv").equals(first)
    # a config that names its data relative to itself works from anywhere too
    (project / "mine.toml").write_text('data = "steward.csv"\ngenerators = ["random"]\nm = 1\n')
    code, _, err = run(capsys, "spectrum", "--config", str(project / "mine.toml"), "-o", "third")
    assert code == 0, err
    assert pl.read_csv(elsewhere / "third" / "results.csv").equals(first)


def test_show_errors_prints_the_withheld_words_to_stderr_only(tmp_path, capsys, ae_deid, monkeypatch,
                                                              generator_registry):
    from synthspectrum.spectrum import Generator

    class Leaky(Generator):
        name = "leaky-cli"

        def fit(self, real, holdout=None):
            return self

        def sample(self, n):
            raise RuntimeError("could not parse value 'Zebedee Quartermaine' in column name")

    generator_registry.register_generator("leaky-cli", Leaky)
    monkeypatch.chdir(tmp_path)
    ae_deid.head(400).write_csv("steward.csv")
    common = ["spectrum", "steward.csv", "--generators", "leaky-cli", "random", "--m", "1", "--jobs", "1"]
    code, out, err = run(capsys, *common, "-o", "quiet")
    assert code == 1 and "Zebedee" not in out + err
    assert "--show-errors prints them" in err
    runs = pl.read_csv("quiet/runs.csv").filter(pl.col("generator") == "leaky-cli")
    assert "--show-errors prints them to the terminal" in runs["message"].item()
    code, out, err = run(capsys, *common, "-o", "loud", "--show-errors")
    assert code == 1 and "Zebedee" not in out  # stdout may be kept in a log: stderr only
    warning, line = err.splitlines()[-2:]
    assert warning.startswith("WARNING: the 1 error text(s) below") and "can quote a value" in warning
    assert line == "- leaky-cli (seed 1000): RuntimeError: could not parse value 'Zebedee Quartermaine' in column name"
    written = " ".join(p.read_text(errors="replace") for p in Path("loud").iterdir() if p.is_file())
    assert "Zebedee" not in written
