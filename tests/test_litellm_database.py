"""LiteLLM's own PostgreSQL table as a direct source: the proxy's "LiteLLM_SpendLogs", read where it lives.

The table is created from LiteLLM's published schema (`model LiteLLM_SpendLogs` in the pinned
wheel's litellm/proxy/schema.prisma: every column with its Prisma type, as `prisma db push` maps
it for PostgreSQL) in the schema `public`, and filled with the rows LiteLLM's proxy builds for
real calls (tests/litellm_records.py). The postgres target reads it through the same staging
model as the exported files (vars litellm_schema and litellm_spend_logs_table); the same rows as
JSON Lines are built on DuckDB, and every call's figures must be equal. Both build the call
pipeline with its data tests (staging to the calls, rejects and traces: what is read here); the
rest of the project is the same SQL on whichever source, built on PostgreSQL by test_engines.py."""

from __future__ import annotations

import importlib.util
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import litellm_exports as export
import litellm_records
from conftest import build_world
from test_litellm_sources import EXPECTED, MODEL_ALIASES, RATE_CARD
from test_portability import (
    CALL_PIPELINE_ONLY,
    PG,
    build_on_postgres,
    copy_raw_tables,
    ensure_local_postgres,
    normalise,
    psycopg2,
    query_postgres,
    recreate_database,
    session_database,
)

DATABASE = session_database("aicost_portability_litellm")
# How Prisma maps its scalar types onto PostgreSQL (DateTime: timestamp(3) without time zone).
PRISMA_TYPES = {
    "String": "text",
    "Int": "integer",
    "BigInt": "bigint",
    "Float": "double precision",
    "Boolean": "boolean",
    "DateTime": "timestamp(3)",
    "Json": "jsonb",
}
LITELLM_VARS = {"litellm_schema": "public", "litellm_spend_logs_table": "LiteLLM_SpendLogs"}


def prisma_columns(model: str) -> list[tuple[str, str, bool]]:
    """(column, PostgreSQL type, nullable) of every field of `model` in LiteLLM's schema.prisma."""
    # found, not imported (LiteLLM's import takes ~20 s)
    schema = Path(importlib.util.find_spec("litellm").submodule_search_locations[0]) / "proxy" / "schema.prisma"
    block = re.search(r"^model " + model + r" \{\n(.*?)^\}", schema.read_text(encoding="utf-8"), re.M | re.S)
    assert block, f"no model {model} in {schema}"
    columns = []
    for line in block.group(1).splitlines():
        field = re.match(r"\s+(\w+)\s+(\w+)(\??)(.*)", line)
        if field is None:
            continue  # blank lines, comments and @@index lines
        name, prisma_type, optional, attributes = field.groups()
        mapped = re.search(r'@map\("(\w+)"\)', attributes)
        columns.append((mapped.group(1) if mapped else name, PRISMA_TYPES[prisma_type], optional == "?"))
    return columns


def create_spend_logs_table(database: str) -> list[str]:
    """LiteLLM_SpendLogs in `public`, column for column; returns the column names."""
    columns = prisma_columns("LiteLLM_SpendLogs")
    typed = ", ".join(f'"{name}" {kind}{"" if nullable else " not null"}' for name, kind, nullable in columns)
    connection = psycopg2.connect(dbname=database, **PG)
    with connection, connection.cursor() as cursor:
        cursor.execute(f'create table public."LiteLLM_SpendLogs" ({typed}, primary key (request_id))')
    connection.close()
    return [name for name, _, _ in columns]


def insert_spend_logs(database: str, columns: list[str], rows: list[dict]) -> None:
    """The rows as the proxy writes them: JSON columns as jsonb, times as UTC timestamps."""
    connection = psycopg2.connect(dbname=database, **PG)
    with connection, connection.cursor() as cursor:
        for row in rows:
            unknown = set(row) - set(columns)
            assert not unknown, f"LiteLLM wrote columns its schema does not have: {unknown}"
            names = [name for name in columns if name in row]
            values = [json.dumps(row[name]) if isinstance(row[name], dict | list) else row[name] for name in names]
            quoted = ", ".join(f'"{name}"' for name in names)
            cursor.execute(
                f'insert into public."LiteLLM_SpendLogs" ({quoted}) values ({", ".join(["%s"] * len(names))})', values
            )
    connection.close()


CALL_FIGURES = (
    "select request_id, provider, model, status, input_tokens, cache_read_tokens, cache_write_tokens,"
    " cache_write_1h_tokens, output_tokens, reasoning_tokens, list_cost_usd, effective_cost_usd, pooled_cost_usd,"
    " reported_cost_usd, customer_id, feature, team, environment, trace_id, call_role, occurred_at"
    " from marts.fct_llm_calls order by request_id"
)
REJECT_FIGURES = "select request_id, reject_reason from marts.fct_rejected_events order by 1, 2"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    rows = [record["spend_log"] for record in litellm_records.load(("pgtable",))]
    root = tmp_path_factory.mktemp("litellm_database")
    on_duckdb = build_world(
        root,
        files={"litellm_spend_logs/rows.jsonl": export.jsonl(rows)},
        rate_card_rows=RATE_CARD,
        model_alias_rows=MODEL_ALIASES,
        dbt_vars={"coverage_min_calls": 1000},
        command=CALL_PIPELINE_ONLY,
    )
    ensure_local_postgres()
    recreate_database(DATABASE)
    # the raw tables as a loader would have them (a landed copy of the spend logs too, never read:
    # the source is LiteLLM's own table, which every call's source_file names)
    copy_raw_tables(on_duckdb.db_path, DATABASE)
    columns = create_spend_logs_table(DATABASE)
    insert_spend_logs(DATABASE, columns, rows)
    dbt_vars = {"coverage_min_calls": 1000, **LITELLM_VARS}
    result = build_on_postgres(on_duckdb.project_dir, DATABASE, json.dumps(dbt_vars), CALL_PIPELINE_ONLY)
    assert result.returncode == 0, f"dbt build on postgres failed:\n{result.stdout[-8000:]}"
    return {"duckdb": on_duckdb, "rows": rows, "columns": columns}


def test_the_table_has_every_column_of_litellms_schema(built: dict) -> None:
    on_postgres = query_postgres(
        DATABASE,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'public' and table_name = 'LiteLLM_SpendLogs' order by ordinal_position",
    )
    assert [name for name, _ in on_postgres] == built["columns"]
    types = dict(on_postgres)
    assert types["startTime"] == "timestamp without time zone"
    assert types["metadata"] == "jsonb" and types["request_tags"] == "jsonb"
    assert types["spend"] == "double precision" and types["prompt_tokens"] == "integer"
    assert query_postgres(DATABASE, 'select count(*) from public."LiteLLM_SpendLogs"')[0][0] == len(built["rows"])


def test_calls_and_costs_equal_the_duckdb_build_of_the_same_records(built: dict) -> None:
    on_duckdb = normalise(built["duckdb"].rows(CALL_FIGURES))
    on_postgres = normalise(query_postgres(DATABASE, CALL_FIGURES))
    # one record per scenario of tests/litellm_records.py: thirteen calls, and LiteLLM's cache hit, no call
    assert len(built["rows"]) == len(EXPECTED) + 1 == 14 and len(on_duckdb) == len(EXPECTED)
    assert on_postgres == on_duckdb
    # every call priced from the rate card at LiteLLM's own figure (`spend`, kept as reported_cost_usd)
    list_cost, reported = 10, 13
    for call in on_postgres:
        assert call[list_cost].quantize(Decimal("1e-9")) == call[reported].quantize(Decimal("1e-9")), call[0]
    total = query_postgres(DATABASE, "select sum(list_cost_usd) from marts.fct_llm_calls")[0][0]
    assert total == built["duckdb"].scalar("select sum(list_cost_usd) from marts.fct_llm_calls")


def test_rejects_and_where_each_call_came_from(built: dict) -> None:
    on_duckdb = normalise(built["duckdb"].rows(REJECT_FIGURES))
    assert normalise(query_postgres(DATABASE, REJECT_FIGURES)) == on_duckdb == [(on_duckdb[0][0], "not_a_model_call")]
    sources = query_postgres(DATABASE, "select distinct source_name, source_file from marts.fct_llm_calls")
    assert sources == [("litellm_spend_logs", "LiteLLM_SpendLogs")]
