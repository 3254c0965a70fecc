import polars as pl
import pytest

from synthspectrum import datasets


@pytest.fixture(scope="session")
def ae() -> pl.DataFrame:
    return datasets.load("ae")


@pytest.fixture(scope="session")
def ae_deid() -> pl.DataFrame:
    return datasets.load("ae_deidentified")
