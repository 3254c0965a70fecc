"""The spectrum's output folder: results (Parquet, CSV), runs, the config that reproduces the
run, the frontier plot and the report (drawn by :mod:`synthspectrum.render.spectrum`), written
only under our own names and atomically.

What the files disclose: aggregates only (measures, run statuses and timings, the config, the
frontier of means); no real or synthetic record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from synthspectrum.render.spectrum import plot_frontier, render_html
from synthspectrum.spectrum.result import SpectrumResult

OUTPUT_FILES = ["results.parquet", "results.csv", "runs.csv", "spectrum.toml", "frontier.png", "report.html"]


def output_folder(outdir: str | Path, force: bool = False, inputs: Sequence[str | Path | None] = ()):
    """The :class:`~synthspectrum.io.outputs.OutputFolder` the spectrum writes: check it (``.check()``)
    before running, so that a folder it must not touch is refused before any generator runs."""
    from synthspectrum.io.outputs import OutputFolder

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
        plot_frontier(result).savefig(tmp / "frontier.png", dpi=110)  # staged: renamed into place below
        png = base64.b64encode((tmp / "frontier.png").read_bytes()).decode("ascii")
        (tmp / "report.html").write_text(render_html(result, png), encoding="utf-8")
    return Path(outdir)
