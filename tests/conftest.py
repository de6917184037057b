"""Shared fixtures: build the dbt project on a small raw folder written by the test.

Each fixture world is copied into its own temporary project (so a test can ship its own rate
card) and built with `dbt build` into its own DuckDB file, exactly as a user would build it."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

import dbt_in_process
from ai_cost_attribution import project
from ai_cost_attribution.contract import rate_card_columns, raw_csv_sources, seed_column_types
from parse_cache import WORLD_DB_PATH, cli_vars, start_from_saved_parse

REPOSITORY = Path(__file__).resolve().parents[1]

RATE_CARD_COLUMNS = rate_card_columns()

# The call pipeline and its tests (staging to fct_llm_calls, fct_rejected_events,
# fct_data_quality_issues and fct_traces, a quarter of the project's nodes): for the tests of how a
# source's records map to calls, which read nothing downstream. The robustness tests build
# everything, since no record may fail any model.
CALL_PIPELINE_BUILD = (
    "build", "--select", "+fct_llm_calls", "+fct_rejected_events", "+fct_data_quality_issues", "+fct_traces",
    "--indirect-selection", "cautious",  # only the tests whose every input is built
)  # fmt: skip


@dataclass
class BuiltWarehouse:
    """A warehouse built from a fixture raw folder, with helpers to read it."""

    db_path: Path
    raw_path: Path
    project_dir: Path
    build: subprocess.CompletedProcess[str]
    # the vars it was built with, raw_path included: a rebuild must name the same files
    dbt_vars: dict[str, Any] = field(default_factory=dict)
    # whether its dbt commands write target/*.json and run the unit tests (see run_world_dbt)
    artifacts: bool = False
    unit_tests: bool = False

    def dbt(
        self, arguments: Sequence[str], extra_vars: Mapping[str, Any] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run dbt again in this world, with the vars it was built with (and `extra_vars`)."""
        world_vars = {**self.dbt_vars, **(extra_vars or {})}
        return run_world_dbt(
            arguments, world_vars, self.project_dir, self.db_path, artifacts=self.artifacts, unit_tests=self.unit_tests
        )

    def rows(self, sql: str, parameters: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.db_path), read_only=True) as connection:
            return connection.execute(sql, parameters or []).fetchall()

    def scalar(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        result = self.rows(sql, parameters)
        return result[0][0] if result else None

    def dicts(self, sql: str, parameters: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.db_path), read_only=True) as connection:
            cursor = connection.execute(sql, parameters or [])
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def relation_texts(self) -> dict[tuple[str, str], str]:
        """Every relation of the warehouse (tables and views) by (schema, name), its rows as JSON
        text, read over one connection (one per relation reads the catalog again: 4x slower)."""
        with duckdb.connect(str(self.db_path), read_only=True) as connection:
            relations = connection.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
            ).fetchall()
            texts = {}
            for schema, name in relations:
                rows = connection.execute(f'select * from "{schema}"."{name}"').fetchall()
                texts[(schema, name)] = json.dumps(rows, default=str)
            return texts

    def relations_holding(self, needles: Iterable[str]) -> list[tuple[str, str, str]]:
        """(needle, schema, relation) for every needle some relation's rows hold."""
        return needles_found(self.relation_texts(), needles)

    def call(self, request_id: str) -> dict[str, Any]:
        found = self.dicts("select * from marts.fct_llm_calls where request_id = ?", [request_id])
        assert len(found) == 1, f"expected one call {request_id}, found {len(found)}"
        return found[0]


# A landed row's file name, whatever folder it sits in (tests that share a world read their own files).
SOURCE_FILE_NAME = "regexp_extract(source_file, '[^/]+$')"


def in_files(names: Iterable[str]) -> str:
    """SQL: the landed row came from one of the files `names` (by file name)."""
    quoted = ", ".join("'" + name.replace("'", "''") + "'" for name in names)
    return f"{SOURCE_FILE_NAME} in ({quoted})"


def needles_found(texts: Mapping[tuple[str, str], str], needles: Iterable[str]) -> list[tuple[str, str, str]]:
    """(needle, schema, relation) for every needle in the relation texts of BuiltWarehouse.relation_texts."""
    return [(needle, schema, name) for needle in needles
            for (schema, name), text in texts.items() if needle in text]  # fmt: skip


def without_unit_tests(command: Sequence[str]) -> list[str]:
    """A `dbt build` command that skips the project's unit tests (see run_world_dbt); any other
    command, or one that already excludes resource types, as it is."""
    command = list(command)
    if command[:1] == ["build"] and "--exclude-resource-type" not in command:
        return [*command, "--exclude-resource-type", "unit_test"]
    return command


def run_world_dbt(
    arguments: Sequence[str],
    dbt_vars: Mapping[str, Any],
    project_dir: Path,
    db_path: Path,
    *,
    artifacts: bool = False,
    unit_tests: bool = False,
) -> subprocess.CompletedProcess[str]:
    """dbt in a fixture world the way that keeps its saved parse (tests/parse_cache.py): the raw
    folder through AICOST_RAW_PATH, the warehouse relative to the project when it sits beside it;
    in this process (tests/dbt_in_process.py) unless AICOST_TEST_DBT_SUBPROCESS=1.

    Without `artifacts` dbt writes no target/*.json (`--no-write-json`: manifest.json,
    run_results.json, semantic_manifest.json), about a tenth of a small world's build; a test that
    reads them builds its world with `artifacts=True`. Compiled SQL and the saved parse are
    written either way.

    Without `unit_tests` a `dbt build` skips the project's unit tests: they run on the inputs
    written in their YAML, never on the world's, so one world (tests/test_project.py) runs them
    and the others are spared about a second each."""
    warehouse = WORLD_DB_PATH if db_path == project_dir.parent / WORLD_DB_PATH.name else db_path
    raw_path = Path(dbt_vars["raw_path"]) if "raw_path" in dbt_vars else None
    command = [*arguments] if artifacts else [*arguments, "--no-write-json"]
    if not unit_tests:
        command = without_unit_tests(command)
    return dbt_in_process.run(command, project_dir, cli_vars(dbt_vars), warehouse, raw_path)


def write_jsonl(path: Path, lines: Iterable[Mapping[str, Any] | str]) -> None:
    """One JSON object per line; a str is written as is (to craft malformed lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


def contract_csv(table: str, rows: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, ...], Sequence[Mapping[str, Any]]]:
    """An optional CSV input for `build_world`: its rows under the contract's header (every column
    of raw_contract.csv_inputs.<table>, in order; a column a row lacks is written empty)."""
    return raw_csv_sources()[table], rows


def copy_project(
    destination: Path,
    rate_card_rows: Sequence[Mapping[str, Any]] | None,
    model_alias_rows: Sequence[Mapping[str, Any]] | None = None,
) -> Path:
    """A private copy of the project (project.PROJECT_PARTS), with its own rate card and model
    aliases when given (each under its seed's columns)."""
    project.copy_project(destination, REPOSITORY)
    if rate_card_rows is not None:
        write_csv(destination / "seeds" / "rate_card.csv", rate_card_rows, RATE_CARD_COLUMNS)
    if model_alias_rows is not None:
        write_csv(destination / "seeds" / "model_aliases.csv", model_alias_rows, seed_column_types("model_aliases"))
    return destination


def build_world(
    root: Path,
    *,
    usage: Mapping[str, Iterable[Mapping[str, Any] | str]] | None = None,
    files: Mapping[str, bytes | str | Iterable[Mapping[str, Any] | str]] | None = None,
    csv_inputs: Mapping[str, tuple[Sequence[str], Sequence[Mapping[str, Any]]]] | None = None,
    rate_card_rows: Sequence[Mapping[str, Any]] | None = None,
    model_alias_rows: Sequence[Mapping[str, Any]] | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    command: Sequence[str] = ("build",),
    expect_success: bool = True,
    artifacts: bool = False,
    unit_tests: bool = False,
) -> BuiltWarehouse:
    """Write a raw folder (usage files by name, other files by their path under the raw folder,
    optional CSVs), build it, return the warehouse (whose dbt commands write target/*.json only
    with `artifacts` and run the unit tests only with `unit_tests`: see run_world_dbt).

    `files` maps a path such as ``litellm_spend_logs/day1.jsonl`` to its content: bytes or text
    written as they are, or records written as JSON Lines."""
    raw_path = root / "raw"
    for file_name, lines in (usage or {}).items():
        write_jsonl(raw_path / "usage" / file_name, lines)
    for relative_path, content in (files or {}).items():
        path = raw_path / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            write_jsonl(path, content)
    for table_name, (columns, rows) in (csv_inputs or {}).items():
        write_csv(raw_path / f"{table_name}.csv", rows, columns)
    project_dir = copy_project(root / "project", rate_card_rows, model_alias_rows)
    world_vars = {"raw_path": str(raw_path), **(dbt_vars or {})}
    start_from_saved_parse(project_dir, world_vars, REPOSITORY)
    result = run_world_dbt(
        command, world_vars, project_dir, root / "warehouse.duckdb", artifacts=artifacts, unit_tests=unit_tests
    )
    if expect_success and result.returncode != 0:
        pytest.fail(f"dbt {' '.join(command)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    return BuiltWarehouse(
        db_path=root / "warehouse.duckdb", raw_path=raw_path, project_dir=project_dir, build=result,
        dbt_vars=world_vars, artifacts=artifacts, unit_tests=unit_tests,
    )  # fmt: skip


_SHARED: dict[str, BuiltWarehouse] = {}


def shared_world(
    name: str, tmp_path_factory: pytest.TempPathFactory, build: Callable[[Path], BuiltWarehouse]
) -> BuiltWarehouse:
    """The world `build` makes in a folder, built once per test session for every module that
    reads it (only reads it: a test that rebuilds works on a copy). In a parallel run the workers
    share it too: the first to ask builds it in the session's temporary folder while another that
    asks meanwhile waits for it; a later one reads where it is from that folder's built.json."""
    if name not in _SHARED:
        base = tmp_path_factory.getbasetemp()
        session = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
        with (session / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            _SHARED[name] = _built_once(session / name, tmp_path_factory, build)
    return _SHARED[name]


def _built_once(
    root: Path, tmp_path_factory: pytest.TempPathFactory, build: Callable[[Path], BuiltWarehouse]
) -> BuiltWarehouse:
    """The world in `root`, built there unless a worker already did; after a failed build there,
    built again in a folder of this worker's own (which reports the failure)."""
    built = root / "built.json"
    if built.exists():
        paths = json.loads(built.read_text(encoding="utf-8"))
        return BuiltWarehouse(
            db_path=Path(paths["db_path"]), raw_path=Path(paths["raw_path"]), project_dir=Path(paths["project_dir"]),
            build=subprocess.CompletedProcess(paths["build"], 0, "", ""), dbt_vars=paths["dbt_vars"],
            artifacts=paths["artifacts"], unit_tests=paths["unit_tests"],
        )  # fmt: skip
    if root.exists():
        return build(tmp_path_factory.mktemp(root.name))
    world = build(root)
    paths = {"db_path": str(world.db_path), "raw_path": str(world.raw_path), "project_dir": str(world.project_dir),
             "build": list(world.build.args), "dbt_vars": world.dbt_vars, "artifacts": world.artifacts,
             "unit_tests": world.unit_tests}  # fmt: skip
    built.write_text(json.dumps(paths), encoding="utf-8")
    return world


def rate(provider: str, model: str, **prices: Any) -> dict[str, Any]:
    """A rate card row: in force from 2024-01-01 unless effective_from is given."""
    return {"provider": provider, "model": model, "effective_from": "2024-01-01", "mode": "chat",
            "price_source": "custom", **prices}  # fmt: skip


def event(request_id: str, **fields: Any) -> dict[str, Any]:
    """A valid usage event with sensible defaults, overridden by `fields`."""
    base: dict[str, Any] = {
        "request_id": request_id,
        "occurred_at": "2026-01-10T12:00:00Z",
        "provider": "openai",
        "model": "gpt-4o",
        "input_tokens": 1000,
        "output_tokens": 100,
    }
    base.update(fields)
    return base


# pytest-xdist hands out test files in collection order: the longest start first, so that no
# worker is left running one alone at the end (the files' worker-seconds in a full run, longest
# first, down to about 25 s; scripts/test.sh keeps xdist from reordering them). The last file to
# read a shared world (conftest.shared_world) comes well after the first, which builds it.
LONGEST_FIRST = (
    "test_engines.py",  # with AICOST_TEST_SPARK=1 the longest by far
    "test_bench.py",
    "test_app_browser.py",
    "test_app.py",
    "test_property_every_source.py",
    "test_litellm_sources.py",
    "test_incremental.py",
    "test_standalone.py",
    "test_litellm_database.py",
    "test_otel_robustness.py",
    "test_provider_truth.py",
    "test_sqlglot_portability.py",
    "test_attribution.py",
    "test_no_line_breaks_a_build.py",
    "test_unit_economics.py",
    "test_scorecard.py",
    "test_otel_schema_spans.py",
    "test_python_agrees_with_sql.py",
    "test_otel_real_spans.py",
    "test_litellm_robustness.py",
    "test_portability.py",
    "test_mixed_sources.py",
    "test_demo_provider_truth.py",
    "test_app_access.py",
    "test_alerts.py",
    "test_rejects.py",
    "test_focus.py",
    "test_project.py",
    "test_config_checks.py",
    "test_langfuse_robustness.py",
    "test_langfuse.py",
    "test_semantic_layer.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The PostgreSQL databases this test process created are dropped (tests/test_portability.py)."""
    portability = sys.modules.get("test_portability")
    if portability is not None:
        portability.drop_session_databases()
