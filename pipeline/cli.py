"""python -m pipeline refresh|report: argparse only; the work is in pipeline.run."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from pipeline.errors import PipelineError
from pipeline.periods import YearError
from pipeline.personal_data import MASK, is_personal_column
from pipeline.settings import RunConfig

EXIT_OK = 0
EXIT_USAGE = 2  # bad YEAR or arguments, bad input or configuration
EXIT_CONTRACT = 3  # an output failed its contract: a bug, nothing published
EXIT_INTERNAL = 4  # an unexpected error
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
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    handler.addFilter(lambda record: record.levelno == logging.WARNING)
    logger = logging.getLogger("tsm")
    if not any(getattr(h, "_tsm_cli", False) for h in logger.handlers):
        handler._tsm_cli = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


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
    try:
        config = RunConfig.create(args.dataset, args.outputs, args.warehouse, args.year,
                                  render=not getattr(args, "no_render", False))
        from pipeline import run

        if args.command == "refresh":
            result = run.refresh(config)
        else:
            result = run.report(config)
    except YearError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # a bug: say so in one line; TSM_DEBUG=1 shows the traceback
        if os.environ.get("TSM_DEBUG"):
            raise
        print(f"error: internal error ({type(exc).__name__}): {exc}; "
              "re-run with TSM_DEBUG=1 for the traceback", file=sys.stderr)
        return EXIT_INTERNAL
    for file, row, column, value, message, *rule in result.quarantined[:MAX_QUARANTINE_LINES]:
        shown = _shown(column, value, rule[0] if rule else None)
        print(f"quarantined: {file} row {row} column {column or '-'}: {shown}: {message}",
              file=sys.stderr)
    if len(result.quarantined) > MAX_QUARANTINE_LINES:
        print(f"quarantined: ... and {len(result.quarantined) - MAX_QUARANTINE_LINES} more "
              "(see data_quality.csv and quarantine.rows)", file=sys.stderr)
    s = result.summary
    print(f"{args.command}: {s.files_loaded} new file(s) of {s.files_seen} loaded, "
          f"{s.rows_read} rows read, {s.rows_staged} staged, {s.rows_quarantined} quarantined "
          f"in {result.seconds:.1f}s; warehouse {config.warehouse_path}")
    if args.command == "report":
        reported = result.config or config
        if result.year_note:
            print(f"report: {result.year_note}")
        print(f"report: {reported.period.label} written to {reported.year_dir}")
    return EXIT_OK
