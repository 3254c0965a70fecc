"""``synthspectrum workshop ...``: the teacher's and the learner's commands for the workshop."""

from __future__ import annotations

import argparse
from pathlib import Path

from synthspectrum.errors import SynthSpectrumError


def _root(given: str | None) -> Path:
    """The workshop's repository folder: --root, else the current folder when it holds
    solutions/, else the folder of a development install."""
    if given:
        return Path(given)
    if (Path.cwd() / "solutions").is_dir():
        return Path.cwd()
    repo = Path(__file__).resolve().parents[3]
    if (repo / "solutions").is_dir():
        return repo
    raise SynthSpectrumError("no solutions/ folder here: run this from the repository's folder, or give --root")


def cmd_check(args) -> int:
    from synthspectrum.workshop.setup_check import format_check, setup_check

    text, ready = format_check(setup_check(r=not args.no_r))
    print(text)
    return 0 if ready else 1


def cmd_path(args) -> int:
    from synthspectrum.synthpop import twin_file
    from synthspectrum.workshop.checkpoints import spec_folder
    from synthspectrum.workshop.data import data_folder

    paths = {"r": lambda: twin_file().parent / "workshop.R", "twin": twin_file, "data": data_folder,
             "checkpoints": spec_folder}
    if args.what == "all":  # one call for R's helpers, which would otherwise start Python three times
        for name, where in paths.items():
            print(f"{name}={where()}")
        return 0
    print(paths[args.what]())
    return 0


def cmd_exercises(args) -> int:
    from synthspectrum.workshop.exercises import stale_exercises, write_exercises

    root = _root(args.root)
    if args.check:
        stale = stale_exercises(root)
        for p in stale:
            print(f"out of date: {p.relative_to(root)}")
        if stale:
            print("run `synthspectrum workshop exercises` and commit the result")
        return 1 if stale else 0
    changed = write_exercises(root, force=args.force)
    print(f"{len(changed)} exercise file(s) written" + "".join(f"\n  {p.relative_to(root)}" for p in changed))
    return 0


def cmd_data(args) -> int:
    from synthspectrum.workshop.data import build_data

    for p in build_data(Path(args.output) if args.output else None):
        print(p)
    return 0


def cmd_slides(args) -> int:
    from synthspectrum.workshop.slides import build_slides

    root = _root(args.root)
    out = Path(args.output) if args.output else root / "slides" / "build"
    for p in build_slides(root / "slides", out):
        print(p)
    return 0


def cmd_schedule(args) -> int:
    from synthspectrum.workshop.modules import schedule

    for start, end, what, minutes in schedule(args.start):
        print(f"{start}-{end}  {what} ({minutes} min)")
    return 0


def add_parser(sub) -> None:
    w = sub.add_parser("workshop", help="the workshop: set-up check, exercises, slides, schedule")
    ws = w.add_subparsers(dest="workshop_command", required=True, metavar="ACTION",
                          help="check, path, r, exercises, slides, schedule or data")
    s = ws.add_parser("check", help="the learner's set-up check: a smoke test per module, and how to fix what fails")
    s.add_argument("--no-r", action="store_true", help="leave the R role out")
    s.set_defaults(func=cmd_check)
    s = ws.add_parser("path", help="print where a workshop file is (for R: "
                                   "source(system2('synthspectrum', c('workshop', 'r'), stdout = TRUE)))")
    s.add_argument("what", choices=["r", "twin", "data", "checkpoints", "all"],
                   help="all: every one of them as name=path lines")
    s.set_defaults(func=cmd_path)
    # `workshop r` is the short form R files use
    s = ws.add_parser("r", help="print the path of r/workshop.R (the R role's helpers)")
    s.set_defaults(func=cmd_path, what="r")
    s = ws.add_parser("exercises", help="generate exercises/ (stubs and catch-up files) from solutions/")
    s.add_argument("--root", help="the repository's folder (default: here)")
    s.add_argument("--check", action="store_true", help="only say which generated files are out of date")
    s.add_argument("--force", action="store_true", help="replace exercises that were edited since they were generated")
    s.set_defaults(func=cmd_exercises)
    s = ws.add_parser("slides", help="build the slides offline into self-contained HTML")
    s.add_argument("--root", help="the repository's folder (default: here)")
    s.add_argument("-o", "--output", help="output folder (default slides/build)")
    s.set_defaults(func=cmd_slides)
    s = ws.add_parser("schedule", help="the day's schedule from the modules' minutes")
    s.add_argument("--start", default="09:00", help="start time HH:MM (default 09:00)")
    s.set_defaults(func=cmd_schedule)
    s = ws.add_parser("data", help="(maintainers) rewrite the typed workshop data files through the R bridge")
    s.add_argument("-o", "--output", help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_data)
