"""Read and write data files for the command line: CSV (with sensible dtypes) and Parquet.

Parquet keeps every dtype. CSV has no dtypes, so on reading: dates and datetimes are parsed,
and a text column whose values repeat (few distinct values) becomes a categorical, as
:func:`synthspectrum.metadata.is_low_cardinality` defines it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata import is_low_cardinality

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SynthSpectrumError(f"{path}: unknown file type {path.suffix!r}; use .csv or .parquet")
    return fmt


def read_table(path: str | Path) -> pl.DataFrame:
    """Read a CSV or Parquet file into a polars frame (see the module docstring for CSV dtypes)."""
    path = Path(path)
    fmt = _format(path)
    if not path.is_file():
        raise SynthSpectrumError(f"no such file: {path}")
    try:
        if fmt == "parquet":
            return pl.read_parquet(path)
        df = pl.read_csv(path, try_parse_dates=True, infer_schema_length=10_000)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SynthSpectrumError(f"could not read {path}: {exc}") from None
    return df.with_columns(
        df.get_column(c).cast(pl.Categorical) for c in df.columns
        if df.schema[c] == pl.String and is_low_cardinality(df.get_column(c))
    )


def write_table(df: pl.DataFrame, path: str | Path) -> Path:
    """Write a polars frame to CSV or Parquet by the file's extension; create the folder."""
    path = Path(path)
    fmt = _format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        df.write_parquet(path)
    else:
        df.write_csv(path)
    return path


def read_data(spec: str) -> pl.DataFrame:
    """A .csv/.parquet file, or the name of a bundled dataset (polars)."""
    from synthspectrum import datasets

    if Path(spec).suffix.lower() in FORMATS:
        return read_table(spec)
    if spec in datasets.list():
        return datasets.load(spec)
    raise SynthSpectrumError(
        f"{spec!r} is neither a .csv/.parquet file nor a bundled dataset ({', '.join(datasets.list())})"
    )
