"""Unit economics on product usage, fully loaded, with the arithmetic written out.

One month (January 2026) of a small company. gpt-4o is priced at $1,000 per million input tokens
(so 1,000 tokens = $1) and gpt-4o-mini at $100, no output price, no cache, no discount: a call's
usage cost is its input tokens / 1,000 (or / 10,000 on mini).

    customer     tier        calls (usage cost)                                   revenue
    cust_free    free        f1 support $4 (user uf1)                              $0
    cust_free2   free        g1 code_review $2 (no user id)                        $0
    cust_pro     pro         p1 support $2 (up1); p2 + p3 code_review $2 + $2      $100
                             (one trace, up2); d1 code_review $40 in DEV
    cust_ent     enterprise  e1a support $5 (ue1), e1b support $3 (ue2);           $500
                             e2 code_review $6 on gpt-4o-mini (ue3);
                             e3 + e4 code_review $3 + $3 (one trace, ue4);
                             i1 support $30 prod but INTERNAL
    cust_idle    pro         no calls                                              $50

All calls: $102. The openai invoice says $112.20: +$10.20 = +10 % of every call's cost (the
ledger spreads the difference in proportion to cost). A $12 `platform_fee` pool (driver `even`)
gives each of the 4 customers with product usage $3, spread within the customer by cost.
The dev call d1 ($44 loaded) and the internal call i1 ($33) never enter unit economics.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import BuiltWarehouse, build_world, contract_csv, event, rate, shared_world

D = Decimal
PROD = {"environment": "prod", "usage_type": "external"}
JAN = "2026-01-12T10:00:00Z"
SUPPORT = {"feature": "support_assistant", "agent": "support_agent", **PROD}
CODE = {"feature": "code_review", "agent": "coding_agent", **PROD}


def usd(amount: int, *, mini: bool = False) -> dict[str, int]:
    """Input tokens costing `amount` dollars on gpt-4o (or gpt-4o-mini)."""
    return {"input_tokens": amount * (10_000 if mini else 1_000), "output_tokens": 0}


RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="1000", output_usd_per_mtok="0"),
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="100", output_usd_per_mtok="0"),
]

CALLS = [
    event("f1", trace_id="t1", occurred_at=JAN, customer_id="cust_free", user_id="uf1", **SUPPORT, **usd(4)),
    event("g1", trace_id="t6", occurred_at=JAN, customer_id="cust_free2", **CODE, **usd(2)),
    event("p1", trace_id="t2", occurred_at=JAN, customer_id="cust_pro", user_id="up1", **SUPPORT, **usd(2)),
    event("p2", trace_id="t5", occurred_at=JAN, customer_id="cust_pro", user_id="up2", **CODE, **usd(2)),
    # a tool call of the same trace: it inherits customer, user, feature and agent from p2
    event("p3", trace_id="t5", call_role="tool", occurred_at=JAN, **usd(2)),
    event("e1a", trace_id="t3", occurred_at=JAN, customer_id="cust_ent", user_id="ue1", **SUPPORT, **usd(5)),
    event("e1b", trace_id="t4", occurred_at=JAN, customer_id="cust_ent", user_id="ue2", **SUPPORT, **usd(3)),
    event("e2", trace_id="t7", model="gpt-4o-mini", occurred_at=JAN, customer_id="cust_ent", user_id="ue3",
          **CODE, **usd(6, mini=True)),
    event("e3", trace_id="t8", occurred_at=JAN, customer_id="cust_ent", user_id="ue4", **CODE, **usd(3)),
    event("e4", trace_id="t8", call_role="tool", occurred_at=JAN, **usd(3)),
    # must not count: a dev call and an internal (prod) call of paying customers
    event("d1", trace_id="t9", occurred_at=JAN, customer_id="cust_pro", user_id="dev1", feature="code_review",
          agent="coding_agent", environment="dev", usage_type="internal", **usd(40)),
    event("i1", trace_id="t10", occurred_at=JAN, customer_id="cust_ent", user_id="ops1",
          feature="support_assistant", environment="prod", usage_type="internal", **usd(30)),
]  # fmt: skip

CUSTOMERS = contract_csv(
    "customers",
    [
        {"customer_id": "cust_free", "customer_name": "Free One", "plan_tier": "free"},
        {"customer_id": "cust_free2", "customer_name": "Free Two", "plan_tier": "free"},
        {"customer_id": "cust_pro", "customer_name": "Pro Co", "plan_tier": "pro"},
        {"customer_id": "cust_ent", "customer_name": "Big Co", "plan_tier": "enterprise"},
        {"customer_id": "cust_idle", "customer_name": "Idle Co", "plan_tier": "pro"},
    ],
)
REVENUE = (
    ["customer_id", "month", "revenue_usd"],
    [
        {"customer_id": "cust_free", "month": "2026-01-01", "revenue_usd": "0"},
        {"customer_id": "cust_free2", "month": "2026-01-01", "revenue_usd": "0"},
        {"customer_id": "cust_pro", "month": "2026-01-01", "revenue_usd": "100"},
        {"customer_id": "cust_ent", "month": "2026-01-01", "revenue_usd": "500"},
        {"customer_id": "cust_idle", "month": "2026-01-01", "revenue_usd": "50"},
    ],
)
OUTCOME = {"occurred_at": "2026-01-12T11:00:00Z"}
OUTCOMES = (
    ["outcome_id", "outcome_type", "occurred_at", "customer_id", "feature", "agent", "ticket_id", "trace_id"],
    [
        # two resolved tickets (traces t1 and t3); the tickets of t2 and t4 stay open
        {"outcome_id": "o1", "outcome_type": "ticket_resolved", "feature": "support_assistant",
         "agent": "support_agent", "ticket_id": "TCK-1", "trace_id": "t1", **OUTCOME},
        {"outcome_id": "o2", "outcome_type": "ticket_resolved", "trace_id": "t3", "ticket_id": "TCK-3", **OUTCOME},
        # two completed code reviews (t5, t8); t6 and t7 finished nothing
        {"outcome_id": "o3", "outcome_type": "task_completed", "trace_id": "t5", **OUTCOME},
        {"outcome_id": "o4", "outcome_type": "task_completed", "trace_id": "t8", **OUTCOME},
        # a task completed in dev: not a product outcome
        {"outcome_id": "o5", "outcome_type": "task_completed", "trace_id": "t9", **OUTCOME},
    ],
)  # fmt: skip
SHARED_COSTS = contract_csv(
    "shared_costs",
    [{"cost_pool": "platform_fee", "period_start": "2026-01-01", "period_end": "2026-02-01", "amount_usd": "12",
      "driver": "even"}],
)  # fmt: skip
INVOICES = (
    ["provider", "month", "invoiced_usd"],
    [{"provider": "openai", "month": "2026-01-01", "invoiced_usd": "112.20"}],
)
FEATURE_OWNERS = (
    ["feature", "team", "product"],
    [
        {"feature": "support_assistant", "team": "support_ai", "product": "helpdesk"},
        {"feature": "code_review", "team": "developer_tools", "product": "devtools"},
    ],
)


def unit_economics_world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The fixture world, built once per test session (test_semantic_layer queries it too, perhaps
    from another worker): conftest.shared_world."""
    return shared_world("unit_economics_world", tmp_path_factory, _build_world)


def _build_world(root: Path) -> BuiltWarehouse:
    return build_world(
        root,
        artifacts=True,  # MetricFlow reads target/semantic_manifest.json
        usage={"calls.jsonl": CALLS},
        csv_inputs={
            "customers": CUSTOMERS,
            "customer_revenue": REVENUE,
            "outcomes": OUTCOMES,
            "shared_costs": SHARED_COSTS,
            "provider_invoices": INVOICES,
            "feature_owners": FEATURE_OWNERS,
        },
        rate_card_rows=RATE_CARD,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return unit_economics_world(tmp_path_factory)


def row(warehouse: BuiltWarehouse, mart: str, **keys: str) -> dict:
    where = " and ".join(f"{column} = ?" for column in keys)
    found = warehouse.dicts(f"select * from marts.{mart} where {where}", list(keys.values()))
    assert len(found) == 1, f"expected one row of {mart} for {keys}, found {len(found)}"
    return found[0]


def customer(warehouse: BuiltWarehouse, customer_id: str) -> dict:
    return row(warehouse, "mart_customer_unit_economics", customer_id=customer_id, month="2026-01-01")


def test_the_ledger_adds_up_to_invoice_plus_shared_pool(warehouse) -> None:
    # $112.20 invoiced + $12 platform fee = $124.20, all of it somewhere in mart_usage_by_environment
    assert warehouse.scalar("select sum(amount_usd) from marts.fct_cost_ledger") == D("124.2")
    assert warehouse.scalar("select sum(ai_cost_usd) from marts.mart_usage_by_environment") == D("124.2")


@pytest.mark.parametrize(
    ("customer_id", "ai_cost", "usage_cost", "revenue", "active_users"),
    [
        # $4 x 1.1 + $3 platform fee
        ("cust_free", "7.4", "4", "0", 1),
        # $2 x 1.1 + $3; its only call has no user id
        ("cust_free2", "5.2", "2", "0", 0),
        # ($2 + $2 + $2) x 1.1 + $3; the $40 dev call d1 does not count
        ("cust_pro", "9.6", "6", "100", 2),
        # ($5 + $3 + $6 + $3 + $3) x 1.1 + $3; the $30 internal call i1 does not count
        ("cust_ent", "25", "20", "500", 4),
        # revenue and no usage
        ("cust_idle", "0", "0", "50", 0),
    ],
)
def test_customer_cost_is_fully_loaded_product_cost(
    warehouse, customer_id: str, ai_cost: str, usage_cost: str, revenue: str, active_users: int
) -> None:
    found = customer(warehouse, customer_id)
    assert found["ai_cost_usd"] == D(ai_cost)
    assert found["usage_cost_usd"] == D(usage_cost)
    assert found["revenue_usd"] == D(revenue)
    assert found["active_users"] == active_users


def test_customer_ratios_bands_and_margin(warehouse) -> None:
    pro = customer(warehouse, "cust_pro")
    assert pro["ai_cogs_ratio"] == pytest.approx(0.096)  # 9.6 / 100: 8-20 %
    assert pro["cogs_band"] == "typical"
    assert pro["cost_per_active_user"] == D("4.8")  # 9.6 / 2 users
    assert pro["gross_margin_usd"] == D("90.4")  # 100 - 9.6
    assert pro["gross_margin_pct"] == pytest.approx(0.904)  # 90.4 / 100
    assert pro["is_ai_cost_over_revenue"] is False

    enterprise = customer(warehouse, "cust_ent")
    assert enterprise["ai_cogs_ratio"] == pytest.approx(0.05)  # 25 / 500: 3-8 %
    assert enterprise["cogs_band"] == "disciplined"
    assert enterprise["cost_per_active_user"] == D("6.25")  # 25 / 4 users
    assert enterprise["gross_margin_usd"] == D("475")

    idle = customer(warehouse, "cust_idle")
    assert (idle["ai_cogs_ratio"], idle["cogs_band"]) == (0.0, "under_3_pct")
    # every call is on Jan 12, the as-of day: January is month to date against a whole month's revenue
    assert idle["is_month_complete"] is False


def test_free_customer_costing_more_than_it_pays_is_flagged(warehouse) -> None:
    free = customer(warehouse, "cust_free")
    # the free-tier customer who costs $7.40 and pays $0
    assert free["is_ai_cost_over_revenue"] is True
    assert free["gross_margin_usd"] == D("-7.4")
    assert (free["ai_cogs_ratio"], free["cogs_band"]) == (None, "no_revenue")
    assert free["cost_per_active_user"] == D("7.4")
    # no user id on its call: no active user, no cost per active user
    assert customer(warehouse, "cust_free2")["cost_per_active_user"] is None
    flagged = warehouse.rows(
        "select customer_id from marts.mart_customer_unit_economics where is_ai_cost_over_revenue order by 1"
    )
    assert flagged == [("cust_free",), ("cust_free2",)]


def test_plan_tier_rollup(warehouse) -> None:
    free = row(warehouse, "mart_plan_tier_unit_economics", plan_tier="free", month="2026-01-01")
    assert (free["customers"], free["customers_over_revenue"]) == (2, 2)
    assert free["ai_cost_usd"] == D("12.6")  # 7.4 + 5.2
    assert free["avg_cost_per_customer"] == D("6.3")  # 12.6 / 2
    assert free["p90_cost_per_customer"] == D("7.18")  # 5.2 + 0.9 x (7.4 - 5.2)
    assert free["cost_per_active_user"] == D("12.6")  # one active user (uf1)
    assert (free["ai_cogs_ratio"], free["cogs_band"]) == (None, "no_revenue")

    pro = row(warehouse, "mart_plan_tier_unit_economics", plan_tier="pro", month="2026-01-01")
    # cust_pro ($9.60) and cust_idle ($0, revenue $50)
    assert (pro["customers"], pro["paying_customers"]) == (2, 2)
    assert pro["avg_cost_per_customer"] == D("4.8")
    assert pro["p90_cost_per_customer"] == D("8.64")  # 0 + 0.9 x 9.6
    assert pro["ai_cogs_ratio"] == pytest.approx(0.064)  # 9.6 / 150
    assert pro["cogs_band"] == "disciplined"

    enterprise = row(warehouse, "mart_plan_tier_unit_economics", plan_tier="enterprise", month="2026-01-01")
    assert (enterprise["active_users"], enterprise["cost_per_active_user"]) == (4, D("6.25"))


def test_feature_unit_economics_and_cost_per_resolved_ticket(warehouse) -> None:
    support = row(warehouse, "mart_feature_unit_economics", feature="support_assistant", month="2026-01-01")
    # usage $4 + $2 + $5 + $3 = $14, x 1.1 = $15.40; platform fee: cust_free's $3 (all support),
    # cust_pro's $3 x 2/6 = $1, cust_ent's $3 x 8/20 = $1.20 -> $20.60
    assert support["ai_cost_usd"] == D("20.6")
    assert support["usage_cost_usd"] == D("14")
    assert (support["team"], support["product"]) == ("support_ai", "helpdesk")
    assert support["share_of_spend"] == pytest.approx(20.6 / 47.2)  # product total 7.4+5.2+9.6+25
    assert support["interactions"] == 4  # traces t1, t2, t3, t4
    assert support["cost_per_interaction"] == D("5.15")  # 20.6 / 4
    # two resolved tickets carry the cost of the two open ones: 20.6 / 2
    assert support["outcomes"] == 2
    assert support["cost_per_outcome"] == D("10.3")
    by_type = row(
        warehouse, "mart_feature_outcome_economics", feature="support_assistant", month="2026-01-01",
        outcome_type="ticket_resolved",
    )  # fmt: skip
    assert (by_type["outcomes"], by_type["cost_per_outcome"]) == (2, D("10.3"))

    code = row(warehouse, "mart_feature_unit_economics", feature="code_review", month="2026-01-01")
    # usage $18 x 1.1 = $19.80; fee $3 (free2) + $2 (pro: 4/6) + $1.80 (ent: 12/20) -> $26.60
    assert code["ai_cost_usd"] == D("26.6")
    assert code["interactions"] == 4  # t5, t6, t7, t8 (the dev trace t9 does not count)
    assert code["cost_per_interaction"] == D("6.65")
    # the dev task (o5) does not count: 26.6 / 2
    assert (code["outcomes"], code["cost_per_outcome"]) == (2, D("13.3"))


def test_agent_unit_economics(warehouse) -> None:
    coding = row(warehouse, "mart_agent_unit_economics", agent="coding_agent", month="2026-01-01")
    assert coding["ai_cost_usd"] == D("26.6")
    assert (coding["calls"], coding["tasks"], coding["runs"]) == (6, 2, 4)  # g1 p2 p3 e2 e3 e4
    assert coding["cost_per_task"] == D("13.3")
    assert coding["calls_per_task"] == pytest.approx(3.0)
    support = row(warehouse, "mart_agent_unit_economics", agent="support_agent", month="2026-01-01")
    assert (support["tasks"], support["cost_per_task"], support["calls_per_task"]) == (2, D("10.3"), 2.0)


def test_model_mix_and_routing_opportunity(warehouse) -> None:
    gpt4o = row(warehouse, "mart_model_mix", provider="openai", model="gpt-4o", month="2026-01-01")
    # product calls on gpt-4o: $4+2+2+2+2+5+3+3+3 = $26 (26,000 tokens), x 1.1
    assert (gpt4o["usage_cost_usd"], gpt4o["ai_cost_usd"], gpt4o["calls"]) == (D("26"), D("28.6"), 9)
    assert gpt4o["share_of_requests"] == pytest.approx(0.9)  # 9 of 10 product calls
    assert gpt4o["avg_cost_per_call"] == (D("28.6") / 9).quantize(D("1e-12"))  # money keeps 12 places
    # the same 26,000 tokens on gpt-4o-mini ($100 per million): $2.60 -> $23.40 to gain
    assert gpt4o["cheapest_model"] == "gpt-4o-mini"
    assert (gpt4o["cost_at_list_usd"], gpt4o["cost_on_cheapest_model_usd"]) == (D("26"), D("2.6"))
    assert gpt4o["routing_opportunity_usd"] == D("23.4")

    mini = row(warehouse, "mart_model_mix", provider="openai", model="gpt-4o-mini", month="2026-01-01")
    assert (mini["ai_cost_usd"], mini["cheapest_model"], mini["routing_opportunity_usd"]) == (
        D("6.6"), "gpt-4o-mini", D("0"),
    )  # fmt: skip
    # the platform fee is not scoped to a model: the `shared` row; shares sum to 1
    shared = row(warehouse, "mart_model_mix", provider="shared", model="shared", month="2026-01-01")
    assert shared["ai_cost_usd"] == D("12")
    total_share = warehouse.scalar("select sum(share_of_spend) from marts.mart_model_mix")
    assert total_share == pytest.approx(1.0)


def test_dev_and_internal_usage_have_their_own_rows(warehouse) -> None:
    by_environment = warehouse.rows(
        """
        select environment, usage_type, sum(ai_cost_usd), sum(usage_cost_usd), bool_or(is_product_usage)
        from marts.mart_usage_by_environment group by 1, 2 order by 1, 2
        """
    )
    assert by_environment == [
        ("dev", "internal", D("44"), D("40"), False),  # d1: $40 x 1.1
        ("prod", "external", D("47.2"), D("32"), True),  # the unit-economics total
        ("prod", "internal", D("33"), D("30"), False),  # i1: $30 x 1.1
    ]


def test_outcomes_take_the_dimensions_of_their_trace(warehouse) -> None:
    o2 = warehouse.dicts("select * from marts.fct_outcomes where outcome_id = 'o2'")[0]
    assert (o2["feature"], o2["agent"], o2["customer_id"], o2["team"]) == (
        "support_assistant", "support_agent", "cust_ent", "support_ai",
    )  # fmt: skip
    assert o2["is_product_outcome"] is True
    assert warehouse.scalar("select is_product_outcome from marts.fct_outcomes where outcome_id = 'o5'") is False
