"""The stakeholder app, page by page, with Streamlit's AppTest on the small world of app_world.py.

Each test opens one page on a built warehouse and checks that the figures a person reads equal
the marts (and, where the arithmetic is short, the arithmetic written here). Money on screen is
rounded to the cent, so a shown figure equals the mart's value within half a cent; the tables
carry the unrounded values and are compared exactly."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ai_cost_attribution import warehouse as warehouse_module
from ai_cost_attribution.project import run_dbt
from ai_cost_attribution.warehouse import build_lock, build_warehouse
from app_world import ANOMALY_VARS, BUILD_COMMAND, event, shared_app_world
from conftest import REPOSITORY, BuiltWarehouse, write_jsonl

APP = REPOSITORY / "app" / "streamlit_app.py"
PAGES = {
    "Overview": "views/overview.py",
    "Explore": "views/explore.py",
    "Customers": "views/customers.py",
    "Features and agents": "views/features.py",
    "Budgets and anomalies": "views/budgets.py",
    "Allocation and reconciliation": "views/allocation.py",
}
HALF_CENT = Decimal("0.005")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return shared_app_world(tmp_path_factory)


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Open one page of the app on a warehouse file, as a fresh browser session would."""

    def opener(title: str, db_path: Path, *, fresh_cache: bool = False, complete: bool = True) -> AppTest:
        """`complete`: the warehouse has every mart, so the page must show no notice at all."""
        monkeypatch.setenv("AICOST_DB_PATH", str(db_path))
        if fresh_cache:
            st.cache_data.clear()
        app = AppTest.from_file(str(APP), default_timeout=30)
        app.run()
        if PAGES[title] != PAGES["Overview"]:
            app.switch_page(PAGES[title]).run()
        assert not app.exception, [exception.value for exception in app.exception]
        if complete:
            assert app.title[0].value == title
            assert not app.warning and not app.error, notices(app)
            assert "needs `marts." not in notices(app)
        return app

    return opener


# --- reading what a page shows -----------------------------------------------------------------


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def shown_money(text: str) -> Decimal:
    """`-$1,234.56` → Decimal('-1234.56')."""
    return Decimal(text.replace("$", "").replace(",", ""))


def assert_money(text: str, expected: Decimal | float | str) -> None:
    assert abs(shown_money(text) - Decimal(str(expected))) <= HALF_CENT, f"{text} shown, {expected} expected"


def table_with(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page holding every one of `columns`."""
    for frame in app.dataframe:
        if all(column in frame.value.columns for column in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def notices(app: AppTest) -> str:
    return "\n".join(element.value for element in [*app.info, *app.warning, *app.error])


# --- Overview -------------------------------------------------------------------------------------


def test_overview_spend_growth_and_forecast(world, open_page):
    app = open_page("Overview", world.db_path)
    shown = metrics(app)
    # February (to the 10th), from the ledger: list 1.71371, anthropic discount -0.0018 (10 % of the
    # evaluator's 0.018), and the legacy_hosting pool 0.50 that nothing was in scope for.
    month_to_date = Decimal("1.71371") - Decimal("0.0018") + Decimal("0.50")
    # January: list 0.204106, discount -0.009, platform_fee 1.00, invoice difference 0.20 - 0.114106
    last_month = Decimal("0.204106") - Decimal("0.009") + Decimal("1.00") + (Decimal("0.20") - Decimal("0.114106"))
    forecast = month_to_date / 10 * 28
    assert month_to_date == world.scalar(
        "select sum(amount_usd) from marts.fct_cost_ledger where ledger_month = '2026-02-01'"
    )
    assert last_month == world.scalar(
        "select sum(amount_usd) from marts.fct_cost_ledger where ledger_month = '2026-01-01'"
    )
    assert_money(shown["Month to date (Feb 1–10)"], month_to_date)
    assert_money(shown["Last month (January)"], last_month)
    assert_money(shown["Forecast for February"], forecast)
    assert shown["Month-over-month growth"] == f"{(forecast / last_month - 1) * 100:+.1f}%"


def test_overview_cogs_coverage_budgets_and_anomalies(world, open_page):
    app = open_page("Overview", world.db_path)
    shown = metrics(app)
    cost, revenue = world.rows(
        "select sum(ai_cost_usd), sum(revenue_usd) from marts.mart_customer_unit_economics where month = '2026-01-01'"
    )[0]
    assert revenue == Decimal("2.05")  # acme 2.00 + beta 0.05 + free_co 0
    assert shown["AI COGS / revenue (January 2026)"] == f"{cost / revenue * 100:.1f}%"
    coverage = table_with(app, "coverage_share", "scope")
    expected = world.dicts(
        "select dimension, scope, coverage_share from marts.mart_attribution_coverage"
        " where coverage_month = '2026-02-01'"
    )
    assert sorted(zip(coverage["dimension"], coverage["scope"], coverage["coverage_share"], strict=True)) == sorted(
        (row["dimension"], row["scope"], pytest.approx(row["coverage_share"])) for row in expected
    )
    # the support team spent 0.1142 of its 0.05 February budget: over
    assert shown["Budgets at warning or over (February)"] == "1"
    alerts = table_with(app, "scope_value", "status")
    assert list(alerts["scope_value"]) == ["support"] and list(alerts["status"]) == ["over"]
    flagged = world.scalar(
        "select count(*) from marts.mart_cost_anomalies where is_anomaly and cost_date >= '2026-02-04'"
    )
    assert flagged >= 2  # the 9 February spike, by feature and by customer
    assert shown["Cost spikes flagged"] == str(flagged)


# --- Explore --------------------------------------------------------------------------------------


def test_explore_default_view_equals_the_calls(world, open_page):
    app = open_page("Explore", world.db_path)
    total = world.scalar("select sum(pooled_cost_usd) from marts.fct_llm_calls")
    # list 0.204106 + 1.71371 less the anthropic discounts 0.009 + 0.0018
    assert total == Decimal("0.204106") + Decimal("1.71371") - Decimal("0.009") - Decimal("0.0018")
    assert_money(metrics(app)["Total: cost (after discounts and cache pooling)"], total)
    shown = table_with(app, "day", "feature", "amount")
    expected = world.dicts(
        "select usage_date as day, feature, sum(pooled_cost_usd) as amount from marts.fct_llm_calls group by all"
    )
    assert len(shown) == len(expected)
    by_key = {(pd.Timestamp(row["day"]), row["feature"]): float(row["amount"]) for row in expected}
    for _, row in shown.iterrows():
        assert row["amount"] == pytest.approx(by_key[(pd.Timestamp(row["day"]), row["feature"])], abs=1e-12)


def test_explore_plan_tier_by_month_filtered_to_prod(world, open_page):
    app = open_page("Explore", world.db_path)
    app.selectbox(key="explore-dimension").set_value("plan_tier")
    app.selectbox(key="explore-grain").set_value("Month")
    app.run()
    app.multiselect(key="explore-filter-environment").set_value(["prod"])
    app.run()
    assert not app.exception
    shown = table_with(app, "month", "plan_tier", "amount")
    expected = world.dicts(
        """
        select calls.usage_month as month, coalesce(customers.plan_tier, 'unattributed') as plan_tier,
               sum(calls.pooled_cost_usd) as amount
        from marts.fct_llm_calls as calls
        left join marts.mart_customer_unit_economics as customers
            on customers.customer_id = calls.customer_id and customers.month = calls.usage_month
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


# --- Customers ------------------------------------------------------------------------------------


def test_customers_unit_economics_for_the_last_complete_month(world, open_page):
    app = open_page("Customers", world.db_path)
    shown = metrics(app)
    january = world.dicts("select * from marts.mart_customer_unit_economics where month = '2026-01-01'")
    cost = sum(row["ai_cost_usd"] for row in january)
    assert_money(shown["Revenue"], "2.05")
    assert_money(shown["AI cost (product)"], cost)
    assert shown["AI COGS / revenue"] == f"{cost / Decimal('2.05') * 100:.1f}%"
    # beta paid 0.05 for 0.081 of Claude (plus its share of the platform fee); free_co paid nothing
    assert shown["Paying customers costing more in AI"] == "1"
    free_co = next(row for row in january if row["customer_id"] == "free_co")["ai_cost_usd"]
    assert f"1 customer without revenue this month (free tier) cost ${free_co:.2f}" in " ".join(
        caption.value for caption in app.caption
    )
    over = table_with(app, "customer_id", "gross_margin_usd", "plan_tier")
    tiers = table_with(app, "plan_tier", "customers", "avg_cost_per_customer")
    assert set(tiers["plan_tier"]) == {"enterprise", "pro", "free"}
    expected_tiers = {
        row["plan_tier"]: float(row["ai_cost_usd"])
        for row in world.dicts("select * from marts.mart_plan_tier_unit_economics where month = '2026-01-01'")
    }
    assert dict(zip(tiers["plan_tier"], tiers["ai_cost_usd"], strict=True)) == pytest.approx(expected_tiers)
    over_rows = [frame.value for frame in app.dataframe if "is_ai_cost_over_revenue" in frame.value.columns]
    assert any(set(frame["customer_id"]) == {"beta", "free_co"} for frame in over_rows), over


# --- Features and agents ------------------------------------------------------------------------


def test_features_cost_per_interaction_ticket_and_routing(world, open_page):
    app = open_page("Features and agents", world.db_path)
    shown = metrics(app)
    january = world.dicts("select * from marts.mart_feature_unit_economics where month = '2026-01-01'")
    cost = sum(row["ai_cost_usd"] for row in january)
    interactions = sum(row["interactions"] for row in january)
    assert interactions == 34  # t_j1, j2, j3, j4 is dev (not product)... and 31 search calls
    assert_money(shown["Product AI cost"], cost)
    assert shown["Average cost per interaction"] == f"${cost / interactions:.4f}"
    ticket = world.scalar(
        "select cost_per_outcome from marts.mart_feature_outcome_economics"
        " where month = '2026-01-01' and feature = 'support_assistant' and outcome_type = 'ticket_resolved'"
    )
    assert shown["Cost per resolved ticket (support_assistant)"] == f"${ticket:.4f}"
    # gpt-4o in January: j1 10,000/1,000 and j3 4,000/500 (j4 is dev) = 0.035 + 0.015 list; on
    # gpt-4o-mini 14,000 x 0.15 + 1,500 x 0.6 per million = 0.0021 + 0.0009: saving 0.047
    assert_money(shown["Routing opportunity this month"], Decimal("0.047"))
    roles = table_with(app, "router_cost_usd", "evaluator_cost_usd")
    support = roles.set_index("feature").loc["support_assistant"]
    # January support traces: t_j1 (0.035 + router 0.000306) and j3 (0.015); pooling is neutral here
    assert support["interactions"] == 2
    assert support["router_cost_usd"] == pytest.approx(0.000306 / 2)
    assert support["primary_cost_usd"] == pytest.approx((0.035 + 0.015) / 2)
    agents = table_with(app, "agent", "cost_per_task").dropna(subset=["cost_per_task"])
    expected = world.rows(
        "select agent, cost_per_task from marts.mart_agent_unit_economics"
        " where month = '2026-01-01' and cost_per_task is not null"
    )
    assert dict(zip(agents["agent"], agents["cost_per_task"], strict=True)) == pytest.approx(
        {agent: float(cost) for agent, cost in expected}
    )


# --- Budgets and anomalies --------------------------------------------------------------------


def test_budgets_and_anomalies(world, open_page):
    app = open_page("Budgets and anomalies", world.db_path)
    shown = metrics(app)
    assert shown["Budgets"] == "2"
    assert shown["Over budget"] == "1"
    assert shown["At warning"] == "0"
    budgets = table_with(app, "scope_value", "budget_usd", "forecast_usd")
    support = budgets.set_index("scope_value").loc["support"]
    # February support usage: f1 0.07 + its evaluator 0.0162 + f3 0.028 = 0.1142; 10 of 28 days
    assert support["actual_usd"] == pytest.approx(0.1142)
    assert support["forecast_usd"] == pytest.approx(0.1142 / 10 * 28)
    assert support["status"] == "over"
    flagged = world.scalar("select count(*) from marts.mart_cost_anomalies where is_anomaly")
    assert shown["Days flagged as anomalies"] == str(flagged)
    series = table_with(app, "cost_date", "upper_usd", "lower_usd")
    spike = series[pd.to_datetime(series["cost_date"]) == pd.Timestamp("2026-02-09")]
    if not spike.empty:  # the default series is the newest anomaly's; the spike may be another's
        assert bool(spike["is_anomaly"].iloc[0])
    banded = series.dropna(subset=["lower_usd", "upper_usd"])
    assert not banded.empty and (banded["lower_usd"] <= banded["upper_usd"]).all()


# --- Allocation and reconciliation ------------------------------------------------------------


def test_allocation_waterfall_pools_and_invoices(world, open_page):
    app = open_page("Allocation and reconciliation", world.db_path)
    shown = metrics(app)
    by_type = dict(world.rows("select cost_type, sum(amount_usd) from marts.fct_cost_ledger group by 1"))
    assert_money(shown["List price of the usage"], by_type["usage"])
    assert_money(shown["Total cost in the ledger"], sum(by_type.values()))
    assert_money(shown["Unallocated"], "0.50")  # legacy_hosting had nothing in scope
    steps = table_with(app, "step", "amount_usd").set_index("step")["amount_usd"]
    assert steps["List price"] == pytest.approx(0.204106 + 1.71371)
    assert steps["Negotiated discounts"] == pytest.approx(-0.0108)
    assert steps["Shared pools"] == pytest.approx(1.50)
    assert steps["Invoice difference"] == pytest.approx(0.20 - 0.114106)
    assert steps["Total cost"] == pytest.approx(float(sum(by_type.values())))
    pools = table_with(app, "cost_pool", "allocated_usd", "unallocated_usd").set_index("cost_pool")
    assert pools.loc["platform_fee", "allocated_usd"] == pytest.approx(1.00)
    assert pools.loc["legacy_hosting", "unallocated_usd"] == pytest.approx(0.50)
    assert_money(shown["Invoice difference"], Decimal("0.20") - Decimal("0.114106"))
    assert shown["Provider-months outside tolerance"] == "1 of 1"  # 75 % off


# --- no warehouse, an empty one, one being rebuilt -------------------------------------------------


@pytest.mark.parametrize("title", list(PAGES))
def test_missing_warehouse_says_how_to_build_one(title, tmp_path, open_page):
    app = open_page(title, tmp_path / "nothing_here.duckdb", complete=False)
    assert "No warehouse" in notices(app)
    assert any("aicost demo" in element.value for element in app.markdown)


def test_empty_warehouse_says_how_to_build_one(tmp_path, open_page):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    app = open_page("Overview", empty, complete=False)
    assert "holds no built marts" in notices(app)


def test_first_build_in_progress_says_so(tmp_path, open_page):
    db_path = tmp_path / "first.duckdb"
    with build_lock(db_path, timeout_s=1):
        app = open_page("Overview", db_path, complete=False)
    assert "being built for the first time" in notices(app)


@pytest.fixture
def warehouse_copy(world: BuiltWarehouse, tmp_path: Path) -> BuiltWarehouse:
    """A private copy of the world (raw folder, project, warehouse) that a test may rebuild."""
    root = tmp_path / "copy"
    shutil.copytree(world.raw_path, root / "raw")
    shutil.copytree(world.project_dir, root / "project", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copy2(world.db_path, root / "warehouse.duckdb")
    return BuiltWarehouse(root / "warehouse.duckdb", root / "raw", root / "project", world.build)


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


def test_a_build_holding_the_file_shows_rebuilding_and_the_app_recovers(warehouse_copy, open_page):
    db_path = warehouse_copy.db_path
    with connection_in_another_process(db_path, read_only=False):
        app = open_page("Overview", db_path, fresh_cache=True, complete=False)
        assert "The warehouse is being rebuilt" in notices(app)
        assert not app.metric
    app.button(key="retry-busy").click().run()
    assert not app.exception
    assert "being rebuilt" not in notices(app)
    assert_money(metrics(app)[MONTH_TO_DATE], Decimal("2.21191"))


def test_a_swap_build_in_progress_keeps_the_current_figures_on_screen(warehouse_copy, open_page):
    with build_lock(warehouse_copy.db_path, timeout_s=1):
        app = open_page("Overview", warehouse_copy.db_path)
    assert any("A rebuild is running" in caption.value for caption in app.caption)
    assert_money(metrics(app)[MONTH_TO_DATE], Decimal("2.21191"))


def test_dbt_build_while_the_app_is_open_succeeds_and_the_app_shows_the_new_figures(warehouse_copy, open_page):
    db_path, raw_path = warehouse_copy.db_path, warehouse_copy.raw_path
    app = open_page("Overview", db_path)
    before = shown_money(metrics(app)[MONTH_TO_DATE])
    # a plain `dbt build` straight onto the live file while the app is open: the app holds no
    # connection between queries, so nothing locks dbt out
    write_jsonl(raw_path / "usage" / "late_1.jsonl", [late_call("late_1", 400_000)])  # $1.00
    result = run_dbt(
        ["build", "--select", "+fct_cost_ledger", "--exclude-resource-type", "test", "unit_test"],
        dbt_vars={"raw_path": str(raw_path), **ANOMALY_VARS},
        project_dir=warehouse_copy.project_dir,
        db_path=db_path,
        capture_output=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    app.run()
    assert not app.exception
    assert_money(metrics(app)[MONTH_TO_DATE], before + 1)


def test_swap_build_succeeds_while_a_reader_holds_the_file_and_the_app_reads_the_new_one(warehouse_copy, open_page):
    db_path, raw_path = warehouse_copy.db_path, warehouse_copy.raw_path
    app = open_page("Explore", db_path)
    total = "Total: cost (after discounts and cache pooling)"
    before = shown_money(metrics(app)[total])
    write_jsonl(raw_path / "usage" / "late_2.jsonl", [late_call("late_2", 800_000)])  # $2.00
    # a reader mid-query holds the live file: an in-place build would fail on DuckDB's lock, the
    # swap build writes a copy and renames it over the live file
    with connection_in_another_process(db_path, read_only=True):
        built = build_warehouse(
            ("build", "--select", "+fct_llm_calls", "--exclude-resource-type", "test", "unit_test"),
            dbt_vars={"raw_path": str(raw_path), **ANOMALY_VARS},
            db_path=db_path,
            project_dir=warehouse_copy.project_dir,
            capture_output=True,
        )
    assert built.returncode == 0 and built.swapped, built.process.stdout[-4000:]
    app.run()
    assert not app.exception
    assert_money(metrics(app)[total], before + 2)


def test_a_failed_build_leaves_the_live_warehouse_in_place(warehouse_copy, open_page, monkeypatch):
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
    app = open_page("Overview", db_path)
    assert_money(metrics(app)[MONTH_TO_DATE], Decimal("2.21191"))
