"""The main job on the bundled data: de-identify, fit, audit, synthesize, compare.

Files written to the output folder, and what each discloses:

* ``model.json`` — the metasyn model (GMF): per-column distributions fitted on the
  de-identified data; see ``audit.txt`` for the real values it holds;
* ``audit.txt`` — the audit of ``model.json``; it quotes the values the model holds, so it is
  as sensitive as the model;
* ``synthetic.csv`` — synthetic rows drawn from the model only (no real record is copied,
  though a synthetic row can coincide with a real one by chance);
* ``comparison.csv`` — per-column aggregates (KS / TVD distances, missing-share differences, coverage).

The de-identified real data itself is not written. Only these four files (and a manifest
naming them) are written into the folder, atomically; a non-empty folder that is not a previous
demo output is refused unless ``force``, and nothing else in it is touched.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from synthspectrum import datasets
from synthspectrum.metadata import audit, format_audit
from synthspectrum.measures.utility import univariate
from synthspectrum.datasets.ae_tutorial import AE_QUASI_IDENTIFIERS, deidentify_ae
from synthspectrum.deidentify import k_anonymity
from synthspectrum.metadata import fit_metadata


def _severity_counts(findings: pl.DataFrame) -> str:
    counts = dict(findings["severity"].value_counts().iter_rows())
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in ("high", "medium", "quality", "low"))


DEMO_FILES = ["model.json", "audit.txt", "synthetic.csv", "comparison.csv"]


def run_demo(outdir: Path, n: int | None = None, seed: int = 1, privacy: str = "none",
             force: bool = False) -> dict[str, Path]:
    from synthspectrum.io.outputs import OutputFolder

    folder = OutputFolder(outdir, DEMO_FILES, force=force, what="demo output folder")
    with folder.writing() as stage:
        paths = _demo(stage, n, seed, privacy, shown=Path(outdir))
    return {k: Path(outdir) / v.name for k, v in paths.items()}


def _demo(outdir: Path, n: int | None, seed: int, privacy: str, shown: Path) -> dict[str, Path]:
    raw = datasets.load("ae")
    print(f"1. Real A&E data: {raw.height} rows, columns {', '.join(raw.columns)}")
    print("   " + str(k_anonymity(raw, ["age", "gender", "home_postcode", "arrival_time"])))

    deid = deidentify_ae(raw, datasets.load("area_deprivation"))
    print(f"2. De-identified: columns {', '.join(deid.columns)}")
    print("   " + str(k_anonymity(deid, AE_QUASI_IDENTIFIERS)))

    model = fit_metadata(deid, privacy=privacy)
    model_path = model.save(outdir / "model.json")
    print(f"3. Fitted metasyn (privacy={privacy}): {len(model.columns)} independent column models -> "
          f"{shown / 'model.json'}")

    findings = audit(model, real=deid)
    (outdir / "audit.txt").write_text(format_audit(findings) + "\n", encoding="utf-8")
    other = "disclosure" if privacy == "none" else "none"
    other_findings = audit(fit_metadata(deid, privacy=other), real=deid)
    print(f"4. Audit of the model file ({_severity_counts(findings)}) -> {shown / 'audit.txt'}")
    print("   " + format_audit(findings.filter(pl.col("severity") == "high")).replace("\n", "\n   "))
    print(f"   the same model with privacy={other}: {_severity_counts(other_findings)}")

    syn = model.synthesize(n, seed=seed)
    syn.write_csv(outdir / "synthetic.csv")
    print(f"5. Synthesized {syn.height} rows (seed {seed}) -> {shown / 'synthetic.csv'}")

    cmp = univariate(deid, syn).pivot(on="measure", index="column", values="value")
    cmp = cmp.select("column", pl.coalesce("KS", "TVD").alias("distance"),
                     pl.col("missing_share_difference"), pl.col("coverage"))
    cmp.write_csv(outdir / "comparison.csv")
    print("6. Real vs synthetic, column by column (distance: KS or TVD, 0 = same distribution, 1 = no overlap):")
    with pl.Config(tbl_rows=50, tbl_hide_dataframe_shape=True, float_precision=3, tbl_width_chars=120):
        print(cmp)
    print("   Each column keeps its own distribution; relations between columns are not modelled,\n"
          "   which is what the next steps on the spectrum (synthpop) add.")
    return {"model": model_path, "audit": outdir / "audit.txt", "synthetic": outdir / "synthetic.csv",
            "comparison": outdir / "comparison.csv"}
