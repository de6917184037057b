"""`aicost export focus --out FILE [--grain charge|sku] [--target NAME]`: the cost ledger in FinOps
FOCUS 1.3 shape, as CSV or Parquet.

``--grain charge`` (the default) writes one row per charge (``marts.export_focus_costs``);
``--grain sku`` splits usage into one row per model and token type (``marts.export_focus_costs_sku``).
DuckDB writes the file; from another target the mart's rows are read through its driver and
written by DuckDB the same way (one writer: the files of two engines hold the same rows, in
the order each engine returned them)."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import pyarrow as pa

from ai_cost_attribution.targets import TargetError, connect

EXPORTS = {"focus": "marts.export_focus_costs"}
# The relation of each export at each grain (the default grain first).
GRAINS = {"focus": {"charge": "marts.export_focus_costs", "sku": "marts.export_focus_costs_sku"}}
FORMATS = {".csv": "(format csv, header true)", ".parquet": "(format parquet)"}


def export_relation(db_path: Path | None, relation: str, out: Path, target: str | None = None) -> int:
    """Write one mart of the DuckDB file `db_path` (default $AICOST_DB_PATH), or of a profiles.yml
    `target`, to `out` (format chosen by the suffix) and return the number of rows."""
    copy_options = FORMATS.get(out.suffix.lower())
    if copy_options is None:
        raise ValueError(f"unsupported output {out.name}: use a .csv or .parquet file name")
    escaped = str(out).replace("'", "''")
    with connect(target, db_path) as warehouse:
        out.parent.mkdir(parents=True, exist_ok=True)
        # The relation name comes from EXPORTS (a fixed mapping); the path is bound as a literal.
        if warehouse.kind == "duckdb":
            rows = warehouse.rows(f"select count(*) from {relation}")[0][0]
            warehouse.connection.execute(f"copy (select * from {relation}) to '{escaped}' {copy_options}")
            return int(rows)
        columns, rows = warehouse.query(f"select * from {relation}")
    fetched = pa.table({column: [row[i] for row in rows] for i, column in enumerate(columns)})
    with duckdb.connect() as writer:
        writer.register("fetched", fetched)
        writer.execute(f"copy (select * from fetched) to '{escaped}' {copy_options}")
    return len(rows)


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
    parser.add_argument("--target", default=None, help="read a profiles.yml target instead (e.g. postgres)")


def run(args: argparse.Namespace) -> int:
    """Export and report the row count."""
    try:
        relation = GRAINS[args.what][getattr(args, "grain", None) or "charge"]
        rows = export_relation(args.db, relation, args.out, args.target)
    except (ValueError, FileNotFoundError, TargetError) as error:
        print(f"aicost export: {error}")
        return 2
    grain = getattr(args, "grain", None) or "charge"
    print(f"Wrote {rows:,} {args.what.upper()} 1.3 rows ({grain} grain) to {args.out}")
    return 0
