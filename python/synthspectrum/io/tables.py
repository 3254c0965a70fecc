"""Read and write data files: CSV (with sensible dtypes) and Parquet.

Parquet keeps every dtype. CSV has none, so :func:`read_table` reads it by these rules:

* the separator is detected among ``,`` ``;`` tab and ``|`` (or given: ``sep=``); a
  semicolon-separated file with decimal commas (R's ``write.csv2``, European spreadsheets) has its
  numbers read as numbers;
* the usual spellings of a missing value are missing in every column: empty, ``NA`` (R),
  ``N/A``, ``NaN``, ``nan``, ``NULL``, ``null``, ``None``, ``#N/A``, ``<NA>`` and a few more
  (:data:`NA_VALUES`, the same list as pandas'); ``na_values=`` replaces the list. A real
  category spelt "NA" must therefore be passed as ``na_values=[""]``;
* a first column with no name holding the row numbers 1..n (R's ``write.csv`` row names) is
  dropped, with a warning;
* dates and datetimes are parsed; ``TRUE``/``FALSE`` become booleans;
* CSVs we write spell a missing value ``NA`` and booleans ``TRUE``/``FALSE``, as R's
  ``write.csv`` does: R's ``read.csv``, pandas and :func:`read_table` read them back with their
  missing values and logicals (polars' own ``read_csv`` needs ``null_values="NA"``);
* a text column whose values repeat (few distinct values) becomes a categorical, as
  :func:`synthspectrum.core.columns.is_low_cardinality` defines it;
* a text column most of whose values are numbers is kept as text, with a warning saying how many
  values are not numbers (a missing-value code this list does not know, or a typo);
* a file that is not UTF-8 gets a hint to pass ``encoding=`` (e.g. ``"latin-1"``).

``like=`` reads a file into the dtypes of another frame (a synthetic CSV back into the real
data's categories, Enums and dates), so that measures compare like with like.
Every write is atomic (:mod:`synthspectrum.io.outputs`).
"""

from __future__ import annotations

import csv
import io as _io
import warnings
from pathlib import Path
from typing import Callable, Iterable, Sequence

import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.columns import is_low_cardinality
from synthspectrum.io.outputs import atomic_path, check_output

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# pandas' default missing-value spellings: the list users of R, Excel and pandas already meet.
NA_VALUES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
             "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
SEPARATORS = [",", ";", "\t", "|"]
NUMERIC_TEXT_SHARE = 0.9  # text with at least this share of numbers gets a warning


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SynthSpectrumError(f"{path}: unknown file type {path.suffix!r}; use .csv or .parquet")
    return fmt


def detect_separator(sample: str) -> str:
    """The separator among ``,`` ``;`` tab ``|`` that splits the first lines into the same
    number (> 1) of fields, the most fields winning; ``,`` when none does."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]  # the last line of a cut sample may be incomplete
    best, best_fields = ",", 1
    for sep in SEPARATORS:
        try:
            counts = {len(row) for row in csv.reader(lines, delimiter=sep)}
        except csv.Error:
            continue
        if len(counts) == 1:
            n = counts.pop()
            if n > best_fields:
                best, best_fields = sep, n
    return best


def _read_csv(source, sep: str, na_values: Sequence[str], decimal_comma: bool) -> pl.DataFrame:
    return pl.read_csv(source, separator=sep, try_parse_dates=True, infer_schema_length=10_000,
                       null_values=list(na_values), decimal_comma=decimal_comma)


def _looks_like_decimal_comma(df: pl.DataFrame) -> bool:
    for c, dtype in df.schema.items():
        if dtype == pl.String:
            v = df.get_column(c).alias("v").drop_nulls()
            if v.len() and v.str.contains(r"^\s*-?\d+,\d+\s*$").mean() > 0.5:
                return True
    return False


def _drop_row_names(df: pl.DataFrame, path: Path) -> pl.DataFrame:
    if df.width < 2 or df.columns[0] not in ("", "_duplicated_0"):
        return df
    first = df.get_column(df.columns[0])
    if first.dtype.is_integer() and first.null_count() == 0 and first.to_list() == list(range(1, df.height + 1)):
        warnings.warn(f"{path}: the first column has no name and holds the row numbers 1..{df.height} "
                      "(R's write.csv row names): it is not data and was dropped", UserWarning, stacklevel=3)
        return df.drop(df.columns[0])
    return df


def _warn_numeric_text(df: pl.DataFrame, path: Path) -> None:
    for c, dtype in df.schema.items():
        if dtype != pl.String:
            continue
        v = df.get_column(c).alias("v").drop_nulls().str.strip_chars()
        if v.len() == 0:
            continue
        numbers = v.cast(pl.Float64, strict=False).is_not_null().sum()
        if NUMERIC_TEXT_SHARE <= numbers / v.len() < 1:
            # the offending values are not quoted: they may be a real person's entry
            warnings.warn(
                f"{path}, column {c!r}: {numbers} of {v.len()} values are numbers but {v.len() - numbers} are "
                "not, so the column is kept as text; if those are codes for a missing value, name them "
                "with --na-values (na_values=[...]), else fix them", UserWarning, stacklevel=3)


def read_table(path: str | Path, *, sep: str | None = None, na_values: Sequence[str] | None = None,
               encoding: str = "utf-8", like: pl.DataFrame | None = None) -> pl.DataFrame:
    """Read a CSV or Parquet file into a polars frame (see the module docstring for CSV rules)."""
    path = Path(path)
    fmt = _format(path)
    if not path.is_file():
        raise SynthSpectrumError(f"no such file: {path}")
    try:
        if fmt == "parquet":
            df = pl.read_parquet(path)
        else:
            df = _read_csv_file(path, sep, NA_VALUES if na_values is None else na_values, encoding)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SynthSpectrumError(f"could not read {path}: {exc}") from None
    if like is not None:
        return cast_like(df, like, str(path))
    if fmt == "csv":
        df = df.with_columns(
            df.get_column(c).cast(pl.Categorical) for c in df.columns
            if df.schema[c] == pl.String and is_low_cardinality(df.get_column(c).alias("v"))
        )
    return df


def _read_csv_file(path: Path, sep: str | None, na_values: Sequence[str], encoding: str) -> pl.DataFrame:
    raw = path.read_bytes()
    utf8 = encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")
    if utf8:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SynthSpectrumError(
                f"{path} is not UTF-8 text (byte {exc.start}); if it was saved as Latin-1 or Windows-1252 "
                "(older Excel, R on Windows), pass --encoding latin-1 (encoding='latin-1')") from None
    else:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise SynthSpectrumError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise SynthSpectrumError(f"{path} is not {encoding} text (byte {exc.start})") from None
    if not text.strip():
        raise SynthSpectrumError(f"{path} is empty")
    given = sep
    sep = sep if sep is not None else detect_separator(text[:65_536])
    _check_header(text, sep, path)
    data = raw.removeprefix(b"\xef\xbb\xbf") if utf8 else text.encode("utf-8")
    try:
        df = _read_csv(_io.BytesIO(data), sep, na_values, False)
        if sep == ";" and _looks_like_decimal_comma(df):
            df = _read_csv(_io.BytesIO(data), sep, na_values, True)
    except pl.exceptions.PolarsError as exc:
        # polars' own words quote the line it could not parse: a real record, so never passed on
        likely = detect_separator(text[:65_536])
        hint = (f"; the file looks {likely!r}-separated: try --sep {likely!r} (sep={likely!r})"
                if given is not None and likely != sep else
                "; check that every line has the header's fields and that the separator is right "
                "(--sep, sep=)")
        raise SynthSpectrumError(f"could not read {path} as {sep!r}-separated values "
                                 f"({type(exc).__name__}){hint}") from None
    df = _drop_row_names(df, path)
    _warn_numeric_text(df, path)
    return df


def _check_header(text: str, sep: str, path: Path) -> None:
    """A header that names a column twice is refused: polars would rename the second one
    (``a_duplicated_0``), a mangled name the user never chose. R's row-name column (no name) may
    stand once."""
    first = next(csv.reader(_io.StringIO(text.removeprefix("\ufeff")), delimiter=sep), [])
    seen: dict[str, int] = {}
    for name in first:
        seen[name] = seen.get(name, 0) + 1
    twice = [n for n, k in seen.items() if k > 1]
    if twice:
        raise SynthSpectrumError(f"{path}: column names must be unique, {twice[0]!r} is the name of "
                                 f"{seen[twice[0]]} columns; rename them in the file")


def cast_like(df: pl.DataFrame, like: pl.DataFrame, what: str = "data") -> pl.DataFrame:
    """``df`` with each column cast to the dtype of the same column in ``like`` (polars in, polars out).

    Text read from a CSV becomes the Enum, Categorical, date or number it was; a value that does
    not fit (a label the Enum lacks, text in a number column) is an error naming the column.
    """
    out = []
    for c in df.columns:
        s = df.get_column(c)
        want = like.schema.get(c)
        if want is None or s.dtype == want:
            out.append(s)
            continue
        v = s.alias("v")
        try:
            if isinstance(want, pl.Enum):
                extra = set(v.drop_nulls().cast(pl.String).unique().to_list()) - set(want.categories.to_list())
                if extra:
                    raise SynthSpectrumError(f"{what}: {len(extra)} value(s) are not among the real data's "
                                             "categories", c)
            if s.dtype == pl.String and (want.is_temporal()):
                v = v.str.to_datetime(strict=True) if isinstance(want, pl.Datetime) else v.str.to_date(strict=True)
            out.append(v.cast(want, strict=True).alias(c))
        except SynthSpectrumError:
            raise
        except (pl.exceptions.PolarsError, ValueError):
            raise SynthSpectrumError(f"in {what} it is {s.dtype}, and some values cannot be read as the real "
                                     f"data's {want}", c) from None
    return pl.DataFrame(out)


def write_table(df: pl.DataFrame, path: str | Path, force: bool = False,
                inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write a polars frame to CSV or Parquet by the file's extension, atomically; create the folder.

    A file synthspectrum did not write is never replaced (unless ``force``), nor any of
    ``inputs`` (even with ``force``): :func:`synthspectrum.io.outputs.check_output`."""
    path = Path(path)
    fmt = _format(path)
    check_output(path, list(FORMATS), inputs, "table", force)
    with atomic_path(path) as tmp:  # creates the folder
        if fmt == "parquet":
            df.write_parquet(tmp)
        else:
            _for_csv(df).write_csv(tmp, null_value=CSV_MISSING)
    return path


# A missing value in our CSVs: R's own spelling. R's read.csv reads an empty text field as "" (the
# missing value lost) and pandas, R and read_table all read NA as missing.
CSV_MISSING = "NA"


def _for_csv(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` as our CSVs spell it: booleans as TRUE/FALSE, which R's read.csv, pandas and polars all
    read as logicals (R reads polars' lowercase true/false as text); missing values stay missing."""
    bools = [c for c, t in df.schema.items() if t == pl.Boolean]
    if not bools:
        return df
    return df.with_columns(df.get_column(c).cast(pl.String).str.to_uppercase() for c in bools)


def _same_schema(df: pl.DataFrame, schema, path: Path) -> None:
    if schema is not None and df.schema != schema:
        raise SynthSpectrumError(f"internal: the frames written to {path} differ in their columns or dtypes")


def write_table_blocks(blocks: Iterable[pl.DataFrame], path: str | Path,
                       on_block: Callable[[int], None] | None = None, force: bool = False,
                       inputs: Iterable[str | Path | None] = ()) -> int:
    """Write polars frames of one schema, one after the other, as one CSV or Parquet file, holding
    one frame at a time; atomically (:mod:`synthspectrum.io.outputs`: the file appears only once
    every frame is written; on an error or Ctrl-C the temporary file is removed and an earlier
    file stays as it was). Returns the rows written; ``on_block(rows so far)`` after each frame.

    The file reads back as ``pl.concat(blocks)`` written in one go: Parquet through pyarrow's
    ``ParquetWriter``, one row group per frame, with the Arrow schema polars gives (Enum levels
    and categoricals kept), zstd-compressed as polars' ``write_parquet``; CSV as polars'
    ``write_csv`` of each frame, the header once. A frame whose schema differs from the first
    one's is an error. ``force`` and ``inputs``: as :func:`write_table`, checked before the first frame.
    """
    path = Path(path)
    fmt = _format(path)
    check_output(path, list(FORMATS), inputs, "table", force)
    rows = 0
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            writer = schema = None
            try:
                for df in blocks:
                    _same_schema(df, schema, path)
                    table = df.to_arrow()
                    if writer is None:
                        schema = df.schema
                        writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                    writer.write_table(table, row_group_size=max(df.height, 1))
                    rows += df.height
                    if on_block is not None:
                        on_block(rows)
                if writer is None:
                    raise SynthSpectrumError(f"internal: nothing to write to {path}")
            finally:
                if writer is not None:
                    writer.close()
        else:
            schema = None
            with open(tmp, "wb") as fh:
                for df in blocks:
                    first = schema is None
                    _same_schema(df, schema, path)
                    schema = df.schema
                    _for_csv(df).write_csv(fh, include_header=first, null_value=CSV_MISSING)
                    rows += df.height
                    if on_block is not None:
                        on_block(rows)
                if schema is None:
                    raise SynthSpectrumError(f"internal: nothing to write to {path}")
    return rows


def read_data(spec: str, **options) -> pl.DataFrame:
    """A .csv/.parquet file (read by :func:`read_table` with ``options``), or the name of a
    bundled dataset (polars)."""
    from synthspectrum import datasets

    if Path(spec).suffix.lower() in FORMATS:
        return read_table(spec, **options)
    if spec in datasets.list():
        df = datasets.load(spec)
        return cast_like(df, options["like"], spec) if options.get("like") is not None else df
    raise SynthSpectrumError(
        f"{spec!r} is neither a .csv/.parquet file nor a bundled dataset ({', '.join(datasets.list())})"
    )
