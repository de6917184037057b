"""Budgets against actuals: month to date, the month-end forecast (run rate) and the status, for
every scope type, with the warning test that lists the scopes over budget.

gpt-4o at $1,000 per million input tokens (1,000 tokens = $1). The last call is on Jan 15, 2026:
the as-of day (never the wall clock), 15 of January's 31 days elapsed.

    feature search (team search_team, agent search_agent, customer cust_a):
        Dec 10 $50; Jan 2 $40, Jan 9 $40, Jan 12 $40 (the $100 team budget is crossed on Jan 12)
    feature chat (team chat_team): Jan 5 $15, Jan 15 $15
    a $31 `monitoring` pool in January, split by requests (3 search calls, 2 chat calls)
"""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pytest

from conftest import BuiltWarehouse, build_world, contract_csv, event, rate

D = Decimal
SEARCH = {"feature": "search", "agent": "search_agent", "customer_id": "cust_a", "environment": "prod",
          "usage_type": "external"}  # fmt: skip
CHAT = {"feature": "chat", "customer_id": "cust_b", "environment": "prod", "usage_type": "external"}


def dollars(amount: int) -> dict[str, int]:
    return {"input_tokens": amount * 1_000, "output_tokens": 0}


CALLS = [
    event("dec", occurred_at="2025-12-10T10:00:00Z", **SEARCH, **dollars(50)),
    event("s1", occurred_at="2026-01-02T10:00:00Z", **SEARCH, **dollars(40)),
    event("s2", occurred_at="2026-01-09T10:00:00Z", **SEARCH, **dollars(40)),
    event("s3", occurred_at="2026-01-12T10:00:00Z", **SEARCH, **dollars(40)),
    event("c1", occurred_at="2026-01-05T10:00:00Z", **CHAT, **dollars(15)),
    event("c2", occurred_at="2026-01-15T18:00:00Z", **CHAT, **dollars(15)),
]
OWNERS = (
    ["feature", "team", "product"],
    [{"feature": "search", "team": "search_team", "product": "finder"},
     {"feature": "chat", "team": "chat_team", "product": "finder"}],
)  # fmt: skip


def budget(scope_type: str, scope_value: str, month: str, amount: str, warn: str = "80") -> dict[str, str]:
    return {"scope_type": scope_type, "scope_value": scope_value, "month": month, "budget_usd": amount,
            "warn_at_pct": warn}  # fmt: skip


BUDGETS = contract_csv(
    "budgets",
    [
        budget("team", "search_team", "2025-12-01", "40"),
        budget("team", "search_team", "2026-01-01", "100"),
        budget("team", "search_team", "2026-02-01", "100"),
        budget("feature", "chat", "2026-01-01", "40", warn="70"),
        budget("feature", "ghost", "2026-01-01", "10"),
        budget("customer", "cust_a", "2026-01-01", "500"),
        budget("agent", "search_agent", "2026-01-01", "300"),
        budget("model", "gpt-4o", "2026-01-01", "200"),
    ],
)
SHARED_COSTS = contract_csv(
    "shared_costs",
    [{"cost_pool": "monitoring", "period_start": "2026-01-01", "period_end": "2026-02-01", "amount_usd": "31",
      "driver": "requests"}],
)  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_world(
        tmp_path_factory.mktemp("budgets"),
        artifacts=True,  # run_results.json: the warning test's message
        usage={"calls.jsonl": CALLS},
        csv_inputs={"budgets": BUDGETS, "feature_owners": OWNERS, "shared_costs": SHARED_COSTS},
        rate_card_rows=[rate("openai", "gpt-4o", input_usd_per_mtok="1000", output_usd_per_mtok="0")],
        command=("build", "--select", "+mart_budget_vs_actual", "--indirect-selection", "cautious"),
    )


def budget_row(warehouse: BuiltWarehouse, scope_type: str, scope_value: str, month: str = "2026-01-01") -> dict:
    found = warehouse.dicts(
        "select * from marts.mart_budget_vs_actual where scope_type = ? and scope_value = ? and budget_month = ?",
        [scope_type, scope_value, month],
    )
    assert len(found) == 1
    return found[0]


def test_as_of_is_the_latest_usage_day(warehouse) -> None:
    as_of = warehouse.dicts("select * from intermediate.int_as_of_date")[0]
    assert (as_of["as_of_date"].isoformat(), as_of["days_elapsed"], as_of["days_in_month"]) == ("2026-01-15", 15, 31)


def test_team_budget_crossed_mid_month_with_its_forecast(warehouse) -> None:
    team = budget_row(warehouse, "team", "search_team")
    # $40 + $40 + $40 = $120 by Jan 15, over the $100 budget since Jan 12
    assert (team["actual_usd"], team["status"]) == (D("120"), "over")
    # run rate: 120 / 15 days x 31 days
    assert team["forecast_usd"] == D("248")
    assert team["pct_of_budget"] == pytest.approx(120.0)
    assert (team["month_state"], team["days_elapsed"], team["cost_basis"]) == ("current", 15, "usage")
    # the fully loaded figure adds the monitoring pool: $31 x 3 of 5 requests
    assert team["fully_loaded_actual_usd"] == D("138.6")


def test_warning_status_and_forecast_status(warehouse) -> None:
    chat = budget_row(warehouse, "feature", "chat")
    # $30 of $40 = 75 %, above its 70 % warning line; on pace for 30 / 15 x 31 = $62
    assert (chat["actual_usd"], chat["status"]) == (D("30"), "warning")
    assert (chat["forecast_usd"], chat["forecast_status"]) == (D("62"), "over")
    model = budget_row(warehouse, "model", "gpt-4o")
    # every January call ran on gpt-4o: $150 of $200 (75 %) is ok, the forecast 150 / 15 x 31 is not
    assert (model["actual_usd"], model["status"], model["forecast_usd"], model["forecast_status"]) == (
        D("150"), "ok", D("310"), "over",
    )  # fmt: skip
    agent = budget_row(warehouse, "agent", "search_agent")
    # $248 forecast of $300 = 82.7 %: above the 80 % line
    assert (agent["status"], agent["forecast_status"]) == ("ok", "warning")
    customer = budget_row(warehouse, "customer", "cust_a")
    assert (customer["actual_usd"], customer["status"], customer["forecast_status"]) == (D("120"), "ok", "ok")


def test_closed_future_and_idle_months(warehouse) -> None:
    december = budget_row(warehouse, "team", "search_team", "2025-12-01")
    # a closed month's forecast is its actual
    assert (december["actual_usd"], december["forecast_usd"], december["status"]) == (D("50"), D("50"), "over")
    assert (december["month_state"], december["days_elapsed"]) == ("closed", 31)
    february = budget_row(warehouse, "team", "search_team", "2026-02-01")
    assert (february["actual_usd"], february["forecast_usd"], february["month_state"]) == (D("0"), D("0"), "future")
    ghost = budget_row(warehouse, "feature", "ghost")
    assert (ghost["actual_usd"], ghost["status"]) == (D("0"), "ok")


def test_warning_test_lists_the_scopes_over_budget(warehouse) -> None:
    results = json.loads((warehouse.project_dir / "target" / "run_results.json").read_text())
    over = next(r for r in results["results"] if r["unique_id"].split(".")[2] == "budget_scopes_over_budget")
    assert (over["status"], over["failures"]) == ("warn", 2)
    compiled = next((warehouse.project_dir / "target" / "compiled").rglob("budget_scopes_over_budget.sql"))
    with duckdb.connect(str(warehouse.db_path), read_only=True) as connection:
        listed = connection.execute(f"select scope_type, scope_value, budget_month from ({compiled.read_text()})")
        assert sorted((t, v, m.isoformat()) for t, v, m in listed.fetchall()) == [
            ("team", "search_team", "2025-12-01"),
            ("team", "search_team", "2026-01-01"),
        ]
