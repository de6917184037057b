"""The demo world carries provider reports: a small demo (35 days, 30 customers) built by dbt has
data in every provider mart, the reconciliation finds exactly the demo's untracked stories, and
the app's pages open on it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ai_cost_attribution import demo_provider_truth as pt
from ai_cost_attribution import generate as g
from app_world import TITLES, metrics, open_app
from conftest import BuiltWarehouse, build_world
from test_app import table_with

SMALL = {"seed": 7, "days": 35, "customers": 30}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[g.DemoWorldSummary, BuiltWarehouse]:
    root = tmp_path_factory.mktemp("demo_truth")
    summary = g.write_demo_world(root / "raw", **SMALL)
    # the demo's unpriced model is a warning, as `aicost demo` builds it
    return summary, build_world(root, dbt_vars={"unpriced_severity": "warn"})


def test_every_provider_mart_has_data(demo) -> None:
    _, built = demo
    for mart in (
        "mart_usage_reconciliation",
        "mart_price_drift",
        "mart_invoice_reconciliation_daily",
        "fct_provider_report_rejects",
    ):
        assert built.scalar(f"select count(*) from marts.{mart}") > 0, mart
    # the one page the build cannot count: OpenAI's images usage
    assert built.rows("select distinct reject_reason from marts.fct_provider_report_rejects") == [
        ("unsupported_report",)
    ]


def test_the_reconciliation_finds_exactly_the_demo_stories(demo) -> None:
    summary, built = demo
    truth = summary.provider_truth
    rows = built.dicts(
        "select provider, model, usage_date, reconciliation_status, requests_difference, untracked_cost_usd"
        " from marts.mart_usage_reconciliation where reconciliation_status <> 'matches'"
    )
    found = {(r["provider"], r["model"], r["usage_date"]) for r in rows}
    expected = {(provider, model, day) for (provider, model), days in truth.untracked_days.items() for day in days}
    assert found == expected
    assert {r["reconciliation_status"] for r in rows} == {"untracked"}
    # OpenAI counts requests: the worker's calls, one for each copy the generator made
    mini = [r for r in rows if r["model"] == "gpt-4o-mini"]
    assert sum(r["requests_difference"] for r in mini) == truth.untracked_requests[("openai", "gpt-4o-mini")]
    # every untracked dollar is in the ledger, unallocated
    ledger = built.scalar(
        "select sum(amount_usd) from marts.fct_cost_ledger where cost_type = 'untracked_usage' and not is_allocated"
    )
    assert ledger == sum(r["untracked_cost_usd"] for r in rows) > 0
    # the generator's Python prices of those calls agree with the rate card's to the cent (OpenAI's
    # are exact; Anthropic's 1-hour cache writes are priced as 5-minute ones in Python)
    by_provider = {p: sum(r["untracked_cost_usd"] for r in rows if r["provider"] == p) for p in ("openai", "anthropic")}
    assert abs(by_provider["openai"] - Decimal(str(truth.untracked_usd["openai"]))) < Decimal("0.01")


def test_the_cost_reports_explain_each_openai_day(demo) -> None:
    summary, built = demo
    days = built.rows(
        "select cost_date, difference_usd from marts.mart_invoice_reconciliation_daily where provider = 'openai'"
    )
    # the cost report bills what the logs and the untracked usage cost, day by day
    assert len(days) == SMALL["days"] - 1  # today is not reported yet
    assert all(abs(difference) < Decimal("0.000001") for _, difference in days)
    current = built.dicts(
        "select provider, invoice_source, unreported_usd from marts.mart_invoice_reconciliation"
        " where invoice_month = ? and provider in ('openai', 'anthropic')",
        [summary.end_date.replace(day=1)],
    )
    assert {r["invoice_source"] for r in current} == {"cost_report"}
    assert all(r["unreported_usd"] > 0 for r in current)  # the last day's calls


def test_price_drift_is_the_one_model_the_gateway_prices_above_the_rate_card(demo) -> None:
    summary, built = demo
    drifting = built.rows(
        "select provider, model, min(usage_date), max(usage_date) from marts.mart_price_drift where is_drifting"
        " group by 1, 2"
    )
    start = pt.drift_start(summary.end_date)
    assert drifting == [("google", "gemini-2.5-flash", start, summary.end_date)]
    # before the price change every reported cost is the rate card's
    assert built.scalar("select sum(drifting_calls) from marts.mart_price_drift where usage_date < ?", [start]) == 0
    ratio = built.scalar(
        "select sum(reported_cost_usd) / sum(list_cost_usd) from marts.mart_price_drift"
        " where model = 'gemini-2.5-flash' and usage_date >= ?",
        [start],
    )
    assert ratio == pytest.approx(1.2, abs=1e-6)
    assert built.scalar("select count(*) from marts.mart_price_drift where provider <> 'google'") == 0


@pytest.fixture
def on_demo(demo, monkeypatch: pytest.MonkeyPatch) -> BuiltWarehouse:
    """The app reads the demo's warehouse in single-user mode (no access file)."""
    _, built = demo
    monkeypatch.setenv("AICOST_DB_PATH", str(built.db_path))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    return built


@pytest.mark.parametrize("name", list(TITLES))
def test_every_page_opens_on_the_demo(name: str, on_demo: BuiltWarehouse) -> None:
    app = open_app(name)
    assert not app.exception, [exception.value for exception in app.exception]
    assert app.title[0].value == TITLES[name]


def test_the_allocation_page_shows_the_untracked_usage(on_demo: BuiltWarehouse) -> None:
    [(first, last)] = on_demo.rows("select min(usage_date), max(usage_date) from marts.fct_llm_calls")
    app = open_app("allocation", query={"start": str(first)[:10], "end": str(last)[:10]})
    steps = table_with(app, "step", "amount_usd").set_index("step")["amount_usd"]
    untracked = on_demo.scalar("select sum(amount_usd) from marts.fct_cost_ledger where cost_type = 'untracked_usage'")
    assert steps["Untracked usage (provider reports)"] == pytest.approx(float(untracked))
    assert "Invoice difference" in metrics(app)
