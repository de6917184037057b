"""The stakeholder app, page by page, with Streamlit's AppTest on the small world of app_world.py.

Each test opens one page on a built warehouse, as a link would (the URL's query parameters), and
checks that the figures a person reads equal the marts and the ledger, with the arithmetic
written here where it is short. Money on screen is rounded to the cent, so a shown figure equals
the ledger's value within half a cent; the tables carry the unrounded values."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
import yaml

from ai_cost_attribution import warehouse as warehouse_module
from ai_cost_attribution.warehouse import build_lock, build_warehouse
from app_world import (
    BUILD_COMMAND,
    FIRST_DAY,
    LAST_DAY,
    SCRIPTS,
    TITLES,
    event,
    metrics,
    notices,
    open_app,
    shared_app_world,
    texts,
)
from conftest import REPOSITORY, BuiltWarehouse, write_jsonl

HALF_CENT = Decimal("0.005")
JANUARY = {"start": "2026-01-01", "end": "2026-01-31"}
EVERYTHING = {"start": FIRST_DAY.isoformat(), "end": LAST_DAY.isoformat()}
USAGE_TYPES = "('usage', 'negotiated_discount', 'cache_pooling')"
PRODUCT = "environment = 'prod' and usage_type = 'external' and is_allocated"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return shared_app_world(tmp_path_factory)


@pytest.fixture
def on_world(world: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch) -> BuiltWarehouse:
    """The app reads the world's warehouse in single-user mode (no access file)."""
    monkeypatch.setenv("AICOST_DB_PATH", str(world.db_path))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    return world


def page(name: str, query: dict | None = None, *, complete: bool = True):
    """Open a page; `complete`: the warehouse has every mart, so no notice but the expected ones."""
    app = open_app(name, query=query)
    assert not app.exception, [exception.value for exception in app.exception]
    if complete:
        assert app.title[0].value == TITLES[name]
        assert not app.warning and not app.error, notices(app)
        assert "needs `marts." not in notices(app)
    return app


def shown_money(text: str) -> Decimal:
    """`-$1,234.56` → Decimal('-1234.56')."""
    return Decimal(text.replace("$", "").replace(",", ""))


def assert_money(text: str, expected: Decimal | float | str) -> None:
    assert abs(shown_money(text) - Decimal(str(expected))) <= HALF_CENT, f"{text} shown, {expected} expected"


def table_with(app, *columns: str) -> pd.DataFrame:
    """The first table on the page holding every one of `columns`."""
    for frame in app.dataframe:
        if all(column in frame.value.columns for column in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def links(app) -> dict[str, str]:
    """label -> query string of every st.page_link on the page."""
    return {link.value: link.proto.query_string for link in app.get("page_link")}


# --- Overview ------------------------------------------------------------------------------------


def test_overview_spend_growth_forecast_and_the_part_not_per_call(on_world):
    app = page("overview")
    shown = metrics(app)
    # February (to the 10th), from the ledger: list 1.71371, anthropic discount -0.0018 (10 % of the
    # evaluator's 0.018), and the legacy_hosting pool 0.50 that nothing was in scope for.
    month_to_date = Decimal("1.71371") - Decimal("0.0018") + Decimal("0.50")
    # January: list 0.204106, discount -0.009, platform_fee 1.00, invoice difference 0.20 - 0.114106
    usage_january = Decimal("0.204106") - Decimal("0.009")
    last_month = usage_january + Decimal("1.00") + (Decimal("0.20") - Decimal("0.114106"))
    forecast = month_to_date / 10 * 28
    assert month_to_date == on_world.scalar(
        "select sum(amount_usd) from marts.fct_cost_ledger where ledger_month = '2026-02-01'"
    )
    assert last_month == on_world.scalar(
        "select sum(amount_usd) from marts.fct_cost_ledger where ledger_month = '2026-01-01'"
    )
    assert_money(shown["Month to date (Feb 1–10)"], month_to_date)
    assert_money(shown["Last month (January)"], last_month)
    assert_money(shown["Forecast for February"], forecast)
    # the platform fee and the invoice difference are the part no single call carries
    assert_money(shown["Not per call, January"], last_month - usage_january)
    growth = next(metric for metric in app.metric if metric.label == "Forecast for February").delta
    assert f"{(forecast / last_month - 1) * 100:+.1f}% vs January" in growth
    assert "fully loaded" in " ".join(caption.value for caption in app.caption)


def test_overview_scorecard_of_the_last_complete_month(on_world):
    app = page("overview")
    shown = metrics(app)
    card = on_world.dicts(
        "select * from marts.mart_unit_economics_scorecard where month = '2026-01-01' order by metric_order, publisher"
    )
    # January's product interactions: t_j1 (with its router call), j2, j3 and 31 search calls; the
    # dev call j4 does not count
    routing = next(row for row in card if row["metric"] == "routing_coverage")
    assert (routing["numerator"], routing["denominator"]) == (Decimal("1"), Decimal("34"))
    assert shown["Model routing coverage"] == f"{1 / 34 * 100:.1f}%"
    assert routing["band"] == "low"  # under 30 %
    # support's resolved ticket is worth $0.50, more than its January cost; docs and search earn nothing known
    profit = next(row for row in card if row["metric"] == "feature_profitability")
    assert (profit["numerator"], profit["denominator"]) == (Decimal("1"), Decimal("3"))
    assert shown["Profitable AI features"] == "33.3%"
    request = next(row for row in card if row["metric"] == "inference_cost_per_request")
    assert shown["Inference cost per request"] == f"${float(request['value']):.4f}"
    markdown = [element.value for element in app.markdown]
    for row in card:
        if row["benchmark"] is None:
            continue
        assert any(
            text.startswith(f"{row['publisher']} (") and f"-badge[{row['band_label']}]" in text for text in markdown
        ), row["benchmark"]
    # KnowMBA names no population: it reads "all", never a missing value
    assert any(text.startswith("KnowMBA (all): ") for text in markdown)
    # every metric is one headline, with its change against December (none: no December)
    assert {row["metric_label"] for row in card} <= set(shown)
    scorecard = table_with(app, "metric_label", "band_range")
    assert len(scorecard) == len(card) == 6
    assert set(scorecard["url"].dropna()) == {"https://exogram.tech", "https://knowmba.com"}


def test_the_scorecard_is_not_broken_down_by_a_filter(on_world):
    app = page("overview", {**JANUARY, "team": "support"})
    assert "Model routing coverage" not in metrics(app)
    assert "This section is not broken down by team" in notices(app)


def test_overview_cogs_band_coverage_budgets_and_spike_days(on_world):
    app = page("overview")
    shown = metrics(app)
    cost, revenue = on_world.rows(
        "select sum(ai_cost_usd), sum(revenue_usd) from marts.mart_customer_unit_economics where month = '2026-01-01'"
    )[0]
    assert revenue == Decimal("2.05")  # acme 2.00 + beta 0.05 + free_co 0
    ratio = cost / revenue
    assert shown["AI COGS / revenue (January 2026)"] == f"{ratio * 100:.1f}%"
    # the band of the ratio, by the bounds app_cogs_bands lists (the macro's)
    bands = on_world.dicts("select * from marts.app_cogs_bands order by band_order")
    band = next(b for b in bands if b["upper_bound"] is None or ratio < b["upper_bound"] or
                (b["is_upper_inclusive"] and ratio == b["upper_bound"]))  # fmt: skip
    assert any(f"Band: **{band['band_label']}**" == element.value for element in app.markdown)
    coverage = table_with(app, "coverage_share", "scope")
    expected = on_world.dicts(
        "select dimension, scope, coverage_share from marts.mart_attribution_coverage"
        " where coverage_month = '2026-02-01'"
    )
    assert sorted(zip(coverage["dimension"], coverage["scope"], coverage["coverage_share"], strict=True)) == sorted(
        (row["dimension"], row["scope"], pytest.approx(row["coverage_share"])) for row in expected
    )
    # under coverage_min_calls (100) in scope, no dimension is judged: the caption says so
    assert any("No dimension has enough calls" in caption.value for caption in app.caption)
    # support spent 0.1142 of its 0.05 February budget: over; knowledge_search is forecast to warn
    assert shown["Budgets at warning or over (February)"] == "1"
    watch = table_with(app, "scope_value", "forecast_status")
    assert dict(zip(watch["scope_value"], watch["status"], strict=True)) == {
        "support": "over",
        "knowledge_search": "ok",
    }
    assert any("1 more forecast to cross" in caption.value for caption in app.caption)
    # the last 7 days (4-10 February): 5, 9 and 10 February spiked, each by feature and by customer:
    # six series-days, three days, each counted once
    flagged = on_world.rows(
        "select cost_date, count(*) from marts.mart_cost_anomalies where is_anomaly and cost_date >= '2026-02-04'"
        " group by 1 order by 1"
    )
    assert flagged == [(date(2026, 2, 5), 2), (date(2026, 2, 9), 2), (date(2026, 2, 10), 2)]
    assert shown["Days with a cost spike"] == "3"
    assert "day=2026-02-09&dimension=customer_id&value=acme" in links(app)["Acme Corp (acme) on 9 Feb 2026"]
    assert "month=2026-02-01&scope_type=team&scope_value=support" in links(app)["team support in Budgets"]


# --- Explore -------------------------------------------------------------------------------------


def test_explore_is_fully_loaded_by_default_and_equals_the_ledger(on_world):
    app = page("explore", JANUARY)
    january = on_world.dicts(
        "select feature, sum(amount_usd) as amount from marts.fct_cost_ledger where ledger_month = '2026-01-01'"
        " group by feature"
    )
    assert_money(metrics(app)["Total: cost, fully loaded"], sum(row["amount"] for row in january))
    shown = table_with(app, "month", "feature", "amount")
    assert dict(zip(shown["feature"], shown["amount"], strict=True)) == pytest.approx(
        {row["feature"]: float(row["amount"]) for row in january}, abs=1e-12
    )
    assert any("fully loaded" in caption.value and "shared pools" in caption.value for caption in app.caption)


def test_explore_usage_plan_tier_by_month_filtered_to_prod_from_the_url(on_world):
    app = page("explore", {**EVERYTHING, "basis": "usage", "dimension": "plan_tier", "grain": "Month",
                           "environment": "prod"})  # fmt: skip
    assert app.radio(key="url:basis").value == "usage"
    assert app.selectbox(key="url:dimension").value == "plan_tier"
    assert app.multiselect(key="url:environment").value == ["prod"]
    shown = table_with(app, "month", "plan_tier", "amount")
    expected = on_world.dicts(
        """
        select calls.usage_month as month, coalesce(customers.plan_tier, 'unattributed') as plan_tier,
               sum(calls.pooled_cost_usd) as amount
        from marts.fct_llm_calls as calls
        left join marts.dim_customers as customers on customers.customer_id = calls.customer_id
        where calls.environment = 'prod'
        group by all
        """
    )
    got = {(pd.Timestamp(row["month"]), row["plan_tier"]): row["amount"] for _, row in shown.iterrows()}
    assert got == {
        (pd.Timestamp(row["month"]), row["plan_tier"]): pytest.approx(float(row["amount"]), abs=1e-12)
        for row in expected
    }
    # the dev call (j4) is filtered out; the router call inherits acme's enterprise tier
    assert {tier for _, tier in got} == {"enterprise", "pro", "free"}
    assert any("1 on: environment" in expander.label for expander in app.expander)


def test_explore_by_customer_shows_names_and_drills_down(on_world):
    app = page("explore", {**JANUARY, "dimension": "customer_id"})
    shown = table_with(app, "customer_id", "customer_name")
    assert dict(zip(shown["customer_id"], shown["customer_name"], strict=True))["acme"] == "Acme Corp"
    found = links(app)
    assert (
        "customer=" in found["Calls of Acme Corp (acme)"] and "start=2026-01-01" in found["Calls of Acme Corp (acme)"]
    )
    assert found["Acme Corp (acme): the customer's page"].endswith("id=acme")


# --- Customers and one customer ----------------------------------------------------------------------


def test_customers_keep_paying_and_free_customers_apart(on_world):
    app = page("customers")
    shown = metrics(app)
    january = on_world.dicts("select * from marts.mart_customer_unit_economics where month = '2026-01-01'")
    cost = sum(row["ai_cost_usd"] for row in january)
    assert_money(shown["Revenue"], "2.05")
    assert_money(shown["AI cost (product)"], cost)
    assert shown["AI COGS / revenue"] == f"{cost / Decimal('2.05') * 100:.1f}%"
    # beta paid 0.05 for 0.081 of Claude (plus its share of the platform fee); free_co paid nothing
    assert shown["Paying customers costing more in AI"] == "1"
    shown_sets = [list(frame.value["customer_id"]) for frame in app.dataframe if "gross_margin_usd" in frame.value]
    assert ["beta"] in shown_sets  # the paying customers over their revenue: beta alone, never free_co
    free_co = next(row for row in january if row["customer_id"] == "free_co")["ai_cost_usd"]
    assert any(expander.label == f"1 customer without revenue this month (free tier) cost ${free_co:.2f} in AI"
               for expander in app.expander)  # fmt: skip
    tiers = table_with(app, "plan_tier", "customers", "avg_cost_per_customer")
    expected_tiers = {
        row["plan_tier"]: float(row["ai_cost_usd"])
        for row in on_world.dicts("select * from marts.mart_plan_tier_unit_economics where month = '2026-01-01'")
    }
    assert dict(zip(tiers["plan_tier"], tiers["ai_cost_usd"], strict=True)) == pytest.approx(expected_tiers)


def test_one_customer_page(on_world):
    app = page("customer", {"id": "acme", "month": "2026-01-01"})
    shown = metrics(app)
    acme = on_world.dicts(
        "select * from marts.mart_customer_unit_economics where customer_id = 'acme' and month = '2026-01-01'"
    )[0]
    assert_money(shown["AI cost (product)"], acme["ai_cost_usd"])
    assert_money(shown["Revenue"], "2.00")
    assert_money(shown["Gross margin after AI"], Decimal("2.00") - acme["ai_cost_usd"])
    features = table_with(app, "value", "ai_cost_usd", "shared_and_invoice_usd")
    assert features["ai_cost_usd"].sum() == pytest.approx(float(acme["ai_cost_usd"]))
    traces = table_with(app, "trace_id", "cost_usd")
    assert "t_j1" in set(traces["trace_id"])


# --- Features and agents -----------------------------------------------------------------------


def test_features_cost_per_interaction_ticket_and_routing(on_world):
    app = page("features")
    shown = metrics(app)
    january = on_world.dicts("select * from marts.mart_feature_unit_economics where month = '2026-01-01'")
    cost = sum(row["ai_cost_usd"] for row in january)
    interactions = sum(row["interactions"] for row in january)
    assert interactions == 34  # t_j1, j2, j3 (j4 is dev, not product) and 31 search calls
    assert_money(shown["Product AI cost"], cost)
    assert shown["Average cost per interaction"] == f"${cost / interactions:.4f}"
    ticket = on_world.scalar(
        "select cost_per_outcome from marts.mart_feature_outcome_economics"
        " where month = '2026-01-01' and feature = 'support_assistant' and outcome_type = 'ticket_resolved'"
    )
    assert shown["Cost per resolved ticket (support_assistant)"] == f"${ticket:.4f}"
    # gpt-4o in January: j1 10,000/1,000 and j3 4,000/500 (j4 is dev) = 0.035 + 0.015 list; on
    # gpt-4o-mini 14,000 x 0.15 + 1,500 x 0.6 per million = 0.0021 + 0.0009: saving 0.047
    assert_money(shown["Routing opportunity, January 2026"], Decimal("0.047"))
    roles = table_with(app, "router_cost_usd", "evaluator_cost_usd")
    support = roles.set_index("feature").loc["support_assistant"]
    # January support traces: t_j1 (0.035 + router 0.000306) and j3 (0.015); pooling is neutral here
    assert support["interactions"] == 2
    assert support["router_cost_usd"] == pytest.approx(0.000306 / 2)
    assert support["primary_cost_usd"] == pytest.approx((0.035 + 0.015) / 2)


# --- Budgets and anomalies: the URL contract alerts link to ----------------------------------------


def knowledge_search_february() -> Decimal:
    """The search feature's usage in February to the 10th: one gpt-4o-mini call a day (10,000 or
    12,000 input tokens, 500 output) and the 9 February spike of ten 1,000,000 / 10,000 calls."""
    daily = Decimal(0)
    for day in range(1, 11):
        tokens = 10_000 if date(2026, 2, day).toordinal() % 2 else 12_000
        daily += Decimal(tokens) * Decimal("0.15") / 10**6 + 500 * Decimal("0.6") / 10**6
    spike = 10 * (1_000_000 * Decimal("0.15") / 10**6 + 10_000 * Decimal("0.6") / 10**6)
    return daily + spike


def test_budgets_count_over_warning_and_forecast_to_cross(on_world):
    app = page("budgets")
    shown = metrics(app)
    assert (shown["Budgets"], shown["Over budget"], shown["At warning"]) == ("3", "1", "0")
    budgets = table_with(app, "scope_value", "budget_usd", "forecast_usd").set_index("scope_value")
    # February support usage: f1 0.07 + its evaluator 0.0162 + f3 0.028 = 0.1142; 10 of 28 days
    assert budgets.loc["support", "actual_usd"] == pytest.approx(0.1142)
    assert budgets.loc["support", "forecast_usd"] == pytest.approx(0.1142 / 10 * 28)
    search = knowledge_search_february()
    assert budgets.loc["knowledge_search", "actual_usd"] == pytest.approx(float(search))
    # 1.58 of 5.00 today, 4.43 forecast: past the 80 % warning line (4.00), under the budget
    assert Decimal("4.00") < search / 10 * 28 < Decimal("5.00")
    assert (shown["Forecast over"], shown["Forecast warning"]) == ("0", "1")
    assert any("budget_cost_basis: usage" in caption.value for caption in app.caption)


def test_budgets_link_opens_the_month_with_the_budget_highlighted(on_world):
    app = page("budgets", {"month": "2026-02-01", "scope_type": "team", "scope_value": "support"})
    assert app.selectbox(key="url:month").value == date(2026, 2, 1)
    assert app.selectbox(key="url:scope_type").value == "team"
    assert list(table_with(app, "scope_value", "budget_usd")["scope_value"]) == ["support"]
    assert any(element.value.startswith("**team · support**: $0.11 of $0.05") for element in app.markdown)


def test_anomaly_link_opens_that_day_and_series(on_world):
    app = page("budgets", {"day": "2026-02-09", "dimension": "customer_id", "value": "acme"})
    shown = metrics(app)
    row = on_world.dicts(
        "select * from marts.mart_cost_anomalies where cost_date = '2026-02-09' and dimension = 'customer_id'"
        " and dimension_value = 'acme'"
    )[0]
    assert row["is_anomaly"]
    assert_money(shown["Cost on 9 Feb 2026"], row["cost_usd"])
    assert_money(shown["Expected (trailing median)"], row["expected_usd"])
    series = table_with(app, "cost_date", "expected_low_usd", "expected_high_usd")
    banded = series.dropna(subset=["expected_low_usd", "expected_high_usd"])
    assert not banded.empty and (banded["expected_low_usd"] <= banded["expected_high_usd"]).all()
    assert "day=2026-02-09&customer=acme" in links(app)["The calls of Acme Corp (acme) on 9 Feb 2026"]
    # the band is the mart's: expected ± its anomaly_threshold × scale
    assert any("expected ± 3.5 robust standard deviations" in caption.value for caption in app.caption)


# --- Allocation and reconciliation ------------------------------------------------------------


def test_allocation_waterfall_pools_and_invoices(on_world):
    app = page("allocation", EVERYTHING)
    shown = metrics(app)
    by_type = dict(on_world.rows("select cost_type, sum(amount_usd) from marts.fct_cost_ledger group by 1"))
    assert_money(shown["List price of the usage"], by_type["usage"])
    assert_money(shown["Total cost in the ledger"], sum(by_type.values()))
    assert_money(shown["Unallocated"], "0.50")  # legacy_hosting had nothing in scope
    steps = table_with(app, "step", "amount_usd").set_index("step")["amount_usd"]
    assert steps["List price"] == pytest.approx(0.204106 + 1.71371)
    assert steps["Negotiated discounts"] == pytest.approx(-0.0108)
    assert steps["Shared pools"] == pytest.approx(1.50)
    assert steps["Invoice difference"] == pytest.approx(0.20 - 0.114106)
    pools = table_with(app, "cost_pool", "allocated_usd", "unallocated_usd").set_index("cost_pool")
    assert pools.loc["platform_fee", "allocated_usd"] == pytest.approx(1.00)
    assert pools.loc["legacy_hosting", "unallocated_usd"] == pytest.approx(0.50)
    assert_money(shown["Invoice difference"], Decimal("0.20") - Decimal("0.114106"))
    assert shown["Provider-months outside tolerance"] == "1 of 1"  # 75 % off
    assert any("No invoice yet for February 2026" in caption.value for caption in app.caption)


# --- Calls and traces: the drill-down --------------------------------------------------------------


def test_spike_day_lists_its_traces(on_world):
    app = page("calls", {"day": "2026-02-09", "customer": "acme"})
    spike = on_world.rows(
        "select count(*), sum(pooled_cost_usd) from marts.fct_llm_calls where usage_date = '2026-02-09'"
        " and customer_id = 'acme'"
    )[0]
    assert spike[0] == 11  # the day's search call and the ten spike calls
    assert_money(metrics(app)["Usage cost of these calls"], spike[1])
    traces = table_with(app, "trace_id", "cost_usd")
    assert {f"spike_{n}" for n in range(10)} <= set(traces["trace_id"])
    assert traces["cost_usd"].iloc[0] == pytest.approx(0.156)  # 1,000,000 x 0.15 + 10,000 x 0.6 per million


def test_a_trace_shows_its_calls_and_a_call_its_price_and_dimension_sources(on_world):
    app = page("calls", {"trace": "t_f1", "call": "f1_eval"})
    calls = table_with(app, "request_id", "call_role", "pooled_cost_usd")
    assert list(zip(calls["request_id"], calls["call_role"], strict=True)) == [
        ("f1", "primary"),
        ("f1_eval", "evaluator"),
    ]
    # f1: 0.07 on gpt-4o; its evaluator: 5,000 x 3 + 200 x 15 per million = 0.018 list, less 10 %
    assert calls["pooled_cost_usd"].tolist() == pytest.approx([0.07, 0.0162])
    price = "\n".join(element.value for element in app.markdown)
    assert "priced as **claude-sonnet-4-5**" in price and "(10 %): $0.0162" in price
    assert "**$0.0162**" in price
    sources = table_with(app, "dimension", "resolved_value", "supplied_by").set_index("dimension")
    # the evaluator carried no tags: its customer and feature come from its trace's primary call f1
    assert sources.loc["customer_id", "resolved_value"] == "acme"
    assert sources.loc["customer_id", "supplied_by"] == "its trace's primary call"
    assert sources.loc["feature", "trace_value"] == "support_assistant"
    assert "/" not in price.split("from usage file ")[1].split(",")[0]  # a file name, never a server path


# --- every page: one cost definition, the same number ------------------------------------------------


def ledger(world: BuiltWarehouse, where: str) -> Decimal:
    return world.scalar(f"select coalesce(sum(amount_usd), 0) from marts.fct_cost_ledger where {where}")


HEADLINES = [
    # page, query, the headline's label, the ledger rows it must equal (same period, same basis)
    ("overview", {}, "Last month (January)", "ledger_month = '2026-01-01'"),
    ("explore", JANUARY, "Total: cost, fully loaded", "ledger_month = '2026-01-01'"),
    ("allocation", JANUARY, "Total cost in the ledger", "ledger_month = '2026-01-01'"),
    ("customers", JANUARY, "AI cost (product)", f"ledger_month = '2026-01-01' and {PRODUCT}"),
    ("features", JANUARY, "Product AI cost", f"ledger_month = '2026-01-01' and {PRODUCT}"),
    ("customer", {**JANUARY, "id": "acme"}, "AI cost (product)",
     f"ledger_month = '2026-01-01' and {PRODUCT} and customer_id = 'acme'"),
    ("calls", JANUARY, "Usage cost of these calls", f"ledger_month = '2026-01-01' and cost_type in {USAGE_TYPES}"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "query", "label", "where"), HEADLINES, ids=[row[0] for row in HEADLINES])
def test_every_page_headline_equals_the_ledger(on_world, name, query, label, where):
    app = page(name, query)
    assert_money(metrics(app)[label], ledger(on_world, where))


def test_budget_actuals_equal_the_ledger_on_their_basis(on_world):
    app = page("budgets")
    budgets = table_with(app, "scope_type", "scope_value", "actual_usd")
    columns = dict(on_world.rows("select budget_scope_type, dimension from marts.app_dimensions"
                                 " where budget_scope_type is not null"))  # fmt: skip
    for row in budgets.itertuples():
        expected = ledger(on_world, f"ledger_month = '2026-02-01' and cost_type in {USAGE_TYPES}"
                                    f" and {columns[row.scope_type]} = '{row.scope_value}'")  # fmt: skip
        assert row.actual_usd == pytest.approx(float(expected), abs=1e-9), row.scope_value


# --- state in the URL ---------------------------------------------------------------------------------


def test_url_round_trip_reproduces_the_view(on_world):
    app = page("features", {"team": "support"})
    assert app.selectbox(key="url:month").value == date(2026, 1, 1)  # the period's last complete month
    assert app.multiselect(key="url:team").value == ["support"]
    # choices on the page go into the URL (the period always, so a link never drifts with the data)...
    app.selectbox(key="url:month").set_value(date(2026, 2, 1)).run()
    app.multiselect(key="url:team").set_value([]).run()
    app.multiselect(key="url:feature").set_value(["support_assistant"]).run()
    written = dict(app.query_params)
    assert written == {
        "start": "2026-01-01",
        "end": "2026-01-31",
        "month": "2026-02-01",
        "feature": "support_assistant",
    }
    before = metrics(app)
    assert_money(before["Product AI cost"], on_world.scalar(
        "select ai_cost_usd from marts.mart_feature_unit_economics where month = '2026-02-01'"
        " and feature = 'support_assistant'"))  # fmt: skip
    # ...and a new session opening that URL sees the same view and figures
    again = page("features", written)
    assert again.selectbox(key="url:month").value == date(2026, 2, 1)
    assert again.multiselect(key="url:feature").value == ["support_assistant"]
    assert metrics(again) == before


def test_filters_and_period_are_carried_to_other_pages(on_world):
    app = page("overview", {"team": "support", "start": "2026-02-01", "end": "2026-02-10"})
    for query in links(app).values():
        assert "team=support" in query and "start=2026-02-01" in query and "end=2026-02-10" in query
    # the team filter applies to the overview's ledger figures
    assert_money(metrics(app)["Month to date (Feb 1–10)"],
                 ledger(on_world, "ledger_month = '2026-02-01' and team = 'support'"))  # fmt: skip


def test_junk_in_the_url_is_ignored(on_world):
    app = page("explore", {"month": "notamonth", "team": "';drop table x--", "start": "2099-99-99",
                           "dimension": "'\"><img src=x>", "grain": "Century", "basis": "lots"})  # fmt: skip
    assert app.selectbox(key="url:dimension").value == "feature"
    assert app.multiselect(key="url:team").value == []
    assert "<img" not in texts(app) and "drop table" not in texts(app)


# --- provenance, no server paths ------------------------------------------------------------------------


def test_every_page_says_when_and_from_what_it_was_built_and_shows_no_server_path(on_world):
    built = on_world.dicts("select * from marts.app_build_provenance")[0]
    sources = on_world.dicts("select * from marts.app_source_counts")
    assert [row["source_name"] for row in sources] == ["usage"]
    assert sources[0]["calls"] == on_world.scalar("select count(*) from marts.fct_llm_calls")
    assert sources[0]["rejected_lines"] == on_world.scalar("select count(*) from marts.fct_rejected_events")
    expected = f"Source **usage**: {sources[0]['calls']:,} calls, {sources[0]['rejected_lines']:,} rejected lines"
    for name in SCRIPTS:
        app = page(name, EVERYTHING)
        shown = texts(app) + "\n".join(caption.value for caption in app.sidebar.caption)
        assert f"Built {pd.Timestamp(built['built_at']):%-d %b %Y %H:%M} UTC with dbt" in shown, name
        assert expected in shown, name
        assert "Demo company" not in shown
        for path in (on_world.db_path.parent, REPOSITORY):
            assert str(path) not in shown, f"{name} shows a server path"


def test_the_demo_company_is_named_on_every_page(world, tmp_path, monkeypatch):
    demo = copy_world(world, tmp_path)
    result = demo.dbt(["run", "--select", "app_build_provenance"], {"demo_company": True})
    assert result.returncode == 0, result.stdout[-3000:]
    monkeypatch.setenv("AICOST_DB_PATH", str(demo.db_path))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    for name in ("overview", "calls"):
        app = open_app(name)
        assert any(element.value.startswith("**Demo company.**") for element in app.info), name


# --- the marts the app reads its rules from --------------------------------------------------------------


def test_anomaly_band_is_carried_by_the_mart(world):
    rows = world.dicts("select * from marts.mart_cost_anomalies where scale_usd is not null order by cost_date limit 5")
    for row in rows:
        assert row["anomaly_threshold"] == 3.5 and row["anomaly_min_excess_usd"] == Decimal("0.01")
        high = Decimal(str(row["expected_usd"])) + Decimal("3.5") * Decimal(str(row["scale_usd"]))
        assert abs(row["expected_high_usd"] - high) < Decimal("1e-6")
        assert row["expected_low_usd"] == max(Decimal(0), row["expected_low_usd"])


def test_cogs_bands_are_the_bounds_the_marts_classify_with(world):
    bands = world.dicts("select * from marts.app_cogs_bands order by band_order")
    assert [(b["cogs_band"], b["lower_bound"], b["upper_bound"]) for b in bands] == [
        ("under_3_pct", 0.0, 0.03), ("disciplined", 0.03, 0.08), ("typical", 0.08, 0.20),
        ("attribution_gaps", 0.20, 0.40), ("out_of_control", 0.40, None),
    ]  # fmt: skip
    for row in world.dicts("select ai_cogs_ratio, cogs_band from marts.mart_customer_unit_economics"):
        ratio = row["ai_cogs_ratio"]
        if ratio is None:
            assert row["cogs_band"] == "no_revenue"
            continue
        band = next(b for b in bands if b["upper_bound"] is None or ratio < b["upper_bound"]
                    or (b["is_upper_inclusive"] and ratio == b["upper_bound"]))  # fmt: skip
        assert row["cogs_band"] == band["cogs_band"]


def test_dimensions_come_from_the_build(world):
    project = yaml.safe_load((REPOSITORY / "dbt_project.yml").read_text())["vars"]
    shown = world.dicts("select * from marts.app_dimensions order by dimension_order")
    assert [row["dimension"] for row in shown] == [*project["attribution_dimensions"], "provider", "model"]
    scopes = {row["budget_scope_type"]: row["dimension"] for row in shown if row["budget_scope_type"]}
    assert scopes == project["budget_scopes"]


def test_the_app_is_a_dbt_exposure_of_every_mart_it_reads():
    from costapp import queries

    exposures = yaml.safe_load((REPOSITORY / "models" / "marts" / "app" / "_app__exposures.yml").read_text())
    depends_on = {ref.split("'")[1] for ref in exposures["exposures"][0]["depends_on"]}
    assert depends_on == {relation.split(".")[1] for relation in queries.RELATIONS_READ}
    source = "\n".join(path.read_text() for path in (REPOSITORY / "app").rglob("*.py"))
    assert "staging." not in source and "intermediate." not in source  # marts only
    assert "3.5" not in source and "0.03" not in source  # no copy of the threshold or the bands


# --- no warehouse, an empty one, one being rebuilt -------------------------------------------------


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_missing_warehouse_says_how_to_build_one(name, tmp_path, monkeypatch):
    missing = tmp_path / "nothing_here.duckdb"
    monkeypatch.setenv("AICOST_DB_PATH", str(missing))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    app = page(name, complete=False)
    assert "No warehouse" in notices(app)
    assert any("aicost demo" in element.value for element in app.markdown)
    assert str(tmp_path) not in texts(app)


def test_empty_warehouse_says_how_to_build_one(tmp_path, monkeypatch):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("AICOST_DB_PATH", str(empty))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    app = page("overview", complete=False)
    assert "holds no built marts" in notices(app)


def test_first_build_in_progress_says_so(tmp_path, monkeypatch):
    db_path = tmp_path / "first.duckdb"
    monkeypatch.setenv("AICOST_DB_PATH", str(db_path))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    with build_lock(db_path, timeout_s=1):
        app = page("overview", complete=False)
    assert "being built for the first time" in notices(app)


def copy_world(world: BuiltWarehouse, tmp_path: Path) -> BuiltWarehouse:
    """A private copy of the world (raw folder, project, warehouse) that a test may rebuild."""
    root = tmp_path / "copy"
    shutil.copytree(world.raw_path, root / "raw")
    shutil.copytree(world.project_dir, root / "project", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copy2(world.db_path, root / "warehouse.duckdb")
    copied_vars = {**world.dbt_vars, "raw_path": str(root / "raw")}  # the copy's own raw folder
    return BuiltWarehouse(root / "warehouse.duckdb", root / "raw", root / "project", world.build, copied_vars)


@pytest.fixture
def warehouse_copy(world: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BuiltWarehouse:
    copy = copy_world(world, tmp_path)
    monkeypatch.setenv("AICOST_DB_PATH", str(copy.db_path))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    return copy


@contextlib.contextmanager
def connection_in_another_process(db_path: Path, *, read_only: bool) -> Iterator[None]:
    """Hold a DuckDB connection to `db_path` in a child process, as a build (read-write) or another
    reader (read-only) would, until the block ends."""
    code = (
        "import duckdb, sys; connection = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
        "print('open', flush=True); sys.stdin.read()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(db_path), "ro" if read_only else "rw"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "open"
        yield
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


MONTH_TO_DATE = "Month to date (Feb 1–10)"


def late_call(request_id: str, input_tokens: int) -> dict:
    """A February 10 call on gpt-4o with no output: input_tokens x $2.50 per million."""
    return event(request_id, occurred_at="2026-02-10T18:00:00Z", customer_id="acme", feature="support_assistant",
                 input_tokens=input_tokens, output_tokens=0, environment="prod", usage_type="external")  # fmt: skip


def test_a_build_holding_the_file_shows_rebuilding_and_the_app_recovers(warehouse_copy):
    st.cache_data.clear()
    with connection_in_another_process(warehouse_copy.db_path, read_only=False):
        app = page("overview", complete=False)
        assert "The warehouse is being rebuilt" in notices(app)
        assert not app.metric
    app.button(key="retry-busy").click().run()
    assert not app.exception
    assert "being rebuilt" not in notices(app)
    assert_money(metrics(app)[MONTH_TO_DATE], Decimal("2.21191"))


def test_a_swap_build_in_progress_keeps_the_current_figures_on_screen(warehouse_copy):
    with build_lock(warehouse_copy.db_path, timeout_s=1):
        app = page("overview")
    assert any("A rebuild is running" in caption.value for caption in app.caption)
    assert_money(metrics(app)[MONTH_TO_DATE], Decimal("2.21191"))


def test_dbt_build_while_the_app_is_open_succeeds_and_the_app_shows_the_new_figures(warehouse_copy):
    raw_path = warehouse_copy.raw_path
    app = page("overview")
    before = shown_money(metrics(app)[MONTH_TO_DATE])
    # a plain `dbt build` straight onto the live file while the app is open: the app holds no
    # connection between queries, so nothing locks dbt out
    write_jsonl(raw_path / "usage" / "late_1.jsonl", [late_call("late_1", 400_000)])  # $1.00
    result = warehouse_copy.dbt(
        ["build", "--select", "+fct_cost_ledger", "--exclude-resource-type", "test", "unit_test"]
    )
    assert result.returncode == 0, result.stdout[-4000:]
    app.run()
    assert not app.exception
    assert_money(metrics(app)[MONTH_TO_DATE], before + 1)


def test_swap_build_succeeds_while_a_reader_holds_the_file_and_the_app_reads_the_new_one(warehouse_copy):
    db_path, raw_path = warehouse_copy.db_path, warehouse_copy.raw_path
    app = page("calls", {"day": "2026-02-10"})
    label = "Usage cost of these calls"
    before = shown_money(metrics(app)[label])
    write_jsonl(raw_path / "usage" / "late_2.jsonl", [late_call("late_2", 800_000)])  # $2.00
    # a reader mid-query holds the live file: an in-place build would fail on DuckDB's lock, the
    # swap build writes a copy and renames it over the live file
    with connection_in_another_process(db_path, read_only=True):
        built = build_warehouse(
            ("build", "--select", "+fct_llm_calls", "--exclude-resource-type", "test", "unit_test"),
            dbt_vars=warehouse_copy.dbt_vars,
            db_path=db_path,
            project_dir=warehouse_copy.project_dir,
            capture_output=True,
        )  # fmt: skip
    assert built.returncode == 0 and built.swapped, built.process.stdout[-4000:]
    app.run()
    assert not app.exception
    assert_money(metrics(app)[label], before + 2)


def test_a_failed_build_leaves_the_live_warehouse_in_place(warehouse_copy, monkeypatch):
    """The swap itself, with a stand-in for dbt that writes half a warehouse and fails."""
    db_path = warehouse_copy.db_path
    inode = db_path.stat().st_ino

    def failing_dbt(arguments, *, db_path, **_):
        with duckdb.connect(str(db_path)) as connection:
            connection.execute("create or replace table half_built as select 1 as step")
        return subprocess.CompletedProcess(["dbt", *arguments], returncode=1, stdout="boom", stderr="")

    monkeypatch.setattr(warehouse_module, "run_dbt", failing_dbt)
    built = build_warehouse(BUILD_COMMAND, db_path=db_path)
    assert built.returncode == 1 and not built.swapped
    assert db_path.stat().st_ino == inode  # the live file was not touched
    assert built.failed_path is not None and built.failed_path.exists()
    with duckdb.connect(str(built.failed_path), read_only=True) as connection:
        assert connection.execute("select step from half_built").fetchall() == [(1,)]
    app = page("overview")
    assert_money(metrics(app)[MONTH_TO_DATE], Decimal("2.21191"))


def test_the_period_defaults_to_the_last_complete_month(on_world):
    app = page("explore")
    assert (app.date_input(key="url:start").value, app.date_input(key="url:end").value) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )
    assert LAST_DAY - timedelta(days=9) == date(2026, 2, 1)  # February runs to the 10th: not complete
