"""Disclosure by matching: exact copies, replicated uniques, identity and attribute disclosure.

Exact matches: synthetic records identical to a real (training) record; copied values: synthetic
values of an identifier-like column (record numbers, names, free text) that are a real one's. Replicated uniques
(synthpop's ``replicated.uniques``, repU): key combinations unique in the real data and also
unique in the synthetic data. Identity and attribute disclosure on keys -> target (synthpop's
``disclosure``; Raab, Nowok & Dibben 2025), as % of real records: UiO (unique on the keys),
repU (unique and replicated), Dorig (target disclosed by the real data itself: every real
record with that key has the same target, the baseline), DiSCO (the key is in the synthetic
data, every synthetic record with it has one target, and it is this record's target:
disclosed correctly), DiSDiO (DiSCO and also disclosive in the real data). Returns counts and
percentages, never a key or target value.
"""

from __future__ import annotations

from typing import Any, Sequence

import polars as pl

from synthspectrum.core.columns import MISSING
from synthspectrum.core.frames import require_columns
from synthspectrum.core.pair import check_pair
from synthspectrum.core.tidy import measure_frame
from synthspectrum.errors import SynthSpectrumError


def _rows(measures: dict[str, float], column: str | None = None) -> pl.DataFrame:
    return measure_frame({"measure": m, "column": column, "value": float(v)} for m, v in measures.items())


def exact_matches(real: Any, synthetic: Any) -> pl.DataFrame:
    """Number and share of synthetic records identical to a real record (missing = missing):
    ``exact_matches`` = #{j : synthetic record j equals some real record}, ``exact_match_share`` = that / n_syn."""
    r, s = check_pair(real, synthetic)
    # joined under neutral names: polars reads a name like "^a.*$" as a pattern
    neutral = [f"c{i}" for i in range(r.width)]
    r_types, s_types = r.schema, s.schema  # once: polars builds .schema afresh at every call
    rs = pl.DataFrame([(r.get_column(c).cast(s_types[c]) if r_types[c] != s_types[c] else r.get_column(c)).alias(n)
                       for c, n in zip(r.columns, neutral)]).unique()
    sn = pl.DataFrame([s.get_column(c).alias(n) for c, n in zip(r.columns, neutral)])
    hits = sn.join(rs, on=neutral, how="semi", nulls_equal=True).height
    return _rows({"exact_matches": hits, "exact_match_share": hits / s.height})


def copied_values(real: Any, synthetic: Any, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Per identifier-like column, how many synthetic values are a real record's value:

        copied_values_c      = #{j : s_jc is not missing and s_jc = r_ic for some real record i}
        copied_value_share_c = copied_values_c / #{j : s_jc is not missing}

    Why: :func:`exact_matches` compares whole records, and the other measures leave
    identifier-like columns out (they carry no utility), so a generator that copies real record
    numbers, names or free text into otherwise new records passed unseen. A shared value of such a
    column (nearly every real value unique) most likely points at one person. The columns are
    ``columns``, else the real data's identifier-like text
    (:func:`synthspectrum.core.columns.identifier_columns`; its record numbers, integers packed in
    1..n, are left out: a synthetic set numbered 1..n shares every number with the real one by
    construction, and a number of the file's own names nobody); none: an empty frame. Counts
    only, never a value.
    """
    from synthspectrum.core.columns import identifier_columns

    r, s = check_pair(real, synthetic)
    cols = ([c for c in identifier_columns(r) if not r.schema[c].is_integer()] if columns is None
            else require_columns(r, columns, "real data"))
    rows = []
    for c in cols:
        a, b = r.get_column(c).alias("v").drop_nulls(), s.get_column(c).alias("v").drop_nulls()
        if a.dtype == pl.String or not a.dtype.is_numeric():
            a, b = a.cast(pl.String), b.cast(pl.String)  # categoricals of two origins compare as labels
        hits = int(b.is_in(a.unique().implode()).sum()) if b.len() else 0
        rows += [{"measure": "copied_values", "column": c, "value": float(hits)},
                 {"measure": "copied_value_share", "column": c, "value": hits / b.len() if b.len() else float("nan")}]
    return measure_frame(rows)


def _key_strings(df: pl.DataFrame, keys: Sequence[str]) -> pl.Series:
    """One text key per record: the key values joined by " | ", a missing value as the stand-in ``MISSING`` (never a real label)."""
    parts = [df.get_column(k).alias(f"k{i}").cast(pl.String).fill_null(MISSING) for i, k in enumerate(keys)]
    return pl.DataFrame(parts).select(pl.concat_str(pl.all(), separator=" | ")).to_series().alias("key")


def replicated_uniques(real: Any, synthetic: Any, keys: Sequence[str]) -> pl.DataFrame:
    """Replicated uniques on ``keys``, the twin of synthpop's ``replicated.uniques``: one row per
    measure, ``column`` the keys joined by " x ", ``value``.

    Measures: ``uniques_real`` (key combinations held by one real record), ``uniques_synthetic``
    (held by one synthetic record), ``synthetic_uniques_in_real`` (of those, the ones present in
    the real data), ``replicated_uniques`` (unique in both), all counts; and
    ``replicated_uniques_percent`` = round(100 * replicated_uniques / n_real, 2), synthpop's
    percentage with the denominator of synthpop >= 1.9-3 (1.9-0 to 1.9-2 divide by the number
    of synthetic records). Counts of key combinations only, no key value."""
    if not keys:
        raise SynthSpectrumError("name at least one key variable")
    r, s = check_pair(real, synthetic)
    require_columns(r, keys, "real data")
    kd, ks = _key_strings(r, keys), _key_strings(s, keys)
    cd = kd.value_counts(name="n")
    cs = ks.value_counts(name="n")
    uniq_d = set(cd.filter(pl.col("n") == 1)["key"].to_list())
    uniq_s = set(cs.filter(pl.col("n") == 1)["key"].to_list())
    in_orig = uniq_s & set(kd.to_list())
    replicated = uniq_s & uniq_d
    column = " x ".join(keys)
    counts = {"uniques_real": len(uniq_d), "uniques_synthetic": len(uniq_s),
              "synthetic_uniques_in_real": len(in_orig), "replicated_uniques": len(replicated),
              "replicated_uniques_percent": round(100 * len(replicated) / r.height, 2)}
    return measure_frame({"measure": m, "column": column, "value": float(v)} for m, v in counts.items())


def disclosure(real: Any, synthetic: Any, keys: Sequence[str], target: str) -> pl.DataFrame:
    """Identity and attribute disclosure on ``keys`` -> ``target`` (see the module docstring),
    the twin of synthpop's ``disclosure()`` with its default settings: one row per measure
    (``measure`` UiO, UiS, UiOiS, repU, Dorig, Dsyn, iS, DiS, DiSCO, DiSDiO, all percent;
    ``column`` the target; ``value``)."""
    r, s = check_pair(real, synthetic)
    require_columns(r, [*keys, target], "real data")
    if target in keys:
        raise SynthSpectrumError(f"the target {target!r} is also a key")
    d = pl.DataFrame([_key_strings(r, keys), r.get_column(target).alias("t").cast(pl.String).fill_null(MISSING)])
    y = pl.DataFrame([_key_strings(s, keys), s.get_column(target).alias("t").cast(pl.String).fill_null(MISSING)])
    nd, ns = d.height, y.height
    cell_d = d.group_by("key", "t").len("n")
    key_d = d.group_by("key").agg(pl.len().alias("n"), pl.col("t").n_unique().alias("targets"))
    key_s = y.group_by("key").agg(pl.len().alias("n"), pl.col("t").n_unique().alias("targets"),
                                  pl.col("t").first().alias("t_syn"))
    uio = key_d.filter(pl.col("n") == 1).height
    uis = key_s.filter(pl.col("n") == 1).height
    uiois = key_d.filter(pl.col("n") == 1).join(key_s, on="key", how="semi").height
    repu = key_d.filter(pl.col("n") == 1).join(key_s.filter(pl.col("n") == 1), on="key", how="semi").height
    dorig = key_d.filter(pl.col("targets") == 1)["n"].sum()
    dsyn = key_s.filter(pl.col("targets") == 1)["n"].sum()
    cells = cell_d.join(key_d.select("key", pl.col("targets").alias("targets_d")), on="key") \
        .join(key_s.select("key", pl.col("targets").alias("targets_s"), "t_syn"), on="key", how="left")
    in_s = cells.filter(pl.col("targets_s").is_not_null())
    i_s = in_s["n"].sum()
    dis = in_s.filter(pl.col("targets_s") == 1)["n"].sum()
    disco_cells = in_s.filter((pl.col("targets_s") == 1) & (pl.col("t_syn") == pl.col("t")))
    disco = disco_cells["n"].sum()
    disdio = disco_cells.filter(pl.col("targets_d") == 1)["n"].sum()
    return _rows({
        "UiO": 100 * uio / nd, "UiS": 100 * uis / ns, "UiOiS": 100 * uiois / nd, "repU": 100 * repu / nd,
        "Dorig": 100 * dorig / nd, "Dsyn": 100 * dsyn / ns, "iS": 100 * i_s / nd, "DiS": 100 * dis / nd,
        "DiSCO": 100 * disco / nd, "DiSDiO": 100 * disdio / nd,
    }, column=target)
