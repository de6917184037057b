"""The FOCUS 1.3 exports (FinOps Open Cost and Usage Specification, ratified December 2025): every
mandatory column of the Cost and Usage dataset with its type and allowed values, the split cost
allocation columns of shared pools, the SKU grain, and the identity export = ledger to the cent.

The world is the attribution engine's (tests/test_attribution.py: a cache pool, nine shared pools,
two invoices) with a 10 % negotiated discount on anthropic."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from conftest import build_world
from test_attribution import CALLS, INPUTS, RATE_CARD

DISCOUNTS = (
    ["provider", "model", "effective_from", "effective_to", "discount_pct"],
    [{"provider": "anthropic", "model": "*", "effective_from": "2026-01-01", "discount_pct": "10"}],
)

# FOCUS 1.3 Cost and Usage, the mandatory columns: (type, allowed values or None, may be null).
# From the column definitions of the specification (FOCUS_Spec, specification/datasets/
# cost_and_usage/columns/*.md, "Content Constraints": Feature level Mandatory).
MANDATORY = {
    "BilledCost": ("Decimal", None, False),
    "BillingAccountId": ("String", None, False),
    "BillingAccountName": ("String", None, True),
    "BillingCurrency": ("String", {"USD"}, False),
    "BillingPeriodStart": ("DateTime", None, False),
    "BillingPeriodEnd": ("DateTime", None, False),
    "ChargeCategory": ("String", {"Usage", "Purchase", "Tax", "Credit", "Adjustment"}, False),
    "ChargeClass": ("String", {"Correction"}, True),
    "ChargeDescription": ("String", None, True),
    "ChargePeriodStart": ("DateTime", None, False),
    "ChargePeriodEnd": ("DateTime", None, False),
    "ContractedCost": ("Decimal", None, False),
    "EffectiveCost": ("Decimal", None, False),
    "HostProviderName": ("String", None, True),
    "InvoiceIssuerName": ("String", None, False),
    "ListCost": ("Decimal", None, False),
    "PricingQuantity": ("Decimal", None, True),
    "PricingUnit": ("String", None, True),
    "ServiceCategory": ("String", {"AI and Machine Learning"}, False),
    "ServiceName": ("String", None, False),
    "ServiceProviderName": ("String", None, False),
}
# Recommended and conditional columns the export fills, with their allowed values.
OTHERS = {
    "ChargeFrequency": ("String", {"One-Time", "Recurring", "Usage-Based"}, True),
    "PricingCategory": ("String", {"Standard", "Dynamic", "Committed", "Other"}, True),
    "ServiceSubcategory": ("String", {"Generative AI"}, False),
    "ConsumedQuantity": ("Decimal", None, True),
    "ConsumedUnit": ("String", {"Tokens"}, True),
    "SkuId": ("String", None, True),
    "SkuMeter": ("String", {"Input", "Cached Input", "Cache Write", "Output"}, True),
    "SkuPriceId": ("String", None, True),
    "ListUnitPrice": ("Decimal", None, True),
    "ContractedUnitPrice": ("Decimal", None, True),
    "AllocatedMethodId": ("String", None, True),
    "AllocatedMethodDetails": ("JSON", None, True),
    "AllocatedResourceId": ("String", None, True),
    "AllocatedResourceName": ("String", None, True),
    "AllocatedTags": ("JSON", None, True),
    "Tags": ("JSON", None, True),
}
DUCKDB_TYPES = {"Decimal": ("DECIMAL",), "String": ("VARCHAR",), "DateTime": ("TIMESTAMP",), "JSON": ("VARCHAR",)}
LEDGER_TOTAL = Decimal("489.124773")  # tests/test_attribution.py, less the 10 % off the January claude calls
EXPORTS = ["marts.export_focus_costs", "marts.export_focus_costs_sku"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("focus"), usage={"calls.jsonl": CALLS},
        csv_inputs={**INPUTS, "price_adjustments": DISCOUNTS}, rate_card_rows=RATE_CARD,
    )  # fmt: skip


@pytest.mark.parametrize("relation", EXPORTS)
def test_every_focus_column_has_its_type_and_allowed_values(world, relation: str) -> None:
    types = dict(world.rows(f"select column_name, column_type from (describe {relation})"))
    for column, (focus_type, allowed, nullable) in {**MANDATORY, **OTHERS}.items():
        assert column in types, f"{relation} lacks the FOCUS column {column}"
        assert types[column].startswith(DUCKDB_TYPES[focus_type]), (column, types[column])
        values = [value for (value,) in world.rows(f'select distinct "{column}" from {relation}')]
        if not nullable:
            assert None not in values, f"{column} is null"
        if allowed is not None:
            assert {v for v in values if v is not None} <= allowed, (column, values)
        if focus_type == "JSON":
            assert all(isinstance(json.loads(v), dict) for v in values if v is not None), column
    # what FOCUS does not name carries the x_ prefix: every other column
    focus_names = set(MANDATORY) | set(OTHERS) | {"ProviderName", "PublisherName"}
    assert all(name in focus_names or name.startswith("x_") for name in types), sorted(set(types) - focus_names)


@pytest.mark.parametrize("relation", EXPORTS)
def test_the_export_sums_to_the_ledger_to_the_cent(world, relation: str) -> None:
    ledger = world.scalar("select sum(amount_usd) from marts.fct_cost_ledger")
    # 489.124773 - 10 % of the January claude list cost 0.096 = 0.0096
    assert ledger == LEDGER_TOTAL - Decimal("0.0096")
    assert world.scalar(f'select sum("BilledCost") from {relation}') == ledger
    # list = ledger usage + untracked + shared + adjustments; contracted adds the discounts
    by_type = dict(world.rows("select cost_type, sum(amount_usd) from marts.fct_cost_ledger group by 1"))
    assert world.scalar(f'select sum("ListCost") from {relation}') == ledger - by_type["negotiated_discount"]
    assert world.scalar(f'select sum("ContractedCost") from {relation}') == ledger


def test_a_split_shared_pool_carries_the_allocation_columns(world) -> None:
    rows = world.dicts(
        """select "AllocatedMethodId", "AllocatedMethodDetails", "AllocatedTags", "AllocatedResourceName",
                  "Tags", "BilledCost"
           from marts.export_focus_costs where "x_CostPool" = 'fine_tuning' order by "BilledCost" desc"""
    )
    # 100 spread by tokens: 40 / 30 / 20 / 10 (tests/test_attribution.py)
    assert [r["BilledCost"] for r in rows] == [Decimal("40"), Decimal("30"), Decimal("20"), Decimal("10")]
    assert {r["AllocatedMethodId"] for r in rows} == {"aicost:shared_cost:tokens"}
    ratios = [json.loads(r["AllocatedMethodDetails"])["Elements"][0]["AllocatedRatio"] for r in rows]
    assert ratios == pytest.approx([0.4, 0.3, 0.2, 0.1]) and sum(ratios) == pytest.approx(1.0)
    top = rows[0]
    assert json.loads(top["AllocatedTags"])["customer_id"] == "globex"
    assert top["AllocatedResourceName"].startswith("customer_id=globex, feature=chat")
    assert json.loads(top["Tags"]) == {"cost_pool": "fine_tuning"}


def test_unallocated_and_usage_rows_carry_no_allocation(world) -> None:
    rows = world.rows(
        """select "x_CostPool", count(*) from marts.export_focus_costs
           where "AllocatedMethodId" is not null and (not "x_IsAllocated" or "x_CostPool" = 'usage') group by 1"""
    )
    assert rows == []


def test_sku_grain_splits_usage_by_token_type(world) -> None:
    rows = world.dicts(
        """select "SkuMeter", "ConsumedQuantity", "PricingQuantity", "ListCost", "ContractedCost", "EffectiveCost",
                  "ListUnitPrice", "x_CustomerId"
           from marts.export_focus_costs_sku
           where "x_CostPool" = 'usage' and "ServiceName" = 'claude-sonnet-4-5' order by "x_CustomerId", "SkuMeter" """
    )
    by_meter = {(r["x_CustomerId"], r["SkuMeter"]): r for r in rows}
    # customer A writes 20,000 tokens (x 3.75 = 0.075), B reads them (x 0.30 = 0.006); 500 output each (0.0075)
    a_write, b_read = by_meter[("customer_a", "Cache Write")], by_meter[("customer_b", "Cached Input")]
    assert (a_write["ConsumedQuantity"], a_write["PricingQuantity"], a_write["ListCost"]) == (
        Decimal("20000"), Decimal("0.02"), Decimal("0.075"),
    )  # fmt: skip
    assert a_write["ListUnitPrice"] == Decimal("3.75")
    assert (b_read["ListCost"], b_read["ContractedCost"]) == (Decimal("0.006"), Decimal("0.0054"))  # less 10 %
    output = by_meter[("customer_a", "Output")]
    # output is not pooled: 0.0075 x 0.9
    assert (output["ListCost"], output["ContractedCost"], output["EffectiveCost"]) == (
        Decimal("0.0075"), Decimal("0.00675"), Decimal("0.00675"),
    )  # fmt: skip
    # pooled, each customer's prompt costs the same: 0.060 x 0.675 x 0.9 = 0.03645 (tests/test_attribution.py)
    assert a_write["EffectiveCost"] == b_read["EffectiveCost"] == Decimal("0.03645")


def test_aicost_export_writes_either_grain(world, tmp_path) -> None:
    from ai_cost_attribution.cli import main

    for grain in ("charge", "sku"):
        out = tmp_path / f"focus_{grain}.csv"
        assert main(["export", "focus", "--grain", grain, "--db", str(world.db_path), "--out", str(out)]) == 0
        with out.open() as handle:
            records = list(csv.DictReader(handle))
        assert sum(Decimal(r["BilledCost"]) for r in records) == LEDGER_TOTAL - Decimal("0.0096")
        assert "AllocatedMethodDetails" in records[0] and "ServiceProviderName" in records[0]
