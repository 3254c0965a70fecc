"""The workshop's data: the same typed tables for the Python role and the R role.

Python reads ``data/workshop/<name>.parquet`` (polars: Enum categories, Date, Boolean, Int64);
R reads ``data/workshop/<name>.rds``, written from the very same frame through the R bridge
(factors with the same levels in the same order, Date, logical, integer). A CSV would lose the
factor levels and turn dates into text, and the pair's numbers would stop agreeing.

``train`` and ``holdout`` are a random (seeded) half each of the de-identified A&E data. The
data are time-ordered, so a head/tail split would give a holdout from other months: a
generator would then look worse on the holdout for reasons that have nothing to do with
privacy. Within each half the rows keep their original order.

What the files disclose: all of it is mock data, invented by ``datasets.ae.generate_ae``;
``ae`` holds mock direct identifiers (patient numbers, postcodes) on purpose, for module M1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError

__all__ = ["NAMES", "SPLIT_SEED", "data_folder", "workshop_data", "build_data", "write_rds", "read_rds"]

NAMES = {
    "ae": "the raw mock A&E admissions, 10,000 rows, with identifiers (module M1 de-identifies them)",
    "deidentified": "the A&E data after the ODI tutorial's de-identification pipeline",
    "train": "a random half of the de-identified rows: the real data every generator learns from",
    "holdout": "the other half: real records no generator sees (the baseline for distances)",
}
SPLIT_SEED = 2024


def data_folder() -> Path:
    """The folder holding the workshop's data files (inside the bundled data)."""
    from synthspectrum.datasets import data_dir

    return data_dir() / "workshop"


def _check_name(name: str) -> str:
    if name not in NAMES:
        raise SynthSpectrumError(f"no workshop data called {name!r}; the workshop data are "
                                 + ", ".join(f"{k!r} ({v})" for k, v in NAMES.items()))
    return name


def workshop_data(name: str = "train", as_pandas: bool = False):
    """One of the workshop's tables (see ``NAMES``) as a polars frame, or pandas with ``as_pandas``."""
    path = data_folder() / f"{_check_name(name)}.parquet"
    if not path.exists():
        raise SynthSpectrumError(f"the workshop data file {path} is missing: run `synthspectrum workshop data`")
    df = pl.read_parquet(path)
    return df.to_pandas() if as_pandas else df


def _tables() -> dict[str, pl.DataFrame]:
    from synthspectrum import datasets

    raw = datasets.load("ae")
    deid = datasets.load("ae_deidentified")
    order = np.random.default_rng(SPLIT_SEED).permutation(deid.height)
    half = deid.height // 2
    train_rows = np.sort(order[:half])
    holdout_rows = np.sort(order[half:])
    return {"ae": raw, "deidentified": deid, "train": deid[train_rows], "holdout": deid[holdout_rows]}


def write_rds(df: pl.DataFrame, path: Path) -> Path:
    """Write ``df`` as an R ``.rds`` file through the lossless bridge, atomically."""
    from synthspectrum.io.outputs import atomic_path
    from synthspectrum.synthpop import rinterface, to_r

    ri = rinterface()
    with atomic_path(path, record=False) as tmp:
        # version 3 and gzip are R's defaults; compress=TRUE keeps the files small in git
        robj, _schema = to_r(df)
        ri.baseenv["saveRDS"](robj, file=ri.StrSexpVector([str(tmp)]))
    return path


def read_rds(path: str | Path, like: pl.DataFrame | None = None) -> pl.DataFrame:
    """An R data.frame saved with ``saveRDS`` (e.g. by the R role) as a polars frame, through the
    lossless bridge; with ``like``, each column gets ``like``'s dtype (an Enum its levels). A
    synthpop ``synds`` object or the R twin's ``syn()`` result gives its synthetic data frame."""
    from synthspectrum.synthpop import from_r, rinterface

    path = Path(path)
    if not path.is_file():
        raise SynthSpectrumError(f"{path} is not a file: the R role writes it with saveRDS()")
    ri = rinterface()
    obj = ri.baseenv["readRDS"](ri.StrSexpVector([str(path)]))
    unwrap = ri.evalr("function(x) if (inherits(x, 'synds')) x$syn else if (is.list(x) && !is.data.frame(x) && "
                      "!is.null(x$synthetic)) x$synthetic else x")
    obj = unwrap(obj)
    if "data.frame" not in [str(c) for c in (ri.baseenv["class"](obj))]:
        raise SynthSpectrumError(f"{path} holds no data.frame (an m > 1 synthpop result holds a list of them)")
    schema = {"dtypes": dict(like.schema)} if like is not None else None
    return from_r(obj, schema=schema)


def build_data(folder: Path | None = None) -> list[Path]:
    """(Re)write every workshop table as parquet and rds into ``folder`` (default: the data folder)."""
    from synthspectrum.io.outputs import atomic_path

    folder = Path(folder) if folder else data_folder()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in _tables().items():
        parquet = folder / f"{name}.parquet"
        with atomic_path(parquet, record=False) as tmp:
            df.write_parquet(tmp, statistics=False)
        written += [parquet, write_rds(df, folder / f"{name}.rds")]
    return written
