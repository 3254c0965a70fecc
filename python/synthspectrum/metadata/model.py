"""Metadata synthesis: a thin, honest layer over metasyn 3.

``fit_metadata(real)`` fits one metasyn model per column (a ``MetaFrame``, saved as metasyn's
Generative Metadata Format, GMF) and returns a :class:`MetadataModel`. Columns are modelled
independently: the synthetic data keeps each column's distribution and missing share, and
no relation between columns.

What this layer adds to raw metasyn, so that users never meet its sharp edges:

* a low-cardinality text column is modelled as a categorical (metasyn follows the polars dtype
  only, so text would get a regex that produces gibberish);
* values no model can use follow the package's one policy (:func:`synthspectrum.core.numbers.clean_numbers`):
  NaN, +-inf and magnitudes >= 1e15 become missing, with a warning naming the column and a
  note in ``model.notes`` (one value of 1e308 or int64 max would make every synthetic value absurd);
* a numeric column keeps its sign and its whole numbers (``keep_support=True``, the default):

  - a column that is never negative gets no negative synthetic value (never positive: no
    positive one). metasyn picks the best fit (BIC) as usual, but only among its
    distributions whose draws cannot cross zero: for a column never below 0, uniform,
    truncated normal, constant, categorical (multinoulli), exponential, log-normal and
    Poisson (not normal); for a column never above 0, uniform, truncated normal, constant
    and categorical. The restriction is passed per column through metasyn's own
    ``var_specs`` (a ``plugins`` registry of the allowed fitters). If a fitted model can
    still cross zero (metasyn-disclosure falls back to fixed default distributions when its
    micro-aggregation fails, such as a truncated normal on [-1, 2]) or is one of
    metasyn-disclosure's placeholders, that distribution is dropped for the column and the
    column refitted (at most three times). Under disclosure control this can mean a Poisson
    for a column of counts: bounded fits score an infinite BIC there, because their
    micro-aggregated bounds leave the real extremes outside;
  - a float column whose values are all whole numbers (ages read as floats) is modelled as
    whole numbers and comes back as whole numbers in its float dtype;
  - a column given its own ``distribution`` or ``plugins`` in ``var_specs``, a unique key and
    a forced categorical are left as asked;

* a column that varied in the data but whose model draws a single value, only missing values,
  or metasyn-disclosure's placeholders (``A_REDACTED``, ``77777``, ``99999.9``) is named in a
  warning at fit time and in ``model.notes`` (the warning holds no real value);
* ``pl.Enum`` columns work and come back as the same Enum, levels in order;
* a unique key column stays unique (detected, or named with ``unique=``; the old
  ``{"name": ..., "unique": True}`` var-spec style, which metasyn 3 silently ignores, is honoured);
* every column comes back with the dtype it went in with, and in the frame type given (polars
  or pandas); a pandas column's own dtype is written down at fit time, as polars' way back
  loses some (:mod:`synthspectrum.metadata.pandas_dtypes`): a categorical keeps its categories
  (unused ones too), their order and its ``ordered`` flag, and is drawn among them when they
  are numbers; ``Int64``, ``boolean``, ``Float64``, ``string`` and the other nullable dtypes
  stay themselves, missing values as ``pd.NA``; a datetime keeps its unit and time zone;
* fewer than :data:`MIN_ROWS` real rows are warned about (and noted in ``model.notes``): so
  few values per column give synthetic records that copy real ones (with one row, every
  synthetic record is the real record);
* whole numbers from a (truncated) normal model are rounded, not truncated toward zero
  (metasyn never draws the real maximum otherwise): the rounded normals are metasyn
  distributions of our own (:mod:`synthspectrum.metadata.distributions`), fitted in place of
  metasyn's; a model holding metasyn's truncating ones (a plain metasyn file, a column given
  its own distribution) is drawn through a rounded copy, the caller's MetaFrame unchanged.
  The model file names them; plain metasyn reads it wherever synthspectrum is installed;
* a draw of more than 100,000 rows is defined block by block (:mod:`synthspectrum.metadata.blocks`:
  block 0 drawn with the seed itself, each later block with a seed derived from it), so that
  ``synthesize -o`` writes it as it draws, in flat memory, and the frame in memory is the same
  rows; a draw of at most one block is metasyn's one-call draw, as before;
* progress bars only on a terminal (:func:`synthspectrum.core.progress.show_progress`);
* ``seed`` is a whole number from 0 to 2^31 - 1 (:mod:`synthspectrum.core.seeds`) and never
  changes the caller's global ``random`` / ``numpy`` / ``faker`` state;
* ``privacy="disclosure"`` (metasyn-disclosure) runs under a time limit per column with a
  bounded fallback (see :mod:`synthspectrum.metadata.guard`).

The model file discloses, per column: its name and dtype (an Enum's levels, a pandas
categorical's categories, including those no row holds), the number of rows, the missing
share, whether a numeric column is never negative or never positive and holds whole numbers
only (the rule above), and the fitted distribution's parameters — which can include real extreme values,
category labels with their frequencies, and patterns learnt from text. Run :func:`synthspectrum.metadata.audit`
on it before sharing it.

The parts: :mod:`~synthspectrum.metadata.prepare` (the data made ready, dtypes given back),
:mod:`~synthspectrum.metadata.candidates` and :mod:`~synthspectrum.metadata.distributions`
(what a column may be fitted with), :mod:`~synthspectrum.metadata.fitting` and
:mod:`~synthspectrum.metadata.guard` (the fit), :mod:`~synthspectrum.metadata.files` (the GMF
file), :mod:`~synthspectrum.metadata.checks` and :mod:`~synthspectrum.metadata.audit`.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import polars as pl

from synthspectrum.core.frames import from_polars, to_polars
from synthspectrum.core.progress import show_progress
from synthspectrum.core.seeds import check_seed, fresh_seed
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.metadata import blocks
from synthspectrum.metadata.blocks import BlockPlan, block_seed, block_spans
from synthspectrum.metadata.files import gmf_document, metaframe_from_gmf, read_gmf, write_gmf
from synthspectrum.metadata.fitting import (PRIVACY_CHOICES, collapsed, fit_unprotected, privacy_object,
                                            refit_unsupported)
from synthspectrum.metadata.metaframes import renamed, rounded_metaframe, stand_ins
from synthspectrum.metadata import pandas_dtypes as pandas_dtypes_
from synthspectrum.metadata.prepare import prepare, restore_dtypes

# Fewer real rows than this are warned about at fit time. Each column is modelled on its own from
# its n values: with one row every column is a constant and every synthetic record is the real
# record; with a few rows a categorical, constant or whole-number column draws only the real
# values, so that a synthetic record of k such columns repeats a real one with a chance of about
# n^(1-k) (1 in 2 for two rows and two columns), and metasyn-disclosure's micro-aggregation cannot
# form a single partition of its default 11 records. 10 is also the fewest rows in which a column
# is taken for a unique key (prepare.is_unique_key). A warning, not a refusal: small frames are
# what one tries a pipeline on, and the warning and the note say what the output is.
MIN_ROWS = 10


@contextlib.contextmanager
def preserved_global_rng() -> Iterator[None]:
    """Run a block that may reseed ``random``, ``numpy.random`` and faker, then put their states back.

    metasyn seeds by calling ``np.random.seed``, ``random.seed`` and ``Faker.seed``: left alone,
    that would silently change the random streams of the user's own code.
    """
    import faker.generator

    py_state = random.getstate()
    np_state = np.random.get_state()
    fk_state = faker.generator.random.getstate()
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        faker.generator.random.setstate(fk_state)


class MetadataModel:
    """A fitted metasyn ``MetaFrame`` plus what it takes to give users their own dtypes back.

    ``metaframe`` is metasyn's own object, for everything this layer does not wrap.
    """

    def __init__(self, metaframe, dtypes: dict[str, dict[str, Any]], frame_kind: str = "polars",
                 privacy: dict[str, Any] | None = None, notes: Sequence[str] = (),
                 support: dict[str, dict[str, Any]] | None = None,
                 pandas_dtypes: dict[str, dict[str, Any]] | None = None):
        # whole numbers from a normal curve are drawn rounded (metadata.distributions); a
        # MetaFrame holding metasyn's truncating ones is replaced by a rounded copy, not changed
        self.metaframe = rounded_metaframe(metaframe)
        self.dtypes = dict(dtypes)
        self.frame_kind = frame_kind
        self.privacy = privacy or {"name": "none", "parameters": {}}
        self.notes = list(notes)
        # the sign and whole-number rule kept per column (see the module docstring); the model
        # file records it, so it discloses whether a column is ever negative
        self.support = dict(support or {})
        # a pandas frame's own dtype per column (JSON-ready), given back by synthesize; checked here,
        # so that a model file naming a dtype pandas cannot read is refused when it is loaded
        self.pandas_dtypes = dict(pandas_dtypes or {})
        self._pandas = pandas_dtypes_.parse(self.pandas_dtypes)
        self.last_seed: int | None = None

    @property
    def columns(self) -> list[str]:
        return [v.name for v in self.metaframe.meta_vars]

    @property
    def n_rows(self) -> int:
        return self.metaframe.n_rows

    def synthesize(self, n: int | None = None, seed: int | None = None, progress: bool | None = None,
                   as_pandas: bool | None = None):
        """Draw ``n`` synthetic rows (default: as many as the real data had).

        Returns the frame type the model was fitted on (polars or pandas) unless ``as_pandas``
        says otherwise. The same seed gives the same rows; the caller's global random state is
        left as it was. ``seed``: a whole number from 0 to 2^31 - 1 (the package's one seed
        policy, :mod:`synthspectrum.core.seeds`); with ``seed=None`` a fresh one is drawn and
        kept in ``last_seed``. Progress shows on a terminal only, unless ``progress`` says.

        A draw of more than :data:`~synthspectrum.metadata.blocks.BLOCK_ROWS` rows is defined
        block by block (:mod:`synthspectrum.metadata.blocks`): the same rows as
        :meth:`iter_blocks` gives, which writes them in flat memory.
        """
        parts = list(self.iter_blocks(n, seed, progress))
        df = parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")
        kind = self.frame_kind if as_pandas is None else ("pandas" if as_pandas else "polars")
        if kind == "pandas" and self._pandas:
            return pandas_dtypes_.to_pandas(df, self._pandas)
        return from_polars(df, kind)

    def iter_blocks(self, n: int | None = None, seed: int | None = None,
                    progress: bool | None = None) -> Iterator[pl.DataFrame]:
        """The draw of :meth:`synthesize` (same ``n``, ``seed``), as polars frames of at most
        :data:`~synthspectrum.metadata.blocks.BLOCK_ROWS` rows each, drawn one at a time (see
        :mod:`synthspectrum.metadata.blocks`). ``n`` and ``seed`` are checked, and ``last_seed``
        set, at this call; the blocks are drawn as they are asked for. Progress: metasyn's bar for
        a draw of one block, a bar of rows for more, on a terminal only unless ``progress`` says.
        """
        n = self.n_rows if n is None else n
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise SynthSpectrumError(f"n must be a whole number >= 0, got {n!r}")
        seed = fresh_seed() if seed is None else check_seed(seed)
        self.last_seed = seed
        return self._blocks(int(n), seed, show_progress(progress))

    def _blocks(self, n: int, seed: int, show: bool) -> Iterator[pl.DataFrame]:
        spans = block_spans(n, blocks.BLOCK_ROWS)  # read at the call: tests shrink it
        forward = stand_ins(self.columns)
        back = {v: k for k, v in forward.items()}
        metaframe = renamed(self.metaframe, forward)
        multi = len(spans) > 1
        plan = BlockPlan(metaframe, blocks.enum_dtypes(self.metaframe, self.dtypes) if multi else None)
        bar = None
        if multi and show:
            from tqdm.auto import tqdm

            bar = tqdm(total=n, unit="rows", file=sys.stderr)
        try:
            for block, (start, rows) in enumerate(spans):
                mf = plan.metaframe_for(block, start)
                with preserved_global_rng(), warnings.catch_warnings():
                    warnings.filterwarnings("ignore", category=DeprecationWarning)
                    try:
                        df = mf.synthesize(rows, seed=block_seed(seed, block), progress_bar=show and not multi)
                    except ValueError as exc:
                        if "Failed to draw unique" not in str(exc):
                            raise
                        raise self._unique_text_error(n) from None
                yield restore_dtypes(df.rename(back), self.dtypes, plan.enums)
                if bar is not None:
                    bar.update(rows)
        finally:
            if bar is not None:
                bar.close()

    def _unique_text_error(self, n: int) -> SynthSpectrumError:
        """metasyn's words when a unique text column's pattern runs out of distinct values, as ours:
        the column named (or the candidates, if several) and what to do."""
        names = [v.name for v in self.metaframe.meta_vars
                 if v.var_type == "string" and getattr(v.distribution, "unique", False)]
        what = "its model (a unique text pattern)" if len(names) == 1 else (
            f"the model of a unique text column ({', '.join(map(repr, names))})" if names else "a unique text model")
        return SynthSpectrumError(
            f"{what} cannot draw {n} distinct values; draw fewer rows, or fit the column without "
            "unique= (or with a var_specs distribution of its own)", names[0] if len(names) == 1 else None)

    def to_dict(self) -> dict[str, Any]:
        """The GMF document (a dict) with this layer's dtype notes under provenance."""
        notes = {
            "frame_kind": self.frame_kind,
            "dtypes": self.dtypes,
            "privacy": self.privacy,
            "notes": self.notes,
            "support": self.support,
        }
        if self.pandas_dtypes:  # pandas models only: a polars model's file is as it was
            notes["pandas_dtypes"] = self.pandas_dtypes
        return gmf_document(self.metaframe, notes)

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write the model as metasyn GMF JSON (plain metasyn can read the file too, where
        synthspectrum is installed), atomically.

        An existing file is replaced only if synthspectrum wrote it, or with ``force``
        (see :mod:`synthspectrum.io.outputs`)."""
        return write_gmf(self.to_dict(), path, force=force)

    def __repr__(self) -> str:
        return (f"MetadataModel({len(self.columns)} columns, n_rows={self.n_rows}, "
                f"privacy={self.privacy.get('name')!r})")

    def __str__(self) -> str:
        return str(self.metaframe)


def load(path: str | Path) -> MetadataModel:
    """Read a model saved by :meth:`MetadataModel.save` (or any metasyn GMF JSON file)."""
    return model_from_gmf(read_gmf(path), str(path), is_file=True)


def model_from_gmf(gmf: Any, source: str = "the model", is_file: bool = False,
                   validate: bool = True) -> MetadataModel:
    """A :class:`MetadataModel` from a GMF document (a dict), checked as :func:`load` checks a
    file; ``source`` names it in the one-line error. ``validate=False``: see
    :func:`synthspectrum.metadata.files.metaframe_from_gmf` (our own documents only)."""
    mf, notes = metaframe_from_gmf(gmf, source, is_file, validate)
    return MetadataModel(mf, notes.get("dtypes") or {}, notes.get("frame_kind", "polars"),
                         notes.get("privacy"), notes.get("notes", []), notes.get("support"),
                         notes.get("pandas_dtypes"))


def fit_metadata(
    real: Any,
    privacy: str = "none",
    *,
    unique: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    max_categories: int | None = None,
    var_specs: Sequence[dict[str, Any]] | None = None,
    partition_size: int = 11,
    max_dominance: float = 0.5,
    column_time_limit: float = 120.0,
    fallback_rows: int = 5_000,
    seed: int = 0,
    progress: bool | None = None,
    keep_support: bool = True,
) -> MetadataModel:
    """Fit metasyn metadata to a polars or pandas frame; return a :class:`MetadataModel`.

    ``privacy``: ``"none"`` (metasyn's best-fitting distributions) or ``"disclosure"``
    (metasyn-disclosure: micro-aggregation with partitions of at least ``partition_size``
    records and ``max_dominance``, so that no single record shows through).
    ``unique`` / ``categorical`` force those columns to be a unique key / a categorical;
    ``var_specs`` pass straight to metasyn. For ``"disclosure"``, a column whose fit takes
    longer than ``column_time_limit`` seconds is refitted on a seeded random subsample of
    ``fallback_rows`` rows (``seed``), and the model's notes say so.
    ``keep_support``: keep each numeric column's sign and whole numbers (see the module
    docstring); a column that collapses (one value, only missing, placeholders) is warned about.
    """
    seed = check_seed(seed)
    if privacy not in PRIVACY_CHOICES:
        raise SynthSpectrumError(f"privacy must be one of {PRIVACY_CHOICES}, got {privacy!r}")
    pdf, kind = to_polars(real, "real data")
    pandas_dtypes = pandas_dtypes_.describe(real) if kind == "pandas" else {}
    if kind == "pandas":
        # categories that are numbers, booleans or dates reach polars as plain values: drawn
        # among the real categories, not from a numeric model (unless var_specs say otherwise)
        own = {spec.get("name") for spec in var_specs or [] if "distribution" in spec or "plugins" in spec}
        extra = [c for c in pandas_dtypes_.numeric_categoricals(real)
                 if c not in (categorical or []) and c not in own]
        categorical = list(categorical or []) + extra if extra else categorical
    prep = prepare(pdf, unique=unique, categorical=categorical, max_categories=max_categories,
                   var_specs=var_specs, keep_support=keep_support)
    privacy_obj = privacy_object(privacy, partition_size, max_dominance)
    show = show_progress(progress)
    notes = list(prep.notes)
    if pdf.height < MIN_ROWS:
        few = (f"the real data has only {pdf.height} row{'' if pdf.height == 1 else 's'} (fewer than "
               f"{MIN_ROWS}): each column is modelled from so few values that the synthetic records are "
               "likely to be copies of real records"
               + (" (with one row, every synthetic record is the real record)" if pdf.height == 1 else "")
               + "; do not share them as protecting anyone")
        warnings.warn(few, UserWarning, stacklevel=2)
        notes.append(few)

    def fit_frame(frame: pl.DataFrame, specs: list[dict[str, Any]], bar: bool):
        if privacy == "disclosure":
            from synthspectrum.metadata.guard import fit_guarded

            return fit_guarded(frame, specs, privacy_obj, column_time_limit=column_time_limit,
                               fallback_rows=fallback_rows, seed=seed, progress=bar)
        return fit_unprotected(frame, specs, privacy_obj, bar), []

    with preserved_global_rng(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*is potentially unique.*")
        mf, guard_notes = fit_frame(prep.frame, prep.var_specs, show)
        mf, more_notes = refit_unsupported(mf, prep, fit_frame)
    guard_notes += more_notes
    for note in guard_notes:  # a fallback changes the model: say so, not only in model.notes
        warnings.warn(note, stacklevel=2)
    notes += guard_notes
    model = MetadataModel(mf, prep.dtypes, kind, privacy_obj.to_dict(), notes, prep.support, pandas_dtypes)
    # Some fitted metasyn distributions (regex) draw differently from the same distribution
    # read back from its file; passing through the file format makes the model in memory
    # and the saved model draw identical rows for a seed.
    model.metaframe = rounded_metaframe(type(mf).from_dict(json.loads(json.dumps(model.to_dict()))))
    for note in collapsed(model.metaframe, prep.frame, privacy):
        warnings.warn(note, UserWarning, stacklevel=2)
        model.notes.append(note)
    return model
