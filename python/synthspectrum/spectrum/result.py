"""A finished spectrum run (``SpectrumResult``): its results and runs tables, and the two
views every output reads, the headline table and the frontier points.

Distances on the frontier are each measure's distance from its best value as the measure
registry (:mod:`synthspectrum.measures.registry`) declares it: an AUC of 0.45 is 0.05 from
its best value 0.5, as far as 0.55, and never dominates 0.5 in the Pareto set.

What it holds: aggregates only (measures over synthetic sets, run statuses); no record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from synthspectrum.measures import registry as measure_registry
from synthspectrum.spectrum.config import SpectrumConfig


@dataclass
class SpectrumResult:
    """``results``: generator, seed, group, section, measure, column, value (one row per measure);
    ``runs``: generator, seed, status (ok / skipped / failed), message, seconds; a row with
    generator ``"measures"`` names the measures skipped for want of keys or a target.
    ``notes``: what the run changed or warns about (a lowered interaction order, a reference
    far from the best value). ``error_details``: the full text of exceptions raised by other
    libraries, kept in memory only (never written to runs or reports: such text can quote a
    data value)."""

    results: pl.DataFrame
    runs: pl.DataFrame
    config: SpectrumConfig
    notes: list[str] = field(default_factory=list)
    error_details: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def n_runs(self) -> int:
        """Synthetic sets the run set out to make: generators x m."""
        return len(self.config.generators) * self.config.m

    @property
    def n_failed(self) -> int:
        """Synthetic sets that failed: a failed fit counts for each of its generator's m sets."""
        failed = self.runs.filter((pl.col("status") == "failed") & (pl.col("generator") != "measures"))
        return sum(1 if seed is not None else self.config.m for seed in failed["seed"].to_list())

    def headline(self) -> pl.DataFrame:
        """Generator x headline measure: mean and standard deviation over the seeds."""
        cfg = self.config
        names = {"AUC_cv": "propensity AUC (out of sample)", "AUC": "propensity AUC", "S_pMSE": "S_pMSE",
                 "KSComplement": "KSComplement",
                 "TVComplement": "TVComplement", "exact_match_share": "exact matches",
                 "replicated_uniques_percent": "repU %", "DiSCO": "DiSCO %",
                 "share_closer_to_training": "closer to training", "membership_auc": "membership AUC"}
        r = self.results.filter(pl.col("measure").is_in(list(names)) & (pl.col("section") != "table"))
        per_seed = r.group_by("generator", "seed", "measure").agg(pl.col("value").mean())
        agg = per_seed.group_by("generator", "measure").agg(
            pl.col("value").mean().alias("mean"), pl.col("value").std().alias("sd"))
        wide = agg.with_columns(pl.col("measure").replace(names)).pivot(
            on="measure", index="generator", values="mean")
        order = [g for g in cfg.generators if g in wide["generator"].to_list()]
        wide = wide.with_columns(pl.col("generator").replace_strict({g: i for i, g in enumerate(order)},
                                                                   return_dtype=pl.Int32).alias("_o")).sort("_o").drop("_o")
        return wide.select(["generator", *[v for v in names.values() if v in wide.columns]])

    def frontier_points(self) -> pl.DataFrame:
        """Per generator: the utility and risk measures' mean, sd and number of seeds (``*_n``),
        the mean over seeds of each seed's distance from the measure's best value (``*_distance``,
        from the measure registry) and its sd (``*_distance_sd``),
        and ``pareto``: no other generator is at least as close to best on both axes and closer
        on one. The sd is null with one seed."""
        cfg = self.config
        out = []
        for which, measure in (("utility", cfg.utility_measure), ("risk", cfg.risk_measure)):
            f = self.results.filter((pl.col("measure") == measure) & (pl.col("section").is_in(["general", "privacy"])))
            f = f.group_by("generator", "seed").agg(pl.col("value").mean())
            # the distance of each seed's value, then its mean: AUCs of 0.40 and 0.60 are 0.1 from
            # best on average, not 0 (the distance of their mean)
            f = f.with_columns(pl.Series("d", measure_registry.get(measure).distance(f["value"].to_numpy()),
                                         dtype=pl.Float64))
            out.append(f.group_by("generator").agg(pl.col("value").mean().alias(f"{which}_mean"),
                                                   pl.col("value").std().alias(f"{which}_sd"),
                                                   pl.len().cast(pl.Int64).alias(f"{which}_n"),
                                                   pl.col("d").mean().alias(f"{which}_distance"),
                                                   pl.col("d").std().alias(f"{which}_distance_sd")))
        schema = {"generator": pl.String}
        for which in ("utility", "risk"):
            schema |= {f"{which}_mean": pl.Float64, f"{which}_sd": pl.Float64, f"{which}_n": pl.Int64,
                       f"{which}_distance": pl.Float64, f"{which}_distance_sd": pl.Float64}
        schema["pareto"] = pl.Boolean
        if out[0].height == 0 or out[1].height == 0:
            return pl.DataFrame(schema=schema)
        pts = out[0].join(out[1], on="generator")
        u, r = pts["utility_distance"].to_numpy(), pts["risk_distance"].to_numpy()
        known = ~(np.isnan(u) | np.isnan(r))  # a point without both measures is on no frontier
        pareto = [bool(known[i]) and not any(known[j] and (u[j] <= u[i]) and (r[j] <= r[i])
                                             and (u[j] < u[i] or r[j] < r[i]) for j in range(len(u)))
                  for i in range(len(u))]
        pts = pts.with_columns(pl.Series("pareto", pareto))
        order = {g: i for i, g in enumerate(cfg.generators)}
        pts = pts.with_columns(pl.col("generator").replace_strict(order, default=len(order), return_dtype=pl.Int32)
                               .alias("_o")).sort("_o", "generator").drop("_o")
        return pts.select(list(schema))
