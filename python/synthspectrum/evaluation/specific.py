"""Specific utility under the small-category rule: the user's regression on both frames, with
no term that names a category of fewer than ``k`` real records.

Before fitting, the categories of every text predictor of the formula held by fewer than ``k``
real records (and synthetic values outside the kept ones) are pooled into one level
"other (n categories)"; after fitting, any term whose dummy is non-zero in fewer than ``k``
real records (a rare level, a sparse interaction, a rare ``I(x == ...)``) is dropped. Rows
``categories_pooled`` (how many per column) and ``terms_left_out`` (how many) say so.

What it discloses: term names (column names, category labels held by >= k real records) and
the regression's comparison numbers (:func:`synthspectrum.measures.utility.regression_fit`).
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import polars as pl

from synthspectrum.core.columns import kind
from synthspectrum.measures import utility


def _mentions(text: str, column: str) -> bool:
    """Whether a formula side names ``column`` (as a whole name, bare or inside Q("..."))."""
    return re.search(r"(?<![A-Za-z0-9_.])" + re.escape(column) + r"(?![A-Za-z0-9_])", text) is not None


def _pool_rare(r: pl.DataFrame, s: pl.DataFrame, formula: str, k: int):
    """Text predictors of ``formula`` with their categories of < k real records (and synthetic
    values outside the kept ones) pooled into one level; returns both frames and
    {column: number of real categories pooled}."""
    lhs, _, rhs = formula.partition("~")
    pooled: dict[str, int] = {}
    for c in r.columns:
        dt = r.schema[c]
        if kind(dt) != "categorical" or dt == pl.Boolean or not _mentions(rhs, c) or _mentions(lhs, c):
            continue
        counts = r.get_column(c).alias("v").drop_nulls().cast(pl.String).alias("v").value_counts(name="n")
        keep = counts.filter(pl.col("n") >= k)["v"]
        rare = counts.height - keep.len()
        syn_out = bool((~s.get_column(c).alias("v").drop_nulls().cast(pl.String).is_in(keep.to_list())).any())
        if not rare and not syn_out:
            continue
        label = f"other ({rare} {'category' if rare == 1 else 'categories'})"
        while label in set(keep.to_list()):
            label += "*"
        if isinstance(dt, pl.Enum):  # keep the levels' order, pooled level last
            target = pl.Enum([lv for lv in dt.categories.to_list() if lv in set(keep.to_list())] + [label])
        else:
            target = pl.String

        kept = keep.to_list()

        def pool(df: pl.DataFrame) -> pl.DataFrame:
            v = pl.DataFrame({"v": df.get_column(c).alias("v").cast(pl.String)})
            out = v.select(pl.when(pl.col("v").is_null() | pl.col("v").is_in(kept)).then(pl.col("v"))
                           .otherwise(pl.lit(label)).cast(target))["v"]
            return df.clone().replace_column(df.get_column_index(c), out.alias(c))  # in place otherwise

        r, s = pool(r), pool(s)
        pooled[c] = rare
    return r, s, pooled


def _small_terms(r: pl.DataFrame, formula: str, terms: Sequence[str], k: int) -> set[str]:
    """Terms whose design column stands for fewer than ``k`` real records: a column named
    with a level ("g[T.a]", "a:b[T.x]") or holding only 0/1, non-zero in fewer than k rows.
    If the design cannot be rebuilt, every term naming a level is treated as small."""
    import patsy

    pdf = r.with_columns([r.get_column(c).cast(pl.Int8) for c in r.columns if r.schema[c] == pl.Boolean]).to_pandas()
    try:
        _, X = patsy.dmatrices(formula, pdf, return_type="dataframe", NA_action="drop",
                               eval_env=patsy.EvalEnvironment([{"np": np}]))
    except Exception:  # noqa: BLE001 (the fit itself worked; be safe rather than precise)
        return {t for t in terms if "[" in t}
    small = set()
    for t in terms:
        if t not in X.columns:
            small.add(t) if "[" in t else None
            continue
        v = X[t].to_numpy()
        dummy = np.isin(v, (0.0, 1.0)).all() and t != "Intercept"
        if ("[" in t or dummy) and np.count_nonzero(v) < k:
            small.add(t)
    return small


def specific_rows(r: pl.DataFrame, s: pl.DataFrame, formula: str, family: str, k: int) -> tuple[pl.DataFrame, list[str]]:
    """Rows of the specific-utility section (std_coef_diff, ci_overlap per term;
    categories_pooled, terms_left_out) with the small-category rule applied, and notes."""
    rp, sp, pooled = _pool_rare(r, s, formula, k)
    fit = utility.regression_fit(rp, sp, formula, family=family)
    small = _small_terms(rp, formula, fit["term"].to_list(), k)
    fit = fit.filter(~pl.col("term").is_in(sorted(small)))
    rows = [fit.unpivot(index="term", on=["std_coef_diff", "ci_overlap"], variable_name="measure")
            .rename({"term": "column"}).select("measure", "column", "value")]
    notes = []
    for c, n in pooled.items():
        rows.append(pl.DataFrame({"measure": ["categories_pooled"], "column": [c], "value": [float(n)]}))
        notes.append(f"{c}: {n} {'category' if n == 1 else 'categories'} held by fewer than {k} real records "
                     "pooled into one level before fitting (with synthetic values outside the kept ones).")
    if small:
        rows.append(pl.DataFrame({"measure": ["terms_left_out"], "column": [None], "value": [float(len(small))]},
                                 schema={"measure": pl.String, "column": pl.String, "value": pl.Float64}))
        notes.append(f"{len(small)} {'term' if len(small) == 1 else 'terms'} standing for fewer than {k} real "
                     "records left out (their names could show a real value).")
    return pl.concat(rows, how="vertical_relaxed"), notes
