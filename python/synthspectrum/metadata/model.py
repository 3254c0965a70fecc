"""Metadata synthesis: a thin, honest layer over metasyn 3.

``fit_metadata(df)`` fits one metasyn model per column (a ``MetaFrame``, saved as metasyn's
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
  or pandas);
* whole numbers from a (truncated) normal model are rounded, not truncated toward zero
  (metasyn never draws the real maximum otherwise): the rounded normals are metasyn
  distributions of our own (:mod:`synthspectrum.metadata.distributions`), fitted in place of
  metasyn's; a model holding metasyn's truncating ones (a plain metasyn file, a column given
  its own distribution) is drawn through a rounded copy, the caller's MetaFrame unchanged;
* progress bars only on a terminal;
* ``seed`` never changes the caller's global ``random`` / ``numpy`` / ``faker`` state;
* ``privacy="disclosure"`` (metasyn-disclosure) runs under a time limit per column with a
  bounded fallback (see :mod:`synthspectrum.metadata.guard`).

The model file discloses, per column: its name and dtype, the number of rows, the missing
share, whether a numeric column is never negative or never positive and holds whole numbers
only (the rule above), and the fitted distribution's parameters — which can include real extreme values,
category labels with their frequencies, and patterns learnt from text. Run :func:`synthspectrum.metadata.audit`
on it before sharing it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import random
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import polars as pl

from synthspectrum.core.dtypes import dtype_from_json, dtype_to_json
from synthspectrum.core.columns import is_low_cardinality
from synthspectrum.core.progress import show_progress
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.core.numbers import clean_numbers
from synthspectrum.core.frames import from_polars, require_columns, require_rows, to_polars
from synthspectrum.metadata.metaframes import json_ready, renamed, rounded_metaframe, stand_ins

PRIVACY_CHOICES = ("none", "disclosure")
FORMAT_KEY = "synthspectrum"
# Distributions whose draws stay on one side of zero when fitted to a column on that side:
# bounded by the (possibly micro-aggregated) data, or with support [0, inf).
BOUNDED_BY_DATA = frozenset({"core.uniform", "core.truncated_normal", "core.constant",
                             "core.multinoulli", "core.na", "synthspectrum.rounded_truncated_normal"})
SIGN_SAFE = {
    # not core.unique_key: a unique key is this layer's own choice (is_unique_key, unique=)
    "non-negative": BOUNDED_BY_DATA | {"core.exponential", "core.lognormal", "core.poisson"},
    "non-positive": BOUNDED_BY_DATA,
}


@functools.lru_cache(maxsize=None)
def sign_safe_registry(sign: str, excluded: frozenset = frozenset()):
    """metasyn's installed fitters (all plugins) whose distributions keep ``sign`` (``None``: any
    sign), less the distributions in ``excluded``, with the rounded normals of
    :mod:`synthspectrum.metadata.distributions` in place of metasyn's truncating ones.

    Passed as a column's ``plugins`` in ``var_specs``; metasyn then chooses among these only.
    """
    from metasyn.registry import DistributionRegistry

    from synthspectrum.metadata.distributions import rounding

    fitters = rounding(DistributionRegistry.parse(None).fitters)
    return DistributionRegistry([f for f in fitters if f.distribution.name not in excluded
                                 and (sign is None or f.distribution.name in SIGN_SAFE[sign])])


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


def _normalise_var_specs(var_specs: Sequence[dict[str, Any]] | None, columns: list[str]) -> dict[str, dict]:
    specs: dict[str, dict] = {}
    for spec in var_specs or []:
        spec = dict(spec)
        name = spec.pop("name", None)
        if name not in columns:
            raise SynthSpectrumError(f"var_specs names a column that is not in the data: {name!r}")
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
    from synthspectrum.metadata.audit import column_sign

    require_rows(df)
    require_columns(df, unique or [], "data (unique=)")
    require_columns(df, categorical or [], "data (categorical=)")
    specs = _normalise_var_specs(var_specs, df.columns)
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
        dtypes[name] = dtype_to_json(dtype)
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


def restore_dtypes(df: pl.DataFrame, dtypes: dict[str, dict[str, Any]]) -> pl.DataFrame:
    """Cast synthetic columns back to the dtypes the real columns had."""
    exprs = []
    for name in df.columns:
        if name not in dtypes:
            continue
        want = dtype_from_json(dtypes[name])
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
            col = col.cast(pl.String)  # e.g. whole numbers that were modelled as categories
        exprs.append(col.cast(want).alias(name))
    return df.with_columns(exprs) if exprs else df


class MetadataModel:
    """A fitted metasyn ``MetaFrame`` plus what it takes to give users their own dtypes back.

    ``metaframe`` is metasyn's own object, for everything this layer does not wrap.
    """

    def __init__(self, metaframe, dtypes: dict[str, dict[str, Any]], frame_kind: str = "polars",
                 privacy: dict[str, Any] | None = None, notes: Sequence[str] = (),
                 support: dict[str, dict[str, Any]] | None = None):
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
        left as it was. With ``seed=None`` a fresh seed is drawn and kept in ``last_seed``.
        """
        n = self.n_rows if n is None else n
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise SynthSpectrumError(f"n must be a whole number >= 0, got {n!r}")
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**32))
        self.last_seed = seed
        forward = stand_ins(self.columns)
        metaframe = renamed(self.metaframe, forward)
        with preserved_global_rng(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            df = metaframe.synthesize(int(n), seed=seed, progress_bar=show_progress(progress))
        df = df.rename({v: k for k, v in forward.items()})
        df = restore_dtypes(df, self.dtypes)
        kind = self.frame_kind if as_pandas is None else ("pandas" if as_pandas else "polars")
        return from_polars(df, kind)

    def to_dict(self) -> dict[str, Any]:
        """The GMF document (a dict) with this layer's dtype notes under provenance."""
        gmf = json_ready(self.metaframe.to_dict())
        gmf["provenance"][FORMAT_KEY] = {
            "frame_kind": self.frame_kind,
            "dtypes": self.dtypes,
            "privacy": self.privacy,
            "notes": self.notes,
            "support": self.support,
        }
        return gmf

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write the model as metasyn GMF JSON (raw metasyn can read the file too), atomically.

        An existing file is replaced only if synthspectrum wrote it, or with ``force``
        (see :mod:`synthspectrum.io.outputs`)."""
        from metasyn.gmf import parse_gmf_dict

        from synthspectrum.io.outputs import check_output, write_text

        path = check_output(path, [".json"], what="model file", force=force)
        gmf = self.to_dict()
        parse_gmf_dict(json.loads(json.dumps(gmf)), validate=True)
        return write_text(path, json.dumps(gmf, indent=2))

    def __repr__(self) -> str:
        return (f"MetadataModel({len(self.columns)} columns, n_rows={self.n_rows}, "
                f"privacy={self.privacy.get('name')!r})")

    def __str__(self) -> str:
        return str(self.metaframe)


def load(path: str | Path) -> MetadataModel:
    """Read a model saved by :meth:`MetadataModel.save` (or any metasyn GMF JSON file)."""
    path = Path(path)
    if not path.is_file():
        raise SynthSpectrumError(f"no model file at {path}")
    try:
        gmf = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SynthSpectrumError(f"{path} is not a JSON model file: {exc}") from None
    return model_from_gmf(gmf, str(path), is_file=True)


def _one_line(exc: Exception, limit: int = 300) -> str:
    # jsonschema's errors quote the whole schema and document over many lines; its .message is the point
    text = str(getattr(exc, "message", None) or exc or type(exc).__name__)
    path = "/".join(str(p) for p in getattr(exc, "absolute_path", []) or [])
    line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    line = f"{line} (at {path})" if path else line
    return line if len(line) <= limit else line[:limit - 3] + "..."


def model_from_gmf(gmf: Any, source: str = "the model", is_file: bool = False) -> MetadataModel:
    """A :class:`MetadataModel` from a GMF document (a dict), checked as :func:`load` checks a
    file; ``source`` names it in the one-line error."""
    from metasyn import MetaFrame

    if not isinstance(gmf, dict) or "tables" not in gmf and "vars" not in gmf:
        raise SynthSpectrumError(f"{source} is {'JSON but ' if is_file else ''}not a metasyn GMF model file")
    provenance = gmf.get("provenance")
    extra = provenance.get(FORMAT_KEY, {}) if isinstance(provenance, dict) else {}
    if not isinstance(extra, dict):
        extra = {}
    try:
        mf = MetaFrame.load_json(json.loads(json.dumps(gmf)))  # a copy: metasyn edits what it reads
    except Exception as exc:  # metasyn raises many kinds here; the user needs one line
        raise SynthSpectrumError(f"{source} is not a valid GMF model: {_one_line(exc)}") from None
    dtypes = extra.get("dtypes") or {}
    return MetadataModel(mf, dtypes, extra.get("frame_kind", "polars"),
                         extra.get("privacy"), extra.get("notes", []), extra.get("support"))


def _privacy_object(privacy: str, partition_size: int, max_dominance: float):
    from metasyn.privacy import BasicPrivacy, get_privacy

    if privacy == "none":
        return BasicPrivacy()
    try:
        return get_privacy("disclosure", {"partition_size": partition_size, "max_dominance": max_dominance})
    except ImportError:
        raise SynthSpectrumError(
            "privacy='disclosure' needs the metasyn-disclosure plugin: pip install metasyn-disclosure"
        ) from None


def fit_metadata(
    df: Any,
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
    if privacy not in PRIVACY_CHOICES:
        raise SynthSpectrumError(f"privacy must be one of {PRIVACY_CHOICES}, got {privacy!r}")
    pdf, kind = to_polars(df)
    prep = prepare(pdf, unique=unique, categorical=categorical, max_categories=max_categories,
                   var_specs=var_specs, keep_support=keep_support)
    privacy_obj = _privacy_object(privacy, partition_size, max_dominance)
    show = show_progress(progress)
    notes = list(prep.notes)

    def fit_frame(frame: pl.DataFrame, specs: list[dict[str, Any]], bar: bool):
        if privacy == "disclosure":
            from synthspectrum.metadata.guard import fit_guarded

            return fit_guarded(frame, specs, privacy_obj, column_time_limit=column_time_limit,
                               fallback_rows=fallback_rows, seed=seed, progress=bar)
        return _fit(frame, specs, privacy_obj, bar), []

    with preserved_global_rng(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*is potentially unique.*")
        mf, guard_notes = fit_frame(prep.frame, prep.var_specs, show)
        mf, more_notes = _refit_unsupported(mf, prep, fit_frame)
    guard_notes += more_notes
    for note in guard_notes:  # a fallback changes the model: say so, not only in model.notes
        warnings.warn(note, stacklevel=2)
    notes += guard_notes
    model = MetadataModel(mf, prep.dtypes, kind, privacy_obj.to_dict(), notes, prep.support)
    # Some fitted metasyn distributions (regex) draw differently from the same distribution
    # read back from its file; passing through the file format makes the model in memory
    # and the saved model draw identical rows for a seed.
    model.metaframe = rounded_metaframe(type(mf).from_dict(json.loads(json.dumps(model.to_dict()))))
    for note in _collapsed(model.metaframe, prep.frame, privacy):
        warnings.warn(note, UserWarning, stacklevel=2)
        model.notes.append(note)
    return model


def _var_dict(var) -> dict[str, Any]:
    return json_ready(var.to_dict())


def _refit_unsupported(mf, prep: Prepared, fit_frame, attempts: int = 3):
    """Refit numeric columns whose fitted model crosses zero or is a placeholder, without that
    distribution.

    metasyn's sign-safe candidates can still fall back to a data-free default that crosses
    zero (metasyn-disclosure's truncated normal on [-1, 2], its constant 99999.9 for a column
    never above 0). And under disclosure control every bounded candidate scores an infinite
    BIC on the real data (its micro-aggregated bounds leave the real extremes outside), so
    metasyn-disclosure's placeholder categories (77777, 88888, 99999) can win for a column of
    counts. Drop that distribution for the column and fit again, a few times at most.
    """
    from synthspectrum.metadata.audit import breaks_sign, is_placeholder

    specs = {s["name"]: dict(s) for s in prep.var_specs}
    for name in prep.support:
        specs.setdefault(name, {"name": name})
    excluded: dict[str, set[str]] = {}
    notes: list[str] = []
    for _ in range(attempts):
        retry = []
        for var in mf.meta_vars:
            if var.name not in prep.support:
                continue
            d = _var_dict(var)
            sign = prep.support[var.name]["sign"]
            if not (breaks_sign(d["distribution"], sign) or is_placeholder(d)):
                continue
            excluded.setdefault(var.name, set()).add(d["distribution"]["name"])
            registry = sign_safe_registry(sign, frozenset(excluded[var.name]))
            if registry.fitters:
                specs[var.name]["plugins"] = registry
                retry.append(var.name)
        if not retry:
            break
        sub, sub_notes = fit_frame(pl.DataFrame([prep.frame.get_column(n) for n in retry]),
                                   [specs[n] for n in retry], False)
        notes += sub_notes
        fitted = {var.name: var for var in sub.meta_vars}
        mf.meta_vars = [fitted.get(var.name, var) for var in mf.meta_vars]
    for var in mf.meta_vars:
        sign = prep.support.get(var.name, {}).get("sign")
        if breaks_sign(_var_dict(var)["distribution"], sign):
            notes.append(f"column {var.name!r}: no model was found that keeps the column {sign}; "
                         "its synthetic values can cross zero")
    return mf, notes


def _collapsed(mf, frame: pl.DataFrame, privacy: str) -> list[str]:
    """Warnings for columns that varied but whose model draws one value (by its parameters, or
    in practice), only missing values or placeholders."""
    from synthspectrum.metadata.audit import collapse

    out = []
    for var in mf.meta_vars:
        d = _var_dict(var)
        why = collapse(d, frame.get_column(var.name), var)
        if why is not None:
            under = " under disclosure control" if privacy == "disclosure" else ""
            out.append(f"column {var.name!r} collapsed{under}: {why}; its synthetic values say "
                       "nothing about the real ones")
    return out


def _fit(frame: pl.DataFrame, var_specs, privacy_obj, progress: bool):
    from metasyn import MetaFrame

    stand_in = stand_ins(frame.columns)
    specs = [{**s, "name": stand_in.get(s["name"], s["name"])} for s in var_specs]
    try:
        mf = MetaFrame.fit_dataframe(frame.rename(stand_in), var_specs=specs, privacy=privacy_obj,
                                     progress_bar=progress)
    except Exception as exc:  # name the column metasyn choked on, if it says
        raise SynthSpectrumError("metasyn could not fit the data", detail=f"{type(exc).__name__}: {exc}") from exc
    return renamed(mf, {v: k for k, v in stand_in.items()})
