"""Distance-based privacy: distance to closest record (DCR) and membership inference.

Gower-type distance: mean over columns of |x - y| / range for numbers (dates as days) and of
0/1 mismatch for categories (a missing value is a category; for numbers, a missingness
indicator adds its own 0/1 term). For each synthetic record, the distance to its closest real
(training) record and to its closest holdout record, the holdout being real records the
generator did not see, the baseline (e.g. Platzer & Reutterer 2021). Membership inference
scores each candidate real record by minus its distance to the closest synthetic record.
Identifier-like columns are left out (see :mod:`synthspectrum.measures.bounds`). Returns shares,
medians, an AUC and (from :func:`dcr_distances`) one distance per synthetic record, no record
value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.core.columns import MAX_LEVELS, MISSING, as_number, identifier_columns, kind
from synthspectrum.core.pair import check_pair
from synthspectrum.core.tidy import measure_frame
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures.bounds import identifier_notes


def _scaled(ref: pl.Series, frames: Sequence[pl.DataFrame], c: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """A number's Gower features in each frame: (v - lo) / range (0 where missing), and the
    missingness indicator; lo and range from ``ref`` (a range of 0 counts as 1)."""
    x = as_number(ref).drop_nulls()
    lo, span = (x.min(), x.max() - x.min()) if x.len() else (0.0, 0.0)
    span = span if span and span > 0 else 1.0
    out = []
    for f in frames:
        v = as_number(f.get_column(c).alias("v")).to_numpy()
        miss = np.isnan(v)
        out.append((np.where(miss, 0.0, (v - lo) / span), miss))
    return out


def gower_features(frames: Sequence[pl.DataFrame], reference: pl.DataFrame) -> list[np.ndarray]:
    """Features whose Manhattan distance divided by the number of columns is the Gower-type
    distance of the module docstring; ranges and categories are taken from ``reference``:
    per number its scaled value and its missingness indicator, per category of L levels
    (sorted, missing one of them) L one-hot columns of 0.5, so that a mismatch costs 1."""
    blocks: list[list[np.ndarray]] = [[] for _ in frames]
    for c in reference.columns:
        ref = reference.get_column(c).alias("v")
        if kind(ref.dtype) == "numeric":
            for i, (v, miss) in enumerate(_scaled(ref, frames, c)):
                blocks[i].append(v[:, None])
                blocks[i].append(miss.astype(float)[:, None])
        else:
            levels = sorted(set().union(*[set(f.get_column(c).alias("v").cast(pl.String).fill_null(MISSING).to_list()) for f in frames]))
            for i, f in enumerate(frames):
                v = f.get_column(c).alias("v").cast(pl.String).fill_null(MISSING).to_numpy()
                blocks[i].append(0.5 * (v[:, None] == np.array(levels)[None, :]).astype(float))
    return [np.hstack(b) for b in blocks]


# record pairs whose distances are held at once (8 MB of float64): a block small enough for each
# of its passes to stay in cache was 20% faster than 64 MB blocks, with the same minima (a block
# only bounds which pairs are compared together; see _nearest_both)
CHUNK_CELLS = 1_000_000


@dataclass
class _Parts:
    """What the search needs of one frame's sampled records: ``values`` (records x numbers, the
    scaled values of :func:`gower_features`) and ``codes`` (records x discrete columns: per
    number its missingness indicator, per category a code of its label, shared by the frames)."""

    values: np.ndarray
    codes: np.ndarray


def _parts(frames: Sequence[pl.DataFrame], reference: pl.DataFrame, narrow: Sequence[str], wide: Sequence[str]
           ) -> tuple[list[_Parts], list[tuple[str, int, int]]]:
    """Per frame its :class:`_Parts`, and the plan of the distance: per column in order a step
    ("number", value index, code index of its indicator), ("category", code index) for a
    one-hot coded category (:data:`MAX_LEVELS` levels or fewer) or ("code", code index) for a
    many-level one, the wide ones last, as the features of :func:`_sampled_features` order them."""
    values: list[list[np.ndarray]] = [[] for _ in frames]
    codes: list[list[np.ndarray]] = [[] for _ in frames]
    plan: list[tuple[str, int, int]] = []
    for c in [*narrow, *wide]:
        ref = reference.get_column(c).alias("v")
        if c in narrow and kind(ref.dtype) == "numeric":
            for i, (v, miss) in enumerate(_scaled(ref, frames, c)):
                values[i].append(v)
                codes[i].append(miss.astype(np.int64))
            plan.append(("number", len(values[0]) - 1, len(codes[0]) - 1))
            continue
        labels = pl.concat([f.get_column(c).alias("v").cast(pl.String).fill_null(MISSING).alias("v") for f in frames])
        all_codes = labels.rank("dense").cast(pl.Int64).to_numpy() - 1
        start = 0
        for i, f in enumerate(frames):
            codes[i].append(all_codes[start:start + f.height])
            start += f.height
        plan.append(("category" if c in narrow else "code", len(codes[0]) - 1, -1))
    parts = [_Parts(np.column_stack(v) if v else np.zeros((f.height, 0)),
                    np.column_stack(k) if k else np.zeros((f.height, 0), dtype=np.int64))
             for v, k, f in zip(values, codes, frames)]
    return parts, plan


def _exact(a: _Parts, b: _Parts, i: np.ndarray, j: np.ndarray, plan: Sequence[tuple[str, int, int]]) -> np.ndarray:
    """The distance (times the number of columns) of the record pairs (a_i, b_j), added term by
    term in the order of the features, which is the order in which scikit-learn's and scipy's
    Manhattan distances add them (starting from 0, left to right): a number adds |x - y| and then
    its indicators' |m - m'|; a one-hot category adds 0.5 at each of the two levels that differ
    (the zeros between add nothing), a many-level one 1 (after all the others). The same
    additions, so the same rounding: bit for bit the distance the one-hot search found."""
    s = np.zeros(len(i))
    for step, k, m in plan:
        if step == "number":
            s += np.abs(a.values[i, k] - b.values[j, k])
            s += a.codes[i, m] != b.codes[j, m]
        elif step == "category":
            differ = a.codes[i, k] != b.codes[j, k]
            s[differ] += 0.5
            s[differ] += 0.5
        else:
            s += a.codes[i, k] != b.codes[j, k]
    return s


def _one_hot(codes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each discrete column's codes as one-hot columns (float32): the dot product of two records'
    rows counts the columns on which they agree (whole numbers, exact in float32)."""
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = np.zeros((codes.shape[0], int(sizes.sum())), dtype=np.float32)
    rows = np.arange(codes.shape[0])
    for k in range(codes.shape[1]):
        out[rows, offsets[k] + codes[:, k]] = 1.0
    return out


def _nearest_both(a: _Parts, b: _Parts, plan: Sequence[tuple[str, int, int]], both: bool = True
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """For each record of ``a`` the distance (times the number of columns) to its nearest record
    of ``b`` and, with ``both``, for each record of ``b`` to its nearest of ``a`` (the distance is
    symmetric to the bit: |x - y| = |y - x|), without one-hot features.

    Exhaustive, in blocks of CHUNK_CELLS pairs. A block's distances are first computed the fast
    way: scipy's Manhattan distance on the numbers, plus the number of discrete columns that
    differ (a float32 product of one-hot codes: whole numbers, exact). That sum adds the same
    terms in another order, so it is within a few units in the last place of the distance; every
    pair within 1e-9 (relative) of a record's fast minimum is then recomputed by :func:`_exact`,
    in the reference's order, and the smallest of those is the minimum, bit for bit (the true
    nearest pair is always among them). Without numbers the fast sum is exact (whole and half
    numbers), and nothing is recomputed. Memory O(CHUNK_CELLS + records x levels); time
    O(records^2 x columns), the recomputation only for the few pairs near a minimum.
    """
    from scipy.spatial.distance import cdist

    wide = [k for step, k, _ in plan if step == "code"]
    narrow = [k for k in range(a.codes.shape[1]) if k not in wide]
    sizes = np.maximum(a.codes[:, narrow].max(axis=0, initial=-1), b.codes[:, narrow].max(axis=0, initial=-1)) + 1
    oa, ob = _one_hot(a.codes[:, narrow], sizes), _one_hot(b.codes[:, narrow], sizes)
    # [oa, 1] . [-ob, L] = L - agreements = the number of discrete columns that differ, by one product
    oa = np.hstack([oa, np.ones((oa.shape[0], 1), dtype=np.float32)])
    ob = np.hstack([-ob, np.full((ob.shape[0], 1), len(narrow), dtype=np.float32)])
    refine = a.values.shape[1] > 0
    n_a, n_b = a.codes.shape[0], b.codes.shape[0]
    row = np.empty(n_a)
    col = np.full(n_b, np.inf)
    col_i: list[np.ndarray] = []  # pairs within tolerance of a record of b's running minimum
    col_j: list[np.ndarray] = []
    step = max(1, CHUNK_CELLS // max(1, n_b))
    for start in range(0, n_a, step):
        stop = min(n_a, start + step)
        fast = cdist(a.values[start:stop], b.values, "cityblock") if refine else np.zeros((stop - start, n_b))
        fast += oa[start:stop] @ ob.T  # the discrete columns that differ (float32 whole numbers)
        for k in wide:
            fast += a.codes[start:stop, k][:, None] != b.codes[None, :, k]
        if not refine:  # whole and half numbers: the fast sum is the exact one
            row[start:stop] = fast.min(axis=1)
            if both:
                col = np.minimum(col, fast.min(axis=0))
            continue
        ii, jj = _near(fast, 1)
        best = np.full(stop - start, np.inf)
        np.minimum.at(best, ii, _exact(a, b, ii + start, jj, plan))
        row[start:stop] = best
        if both:
            col = np.minimum(col, fast.min(axis=0))
            ii, jj = _near(fast, 0, col)
            col_i.append(ii + start)
            col_j.append(jj)
    if not both or not refine:
        return row, (col if both else None)
    ii, jj = np.concatenate(col_i), np.concatenate(col_j)
    col = np.full(n_b, np.inf)
    np.minimum.at(col, jj, _exact(a, b, ii, jj, plan))
    return row, col


def _near(fast: np.ndarray, axis: int, low: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) positions in ``fast`` within the tolerance of :func:`_nearest_both` of
    the minimum along ``axis`` (``low``: a minimum known to be at most this block's)."""
    if low is None:
        low = fast.min(axis=axis)
    limit = low * (1 + 1e-9) + 1e-9
    at = np.flatnonzero(fast <= (limit[:, None] if axis == 1 else limit[None, :]))
    return np.divmod(at, fast.shape[1])


def _sample(real: Any, synthetic: Any, holdout: Any, max_records: int, seed: int, max_levels: int):
    """(training, holdout, synthetic) records drawn down to at most ``max_records`` each (training
    and holdout to the same size; seeded), restricted to the columns measured; those columns
    split into ``narrow`` (numbers, categories of at most ``max_levels`` levels) and ``wide``;
    the reference (training and holdout drawn) of ranges and levels; the notes."""
    tr, sy = check_pair(real, synthetic)
    ho, _ = check_pair(holdout, sy, names=("holdout data", "synthetic data"))
    ids = identifier_columns(tr, max_levels)
    notes = identifier_notes(ids, tr.height, "the distance measures")
    cols = [c for c in tr.columns if c not in ids]
    if not cols:
        raise SynthSpectrumError("every column looks like an identifier: there is nothing to measure distances on")
    rng = np.random.default_rng(seed)

    def sample(df: pl.DataFrame, n: int) -> pl.DataFrame:
        return df if df.height <= n else df[np.sort(rng.choice(df.height, n, replace=False))]

    n = min(max_records, ho.height, tr.height)
    tr_s, ho_s, sy_s = sample(tr, n), sample(ho, n), sample(sy, max_records)
    frames = [f.select([f.get_column(c) for c in cols]) for f in (tr_s, ho_s, sy_s)]
    wide = [c for c in cols if kind(tr.get_column(c).dtype) == "categorical"
            and pl.concat([f.get_column(c).alias("v").cast(pl.String).alias("v") for f in frames]).n_unique() > max_levels]
    narrow = [c for c in cols if c not in wide]
    reference = pl.concat(frames[:2], how="vertical_relaxed")
    return frames, narrow, wide, reference, notes


def _sampled_features(real: Any, synthetic: Any, holdout: Any, max_records: int, seed: int,
                      max_levels: int = MAX_LEVELS):
    """Gower features of (real, holdout, synthetic) records, each drawn down to at most
    ``max_records``, real and holdout to the same size; the number of columns; and the
    notes on what was left out.

    Identifier-like columns of the real data are left out. A category with at most
    ``max_levels`` levels is one-hot coded (0.5 per level, so a mismatch costs 1); one with
    more is kept as integer codes (then each frame's features are a pair: dense, codes), so
    memory never grows with the number of levels. The search itself works on
    :func:`_sampled_parts`, the same distances without one-hot columns.
    """
    frames, narrow, wide, reference, notes = _sample(real, synthetic, holdout, max_records, seed, max_levels)
    p = len(narrow) + len(wide)
    if not wide:
        return (*gower_features(frames, reference), p, notes)
    dense = (gower_features([f.select([f.get_column(c) for c in narrow]) for f in frames],
                            reference.select([reference.get_column(c) for c in narrow]))
             if narrow else [np.zeros((f.height, 0)) for f in frames])
    parts, _ = _parts(frames, reference, [], wide)
    return (*[(d, pt.codes + 1) for d, pt in zip(dense, parts)], p, notes)


def _sampled_parts(real: Any, synthetic: Any, holdout: Any, max_records: int, seed: int,
                   max_levels: int = MAX_LEVELS):
    """The records of :func:`_sampled_features`, drawn the same way, as :class:`_Parts`
    (training, holdout, synthetic); the plan of :func:`_exact`; the number of columns; the notes."""
    frames, narrow, wide, reference, notes = _sample(real, synthetic, holdout, max_records, seed, max_levels)
    parts, plan = _parts(frames, reference, narrow, wide)
    return (*parts, plan, len(narrow) + len(wide), notes)


def dcr_distances(real: Any, synthetic: Any, holdout: Any, max_records: int = 5_000, seed: int = 0) -> pl.DataFrame:
    """The distances behind :func:`dcr`, for plotting: one row per synthetic record drawn,
    with its distance to the closest training and to the closest holdout record."""
    f_tr, f_ho, f_sy, plan, p, _ = _sampled_parts(real, synthetic, holdout, max_records, seed)
    return pl.DataFrame({"dcr_training": _nearest_both(f_sy, f_tr, plan, both=False)[0] / p,
                         "dcr_holdout": _nearest_both(f_sy, f_ho, plan, both=False)[0] / p})


def dcr(real: Any, synthetic: Any, holdout: Any, max_records: int = 5_000, seed: int = 0,
        return_distances: bool = False, max_levels: int = MAX_LEVELS):
    """Distance to closest record against a holdout baseline, and the membership-inference AUC.

    With d_r(j), d_h(j) the distance of synthetic record j to its closest real (training) and
    closest holdout record (Platzer & Reutterer 2021):
    ``share_closer_to_training`` = mean_j [d_r(j) < d_h(j)] + 1/2 mean_j [d_r(j) = d_h(j)], about
    0.5 when the generator did not memorise and towards 1 when it copies (the real records are
    drawn down to the holdout's size so that 0.5 stays the baseline); ``median_dcr_training``,
    ``median_dcr_holdout``; ``share_dcr_zero`` = mean_j [d_r(j) = 0]. ``membership_auc``: the
    attacker scores each candidate (real or holdout record) by minus its distance to the closest
    synthetic record; the AUC of that score for telling real (training) from holdout records,
    0.5 no signal, 1 certain membership (a distance attack, after Shokri et al. 2017).
    At most ``max_records`` records of each frame are used, drawn with ``seed``. With
    ``return_distances`` also the frame of :func:`dcr_distances`, from the same neighbour search.

    Columns: measure, column, value. Bounded: identifier-like columns of the real data are
    left out (a row ``left_out_identifier`` and a warning each); categories with more than
    ``max_levels`` levels are compared by code, never one-hot (see :func:`_sampled_features`):
    memory O(max_records x columns), time O(max_records^2 x columns) (:func:`_nearest_both`).
    """
    from sklearn.metrics import roc_auc_score

    f_tr, f_ho, f_sy, plan, p, notes = _sampled_parts(real, synthetic, holdout, max_records, seed, max_levels)
    # one search per pair of frames gives both directions: synthetic -> closest real (DCR) and
    # real -> closest synthetic (membership: how close is each real candidate to the synthetic data?)
    d_tr, m_tr = _nearest_both(f_sy, f_tr, plan)
    d_ho, m_ho = _nearest_both(f_sy, f_ho, plan)
    d_tr, d_ho, m_tr, m_ho = d_tr / p, d_ho / p, m_tr / p, m_ho / p
    closer = float(np.mean(d_tr < d_ho) + 0.5 * np.mean(d_tr == d_ho))
    labels = np.concatenate([np.ones(len(m_tr)), np.zeros(len(m_ho))])
    auc = float(roc_auc_score(labels, -np.concatenate([m_tr, m_ho])))
    stats = {
        "share_closer_to_training": closer, "median_dcr_training": float(np.median(d_tr)),
        "median_dcr_holdout": float(np.median(d_ho)), "share_dcr_zero": float(np.mean(d_tr == 0)),
        "membership_auc": auc,
    }
    measures = measure_frame([{"measure": m, "column": None, "value": float(v)} for m, v in stats.items()] + notes)
    if return_distances:
        return measures, pl.DataFrame({"dcr_training": d_tr, "dcr_holdout": d_ho})
    return measures
