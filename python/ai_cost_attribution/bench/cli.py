"""``aicost bench`` and the internal steps it runs in child processes."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ai_cost_attribution.bench.run import (
    DEFAULT_DAYS,
    DEFAULT_EVENTS,
    LOOP_SAMPLE,
    QUICK_EVENTS,
    default_workdir,
    format_table,
    run_bench,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `aicost bench`."""
    parser.add_argument("--events", type=int, default=None, help=f"events in the history (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events: a smoke run")
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"days the history spreads over (default {DEFAULT_DAYS})"
    )
    parser.add_argument("--customers", type=int, default=None, help="customers (default events / 10,000, >= 200)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the raw files, the project copies and the warehouses go (default bench_runs/<N>x<days>)",
    )
    parser.add_argument("--json", type=Path, default=None, help="results file (default <workdir>/bench.json)")
    parser.add_argument("--loop-sample", type=int, default=LOOP_SAMPLE, help="events the per-call loops are timed on")
    parser.add_argument(
        "--dbt-threads",
        type=int,
        default=1,
        help="dbt threads (default 1: at millions of calls, side-by-side models spill to disk)",
    )


def run(args: argparse.Namespace) -> int:
    """Run `aicost bench`."""
    events = QUICK_EVENTS if args.quick else args.events or DEFAULT_EVENTS
    if args.days < 1:
        print("aicost bench: --days must be at least 1", file=sys.stderr)
        return 2
    workdir = (args.workdir or default_workdir(events, args.days)).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        result = run_bench(events, workdir, days=args.days, loop_sample=args.loop_sample, customers=args.customers,
                           dbt_threads=args.dbt_threads)  # fmt: skip
    except RuntimeError as error:
        print(f"aicost bench: {error}", file=sys.stderr)
        return 1
    json_path = args.json or workdir / "bench.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(result.to_json())
    print(format_table(result))
    print(f"\n{time.perf_counter() - started:.0f} s in all; figures in {json_path}")
    return 0


def internal_step(argv: Sequence[str]) -> int:
    """``python -m ai_cost_attribution.bench --internal-step engine|lean|litellm ...``: one measured step."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--internal-step", choices=("engine", "lean", "litellm"), required=True)
    parser.add_argument("--out-json", type=Path, required=True)
    parser.add_argument("--rate-card", type=Path)
    parser.add_argument("--seeds", type=Path)
    parser.add_argument("--discounts", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=LOOP_SAMPLE)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.internal_step == "engine":
        from ai_cost_attribution.bench.engine import run_engine_limit

        run_engine_limit(args.files, args.rate_card, args.discounts, args.out_json)
    else:
        from ai_cost_attribution.bench.loops import run_loop

        run_loop(args.internal_step, args.files, args.seeds, args.discounts, args.sample, args.out_json)
    return 0
