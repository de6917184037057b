"""The `aicost` command line: one subcommand per job, each a thin layer over its module."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# subcommand -> (module, one-line help). Each module exposes add_arguments(parser) and run(args).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("ai_cost_attribution.demo", "generate the demo company's raw logs and build the warehouse"),
    "generate": ("ai_cost_attribution.generate", "write a demo raw folder, or N synthetic events"),
    "prices": ("ai_cost_attribution.prices", "rebuild seeds/rate_card.csv from the LiteLLM price list"),
    "build": ("ai_cost_attribution.warehouse", "dbt build on a copy of the warehouse, swapped in when it succeeds"),
    "load": ("ai_cost_attribution.load", "load a raw folder into the raw tables of a warehouse target (postgres)"),
    "summary": ("ai_cost_attribution.summary", "print what the built warehouse holds"),
    "export": ("ai_cost_attribution.export", "export the cost ledger in FinOps FOCUS 1.3 shape (CSV or Parquet)"),
    "bench": ("ai_cost_attribution.bench", "time full and incremental builds, the engine limit and per-call loops"),
    "app": ("ai_cost_attribution.app_server", "start the Streamlit app on the built warehouse (read-only)"),
    "validate": ("ai_cost_attribution.validate", "check raw landing files with Great Expectations before a build"),
    "alerts": ("ai_cost_attribution.alerts", "send each new budget crossing and cost spike to a webhook, once"),
}


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="aicost",
        description="AI cost attribution: price, attribute and reconcile LLM usage with dbt.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        subparser = subparsers.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `aicost` script."""
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
