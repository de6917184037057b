"""sqlglot guards portability: every compiled model parses and transpiles to the warehouses' dialects.

The project is compiled once on a small fixture world (DuckDB target, after the landing so the
staging models see the landed relations), and once on PostgreSQL (dbt-postgres is installed).
Every compiled SQL model is parsed with sqlglot (read dialect: the target's) and written in
snowflake, bigquery, databricks, trino and postgres with unsupported constructs raised as errors.
A function sqlglot does not know is reported too: it would be written verbatim, unchecked.

What a dialect cannot take is either spelled in an adapter.dispatch variant of the compiled
target (listed below with that macro: the other targets compile their own variant), or a known
difference with its reason. Anything else fails, naming the model, the dialect and the construct."""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, UnsupportedError

from ai_cost_attribution.project import dbt_environment, dbt_executable
from conftest import REPOSITORY, build_world
from test_attribution import CALLS, INPUTS, RATE_CARD
from test_portability import copy_raw_tables, ensure_local_postgres, recreate_database, session_database

DIALECTS = ("snowflake", "bigquery", "databricks", "trino", "postgres")
DATABASE = session_database("aicost_portability_sqlglot")

# read dialect -> construct (as reported below) -> how the target's variant spells it, and the
# adapter.dispatch macros whose variant for that target does; every other target compiles its own
# variant (default__, postgres__, spark__...).
DISPATCHED: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "duckdb": {
        "unsupported: Unsupported TRY function": ("try(", ("aicost_litellm_tag_value",)),
        "unknown function: JSON_TRANSFORM": ("json_transform(", ("aicost_litellm_tag_value",)),
        "unknown function: TIMEZONE": (
            "timezone(",
            ("aicost_to_utc_timestamp", "aicost_timestamp_tz_to_utc", "aicost_epoch_seconds_to_utc_timestamp"),
        ),
        "unknown function: HASH": ("hash(", ("aicost_hash_key",)),
    },
    "postgres": {
        "unknown function: JSONB_TYPEOF": ("jsonb_typeof(", ("aicost_litellm_tag_value",)),
        "unknown function: JSONB_ARRAY_ELEMENTS_TEXT": ("jsonb_array_elements_text(", ("aicost_litellm_tag_value",)),
        "unsupported: Named columns are not supported in table alias.": ("as tags(tag)", ("aicost_litellm_tag_value",)),
    },
}

# (target dialect, construct) -> why it is no difference in this project.
KNOWN: dict[tuple[str, str], str] = {
    ("bigquery", "unsupported: 'NULLS LAST' translation not supported in window function SUM"): (
        "BigQuery sorts NULLs first in ascending order and takes no NULLS LAST in a window; the running"
        " sums of the allocations order by the grain's keys (a month, a date, the attribution dimensions,"
        " which the no_null_dimensions test keeps non-NULL), so where NULLs sort changes no result"
    ),
    (
        "bigquery",
        "unsupported: 'NULLS LAST' translation not supported for aggregate function GROUP_CONCAT with  sort order",
    ): (
        "the incremental fingerprints order string_agg by the aggregated value itself (string_agg skips"
        " NULLs) and the coverage mart by a row_number rank (never NULL): where NULLs sort changes no text"
    ),
}


@dataclass
class Compiled:
    """The compiled SQL of every SQL model of one target, by model name."""

    read: str
    models: dict[str, str]


def compiled_models(manifest_path: Path) -> dict[str, str]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["language"] == "sql"
    }


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Compiled]:
    # `dbt seed` runs the landing (on-run-start), so the compile sees the landed relations
    root = tmp_path_factory.mktemp("sqlglot")
    built = build_world(
        root,
        usage={"calls.jsonl": CALLS},
        csv_inputs=INPUTS,
        rate_card_rows=RATE_CARD,
        command=("seed",),
        artifacts=True,  # the compiled models are read from manifest.json
    )
    models = "resource_type:model"
    on_duckdb = built.dbt(["compile", "--select", models])
    assert on_duckdb.returncode == 0, on_duckdb.stdout[-6000:]
    targets = {"duckdb": Compiled("duckdb", compiled_models(built.project_dir / "target" / "manifest.json"))}
    ensure_local_postgres()
    recreate_database(DATABASE)
    copy_raw_tables(built.db_path, DATABASE)
    environment = dbt_environment(built.db_path)
    environment["AICOST_PG_DATABASE"] = DATABASE
    on_postgres = subprocess.run(
        [dbt_executable(), "compile", "--select", models, "--target", "postgres", "--target-path", "target_postgres",
         "--project-dir", str(built.project_dir), "--profiles-dir", str(built.project_dir)],
        cwd=built.project_dir, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert on_postgres.returncode == 0, on_postgres.stdout[-6000:]
    targets["postgres"] = Compiled("postgres", compiled_models(built.project_dir / "target_postgres" / "manifest.json"))
    return targets


def constructs(sql: str, read: str) -> dict[str, set[str]]:
    """Target dialect -> what it cannot take of `sql`: sqlglot's unsupported messages, and the
    functions sqlglot does not know (written verbatim: unchecked, except in the read dialect itself)."""
    expressions = sqlglot.parse(sql, read=read, error_level=ErrorLevel.RAISE)
    unknown = {
        f"unknown function: {node.name.upper()}"
        for expression in expressions
        for node in expression.find_all(exp.Anonymous)
    }
    found: dict[str, set[str]] = {}
    for dialect in DIALECTS:
        messages = set(unknown) if dialect != read else set()
        for expression in expressions:
            try:
                expression.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE, max_unsupported=10_000)
            except UnsupportedError as error:
                messages |= {f"unsupported: {message}" for message in str(error).split("\n\n")}
        found[dialect] = messages
    return found


def findings(target: Compiled) -> dict[tuple[str, str], set[str]]:
    """(dialect, construct) -> the models holding it."""
    models: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, sql in target.models.items():
        for dialect, messages in constructs(sql, target.read).items():
            for message in messages:
                models[(dialect, message)].add(name)
    return models


@pytest.mark.parametrize("read", ["duckdb", "postgres"])
def test_every_model_transpiles_or_its_construct_is_dispatched(compiled: dict[str, Compiled], read: str) -> None:
    target = compiled[read]
    # every SQL model of the project (the anomaly model's Python twin is not SQL)
    assert len(target.models) == len(list((REPOSITORY / "models").rglob("*.sql")))
    found = findings(target)
    failures = [
        f"{model}: {dialect}: {construct}"
        for (dialect, construct), models in sorted(found.items())
        if construct not in DISPATCHED[read] and (dialect, construct) not in KNOWN
        for model in sorted(models)
    ]
    assert not failures, "\n".join(failures)
    # the lists hold nothing stale: each entry is still met
    assert set(DISPATCHED[read]) <= {construct for _, construct in found}
    assert set(KNOWN) <= set(found)


def macro_body(name: str) -> str | None:
    """The text of `{% macro name(...) %} ... {% endmacro %}` in macros/, or None."""
    pattern = re.compile(r"{%-?\s*macro\s+" + re.escape(name) + r"\(.*?{%-?\s*endmacro", re.DOTALL)
    for path in sorted((REPOSITORY / "macros").rglob("*.sql")):
        match = pattern.search(path.read_text(encoding="utf-8"))
        if match:
            return match.group(0)
    return None


@pytest.mark.parametrize("read", sorted(DISPATCHED))
def test_each_listed_construct_is_spelled_in_a_dispatched_variant(read: str) -> None:
    for construct, (spelling, macros) in DISPATCHED[read].items():
        for macro in macros:
            dispatcher = macro_body(macro)
            assert dispatcher is not None and f"adapter.dispatch('{macro}'" in dispatcher, f"{macro} is not dispatched"
            variant = macro_body(f"{read}__{macro}")
            assert variant is not None and spelling in variant.lower(), f"{read}__{macro} does not spell {construct}"
            assert macro_body(f"default__{macro}") is not None, f"{macro} has no default__ variant for other targets"
