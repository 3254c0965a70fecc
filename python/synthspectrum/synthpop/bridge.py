"""A lossless, fast bridge between polars/pandas frames and R data.frames (through rpy2).

rpy2's stock pandas converter is slow (it goes value by value) and lossy (NaN arrives as R
NaN, Python dates as numbers, int64 beyond 2^31 turns a column into text, R NA integers come
back as -2147483648...). Here each column goes over as one block of memory:

==========================  ===============================  ==========================
polars                      R                                back to polars
==========================  ===============================  ==========================
Float32/64 (null, NaN)      double, NA_real_ for both        Float64, null
Int8/16/32, UInt8/16        integer (NA_integer_)            Int32 (or the given dtype)
Int64/UInt32/UInt64         integer if it fits, else double  Int32/Float64 (given dtype)
Boolean                     logical                          Boolean
String                      character (NA_character_)        String
Enum / Categorical          factor, levels in order,         Enum with the same levels
                            unused levels kept
Enum marked ``ordered``     ordered factor                   Enum (pandas: ordered)
Date                        Date                             Date
Datetime (any time zone)    POSIXct with tzone               Datetime("us", tz)
Duration                    difftime in seconds              Duration("us")
==========================  ===============================  ==========================

Column names go over exactly as they are (spaces, dots, unicode, leading digits): the
data.frame is built directly, never through ``data.frame()`` and its ``make.names``.
Pass ``schema`` to :func:`from_r` (``to_r`` returns it) to get every dtype back exactly.
Datetimes cross as seconds in a double, as R stores them: exact to the microsecond for the
years 1698 to 2242, never to the nanosecond.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
import polars as pl

from synthspectrum.errors import RNotAvailableError, SynthSpectrumError
from synthspectrum.core.frames import from_polars, to_polars
from synthspectrum.core.columns import levels

INT_NA = np.iinfo(np.int32).min  # R's NA_integer_ (and NA for logicals)
REAL_NA = np.array([0x7FF00000000007A2], dtype=np.uint64).view(np.float64)[0]  # NA_real_ (payload 1954)
_INT32_MAX = np.iinfo(np.int32).max
_DIFFTIME_SECONDS = {"secs": 1, "mins": 60, "hours": 3600, "days": 86400, "weeks": 604800}

_ri = None
_ri_error: RNotAvailableError | None = None


def r_home_problem() -> str | None:
    """Why ``R_HOME``, when set, cannot be the R to run (``None`` when it is unset or fine).

    rpy2 runs ``$R_HOME/bin/Rscript`` while it starts R: with a wrong ``R_HOME`` that is a raw
    ``FileNotFoundError`` deep inside rpy2, so it is checked first.
    """
    import os

    home = os.environ.get("R_HOME")
    if home is None:
        return None
    bindir = os.path.join(home, "bin")
    if not (os.path.isfile(os.path.join(bindir, "R")) or os.path.isfile(os.path.join(bindir, "Rscript"))):
        return (f"R_HOME={home} is not an R installation (it has no bin/R): unset R_HOME, or set it "
                "to what `R RHOME` prints")
    return None


def rinterface():
    """rpy2's low-level interface with embedded R started, or a clear error saying what is missing.

    A failure is remembered: R can be started once per process, so a second try would not help.
    """
    global _ri, _ri_error
    if _ri is not None:
        return _ri
    if _ri_error is not None:
        raise _ri_error
    problem = r_home_problem()
    if problem:
        _ri_error = RNotAvailableError(problem)
        raise _ri_error
    try:
        import rpy2.rinterface as ri
    except ImportError as exc:
        _ri_error = RNotAvailableError(
            "the R side needs rpy2 and R: sudo apt-get install r-base-core r-base-dev && "
            f"pip install 'synthspectrum[r]' ({exc})"
        )
        raise _ri_error from None
    except Exception as exc:  # rpy2 found no usable R (not installed, or too old for this rpy2)
        _ri_error = RNotAvailableError(
            f"rpy2 could not load R: {exc}. Install R (sudo apt-get install r-base-core) and "
            "'synthspectrum[r]', which pins an rpy2 that works with R 4.2 as well as newer R"
        )
        raise _ri_error from None
    import os

    library_path = os.environ.get("LD_LIBRARY_PATH")
    try:
        ri.initr()
    except Exception as exc:  # e.g. R's own start-up files or libraries are gone
        _ri_error = RNotAvailableError(f"rpy2 could not start R: {type(exc).__name__}: {exc}")
        raise _ri_error from None
    finally:
        # R's start-up puts its library path (etc/ldpaths: /usr/lib/R/lib, the system's lib folder)
        # in the process environment, where every child process would inherit it: a Python child
        # (the spectrum's workers, a Dask worker) then loads the system's libpython instead of its
        # own where the two differ (pyenv, conda) and fails on its first extension module. The
        # loader read the path when this process started, so R itself does not need it now, and
        # R's own scripts (R, Rscript) set it again for the processes they start.
        if library_path is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = library_path
    _ri = ri
    return ri


# Attributes are set by R itself (structure()), which also sets the object bit that R's
# method dispatch needs; setting them from outside would leave a factor that prints as codes.
_R_HELPERS = """list(
  factor = function(codes, lv, ordered)
    structure(codes, levels = lv, class = if (ordered) c("ordered", "factor") else "factor"),
  date = function(x) structure(x, class = "Date"),
  posixct = function(x, tz) structure(x, class = c("POSIXct", "POSIXt"), tzone = tz),
  difftime = function(x) structure(x, class = "difftime", units = "secs"),
  frame = function(cols, nm, n)
    structure(cols, names = nm, row.names = c(NA_integer_, -n), class = "data.frame")
)"""
_helpers: dict[str, Any] = {}


def _r(name: str):
    if not _helpers:
        helpers = rinterface().evalr(_R_HELPERS)
        _helpers.update(zip([str(n) for n in helpers.do_slot("names")], helpers))
    return _helpers[name]


def _alloc(kind: str, values: np.ndarray):
    """An R vector of ``kind`` (double/integer/logical) filled with ``values`` by one memory copy."""
    ri = rinterface()
    vec = ri.baseenv[kind](len(values))
    if len(values):
        np.asarray(vec.memoryview())[:] = values
    return vec


def _strs(values: Sequence[str | None]):
    ri = rinterface()
    return ri.StrSexpVector([ri.NA_Character if v is None else v for v in values])


def _codes(s: pl.Series, lv: list[str]) -> np.ndarray:
    """1-based codes of ``s`` in ``lv`` as int32, NA_integer_ for missing."""
    phys = s.cast(pl.String).cast(pl.Enum(lv)).to_physical()
    return phys.cast(pl.Int32).fill_null(INT_NA - 1).to_numpy().astype(np.int32) + 1


def _column_to_r(s: pl.Series, ordered: bool, name: str):
    ri = rinterface()
    dt = s.dtype
    if isinstance(dt, (pl.Enum, pl.Categorical)):
        lv = levels(s)
        return _r("factor")(_alloc("integer", _codes(s, lv)), _strs(lv), ri.BoolSexpVector([ordered]))
    if dt == pl.String:
        # Text crosses as a factor (one R string per distinct value), then R's as.character.
        lv = s.drop_nulls().unique().sort().to_list()
        codes = _alloc("integer", _codes(s, lv))
        return ri.baseenv["["](_strs(lv), codes)
    if dt == pl.Boolean:
        return _alloc("logical", s.cast(pl.Int32).fill_null(INT_NA).to_numpy())
    if dt.is_integer():
        lo, hi = s.min(), s.max()
        if lo is None or (lo > INT_NA and hi <= _INT32_MAX):
            return _alloc("integer", s.cast(pl.Int32).fill_null(INT_NA).to_numpy())
        s = s.cast(pl.Float64)  # beyond R's 32-bit integers: a double, exact up to 2^53
        dt = pl.Float64
    if dt.is_float():
        return _alloc("double", s.cast(pl.Float64).fill_nan(None).fill_null(REAL_NA).to_numpy())
    if dt == pl.Date:
        return _r("date")(_alloc("double", s.to_physical().cast(pl.Float64).fill_null(REAL_NA).to_numpy()))
    if isinstance(dt, pl.Datetime):
        secs = s.dt.epoch("us").cast(pl.Float64) / 1e6
        return _r("posixct")(_alloc("double", secs.fill_null(REAL_NA).to_numpy()), _strs([dt.time_zone or "UTC"]))
    if isinstance(dt, pl.Duration):
        secs = s.dt.total_microseconds().cast(pl.Float64) / 1e6
        return _r("difftime")(_alloc("double", secs.fill_null(REAL_NA).to_numpy()))
    if dt == pl.Null:
        return _alloc("logical", np.full(len(s), INT_NA, dtype=np.int32))
    raise SynthSpectrumError(f"dtype {dt} cannot cross to R (supported: numbers, booleans, text, "
                             "categoricals, dates, datetimes, durations)", name)


def to_r(df: Any, ordered: Sequence[str] = ()):
    """A polars or pandas frame as an R data.frame (an rpy2 object); returns ``(r_frame, schema)``.

    ``ordered``: categorical columns to send as ordered factors (pandas ordered categoricals are
    found by themselves). ``schema`` maps each column to its polars dtype, for :func:`from_r`.
    """
    ri = rinterface()
    ordered = set(ordered)
    pandas_levels: dict[str, list[str]] = {}
    if isinstance(df, pd.DataFrame):
        # polars keeps neither a pandas categorical's level order nor numbers as levels;
        # R factor levels are text in a set order, so take them from pandas itself.
        for c in df.columns:
            if isinstance(df[c].dtype, pd.CategoricalDtype):
                pandas_levels[c] = [str(x) for x in df[c].cat.categories]
                if df[c].dtype.ordered:
                    ordered.add(c)
        if pandas_levels:
            df = df.astype({c: str for c in pandas_levels}).where(df.notna(), None)
    pdf, _ = to_polars(df)
    if pandas_levels:
        pdf = pdf.with_columns(pdf.get_column(c).cast(pl.Enum(lv)) for c, lv in pandas_levels.items())
    for c in ordered:
        if c not in pdf.columns or not isinstance(pdf.schema[c], (pl.Enum, pl.Categorical)):
            raise SynthSpectrumError("only a categorical column can be an ordered factor", c)
    # A neutral Series name: polars runs Series methods as expressions on the name, which
    # breaks for names like "^a.*$"; the real names go to R separately.
    cols = [_column_to_r(pdf.get_column(c).alias("value"), c in ordered, c) for c in pdf.columns]
    rdf = _r("frame")(ri.ListSexpVector(cols), _strs(pdf.columns), ri.IntSexpVector([pdf.height]))
    schema = dict(pdf.schema)
    return rdf, {"dtypes": schema, "ordered": sorted(ordered)}


def _attr(vec, name: str) -> list[str] | None:
    ri = rinterface()
    val = vec.do_slot(name) if name in vec.list_attrs() else ri.NULL
    if val is ri.NULL:
        return None
    return [None if x is ri.NA_Character else str(x) for x in val]


def _array(vec, dtype) -> np.ndarray:
    # rpy2 cannot make a memoryview of an empty vector
    return np.asarray(vec.memoryview()).copy() if len(vec) else np.empty(0, dtype=dtype)


def _ints(vec) -> pl.Series:
    a = _array(vec, np.int32)
    s = pl.Series(a, dtype=pl.Int32)
    na = np.flatnonzero(a == INT_NA)
    return s.scatter(na, None) if na.size else s


def _micros(seconds: pl.Series) -> pl.Series:
    """Seconds (double) to whole microseconds, exact wherever the double resolves a microsecond.

    Whole seconds and the fraction are taken apart first (both exact in floating point), so
    only the fraction is scaled: this recovers the microseconds of any datetime between the
    years 1698 and 2242, where plain ``round(x * 1e6)`` is off by one now and then.
    """
    whole = seconds.floor()
    return whole.cast(pl.Int64) * 1_000_000 + ((seconds - whole) * 1e6).round().cast(pl.Int64)


def _column_from_r(vec, name: str) -> tuple[pl.Series, bool]:
    """One R vector as a polars Series; the flag says it was an ordered factor."""
    ri = rinterface()
    label, name = name, "value"  # a neutral working name (see to_r); errors use the real one
    rtype = vec.typeof
    klass = _attr(vec, "class") or []
    if rtype == ri.RTYPES.INTSXP and "factor" in klass:
        lv = _attr(vec, "levels") or []
        codes = _ints(vec) - 1
        out = pl.Series(name, lv, dtype=pl.String).gather(codes) if len(codes) else pl.Series(name, [], pl.String)
        return out.cast(pl.Enum(lv)).alias(name), "ordered" in klass
    if rtype == ri.RTYPES.INTSXP:
        return _ints(vec).alias(name), False
    if rtype == ri.RTYPES.LGLSXP:
        return _ints(vec).cast(pl.Boolean).alias(name), False
    if rtype == ri.RTYPES.REALSXP:
        a = _array(vec, np.float64)
        s = pl.Series(name, a, dtype=pl.Float64, nan_to_null=True)
        if "Date" in klass:
            return s.floor().cast(pl.Int32).cast(pl.Date).alias(name), False
        if "POSIXct" in klass:
            tz = (_attr(vec, "tzone") or [""])[0] or None
            utc = _micros(s).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
            out = utc.dt.convert_time_zone(tz) if tz else utc.dt.replace_time_zone(None)
            return out.alias(name), False
        if "difftime" in klass:
            unit = (_attr(vec, "units") or ["secs"])[0]
            if unit not in _DIFFTIME_SECONDS:
                raise SynthSpectrumError(f"difftime in unknown units {unit!r}", label)
            us = _micros(s * _DIFFTIME_SECONDS[unit])
            return us.cast(pl.Duration("us")).alias(name), False
        return s, False
    if rtype == ri.RTYPES.STRSXP:
        uniq = ri.baseenv["unique"](vec)
        idx = _ints(ri.baseenv["match"](vec, uniq)) - 1
        values = [None if x is ri.NA_Character else str(x) for x in uniq]
        return pl.Series(name, values, dtype=pl.String).gather(idx).alias(name), False
    raise SynthSpectrumError(f"R column of type {rtype.name} cannot come back to Python", label)


def from_r(rdf, schema: dict | None = None, frame_kind: str = "polars"):
    """An R data.frame (rpy2 object) as a polars frame (or pandas with ``frame_kind="pandas"``).

    With ``schema`` (as returned by :func:`to_r`), every column is cast back to its original
    dtype: Int64 stays Int64, a Categorical stays Categorical, a naive datetime stays naive.
    """
    ri = rinterface()
    if rdf.typeof != ri.RTYPES.VECSXP:
        raise SynthSpectrumError("expected an R data.frame (a list of columns)")
    names = _attr(rdf, "names") or [f"V{i + 1}" for i in range(len(rdf))]
    cols, ordered = [], set()
    for name, vec in zip(names, rdf):
        s, is_ordered = _column_from_r(vec, name)
        cols.append(s.alias(name))
        if is_ordered:
            ordered.add(name)
    df = pl.DataFrame(cols)
    if schema:
        dtypes = schema.get("dtypes", schema)
        exprs = []  # Series, not pl.col(name), which expands names like "*" or "^a$"
        for name, want in dtypes.items():
            if name not in df.columns or df.schema[name] == want:
                continue
            col = df.get_column(name).alias("value")
            if isinstance(want, pl.Datetime) and isinstance(df.schema[name], pl.Datetime):
                col = col.dt.convert_time_zone(want.time_zone) if want.time_zone else col
                exprs.append(col.cast(want).alias(name))
                continue
            if isinstance(want, (pl.Enum, pl.Categorical)) or isinstance(df.schema[name], pl.Enum):
                col = col.cast(pl.String)
            elif want.is_integer() and df.schema[name].is_float():
                col = col.round()  # a model may give 41.9999 for 42; a cast alone would truncate
            exprs.append(col.cast(want).alias(name))
        df = df.with_columns(exprs)
        ordered |= set(schema.get("ordered", []))
    out = from_polars(df, frame_kind)
    if frame_kind == "pandas":
        # polars makes every Enum an ordered pandas categorical: only R's ordered factors (and
        # the columns the schema names) are ordered, the rest keep pandas' default, unordered
        for c in out.columns:
            if isinstance(out[c].dtype, pd.CategoricalDtype) and out[c].cat.ordered != (c in ordered):
                out[c] = out[c].cat.as_ordered() if c in ordered else out[c].cat.as_unordered()
    return out
