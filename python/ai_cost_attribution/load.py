"""`aicost load --target NAME --raw PATH`: a raw folder as the raw tables of a warehouse target.

On a warehouse the project reads its inputs from tables in var('raw_schema'), loaded by the
user's own pipeline. For a local run or a test this command is that pipeline: it lands the folder
with the project's own landing (every source folder the project reads and the optional CSVs, the
same macros as a DuckDB build, on a scratch DuckDB file) and writes each landed relation, column
for column, as a table of the target's var('raw_schema'), replacing the table it had.

A table whose landed columns and rows are the ones it was last loaded with is left as it is: each
load records a fingerprint of what it wrote on the table (a comment on PostgreSQL, a table
property on Spark), so a daily load of a folder whose CSVs did not change rewrites only the
usage tables that did."""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ai_cost_attribution.project import dbt_project_vars, project_root, run_dbt
from ai_cost_attribution.targets import connect

# DuckDB column type -> the target's type (anything else lands as text, as a loader writes it).
TYPES = {
    "postgres": {
        "BIGINT": "bigint",
        "INTEGER": "bigint",
        "HUGEINT": "numeric",
        "BOOLEAN": "boolean",
        "DOUBLE": "double precision",
        "TIMESTAMP": "timestamp",
        "TIMESTAMP WITH TIME ZONE": "timestamptz",
        "DATE": "date",
    },
    "spark": {
        "BIGINT": "bigint",
        "INTEGER": "bigint",
        "BOOLEAN": "boolean",
        "DOUBLE": "double",
        "TIMESTAMP": "timestamp",
        "TIMESTAMP WITH TIME ZONE": "timestamp",
        "DATE": "date",
    },
}


def land_folder(raw_path: Path, duckdb_path: Path, dbt_vars: dict[str, Any]) -> None:
    """Land `raw_path` into `duckdb_path` with the project's landing (`dbt run-operation`)."""
    with tempfile.TemporaryDirectory() as target_path:
        result = run_dbt(
            ["run-operation", "aicost_land_raw_files", "--target", "duckdb", "--target-path", target_path],
            dbt_vars={**dbt_vars, "raw_path": str(raw_path.resolve())},
            db_path=duckdb_path,
            capture_output=True,
        )
    if result.returncode != 0:
        raise RuntimeError(f"landing {raw_path} failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")


def landed_tables(duckdb_path: Path, raw_schema: str) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Table -> ((column, DuckDB type) list, rows) of every relation the landing made."""
    tables = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as landed:
        names = landed.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [raw_schema]
        ).fetchall()
        for (name,) in names:
            cursor = landed.execute(f'select * from "{raw_schema}"."{name}"')
            rows = cursor.fetchall()
            columns = [(column[0], str(column[1])) for column in cursor.description]
            tables[name] = (columns, rows)
    return tables


# Where a loaded table keeps the fingerprint of what was written (see fingerprint).
PG_COMMENT_PREFIX = "aicost load sha256:"
SPARK_PROPERTY = "aicost.load_sha256"


def target_types_of(columns: list[tuple[str, str]], types: dict[str, str]) -> list[str]:
    """Each landed column's type on the target (`types`: DuckDB type -> target type; text otherwise)."""
    return [types.get(duckdb_type.upper(), "text") for _, duckdb_type in columns]


def fingerprint(columns: list[tuple[str, str]], target_types: list[str], rows: list[tuple]) -> str:
    """sha256 of a table as a load writes it: its columns with their landed and target types and
    its rows in a fixed order (the landing's row order is not), so the same folder always gives
    the same figure, and another version's type for a column does not."""
    digest = hashlib.sha256(json.dumps([columns, target_types]).encode())
    for line in sorted(json.dumps(row, default=str) for row in rows):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def _value(value: Any, target_type: str) -> Any:
    if value is None or target_type != "text":
        return value
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)


def load_tables(
    target: str, raw_schema: str, tables: dict[str, tuple[list[tuple[str, str]], list[tuple]]]
) -> dict[str, bool]:
    """Write each table into `raw_schema` of `target`, replacing it unless it holds these very
    columns and rows already; returns, per table, whether it was written."""
    with connect(target, read_only=False) as warehouse:
        types = TYPES.get(warehouse.kind)
        if types is None:
            raise ValueError(f"aicost load writes to postgres and spark targets, not {warehouse.kind}")
        if warehouse.kind == "spark":
            return _load_spark(warehouse.connection, raw_schema, tables, types)
        warehouse.execute(f'create schema if not exists "{raw_schema}"')
        written = {}
        for name, (columns, rows) in tables.items():
            target_types = target_types_of(columns, types)
            sha = fingerprint(columns, target_types, rows)
            table = f'"{raw_schema}"."{name}"'
            comment = warehouse.rows(f"select obj_description(to_regclass('{table}'), 'pg_class')")[0][0]
            written[name] = comment != PG_COMMENT_PREFIX + sha
            if not written[name]:
                continue
            typed = ", ".join(f'"{column}" {kind}' for (column, _), kind in zip(columns, target_types, strict=True))
            warehouse.execute(f"drop table if exists {table}")
            warehouse.execute(f"create table {table} ({typed})")
            if rows:
                values = [
                    tuple(_value(value, kind) for value, kind in zip(row, target_types, strict=True)) for row in rows
                ]
                warehouse.execute(f"insert into {table} values %s", values)
            warehouse.execute(f"comment on table {table} is '{PG_COMMENT_PREFIX}{sha}'")
        return written


def _load_spark(spark: Any, raw_schema: str, tables: dict, types: dict[str, str]) -> dict[str, bool]:
    """Each table as a managed table of the session's metastore (dbt-spark's default format,
    parquet), its fingerprint a table property."""
    spark.sql(f"create schema if not exists `{raw_schema}`")
    written = {}
    for name, (columns, rows) in tables.items():
        target_types = target_types_of(columns, types)
        sha = fingerprint(columns, target_types, rows)
        table = f"`{raw_schema}`.`{name}`"
        loaded_sha = None
        if spark.catalog.tableExists(name, raw_schema):
            properties = dict(spark.sql(f"show tblproperties {table}").collect())
            loaded_sha = properties.get(SPARK_PROPERTY)
        written[name] = loaded_sha != sha
        if not written[name]:
            continue
        schema = ", ".join(
            f"`{column}` {'string' if kind == 'text' else kind}"
            for (column, _), kind in zip(columns, target_types, strict=True)
        )
        values = [tuple(_value(value, kind) for value, kind in zip(row, target_types, strict=True)) for row in rows]
        frame = spark.createDataFrame(values, schema=schema)
        spark.sql(f"drop table if exists {table}")
        frame.write.format("parquet").saveAsTable(table)
        spark.sql(f"alter table {table} set tblproperties ('{SPARK_PROPERTY}' = '{sha}')")
    return written


def load(target: str, raw_path: Path, dbt_vars: dict[str, Any] | None = None) -> dict[str, tuple[int, bool]]:
    """Land `raw_path` and load it into `target`; returns, per table, its rows and whether it was
    written (False: it held them already)."""
    if not raw_path.is_dir():
        raise FileNotFoundError(f"no raw folder at {raw_path}")
    dbt_vars = dict(dbt_vars or {})
    raw_schema = str(dbt_vars.get("raw_schema") or dbt_project_vars(project_root())["raw_schema"])
    with tempfile.TemporaryDirectory() as scratch:
        landing = Path(scratch) / "landing.duckdb"
        land_folder(raw_path, landing, dbt_vars)
        tables = landed_tables(landing, raw_schema)
    written = load_tables(target, raw_schema, tables)
    return {name: (len(rows), written[name]) for name, (_, rows) in tables.items()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost load`."""
    parser.add_argument("--target", required=True, help="the profiles.yml target to load into (postgres)")
    parser.add_argument("--raw", type=Path, required=True, help="the raw folder, laid out as for a DuckDB build")
    parser.add_argument("--vars", default=None, help="dbt vars as YAML, as for dbt (raw_schema, the LiteLLM tables…)")


def run(args: argparse.Namespace) -> int:
    """Load and report the rows per table."""
    try:
        loaded = load(args.target, args.raw, yaml.safe_load(args.vars) if args.vars else None)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"aicost load: {error}")
        return 2
    for name, (count, written) in loaded.items():
        print(f"  {name:<28}{count:>10,} rows{'' if written else '  unchanged, left as it was'}")
    unchanged = sum(not written for _, written in loaded.values())
    print(f"Loaded {len(loaded)} raw tables into target {args.target} ({unchanged} unchanged since the last load)")
    return 0
