"""Teaching datasets: our mock A&E admissions and metasyn's demo datasets, and all the package
knows about them (``ae_tutorial``: the de-identification pipeline, quasi-identifiers, the
spectrum's keys and target; ``recipe_for(df)`` hands them to the other wings).

``load(name)`` returns a polars DataFrame with proper dtypes (categories as categoricals,
dates as dates); ``load(name, as_pandas=True)`` returns pandas. ``list()`` names them all.
``load("my_file.csv")`` reads your own CSV or Parquet file by the rules of
:func:`synthspectrum.io.read_table` (separator detected, NA/empty/NaN as missing, ...), taking
the same keyword options (``sep=``, ``na_values=``, ``encoding=``).
"""

from __future__ import annotations

import builtins
from importlib.resources import files
from pathlib import Path

import polars as pl

from synthspectrum.datasets.ae import AE_SCHEMA, area_deprivation, cast_ae, generate_ae
from synthspectrum.datasets.ae_tutorial import Recipe, recipe_for
from synthspectrum.errors import SynthSpectrumError

__all__ = ["load", "list", "data_dir", "generate_ae", "area_deprivation", "OWN_DATASETS", "DEFAULT", "Recipe",
           "recipe_for"]

DEFAULT = "ae_deidentified"  # the data a command uses when given none

OWN_DATASETS = {
    "ae": "Mock hospital A&E admissions, 10,000 rows, with direct and quasi-identifiers (invented).",
    "ae_deidentified": "The A&E data after the tutorial's de-identification pipeline.",
    "area_deprivation": "London postcode district -> area deprivation decile (invented values).",
}
# metasyn's single-table demo datasets; shop_multi is multi-table and 'test' is metasyn's
# own dtype fixture, so neither is a teaching dataset.
METASYN_DATASETS = [
    "titanic", "spaceship", "survey", "fruit", "hospital", "hospital_admissions",
    "druguse", "synthea_imaging",
]


def data_dir() -> Path:
    """Folder of the bundled data: inside the installed wheel, or the repository's ``data/``."""
    packaged = files("synthspectrum") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    repo = Path(__file__).resolve().parents[3] / "data"
    if repo.is_dir():
        return repo
    raise SynthSpectrumError("the bundled data folder is missing from this installation")


def list() -> builtins.list[str]:  # noqa: A001 - the name the issue asks for
    """Names accepted by :func:`load`: our datasets first, then metasyn's demo datasets."""
    return builtins.list(OWN_DATASETS) + METASYN_DATASETS


def _read_ae() -> pl.DataFrame:
    df = pl.read_csv(
        data_dir() / "ae_admissions.csv",
        schema_overrides={c: pl.String for c in AE_SCHEMA if c != "arrival_time"}
        | {"arrival_time": pl.Datetime("us"), "age": pl.Int64, "time_in_ae_minutes": pl.Int64,
           "admitted": pl.Boolean},
    )
    return cast_ae(df)


def load(name: str, as_pandas: bool = False, **read_options):
    """Load a dataset by name (see :func:`list`), or your own ``.csv``/``.parquet`` file by its path,
    as a polars frame, or pandas if asked."""
    if Path(str(name)).suffix.lower() in (".csv", ".parquet", ".pq"):
        from synthspectrum.io.tables import read_table

        df = read_table(name, **read_options)
        return df.to_pandas() if as_pandas else df
    if read_options:
        raise SynthSpectrumError(f"reading options {sorted(read_options)} apply to files, not to the dataset {name!r}")
    if name == "ae":
        df = _read_ae()
    elif name == "ae_deidentified":
        from synthspectrum.datasets.ae_tutorial import deidentify_ae

        df = deidentify_ae(_read_ae(), _read_area())
    elif name == "area_deprivation":
        df = _read_area()
    elif name in METASYN_DATASETS:
        from metasyn import demo_data

        df = demo_data(name)
    else:
        raise SynthSpectrumError(
            f"unknown dataset {name!r}; available: {', '.join(list())}"
        )
    return df.to_pandas() if as_pandas else df


def _read_area() -> pl.DataFrame:
    return pl.read_csv(
        data_dir() / "area_deprivation.csv",
        schema_overrides={"postcode_district": pl.String, "deprivation_decile": pl.Int64},
    )


def write_bundled(folder: Path | None = None) -> None:
    """Regenerate the committed data files from the seeded generator (maintainers only)."""
    folder = data_dir() if folder is None else Path(folder)
    generate_ae().write_csv(folder / "ae_admissions.csv")
    area_deprivation().write_csv(folder / "area_deprivation.csv")
