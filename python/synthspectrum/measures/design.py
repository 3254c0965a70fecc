"""The propensity model's design matrix, built sparse: the columns synthpop's ``utility.gen``
gives its logistic model, in its order, stored as what they are.

The design (synthetic rows first, then real) has an intercept, the main effects of every kept
column and, with ``maxorder`` k, every interaction of up to k + 1 of them (R's
``model.matrix(~ .^(k + 1))``). A category of L levels is L - 1 dummies (the first level, in
sorted order, is the reference); a number is one column, plus a 0/1 indicator of its missing
values (set to 0). An interaction term of groups g_1 .. g_m is every product of one column of
each, the first group's column varying slowest, as the dense outer products always ordered them
(R's model.matrix varies the first fastest; the order of columns changes nothing in the fit).

Why sparse: a category's dummies hold one 1 per record, and so does each of their products:
a term of width w_1 x .. x w_m has at most one non-zero per record, where the dense matrix
stores w_1 x .. x w_m numbers. On the A&E data with all pairs (511 columns) a record has about
31 non-zeros. A step of the logistic fit (:mod:`synthspectrum.measures.logistic`) then costs
records x non-zeros per record squared instead of records x columns squared. The entries are the very numbers of the dense
design (products taken in the same order), so the fit is the same.

Numbers in, numbers out: record values go into the matrix, never into a note or warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Sequence

import numpy as np
import polars as pl
from scipy import sparse

from synthspectrum.core.columns import MISSING, as_number, identifier_columns, kind
from synthspectrum.core.columns import labels as as_labels
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures.bounds import (MAX_CELLS, MIN_LEVEL_COUNT, RECORDS_PER_PARAM, apply_plan,
                                           identifier_notes, level_plan, note)


@dataclass(frozen=True)
class Group:
    """One main effect's design columns: a category's dummies (``codes``: 0 for the reference
    level, j for the j-th dummy; ``width`` dummies) or one numeric column (``values``)."""

    width: int
    codes: np.ndarray | None = None
    values: np.ndarray | None = None


def elementary_symmetric(widths: Sequence[int], k: int) -> int:
    """sum over all k-subsets of prod(widths): the design columns of all k-way interactions."""
    e = [1] + [0] * k
    for w in widths:
        for j in range(k, 0, -1):
            e[j] += e[j - 1] * w
    return e[k]


def cap(n_rows: int, used: int, max_params: int) -> int:
    """Design columns allowed for ``n_rows`` records (the rule of :mod:`synthspectrum.measures.bounds`)."""
    return min(max_params, max(min(n_rows // RECORDS_PER_PARAM, MAX_CELLS // n_rows), used))


def _enum_codes(col: pl.Series, max_levels: int) -> np.ndarray | None:
    """The codes :func:`main_effects` gives an Enum column (the rank of its label among the sorted
    labels present, missing as :data:`MISSING`, which sorts first), from its physical codes:
    the general path casts every record to text and sorts, 0.1 s per column of 200k records.
    None where that path must run: not an Enum, or more than ``max_levels`` labels (pooling)."""
    if not isinstance(col.dtype, pl.Enum):
        return None
    categories = col.dtype.categories.to_list()
    phys = col.to_physical().fill_null(len(categories)).to_numpy()  # the missing code last
    present = np.flatnonzero(np.bincount(phys, minlength=len(categories) + 1))
    if len(present) > max_levels:
        return None
    names = [categories[i] if i < len(categories) else MISSING for i in present]
    # polars sorts text by its UTF-8 bytes, which is the order of Python's str (code points)
    rank = np.zeros(len(categories) + 1, dtype=np.int64)
    rank[present[np.argsort(np.array(names, dtype=object), kind="stable")]] = np.arange(len(present))
    return rank[phys]


def main_effects(r: pl.DataFrame, s: pl.DataFrame, max_levels: int, max_params: int):
    """The main-effect plan of the propensity design: per kept column its design groups as
    functions returning a :class:`Group` (so that nothing over the cap is ever built), their
    widths, the columns used, and the notes. Rows are synthetic first, then real."""
    notes = identifier_notes(identifier_columns(r, max_levels), r.height, "the propensity model")
    ids = {n["column"] for n in notes}
    both = pl.concat([s, r], how="vertical_relaxed")
    specs: list[tuple[str, int, Any]] = []  # (column, width, build)
    for c in both.columns:
        if c in ids:
            continue
        col = both.get_column(c).alias("v")
        nr = r.get_column(c).alias("v").drop_nulls().n_unique()
        ns = s.get_column(c).alias("v").drop_nulls().n_unique()
        if nr <= 1 and ns <= 1:
            continue
        codes = _enum_codes(col, max_levels)
        if codes is not None:
            specs.append((c, int(codes.max()), lambda codes=codes: Group(int(codes.max()), codes=codes)))
        elif kind(col.dtype) == "categorical" and col.dtype != pl.Boolean:
            labels = as_labels(col)
            labels, pooled = apply_plan(labels, level_plan(labels, max_levels, MIN_LEVEL_COUNT))
            if pooled:
                notes.append(note("levels_grouped", c, pooled,
                                  f"column {c!r}: {pooled} levels held by few records pooled into one level "
                                  f"in the propensity model (at most {max_levels} levels are modelled)"))
            # codes in sorted level order (the first is the reference); replace_strict on the few
            # sorted levels, where rank("dense") took 0.1 s per column of 200k records
            levels = labels.unique().sort()
            codes = labels.replace_strict(levels, pl.int_range(0, levels.len(), eager=True),
                                          return_dtype=pl.Int64).to_numpy()
            specs.append((c, int(codes.max()), lambda codes=codes: Group(int(codes.max()), codes=codes)))
        elif col.dtype == pl.Boolean:
            specs.append((c, 1, lambda col=col: Group(1, values=col.cast(pl.Float64).fill_null(0.0).to_numpy())))
        else:
            x = as_number(col).to_numpy()
            miss = np.isnan(x)
            specs.append((c, 1, lambda x=x, miss=miss: Group(1, values=np.where(miss, 0.0, x))))
            if miss.any():
                specs.append((c, 1, lambda miss=miss: Group(1, values=miss.astype(float))))
    if not specs:
        if ids:
            raise SynthSpectrumError("every column that varies looks like an identifier (left out): there is "
                                     "nothing to tell real from synthetic by")
        raise SynthSpectrumError("no column varies: there is nothing to tell real from synthetic by")
    # main effects, column by column in order, while they fit max_params (a number's missingness
    # indicator goes with it)
    width_of: dict[str, int] = {}
    for c, w, _ in specs:
        width_of[c] = width_of.get(c, 0) + w
    used, fits = 1, set()
    for c, w in width_of.items():
        if used + w > max_params:
            break
        fits.add(c)
        used += w
    over = [c for c in width_of if c not in fits]
    if over:
        note("left_out_over_cap", None, 0, f"{len(over)} columns left out of the propensity model (the main "
             f"effects before them fill the cap of {max_params} design columns): {', '.join(map(repr, over[:5]))}"
             + (f" and {len(over) - 5} more" if len(over) > 5 else ""))
    notes += [{"measure": "left_out_over_cap", "column": c, "value": float(width_of[c])} for c in over]
    specs = [sp for sp in specs if sp[0] in fits]
    return specs, used, len(fits), both.height, notes


def terms(widths: Sequence[int], maxorder: int, columns: int, limit: int) -> tuple[list[tuple[int, ...]], bool]:
    """The interaction terms (tuples of group indices, R's order: pairs before triples, each in
    combinations' order) that fit ``limit`` design columns after the ``columns`` already used,
    and whether one was cut: the first term that does not fit ends the model (deterministic)."""
    out: list[tuple[int, ...]] = []
    for order in range(2, maxorder + 2):
        for combo in combinations(range(len(widths)), order):
            w = int(np.prod([widths[i] for i in combo]))
            if columns + w > limit:
                return out, True
            out.append(combo)
            columns += w
    return out, False


def sparse_design(groups: Sequence[Group], interactions: Sequence[tuple[int, ...]], n_rows: int) -> sparse.csr_matrix:
    """The design as a CSR matrix: the intercept, each group (main effects), then each interaction.

    Each term (a tuple of groups) gives every record at most one non-zero: its column within
    the term is the mixed-radix number of the record's dummies (the first group's digit the
    most significant, as the dense outer products order them), absent if any of its
    categories is at the reference level; its value is the product of its numbers, multiplied
    left to right as the dense design multiplies them (x 1.0 for a dummy is exact), so every
    entry is bit for bit the dense design's. Zeros are not stored.
    """
    all_terms = [()] + [(i,) for i in range(len(groups))] + list(interactions)

    def entries(term: tuple[int, ...]) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
        """The term's records with a non-zero (None: all), their column in the term, their value (None: 1)."""
        index = np.zeros(n_rows, dtype=np.int64)
        value, present = None, None
        for i in term:
            g = groups[i]
            if g.codes is not None:
                index = index * g.width + (g.codes - 1)
                present = g.codes > 0 if present is None else present & (g.codes > 0)
            else:
                value = g.values if value is None else value * g.values
        if value is not None:
            present = value != 0 if present is None else present & (value != 0)
        return present, index, value

    # Two passes, so that no more than the CSR arrays and one term's temporaries are ever held
    # (the entries of all terms at once took twice the memory of the dense design): the first
    # counts each record's non-zeros, the second puts each term's entry in the record's next
    # free slot. A record's entries come term by term, in column order: sorted, without a sort.
    counts = np.zeros(n_rows, dtype=np.int64)
    for term in all_terms:
        present = entries(term)[0]
        counts += 1 if present is None else present
    indptr = np.concatenate([[0], np.cumsum(counts)])
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1])
    slot = indptr[:-1].copy()
    offset = 0
    for term in all_terms:
        present, index, value = entries(term)
        at = slice(None) if present is None else np.flatnonzero(present)
        where = slot[at]
        indices[where] = offset + index[at]
        data[where] = 1.0 if value is None else value[at]
        slot[at] += 1
        offset += int(np.prod([groups[i].width for i in term]))
    X = sparse.csr_matrix((data, indices, indptr), shape=(n_rows, offset))
    X.has_sorted_indices = True
    return X
