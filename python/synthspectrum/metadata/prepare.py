"""Data preparation: make a frame ready for metasyn, and give the user their dtypes back.

metasyn follows the polars dtype only. Here, before it fits: values no model can use become
missing (the package's one number policy), low-cardinality text and asked-for columns become
categoricals, Enums become categoricals, whole numbers stored as floats become integers, a
unique key is marked as one, and each column gets its candidate distributions (see
:mod:`synthspectrum.metadata.candidates`). After it draws, :func:`restore_dtypes` casts every
column back to the dtype it came in with.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import polars as pl

from synthspectrum.core.columns import is_low_cardinality
from synthspectrum.core.dtypes import dtype_from_json, dtype_to_json
from synthspectrum.core.frames import require_columns, require_rows
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata.candidates import sign_safe_registry
from synthspectrum.metadata.checks import column_sign


def _unsupported(dtype: pl.DataType) -> bool:
    return isinstance(dtype, (pl.List, pl.Array, pl.Struct, pl.Object, pl.Binary, pl.Decimal))


def is_unique_key(s: pl.Series) -> bool:
    """Whole numbers or text, no missing values, every value distinct, at least 10 rows."""
    if not (s.dtype.is_integer() or s.dtype == pl.String):
        return False
    return s.len() >= 10 and s.null_count() == 0 and s.n_unique() == s.len()


@dataclass
class Prepared:
    """A frame made ready for metasyn, and what it takes to give the user their dtypes back."""

    frame: pl.DataFrame
    dtypes: dict[str, dict[str, Any]]
    var_specs: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    # per column kept by the support rule: {"sign": "non-negative" | "non-positive" | None, "whole": bool}
    support: dict[str, dict[str, Any]] = field(default_factory=dict)


def normalise_var_specs(var_specs: Sequence[dict[str, Any]] | None, df: pl.DataFrame) -> dict[str, dict]:
    """metasyn's ``var_specs`` by column name; the old top-level ``unique`` moved where metasyn 3 reads it."""
    specs: dict[str, dict] = {}
    for spec in var_specs or []:
        spec = dict(spec)
        name = spec.pop("name", None)
        require_columns(df, [name], "data (var_specs)")
        if "unique" in spec:  # metasyn 3 ignores a top-level "unique"; it belongs to the distribution
            dist = spec.get("distribution") or {}
            if isinstance(dist, str):
                dist = {"name": dist}
            spec["distribution"] = {**dist, "unique": bool(spec.pop("unique"))}
        specs[name] = spec
    return specs


def prepare(
    df: pl.DataFrame,
    unique: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    max_categories: int | None = None,
    var_specs: Sequence[dict[str, Any]] | None = None,
    keep_support: bool = True,
) -> Prepared:
    """Check a frame and rewrite what metasyn would get wrong (see the module docstring)."""
    require_rows(df)
    require_columns(df, unique or [], "data (unique=)")
    require_columns(df, categorical or [], "data (categorical=)")
    specs = normalise_var_specs(var_specs, df)
    df, notes = clean_numbers(df, "data")
    support: dict[str, dict[str, Any]] = {}
    # Series, not pl.col(name): a column may be called "*" or "^a.*$", which pl.col expands.
    exprs: list[pl.Series] = []
    dtypes: dict[str, dict[str, Any]] = {}
    for name, dtype in df.schema.items():
        # polars runs many Series methods as expressions on the Series' own name, which breaks
        # for names like "^a.*$"; work under a neutral name and put the real one back at the end.
        s = df.get_column(name).alias("value")
        if _unsupported(dtype):
            hint = " (cast it to Float64)" if isinstance(dtype, pl.Decimal) else ""
            raise SynthSpectrumError(f"dtype {dtype} is not supported for synthesis{hint}", name)
        try:
            dtypes[name] = dtype_to_json(dtype)
        except SynthSpectrumError:  # e.g. a pandas period or interval, which polars keeps as an extension
            raise SynthSpectrumError(f"dtype {dtype} is not supported for synthesis (make it a supported "
                                     "one first: a period a timestamp, an interval text)", name) from None
        expr = s
        if s.null_count() == s.len():
            warnings.warn(f"column {name!r} is entirely missing: it will be synthesised as entirely missing",
                          stacklevel=3)
            notes.append(f"{name}: entirely missing")
        user_spec = specs.get(name, {})
        if (keep_support and dtype.is_numeric() and dtype != pl.Boolean and name not in (categorical or [])
                and name not in (unique or []) and "distribution" not in user_spec and "plugins" not in user_spec):
            sign = column_sign(s)
            present = s.drop_nulls()
            whole = dtype.is_float() and present.len() > 0 and bool((present == present.round(0)).all())
            support[name] = {"sign": sign, "whole": whole}
            if whole:  # metasyn's discrete models, drawn as whole numbers; restore_dtypes gives the float back
                expr = expr.cast(pl.Int64)
                notes.append(f"{name}: whole numbers stored as {dtype}, modelled and drawn as whole numbers")
        if isinstance(dtype, pl.Enum):
            expr = expr.cast(pl.String).cast(pl.Categorical)
        elif dtype == pl.String and name not in (unique or []) and (
            name in (categorical or []) or is_low_cardinality(s, max_categories)
        ) and "distribution" not in specs.get(name, {}):
            expr = expr.cast(pl.Categorical)
            notes.append(f"{name}: text with {s.n_unique()} distinct values modelled as categorical")
        elif name in (categorical or []):
            if isinstance(dtype, (pl.Duration, pl.Time)):  # polars writes no label that reads back exactly
                raise SynthSpectrumError(f"a {dtype} column cannot be modelled as a categorical "
                                         "(its values do not survive as labels); leave it out of categorical=", name)
            expr = expr.cast(pl.String).cast(pl.Categorical)
            notes.append(f"{name}: modelled as categorical as asked")
        exprs.append(expr.alias(name))
        want_unique = name in (unique or []) or (
            name not in specs and is_unique_key(s) and name not in (categorical or [])
        )
        if want_unique and "distribution" not in specs.get(name, {}):
            specs.setdefault(name, {})["distribution"] = {"unique": True}
            notes.append(f"{name}: every value distinct, modelled as a unique key")
            support.pop(name, None)  # a unique key is its own model
        elif "distribution" not in user_spec and "plugins" not in user_spec:
            specs.setdefault(name, {})["plugins"] = sign_safe_registry(support.get(name, {}).get("sign"))
    frame = df.with_columns(exprs)
    var_specs_out = [{"name": n, **spec} for n, spec in specs.items()]
    return Prepared(frame, dtypes, var_specs_out, notes, support)


def restore_dtypes(df: pl.DataFrame, dtypes: dict[str, dict[str, Any]],
                   enums: dict[str, pl.Enum] | None = None) -> pl.DataFrame:
    """Cast synthetic columns back to the dtypes the real columns had.

    ``enums`` (column -> Enum) fixes the levels of those Enum columns (every block of a long draw
    gets the same dtype, :mod:`synthspectrum.metadata.blocks`); a drawn label outside them is an
    error naming the column. Without it, labels the real Enum never had are added after its levels.
    """
    exprs = []
    for name in df.columns:
        if name not in dtypes:
            continue
        want = dtype_from_json(dtypes[name])
        if enums and name in enums:
            col = df.get_column(name).alias("value").cast(pl.String)
            extra = set(col.drop_nulls().unique().to_list()) - set(enums[name].categories.to_list())
            if extra:
                raise SynthSpectrumError(
                    f"the model draws {len(extra)} label(s) that are neither the real Enum's levels nor "
                    "listed in its model, so a draw of more than one block cannot give every block the "
                    "same levels; draw at most one block, or fix the column's model", name)
            exprs.append(col.cast(enums[name]).alias(name))
            continue
        if df.schema[name] == want:
            continue
        col = df.get_column(name).alias("value")
        if isinstance(want, pl.Enum):
            # Labels the real Enum never had (a disclosure plugin's redacted labels, an edited
            # model file) are added after the real levels instead of failing the cast.
            present = col.drop_nulls().cast(pl.String).unique().to_list()
            known = want.categories.to_list()
            extra = sorted(set(present) - set(known))
            want = pl.Enum(known + extra) if extra else want
            col = col.cast(pl.String)
        elif isinstance(df.schema[name], pl.Categorical) and want != pl.String:
            # e.g. whole numbers, booleans or dates that were modelled as categories
            exprs.append(_from_labels(col.cast(pl.String), want).alias(name))
            continue
        exprs.append(col.cast(want).alias(name))
    return df.with_columns(exprs) if exprs else df


def _from_labels(col: pl.Series, want: pl.DataType) -> pl.Series:
    """Labels (polars' own text for the real values) read back as ``want``: polars casts text to
    numbers, but not to booleans or dates."""
    if want == pl.Boolean:
        return col.replace_strict({"true": True, "false": False}, return_dtype=pl.Boolean)
    if want == pl.Date:
        return col.str.to_date("%Y-%m-%d")
    if isinstance(want, pl.Datetime):
        return col.str.to_datetime(time_unit=want.time_unit, time_zone=want.time_zone)
    return col.cast(want)
