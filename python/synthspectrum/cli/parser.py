"""The command line's grammar: every subcommand, option and its help, and one-line usage errors."""

from __future__ import annotations

import argparse

from synthspectrum.cli.commands import (cmd_audit, cmd_datasets, cmd_deidentify, cmd_demo, cmd_doctor, cmd_evaluate,
                                        cmd_fit, cmd_r_twin, cmd_spectrum, cmd_synthesize)
from synthspectrum.cli import workshop
from synthspectrum.core.seeds import SEED_MAX


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


def _jobs(text: str) -> int:
    value = _whole(-1, "--jobs")(text)
    if value == 0:
        raise argparse.ArgumentTypeError("--jobs must be -1 (one per core) or at least 1, got 0")
    return value


def _seed(text: str) -> int:
    value = _whole(0, "a seed")(text)
    if value > SEED_MAX:
        raise argparse.ArgumentTypeError(f"a seed must be at most {SEED_MAX} (2^31 - 1, what R's set.seed takes), got {value}")
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
    s.add_argument("--seed", type=_seed, default=None, help="seed, 0 to 2^31-1; the same seed gives the same rows")
    s.add_argument("-o", "--output", required=True,
                   help="file to write (.csv or .parquet); written block by block as it is drawn, in flat memory "
                        "whatever -n, and atomically")
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
    s.add_argument("--jobs", type=_jobs, metavar="N",
                   help="runs at once, each in its own process (default -1: one per core; 1: one at a time, in "
                        "this process); the numbers are the same whatever N")
    s.add_argument("--backend", choices=["joblib", "dask"],
                   help="where the runs go: joblib (local processes, the default) or dask (an existing Dask "
                        "cluster, see --scheduler)")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="the Dask scheduler's address for --backend dask, e.g. tcp://10.0.0.5:8786 (default: "
                        "the address in Dask's own configuration, DASK_SCHEDULER_ADDRESS)")
    s.add_argument("-o", "--output", default="out/spectrum",
                   help="output folder (default out/spectrum); only the spectrum's own files are written into it")
    s.add_argument("--force", action="store_true",
                   help="add the spectrum's files to a non-empty folder that is not a previous spectrum output "
                        "(nothing else in it is touched)")
    s.add_argument("--show-errors", action="store_true",
                   help="print the full text of failed runs' errors (R's, metasyn's...) to this terminal's "
                        "stderr; it can quote a data value, so it is never written to a file (runs.csv gives "
                        "only the error's type)")
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

    workshop.add_parser(sub)
    return p


