"""pandas frames given back in their own dtypes.

A pandas frame is fitted as polars (:func:`synthspectrum.core.frames.to_polars`), and polars'
way back (``to_pandas``) loses what polars has no word for: a categorical's categories that no
row uses, their order and the ``ordered`` flag; the nullable dtypes (``Int64`` and its kin come
back ``float64``, ``boolean`` comes back ``object``, ``Float64`` as ``float64``); the string
dtype's storage (``string[python]`` comes back as pandas' default ``str``); a datetime's unit.
So at fit time each column's pandas dtype is written down (:func:`describe`, JSON-ready: it
goes into the model file beside the polars dtypes), and each synthetic column is made that dtype
again (:func:`to_pandas`):

* a categorical gets its categories in their order and its flag, unused ones kept as
  categories; a label the model draws beyond them (a disclosure plugin's placeholder, an
  edited model file) is added after them, never turned into a missing value;
* a nullable or extension dtype is built from the polars column's Arrow data (whole numbers
  exactly, missing values as ``pd.NA``);
* an ``object`` column gets polars' Python values (text, ``datetime.date``), ``None`` where
  missing;
* a numpy dtype is cast to; a numpy integer or boolean column that the draw gave missing
  values (the number policy made an absurd real value missing) keeps polars' conversion, as a
  numpy integer cannot hold a missing value.

A categorical whose categories are not text (numbers, booleans, dates) is read by polars as a
column of its values; :func:`numeric_categoricals` names these so that they are modelled as
categoricals (drawn among the real categories) and not as numbers. A dtype this module cannot
write down (periods, intervals, sparse) keeps polars' conversion, as before.

What it writes discloses, per column, the pandas dtype, for a categorical its categories:
every label of the column, including those no row holds (as for a ``pl.Enum``'s levels).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from synthspectrum.errors import SynthSpectrumError

CATEGORY = "category"
STRING = "string"


def _describe_dtype(dtype) -> dict[str, Any] | None:
    """A JSON-ready description of one pandas dtype, or None if it cannot be written down
    exactly (then polars' own conversion is kept)."""
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        cats = dtype.categories
        inner = _describe_dtype(cats.dtype)
        if inner is None or inner.get("pandas") == CATEGORY:
            return None
        kind = cats.dtype.kind if hasattr(cats.dtype, "kind") else "O"
        if kind in "mM":  # datetimes as text, read back through categories_dtype
            values = [str(v) for v in cats]
        elif kind in "biuf" or all(isinstance(v, str) for v in cats):
            values = cats.tolist()
        else:
            return None
        return {"pandas": CATEGORY, "categories": values, "categories_dtype": inner,
                "ordered": bool(dtype.ordered)}
    if isinstance(dtype, pd.StringDtype):
        return {"pandas": STRING, "storage": dtype.storage,
                "na_value": "NA" if dtype.na_value is pd.NA else "nan"}
    text = str(dtype)
    try:
        if pd.api.types.pandas_dtype(text) == dtype:
            return {"pandas": text}
    except (TypeError, ValueError):
        pass
    return None


def describe(df) -> dict[str, dict[str, Any]]:
    """Each column's pandas dtype, JSON-ready, for the columns whose dtype can be written down."""
    out = {}
    for name in df.columns:
        desc = _describe_dtype(df[name].dtype)
        if desc is not None:
            out[name] = desc
    return out


def numeric_categoricals(df) -> list[str]:
    """The categorical columns whose categories are not text (polars reads them as their values).
    A categorical of timedeltas is refused by name: its values do not survive as labels."""
    import pandas as pd

    out = []
    for name in df.columns:
        dtype = df[name].dtype
        if not isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype.categories.dtype):
            continue
        if getattr(dtype.categories.dtype, "kind", "") == "m":
            raise SynthSpectrumError("a pandas categorical of timedeltas cannot be synthesised as a categorical; "
                                     "make it a plain timedelta column (.astype('timedelta64[ns]')) or text first", name)
        out.append(name)
    return out


def parse(descs: dict[str, Any]) -> dict[str, Any]:
    """pandas dtypes from their descriptions (a model file's); a description pandas cannot read
    is an error naming the column."""
    return {name: _parse_one(name, desc) for name, desc in (descs or {}).items()}


def _parse_one(name: str, desc: Any):
    import numpy as np
    import pandas as pd

    try:
        kind = desc["pandas"]
        if kind == CATEGORY:
            inner = _parse_one(name, desc["categories_dtype"])
            cats = pd.Index(desc["categories"])
            cats = cats.astype(inner) if cats.dtype != inner else cats
            return pd.CategoricalDtype(cats, ordered=bool(desc["ordered"]))
        if kind == STRING:
            na = pd.NA if desc.get("na_value", "NA") == "NA" else np.nan
            return pd.StringDtype(desc.get("storage"), na_value=na)
        return pd.api.types.pandas_dtype(kind)
    except SynthSpectrumError:
        raise
    except Exception:
        raise SynthSpectrumError(f"the model file's pandas dtype {desc!r} is not one pandas can read", name) from None


def to_pandas(df: pl.DataFrame, dtypes: dict[str, Any]):
    """``df`` as pandas, each column named in ``dtypes`` (name -> pandas dtype, :func:`parse`)
    in that dtype, the others as polars converts them."""
    out = df.to_pandas()
    for name, want in dtypes.items():
        if name not in out.columns or out[name].dtype == want:
            continue
        try:
            out[name] = _column(df.get_column(name), out[name], want)
        except SynthSpectrumError:
            raise
        except Exception as exc:
            raise SynthSpectrumError(f"the synthetic column cannot be given back as pandas {want}",
                                     name, detail=type(exc).__name__) from None
    return out


def _column(s: pl.Series, converted, want):
    import numpy as np
    import pandas as pd

    if isinstance(want, pd.CategoricalDtype):
        values = converted.astype(object) if isinstance(converted.dtype, pd.CategoricalDtype) else converted
        cats = want.categories
        known = set(cats)
        extra = [v for v in pd.unique(values.dropna()) if v not in known]
        if extra:  # never a drawn label turned into a missing value
            cats = cats.append(pd.Index(sorted(extra, key=str)))
        return pd.Series(pd.Categorical(values, categories=cats, ordered=want.ordered),
                         index=converted.index, name=converted.name)
    if isinstance(want, pd.api.extensions.ExtensionDtype) and hasattr(want, "__from_arrow__"):
        arrow = s.to_arrow()
        if isinstance(want, pd.StringDtype) and s.dtype != pl.String:
            arrow = s.cast(pl.String).to_arrow()
        return pd.Series(want.__from_arrow__(arrow), index=converted.index, name=converted.name)
    if isinstance(want, np.dtype) and want.kind == "O":  # Python's own values (text, dates), None for missing
        return pd.Series(s.to_list(), index=converted.index, name=converted.name, dtype=object)
    if isinstance(want, np.dtype) and want.kind in "biu" and converted.isna().any():
        return converted  # a numpy integer or boolean cannot hold the drawn missing values
    return converted.astype(want)
