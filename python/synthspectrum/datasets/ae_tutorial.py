"""What the package knows about the bundled A&E data: the tutorial's de-identification
pipeline, its quasi-identifiers, and the spectrum's keys and target on it.

Everything A&E-specific outside the generator (``ae.py``) lives here, so no other wing names an
A&E column; they ask :func:`synthspectrum.datasets.recipe_for` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import polars as pl

from synthspectrum.core.frames import from_polars, require_columns, to_polars
from synthspectrum.deidentify import (AGE_BREAKS, band_numeric, coarsen_datetime, drop_identifiers, pseudonymise,
                                      suppress_rare, top_bottom_code, postcode_to_deprivation)

AE_QUASI_IDENTIFIERS = ("age_band", "gender", "deprivation_decile", "arrival_time_date",
                        "arrival_time_hour_band", "hospital")
AE_TOP_CODE_MINUTES = 720  # 12 hours: the few longer stays are the most recognisable
AE_RAW_COLUMNS = ("nhs_number", "home_postcode", "arrival_time", "age", "gender", "hospital", "time_in_ae_minutes")

# The spectrum's defaults on the bundled de-identified data: quasi-identifiers for replicated
# uniques, disclosure and table utility, and the sensitive column for attribute disclosure.
SPECTRUM_KEYS = ("age_band", "gender", "deprivation_decile", "hospital")
SPECTRUM_TARGET = "admitted"
# The bundled de-identified A&E data's columns (datasets.load("ae_deidentified")); a test keeps
# the two in step. Data whose columns are all among these are the bundled data (or a part of it).
DEIDENTIFIED_COLUMNS = frozenset({"age_band", "gender", "deprivation_decile", "arrival_time_date",
                                  "arrival_time_hour_band", "hospital", "treatment", "time_in_ae_minutes",
                                  "admitted"})


def deidentify_ae(df: Any, area: Any, seed: int = 2019, k: int = 50) -> Any:
    """The tutorial's whole pipeline on the A&E data (see ``data/CODEBOOK.md``).

    1. drop the direct identifier ``nhs_number``;
    2. home postcode -> area deprivation decile;
    3. arrival time -> date + 4-hour band;
    4. age -> standard age bands;
    5. gender codes rarer than ``k`` merged into "Not known";
    6. hospital names -> random codes (seeded);
    7. time in A&E top-coded at 12 hours.
    """
    pdf, kind = to_polars(df)
    require_columns(pdf, AE_RAW_COLUMNS)
    out = drop_identifiers(pdf, "nhs_number")
    out = postcode_to_deprivation(out, "home_postcode", area, decile_column="deprivation_decile")
    out = coarsen_datetime(out, "arrival_time", hours=4)
    out = band_numeric(out, "age", AGE_BREAKS, name="age_band")
    out = suppress_rare(out, "gender", k=k, other="Not known")
    out = pseudonymise(out, "hospital", seed=seed)
    out = top_bottom_code(out, "time_in_ae_minutes", upper=AE_TOP_CODE_MINUTES)
    return from_polars(out, kind)


@dataclass(frozen=True)
class Recipe:
    """What to do by default with a bundled dataset (or a part of it): its quasi-identifiers,
    the spectrum's keys and target, and its de-identification pipeline (None once de-identified)."""

    dataset: str
    quasi_identifiers: tuple[str, ...]
    keys: tuple[str, ...] = ()
    target: str = ""
    deidentify: Callable[..., Any] | None = None


def _deidentify_raw(df: Any, seed: int = 2019, k: int = 50) -> Any:
    from synthspectrum.datasets import load

    return deidentify_ae(df, load("area_deprivation"), seed=seed, k=k)


def recipe_for(df: pl.DataFrame) -> Recipe | None:
    """The recipe of the bundled A&E data when ``df`` is it (raw or de-identified, all of it or
    some rows and columns), else None."""
    cols = set(df.columns)
    if set(AE_RAW_COLUMNS) <= cols:
        return Recipe("ae", AE_QUASI_IDENTIFIERS, deidentify=_deidentify_raw)
    if cols <= DEIDENTIFIED_COLUMNS and set(SPECTRUM_KEYS) | {SPECTRUM_TARGET} <= cols:
        return Recipe("ae_deidentified", tuple(c for c in AE_QUASI_IDENTIFIERS if c in cols),
                      SPECTRUM_KEYS, SPECTRUM_TARGET)
    if cols <= DEIDENTIFIED_COLUMNS:
        return Recipe("ae_deidentified", tuple(c for c in AE_QUASI_IDENTIFIERS if c in cols))
    return None
