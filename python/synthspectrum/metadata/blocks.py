"""A draw of many rows, defined as a sequence of blocks, so that it can be written as it is drawn.

metasyn draws a frame column by column from one global seed, so a draw of ``n`` rows cannot be
continued in pieces: the first ``k`` rows of a draw of ``n`` are not a draw of ``k``. To draw and
write ten million rows in flat memory, the draw is *defined* in blocks:

``synthesize(n, seed)`` is the concatenation of blocks of :data:`BLOCK_ROWS` rows (the last one
shorter); block 0 is metasyn's draw with ``seed`` itself, block ``b >= 1`` metasyn's draw with
:func:`block_seed` ``(seed, b)``. So every draw of at most ``BLOCK_ROWS`` rows (the spectrum's
3,333, the bundled data's 10,000) is exactly the one-call draw it always was, and the frame drawn
in memory and the file written block by block are the same rows by construction.

``block_seed(seed, b)`` is numpy's ``SeedSequence(seed, spawn_key=(b,))`` (the ``b``-th child of
``SeedSequence(seed)``, numpy's documented, stable way of deriving independent streams; see
``numpy.random.SeedSequence``), its first 32-bit word shifted right by one bit, so that it stays a
seed of the package's policy (0 .. 2^31 - 1, :mod:`synthspectrum.core.seeds`).

What must hold across blocks, and how:

* a unique key (metasyn's ``UniqueKeyDistribution``) stays unique: block ``b`` draws from the
  same model with its ``lower`` bound shifted past the keys earlier blocks can hold. Consecutive
  keys are shifted by the rows before the block, so they run on exactly as one draw of ``n``
  would (``lower``, ``lower + 1``, ...); random keys (drawn by metasyn in
  ``[lower, lower + 2 k + 2)`` for the ``k``-th key) are shifted by ``2 * rows before + 2 * b``,
  past everything earlier blocks can draw;
* any other unique distribution (unique regex, faker, text: ``unique=True``) keeps the set of
  values it has drawn from one block to the next (metasyn resets it at each draw; here only the
  first block does), so no value repeats across blocks. That set is the one part of the draw
  whose memory grows with ``n``: one entry per row of each such column;
* Enum levels: a column that came in as an ``pl.Enum`` gets, in a draw of more than one block,
  its real levels followed by the labels the model can draw beyond them, sorted (a disclosure
  plugin's redacted labels), read from the model, so that every block has the same dtype; a draw
  of one block adds, as always, the extra labels it drew.

Missing values: metasyn makes ``round(prop_missing * rows)`` values missing in each draw, so each
block holds its own rounded share.

Why 100,000 rows a block: metasyn builds each column of a block as a Python list (tens of bytes a
value), so a block of the bundled data's 9 columns costs a few tens of MB whatever ``n``; a block
takes about a second to draw, so the per-block cost (seeding, metasyn's dependency graph, building
the frame, a Parquet row group) is well under 1% of the time; and it is at least every size the
package draws itself (the spectrum's synthetic sets, the bundled data), whose numbers therefore
stay as they were.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

import numpy as np
import polars as pl

from synthspectrum.core.dtypes import dtype_from_json
from synthspectrum.metadata.metaframes import with_distributions

BLOCK_ROWS = 100_000


def block_seed(seed: int, block: int) -> int:
    """The seed of block ``block`` of a draw with ``seed``: ``seed`` itself for block 0, else the
    first word of ``SeedSequence(seed, spawn_key=(block,))`` shifted into 0 .. 2^31 - 1."""
    if block == 0:
        return seed
    word = np.random.SeedSequence(seed, spawn_key=(block,)).generate_state(1, np.uint32)[0]
    return int(word) >> 1


def block_spans(n: int, block_rows: int) -> list[tuple[int, int]]:
    """(first row, rows) of each block of a draw of ``n`` rows; one empty block for ``n = 0``."""
    if n <= block_rows:
        return [(0, n)]
    return [(start, min(block_rows, n - start)) for start in range(0, n, block_rows)]


def _unique_key_type():
    from metasyn.distribution.uniquekey import UniqueKeyDistribution

    return UniqueKeyDistribution


def _shifted_key(dist, block: int, start: int):
    """A copy of a unique-key distribution whose keys start past every key of earlier blocks."""
    shift = start if dist.consecutive else 2 * start + 2 * block
    out = copy.copy(dist)
    out.par = {**dist.par, "lower": dist.par["lower"] + shift}
    out.draw_reset()
    return out


class BlockPlan:
    """What each block of one draw needs: the MetaFrame to draw it from (unique columns handled as
    the module docstring says) and the Enum dtypes every block is restored to."""

    def __init__(self, metaframe, enums: dict[str, pl.Enum] | None):
        self.metaframe = metaframe
        key_type = _unique_key_type()
        self.keys = [v.name for v in metaframe.meta_vars if isinstance(v.distribution, key_type)]
        # one private copy per draw of every other unique distribution: its set of drawn values
        # goes on from block to block, and the caller's model is left untouched
        self.carried = {v.name: copy.copy(v.distribution) for v in metaframe.meta_vars
                        if getattr(v.distribution, "unique", False) and v.name not in self.keys}
        for dist in self.carried.values():
            dist.key_set = set()
        self.enums = enums

    def metaframe_for(self, block: int, start: int):
        """The MetaFrame block ``block`` (first row ``start``) is drawn from."""
        if block == 1:
            for dist in self.carried.values():
                dist.draw_reset = _no_reset  # metasyn resets before each column's draw
        by_name = {v.name: v.distribution for v in self.metaframe.meta_vars}
        change = {name: _shifted_key(by_name[name], block, start) for name in self.keys if block > 0}
        change.update(self.carried)
        return with_distributions(self.metaframe, change)


def _no_reset() -> None:
    """In place of a unique distribution's ``draw_reset`` after the first block."""


def enum_dtypes(metaframe, dtypes: dict[str, dict[str, Any]]) -> dict[str, pl.Enum]:
    """For each Enum column: its real levels, then the labels its model can draw beyond them
    (sorted), where the model lists its labels (a categorical model does)."""
    out = {}
    labels = {v.name: getattr(v.distribution, "labels", None) for v in metaframe.meta_vars}
    for name, spec in dtypes.items():
        want = dtype_from_json(spec)
        if not isinstance(want, pl.Enum):
            continue
        known = want.categories.to_list()
        drawable = labels.get(name)
        extra = sorted({str(x) for x in drawable if x is not None} - set(known)) if drawable is not None else []
        out[name] = pl.Enum(known + extra) if extra else want
    return out


def iter_spans(n: int, block_rows: int) -> Iterator[tuple[int, int, int]]:
    """(block, first row, rows) of each block."""
    for block, (start, rows) in enumerate(block_spans(n, block_rows)):
        yield block, start, rows
