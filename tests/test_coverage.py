"""Attribution coverage: the share of usage cost whose dimension is not `unattributed`, and the
data tests that warn above var('unattributed_warn_pct') (5 %) and fail the build above
var('unattributed_error_pct') (25 %), naming the top untagged sources.

January 2026, gpt-4o at $1,000 per million input tokens, $100 of prod, external calls:
    c1 $50 fully tagged
    c2 $20 no region and no customer          (api key key-b)
    c3 $10 no feature, so no team and product  (api key orphan-key, mapped nowhere)
    c4 $20 no customer                        (api key key-a)
    -> customer_id 40 % unattributed (error), region 20 % and feature 10 % (warn).
The fixture judges every month (coverage_min_calls = 1); the default (100 calls) leaves toy
months alone.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import BuiltWarehouse, build_world, event, rate

D = Decimal
BASE = {"occurred_at": "2026-01-10T12:00:00Z", "environment": "prod", "usage_type": "external", "output_tokens": 0}
FULL = {"customer_id": "acme", "feature": "search", "team": "search_team", "agent": "finder", "region": "eu",
        "product": "finder"}  # fmt: skip


def without(*names: str) -> dict[str, str]:
    return {key: value for key, value in FULL.items() if key not in names}


CALLS = [
    event("c1", input_tokens=50_000, **BASE, **FULL),
    event("c2", input_tokens=20_000, api_key_alias="key-b", **BASE, **without("region", "customer_id")),
    event("c3", input_tokens=10_000, api_key_alias="orphan-key", **BASE, **without("feature", "team", "product")),
    event("c4", input_tokens=20_000, api_key_alias="key-a", **BASE, **without("customer_id")),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_world(
        tmp_path_factory.mktemp("coverage"),
        artifacts=True,  # run_results.json: the thresholds' messages
        usage={"calls.jsonl": CALLS},
        rate_card_rows=[rate("openai", "gpt-4o", input_usd_per_mtok="1000", output_usd_per_mtok="0")],
        dbt_vars={"coverage_min_calls": 1},
        command=("build", "--select", "+mart_attribution_coverage", "--indirect-selection", "cautious"),
        expect_success=False,  # the error-level coverage test fails the build, as it should
    )


def coverage(warehouse: BuiltWarehouse) -> dict[str, dict]:
    return {
        found["dimension"]: found
        for found in warehouse.dicts(
            "select * from marts.mart_attribution_coverage where coverage_month = '2026-01-01'"
        )
    }


def test_share_of_cost_with_a_real_value(warehouse) -> None:
    by_dimension = coverage(warehouse)
    customer = by_dimension["customer_id"]
    # c2 + c4 = $40 of $100 has no customer
    assert (customer["cost_usd"], customer["unattributed_cost_usd"]) == (D("100"), D("40"))
    assert customer["coverage_share"] == pytest.approx(0.6)
    assert (customer["unattributed_pct"], customer["unattributed_calls"]) == (pytest.approx(40.0), 2)
    assert {name: found["coverage_status"] for name, found in by_dimension.items()} == {
        "customer_id": "error",  # 40 % > 25 %
        "region": "warn",  # c2: 20 %
        "feature": "warn",  # c3: 10 %
        "team": "warn",  # c3 has no feature, so feature_owners cannot supply a team
        "product": "warn",
        "agent": "ok",  # 50 % untagged, but agent is never judged (var coverage_rules)
        "environment": "ok",
        "usage_type": "ok",
    }
    assert (by_dimension["customer_id"]["scope"], by_dimension["feature"]["scope"]) == ("product", "all")


def test_top_untagged_sources_name_the_keys_to_fix(warehouse) -> None:
    by_dimension = coverage(warehouse)
    # $20 each: ties are broken by api key alias
    assert by_dimension["customer_id"]["top_untagged_sources"] == (
        "key-a / gpt-4o ($20.00, 1 calls); key-b / gpt-4o ($20.00, 1 calls)"
    )
    assert by_dimension["feature"]["top_untagged_sources"] == "orphan-key / gpt-4o ($10.00, 1 calls)"
    assert by_dimension["environment"]["top_untagged_sources"] is None


def test_thresholds_warn_and_fail_the_build(warehouse) -> None:
    assert warehouse.build.returncode != 0
    results = {
        r["unique_id"].split(".")[2]: r
        for r in json.loads((warehouse.project_dir / "target" / "run_results.json").read_text())["results"]
    }
    warn = results["attribution_coverage_warn_threshold"]
    error = results["attribution_coverage_error_threshold"]
    # above 5 %: customer_id, region, feature, team, product; above 25 %: customer_id only
    assert (warn["status"], warn["failures"]) == ("warn", 5)
    assert (error["status"], error["failures"]) == ("fail", 1)
    assert "attribution_coverage_error_threshold" in warehouse.build.stdout
    # every other model and test of the build still ran
    assert {r["status"] for name, r in results.items() if name != "attribution_coverage_error_threshold"} <= {
        "success", "pass", "warn",
    }  # fmt: skip
