"""`aicost export focus --out FILE`: the cost ledger in FinOps FOCUS 1.3 shape, as CSV or Parquet.

``--grain charge`` (the default) writes one row per charge (``marts.export_focus_costs``);
``--grain sku`` splits usage into one row per model and token type (``marts.export_focus_costs_sku``)."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from ai_cost_attribution.project import warehouse_path

EXPORTS = {"focus": "marts.export_focus_costs"}
# The relation of each export at each grain (the default grain first).
GRAINS = {"focus": {"charge": "marts.export_focus_costs", "sku": "marts.export_focus_costs_sku"}}
FORMATS = {".csv": "(format csv, header true)", ".parquet": "(format parquet)"}


def export_relation(db_path: Path, relation: str, out: Path) -> int:
    """Write one mart to `out` (format chosen by the suffix) and return the number of rows."""
    copy_options = FORMATS.get(out.suffix.lower())
    if copy_options is None:
        raise ValueError(f"unsupported output {out.name}: use a .csv or .parquet file name")
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse at {db_path}: build one with `aicost demo` or `dbt build`")
    out.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path), read_only=True) as connection:
        # The relation name comes from EXPORTS (a fixed mapping); the path is bound as a literal.
        rows = connection.execute(f"select count(*) from {relation}").fetchone()[0]
        escaped = str(out).replace("'", "''")
        connection.execute(f"copy (select * from {relation}) to '{escaped}' {copy_options}")
    return int(rows)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost export`."""
    parser.add_argument("what", choices=sorted(EXPORTS), help="focus: the ledger in FinOps FOCUS 1.3 shape")
    parser.add_argument(
        "--grain",
        choices=("charge", "sku"),
        default="charge",
        help="charge: one row per charge (default); sku: usage split per model and token type (SkuMeter)",
    )
    parser.add_argument("--out", type=Path, required=True, help="output file, .csv or .parquet")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $AICOST_DB_PATH)")


def run(args: argparse.Namespace) -> int:
    """Export and report the row count."""
    try:
        relation = GRAINS[args.what][getattr(args, "grain", None) or "charge"]
        rows = export_relation(args.db or warehouse_path(), relation, args.out)
    except (ValueError, FileNotFoundError) as error:
        print(f"aicost export: {error}")
        return 2
    grain = getattr(args, "grain", None) or "charge"
    print(f"Wrote {rows:,} {args.what.upper()} 1.3 rows ({grain} grain) to {args.out}")
    return 0
