"""De-identification: the tutorial's step before synthesis.

Pure functions: each takes a polars or pandas frame and returns a new frame of the same kind;
nothing is changed in place, and missing values stay missing. The tutorial's whole pipeline
for the bundled A&E data chains them (``synthspectrum.datasets.ae_tutorial.deidentify_ae``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.frames import from_polars, require_columns, to_polars
from synthspectrum.core.columns import is_categorical, levels

AGE_BREAKS = (0, 18, 25, 45, 65, 85)


def _frame(df: Any, columns: Sequence[str] | str = ()) -> tuple[pl.DataFrame, str]:
    pdf, kind = to_polars(df)
    require_columns(pdf, columns)
    return pdf, kind


def _exactly(df: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    # by exact name: polars' select/drop read a name like "^a.*$" as a pattern (and would silently
    # keep or drop the columns it matches instead)
    return pl.DataFrame([df.get_column(c) for c in names])


def drop_identifiers(df: Any, columns: Sequence[str] | str) -> Any:
    """Drop direct identifiers (names, record numbers, health-service numbers...)."""
    pdf, kind = _frame(df, columns)
    gone = {columns} if isinstance(columns, str) else set(columns)
    return from_polars(_exactly(pdf, [c for c in pdf.columns if c not in gone]), kind)


def band_labels(breaks: Sequence[float]) -> list[str]:
    """Labels ``a-b`` for ``[a, next)`` bands of whole numbers, and ``last+`` for the open top."""
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(breaks[:-1], breaks[1:])]
    return labels + [f"{breaks[-1]}+"]


def band_numeric(
    df: Any,
    column: str,
    breaks: Sequence[float] = AGE_BREAKS,
    labels: Sequence[str] | None = None,
    name: str | None = None,
) -> Any:
    """Replace a numeric column by ordered bands ``[breaks[i], breaks[i+1])``, the last open.

    The default breaks give the standard age bands 0-17, 18-24, 25-44, 45-64, 65-84, 85+.
    The result is an Enum whose categories are the bands in order (all kept, even unused).
    A value below ``breaks[0]`` is an error, not a silent missing value.
    """
    pdf, kind = _frame(df, column)
    if not pdf.schema[column].is_numeric():
        raise SynthSpectrumError(f"cannot band a {pdf.schema[column]} column; it must be numeric", column)
    if list(breaks) != sorted(set(breaks)) or len(breaks) < 1:
        raise SynthSpectrumError(f"breaks must be strictly increasing, got {list(breaks)}", column)
    labels = list(labels) if labels is not None else band_labels(breaks)
    if len(labels) != len(breaks):
        raise SynthSpectrumError(
            f"{len(breaks)} breaks make {len(breaks)} bands but {len(labels)} labels were given", column
        )
    values = pdf.get_column(column)
    below = values.drop_nulls() < breaks[0]
    if below.any():
        raise SynthSpectrumError(
            f"{int(below.sum())} value(s) lie below the lowest break {breaks[0]}", column
        )
    idx = np.searchsorted(np.asarray(breaks, dtype=float), values.cast(pl.Float64).fill_null(np.nan).to_numpy(), side="right") - 1
    banded = pl.Series(column, np.asarray(labels, dtype=object)[np.clip(idx, 0, None)], dtype=pl.String)
    banded = pl.when(values.is_null()).then(None).otherwise(banded)
    out = pdf.with_columns(banded.cast(pl.Enum(labels)).alias(name or column))
    if name and name != column:
        out = _exactly(out, [c if c != column else name for c in pdf.columns])
    return from_polars(out, kind)


def coarsen_datetime(df: Any, column: str, hours: int = 4) -> Any:
    """Replace a datetime by its date (``<column>_date``) and an hour band (``<column>_hour_band``).

    With ``hours=4`` the bands are 00-03, 04-07, ..., 20-23: the tutorial's 4-hour bands.
    """
    pdf, kind = _frame(df, column)
    if not isinstance(pdf.schema[column], pl.Datetime):
        raise SynthSpectrumError(f"expected a Datetime column, got {pdf.schema[column]}", column)
    if hours < 1 or 24 % hours:
        raise SynthSpectrumError(f"hours must divide 24, got {hours}", column)
    labels = [f"{h:02d}-{h + hours - 1:02d}" for h in range(0, 24, hours)]
    band = pl.Series(labels).gather((pdf.get_column(column).dt.hour() // hours).cast(pl.UInt32))
    out = pdf.with_columns(
        pdf.get_column(column).dt.date().alias(f"{column}_date"),
        band.cast(pl.Enum(labels)).alias(f"{column}_hour_band"),
    )
    pos = pdf.columns.index(column)
    order = pdf.columns[:pos] + [f"{column}_date", f"{column}_hour_band"] + pdf.columns[pos + 1:]
    return from_polars(_exactly(out, order), kind)


def pseudonym_map(values: Sequence[str], seed: int, length: int = 6) -> dict[str, str]:
    """Random, seeded, one-to-one codes (``length`` letters and digits) for distinct values."""
    rng = np.random.default_rng(seed)
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))  # no 0/O, 1/I look-alikes
    codes: dict[str, str] = {}
    used: set[str] = set()
    for v in values:
        while True:
            code = "".join(rng.choice(alphabet, size=length))
            if code not in used:
                break
        used.add(code)
        codes[v] = code
    return codes


def pseudonymise(df: Any, column: str, seed: int, length: int = 6) -> Any:
    """Replace each category by a random code (same value -> same code; seeded).

    The codes carry no order or meaning; the mapping is not stored anywhere.
    """
    pdf, kind = _frame(df, column)
    s = pdf.get_column(column)
    if not (is_categorical(s.dtype) or s.dtype == pl.String):
        raise SynthSpectrumError(f"pseudonymise takes text or categorical columns, got {s.dtype}", column)
    mapping = pseudonym_map(levels(s), seed, length)
    coded = s.cast(pl.String).replace_strict(mapping, default=None, return_dtype=pl.String)
    return from_polars(pdf.with_columns(coded.cast(pl.Enum(list(mapping.values()))).alias(column)), kind)


def postcode_district(postcodes: pl.Series) -> pl.Series:
    """Outward code of UK postcodes ('SE15 4QL' -> 'SE15'); with no space, all but the last 3 characters."""
    p = postcodes.str.strip_chars().str.to_uppercase()
    return pl.select(
        pl.when(p.str.contains(" ")).then(p.str.split(" ").list.first())
        .otherwise(p.str.slice(0, p.str.len_chars() - 3))
    ).to_series().alias(postcodes.name)


def postcode_to_deprivation(
    df: Any,
    column: str,
    area: Any,
    district_column: str = "postcode_district",
    *,
    decile_column: str,
    unknown: str = "error",
) -> Any:
    """Replace a postcode by its area's deprivation decile: ``area`` maps each
    ``district_column`` value to a ``decile_column`` value, the new column's name.

    A missing postcode gives a missing decile. A district that is not in ``area`` raises
    (``unknown="error"``) or becomes missing (``unknown="null"``) — never a silent guess.
    """
    pdf, kind = _frame(df, column)
    apdf, _ = to_polars(area, "area table")
    require_columns(apdf, [district_column, decile_column], "area table")
    if apdf[district_column].is_duplicated().any():
        raise SynthSpectrumError("the area table lists a district twice", district_column)
    district = postcode_district(pdf.get_column(column).cast(pl.String))
    lookup = dict(zip(apdf[district_column].to_list(), apdf[decile_column].to_list()))
    missing = sorted(set(district.drop_nulls().to_list()) - set(lookup))
    if missing and unknown == "error":
        raise SynthSpectrumError(
            f"{len(missing)} postcode district(s) are not in the area table, e.g. {missing[:3]}; "
            "pass unknown='null' to make them missing", column
        )
    decile = district.replace_strict(lookup, default=None, return_dtype=apdf.schema[decile_column])
    out = pdf.with_columns(decile.alias(column)).rename({column: decile_column})
    return from_polars(out, kind)


def suppress_rare(df: Any, column: str, k: int = 10, other: str = "Other") -> Any:
    """Recode categories seen fewer than ``k`` times to ``other``.

    ``other`` may be an existing category (merge rare codes into it). If the merged ``other``
    is itself rarer than ``k``, those records are suppressed (set missing). Category order is
    kept; a new ``other`` goes last.
    """
    pdf, kind = _frame(df, column)
    s = pdf.get_column(column)
    if not (is_categorical(s.dtype) or s.dtype == pl.String):
        raise SynthSpectrumError(f"suppress_rare takes text or categorical columns, got {s.dtype}", column)
    counts = dict(zip(*s.drop_nulls().cast(pl.String).value_counts().to_dict(as_series=False).values()))
    all_levels = levels(s)
    rare = {lvl for lvl in all_levels if counts.get(lvl, 0) < k and lvl != other}
    text = s.cast(pl.String)
    recoded = pl.select(pl.when(text.is_in(sorted(rare))).then(pl.lit(other)).otherwise(text)).to_series()
    if 0 < (recoded == other).sum() < k:
        recoded = pl.select(pl.when(recoded == other).then(None).otherwise(recoded)).to_series()
    kept = [lvl for lvl in all_levels if lvl not in rare]
    if other not in kept and (recoded == other).any():
        kept.append(other)
    out = recoded.cast(pl.Enum(kept)) if isinstance(s.dtype, pl.Enum) else recoded.cast(s.dtype)
    return from_polars(pdf.with_columns(out.alias(column)), kind)


def top_bottom_code(df: Any, column: str, lower: float | None = None, upper: float | None = None) -> Any:
    """Clip a numeric column: values above ``upper`` become ``upper``, below ``lower`` become ``lower``."""
    pdf, kind = _frame(df, column)
    if not pdf.schema[column].is_numeric():
        raise SynthSpectrumError(f"cannot top/bottom-code a {pdf.schema[column]} column", column)
    if lower is not None and upper is not None and lower > upper:
        raise SynthSpectrumError(f"lower ({lower}) is above upper ({upper})", column)
    return from_polars(pdf.with_columns(pdf.get_column(column).clip(lower, upper)), kind)


@dataclass(frozen=True)
class KAnonymityReport:
    """Equivalence classes on quasi-identifiers (Sweeney 2002, k-anonymity).

    ``k`` is the smallest class size; ``n_unique`` counts records alone in their class
    (sample uniques); ``sizes`` is a polars frame (class_size, n_classes, n_records).
    The report holds no quasi-identifier values, so it may be shared.
    """

    quasi_identifiers: tuple[str, ...]
    n_records: int
    n_classes: int
    k: int
    n_unique: int
    sizes: pl.DataFrame

    @property
    def share_unique(self) -> float:
        return self.n_unique / self.n_records if self.n_records else 0.0

    def records_below(self, k: int) -> int:
        """Number of records in classes smaller than ``k``."""
        return int(self.sizes.filter(pl.col("class_size") < k)["n_records"].sum())

    def __str__(self) -> str:
        return (
            f"k-anonymity on {', '.join(self.quasi_identifiers)}: k = {self.k}; "
            f"{self.n_classes} classes over {self.n_records} records; "
            f"{self.n_unique} unique records ({100 * self.share_unique:.1f}%); "
            f"{self.records_below(5)} records in classes smaller than 5"
        )


def k_anonymity(df: Any, quasi_identifiers: Sequence[str]) -> KAnonymityReport:
    """k-anonymity report: equivalence-class sizes on the chosen quasi-identifiers.

    Missing values form their own value (a record with a missing age is grouped with the
    other records with a missing age), as in sdcMicro's default.
    """
    pdf, _ = _frame(df, quasi_identifiers)
    if not quasi_identifiers:
        raise SynthSpectrumError("name at least one quasi-identifier")
    if pdf.height == 0:
        raise SynthSpectrumError("the frame is empty: there are no records to assess")
    # grouped under neutral names: polars reads a name like "^a.*$" as a pattern, and grouped
    # silently by other columns that the pattern matched
    neutral = pl.DataFrame([pdf.get_column(q).alias(f"q{i}") for i, q in enumerate(quasi_identifiers)])
    classes = neutral.group_by([f"q{i}" for i in range(len(quasi_identifiers))]).len(name="class_size")
    sizes = (
        classes.group_by("class_size").len(name="n_classes")
        .with_columns((pl.col("class_size") * pl.col("n_classes")).alias("n_records"))
        .sort("class_size")
        .with_columns(pl.col("class_size").cast(pl.Int64), pl.col("n_classes").cast(pl.Int64),
                      pl.col("n_records").cast(pl.Int64))
    )
    return KAnonymityReport(
        quasi_identifiers=tuple(quasi_identifiers),
        n_records=pdf.height,
        n_classes=classes.height,
        k=int(classes["class_size"].min()),
        n_unique=int((classes["class_size"] == 1).sum()),
        sizes=sizes,
    )
