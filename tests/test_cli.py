import json
import subprocess
import sys

import polars as pl
import pytest

from synthspectrum.cli import main
from synthspectrum.io import read_table


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_the_subcommands():
    res = subprocess.run([sys.executable, "-m", "synthspectrum.cli", "--help"], capture_output=True, text=True)
    assert res.returncode == 0
    for cmd in ["datasets", "deidentify", "fit", "synthesize", "audit", "doctor", "demo"]:
        assert cmd in res.stdout
    for cmd in ["fit", "synthesize", "audit"]:
        sub = subprocess.run([sys.executable, "-m", "synthspectrum.cli", cmd, "--help"], capture_output=True, text=True)
        assert sub.returncode == 0 and "usage:" in sub.stdout


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
    assert {p.name for p in tmp_path.iterdir()} == {"model.json", "audit.txt", "synthetic.csv", "comparison.csv"}
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
