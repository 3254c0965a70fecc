"""The ``synthspectrum`` command line.

Exit codes: 0 success, 1 the work failed (bad data, unreadable file, a spectrum run that
failed...), 2 bad usage. Errors are one line on stderr; so are warnings (without the source
file and line of the library that raised them).

Every output is checked before any work starts (extension, not an input, folder writable) and
written atomically; see :mod:`synthspectrum.io.outputs`.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Sequence

import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io.tables import read_data
from synthspectrum.io.outputs import check_output

TABLES = [".csv", ".parquet"]
SEED_MAX = 2**32 - 1


def _read(spec: str, args, like: pl.DataFrame | None = None) -> pl.DataFrame:
    """DATA by the reading options every data-reading command shares."""
    opts = {"like": like} if like is not None else {}
    if Path(spec).suffix.lower() == ".csv":
        opts.update(sep=args.sep, na_values=args.na_values, encoding=args.encoding)
    return read_data(spec, **opts)


def _input_files(*specs: str | None) -> list[str]:
    return [s for s in specs if s is not None and Path(s).suffix]


def cmd_datasets(args) -> int:
    from synthspectrum import datasets
    from synthspectrum.io.tables import write_table

    if args.action == "list":
        for name in datasets.list():
            desc = datasets.OWN_DATASETS.get(name, "metasyn demo dataset")
            print(f"{name:<22} {desc}")
        return 0
    if not args.name or not args.output:
        raise SynthSpectrumError("usage: synthspectrum datasets export NAME -o FILE.csv|FILE.parquet")
    check_output(args.output, TABLES, force=args.force)
    df = datasets.load(args.name)
    write_table(df, args.output)
    print(f"wrote {df.height} rows x {df.width} columns to {args.output}")
    return 0


def cmd_deidentify(args) -> int:
    from synthspectrum import datasets, deidentify as de
    from synthspectrum.io.tables import write_table

    check_output(args.output, TABLES, _input_files(args.data), force=args.force)
    df = _read(args.data, args)
    steps = any([args.drop, args.band, args.coarsen, args.pseudonymise, args.suppress, args.top_code])
    if not steps:
        recipe = datasets.recipe_for(df)
        if recipe is None or recipe.deidentify is None:
            raise SynthSpectrumError("name at least one step (--drop, --band, ...); "
                                     "with no step, only the bundled A&E data gets the tutorial pipeline")
        out = recipe.deidentify(df, seed=args.seed, k=args.k)
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
    recipe = datasets.recipe_for(out)
    quasi = args.quasi or (list(recipe.quasi_identifiers) if recipe else [])
    if quasi:
        print(de.k_anonymity(out, quasi))
    write_table(out, args.output)
    print(f"wrote {out.height} de-identified rows x {out.width} columns to {args.output}")
    return 0


def cmd_fit(args) -> int:
    from synthspectrum.metadata.model import fit_metadata

    check_output(args.output, [".json"], _input_files(args.data), "model file", force=args.force)
    df = _read(args.data, args)
    model = fit_metadata(df, privacy=args.privacy, unique=args.unique, categorical=args.categorical,
                         column_time_limit=args.column_time_limit, keep_support=not args.no_keep_support)
    model.save(args.output, force=args.force)  # atomic
    for note in model.notes:
        print(f"note: {note}")
    print(f"fitted {len(model.columns)} columns on {model.n_rows} rows (privacy: {args.privacy}); "
          f"model written to {args.output}; run 'synthspectrum audit {args.output}' before sharing it")
    return 0


def _interruptible(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a worker thread, the main thread waiting, so that Ctrl-C stops the
    command at once: metasyn draws categories row by row with numpy's ``choice`` over an array of
    labels with probabilities, inside which a KeyboardInterrupt is lost, so a long draw would
    otherwise ignore Ctrl-C until it finished. The worker dies with the process."""
    import threading

    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
    if "error" in box:
        raise box["error"]
    return box["value"]


def cmd_synthesize(args) -> int:
    from synthspectrum.io.tables import write_table
    from synthspectrum.metadata.model import load

    check_output(args.output, TABLES, [args.model], force=args.force)
    model = load(args.model)
    df = _interruptible(model.synthesize, args.n, seed=args.seed, as_pandas=False)
    write_table(df, args.output)
    print(f"wrote {df.height} synthetic rows (seed {model.last_seed}) to {args.output}")
    return 0


def cmd_audit(args) -> int:
    from synthspectrum.metadata.audit import audit, format_audit
    from synthspectrum.metadata.model import load

    findings = audit(load(args.model), data=_read(args.data, args) if args.data else None, k=args.k)
    if args.format == "csv":
        sys.stdout.write(findings.write_csv())
    elif args.format == "json":
        sys.stdout.write(findings.write_json() + "\n")
    else:
        print(format_audit(findings))
    return 0


def cmd_evaluate(args) -> int:
    from synthspectrum.evaluation.report import evaluate

    check_output(args.output, [".html"], _input_files(args.real, args.synthetic, args.holdout), "report",
                 force=args.force)
    real = _read(args.real, args)
    # the synthetic and holdout files are read into the real data's dtypes: a synthetic CSV
    # has lost its categories, Enum levels and dates, and measures must compare like with like
    ev = evaluate(real, _read(args.synthetic, args, like=real), keys=args.keys, target=args.target,
                  holdout=_read(args.holdout, args, like=real) if args.holdout else None, formula=args.formula,
                  family=args.family, seed=args.seed, k=args.k)
    ev.to_html(args.output, force=args.force)  # atomic

    with pl.Config(tbl_rows=30, tbl_hide_dataframe_shape=True, float_precision=4, fmt_str_lengths=60):
        print(ev.summary())
    print(f"report written to {args.output} (aggregates only, no record)")
    return 0


def cmd_spectrum(args) -> int:
    from dataclasses import replace

    from synthspectrum.spectrum.runner import SpectrumConfig, explain, output_folder, run_spectrum

    cfg = SpectrumConfig.from_toml(args.config) if args.config else SpectrumConfig()
    overrides = {k: v for k, v in (("m", args.m), ("generators", args.generators), ("seed", args.seed),
                                   ("keys", args.keys), ("target", args.target), ("data", args.data),
                                   ("exclude", args.exclude)) if v is not None}
    if args.keep_identifiers:
        overrides["drop_identifiers"] = False
    if args.no_target:
        overrides["target"] = ""  # "" is "no target"; None is "the default"
    if overrides:
        cfg = replace(cfg, **overrides).validate()
    if Path(cfg.data).suffix and Path(cfg.data).exists():
        # the written spectrum.toml then reproduces the run from any folder
        cfg = replace(cfg, data=str(Path(cfg.data).resolve()))
    # The output folder is checked before any generator runs: a folder we may not write into
    # must fail now, in one line, not after the whole spectrum.
    folder = output_folder(args.output, force=args.force, inputs=_input_files(cfg.data, args.config)).check()
    result = run_spectrum(_read(cfg.data, args), cfg)
    out = folder.path
    from synthspectrum.spectrum.runner import write_outputs

    write_outputs(result, out, force=args.force, inputs=_input_files(cfg.data, args.config))

    with pl.Config(tbl_rows=20, tbl_cols=12, tbl_hide_dataframe_shape=True, float_precision=3, tbl_width_chars=160):
        print(result.headline())
    for line in explain(result):
        print("- " + line)
    failed, total = result.n_failed, result.n_runs
    if failed:
        print(f"{failed} of {total} runs FAILED (see {out}/runs.csv); what succeeded is written to {out}/ "
              "(aggregates only, no record)")
        return 1
    print(f"results, frontier and report written to {out}/ (aggregates only, no record); all {total} runs ok "
          "or skipped as reported")
    return 0


def cmd_doctor(args) -> int:
    from synthspectrum.doctor import report

    text, ok = report()
    print(text)
    return 0 if ok else 1


def cmd_demo(args) -> int:
    from synthspectrum.datasets.demo import run_demo

    run_demo(Path(args.output), n=args.n, seed=args.seed, privacy=args.privacy, force=args.force)
    return 0


def cmd_r_twin(args) -> int:
    from synthspectrum.synthpop.session import twin_file

    print(twin_file())
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with bad usage said in one line (and where to look) instead of the whole usage."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _whole(lo: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, got {text!r}") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{what} must be at least {lo}, got {value}")
        return value
    return parse


def _seed(text: str) -> int:
    value = _whole(0, "a seed")(text)
    if value > SEED_MAX:
        raise argparse.ArgumentTypeError(f"a seed must be at most {SEED_MAX} (2^32 - 1), got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a time limit must be a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"a time limit must be positive, got {text}")
    return value


def _reading_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("reading CSV files")
    g.add_argument("--sep", metavar="CHAR", help="CSV separator (default: detected among , ; tab |)")
    g.add_argument("--na-values", nargs="+", metavar="TEXT",
                   help="spellings of a missing value, replacing the default list "
                        "(empty, NA, N/A, NaN, nan, NULL, null, None, #N/A, <NA>, ...)")
    g.add_argument("--encoding", default="utf-8", help="text encoding of CSV files (default utf-8; e.g. latin-1)")
    return p


def _force_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--force", action="store_true",
                   help="replace an existing output file that synthspectrum did not write (by default it is "
                        "never overwritten)")
    return p


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="synthspectrum",
        description="Synthetic tabular data along the privacy-utility spectrum.",
        epilog="DATA is a .csv/.parquet file or a bundled dataset name (see 'synthspectrum datasets list'). "
               "Outputs are checked before any work, never overwrite an input, and are written atomically.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    read = _reading_options()
    force = _force_option()

    s = sub.add_parser("datasets", parents=[force], help="list the bundled datasets or export one to CSV/Parquet")
    s.add_argument("action", choices=["list", "export"], help="list the datasets, or export one")
    s.add_argument("name", nargs="?", help="dataset to export")
    s.add_argument("-o", "--output", help="file to write (.csv or .parquet)")
    s.set_defaults(func=cmd_datasets)

    s = sub.add_parser("deidentify", parents=[read, force], help="de-identify data (the A&E tutorial pipeline by default)")
    s.add_argument("data", help="DATA to de-identify")
    s.add_argument("-o", "--output", required=True, help="file to write (.csv or .parquet); never one of the inputs")
    s.add_argument("--drop", nargs="+", metavar="COL", help="drop direct identifiers")
    s.add_argument("--band", nargs="+", metavar="COL", help="band numeric columns into age bands")
    s.add_argument("--coarsen", nargs="+", metavar="COL", help="datetime -> date + 4-hour band")
    s.add_argument("--pseudonymise", nargs="+", metavar="COL", help="categories -> random codes")
    s.add_argument("--suppress", nargs="+", metavar="COL", help="recode categories rarer than --k")
    s.add_argument("--top-code", nargs="+", metavar="COL=VALUE", help="clip a numeric column at VALUE")
    s.add_argument("--quasi", nargs="+", metavar="COL", help="quasi-identifiers for the k-anonymity report")
    s.add_argument("--k", type=_whole(1, "--k"), default=50, help="rarity threshold for --suppress (default 50)")
    s.add_argument("--seed", type=_seed, default=2019, help="seed for pseudonyms (default 2019)")
    s.set_defaults(func=cmd_deidentify)

    s = sub.add_parser("fit", parents=[read, force], help="fit a metasyn metadata model and save it as GMF JSON")
    s.add_argument("data", help="DATA to learn from")
    s.add_argument("-o", "--output", default="model.json", help="model file, .json (default model.json); "
                   "its folder is created")
    s.add_argument("--privacy", choices=["none", "disclosure"], default="none",
                   help="none: metasyn's best fits; disclosure: metasyn-disclosure's micro-aggregation")
    s.add_argument("--unique", nargs="+", metavar="COL", help="columns that are unique keys")
    s.add_argument("--categorical", nargs="+", metavar="COL", help="columns to model as categories")
    s.add_argument("--column-time-limit", type=_seconds, default=120.0,
                   help="seconds per column for disclosure control before the fallback (default 120)")
    s.add_argument("--no-keep-support", action="store_true",
                   help="let metasyn choose any distribution, even one that draws negative values for a column "
                        "that is never negative, or fractions for whole numbers (default: keep sign and integer-ness)")
    s.set_defaults(func=cmd_fit)

    s = sub.add_parser("synthesize", parents=[force], help="draw synthetic rows from a model file")
    s.add_argument("model", help="model file written by 'fit'")
    s.add_argument("-n", type=_whole(0, "-n"), default=None, help="rows to draw (default: as many as the real data)")
    s.add_argument("--seed", type=_seed, default=None, help="seed, 0 to 2^32-1; the same seed gives the same rows")
    s.add_argument("-o", "--output", required=True, help="file to write (.csv or .parquet); written atomically")
    s.set_defaults(func=cmd_synthesize)

    s = sub.add_parser("audit", parents=[read], help="what a model file discloses, column by column")
    s.add_argument("model", help="model file written by 'fit'")
    s.add_argument("--data", help="the real DATA, to check stored bounds against the real extremes")
    s.add_argument("--k", type=_whole(1, "--k"), default=10, help="a category under k records is rare (default 10)")
    s.add_argument("--format", choices=["text", "csv", "json"], default="text", help="output format (default text)")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("evaluate", parents=[read, force], help="utility and privacy of a synthetic data set, as an HTML report")
    s.add_argument("real", help="the real (training) DATA")
    s.add_argument("synthetic", help="the synthetic DATA (read into the real data's dtypes)")
    s.add_argument("--keys", nargs="+", metavar="COL", help="quasi-identifiers (table utility, replicated uniques)")
    s.add_argument("--target", help="sensitive column for attribute disclosure (needs --keys)")
    s.add_argument("--holdout", help="real DATA the generator did not see (distance measures)")
    s.add_argument("--formula", help="regression for specific utility, e.g. 'y ~ a + b'")
    s.add_argument("--family", choices=["gaussian", "binomial"], default="gaussian",
                   help="regression family for --formula (default gaussian)")
    s.add_argument("--seed", type=_seed, default=0, help="seed of the sampled measures (default 0)")
    s.add_argument("--k", type=_whole(1, "--k"), default=5,
                   help="fewest real records a category label or regression term in the report may stand for "
                        "(default 5)")
    s.add_argument("-o", "--output", default="report.html", help="HTML file (default report.html)")
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("spectrum", parents=[read],
                       help="every generator on the same data, measured the same way: the frontier")
    s.add_argument("data", nargs="?", default=None,
                   help="DATA (default: the config's, else the bundled de-identified A&E data)")
    s.add_argument("--config", help="spectrum.toml: data, keys, target, generators, m, seeds, measures")
    s.add_argument("--keys", nargs="+", metavar="COL",
                   help="quasi-identifiers for replicated uniques, disclosure and table utility "
                        "(default: none, except on the bundled A&E data)")
    s.add_argument("--target", metavar="COL", help="sensitive column for attribute disclosure (needs --keys)")
    s.add_argument("--no-target", action="store_true", help="no attribute-disclosure target")
    s.add_argument("--exclude", nargs="+", metavar="COL", help="columns to leave out of every run")
    s.add_argument("--keep-identifiers", action="store_true",
                   help="keep identifier-like columns (nearly every value distinct), which are left out by default")
    s.add_argument("--generators", nargs="+", metavar="NAME", help="generators to run (default: all)")
    s.add_argument("--m", type=_whole(1, "--m"), help="synthetic sets per generator (default 3)")
    s.add_argument("--seed", type=_seed, help="seed of the split and the synthetic sets (default 1)")
    s.add_argument("-o", "--output", default="out/spectrum",
                   help="output folder (default out/spectrum); only the spectrum's own files are written into it")
    s.add_argument("--force", action="store_true",
                   help="add the spectrum's files to a non-empty folder that is not a previous spectrum output "
                        "(nothing else in it is touched)")
    s.set_defaults(func=cmd_spectrum)

    s = sub.add_parser("doctor", help="what is installed and how to fix what is missing")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("r-twin", help="print the path of the R twin (for R: source(system2('synthspectrum', "
                                      "'r-twin', stdout = TRUE)))")
    s.set_defaults(func=cmd_r_twin)

    s = sub.add_parser("demo", help="the main job on the bundled A&E data: de-identify, fit, audit, synthesize, compare")
    s.add_argument("-o", "--output", default="out/demo",
                   help="folder for the model, audit and synthetic data (default out/demo)")
    s.add_argument("-n", type=_whole(0, "-n"), default=None, help="synthetic rows (default: as many as the real data)")
    s.add_argument("--seed", type=_seed, default=1, help="seed (default 1)")
    s.add_argument("--privacy", choices=["none", "disclosure"], default="none",
                   help="privacy of the metasyn fit (default none)")
    s.add_argument("--force", action="store_true",
                   help="write the demo's files into a non-empty folder that is not a previous demo output")
    s.set_defaults(func=cmd_demo)
    return p


_SHOWN: set[str] = set()


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    # A library's warning shows the user what happened, not the library's source path and line;
    # and once: a spectrum measures many sets of the same data, which would repeat each warning.
    text = str(message)
    if text in _SHOWN:
        return
    _SHOWN.add(text)
    print(f"warning: {text}", file=sys.stderr if file is None else file)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # every warning reaches _one_line_warning, which shows it once
            warnings.showwarning = _one_line_warning
            _SHOWN.clear()
            return args.func(args)
    except (SynthSpectrumError, OSError) as exc:  # a full disk, a vanished folder...: one line too
        print(f"synthspectrum {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
