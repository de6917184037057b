"""The same project, unchanged, builds on PostgreSQL and gives the same numbers as on DuckDB: every
pricing rule and every reject reason here; the attribution engine, `aicost load`, `aicost summary`
and the FOCUS export in tests/test_engines.py (whose world adds Spark).

The raw tables are what a warehouse user would load: here they are copied from the DuckDB
landing of the same fixture folder, so both targets start from identical inputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ai_cost_attribution.load import landed_tables, load_tables
from ai_cost_attribution.project import dbt_environment, dbt_executable
from conftest import CALL_PIPELINE_BUILD, BuiltWarehouse, build_world, without_unit_tests
from test_pricing import CALLS as PRICING_CALLS
from test_pricing import DISCOUNTS
from test_pricing import RATE_CARD as PRICING_RATE_CARD
from test_rejects import LINES as REJECT_LINES

psycopg2 = pytest.importorskip("psycopg2")

# the rejects world prices gpt-4o, already in the pricing rate card
REJECTS_RATE_CARD_EXTRA: list[dict[str, object]] = []

PG = {
    "host": os.environ.get("AICOST_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("AICOST_PG_PORT", "5432")),
    "user": os.environ.get("AICOST_PG_USER", "aicost"),
    "password": os.environ.get("AICOST_PG_PASSWORD", "aicost"),
}


def ensure_local_postgres() -> None:
    """Start the machine's PostgreSQL cluster and create the test role when we are allowed to."""
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=3, **PG).close()
        return
    except psycopg2.OperationalError:
        pass
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        pytest.skip("no reachable PostgreSQL (set AICOST_PG_* or run as root with Debian's postgresql)")
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.split()
    version, name = clusters[0], clusters[1]
    subprocess.run(["pg_ctlcluster", version, name, "start"], check=False, capture_output=True)
    role_sql = (
        "do $$ begin if not exists (select from pg_roles where rolname = 'aicost') then "
        "create role aicost login password 'aicost' createdb; end if; end $$;"
    )
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qc", role_sql], check=True, capture_output=True)
    psycopg2.connect(dbname="postgres", connect_timeout=10, **PG).close()


# The test run's own suffix on every database it creates: two runs on one machine share its
# cluster, and with the same names one run's rebuild replaced the tables under the other's reads.
RUN_SUFFIX = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)[:8]
CREATED_DATABASES: set[str] = set()


def session_database(name: str) -> str:
    """This run's database of that name (dropped when the run ends: drop_session_databases)."""
    return f"{name}_{RUN_SUFFIX}"


@contextmanager
def admin_cursor() -> Iterator[Any]:
    """A cursor on the cluster's `postgres` database, outside a transaction (create/drop database)."""
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def recreate_database(database: str) -> None:
    with admin_cursor() as cursor:
        cursor.execute(f"drop database if exists {database} with (force)")
        cursor.execute(f"create database {database}")
    CREATED_DATABASES.add(database)


def drop_session_databases() -> None:
    """The databases this process created, dropped (tests/conftest.py, at the end of the session)."""
    if not CREATED_DATABASES:
        return
    with admin_cursor() as cursor:
        for database in sorted(CREATED_DATABASES):
            cursor.execute(f"drop database if exists {database} with (force)")
    CREATED_DATABASES.clear()


@contextmanager
def on_database(database: str) -> Iterator[None]:
    """The postgres target of profiles.yml pointed at `database` (AICOST_PG_DATABASE) meanwhile."""
    before = os.environ.get("AICOST_PG_DATABASE")
    os.environ["AICOST_PG_DATABASE"] = database
    try:
        yield
    finally:
        if before is None:
            del os.environ["AICOST_PG_DATABASE"]
        else:
            os.environ["AICOST_PG_DATABASE"] = before


def copy_raw_tables(duckdb_path: Path, database: str) -> None:
    """Load the raw tables a warehouse user would have from the DuckDB landing of the same folder,
    as `aicost load` does once it has landed a folder (tests/test_engines.py runs the command
    itself on its world)."""
    with on_database(database):
        load_tables("postgres", "raw", landed_tables(duckdb_path, "raw"))


def build_on_postgres(
    project_dir: Path, database: str, dbt_vars: str, command: Sequence[str] = ("build",)
) -> subprocess.CompletedProcess[str]:
    environment = dbt_environment(project_dir / "unused.duckdb")
    environment["AICOST_PG_DATABASE"] = database
    return subprocess.run(
        [dbt_executable(), *command, "--target", "postgres", "--vars", dbt_vars,
         "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        cwd=project_dir, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip


def query_postgres(database: str, sql: str) -> list[tuple]:
    connection = psycopg2.connect(dbname=database, **PG)
    with connection, connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    connection.close()
    return rows


@dataclass
class TwoTargets:
    """One fixture folder built on DuckDB and on PostgreSQL."""

    duckdb: BuiltWarehouse
    database: str

    def both(self, sql: str) -> tuple[list[tuple], list[tuple]]:
        return normalise(self.duckdb.rows(sql)), normalise(query_postgres(self.database, sql))


def aicost(project_dir: Path, database: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The `aicost` command, as a user runs it, on the project copy and the postgres `database`."""
    environment = dbt_environment(project_dir / "unused.duckdb")
    environment.update(AICOST_PROJECT_DIR=str(project_dir), AICOST_PG_DATABASE=database)
    command = [str(Path(dbt_executable()).parent / "aicost"), *arguments]
    return subprocess.run(command, cwd=project_dir, env=environment, capture_output=True, text=True, check=False)


def build_both(
    root: Path,
    database: str,
    dbt_vars: dict[str, object],
    load_command: bool = False,
    command: Sequence[str] = ("build",),
    **world: object,
) -> TwoTargets:
    """Build the world on DuckDB with `command`, load its raw folder into PostgreSQL (with
    `aicost load` when `load_command`, else from the DuckDB landing) and build it there alike."""
    ensure_local_postgres()
    built = build_world(root, dbt_vars=dbt_vars, command=command, **world)
    recreate_database(database)
    if load_command:
        raw_folder = built.dbt_vars["raw_path"]  # as the DuckDB build named it
        loaded = aicost(built.project_dir, database, "load", "--target", "postgres", "--raw", raw_folder)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    else:
        copy_raw_tables(built.db_path, database)
    result = build_on_postgres(built.project_dir, database, json.dumps(dbt_vars), command)
    assert result.returncode == 0, f"dbt build on postgres failed:\n{result.stdout[-8000:]}"
    return TwoTargets(duckdb=built, database=database)


def normalise(rows: list[tuple]) -> list[tuple]:
    """Decimals compared by value (0.0045 == 0.004500000000), dates as ISO text."""
    return [
        tuple(v.normalize() if isinstance(v, Decimal) else v.isoformat() if hasattr(v, "isoformat") else v for v in row)
        for row in rows
    ]


# The call pipeline and its data tests, what the tests below read; the unit tests and the rest of
# the project run on PostgreSQL in tests/test_engines.py's full build.
CALL_PIPELINE_ONLY = without_unit_tests(CALL_PIPELINE_BUILD)


@pytest.fixture(scope="module")
def pricing_world(tmp_path_factory: pytest.TempPathFactory) -> TwoTargets:
    # every pricing rule and every reject reason (the rejects world's first line reuses no id here)
    return build_both(
        tmp_path_factory.mktemp("portability_pricing"), session_database("aicost_portability_pricing"),
        {"unpriced_severity": "warn", "cache_pooling": "off"}, command=CALL_PIPELINE_ONLY,
        usage={"calls.jsonl": [*PRICING_CALLS, *REJECT_LINES]},
        csv_inputs={"price_adjustments": DISCOUNTS},
        rate_card_rows=[*PRICING_RATE_CARD, *REJECTS_RATE_CARD_EXTRA],
    )  # fmt: skip


CALL_FIGURES = (
    "select request_id, list_cost_usd, effective_cost_usd, pooled_cost_usd, cache_savings_usd, customer_id,"
    " feature, team, environment, occurred_at from marts.fct_llm_calls order by request_id"
)
REJECT_FIGURES = "select line_number, reject_reason from marts.fct_rejected_events order by 1, 2"


def test_priced_calls_are_identical_on_postgres(pricing_world: TwoTargets) -> None:
    on_duckdb, on_postgres = pricing_world.both(CALL_FIGURES)
    assert len(on_duckdb) == len(PRICING_CALLS) + 3  # + good, replayed, corrected of the rejects world
    assert on_postgres == on_duckdb


def test_rejects_are_identical_on_postgres(pricing_world: TwoTargets) -> None:
    on_duckdb, on_postgres = pricing_world.both(REJECT_FIGURES)
    assert len(on_duckdb) == 11
    assert on_postgres == on_duckdb
