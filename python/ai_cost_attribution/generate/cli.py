"""``aicost generate``: the demo world (default) or N bulk events (``--events``)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from ai_cost_attribution.generate.bulk import ROWS_PER_FILE, generate_events
from ai_cost_attribution.generate.demo_world import DEFAULT_END_DATE, write_demo_world


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``aicost generate`` (without ``--events`` it writes the demo world)."""
    parser.add_argument("--out", required=True, type=Path, help="raw folder to write (usage/ and the CSVs)")
    parser.add_argument(
        "--events", type=int, default=None, help="bulk mode: number of usage events (omit for the demo world)"
    )
    parser.add_argument("--days", type=int, default=None, help="days of data (default 92)")
    parser.add_argument("--customers", type=int, default=None, help="number of customers (default 200)")
    parser.add_argument(
        "--start-date",
        type=date.fromisoformat,
        default=None,
        help="first day, YYYY-MM-DD (default: the window ends on 2026-11-15)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--format",
        dest="file_format",
        choices=("parquet", "jsonl"),
        default="parquet",
        help="bulk mode file format (default parquet)",
    )
    parser.add_argument(
        "--late-fraction",
        type=float,
        default=0.0,
        help="bulk mode: share of events dated in the 3 days before --start-date",
    )
    parser.add_argument("--file-prefix", default="events", help="bulk mode: usage file name prefix")
    parser.add_argument("--rows-per-file", type=int, default=ROWS_PER_FILE, help="bulk mode: rows per file")
    parser.add_argument(
        "--no-csv",
        action="store_true",
        help="bulk mode: write usage files only (a second batch into an existing folder)",
    )
    parser.add_argument(
        "--traces-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="derive token sizes from the original public trace files in DIR instead of the sample packaged "
        "with aicost (the same rows; see ai_cost_attribution/data/README.md)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    """Run ``aicost generate``; returns the process exit code."""
    days = args.days if args.days is not None else 92
    customers = args.customers if args.customers is not None else 200
    try:
        if args.events is None:
            end = (args.start_date + timedelta(days=days - 1)) if args.start_date else DEFAULT_END_DATE
            summary = write_demo_world(
                args.out, seed=args.seed, end_date=end, days=days, customers=customers, traces_dir=args.traces_dir
            )
            if not args.quiet:
                bad = ", ".join(f"{k} {v}" for k, v in summary.bad_lines.items())
                print(
                    f"demo world: {summary.lines:,} usage lines ({summary.events:,} calls, {summary.traces:,} "
                    f"traces, {summary.duplicates} duplicates; bad lines: {bad}) "
                    f"{summary.start_date}..{summary.end_date} -> {summary.out_dir}"
                )
                print(
                    f"cost spike: {summary.spike.feature} / {summary.spike.customer_id} on {summary.spike.day} "
                    f"(~{summary.spike.cost_multiple}x its median day)"
                )
            return 0
        start = args.start_date or DEFAULT_END_DATE - timedelta(days=days - 1)
        generate_events(
            args.out,
            events=args.events,
            days=days,
            start_date=start,
            customers=customers,
            seed=args.seed,
            file_format=args.file_format,
            late_fraction=args.late_fraction,
            file_prefix=args.file_prefix,
            progress=not args.quiet,
            rows_per_file=args.rows_per_file,
            write_csvs=not args.no_csv,
            traces_dir=args.traces_dir,
        )
        return 0
    except (FileNotFoundError, ValueError) as error:
        print(f"aicost generate: {error}", file=sys.stderr)
        return 2
