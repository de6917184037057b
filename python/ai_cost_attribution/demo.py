"""`aicost demo`: write the demo company's raw folder, build the warehouse, print what it holds."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from ai_cost_attribution.generate import write_demo_world
from ai_cost_attribution.generate.demo_world import DEFAULT_CUSTOMERS, DEFAULT_DAYS, DEFAULT_END_DATE
from ai_cost_attribution.project import project_root, warehouse_path
from ai_cost_attribution.summary import format_summary, read_summary
from ai_cost_attribution.warehouse import build_warehouse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost demo`."""
    parser.add_argument("--out", type=Path, default=None, help="raw folder to write (default: demo/raw)")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the demo world (default 42)")
    parser.add_argument(
        "--end-date", type=date.fromisoformat, default=DEFAULT_END_DATE, help="last day of demo traffic"
    )
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"days of traffic up to --end-date (default {DEFAULT_DAYS})"
    )
    parser.add_argument(
        "--customers", type=int, default=DEFAULT_CUSTOMERS, help=f"customers (default {DEFAULT_CUSTOMERS})"
    )
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $AICOST_DB_PATH)")
    parser.add_argument("--skip-build", action="store_true", help="only write the raw folder")


def run(args: argparse.Namespace) -> int:
    """Write the demo world, run `dbt build` on it and print the summary."""
    if args.days < 1 or args.customers < 1:
        print("aicost demo: --days and --customers must be at least 1", file=sys.stderr)
        return 2
    root = project_root()
    raw_path = (args.out or root / "demo" / "raw").resolve()
    db_path = (args.db or warehouse_path()).resolve()

    started = time.monotonic()
    print(f"[1/3] Writing the demo company's raw logs to {raw_path} …", flush=True)
    world = write_demo_world(raw_path, seed=args.seed, end_date=args.end_date, days=args.days, customers=args.customers)
    print(f"      {world.events_written:,} usage lines in {time.monotonic() - started:.1f} s", flush=True)
    if args.skip_build:
        return 0

    print(f"[2/3] dbt build → {db_path} …", flush=True)
    # The demo carries a few calls of a model with no price on purpose, to show the
    # unpriced_model rejects: the build reports them as a warning instead of failing.
    # The build runs on a fresh file swapped in at the end, so an open app never blocks it.
    result = build_warehouse(
        ["build", "--full-refresh"],
        # demo_company: every page of the app says these figures are the made-up demo company
        dbt_vars={"raw_path": str(raw_path), "unpriced_severity": "warn", "demo_company": True},
        db_path=db_path,
        start_from_previous=False,
    )
    if not result.swapped:
        kept = f" The failed build is kept at {result.failed_path}." if result.failed_path else ""
        print(f"dbt build failed (see above): {db_path} is unchanged.{kept}")
        return result.returncode or 1

    print(f"[3/3] Done in {time.monotonic() - started:.0f} s. The warehouse holds:\n", flush=True)
    print(format_summary(read_summary(db_path)))
    print(
        "\nNext: open the app with `.venv/bin/aicost app` (http://127.0.0.1:8501),"
        f" or query {db_path} with DuckDB (schemas marts, intermediate, staging)."
    )
    return 0
