"""The ``synthspectrum`` command line.

Exit codes: 0 success, 1 the work failed (bad data, unreadable file...), 2 bad usage.
Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Sequence

import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io import read_data


def cmd_datasets(args) -> int:
    from synthspectrum import datasets
    from synthspectrum.io import write_table

    if args.action == "list":
        for name in datasets.list():
            desc = datasets.OWN_DATASETS.get(name, "metasyn demo dataset")
            print(f"{name:<22} {desc}")
        return 0
    if not args.name or not args.output:
        raise SynthSpectrumError("usage: synthspectrum datasets export NAME -o FILE.csv|FILE.parquet")
    df = datasets.load(args.name)
    write_table(df, args.output)
    print(f"wrote {df.height} rows x {df.width} columns to {args.output}")
    return 0


def cmd_deidentify(args) -> int:
    from synthspectrum import datasets, deidentify as de
    from synthspectrum.io import write_table

    df = read_data(args.data)
    steps = any([args.drop, args.band, args.coarsen, args.pseudonymise, args.suppress, args.top_code])
    if not steps:
        if "nhs_number" not in df.columns:
            raise SynthSpectrumError("name at least one step (--drop, --band, ...); "
                                     "with no step, only the A&E data gets the tutorial pipeline")
        out = de.deidentify_ae(df, datasets.load("area_deprivation"), seed=args.seed, k=args.k)
    else:
        out = df
        if args.drop:
            out = de.drop_identifiers(out, args.drop)
        for col in args.band or []:
            out = de.band_numeric(out, col)
        for col in args.coarsen or []:
            out = de.coarsen_datetime(out, col)
        for col in args.suppress or []:
            out = de.suppress_rare(out, col, k=args.k)
        for col in args.pseudonymise or []:
            out = de.pseudonymise(out, col, seed=args.seed)
        for item in args.top_code or []:
            col, _, value = item.partition("=")
            try:
                upper = float(value)
            except ValueError:
                raise SynthSpectrumError(f"--top-code takes COLUMN=VALUE, got {item!r}") from None
            out = de.top_bottom_code(out, col, upper=upper)
    quasi = args.quasi or [c for c in de.AE_QUASI_IDENTIFIERS if c in out.columns]
    if quasi:
        print(de.k_anonymity(out, quasi))
    write_table(out, args.output)
    print(f"wrote {out.height} de-identified rows x {out.width} columns to {args.output}")
    return 0


def cmd_fit(args) -> int:
    from synthspectrum.metadata import fit_metadata

    df = read_data(args.data)
    model = fit_metadata(df, privacy=args.privacy, unique=args.unique, categorical=args.categorical,
                         column_time_limit=args.column_time_limit)
    model.save(args.output)
    for note in model.notes:
        print(f"note: {note}")
    print(f"fitted {len(model.columns)} columns on {model.n_rows} rows (privacy: {args.privacy}); "
          f"model written to {args.output}; run 'synthspectrum audit {args.output}' before sharing it")
    return 0


def cmd_synthesize(args) -> int:
    from synthspectrum.io import write_table
    from synthspectrum.metadata import load

    model = load(args.model)
    df = model.synthesize(args.n, seed=args.seed, as_pandas=False)
    write_table(df, args.output)
    print(f"wrote {df.height} synthetic rows (seed {model.last_seed}) to {args.output}")
    return 0


def cmd_audit(args) -> int:
    from synthspectrum.audit import audit, format_audit
    from synthspectrum.metadata import load

    findings = audit(load(args.model), data=read_data(args.data) if args.data else None, k=args.k)
    if args.format == "csv":
        sys.stdout.write(findings.write_csv())
    elif args.format == "json":
        sys.stdout.write(findings.write_json() + "\n")
    else:
        print(format_audit(findings))
    return 0


def cmd_evaluate(args) -> int:
    from synthspectrum.report import evaluate

    ev = evaluate(read_data(args.real), read_data(args.synthetic), keys=args.keys, target=args.target,
                  holdout=read_data(args.holdout) if args.holdout else None, formula=args.formula,
                  family=args.family, seed=args.seed)
    ev.to_html(args.output)

    with pl.Config(tbl_rows=30, tbl_hide_dataframe_shape=True, float_precision=4):
        print(ev.summary())
    print(f"report written to {args.output} (aggregates only, no record)")
    return 0


def cmd_spectrum(args) -> int:
    from synthspectrum.spectrum import SpectrumConfig, spectrum_from_config, write_outputs

    cfg = SpectrumConfig.from_toml(args.config) if args.config else SpectrumConfig()
    overrides = {k: v for k, v in (("m", args.m), ("generators", args.generators), ("seed", args.seed)) if v is not None}
    if overrides:
        from dataclasses import replace

        cfg = replace(cfg, **overrides).validate()
    result = spectrum_from_config(cfg, data=args.data)
    out = write_outputs(result, args.output)

    with pl.Config(tbl_rows=20, tbl_cols=12, tbl_hide_dataframe_shape=True, float_precision=3, tbl_width_chars=160):
        print(result.headline())
    from synthspectrum.spectrum import explain

    for line in explain(result):
        print("- " + line)
    print(f"results, frontier and report written to {out}/ (aggregates only, no record)")
    return 0


def cmd_doctor(args) -> int:
    from synthspectrum.doctor import report

    text, ok = report()
    print(text)
    return 0 if ok else 1


def cmd_demo(args) -> int:
    from synthspectrum.demo import run_demo

    run_demo(Path(args.output), n=args.n, seed=args.seed, privacy=args.privacy)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="synthspectrum",
        description="Synthetic tabular data along the privacy-utility spectrum.",
        epilog="DATA is a .csv/.parquet file or a bundled dataset name (see 'synthspectrum datasets list').",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("datasets", help="list the bundled datasets or export one to CSV/Parquet")
    s.add_argument("action", choices=["list", "export"])
    s.add_argument("name", nargs="?", help="dataset to export")
    s.add_argument("-o", "--output", help="file to write (.csv or .parquet)")
    s.set_defaults(func=cmd_datasets)

    s = sub.add_parser("deidentify", help="de-identify data (the A&E tutorial pipeline by default)")
    s.add_argument("data", help="DATA to de-identify")
    s.add_argument("-o", "--output", required=True, help="file to write (.csv or .parquet)")
    s.add_argument("--drop", nargs="+", metavar="COL", help="drop direct identifiers")
    s.add_argument("--band", nargs="+", metavar="COL", help="band numeric columns into age bands")
    s.add_argument("--coarsen", nargs="+", metavar="COL", help="datetime -> date + 4-hour band")
    s.add_argument("--pseudonymise", nargs="+", metavar="COL", help="categories -> random codes")
    s.add_argument("--suppress", nargs="+", metavar="COL", help="recode categories rarer than --k")
    s.add_argument("--top-code", nargs="+", metavar="COL=VALUE", help="clip a numeric column at VALUE")
    s.add_argument("--quasi", nargs="+", metavar="COL", help="quasi-identifiers for the k-anonymity report")
    s.add_argument("--k", type=int, default=50, help="rarity threshold for --suppress (default 50)")
    s.add_argument("--seed", type=int, default=2019, help="seed for pseudonyms (default 2019)")
    s.set_defaults(func=cmd_deidentify)

    s = sub.add_parser("fit", help="fit a metasyn metadata model and save it as GMF JSON")
    s.add_argument("data", help="DATA to learn from")
    s.add_argument("-o", "--output", default="model.json", help="model file (default model.json)")
    s.add_argument("--privacy", choices=["none", "disclosure"], default="none")
    s.add_argument("--unique", nargs="+", metavar="COL", help="columns that are unique keys")
    s.add_argument("--categorical", nargs="+", metavar="COL", help="columns to model as categories")
    s.add_argument("--column-time-limit", type=float, default=120.0,
                   help="seconds per column for disclosure control before the fallback (default 120)")
    s.set_defaults(func=cmd_fit)

    s = sub.add_parser("synthesize", help="draw synthetic rows from a model file")
    s.add_argument("model", help="model file written by 'fit'")
    s.add_argument("-n", type=int, default=None, help="rows to draw (default: as many as the real data)")
    s.add_argument("--seed", type=int, default=None, help="seed; the same seed gives the same rows")
    s.add_argument("-o", "--output", required=True, help="file to write (.csv or .parquet)")
    s.set_defaults(func=cmd_synthesize)

    s = sub.add_parser("audit", help="what a model file discloses, column by column")
    s.add_argument("model", help="model file written by 'fit'")
    s.add_argument("--data", help="the real DATA, to check stored bounds against the real extremes")
    s.add_argument("--k", type=int, default=10, help="a category under k records is rare (default 10)")
    s.add_argument("--format", choices=["text", "csv", "json"], default="text")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("evaluate", help="utility and privacy of a synthetic data set, as an HTML report")
    s.add_argument("real", help="the real (training) DATA")
    s.add_argument("synthetic", help="the synthetic DATA")
    s.add_argument("--keys", nargs="+", metavar="COL", help="quasi-identifiers (table utility, replicated uniques)")
    s.add_argument("--target", help="sensitive column for attribute disclosure (needs --keys)")
    s.add_argument("--holdout", help="real DATA the generator did not see (distance measures)")
    s.add_argument("--formula", help="regression for specific utility, e.g. 'y ~ a + b'")
    s.add_argument("--family", choices=["gaussian", "binomial"], default="gaussian")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("-o", "--output", default="report.html", help="HTML file (default report.html)")
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("spectrum", help="every generator on the same data, measured the same way: the frontier")
    s.add_argument("data", nargs="?", default=None, help="DATA (default: the config's, else the bundled de-identified A&E data)")
    s.add_argument("--config", help="spectrum.toml: data, keys, target, generators, m, seeds, measures")
    s.add_argument("--generators", nargs="+", metavar="NAME", help="generators to run (default: all)")
    s.add_argument("--m", type=int, help="synthetic sets per generator (default 3)")
    s.add_argument("--seed", type=int, help="seed of the split and the synthetic sets (default 1)")
    s.add_argument("-o", "--output", default="out/spectrum", help="output folder (default out/spectrum)")
    s.set_defaults(func=cmd_spectrum)

    s = sub.add_parser("doctor", help="what is installed and how to fix what is missing")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("demo", help="the main job on the bundled A&E data: de-identify, fit, audit, synthesize, compare")
    s.add_argument("-o", "--output", default="out", help="folder for the model, audit and synthetic data (default out)")
    s.add_argument("-n", type=int, default=None, help="synthetic rows (default: as many as the real data)")
    s.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    s.add_argument("--privacy", choices=["none", "disclosure"], default="none")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return args.func(args)
    except (SynthSpectrumError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"synthspectrum {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
