"""Read the warehouse the way a guest would: read-only, briefly, and never in a builder's way.

Every query opens its own read-only DuckDB connection, runs, and closes it, so the app holds no
connection between queries and a `dbt build` is never locked out by an idle app. Results are
cached per *version* of the file (inode, modification time, size): when a build swaps a new
file in (see `ai_cost_attribution.warehouse`), the version changes and every page reads the new
figures on its next run.

Whatever can go wrong with the file becomes one of the `WarehouseUnavailable` errors below,
which the pages turn into a plain-language notice instead of a stack trace. The notices never
show the server's file paths: the server's log names the file."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from ai_cost_attribution.project import warehouse_path
from ai_cost_attribution.warehouse import build_in_progress

BUILD_HINT = (
    "Build it with `aicost demo` (the demo company), or on your own logs with "
    "`dbt build --vars '{raw_path: /your/folder}'`."
)


class WarehouseUnavailable(Exception):
    """The page cannot read what it needs; the message says why in plain language."""


class WarehouseMissing(WarehouseUnavailable):
    """No warehouse file at the configured path."""


class WarehouseBusy(WarehouseUnavailable):
    """A build holds the file (or is creating it): retry in a moment."""


class WarehouseEmpty(WarehouseUnavailable):
    """The file exists but holds no built marts."""


class MartMissing(WarehouseUnavailable):
    """The warehouse was built before the mart a page section needs existed."""

    def __init__(self, relations: Sequence[str]) -> None:
        self.relations = list(relations)
        names = ", ".join(f"`{name}`" for name in self.relations)
        super().__init__(f"needs {names}: rebuild the warehouse (`aicost demo`, or `dbt build`) to add it")


class MartOutdated(WarehouseUnavailable):
    """The mart exists but lacks a column this app reads: it was built by an older version."""


@dataclass(frozen=True)
class FileVersion:
    """Identifies one version of the warehouse file; a cache key that changes on every rebuild."""

    path: str
    inode: int
    modified_ns: int
    size: int


def database_path() -> Path:
    """The warehouse this app reads: $AICOST_DB_PATH, else the project's default file."""
    return warehouse_path()


def current_version(path: Path | None = None) -> FileVersion:
    """The version of the warehouse file, or the reason it cannot be read."""
    path = path or database_path()
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        if build_in_progress(path):
            raise WarehouseBusy(
                "The warehouse is being built for the first time. This page fills in when the "
                "build finishes; reload it in a minute."
            ) from None
        _log(f"no warehouse at {path}")
        raise WarehouseMissing(f"There is no warehouse at the configured location yet. {BUILD_HINT}") from None
    return FileVersion(str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


def rebuild_running(path: Path | None = None) -> bool:
    """True while `build_warehouse` (behind `aicost demo`) builds a new version beside the live file."""
    return build_in_progress(path or database_path())


def _log(message: str) -> None:
    print(f"aicost-app: {message}", file=sys.stderr, flush=True)


def _translate(error: duckdb.Error, path: str) -> WarehouseUnavailable:
    text = str(error)
    _log(f"{path}: {text.splitlines()[0] if text else type(error).__name__}")
    if isinstance(error, duckdb.IOException) and "lock" in text.lower():
        return WarehouseBusy(
            "The warehouse is being rebuilt (a build holds the database file). The figures come "
            "back as soon as it finishes: press *Retry* or reload the page."
        )
    if isinstance(error, duckdb.IOException):
        return WarehouseEmpty(f"The configured warehouse file is not a readable DuckDB warehouse. {BUILD_HINT}")
    if isinstance(error, duckdb.CatalogException):
        return MartOutdated("The warehouse lacks a table this page reads: rebuild it with this version of the models.")
    if isinstance(error, duckdb.BinderException):
        return MartOutdated("A mart was built by an older version of the models. Rebuild the warehouse.")
    return WarehouseUnavailable("The warehouse could not answer this question (the server's log says why).")


# DuckDB keeps one database instance per file path and process while any connection to it is
# open, and a new connection joins that instance. After a build swaps a new file in, a query that
# started while another was still reading would therefore read the *old* file. Queries of this
# process run one at a time (each takes milliseconds), so every connection opens the file that
# is at the path now.
_ONE_CONNECTION_AT_A_TIME = threading.Lock()


def _execute(path: str, sql: str, parameters: Sequence[Any]) -> pd.DataFrame:
    with _ONE_CONNECTION_AT_A_TIME:
        try:
            connection = duckdb.connect(path, read_only=True)
        except duckdb.Error as error:
            raise _translate(error, path) from error
        try:
            return connection.execute(sql, list(parameters)).df()
        except duckdb.Error as error:
            raise _translate(error, path) from error
        finally:
            connection.close()


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(version: FileVersion, sql: str, parameters: tuple[Any, ...]) -> pd.DataFrame:
    return _execute(version.path, sql, parameters)


def fetch(sql: str, parameters: Iterable[Any] = ()) -> pd.DataFrame:
    """Run one read-only query (values bound as parameters) on the current warehouse version."""
    version = current_version()
    return _cached(version, sql, tuple(parameters))


RELATIONS_SQL = """
select table_schema || '.' || table_name as relation
from information_schema.tables
"""

COLUMNS_SQL = """
select table_schema || '.' || table_name as relation, column_name
from information_schema.columns
"""


def relations() -> frozenset[str]:
    """Every `schema.table` the current warehouse holds."""
    return frozenset(fetch(RELATIONS_SQL)["relation"])


def columns(relation: str) -> frozenset[str]:
    """The columns of one relation (empty when it does not exist)."""
    frame = fetch(COLUMNS_SQL)
    return frozenset(frame.loc[frame["relation"] == relation, "column_name"])


def has(*names: str) -> bool:
    """True when every relation is built."""
    built = relations()
    return all(name in built for name in names)


def require(*names: str) -> None:
    """Raise `MartMissing` naming every relation that is not built; `WarehouseEmpty` when the
    warehouse holds no core mart at all."""
    built = relations()
    if "marts.fct_llm_calls" not in built:
        raise WarehouseEmpty(f"The warehouse holds no built marts yet. {BUILD_HINT}")
    missing = [name for name in names if name not in built]
    if missing:
        raise MartMissing(missing)
