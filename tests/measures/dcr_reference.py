"""The distance measures as they were before the search without one-hot features (commit
764c764, python/synthspectrum/measures/distance.py): scikit-learn's Manhattan nearest
neighbours on the one-hot Gower features, four searches per call. Kept as the reference the
tests compare the faster search with, value for value (``==``, not approx)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.core.columns import MAX_LEVELS, MISSING, as_number, identifier_columns, kind
from synthspectrum.core.pair import check_pair
from synthspectrum.core.tidy import measure_frame
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.measures.bounds import identifier_notes


def gower_features(frames: Sequence[pl.DataFrame], reference: pl.DataFrame) -> list[np.ndarray]:
    """Features whose Manhattan distance divided by the number of columns is the Gower-type
    distance of the module docstring; ranges and categories are taken from ``reference``."""
    blocks: list[list[np.ndarray]] = [[] for _ in frames]
    for c in reference.columns:
        ref = reference.get_column(c).alias("v")
        if kind(ref.dtype) == "numeric":
            x = as_number(ref).drop_nulls()
            lo, span = (x.min(), x.max() - x.min()) if x.len() else (0.0, 0.0)
            span = span if span and span > 0 else 1.0
            for i, f in enumerate(frames):
                v = as_number(f.get_column(c).alias("v")).to_numpy()
                miss = np.isnan(v)
                blocks[i].append(np.where(miss, 0.0, (v - lo) / span)[:, None])
                blocks[i].append(miss.astype(float)[:, None])
        else:
            levels = sorted(set().union(*[set(f.get_column(c).alias("v").cast(pl.String).fill_null(MISSING).to_list()) for f in frames]))
            for i, f in enumerate(frames):
                v = f.get_column(c).alias("v").cast(pl.String).fill_null(MISSING).to_numpy()
                blocks[i].append(0.5 * (v[:, None] == np.array(levels)[None, :]).astype(float))
    return [np.hstack(b) for b in blocks]


def _nearest(points: Any, to: Any) -> np.ndarray:
    """Distance from each of ``points`` to its nearest neighbour in ``to``: Manhattan on dense
    features, plus one per mismatching code when the features come as (dense, codes) pairs."""
    if isinstance(points, tuple):
        if points[1].shape[1]:
            return _nearest_with_codes(points, to)
        points, to = points[0], to[0]
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=1, metric="manhattan").fit(to)
    return nn.kneighbors(points, return_distance=True)[0][:, 0]


CHUNK_CELLS = 4_000_000  # distances held at once by the search with codes (32 MB)


def _nearest_with_codes(points: tuple[np.ndarray, np.ndarray], to: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Exhaustive search in blocks of rows: memory CHUNK_CELLS distances, time O(n_points n_to columns)."""
    from scipy.spatial.distance import cdist

    (pd_, pc), (td, tc) = points, to
    step = max(1, CHUNK_CELLS // max(1, td.shape[0]))
    out = np.empty(pd_.shape[0])
    for i in range(0, pd_.shape[0], step):
        block = slice(i, i + step)
        if pd_.shape[1]:
            dist = cdist(pd_[block], td, "cityblock")
        else:
            dist = np.zeros((pc[block].shape[0], td.shape[0]))
        for j in range(pc.shape[1]):
            dist += pc[block, j][:, None] != tc[None, :, j]
        out[block] = dist.min(axis=1)
    return out


def _code_features(frames: Sequence[pl.DataFrame], columns: Sequence[str]) -> list[np.ndarray]:
    """Integer codes of the (many-level) category ``columns``, shared by all ``frames``."""
    out = [np.empty((f.height, len(columns)), dtype=np.int64) for f in frames]
    for j, c in enumerate(columns):
        labels = pl.concat([f.get_column(c).alias("v").cast(pl.String).fill_null(MISSING).alias("v") for f in frames])
        codes = labels.rank("dense").cast(pl.Int64).to_numpy()
        start = 0
        for i, f in enumerate(frames):
            out[i][:, j] = codes[start:start + f.height]
            start += f.height
    return out


def _sampled_features(real: Any, synthetic: Any, holdout: Any, max_records: int, seed: int,
                      max_levels: int = MAX_LEVELS):
    """Gower features of (real, holdout, synthetic) records, each drawn down to at most
    ``max_records``, real and holdout to the same size; the number of columns; and the
    notes on what was left out.

    Identifier-like columns of the real data are left out. A category with at most
    ``max_levels`` levels is one-hot coded (0.5 per level, so a mismatch costs 1); one with
    more is kept as integer codes and searched exhaustively in blocks, so memory never grows
    with the number of levels. Without such a column the features are exactly the one-hot ones.
    """
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
    wide = [c for c in cols if kind(tr.schema[c]) == "categorical"
            and pl.concat([f.get_column(c).alias("v").cast(pl.String).alias("v") for f in frames]).n_unique() > max_levels]
    narrow = [c for c in cols if c not in wide]
    reference = pl.concat(frames[:2], how="vertical_relaxed")
    if not wide:
        return (*gower_features(frames, reference), len(cols), notes)
    dense = (gower_features([f.select([f.get_column(c) for c in narrow]) for f in frames],
                            reference.select([reference.get_column(c) for c in narrow]))
             if narrow else [np.zeros((f.height, 0)) for f in frames])
    codes = _code_features(frames, wide)
    return (*[(d, c) for d, c in zip(dense, codes)], len(cols), notes)


def dcr_distances(real: Any, synthetic: Any, holdout: Any, max_records: int = 5_000, seed: int = 0) -> pl.DataFrame:
    """The distances behind :func:`dcr`, for plotting: one row per synthetic record drawn,
    with its distance to the closest training and to the closest holdout record."""
    f_tr, f_ho, f_sy, p, _ = _sampled_features(real, synthetic, holdout, max_records, seed)
    return pl.DataFrame({"dcr_training": _nearest(f_sy, f_tr) / p, "dcr_holdout": _nearest(f_sy, f_ho) / p})


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
    memory O(max_records x columns), time O(max_records^2 x columns).
    """
    from sklearn.metrics import roc_auc_score

    f_tr, f_ho, f_sy, p, notes = _sampled_features(real, synthetic, holdout, max_records, seed, max_levels)
    d_tr = _nearest(f_sy, f_tr) / p
    d_ho = _nearest(f_sy, f_ho) / p
    closer = float(np.mean(d_tr < d_ho) + 0.5 * np.mean(d_tr == d_ho))
    # membership: how close is each real candidate to the synthetic data?
    m_tr = _nearest(f_tr, f_sy) / p
    m_ho = _nearest(f_ho, f_sy) / p
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
