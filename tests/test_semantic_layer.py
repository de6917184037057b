"""The semantic layer: MetricFlow metrics over the ledger and the calls equal the mart figures.

Runs `mf query` (dbt-metricflow) on the unit-economics fixture warehouse of
test_unit_economics.py (built once per session), from the fixture's project folder with
DBT_PROFILES_DIR pointing at it, exactly as the README shows on the demo warehouse; the scorecard
metrics on the scorecard fixture of test_scorecard.py."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import REPOSITORY, BuiltWarehouse
from test_scorecard import scorecard_world
from test_unit_economics import unit_economics_world

JANUARY = "2026-01-01"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return unit_economics_world(tmp_path_factory)


def mf_query(warehouse: BuiltWarehouse, metrics: list[str], group_by: list[str], out: Path) -> list[dict[str, str]]:
    """`mf query ... --csv out` in the fixture project; the rows of the CSV. MetricFlow opens the
    warehouse for writing, so it gets a copy: the world is shared with the modules that read it,
    perhaps at this moment from another worker (DuckDB lets one process write or many read). The
    copy keeps the file's name: DuckDB names the catalog after it, and the manifest's relations too."""
    database = out.with_suffix("") / warehouse.db_path.name
    database.parent.mkdir(parents=True)
    shutil.copyfile(warehouse.db_path, database)
    env = dict(os.environ)
    env.update(
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_PROFILES_DIR=str(warehouse.project_dir),
        AICOST_DB_PATH=str(database),
    )
    command = [
        str(Path(sys.executable).parent / "mf"), "query",
        "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=warehouse.project_dir, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and out.exists(), f"mf query failed:\n{result.stdout}\n{result.stderr}"
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def by_plan_tier(warehouse, tmp_path_factory) -> dict[str, dict[str, str]]:
    rows = mf_query(
        warehouse,
        ["total_cost", "product_cost", "revenue", "active_users", "cost_per_active_user", "ai_cogs_ratio"],
        ["metric_time__month", "customer__plan_tier"],
        tmp_path_factory.mktemp("mf") / "by_plan_tier.csv",
    )
    return {row["customer__plan_tier"]: row for row in rows if row["metric_time__month"].startswith(JANUARY)}


@pytest.fixture(scope="module")
def by_feature(warehouse, tmp_path_factory) -> dict[str, dict[str, str]]:
    rows = mf_query(
        warehouse,
        ["product_cost", "interactions", "outcomes", "cost_per_interaction", "cost_per_outcome"],
        ["metric_time__month", "feature"],
        tmp_path_factory.mktemp("mf") / "by_feature.csv",
    )
    return {row["feature"]: row for row in rows if row["metric_time__month"].startswith(JANUARY)}


def number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def test_every_attribution_dimension_is_an_entity() -> None:
    dimensions = yaml.safe_load((REPOSITORY / "dbt_project.yml").read_text())["vars"]["attribution_dimensions"]
    semantic = yaml.safe_load((REPOSITORY / "models" / "semantic" / "_semantic__models.yml").read_text())
    for name in ("cost_ledger", "llm_calls"):
        model = next(m for m in semantic["semantic_models"] if m["name"] == name)
        columns = {entity.get("expr", entity["name"]) for entity in model["entities"]}
        assert set(dimensions) <= columns, f"{name} lacks entities for {set(dimensions) - columns}"


def test_cost_per_active_user_by_plan_tier_equals_the_mart(warehouse, by_plan_tier) -> None:
    mart = {
        tier: (cost, users, per_user)
        for tier, cost, users, per_user in warehouse.rows(
            "select plan_tier, ai_cost_usd, active_users, cost_per_active_user"
            " from marts.mart_plan_tier_unit_economics where month = ?",
            [JANUARY],
        )
    }
    # enterprise: $25 / 4 users; free: $12.60 / 1 user (the other free customer's call has no user)
    assert mart["enterprise"] == (Decimal("25"), 4, Decimal("6.25"))
    assert mart["free"] == (Decimal("12.6"), 1, Decimal("12.6"))
    for tier in ("free", "pro", "enterprise"):
        metric = by_plan_tier[tier]
        assert number(metric["product_cost"]) == pytest.approx(float(mart[tier][0]))
        assert int(metric["active_users"]) == mart[tier][1]
        assert number(metric["cost_per_active_user"]) == pytest.approx(float(mart[tier][2]))


def test_ai_cogs_ratio_equals_the_mart(warehouse, by_plan_tier) -> None:
    for tier, ratio in warehouse.rows(
        "select plan_tier, ai_cogs_ratio from marts.mart_plan_tier_unit_economics where month = ?", [JANUARY]
    ):
        expected = by_plan_tier[tier]["ai_cogs_ratio"]
        assert (number(expected) is None) == (ratio is None)
        if ratio is not None:
            assert number(expected) == pytest.approx(ratio)
    # overall: $47.20 of product AI cost on $650 of revenue
    product_cost = sum(number(row["product_cost"]) or 0 for row in by_plan_tier.values())
    revenue = sum(number(row["revenue"]) or 0 for row in by_plan_tier.values())
    assert (product_cost, revenue) == (pytest.approx(47.2), pytest.approx(650.0))


def test_total_cost_is_the_whole_ledger(by_plan_tier) -> None:
    # $112.20 invoiced + $12 platform fee, dev and internal usage included
    assert sum(number(row["total_cost"]) or 0 for row in by_plan_tier.values()) == pytest.approx(124.2)


def test_cost_per_interaction_and_per_outcome_equal_the_mart(warehouse, by_feature) -> None:
    mart = {
        feature: (interactions, per_interaction, outcomes, per_outcome)
        for feature, interactions, per_interaction, outcomes, per_outcome in warehouse.rows(
            "select feature, interactions, cost_per_interaction, outcomes, cost_per_outcome"
            " from marts.mart_feature_unit_economics where month = ?",
            [JANUARY],
        )
    }
    # support: $20.60 over 4 traces and 2 resolved tickets; code review: $26.60, 4 traces, 2 tasks
    assert mart["support_assistant"] == (4, Decimal("5.15"), 2, Decimal("10.3"))
    assert mart["code_review"] == (4, Decimal("6.65"), 2, Decimal("13.3"))
    for feature, (interactions, per_interaction, outcomes, per_outcome) in mart.items():
        metric = by_feature[feature]
        assert int(metric["interactions"]) == interactions
        assert int(metric["outcomes"]) == outcomes
        assert number(metric["cost_per_interaction"]) == pytest.approx(float(per_interaction))
        assert number(metric["cost_per_outcome"]) == pytest.approx(float(per_outcome))


SCORECARD_METRICS = [
    "inference_cost_per_request",
    "routing_coverage",
    "cheapest_model_call_share",
    "feature_profitability",
]


@pytest.fixture(scope="module")
def scorecard_by_month(tmp_path_factory) -> tuple[BuiltWarehouse, dict[str, dict[str, str]]]:
    built = scorecard_world(tmp_path_factory)
    rows = mf_query(
        built,
        [*SCORECARD_METRICS, "outcome_value", "feature_value", "feature_net_value"],
        ["metric_time__month"],
        tmp_path_factory.mktemp("mf") / "scorecard.csv",
    )
    return built, {row["metric_time__month"][:10]: row for row in rows}


def test_the_scorecard_metrics_equal_the_scorecard(scorecard_by_month) -> None:
    built, by_month = scorecard_by_month
    compared = 0
    for month, metric, value in built.rows(
        "select cast(month as varchar), metric, value from marts.mart_unit_economics_scorecard"
        " where value is not null and metric in (?, ?, ?, ?)",
        SCORECARD_METRICS,
    ):
        assert number(by_month[month][metric]) == pytest.approx(float(value)), (month, metric)
        compared += 1
    assert compared == 4 * 3  # January, February, April (March is empty)
    # January by hand: $0.40 / 8 interactions, 4 of 8 routed, 6 of 12 calls on mini, 1 of 3 features
    january = by_month["2026-01-01"]
    assert [number(january[metric]) for metric in SCORECARD_METRICS] == [
        pytest.approx(0.05), pytest.approx(0.5), pytest.approx(0.5), pytest.approx(1 / 3),
    ]  # fmt: skip


def test_outcome_and_feature_value_equal_the_marts(scorecard_by_month) -> None:
    built, by_month = scorecard_by_month
    for month, outcome_value, feature_value, net_value in built.rows(
        """
        select cast(month as varchar), sum(coalesce(outcome_value_usd, 0)), sum(coalesce(value_usd, 0)),
               sum(coalesce(value_usd, 0) - ai_cost_usd)
        from marts.mart_feature_unit_economics group by 1
        """
    ):
        assert number(by_month[month]["outcome_value"]) == pytest.approx(float(outcome_value))
        assert number(by_month[month]["feature_value"]) == pytest.approx(float(feature_value))
        assert number(by_month[month]["feature_net_value"]) == pytest.approx(float(net_value))
    # January: two tickets at $0.20 (code review's task has no value yet), + $0.07 of search revenue
    assert number(by_month["2026-01-01"]["outcome_value"]) == pytest.approx(0.40)
    assert number(by_month["2026-01-01"]["feature_value"]) == pytest.approx(0.47)
    assert number(by_month["2026-01-01"]["feature_net_value"]) == pytest.approx(0.47 - 0.40)
