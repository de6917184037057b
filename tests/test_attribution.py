"""The attribution engine: cache pooling, shared-cost drivers, invoice reconciliation, the ledger
and trace roll-ups, each with the arithmetic written out (prices per million tokens)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import build_world, contract_csv, event, rate

RATE_CARD = [
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75"),
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10"),
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="0.15", output_usd_per_mtok="0.6"),
    rate("self_hosted", "llama-3.1-70b-instruct", input_usd_per_mtok="0", output_usd_per_mtok="0"),
]  # fmt: skip

PROD = {"environment": "prod", "usage_type": "external"}
FEB = "2026-02-10T12:00:00Z"

CALLS = [
    # January, the seed example: A writes a 20,000-token prompt to the cache, B reads it a minute later
    event("a_writes", provider="anthropic", model="claude-sonnet-4-5", occurred_at="2026-01-20T10:00:00Z",
          customer_id="customer_a", input_tokens=20_000, cache_write_tokens=20_000, output_tokens=500, **PROD),
    event("b_reads", provider="anthropic", model="claude-sonnet-4-5", occurred_at="2026-01-20T10:01:00Z",
          customer_id="customer_b", input_tokens=20_000, cache_read_tokens=20_000, output_tokens=500, **PROD),
    # February, for the shared-cost drivers (gpt-4o: 2.50 per million input tokens)
    event("c1", occurred_at=FEB, customer_id="acme", feature="chat", user_id="u1",
          input_tokens=1_000, output_tokens=0, **PROD),                      # 0.0025
    event("c2", occurred_at=FEB, customer_id="acme", feature="search", user_id="u2",
          input_tokens=3_000, output_tokens=0, **PROD),                      # 0.0075
    event("c3", occurred_at=FEB, customer_id="globex", feature="chat", user_id="u3",
          input_tokens=4_000, output_tokens=0, **PROD),                      # 0.0100
    event("c4", occurred_at=FEB, customer_id="globex", feature="chat", user_id="u4",
          input_tokens=2_000, output_tokens=0, environment="dev", usage_type="internal"),  # 0.0050
    event("c5", occurred_at=FEB, provider="self_hosted", model="llama-3.1-70b-instruct", customer_id="acme",
          feature="chat", user_id="u1", input_tokens=10_000, output_tokens=0, **PROD),    # 0
    # March, a trace with a router and an evaluator call
    event("t_primary", trace_id="t1", call_role="primary", occurred_at="2026-03-05T09:00:00Z",
          customer_id="acme", feature="support", input_tokens=1_000, output_tokens=100, **PROD),
    event("t_router", trace_id="t1", call_role="router", model="gpt-4o-mini",
          occurred_at="2026-03-05T08:59:59Z", input_tokens=500, output_tokens=10),
    event("t_evaluator", trace_id="t1", call_role="evaluator", model="gpt-4o-mini",
          occurred_at="2026-03-05T09:00:02Z", input_tokens=1_200, output_tokens=20),
]  # fmt: skip

FEBRUARY = {"period_start": "2026-02-01", "period_end": "2026-03-01"}
SHARED_COSTS = contract_csv(
    "shared_costs",
    [
        {"cost_pool": "fine_tuning", "amount_usd": "100", "driver": "tokens", "scope_provider": "openai", **FEBRUARY},
        {"cost_pool": "monitoring", "amount_usd": "60", "driver": "requests", "scope_environment": "prod", **FEBRUARY},
        {"cost_pool": "gateway", "amount_usd": "50", "driver": "cost", **FEBRUARY},
        {"cost_pool": "seats", "amount_usd": "90", "driver": "active_users", **FEBRUARY},
        {"cost_pool": "vector_db", "amount_usd": "40", "driver": "footprint", **FEBRUARY},
        {"cost_pool": "platform_fee", "amount_usd": "20", "driver": "even", **FEBRUARY},
        {"cost_pool": "gpu_cluster", "amount_usd": "30", "driver": "tokens", "scope_provider": "self_hosted",
         **FEBRUARY},
        {"cost_pool": "orphan", "amount_usd": "25", "driver": "requests", "scope_model": "model-never-used",
         **FEBRUARY},
        {"cost_pool": "dev_sandbox", "amount_usd": "59", "driver": "requests", "scope_environment": "dev",
         "period_start": "2026-01-01", "period_end": "2026-03-01"},
    ],
)  # fmt: skip
FOOTPRINT = (
    ["customer_id", "month", "footprint_units"],
    [
        {"customer_id": "acme", "month": "2026-02-01", "footprint_units": "3"},
        {"customer_id": "globex", "month": "2026-02-01", "footprint_units": "1"},
    ],
)
INVOICES = (
    ["provider", "month", "invoiced_usd"],
    [
        # computed: usage 0.0025 + 0.0075 + 0.0100 + 0.0050 = 0.025, plus the openai-scoped
        # fine_tuning pool 100 -> 100.025; invoiced 110.025 -> a difference of +10
        {"provider": "openai", "month": "2026-02-01", "invoiced_usd": "110.025"},
        # no anthropic usage in February: the whole 5 is a difference with nothing to spread over
        {"provider": "anthropic", "month": "2026-02-01", "invoiced_usd": "5"},
    ],
)
INPUTS = {"shared_costs": SHARED_COSTS, "tenant_footprint": FOOTPRINT, "provider_invoices": INVOICES}


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("engine_pooled"), usage={"calls.jsonl": CALLS}, csv_inputs=INPUTS,
        rate_card_rows=RATE_CARD, dbt_vars={"cache_pooling": "pooled", "invoice_difference": "allocate"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def unpooled(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("engine_off"), usage={"calls.jsonl": CALLS}, csv_inputs=INPUTS,
        rate_card_rows=RATE_CARD, dbt_vars={"cache_pooling": "off", "invoice_difference": "unallocated"},
    )  # fmt: skip


# -- cache pooling ---------------------------------------------------------------------------------


def test_seed_example_both_tenants_pay_the_same_blended_rate(pooled) -> None:
    # A: input 20,000 writes x 3.75 = 0.075, uncached-equivalent 20,000 x 3.00 = 0.060
    # B: input 20,000 reads x 0.30 = 0.006, uncached-equivalent 0.060; output 500 x 15 = 0.0075 each
    # pool: actual input 0.081 / uncached-equivalent 0.120 = 0.675
    # pooled input each = 0.060 x 0.675 = 0.0405 ($2.025 per million prompt tokens); cost = 0.0405 + 0.0075
    a, b = pooled.call("a_writes"), pooled.call("b_reads")
    assert a["pooled_cost_usd"] == b["pooled_cost_usd"] == Decimal("0.048")
    assert a["pooled_input_cost_usd"] / 20_000 * 1_000_000 == Decimal("2.025")
    # the pool's total is unchanged: 0.0825 + 0.0135 = 0.048 + 0.048 = 0.096
    assert a["effective_cost_usd"] + b["effective_cost_usd"] == Decimal("0.096")
    # savings against 0.0675 uncached each: 0.0195
    assert a["cache_savings_usd"] == b["cache_savings_usd"] == Decimal("0.0195")


def test_pooling_off_bills_each_tenant_its_own_cache_luck(unpooled) -> None:
    # A: 0.075 + 0.0075 = 0.0825 (paid to fill the cache); B: 0.006 + 0.0075 = 0.0135
    assert unpooled.call("a_writes")["pooled_cost_usd"] == Decimal("0.0825")
    assert unpooled.call("b_reads")["pooled_cost_usd"] == Decimal("0.0135")
    # savings: A 0.0675 - 0.0825 = -0.015 (a write costs more); B 0.0675 - 0.0135 = 0.054
    assert unpooled.call("a_writes")["cache_savings_usd"] == Decimal("-0.015")
    assert unpooled.call("b_reads")["cache_savings_usd"] == Decimal("0.054")


def test_pooling_adjustments_net_to_zero_in_the_ledger(pooled) -> None:
    rows = pooled.rows(
        "select customer_id, amount_usd from marts.fct_cost_ledger"
        " where cost_type = 'cache_pooling' order by customer_id"
    )
    # A: 0.048 - 0.0825 = -0.0345; B: 0.048 - 0.0135 = +0.0345
    assert rows == [("customer_a", Decimal("-0.0345")), ("customer_b", Decimal("0.0345"))]


# -- shared costs ------------------------------------------------------------------------------------


def shared(warehouse, pool: str) -> dict[str, Decimal]:
    """Allocated amount per customer/feature/environment group of a pool."""
    rows = warehouse.rows(
        "select customer_id || '/' || feature || '/' || environment, sum(amount_usd)"
        " from marts.fct_cost_ledger where cost_type = 'shared_cost' and cost_pool = ? group by 1",
        [pool],
    )
    return {key: amount for key, amount in rows if amount != 0}


def test_tokens_driver_spreads_by_tokens_in_scope(pooled) -> None:
    # openai tokens: c1 1,000 + c2 3,000 + c3 4,000 + c4 2,000 = 10,000 -> 100 x share
    assert shared(pooled, "fine_tuning") == {
        "acme/chat/prod": Decimal("10"), "acme/search/prod": Decimal("30"),
        "globex/chat/prod": Decimal("40"), "globex/chat/dev": Decimal("20"),
    }  # fmt: skip


def test_requests_driver_with_an_environment_scope(pooled) -> None:
    # prod calls in February: c1, c2, c3, c5 -> 60 / 4 = 15 each (c1 and c5 share a group)
    assert shared(pooled, "monitoring") == {
        "acme/chat/prod": Decimal("30"), "acme/search/prod": Decimal("15"), "globex/chat/prod": Decimal("15"),
    }  # fmt: skip


def test_cost_driver_spreads_by_billed_usage_cost(pooled) -> None:
    # costs 0.0025 / 0.0075 / 0.0100 / 0.0050 (c5 costs 0) of 0.025 -> 10 % / 30 % / 40 % / 20 % of 50
    assert shared(pooled, "gateway") == {
        "acme/chat/prod": Decimal("5"), "acme/search/prod": Decimal("15"),
        "globex/chat/prod": Decimal("20"), "globex/chat/dev": Decimal("10"),
    }  # fmt: skip


def test_active_users_driver_spreads_over_customers_served(pooled) -> None:
    # active users (prod, external): acme u1, u2 = 2; globex u3 = 1 (u4 is dev) -> 60 / 30;
    # within acme by cost: c1 0.0025, c2 0.0075 -> 15 / 45
    assert shared(pooled, "seats") == {
        "acme/chat/prod": Decimal("15"), "acme/search/prod": Decimal("45"), "globex/chat/prod": Decimal("30"),
    }  # fmt: skip


def test_footprint_driver(pooled) -> None:
    # footprint acme 3, globex 1 -> 30 / 10; acme's 30 by cost: 7.5 / 22.5
    assert shared(pooled, "vector_db") == {
        "acme/chat/prod": Decimal("7.5"), "acme/search/prod": Decimal("22.5"), "globex/chat/prod": Decimal("10"),
    }  # fmt: skip


def test_even_driver(pooled) -> None:
    # two customers served -> 10 each; acme's 10 by cost: 2.5 / 7.5
    assert shared(pooled, "platform_fee") == {
        "acme/chat/prod": Decimal("2.5"), "acme/search/prod": Decimal("7.5"), "globex/chat/prod": Decimal("10"),
    }  # fmt: skip


def test_gpu_pool_goes_to_the_self_hosted_model_only(pooled) -> None:
    rows = pooled.rows(
        "select provider, model, customer_id, amount_usd from marts.fct_cost_ledger where cost_pool = 'gpu_cluster'"
    )
    assert rows == [("self_hosted", "llama-3.1-70b-instruct", "acme", Decimal("30"))]


def test_a_pool_with_nothing_in_scope_is_kept_whole_as_unallocated(pooled) -> None:
    rows = pooled.rows(
        "select is_allocated, customer_id, feature, amount_usd from marts.fct_cost_ledger where cost_pool = 'orphan'"
    )
    assert rows == [(False, "unallocated", "unallocated", Decimal("25"))]


def test_a_pool_spanning_two_months_is_split_by_days(pooled) -> None:
    rows = pooled.rows(
        "select ledger_month, is_allocated, environment, amount_usd from marts.fct_cost_ledger"
        " where cost_pool = 'dev_sandbox' order by ledger_month"
    )
    # 59 days: January 31 / 59 x 59 = 31 (no dev usage in January -> unallocated), February 28 -> c4
    assert [(str(month), allocated, env, amount) for month, allocated, env, amount in rows] == [
        ("2026-01-01", False, "unallocated", Decimal("31")),
        ("2026-02-01", True, "dev", Decimal("28")),
    ]


# -- invoices and the ledger -------------------------------------------------------------------------


def test_invoice_difference_is_allocated_by_cost(pooled) -> None:
    recon = pooled.dicts("select * from marts.mart_invoice_reconciliation order by provider")
    assert [(r["provider"], r["computed_usd"], r["invoiced_usd"], r["difference_usd"]) for r in recon] == [
        ("anthropic", Decimal("0"), Decimal("5"), Decimal("5")),
        ("openai", Decimal("100.025"), Decimal("110.025"), Decimal("10")),
    ]
    # +10 spread by cost share: 10 % / 30 % / 40 % / 20 %
    assert shared_invoice(pooled) == {
        "acme/chat/prod": Decimal("1"), "acme/search/prod": Decimal("3"),
        "globex/chat/prod": Decimal("4"), "globex/chat/dev": Decimal("2"),
        "unallocated/unallocated/unallocated": Decimal("5"),
    }  # fmt: skip


def test_invoice_difference_kept_unallocated(unpooled) -> None:
    assert shared_invoice(unpooled) == {"unallocated/unallocated/unallocated": Decimal("15")}


def shared_invoice(warehouse) -> dict[str, Decimal]:
    rows = warehouse.rows(
        "select customer_id || '/' || feature || '/' || environment, sum(amount_usd)"
        " from marts.fct_cost_ledger where cost_type = 'invoice_adjustment' group by 1"
    )
    return dict(rows)


@pytest.mark.parametrize("world", ["pooled", "unpooled"])
def test_ledger_sums_to_the_cent(world: str, request: pytest.FixtureRequest) -> None:
    warehouse = request.getfixturevalue(world)
    # usage 0.096 (January, pooled or not) + 0.025 (February) + March trace 0.003773
    # + pools 100 + 60 + 50 + 90 + 40 + 20 + 30 + 25 + 59 = 474 + invoice differences 10 + 5 = 15
    assert warehouse.scalar("select sum(amount_usd) from marts.fct_cost_ledger") == Decimal("489.124773")
    # per provider and month with an invoice, the ledger equals the invoice
    by_provider = dict(warehouse.rows(
        "select provider, sum(amount_usd) from marts.fct_cost_ledger where ledger_month = '2026-02-01' group by 1"
    ))  # fmt: skip
    assert by_provider["openai"] == Decimal("110.025")
    assert by_provider["anthropic"] == Decimal("5")
    # allocated + unallocated = total
    allocated, unallocated = warehouse.rows(
        "select sum(case when is_allocated then amount_usd else 0 end),"
        " sum(case when is_allocated then 0 else amount_usd end) from marts.fct_cost_ledger"
    )[0]
    assert allocated + unallocated == Decimal("489.124773")


def test_list_discount_and_pooling_rows_sum_to_billed_usage(pooled) -> None:
    rows = dict(pooled.rows(
        "select cost_type, sum(amount_usd) from marts.fct_cost_ledger"
        " where cost_type in ('usage', 'negotiated_discount', 'cache_pooling') group by 1"
    ))  # fmt: skip
    # list: 0.0825 + 0.0135 + 0.025 + 0.003773; pooling nets to 0; no discount in this world
    assert rows["usage"] == Decimal("0.124773")
    assert rows["cache_pooling"] == Decimal("0")
    assert "negotiated_discount" not in rows


# -- traces ----------------------------------------------------------------------------------------


def test_trace_rolls_up_router_and_evaluator_calls(pooled) -> None:
    trace = pooled.dicts("select * from marts.fct_traces where trace_id = 't1'")[0]
    # primary 1,000 x 2.50 + 100 x 10 = 0.0035; router 500 x 0.15 + 10 x 0.60 = 0.000081;
    # evaluator 1,200 x 0.15 + 20 x 0.60 = 0.000192; total 0.003773, overhead 0.000273
    assert (trace["calls"], trace["router_calls"], trace["evaluator_calls"]) == (3, 1, 1)
    assert trace["primary_cost_usd"] == Decimal("0.0035")
    assert trace["router_cost_usd"] == Decimal("0.000081")
    assert trace["evaluator_cost_usd"] == Decimal("0.000192")
    assert trace["cost_usd"] == Decimal("0.003773")
    assert trace["overhead_cost_usd"] == Decimal("0.000273")
    # the trace speaks with its primary call's dimensions even though the router came first
    assert (trace["customer_id"], trace["feature"]) == ("acme", "support")


# -- FOCUS export ----------------------------------------------------------------------------------


def test_focus_export_carries_every_ledger_dollar(pooled, tmp_path) -> None:
    import csv
    import json

    from ai_cost_attribution.export import export_relation

    out = tmp_path / "focus.csv"
    rows = export_relation(pooled.db_path, "marts.export_focus_costs", out)
    with out.open() as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == rows > 0
    assert sum(Decimal(r["BilledCost"]) for r in records) == Decimal("489.124773")
    usage = [r for r in records if r["x_CostPool"] == "usage" and r["ServiceName"] == "claude-sonnet-4-5"]
    # list 0.0825 + 0.0135 = 0.096 = billed after pooling (pooling nets to 0 over the pool)
    assert sum(Decimal(r["ListCost"]) for r in usage) == Decimal("0.096")
    assert {r["ServiceCategory"] for r in records} == {"AI and Machine Learning"}
    assert {r["ChargeCategory"] for r in records} == {"Usage", "Adjustment"}
    tags = json.loads(usage[0]["Tags"])
    assert tags["customer_id"] in {"customer_a", "customer_b"} and tags["environment"] == "prod"


def test_summary_reports_ledger_total_unallocated_and_largest_invoice_difference(pooled) -> None:
    from ai_cost_attribution.summary import format_summary, money, read_summary

    summary = read_summary(pooled.db_path)
    assert summary.ledger_total_usd == Decimal("489.124773")
    # unallocated: the orphan pool 25 + January's dev sandbox 31 + anthropic's invoice difference 5
    assert summary.unallocated_usd == Decimal("61")
    assert summary.largest_invoice_difference[:3] == ("openai", "2026-02", Decimal("10"))
    assert (money(Decimal("-0.001")), money(Decimal("-155.645")), money(Decimal("1234.5"))) == (
        "$0.00", "-$155.64", "$1,234.50",
    )  # fmt: skip
    assert "of which unallocated $61.00" in format_summary(summary)


def test_shared_cost_pools_mart_shows_each_split(pooled) -> None:
    rows = pooled.dicts("select * from marts.mart_shared_cost_pools order by cost_pool, pool_month")
    by_pool = {(r["cost_pool"], str(r["pool_month"])): r for r in rows}
    seats = by_pool[("seats", "2026-02-01")]
    assert (seats["driver"], seats["amount_usd"], seats["allocated_usd"], seats["unallocated_usd"]) == (
        "active_users", Decimal("90"), Decimal("90"), Decimal("0"),
    )  # fmt: skip
    assert seats["customers_reached"] == 2
    sandbox = by_pool[("dev_sandbox", "2026-01-01")]
    # 31 of 59 days in January, nothing in scope
    assert (sandbox["window_days"], sandbox["allocated_usd"], sandbox["unallocated_usd"]) == (31, 0, Decimal("31"))
    assert sum(r["amount_usd"] for r in rows) == Decimal("474")
