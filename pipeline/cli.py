"""python -m pipeline refresh|report: argparse only; the work is in pipeline.run."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from pipeline.errors import PipelineError
from pipeline.periods import YearError
from pipeline.personal_data import MASK, is_personal_column
from pipeline.run_guard import (
    PrintableFormatter,
    check_interrupted,
    environment_error,
    install_signal_handlers,
    printable,
    signal_received,
    warehouse_replaced,
)
from pipeline.settings import RunConfig

EXIT_OK = 0
EXIT_USAGE = 2  # bad YEAR or arguments, bad input or configuration
EXIT_CONTRACT = 3  # an output failed its contract: a bug, nothing published
EXIT_INTERNAL = 4  # an unexpected error
EXIT_SIGNAL_BASE = 128  # interrupted: 128 + the signal, as a shell reports it (130 SIGINT, 143 SIGTERM)
MAX_QUARANTINE_LINES = 20


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("refresh", "load new exports from the dataset into the warehouse and rebuild the marts"),
        ("report", "refresh, then write outputs/<year>/ for one reporting year"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--dataset", default="data/sample", help="dataset folder (default data/sample)")
        p.add_argument("--outputs", default="outputs", help="outputs folder (default outputs)")
        p.add_argument("--warehouse", default=None, help="warehouse file (default OUTPUTS/warehouse.duckdb)")
        p.add_argument("--year", default=None,
                       help="reporting year by the year it ends: 2024 = 1 April 2023 - 31 March 2024"
                       + ("; default: the latest complete year the data covers"
                          if name == "report" else ""))
        if name == "report":
            p.add_argument("--no-render", action="store_true", help="write the CSVs but not report.html")
    from pipeline.benchmarks.cli import add_parser as add_benchmarks_parser

    add_benchmarks_parser(sub)  # benchmarks [extract]: its own options, see pipeline.benchmarks.cli
    return parser


def _warnings_to_stderr() -> None:
    """Warnings (e.g. an unknown TOML key) go to stderr; the run's INFO and ERROR lines go to
    its log file (pipeline.run_guard), errors are printed once by main."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrintableFormatter("warning: %(message)s"))
    handler.addFilter(lambda record: record.levelno == logging.WARNING)
    logger = logging.getLogger("tsm")
    if not any(getattr(h, "_tsm_cli", False) for h in logger.handlers):
        handler._tsm_cli = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _say(text: str, stream=None) -> None:
    """print, whatever bytes a file name in `text` holds (run_guard.printable)."""
    stream = stream or sys.stdout
    print(printable(text, getattr(stream, "encoding", None)), file=stream)


def _interrupted_message(signum: int, config: RunConfig | None) -> str:
    name = signal.Signals(signum).name
    if warehouse_replaced() and config is not None and config.period is not None:
        return (f"interrupted ({name}) after the warehouse was refreshed: {config.year_dir} was "
                "not changed; run the report again")
    return f"interrupted ({name}): nothing was changed; the warehouse keeps its last good state"

def _shown(column: str | None, value: str | None, rule: str | None) -> str:
    """A quarantined value as the console (and so cron's mail) shows it: never a malformed
    row's line, which may hold personal data even masked in part, nor a value of a column
    whose name says it is personal (decisions D34, D92)."""
    if rule == "malformed_row":
        return "line not shown (see quarantine.rows)"
    if column and is_personal_column(column):
        return MASK
    return "blank" if value is None else repr(value)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _warnings_to_stderr()
    if args.command == "benchmarks":
        from pipeline.benchmarks.cli import run as run_benchmarks

        return run_benchmarks(args)
    config = None
    with install_signal_handlers():
        try:
            config = RunConfig.create(args.dataset, args.outputs, args.warehouse, args.year,
                                      render=not getattr(args, "no_render", False))
            from pipeline import run

            if args.command == "refresh":
                result = run.refresh(config)
            else:
                result = run.report(config)
            check_interrupted()  # a signal a library caught and turned into something else
        except BaseException as exc:  # noqa: BLE001 - every way out is one line
            return _failed(exc, config)
    for file, row, column, value, message, *rule in result.quarantined[:MAX_QUARANTINE_LINES]:
        shown = _shown(column, value, rule[0] if rule else None)
        _say(f"quarantined: {file} row {row} column {column or '-'}: {shown}: {message}",
             sys.stderr)
    if len(result.quarantined) > MAX_QUARANTINE_LINES:
        _say(f"quarantined: ... and {len(result.quarantined) - MAX_QUARANTINE_LINES} more "
             "(see data_quality.csv and quarantine.rows)", sys.stderr)
    s = result.summary
    _say(f"{args.command}: {s.files_loaded} new file(s) of {s.files_seen} loaded, "
         f"{s.rows_read} rows read, {s.rows_staged} staged, {s.rows_quarantined} quarantined "
         f"in {result.seconds:.1f}s; warehouse {config.warehouse_path}")
    if args.command == "report":
        reported = result.config or config
        if result.year_note:
            _say(f"report: {result.year_note}")
        _say(f"report: {reported.period.label} written to {reported.year_dir}")
    return EXIT_OK


def _failed(exc: BaseException, config: RunConfig | None) -> int:
    """The one line a failed run prints, and its exit code."""
    signum = signal_received()
    if signum is not None:  # whatever error the signal surfaced as
        _say(_interrupted_message(signum, config), sys.stderr)
        return EXIT_SIGNAL_BASE + signum
    if isinstance(exc, KeyboardInterrupt):  # SIGINT before the handlers were in place
        _say(_interrupted_message(signal.SIGINT, config), sys.stderr)
        return EXIT_SIGNAL_BASE + signal.SIGINT
    if isinstance(exc, YearError):
        _say(f"error: {exc}", sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, PipelineError):
        _say(f"error: {exc}", sys.stderr)
        return exc.exit_code
    failure = environment_error(exc, getattr(exc, "filename", None) or "a file")
    if failure is not None:  # a full disk, a read-only folder, a file where a folder should be
        _say(f"error: {failure}", sys.stderr)
        return failure.exit_code
    if not isinstance(exc, Exception):  # SystemExit and the like: as Python would
        raise exc
    # a bug: say so in one line; TSM_DEBUG=1 shows the traceback
    if os.environ.get("TSM_DEBUG"):
        raise exc
    _say(f"error: internal error ({type(exc).__name__}): {exc}; "
         "re-run with TSM_DEBUG=1 for the traceback", sys.stderr)
    return EXIT_INTERNAL
