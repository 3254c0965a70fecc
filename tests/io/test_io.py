"""Reading users' CSV files: missing-value spellings, separators, R's exports, encodings, and
synthetic CSVs read back into the real data's dtypes."""

import shutil
import subprocess
from datetime import date, datetime

import polars as pl
import pytest

from synthspectrum import datasets
from synthspectrum.cli import main
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io.tables import cast_like, detect_separator, read_table

needs_r = pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")


def test_missing_markers_in_a_numeric_column_are_missing(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("height,name\n1.71,a\nNA,b\nnan,c\n,d\nNaN,e\n1.80,f\n")
    df = read_table(path)
    assert df.schema["height"] == pl.Float64
    assert df["height"].to_list() == [1.71, None, None, None, None, 1.80]


def test_na_values_replace_the_default_list(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("region,n\nNA,1\nEU,2\nNA,3\n-99,4\n")
    assert read_table(path)["region"].null_count() == 2  # "NA" is missing by default...
    df = read_table(path, na_values=["-99"])  # ...and a real category ("North America") when asked
    assert df["region"].cast(pl.String).to_list() == ["NA", "EU", "NA", None]


def test_a_mostly_numeric_text_column_warns_without_quoting_values(tmp_path):
    path = tmp_path / "w.csv"
    rows = [str(i) for i in range(30)] + ["unknown-code"]
    path.write_text("value\n" + "\n".join(rows) + "\n")
    with pytest.warns(UserWarning, match=r"column 'value': 30 of 31 values are numbers") as rec:
        df = read_table(path)
    assert df.schema["value"] in (pl.String, pl.Categorical)
    assert all("unknown-code" not in str(w.message) for w in rec)


@pytest.mark.parametrize("sep", [";", "\t", "|", ","])
def test_the_separator_is_detected(tmp_path, sep):
    path = tmp_path / "s.csv"
    path.write_text(sep.join(["a", "b", "c"]) + "\n" + "\n".join(sep.join([str(i), f"x{i % 3}", "2.5"]) for i in range(20)))
    df = read_table(path)
    assert df.columns == ["a", "b", "c"] and df.height == 20 and df.schema["c"] == pl.Float64


def test_detect_separator_prefers_consistent_splits():
    assert detect_separator('name;note\n"Smith, J";ok\n"Lee, K";fine\n') == ";"
    assert detect_separator("a,b\n1,2\n") == ","
    assert detect_separator("single\n1\n2\n") == ","


def test_latin1_file_gets_an_encoding_hint_and_reads_with_it(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes("city,n\nMünchen,1\nKöln,2\nMünchen,3\n".encode("latin-1"))
    with pytest.raises(SynthSpectrumError, match="not UTF-8.*--encoding latin-1"):
        read_table(path)
    df = read_table(path, encoding="latin-1")
    assert df["city"].cast(pl.String).to_list() == ["München", "Köln", "München"]


def _r(code: str, cwd) -> None:
    res = subprocess.run(["Rscript", "--vanilla", "-e", code], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


R_WIDE = """
set.seed(3)
n <- 300
d <- data.frame(id = sprintf("P%04d", 1:n), age = sample(18:90, n, TRUE),
                height = round(rnorm(n, 1.7, 0.1), 2), smoker = sample(c(TRUE, FALSE), n, TRUE),
                visit = as.Date("2020-01-01") + sample(0:365, n, TRUE),
                group = factor(sample(c("a", "b", "c"), n, TRUE)), stringsAsFactors = FALSE)
d$height[c(2, 7, 9)] <- NA
d$group[5] <- NA
for (j in 1:194) d[[sprintf("x%03d", j)]] <- round(runif(n), 3)
d$x001[c(1, 3)] <- NA
"""


@needs_r
@pytest.mark.parametrize("writer, sep", [("write.csv(d, 'd.csv')", ","), ("write.csv2(d, 'd.csv')", ";")])
def test_an_r_export_reads_with_its_types(tmp_path, writer, sep):
    """R's own write.csv / write.csv2 (row names, NA, TRUE/FALSE, decimal commas), 300 x 200."""
    _r(R_WIDE + writer, tmp_path)
    assert (tmp_path / "d.csv").read_text().splitlines()[0].startswith('"";"id"' if sep == ";" else '"","id"')
    with pytest.warns(UserWarning, match="row numbers 1..300"):
        df = read_table(tmp_path / "d.csv")
    assert df.width == 200 and df.height == 300 and df.columns[:3] == ["id", "age", "height"]
    assert df.schema["height"] == pl.Float64 and df["height"].null_count() == 3
    assert df.schema["x001"] == pl.Float64 and df["x001"].null_count() == 2
    assert df.schema["age"] == pl.Int64
    assert df.schema["smoker"] == pl.Boolean
    assert df.schema["visit"] == pl.Date
    assert df.schema["group"] == pl.Categorical and df["group"].null_count() == 1
    assert df.schema["id"] == pl.String and df["id"].n_unique() == 300
    assert 1.4 < df["height"].mean() < 2.0  # decimal commas read as decimals, not as 171 or text


@needs_r
def test_the_cli_fits_an_r_export(tmp_path, capsys):
    _r(R_WIDE + "write.csv2(d, 'd.csv')", tmp_path)
    code = main(["fit", str(tmp_path / "d.csv"), "-o", str(tmp_path / "m.json")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "row numbers" in err and "Traceback" not in err


def test_a_synthetic_csv_reads_back_with_the_real_dtypes(tmp_path, capsys):
    real = pl.DataFrame({
        "band": pl.Series(["0-17", "18-64", "65+", "18-64"] * 30, dtype=pl.Enum(["0-17", "18-64", "65+"])),
        "ward": pl.Series(["a", "b", "c", "a"] * 30, dtype=pl.Categorical),
        "day": [date(2021, 1, 1 + i % 28) for i in range(120)],
        "at": [datetime(2021, 1, 1, i % 24) for i in range(120)],
        "ok": [i % 3 == 0 for i in range(120)],
        "n": list(range(120)),
        "x": [i / 7 for i in range(120)],
    })
    src = tmp_path / "real.parquet"
    real.write_parquet(src)
    assert main(["fit", str(src), "-o", str(tmp_path / "m.json")]) == 0
    assert main(["synthesize", str(tmp_path / "m.json"), "-n", "80", "--seed", "1", "-o", str(tmp_path / "s.csv")]) == 0
    back = read_table(tmp_path / "s.csv", like=real)
    assert back.schema == real.schema
    plain = read_table(tmp_path / "s.csv")
    assert plain.schema["band"] != real.schema["band"]  # without like=, a CSV has lost the Enum
    capsys.readouterr()
    assert main(["evaluate", str(src), str(tmp_path / "s.csv"), "-o", str(tmp_path / "r.html")]) == 0


def test_cast_like_names_the_column_that_does_not_fit():
    like = pl.DataFrame({"band": pl.Series(["a", "b"], dtype=pl.Enum(["a", "b"])), "n": [1, 2]})
    with pytest.raises(SynthSpectrumError, match="'band'.*not among the real data's categories"):
        cast_like(pl.DataFrame({"band": ["a", "zzz"], "n": [1, 2]}), like)
    with pytest.raises(SynthSpectrumError, match="'n'"):
        cast_like(pl.DataFrame({"band": ["a", "b"], "n": ["1", "two"]}), like)


def test_datasets_load_reads_a_users_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("a;b\n1;NA\n2;3\n")
    df = datasets.load(str(path))
    assert df["b"].to_list() == [None, 3]
    assert datasets.load(str(path), as_pandas=True).shape == (2, 2)
    with pytest.raises(SynthSpectrumError, match="apply to files"):
        datasets.load("ae", sep=";")


def test_a_wrong_separator_is_named_without_quoting_a_record(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('"id";"name";"age"\n"1";"P54297";71,5\n"2";"Q11111";9\n')
    with pytest.raises(SynthSpectrumError, match="looks ';'-separated") as err:
        read_table(path, sep=",")
    assert "P54297" not in str(err.value) and "71" not in str(err.value)


def test_a_header_that_names_a_column_twice_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,a,b\n1,2,x\n3,4,y\n")
    with pytest.raises(SynthSpectrumError, match="'a' is the name of 2 columns"):
        read_table(path)
    path.write_text(',a,b\n1,2,x\n2,4,y\n')  # R's row-name column, unnamed once, is still fine
    assert read_table(path).columns == ["a", "b"]


FRAME = pl.DataFrame({"flag": [True, None, False, True], "n": [1.5, None, 3.0, 4.0],
                      "label": ["x", None, "y", "x"], "day": [date(2020, 1, 1), None, date(2021, 5, 6), date(2022, 2, 3)]})


def test_our_csv_reads_back_with_its_missing_values_and_booleans(tmp_path):
    from synthspectrum.io import write_table

    path = tmp_path / "s.csv"
    write_table(FRAME, path)
    assert read_table(path, like=FRAME).equals(FRAME)
    import pandas as pd

    back = pd.read_csv(path)
    assert back["flag"].tolist()[0] is True or back["flag"].tolist()[0] == True  # noqa: E712 - a numpy bool
    assert back.isna().sum().tolist() == [1, 1, 1, 1]


@needs_r
def test_r_reads_our_csv_with_its_logicals_and_missing_values(tmp_path):
    from synthspectrum.io import write_table

    path = tmp_path / "s.csv"
    write_table(FRAME, path)
    out = subprocess.run(["Rscript", "-e", f's <- read.csv("{path}"); cat(sapply(s, class), colSums(is.na(s)))'],
                         capture_output=True, text=True, check=True).stdout.split()
    # R reads polars' lowercase true/false as text, and an empty text field as "", not NA
    assert out == ["logical", "numeric", "character", "character", "1", "1", "1", "1"]
