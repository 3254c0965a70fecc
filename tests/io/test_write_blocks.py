"""write_table_blocks: frames written one after another read back as their concatenation
written in one go; atomically, never leaving a partial file or our temporary file behind."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io.tables import write_table, write_table_blocks


def _parts(sizes=(5, 5, 3), seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for n in sizes:
        out.append(pl.DataFrame({
            "e": pl.Series(rng.choice(["b", "a", "c"], n)).cast(pl.Enum(["c", "b", "a", "never"])),
            "cat": pl.Series(rng.choice(["p", "q", "r, with a comma"], n)).cast(pl.Categorical),
            "x": pl.Series(rng.normal(size=n)).scatter([0] if n else [], None),
            "i": rng.integers(-5, 5, n),
            "d": [dt.date(2021, 3, 1) + dt.timedelta(days=int(k)) for k in rng.integers(0, 99, n)],
            "t": pl.Series([dt.datetime(2020, 1, 1, 12, int(k)) for k in rng.integers(0, 59, n)]),
            "b": rng.random(n) < 0.5,
            "s": [f'text "{k}"' for k in rng.integers(0, 9, n)],
        }))
    return out


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if ".partial" in p.name]


def test_parquet_reads_back_as_the_concatenation(tmp_path):
    parts = _parts()
    seen = []
    rows = write_table_blocks(iter(parts), tmp_path / "out.parquet", on_block=seen.append)
    back = pl.read_parquet(tmp_path / "out.parquet")
    whole = pl.concat(parts)
    assert rows == 13 and seen == [5, 10, 13]
    assert back.schema == whole.schema and back.equals(whole)
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "out.parquet").num_row_groups == 3  # one row group a frame


def test_csv_text_is_that_of_one_write(tmp_path):
    parts = _parts()
    write_table_blocks(parts, tmp_path / "out.csv")
    write_table(pl.concat(parts), tmp_path / "once.csv")
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "once.csv").read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_empty_frame_gives_the_header_only(tmp_path, suffix):
    empty = _parts((0,))
    write_table_blocks(empty, tmp_path / f"a{suffix}")
    write_table(empty[0], tmp_path / f"b{suffix}")
    if suffix == ".csv":
        assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    else:
        assert pl.read_parquet(tmp_path / "a.parquet").schema == empty[0].schema


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failure_midway_leaves_the_earlier_file_and_no_temporary(tmp_path, suffix, error):
    target = tmp_path / f"out{suffix}"
    write_table(_parts((4,), seed=9)[0], target)
    before = target.read_bytes()

    def failing():
        yield from _parts((5, 5))
        raise error("stopped")

    with pytest.raises(error):
        write_table_blocks(failing(), target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_frames_of_different_dtypes_are_refused(tmp_path, suffix):
    a, b = _parts((3, 3))
    with pytest.raises(SynthSpectrumError, match="differ"):
        write_table_blocks([a, b.with_columns(pl.col("i").cast(pl.Float64))], tmp_path / f"o{suffix}")
    assert not (tmp_path / f"o{suffix}").exists() and _leftovers(tmp_path) == []
