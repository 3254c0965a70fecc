"""What each subcommand does: read, check the outputs before any work, run, write atomically."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from synthspectrum.errors import SynthSpectrumError
from synthspectrum.io.outputs import check_output
from synthspectrum.io.tables import read_data

TABLES = [".csv", ".parquet"]


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
    write_table(df, args.output, force=args.force)
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
    write_table(out, args.output, force=args.force, inputs=_input_files(args.data))
    print(f"wrote {out.height} de-identified rows x {out.width} columns to {args.output}")
    return 0


def cmd_fit(args) -> int:
    from synthspectrum.metadata import fit_metadata

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
    from synthspectrum.core.progress import show_progress
    from synthspectrum.io.tables import write_table_blocks
    from synthspectrum.metadata import load

    check_output(args.output, TABLES, [args.model], force=args.force)
    model = load(args.model)
    bar = show_progress(None)
    # the draw's blocks (metadata.blocks: the same rows as model.synthesize), written as drawn:
    # memory stays that of one block whatever -n
    parts = model.iter_blocks(args.n, seed=args.seed, progress=bar)
    total = model.n_rows if args.n is None else args.n

    def drawn():
        # each block is drawn in a worker thread and written here, in the main thread, so that
        # Ctrl-C stops at once and the temporary file is removed (io.outputs.atomic_path)
        while (block := _interruptible(next, parts, None)) is not None:
            yield block

    def report(rows: int) -> None:
        if not bar:  # on a terminal, the bar says it
            print(f"synthesize: {rows} of {total} rows written", file=sys.stderr, flush=True)

    rows = write_table_blocks(drawn(), args.output, on_block=report, force=args.force, inputs=[args.model])
    print(f"wrote {rows} synthetic rows (seed {model.last_seed}) to {args.output}")
    return 0


def cmd_audit(args) -> int:
    from synthspectrum.metadata import audit, format_audit
    from synthspectrum.metadata import load

    findings = audit(load(args.model), real=_read(args.data, args) if args.data else None, k=args.k)
    if args.format == "csv":
        sys.stdout.write(findings.write_csv())
    elif args.format == "json":
        sys.stdout.write(findings.write_json() + "\n")
    else:
        print(format_audit(findings))
    return 0


def cmd_evaluate(args) -> int:
    from synthspectrum.evaluation import evaluate

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


def _error_details(details: list[dict], show: bool) -> None:
    """Other libraries' words for failed runs (``SpectrumResult.error_details``), on stderr only:
    they can quote a data value, so no file holds them, and the terminal shows them only when
    asked (``--show-errors``), after a warning saying what they may disclose."""
    if not details:
        return
    if not show:
        print(f"the libraries' own words for {len(details)} failure(s) are withheld because they can quote a "
              "data value: --show-errors prints them to this terminal (never to a file)", file=sys.stderr)
        return
    print(f"WARNING: the {len(details)} error text(s) below are other libraries' own words; they can quote a "
          "value of your data, and are printed here only (no file holds them): do not paste them where the "
          "data may not go.", file=sys.stderr)
    for d in details:
        seed = "" if d.get("seed") is None else f" (seed {d['seed']})"
        print(f"- {d['generator']}{seed}: {d['type']}: {d['text']}", file=sys.stderr)


def cmd_spectrum(args) -> int:
    from dataclasses import replace

    from synthspectrum.spectrum import SpectrumConfig, explain, output_folder, run_spectrum, write_outputs

    cfg = SpectrumConfig.from_toml(args.config) if args.config else SpectrumConfig()
    overrides = {k: v for k, v in (("m", args.m), ("generators", args.generators), ("seed", args.seed),
                                   ("keys", args.keys), ("target", args.target), ("data", args.data),
                                   ("exclude", args.exclude), ("jobs", args.jobs), ("backend", args.backend),
                                   ("scheduler", args.scheduler)) if v is not None}
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

    write_outputs(result, out, force=args.force, inputs=_input_files(cfg.data, args.config))

    with pl.Config(tbl_rows=20, tbl_cols=12, tbl_hide_dataframe_shape=True, float_precision=3, tbl_width_chars=160):
        print(result.headline())
    for line in explain(result):
        print("- " + line)
    failed, total = result.n_failed, result.n_runs
    _error_details(result.error_details, args.show_errors)
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
    from synthspectrum.synthpop import twin_file

    print(twin_file())
    return 0


