"""The privacy-utility spectrum: every generator on the same data, measured the same way.

``run_spectrum(df)`` splits the real data into training records and held-out records (half of
them the baseline of the distance measures, half the pool of the ``real-holdout`` reference),
fits each
generator on the training records, draws ``m`` synthetic sets per generator (one seed each),
and measures every set with :func:`synthspectrum.report.evaluate`. A generator that needs R
or synthpop is skipped with its reason where they are absent; a generator that fails is
reported and the run goes on.

One TOML file documents the whole run (``SpectrumConfig``); ``synthspectrum spectrum``
writes the results table (Parquet and CSV), the plots and one HTML report to a folder.

What the outputs disclose: aggregates only (measures, model summaries, histograms of
synthetic-vs-real comparisons); no real or synthetic record is written.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.frames import require_columns, require_rows, to_polars
from synthspectrum.generators import SPECTRUM_ORDER, make_generator

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

DEFAULT_KEYS = ["age_band", "gender", "deprivation_decile", "hospital"]
DEFAULT_TARGET = "admitted"
UTILITY_MEASURES = {"AUC": "propensity AUC (0.5 is best)", "S_pMSE": "S_pMSE (1 is best)"}
RISK_MEASURES = {"share_closer_to_training": "share of synthetic records closer to training than holdout (0.5 is best)",
                 "replicated_uniques_percent": "replicated uniques, % of training records (0 is best)",
                 "DiSCO": "DiSCO, % of training records whose target is disclosed correctly (lower is better)"}


@dataclass
class SpectrumConfig:
    """Everything a run depends on; ``to_toml`` / ``from_toml`` write and read it."""

    data: str = "ae_deidentified"
    keys: list[str] = field(default_factory=lambda: list(DEFAULT_KEYS))
    target: str | None = DEFAULT_TARGET
    holdout_fraction: float = 2 / 3  # train, distance baseline and reference pool of one size each
    generators: list[str] = field(default_factory=lambda: list(SPECTRUM_ORDER))
    generator_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    m: int = 3
    seed: int = 1
    utility_measure: str = "AUC"
    risk_measure: str = "share_closer_to_training"
    maxorder: int = 1  # propensity model with pairwise interactions, so lost relations show
    formula: str | None = None
    family: str = "gaussian"
    max_records: int = 5_000

    def validate(self) -> "SpectrumConfig":
        if self.m < 1:
            raise SynthSpectrumError(f"m must be at least 1, got {self.m}")
        if not 0 < self.holdout_fraction < 1:
            raise SynthSpectrumError(f"holdout_fraction must be between 0 and 1, got {self.holdout_fraction}")
        if self.utility_measure not in UTILITY_MEASURES:
            raise SynthSpectrumError(f"utility_measure must be one of {list(UTILITY_MEASURES)}")
        if self.risk_measure not in RISK_MEASURES:
            raise SynthSpectrumError(f"risk_measure must be one of {list(RISK_MEASURES)}")
        return self

    def to_toml(self) -> str:
        import tomli_w

        d = {k: v for k, v in asdict(self).items() if v is not None}
        return tomli_w.dumps(d)

    @classmethod
    def from_toml(cls, text_or_path: str | Path) -> "SpectrumConfig":
        text = Path(text_or_path).read_text() if Path(str(text_or_path)).suffix == ".toml" else str(text_or_path)
        try:
            d = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SynthSpectrumError(f"the spectrum config is not valid TOML: {exc}") from None
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise SynthSpectrumError(f"unknown setting(s) in the spectrum config: {', '.join(sorted(unknown))}")
        return cls(**d).validate()


@dataclass
class SpectrumResult:
    """``results``: generator, seed, group, section, measure, column, value (one row per measure);
    ``runs``: generator, seed, status (ok / skipped / failed), message, seconds."""

    results: pl.DataFrame
    runs: pl.DataFrame
    config: SpectrumConfig

    def headline(self) -> pl.DataFrame:
        """Generator x headline measure: mean and standard deviation over the seeds."""
        cfg = self.config
        names = {"AUC": "propensity AUC", "S_pMSE": "S_pMSE", "KSComplement": "KSComplement",
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
        """Per generator: the utility and risk measures' mean and sd over seeds."""
        cfg = self.config
        out = []
        for which, measure in (("utility", cfg.utility_measure), ("risk", cfg.risk_measure)):
            f = self.results.filter((pl.col("measure") == measure) & (pl.col("section").is_in(["general", "privacy"])))
            out.append(f.group_by("generator").agg(pl.col("value").mean().alias(f"{which}_mean"),
                                                   pl.col("value").std().fill_null(0.0).alias(f"{which}_sd")))
        if out[0].height == 0 or out[1].height == 0:
            return pl.DataFrame(schema={"generator": pl.String, "utility_mean": pl.Float64, "utility_sd": pl.Float64,
                                        "risk_mean": pl.Float64, "risk_sd": pl.Float64, "pareto": pl.Boolean})
        pts = out[0].join(out[1], on="generator")
        u, r = pts["utility_mean"].to_numpy(), pts["risk_mean"].to_numpy()
        # lower is better on both axes for the default measures (AUC, S_pMSE, risk shares)
        pareto = [not any((u[j] <= u[i]) and (r[j] <= r[i]) and (u[j] < u[i] or r[j] < r[i])
                          for j in range(len(u))) for i in range(len(u))]
        return pts.with_columns(pl.Series("pareto", pareto))


def split(df: pl.DataFrame, holdout_fraction: float, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Training and holdout records, drawn at random with ``seed``."""
    rng = np.random.default_rng(seed)
    idx = rng.permutation(df.height)
    n_hold = int(round(df.height * holdout_fraction))
    if n_hold < 1 or n_hold >= df.height:
        raise SynthSpectrumError(f"holdout_fraction {holdout_fraction} leaves no training or no holdout record")
    return df[np.sort(idx[n_hold:])], df[np.sort(idx[:n_hold])]


def _progress(total: int, show: bool):
    if show:
        from tqdm import tqdm

        return tqdm(total=total, unit="set")
    return None


def run_spectrum(df: Any, config: SpectrumConfig | None = None, progress: bool | None = None,
                 **overrides: Any) -> SpectrumResult:
    """Run every generator of ``config`` (defaults: the whole spectrum, m = 3) on ``df`` (polars
    or pandas); keyword ``overrides`` replace config fields (``generators=[...]``, ``m=2``...)."""
    cfg = SpectrumConfig(**{**asdict(config or SpectrumConfig()), **overrides}).validate()
    real, _ = to_polars(df)
    require_rows(real)
    require_columns(real, cfg.keys, "data (keys)")
    if cfg.target:
        require_columns(real, [cfg.target], "data (target)")
    for name in cfg.generators:
        make_generator(name)  # unknown names fail before any work
    from synthspectrum.report import evaluate

    train, rest = split(real, cfg.holdout_fraction, cfg.seed)
    # Half the held-out records are the distance baseline, half the real-holdout reference's
    # pool: measured against itself, the reference would look like a perfect copy.
    holdout, reference = split(rest, 0.5, cfg.seed + 1)
    seeds = [cfg.seed * 1000 + i for i in range(cfg.m)]
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(cfg.generators) * cfg.m, show)
    results, runs = [], []

    def log(gen: str, seed: int | None, status: str, message: str, seconds: float) -> None:
        runs.append({"generator": gen, "seed": seed, "status": status, "message": message, "seconds": seconds})
        line = f"{gen:<22} seed {seed if seed is not None else '-':<6} {status:<8} {seconds:7.1f} s {message[:100]}"
        if bar is not None:
            bar.set_description(gen)
            bar.update(1 if seed is not None else cfg.m)
        else:
            print(line, file=sys.stderr, flush=True)

    try:
        for name in cfg.generators:
            gen = make_generator(name, **cfg.generator_options.get(name, {}))
            ok, reason = gen.available()
            if not ok:
                log(name, None, "skipped", reason, 0.0)
                continue
            t0 = time.perf_counter()
            try:
                gen.fit(train, seed=cfg.seed, holdout=reference)
            except Exception as exc:  # reported in the results; the run goes on
                log(name, None, "failed", f"fit: {type(exc).__name__}: {exc}", time.perf_counter() - t0)
                continue
            fit_seconds = time.perf_counter() - t0
            for seed in seeds:
                t1 = time.perf_counter()
                try:
                    syn = gen.sample(train.height, seed=seed)
                    gen_seconds = time.perf_counter() - t1 + fit_seconds / cfg.m
                    t2 = time.perf_counter()
                    ev = evaluate(train, syn, keys=cfg.keys or None, target=cfg.target, holdout=holdout,
                                  formula=cfg.formula, family=cfg.family, seed=seed, maxorder=cfg.maxorder,
                                  max_records=cfg.max_records, plots=False)
                    results.append(ev.measures.with_columns(pl.lit(name).alias("generator"),
                                                            pl.lit(seed).alias("seed")))
                    log(name, seed, "ok", f"generate {gen_seconds:.1f} s, measure {time.perf_counter() - t2:.1f} s",
                        time.perf_counter() - t1)
                except Exception as exc:  # reported in the results; the run goes on
                    log(name, seed, "failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - t1)
    finally:
        if bar is not None:
            bar.close()
    res = (pl.concat(results).select("generator", "seed", "group", "section", "measure", "column", "value")
           if results else pl.DataFrame(schema={"generator": pl.String, "seed": pl.Int64, "group": pl.String,
                                                 "section": pl.String, "measure": pl.String, "column": pl.String,
                                                 "value": pl.Float64}))
    runs_df = pl.DataFrame(runs, schema={"generator": pl.String, "seed": pl.Int64, "status": pl.String,
                                         "message": pl.String, "seconds": pl.Float64})
    return SpectrumResult(res.with_columns(pl.col("seed").cast(pl.Int64)), runs_df, cfg)


def plot_frontier(result: SpectrumResult, path: str | None = None):
    """Utility (x) against privacy risk (y), a point per generator with error bars over seeds,
    the real-holdout reference marked and the Pareto frontier drawn (lower is better on both)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = result.frontier_points()
    cfg = result.config
    fig, ax = plt.subplots(figsize=(8, 5.5))
    u_span = max(float(pts["utility_mean"].max() - pts["utility_mean"].min()), 1e-9) if pts.height else 1.0
    r_span = max(float(pts["risk_mean"].max() - pts["risk_mean"].min()), 1e-9) if pts.height else 1.0
    placed: list[tuple[float, float]] = []
    for row in pts.sort("risk_mean", descending=True).iter_rows(named=True):
        ref = row["generator"] == "real-holdout"
        ax.errorbar(row["utility_mean"], row["risk_mean"], xerr=row["utility_sd"], yerr=row["risk_sd"],
                    fmt="*" if ref else "o", markersize=14 if ref else 7, capsize=3,
                    color="#2a9d8f" if ref else ("#E4572E" if row["pareto"] else "#1A3C5A"))
        # nearby points get their labels stacked downwards instead of on top of each other
        x, y = row["utility_mean"] / u_span, row["risk_mean"] / r_span
        crowd = sum(1 for px, py in placed if abs(px - x) < 0.15 and abs(py - y) < 0.12)
        placed.append((x, y))
        ax.annotate(row["generator"] + (" (reference)" if ref else ""), (row["utility_mean"], row["risk_mean"]),
                    textcoords="offset points", xytext=(8, 6 - 13 * crowd), fontsize=9,
                    arrowprops={"arrowstyle": "-", "color": "#999", "lw": 0.5} if crowd else None)
    front = pts.filter(pl.col("pareto")).sort("utility_mean")
    if front.height > 1:
        ax.plot(front["utility_mean"], front["risk_mean"], "--", color="#E4572E", label="Pareto frontier")
        ax.legend()
    ax.set_xlabel(f"utility loss: {UTILITY_MEASURES[cfg.utility_measure]}")
    ax.set_ylabel(f"privacy risk: {RISK_MEASURES[cfg.risk_measure]}", fontsize=9)
    ax.set_title("The privacy-utility spectrum (lower-left is better on both)")
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=110)
    return fig


def explain(result: SpectrumResult) -> list[str]:
    """What moving along the spectrum bought and cost on this data, in plain words."""
    pts = result.frontier_points()
    cfg = result.config
    got = {r["generator"]: r for r in pts.iter_rows(named=True)}
    order = [g for g in cfg.generators if g in got and g != "real-holdout"]
    lines = []
    for a, b in zip(order, order[1:]):
        ua, ub, ra, rb = got[a]["utility_mean"], got[b]["utility_mean"], got[a]["risk_mean"], got[b]["risk_mean"]
        lines.append(
            f"From {a} to {b}: utility {('improved' if ub < ua else 'worsened')} "
            f"({cfg.utility_measure} {ua:.3f} -> {ub:.3f}); risk {('rose' if rb > ra else 'fell')} "
            f"({cfg.risk_measure} {ra:.3f} -> {rb:.3f}).")
    if "real-holdout" in got:
        h = got["real-holdout"]
        lines.append(f"Real holdout records, the 'no synthesis' reference: {cfg.utility_measure} "
                     f"{h['utility_mean']:.3f}, {cfg.risk_measure} {h['risk_mean']:.3f}.")
        better = [g for g in order if got[g]["utility_mean"] < h["utility_mean"]]
        if better:
            lines.append(
                "Even real records differ from the training records by sampling noise (S_pMSE near 2 for two "
                f"independent real samples). {', '.join(better)} came closer to the training data than that: "
                "they follow the training records, their sampling noise included; how close they come to "
                "the records themselves is what the risk axis measures.")
    skipped = result.runs.filter(pl.col("status") == "skipped")
    for r in skipped.iter_rows(named=True):
        lines.append(f"{r['generator']} was skipped: {r['message']}")
    failed = result.runs.filter(pl.col("status") == "failed")
    for r in failed.iter_rows(named=True):
        lines.append(f"{r['generator']} failed (seed {r['seed']}): {r['message']}")
    return lines


def render_html(result: SpectrumResult, frontier_png: str) -> str:
    import html

    from synthspectrum.report import _table

    cfg = result.config
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>synthspectrum: the spectrum</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}"
        "th{background:#eef}img{max-width:100%}</style></head><body>",
        "<h1>The privacy-utility spectrum</h1>",
        f"<p>Data: {html.escape(cfg.data)}; {cfg.m} synthetic set(s) per generator; seed {cfg.seed}; "
        f"keys {html.escape(', '.join(cfg.keys))}; target {html.escape(str(cfg.target))}. "
        "Aggregates only: this report holds no record.</p>",
        "<h2 id='frontier'>Frontier</h2>",
        f"<img alt='privacy-utility frontier' src='data:image/png;base64,{frontier_png}'>",
        "<h2 id='explanation'>What each step bought and cost</h2><ul>",
        *[f"<li>{html.escape(line)}</li>" for line in explain(result)],
        "</ul><h2 id='headline'>Every generator, headline measures (mean over seeds)</h2>",
        _table(result.headline()),
        "<h2 id='runs'>Runs</h2>", _table(result.runs),
        "</body></html>",
    ]
    return "\n".join(parts)


OUTPUT_FILES = ["results.parquet", "results.csv", "runs.csv", "spectrum.toml", "frontier.png", "report.html"]


def output_folder(outdir: str | Path, force: bool = False, inputs: Sequence[str | Path | None] = ()):
    """The :class:`~synthspectrum.outputs.OutputFolder` the spectrum writes: check it (``.check()``)
    before running, so that a folder it must not touch is refused before any generator runs."""
    from synthspectrum.outputs import OutputFolder

    return OutputFolder(outdir, OUTPUT_FILES, inputs=inputs, force=force, what="spectrum output folder")


def write_outputs(result: SpectrumResult, outdir: str | Path, force: bool = False,
                  inputs: Sequence[str | Path | None] = ()) -> Path:
    """Write results (Parquet, CSV), runs, config, frontier plot and report to ``outdir``.

    Only the files in ``OUTPUT_FILES`` (and a manifest naming them) are written; nothing else in
    ``outdir`` is deleted, moved or overwritten. A non-empty folder that is not a previous spectrum
    output is refused unless ``force``; a file of one of our names that we did not write is always
    refused. Each file is staged and renamed into place, so an interrupted run changes nothing.
    """
    import base64

    with output_folder(outdir, force=force, inputs=inputs).writing() as tmp:
        result.results.write_parquet(tmp / "results.parquet")
        result.results.write_csv(tmp / "results.csv")
        result.runs.write_csv(tmp / "runs.csv")
        (tmp / "spectrum.toml").write_text(result.config.to_toml())
        plot_frontier(result, str(tmp / "frontier.png"))
        png = base64.b64encode((tmp / "frontier.png").read_bytes()).decode("ascii")
        (tmp / "report.html").write_text(render_html(result, png), encoding="utf-8")
    return Path(outdir)


def spectrum_from_config(config: SpectrumConfig, data: str | None = None, progress: bool | None = None) -> SpectrumResult:
    cfg = SpectrumConfig(**{**asdict(config), **({"data": data} if data else {})}).validate()
    from synthspectrum.io import read_data

    return run_spectrum(read_data(cfg.data), cfg, progress=progress)


__all__: Sequence[str] = ["SpectrumConfig", "SpectrumResult", "run_spectrum", "plot_frontier", "write_outputs",
                          "output_folder", "OUTPUT_FILES",
                          "spectrum_from_config", "split"]
