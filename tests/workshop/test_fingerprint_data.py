"""The workshop's typed data and the fingerprint: Python and R must hold, and see, the same table."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil

import polars as pl
import pytest

from conftest import ROOT, rscript
from synthspectrum import datasets
from synthspectrum.workshop import fingerprint, workshop_data
from synthspectrum.workshop.data import NAMES, build_data
from synthspectrum.workshop.fingerprint import canonical_text

R_WORKSHOP = f'source("{ROOT / "r" / "workshop.R"}")\n'


def test_canonical_text_by_hand():
    df = pl.DataFrame({"n": [1, None], "x": [0.1, 2.5e-12], "b": [True, None], "d": [dt.date(2019, 1, 2), None],
                       "c": pl.Series(["a b", None], dtype=pl.Enum(["z", "a b"]))})
    expected = ("n:integer\tx:number\tb:logical\td:date\tc:text\n"
                "1\t0.1\tTRUE\t2019-01-02\ta b\n"
                "NA\t2.5e-12\tNA\tNA\tNA\n")
    assert canonical_text(df) == expected
    assert fingerprint(df) == hashlib.md5(expected.encode()).hexdigest()
    # pandas with its nullable (Arrow-backed) dtypes is the same table
    assert fingerprint(df.to_pandas(use_pyarrow_extension_array=True)) == fingerprint(df)


def test_fingerprint_tells_tables_apart():
    train = workshop_data("train")
    assert fingerprint(train) == fingerprint(train.clone())
    assert fingerprint(train) != fingerprint(train[::-1])  # row order is part of a table
    assert fingerprint(train) != fingerprint(train.rename({train.columns[0]: "other"}))


def test_split_is_a_random_half_not_head_tail():
    deid = workshop_data("deidentified")
    train, holdout = workshop_data("train"), workshop_data("holdout")
    assert train.height == holdout.height == deid.height // 2
    # together they are the de-identified data, row for row (as multisets)
    both = pl.concat([train, holdout]).sort(pl.all())
    assert both.equals(deid.sort(pl.all()))
    # the data are time-ordered: a random half has training records from every month
    months = train.get_column(next(c for c, t in train.schema.items() if t == pl.Date)).dt.month().unique()
    assert months.len() == 12
    assert workshop_data("deidentified").equals(datasets.load("ae_deidentified"))
    assert workshop_data("ae").equals(datasets.load("ae"))


def test_bad_name_is_named():
    with pytest.raises(Exception, match="no workshop data called 'tran'.*'train'"):
        workshop_data("tran")


def test_files_are_what_the_builder_writes(tmp_path):
    pytest.importorskip("rpy2")
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed: the rds files cannot be rebuilt here")
    build_data(tmp_path)
    for name in NAMES:
        assert pl.read_parquet(tmp_path / f"{name}.parquet").equals(workshop_data(name)), name


@pytest.mark.parametrize("name", list(NAMES))
def test_r_reads_the_same_typed_table(name, tmp_path):
    """R's readRDS of the shipped file: same fingerprint (values, column kinds), factor levels in
    the same order as the polars Enum, dates as Date."""
    df = workshop_data(name)
    enums = {c: list(t.categories) for c, t in df.schema.items() if isinstance(t, pl.Enum)}
    out = rscript(R_WORKSHOP + f"""
x <- workshop_data("{name}")
cat(fingerprint(x), "\\n")
for (n in names(x)) if (is.factor(x[[n]])) cat(n, paste(levels(x[[n]]), collapse = "|"), sep = "\\t", "\\n")
cat("classes", paste(vapply(x, function(v) class(v)[1], ""), collapse = ","), "\\n")
""", tmp_path)
    lines = out.splitlines()
    assert lines[0].strip() == fingerprint(df)
    levels = dict(line.rstrip().split("\t")[:2] for line in lines[1:-1])
    assert {k: v.split("|") for k, v in levels.items()} == enums
    classes = lines[-1].split()[1].split(",")
    for cls, dtype in zip(classes, df.dtypes):
        want = {pl.Date: "Date", pl.Boolean: "logical", pl.Int64: "integer", pl.String: "character"}.get(dtype)
        if isinstance(dtype, pl.Enum):
            want = "factor"
        if isinstance(dtype, pl.Datetime):
            want = "POSIXct"
        assert cls == want, (name, dtype, cls)


def test_r_fingerprint_of_awkward_values(tmp_path):
    """NA in every kind, doubles that need %.10g, negative and large numbers, UTF-8 text."""
    df = pl.DataFrame({"i": [-3, None, 2_000_000_000], "x": [1 / 3, None, -1e15],
                       "l": [None, False, True], "d": [None, dt.date(1970, 1, 1), dt.date(2030, 12, 31)],
                       "s": ["café", None, "tab-free"]})
    path = tmp_path / "awkward.rds"
    from synthspectrum.workshop.data import write_rds

    write_rds(df, path)
    out = rscript(R_WORKSHOP + f'cat(fingerprint(readRDS("{path}")))', tmp_path)
    assert out.strip() == fingerprint(df)


def test_python_reads_what_r_saved(tmp_path):
    """The R role's saveRDS file comes back typed: a data.frame, and syn()'s result."""
    from synthspectrum.workshop import read_rds

    train = workshop_data("train").head(300)
    rscript(R_WORKSHOP + f"""
x <- workshop_data("train")[1:300, ]
rownames(x) <- NULL
saveRDS(x, "frame.rds")
saveRDS(list(synthetic = x, method = "none"), "result.rds")
""", tmp_path)
    assert read_rds(tmp_path / "frame.rds", like=train).equals(train)
    assert read_rds(tmp_path / "result.rds", like=train).equals(train)
    with pytest.raises(Exception, match="is not a file"):
        read_rds(tmp_path / "nothing.rds")
