"""Connect to any target of profiles.yml the way dbt does, to read the marts or load raw tables.

The target's settings come from dbt's own rendering of profiles.yml (env_var() included), so
`--target NAME` means the same to `aicost` as to `dbt`. DuckDB targets open the warehouse file
($AICOST_DB_PATH, as for dbt); PostgreSQL targets connect with psycopg2 (installed with
dbt-postgres); Spark targets of the session method start the same local Spark session as dbt
(pyspark, installed with `.[spark]`), on the same metastore and tables."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ai_cost_attribution.project import project_root, warehouse_path

PROFILE_NAME = "ai_cost_attribution"


class TargetError(RuntimeError):
    """A target that is not in profiles.yml, or whose type aicost cannot reach."""


def target_credentials(target: str, profiles_dir: Path | None = None) -> Any:
    """The rendered credentials of `target` (dbt's Credentials object: .type, .host, .path …)."""
    from argparse import Namespace

    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_from_args(Namespace(), {})
    set_invocation_context(dict(os.environ))
    raw = read_profile(str(profiles_dir or project_root()))
    outputs = (raw.get(PROFILE_NAME) or {}).get("outputs") or {}
    if target not in outputs:
        raise TargetError(f"no target {target!r} in profiles.yml (targets: {', '.join(sorted(outputs))})")
    profile = Profile.from_raw_profiles(raw, PROFILE_NAME, renderer=ProfileRenderer({}), target_override=target)
    return profile.credentials


@dataclass
class Warehouse:
    """An open connection to a target's database, with one way to run a query on every engine."""

    kind: str
    connection: Any

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of `sql`."""
        if self.kind == "spark":
            frame = self.connection.sql(sql)
            return list(frame.columns), [tuple(row) for row in frame.collect()]
        if self.kind == "duckdb":
            cursor = self.connection.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.query(sql)[1]

    def execute(self, sql: str, rows: Sequence[Sequence[Any]] | None = None) -> None:
        """Run a statement (once per row of `rows` when given) and commit."""
        if self.kind == "spark":
            if rows is not None:
                raise TargetError("on spark, write rows with a DataFrame (aicost load does)")
            self.connection.sql(sql)
            return
        if self.kind == "duckdb":
            if rows is None:
                self.connection.execute(sql)
            else:
                self.connection.executemany(sql, [list(row) for row in rows])
            return
        from psycopg2.extras import execute_values

        with self.connection, self.connection.cursor() as cursor:
            if rows is None:
                cursor.execute(sql)
            else:
                execute_values(cursor, sql, rows, page_size=1000)


@contextmanager
def connect(target: str | None = None, db_path: Path | None = None, read_only: bool = True) -> Iterator[Warehouse]:
    """The database of `target` (None: the DuckDB warehouse file, `db_path` or $AICOST_DB_PATH)."""
    kind = "duckdb" if target is None else target_credentials(target).type
    if kind == "duckdb":
        path = db_path or warehouse_path()
        if read_only and not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: build one with `aicost demo` or `dbt build`")
        connection = duckdb.connect(str(path), read_only=read_only)
    elif kind == "postgres":
        import psycopg2

        credentials = target_credentials(target)  # type: ignore[arg-type]
        connection = psycopg2.connect(
            host=credentials.host,
            port=credentials.port,
            user=credentials.user,
            password=credentials.password,
            dbname=credentials.database,
            connect_timeout=10,
        )
    elif kind == "spark":
        connection = spark_session(target_credentials(target))  # type: ignore[arg-type]
    else:
        raise TargetError(f"target {target!r} is of type {kind}: aicost reads duckdb, postgres and spark targets")
    try:
        yield Warehouse(kind, connection)
    finally:
        if kind == "spark":
            connection.stop()
        else:
            connection.close()


def spark_session(credentials: Any) -> Any:
    """The local Spark session of a session-method target, configured as dbt-spark configures it."""
    if getattr(credentials, "method", None) != "session":
        raise TargetError("aicost reaches Spark through the session method only (a cluster has its own loaders)")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for parameter, value in (credentials.server_side_parameters or {}).items():
        builder = builder.config(parameter, value)
    return builder.getOrCreate()
