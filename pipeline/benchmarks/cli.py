"""python -m pipeline benchmarks [extract] --rsh FILE ... --out DIR

    benchmarks            peer_quartiles.csv and published_value_disagreements.csv in --out
                          (default outputs/benchmarks), from --rsh workbook(s) or, without
                          --rsh, from the CSVs shipped in data/reference/rsh/
    benchmarks extract    the compact CSVs of each --rsh workbook into --out
                          (default data/reference/rsh/)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import PipelineError

DEFAULT_OUT = "outputs/benchmarks"
DEFAULT_EXTRACT_OUT = "data/reference/rsh"


def add_parser(sub) -> None:
    """The `benchmarks` sub-command, added to pipeline.cli's sub-parsers."""
    p = sub.add_parser("benchmarks", help="sector quartiles from the regulator's published TSM "
                                          "data (or `benchmarks extract` to ship a new year)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", nargs="?", choices=["extract"],
                   help="extract: write the compact CSVs of the --rsh workbook(s)")
    p.add_argument("--rsh", nargs="+", metavar="FILE",
                   help="the regulator's TSM Full Data workbook(s), one per year")
    p.add_argument("--out", default=None, help=f"output folder (default {DEFAULT_OUT}; "
                                               f"extract: {DEFAULT_EXTRACT_OUT})")


def run(args: argparse.Namespace) -> int:
    """Run `benchmarks` or `benchmarks extract`; a PipelineError is one line on stderr."""
    try:
        if args.action == "extract":
            return extract(args.rsh, args.out or DEFAULT_EXTRACT_OUT)
        return benchmarks(args.rsh, args.out or DEFAULT_OUT)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


def extract(workbooks: list[str] | None, out: str) -> int:
    """Write tsm_values_, landlords_ and exclusions_<year>.csv for each workbook."""
    from pipeline.benchmarks.reference import write_extract

    if not workbooks:
        raise PipelineError("benchmarks extract: give the workbook(s) with --rsh FILE")
    for workbook in workbooks:
        for path in write_extract(workbook, out):
            print(f"extract: wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


def benchmarks(workbooks: list[str] | None, out: str) -> int:
    """Write peer_quartiles.csv and published_value_disagreements.csv into out."""
    from pipeline.benchmarks.peers import peer_quartiles, published_value_disagreements
    from pipeline.benchmarks.reference import load_reference, read_workbooks

    values, landlords, _ = read_workbooks(workbooks) if workbooks else load_reference()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {"peer_quartiles.csv": peer_quartiles(values, landlords),
               "published_value_disagreements.csv": published_value_disagreements(
                   values, landlords)}
    for name, frame in outputs.items():
        frame.to_csv(folder / name, index=False, float_format="%.10g", lineterminator="\n")
        print(f"benchmarks: wrote {folder / name} ({len(frame)} rows)")
    return 0
