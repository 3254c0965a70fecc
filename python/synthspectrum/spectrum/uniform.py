"""The ``random`` generator: type-consistent values from the schema and a few aggregates.

Uniform over each number's and date's real [min, max]; uniform over a text or category
column's labels held by at least ``k`` real records (default 5; the small-category rule of
:func:`synthspectrum.core.categories.category_rule`); invented placeholders ("random_000001",
... one per row, never a real value) for a text column that rule calls identifier-like (IDs,
names, free text); an Enum keeps its levels but draws only those held by >= ``k`` records, or
missing values if none is; booleans uniform over False/True; no other missing values.

What it discloses: every column's name and type (an Enum's whole level list, which is part of
its type), the real minimum and maximum of numbers and dates, and the category labels held by
at least ``k`` real records; no other record value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from synthspectrum.core.columns import levels
from synthspectrum.errors import SynthSpectrumError
from synthspectrum.spectrum.base import Generator


class RandomGenerator(Generator):
    """Uniform values within each column's real range, or over its categories held by at least
    ``k`` real records (see the module docstring for what that discloses).

    Which categories may be drawn is the package's one small-category rule,
    :func:`synthspectrum.core.categories.category_rule` (the rule for what plots and reports may show),
    applied to the non-missing real values with no cap on how many are shown:

    * a String or Categorical column draws uniformly from its labels held by >= ``k`` real
      records (in sorted order, so a column with no label held by fewer gives the values it
      always did);
    * a String or Categorical column that the rule calls identifier-like (fewer than half of its
      real records in labels of >= ``k`` records: IDs, names, free text) gets invented
      placeholders instead, ``random_000001``, ``random_000002``, ... numbered by row, so it stays
      identifier-like and keeps its dtype; the prefix is lengthened ("random__", ...) if a real
      value starts with it, so no placeholder can equal a real value;
    * an Enum keeps its dtype (its level list is part of the schema, disclosed anyway) and draws
      only the levels held by >= ``k`` real records; an Enum with no such level gives missing
      values, not its most common level, which may be a single record's;
    * numbers and dates: uniform over the real [min, max]; booleans: uniform over False/True.

    :func:`synthspectrum.core.columns.identifier_columns` is not used: it is the measures' rule for
    what a model can afford (more than 60 levels, almost all distinct) and would pass a notes
    column of 40 distinct texts straight through.
    """

    name = "random"
    keeps_missing = False  # frequency-free by design: a share of missing values is a frequency

    def __init__(self, k: int = 5, seed: int | None = None, **options: Any):
        from synthspectrum.core.categories import check_k

        if options:
            raise SynthSpectrumError(f"the random generator has one option, k; got {', '.join(map(repr, options))}")
        super().__init__(seed)
        self.k = check_k(k, "the random generator's k")

    def fit(self, real: pl.DataFrame, holdout: pl.DataFrame | None = None) -> "RandomGenerator":
        from synthspectrum.core.categories import category_rule

        schema = real.schema
        # a text column: (kind, options or placeholder prefix, how many labels the draw over
        # every real label had before the small-category rule, which sample keeps drawing)
        spec: dict[str, Any] = {}
        for c, dtype in schema.items():
            s = real.get_column(c).alias("v").drop_nulls()  # a name such as "^a.*$" is no pattern
            if isinstance(dtype, (pl.Enum, pl.Categorical)) or dtype == pl.String:
                every = levels(s)
                rule = category_rule(s, self.k, max(1, len(every)))
                shown = set(rule.shown)
                if rule.identifier_like and not isinstance(dtype, pl.Enum):
                    prefix = "random_"
                    text = s.cast(pl.String)
                    while text.str.starts_with(prefix).any():
                        prefix += "_"
                    spec[c] = ("placeholder", prefix, len(every))
                else:
                    spec[c] = ("choice", [v for v in every if v in shown], len(every))
            elif dtype == pl.Boolean:
                spec[c] = ("choice", [False, True], 2)
            elif dtype.is_numeric() or dtype.is_temporal():
                phys = s.to_physical()
                spec[c] = ("range", phys.min(), phys.max())
            else:
                raise SynthSpectrumError(f"the random generator cannot make {dtype} values", c)
        self.schema_, self.spec_ = schema, spec
        return self

    def sample(self, n: int) -> pl.DataFrame:
        spec = self.check_fitted("spec_")
        rng = np.random.default_rng(self.draw_seed())
        cols: dict[str, pl.Series] = {}
        for c, dtype in self.schema_.items():
            kind, *args = spec[c]
            if kind == "placeholder" or (kind == "choice" and not args[0]):
                if args[1]:  # drawn and dropped, so the columns after it keep their values for this seed
                    rng.integers(0, args[1], n)
                if kind == "placeholder":
                    width = max(6, len(str(n)))
                    cols[c] = pl.Series("v", [f"{args[0]}{i:0{width}d}" for i in range(1, n + 1)]).cast(dtype)
                else:
                    cols[c] = pl.Series("v", [None] * n, dtype=dtype)
            elif kind == "choice":
                options = args[0]
                values = [options[i] for i in rng.integers(0, len(options), n)]
                cols[c] = pl.Series("v", values).cast(dtype)
            elif args[0] is None:
                cols[c] = pl.Series("v", [None] * n, dtype=dtype)
            else:
                lo, hi = args
                if dtype.is_float():
                    raw = pl.Series("v", rng.uniform(lo, hi, n))
                else:
                    raw = pl.Series("v", rng.integers(int(lo), int(hi) + 1, n))
                physical = pl.Series([], dtype=dtype).to_physical().dtype
                cols[c] = raw.cast(physical).cast(dtype)
        return pl.DataFrame(cols)  # renamed from the neutral alias here
