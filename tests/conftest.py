from pathlib import Path

import polars as pl
import pytest

from synthspectrum import datasets


@pytest.fixture(scope="session")
def ae() -> pl.DataFrame:
    return datasets.load("ae")


@pytest.fixture(scope="session")
def ae_deid() -> pl.DataFrame:
    return datasets.load("ae_deidentified")


FROZEN = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def frozen_split():
    """Frozen frames for the measures: (training, synthetic, holdout).

    tests/data holds 2,000 de-identified A&E records and 1,800 metasyn-synthetic ones, fixed
    on disk so that the tests compare measures, not generators.
    """
    real = pl.read_parquet(FROZEN / "frozen_real.parquet")
    return real.head(1000), pl.read_parquet(FROZEN / "frozen_synthetic.parquet"), real.tail(1000)
