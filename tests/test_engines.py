"""One fixture world, built on DuckDB, PostgreSQL and Spark, gives the same figures to the cent.

The world is the attribution engine's (tests/test_attribution.py: cache pooling, every shared-cost
driver, invoice reconciliation, a trace) with the inputs of the unit-economics marts and a month
of daily calls with a spike for the anomaly mart. DuckDB builds it from the raw folder;
`aicost load` writes the same folder into PostgreSQL and into Spark (session mode, its metastore
and tables under the test's folder), and each is built with `dbt build --target NAME`. Every
relation of the marts schema is compared, row for row, with every column but the build's own
stamps. Then more raw lines land (a new call, a replay, a correction that moves a call to
another month, a late call of a built trace) and Spark builds incrementally: it must equal a
full DuckDB build of both files. The DuckDB and PostgreSQL half also proves what a user of a
warehouse runs besides dbt: `aicost load`, `aicost summary` and the FOCUS export with `--target`.

Spark runs in one subprocess (tests/spark_steps.py: `aicost load`, dbt and the reads in turn, on
one JVM): the metastore is an embedded Derby database that one process opens at a time, and each
new Spark process pays its start and warm-up again."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ai_cost_attribution.load import fingerprint
from ai_cost_attribution.project import dbt_environment
from conftest import BuiltWarehouse, contract_csv, event, run_world_dbt, write_jsonl
from test_attribution import CALLS as ENGINE_CALLS
from test_attribution import INPUTS as ENGINE_INPUTS
from test_attribution import PROD
from test_attribution import RATE_CARD as ENGINE_RATE_CARD
from test_portability import (
    TwoTargets,
    aicost,
    build_both,
    normalise,
    query_postgres,
    recreate_database,
    session_database,
)

# --- the world ---------------------------------------------------------------------------------

RATE_CARD = ENGINE_RATE_CARD

# January 1 to 24, feature `reports` of customer_d on gpt-4o-mini (0.15 per million input tokens):
# 0.15 on odd days, 0.18 on even days, and a spike of 6.00 on the 24th, after 23 days of history
# (var anomaly_min_history_days is 21, anomaly_min_excess_usd 5).
JANUARY = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(24)]


def reports_tokens(day: date) -> int:
    if day.day == 24:
        return 40_000_000
    return 1_000_000 if day.day % 2 else 1_200_000


DAILY_CALLS = [
    event(f"reports-{day.isoformat()}", occurred_at=f"{day.isoformat()}T08:00:00Z", model="gpt-4o-mini",
          customer_id="customer_d", feature="reports", user_id="u9", input_tokens=reports_tokens(day),
          output_tokens=0, **PROD)
    for day in JANUARY
]  # fmt: skip
# 12 odd days x 0.15 + 11 even days x 0.18 + 6.00
DAILY_COST = Decimal("12") * Decimal("0.15") + Decimal("11") * Decimal("0.18") + Decimal("6.00")

CALLS = [*ENGINE_CALLS, *DAILY_CALLS]

UNIT_ECONOMICS_INPUTS = {
    "customers": contract_csv(
        "customers",
        [
            {"customer_id": "acme", "customer_name": "Acme", "plan_tier": "pro"},
            {"customer_id": "globex", "customer_name": "Globex", "plan_tier": "enterprise"},
            {"customer_id": "customer_d", "customer_name": "D Corp", "plan_tier": "free"},
        ],
    ),
    "customer_revenue": (
        ["customer_id", "month", "revenue_usd"],
        [
            {"customer_id": "acme", "month": "2026-02-01", "revenue_usd": "300"},
            {"customer_id": "globex", "month": "2026-02-01", "revenue_usd": "120"},
            {"customer_id": "acme", "month": "2026-03-01", "revenue_usd": "310"},
        ],
    ),
    "outcomes": (
        ["outcome_id", "outcome_type", "occurred_at", "customer_id", "feature", "agent", "ticket_id", "trace_id"],
        [
            {
                "outcome_id": "o1",
                "outcome_type": "ticket_resolved",
                "occurred_at": "2026-03-05T09:10:00Z",
                "ticket_id": "TCK-1",
                "trace_id": "t1",
            },
        ],
    ),  # fmt: skip
    "feature_owners": (
        ["feature", "team", "product"],
        [
            {"feature": "chat", "team": "assistants", "product": "helpdesk"},
            {"feature": "search", "team": "search", "product": "helpdesk"},
            {"feature": "support", "team": "assistants", "product": "helpdesk"},
            {"feature": "reports", "team": "analytics", "product": "insights"},
        ],
    ),
}
INPUTS = {**ENGINE_INPUTS, **UNIT_ECONOMICS_INPUTS}

# The second file, for the incremental run.
LATER_CALLS = [
    # a new February call: the February shared pools and the invoice difference are spread again
    event("c6", occurred_at="2026-02-11T12:00:00Z", customer_id="globex", feature="search", user_id="u5",
          input_tokens=2_000, output_tokens=0, **PROD),
    # an exact replay of c2: a duplicate reject, nothing changes
    next(call for call in ENGINE_CALLS if call["request_id"] == "c2"),
    # a correction of c3, later: it moves from February to March (its partition on Spark)
    {**next(call for call in ENGINE_CALLS if call["request_id"] == "c3"), "occurred_at": "2026-03-01T00:00:00Z"},
    # a late tool call of trace t1, built on the first run
    event("t_tool", trace_id="t1", call_role="tool", model="gpt-4o-mini", occurred_at="2026-03-05T09:00:01Z",
          input_tokens=300, output_tokens=10),
]  # fmt: skip

# What a build stamps (run time, landing time, its id, the fingerprint of its inputs): never equal
# twice; and which anomaly model scored (the Python model on DuckDB, its SQL twin elsewhere).
BUILD_STAMPS = {"processed_through", "landed_at", "built_at", "invocation_id", "reference_fingerprint", "scored_by"}

# --- Spark in one subprocess -------------------------------------------------------------------


def spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return "pyspark and dbt-spark are not installed (AICOST_TEST_SPARK=1 bash scripts/test.sh installs them)"
    if shutil.which("java") is None:
        return "no java on PATH (Spark needs Java 17)"
    return None


@dataclass
class SparkProject:
    """The project copy of a built world, pointed at a Spark metastore and tables of its own."""

    project_dir: Path
    spark_dir: Path

    def environment(self) -> dict[str, str]:
        environment = dbt_environment(self.project_dir / "unused.duckdb")
        environment.update(AICOST_PROJECT_DIR=str(self.project_dir), AICOST_SPARK_DIR=str(self.spark_dir))
        return environment

    def run_plan(self, plan: list[dict[str, Any]]) -> tuple[list[tuple[str, float]], dict[str, dict[str, list[tuple]]]]:
        """The steps in one Spark process (tests/spark_steps.py); returns each step's seconds and
        each read's rows by relation."""
        plan_path, result_path = self.spark_dir / "plan.json", self.spark_dir / "result.json"
        self.spark_dir.mkdir(parents=True, exist_ok=True)
        plan_path.write_text(json.dumps(plan))
        ran = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("spark_steps.py")), str(plan_path), str(result_path)],
            cwd=self.project_dir, env=self.environment(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result_path.exists(), f"the Spark steps did not finish:\n{ran.stdout[-4000:]}{ran.stderr[-6000:]}"
        result = json.loads(result_path.read_text())
        assert result["error"] is None, result["error"]
        reads = {
            key: {name: [tuple(decode(v) for v in row) for row in rows] for name, rows in answers.items()}
            for key, answers in result["reads"].items()
        }
        return [(label, seconds) for label, seconds in result["seconds"]], reads

    def dbt(self, command: str) -> dict[str, Any]:
        directory = str(self.project_dir)
        return {"dbt": [command, "--target", "spark", "--project-dir", directory, "--profiles-dir", directory]}


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        return datetime.fromisoformat(value["time"]) if "time" in value else date.fromisoformat(value["date"])
    return value


# --- comparing ---------------------------------------------------------------------------------


def canonical(rows: list[tuple]) -> list[tuple]:
    """Rows in an engine-free form, sorted: decimals by value to 11 places, times in UTC as text,
    doubles to ten decimals (a ratio's last bits differ between engines, never its cents)."""

    def value(v: Any) -> Any:
        if isinstance(v, Decimal) and v.as_tuple().exponent < -12:
            v = float(v)  # not money (12 places): a ratio PostgreSQL divides in numeric, DuckDB in double
        if isinstance(v, Decimal):
            # 11 places: Spark subtracts two decimal(38, 12) into decimal(38, 11) (its precision
            # rule for a result needing 39 digits), e.g. the scorecard's change
            return format(v.quantize(Decimal("1E-11")).normalize(), "f")
        if isinstance(v, datetime):
            return (v.astimezone(UTC).replace(tzinfo=None) if v.tzinfo else v).isoformat()
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, float):
            return format(round(v, 10) + 0.0, ".10f")
        if isinstance(v, bool) or v is None:
            return v
        return str(v) if isinstance(v, int) else v

    converted = [tuple(value(v) for v in row) for row in rows]
    return sorted(converted, key=lambda row: [(v is None, str(v)) for v in row])


def mart_queries(duckdb: BuiltWarehouse, quote: str) -> dict[str, str]:
    """A query per relation of the marts schema: its columns but the build stamps, each name
    quoted with `quote` (the FOCUS exports' names are mixed case)."""
    columns = duckdb.rows(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        " order by table_name, ordinal_position"
    )
    by_relation: dict[str, list[str]] = {}
    for relation, column in columns:
        if column not in BUILD_STAMPS:
            by_relation.setdefault(relation, []).append(f"{quote}{column}{quote}")
    return {relation: f"select {', '.join(names)} from marts.{relation}" for relation, names in by_relation.items()}


LEDGER_BY_MONTH_TYPE_PROVIDER = (
    "select ledger_month, cost_type, provider, sum(amount_usd) from marts.fct_cost_ledger group by 1, 2, 3"
)
LEDGER_TOTAL = "select sum(amount_usd) from marts.fct_cost_ledger"


@dataclass
class ThreeEngines:
    both: TwoTargets
    queries: dict[str, str]
    spark: dict[str, list[tuple]]
    spark_incremental: dict[str, list[tuple]]
    full_refresh: BuiltWarehouse
    seconds: list[tuple[str, float]]

    def duckdb(self, name: str) -> list[tuple]:
        return canonical(self.both.duckdb.rows(self.queries[name]))

    def postgres(self, name: str) -> list[tuple]:
        return canonical(query_postgres(self.both.database, self.queries[name]))


@pytest.fixture(scope="module")
def two_engines(tmp_path_factory: pytest.TempPathFactory) -> TwoTargets:
    """The world on DuckDB and, loaded with `aicost load`, on PostgreSQL."""
    return build_both(
        tmp_path_factory.mktemp("engines"), session_database("aicost_engines"), {}, load_command=True,
        usage={"calls.jsonl": CALLS}, csv_inputs=INPUTS, rate_card_rows=RATE_CARD,
    )  # fmt: skip


@pytest.fixture(scope="module")
def engines(two_engines: TwoTargets) -> ThreeEngines:
    missing = spark_missing()
    if missing and os.environ.get("AICOST_REQUIRE_SPARK") == "1":
        pytest.fail(f"AICOST_REQUIRE_SPARK=1 but {missing}")
    if missing:
        pytest.skip(missing)
    both = two_engines
    root = both.duckdb.project_dir.parent
    ledger = {"ledger_by_month_type_provider": LEDGER_BY_MONTH_TYPE_PROVIDER, "ledger_total": LEDGER_TOTAL}
    queries = {**mart_queries(both.duckdb, '"'), **ledger}
    spark_queries = {**mart_queries(both.duckdb, "`"), **ledger}
    spark = SparkProject(both.duckdb.project_dir, root / "spark")
    # the raw folder as the DuckDB build named it, so file names match
    raw_folder = both.duckdb.dbt_vars["raw_path"]
    later = root / "later.jsonl"
    write_jsonl(later, LATER_CALLS)
    seconds, reads = spark.run_plan([
        {"load": raw_folder},
        spark.dbt("build"),
        {"read": spark_queries, "as": "first"},
        # more raw lines land, are loaded, and the models only run: the full build above ran
        # every test on Spark, and Spark's cost is per node
        {"move": [str(later), str(both.duckdb.raw_path / "usage" / "later.jsonl")]},
        {"load": raw_folder},
        spark.dbt("run"),
        {"read": spark_queries, "as": "incremental"},
    ])  # fmt: skip
    first, incremental = reads["first"], reads["incremental"]
    # the full refresh: the same folder (the same file names), built from scratch on DuckDB
    db_path = root / "full_refresh.duckdb"
    rebuilt = run_world_dbt(["build"], both.duckdb.dbt_vars, both.duckdb.project_dir, db_path)
    assert rebuilt.returncode == 0, rebuilt.stdout[-6000:]
    full_refresh = BuiltWarehouse(db_path, both.duckdb.raw_path, both.duckdb.project_dir, rebuilt, both.duckdb.dbt_vars)
    print(f"spark seconds: {seconds}")
    return ThreeEngines(both, queries, first, incremental, full_refresh, seconds)


def test_the_world_has_every_figure_to_compare(engines: ThreeEngines) -> None:
    """Not a comparison of empty tables: the calls, the pools, the reconciliation, the anomaly."""
    duckdb = engines.both.duckdb
    assert duckdb.scalar("select count(*) from marts.fct_llm_calls") == len(CALLS)
    # tests/test_attribution.py's hand-computed ledger plus the January daily calls
    assert duckdb.scalar(LEDGER_TOTAL) == Decimal("489.124773") + DAILY_COST
    assert duckdb.scalar("select count(distinct cost_pool) from marts.mart_shared_cost_pools") >= 8
    assert duckdb.scalar("select count(*) from marts.mart_invoice_reconciliation") >= 2
    flagged = duckdb.rows(
        "select dimension, dimension_value, cost_date from marts.mart_cost_anomalies where is_anomaly order by 1"
    )
    assert [(dimension, value, day.isoformat()) for dimension, value, day in flagged] == [
        ("customer_id", "customer_d", "2026-01-24"),
        ("feature", "reports", "2026-01-24"),
    ]
    assert duckdb.scalar("select count(*) from marts.mart_customer_unit_economics") > 0


@pytest.mark.parametrize(
    "relation",
    [
        "fct_llm_calls",
        "ledger_by_month_type_provider",
        "ledger_total",
        "fct_cost_ledger",
        "mart_shared_cost_pools",
        "mart_invoice_reconciliation",
        "fct_traces",
        "mart_cost_anomalies",
        "mart_customer_unit_economics",
        "mart_feature_unit_economics",
        "mart_agent_unit_economics",
        "mart_plan_tier_unit_economics",
        "mart_feature_outcome_economics",
        "mart_feature_routing_coverage",
        "mart_model_mix",
        "mart_unit_economics_scorecard",
        "mart_usage_by_environment",
    ],
)
def test_the_named_figures_are_identical_on_three_engines(engines: ThreeEngines, relation: str) -> None:
    on_duckdb = engines.duckdb(relation)
    assert on_duckdb, f"{relation} is empty on DuckDB: the comparison would prove nothing"
    assert engines.postgres(relation) == on_duckdb
    assert canonical(engines.spark[relation]) == on_duckdb


def test_every_mart_is_identical_on_three_engines(engines: ThreeEngines) -> None:
    differing = [
        relation
        for relation in engines.queries
        if not (engines.postgres(relation) == engines.duckdb(relation) == canonical(engines.spark[relation]))
    ]
    assert differing == []


def test_an_incremental_spark_run_equals_a_full_refresh(engines: ThreeEngines) -> None:
    reference = engines.full_refresh
    assert reference.scalar("select count(*) from marts.fct_llm_calls") == len(CALLS) + 2  # c6 and t_tool
    assert reference.scalar("select occurred_at from marts.fct_llm_calls where request_id = 'c3'").month == 3
    differing = [
        relation
        for relation, sql in engines.queries.items()
        if canonical(engines.spark_incremental[relation]) != canonical(reference.rows(sql))
    ]
    assert differing == []
    # and the run changed something: the new call and the moved one
    assert canonical(engines.spark_incremental["fct_llm_calls"]) != canonical(engines.spark["fct_llm_calls"])


# --- DuckDB and PostgreSQL: the engine, `aicost load`, `aicost summary`, the FOCUS export ---------

LEDGER_FIGURES = (
    "select ledger_month, cost_type, cost_pool, provider, model, customer_id, feature, environment,"
    " is_allocated, amount_usd from marts.fct_cost_ledger order by 1, 2, 3, 4, 5, 6, 7, 8, 9"
)


def test_ledger_and_engine_are_identical_on_postgres(two_engines: TwoTargets) -> None:
    on_duckdb, on_postgres = two_engines.both(LEDGER_FIGURES)
    assert on_postgres == on_duckdb
    # to the cent of the hand-computed total: tests/test_attribution.py's ledger plus the January calls
    total = query_postgres(two_engines.database, LEDGER_TOTAL)[0][0]
    assert total == Decimal("489.124773") + DAILY_COST == Decimal("498.904773")
    traces_duckdb, traces_postgres = two_engines.both(
        "select trace_id, calls, cost_usd, overhead_cost_usd from marts.fct_traces order by 1"
    )
    assert traces_postgres == traces_duckdb


def test_aicost_load_lands_every_table_of_the_folder(two_engines: TwoTargets) -> None:
    landed = two_engines.duckdb.rows(
        "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
    )
    loaded = query_postgres(
        two_engines.database, "select table_name from information_schema.tables where table_schema = 'raw'"
    )
    assert sorted(name for (name,) in loaded) == [name for (name,) in landed]
    for table in ["usage_events", "shared_costs", "provider_invoices", "customers", "outcomes"]:
        count = f"select count(*) from raw.{table}"
        assert query_postgres(two_engines.database, count) == two_engines.duckdb.rows(count)
    assert query_postgres(two_engines.database, "select count(*) from raw.usage_events")[0][0] == len(CALLS)


def loaded_rows(output: str) -> dict[str, str]:
    """`aicost load`'s report: table -> what follows its row count ("" when it was written)."""
    rows = [line.split(" rows", 1) for line in output.splitlines() if line.startswith("  ") and " rows" in line]
    return {head.split()[0]: tail.strip() for head, tail in rows}


def test_a_load_fingerprint_is_the_rows_and_types_not_their_order() -> None:
    columns = [("request_id", "VARCHAR"), ("input_tokens", "BIGINT")]
    rows = [("a", 1), ("b", 2)]
    written = fingerprint(columns, ["text", "bigint"], rows)
    assert fingerprint(columns, ["text", "bigint"], [("b", 2), ("a", 1)]) == written
    assert fingerprint(columns, ["text", "bigint"], [("a", 1), ("b", 3)]) != written
    assert fingerprint(columns, ["text", "numeric"], rows) != written  # another target type: written again


def test_aicost_load_writes_only_the_tables_that_changed(two_engines: TwoTargets, tmp_path: Path) -> None:
    """A daily load of a grown folder: the usage table is written again, every other one is left."""
    project, database = two_engines.duckdb.project_dir, session_database("aicost_engines_reload")
    raw = tmp_path / "raw"
    shutil.copytree(two_engines.duckdb.raw_path, raw)  # (Spark's half may have added its later file)
    recreate_database(database)
    first = aicost(project, database, "load", "--target", "postgres", "--raw", str(raw))
    assert first.returncode == 0, first.stdout + first.stderr
    assert set(loaded_rows(first.stdout).values()) == {""}  # a new database: every table written
    usage_events = query_postgres(database, "select count(*) from raw.usage_events")[0][0]
    write_jsonl(raw / "usage" / "next_day.jsonl", [event("reload-1", occurred_at="2026-03-06T10:00:00Z")])
    second = aicost(project, database, "load", "--target", "postgres", "--raw", str(raw))
    assert second.returncode == 0, second.stdout + second.stderr
    report = loaded_rows(second.stdout)
    assert {name for name, note in report.items() if note == ""} == {"usage_events"}
    assert set(report.values()) == {"", "unchanged, left as it was"} and len(report) == len(loaded_rows(first.stdout))
    assert f"({len(report) - 1} unchanged since the last load)" in second.stdout
    assert query_postgres(database, "select count(*) from raw.usage_events")[0][0] == usage_events + 1
    count = "select count(*) from raw.customers"
    assert query_postgres(database, count) == two_engines.duckdb.rows(count)


def test_summary_and_focus_export_read_postgres_as_duckdb(two_engines: TwoTargets, tmp_path: Path) -> None:
    project, database, db_path = two_engines.duckdb.project_dir, two_engines.database, two_engines.duckdb.db_path
    on_duckdb = aicost(project, database, "summary", "--db", str(db_path))
    on_postgres = aicost(project, database, "summary", "--target", "postgres")
    assert on_duckdb.returncode == on_postgres.returncode == 0, on_postgres.stdout + on_postgres.stderr
    assert "Cost ledger" in on_postgres.stdout and "$498.90" in on_postgres.stdout  # the total above
    assert on_postgres.stdout == on_duckdb.stdout
    for suffix in [".csv", ".parquet"]:
        from_duckdb, from_postgres = tmp_path / f"duckdb{suffix}", tmp_path / f"postgres{suffix}"
        exported = [
            aicost(project, database, "export", "focus", "--db", str(db_path), "--out", str(from_duckdb)),
            aicost(project, database, "export", "focus", "--target", "postgres", "--out", str(from_postgres)),
        ]
        assert [run.returncode for run in exported] == [0, 0], exported[1].stdout + exported[1].stderr
        assert exported[0].stdout.split()[1] == exported[1].stdout.split()[1]  # the same row count
        with duckdb.connect() as reader:
            rows = [
                reader.execute(f"select * from '{path}' order by all").fetchall()
                for path in (from_duckdb, from_postgres)
            ]
        assert normalise(rows[1]) == normalise(rows[0]) and len(rows[0]) > 0
