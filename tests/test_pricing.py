"""List, effective and cached cost of single calls, with the arithmetic written out.

Prices are USD per million tokens, so `tokens x price / 1e6` is written `tokens x price`
below with the result already divided by a million."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import CALL_PIPELINE_BUILD, build_world, event, rate

RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10",
         cache_read_usd_per_mtok="1.25", batch_input_usd_per_mtok="1.25", batch_output_usd_per_mtok="5"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", cache_write_1h_usd_per_mtok="6",
         long_context_threshold_tokens="200000", input_usd_per_mtok_long="6", output_usd_per_mtok_long="22.5",
         cache_read_usd_per_mtok_long="0.6", cache_write_usd_per_mtok_long="7.5"),
    # a price change in the middle of January: each call is priced by the row in force at its time
    rate("google", "gemini-2.5-pro", effective_from="2026-01-01", effective_to="2026-01-15",
         input_usd_per_mtok="1.25", output_usd_per_mtok="10"),
    rate("google", "gemini-2.5-pro", effective_from="2026-01-15",
         input_usd_per_mtok="2.5", output_usd_per_mtok="12"),
    rate("openai", "text-embedding-3-small", input_usd_per_mtok="0.02", output_usd_per_mtok="0",
         mode="embedding"),
]  # fmt: skip

CALLS = [
    event("plain", input_tokens=1_000, output_tokens=200),
    event("cache_read", input_tokens=10_000, cache_read_tokens=8_000, output_tokens=500),
    event("cache_write", provider="anthropic", model="claude-sonnet-4-5", input_tokens=20_000,
          cache_write_tokens=18_000, output_tokens=1_000),
    event("cache_write_1h", provider="anthropic", model="claude-sonnet-4-5", input_tokens=10_000,
          cache_write_tokens=4_000, cache_write_1h_tokens=4_000, output_tokens=0),
    event("long_at_threshold", provider="anthropic", model="claude-sonnet-4-5", input_tokens=200_000,
          output_tokens=100),
    event("long_above_threshold", provider="anthropic", model="claude-sonnet-4-5", input_tokens=200_001,
          cache_read_tokens=100_000, output_tokens=100),
    event("batch", input_tokens=10_000, output_tokens=2_000, is_batch=True),
    event("before_price_change", provider="google", model="gemini-2.5-pro",
          occurred_at="2026-01-14T23:59:59Z", input_tokens=1_000_000, output_tokens=100_000),
    event("after_price_change", provider="google", model="gemini-2.5-pro",
          occurred_at="2026-01-15T00:00:00Z", input_tokens=1_000_000, output_tokens=100_000),
    # 01:00 at +02:00 is 23:00 UTC the day before: still the old price
    event("offset_before_change", provider="google", model="gemini-2.5-pro",
          occurred_at="2026-01-15T01:00:00+02:00", input_tokens=1_000_000, output_tokens=100_000),
    event("embedding", model="text-embedding-3-small", operation="embeddings", call_role="embedding",
          input_tokens=5_000, output_tokens=0),
    event("dated_version", model="gpt-4o-2024-08-06", input_tokens=1_000, output_tokens=200),
    event("provider_case", provider="OpenAI", input_tokens=1_000, output_tokens=200),
]  # fmt: skip

DISCOUNTS = (
    ["provider", "model", "effective_from", "effective_to", "discount_pct"],
    [{"provider": "anthropic", "model": "*", "effective_from": "2026-01-01", "discount_pct": "10"}],
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("pricing"),
        usage={"calls.jsonl": CALLS},
        csv_inputs={"price_adjustments": DISCOUNTS},
        rate_card_rows=RATE_CARD,
        dbt_vars={"cache_pooling": "off"},
        command=CALL_PIPELINE_BUILD,
    )


@pytest.mark.parametrize(
    ("request_id", "expected_list_cost"),
    [
        # 1,000 x 2.50 + 200 x 10.00 = 0.0025 + 0.0020
        ("plain", "0.0045"),
        # 2,000 uncached x 2.50 + 8,000 cache reads x 1.25 + 500 x 10.00 = 0.005 + 0.010 + 0.005
        ("cache_read", "0.02"),
        # 2,000 uncached x 3.00 + 18,000 cache writes x 3.75 + 1,000 x 15.00 = 0.006 + 0.0675 + 0.015
        ("cache_write", "0.0885"),
        # 6,000 uncached x 3.00 + 4,000 one-hour cache writes x 6.00 = 0.018 + 0.024
        ("cache_write_1h", "0.042"),
        # exactly at the threshold is not above it: 200,000 x 3.00 + 100 x 15.00 = 0.6 + 0.0015
        ("long_at_threshold", "0.6015"),
        # one token above: the whole call at the long tier, cache reads too:
        # 100,001 x 6.00 + 100,000 reads x 0.60 + 100 x 22.50 = 0.600006 + 0.06 + 0.00225
        ("long_above_threshold", "0.662256"),
        # batch prices: 10,000 x 1.25 + 2,000 x 5.00 = 0.0125 + 0.010
        ("batch", "0.0225"),
        # old price: 1,000,000 x 1.25 + 100,000 x 10.00 = 1.25 + 1.00
        ("before_price_change", "2.25"),
        # new price: 1,000,000 x 2.50 + 100,000 x 12.00 = 2.50 + 1.20
        ("after_price_change", "3.7"),
        ("offset_before_change", "2.25"),
        # 5,000 x 0.02 = 0.0001
        ("embedding", "0.0001"),
        # gpt-4o-2024-08-06 has no row: priced as its family gpt-4o, same as `plain`
        ("dated_version", "0.0045"),
        ("provider_case", "0.0045"),
    ],
)
def test_list_cost_is_exact(warehouse, request_id: str, expected_list_cost: str) -> None:
    assert warehouse.call(request_id)["list_cost_usd"] == Decimal(expected_list_cost)


def test_negotiated_discount_applies_to_effective_cost(warehouse) -> None:
    call = warehouse.call("cache_write")
    # 10 % anthropic-wide discount: 0.0885 x 0.90 = 0.07965
    assert call["discount_pct"] == Decimal("10")
    assert call["effective_cost_usd"] == Decimal("0.07965")
    # openai has no discount: effective = list
    assert warehouse.call("plain")["effective_cost_usd"] == Decimal("0.0045")


def test_cache_savings_compare_with_the_uncached_price(warehouse) -> None:
    # uncached: 10,000 x 2.50 + 500 x 10.00 = 0.025 + 0.005 = 0.030; billed 0.020 -> saved 0.010
    assert warehouse.call("cache_read")["cache_savings_usd"] == Decimal("0.01")
    # a cache write costs more than an uncached prompt: 20,000 x 3.00 = 0.060 vs 0.0735 for the
    # prompt (0.006 + 0.0675), after the 10 % discount: (0.060 - 0.0735) x 0.9 = -0.01215
    assert warehouse.call("cache_write")["cache_savings_usd"] == Decimal("-0.01215")


def test_pooled_cost_equals_effective_cost_when_pooling_is_off(warehouse) -> None:
    mismatched = warehouse.scalar(
        "select count(*) from marts.fct_llm_calls where pooled_cost_usd <> effective_cost_usd"
    )
    assert mismatched == 0


def test_price_match_and_rate_row_are_recorded(warehouse) -> None:
    dated = warehouse.call("dated_version")
    assert (dated["priced_model"], dated["price_match"]) == ("gpt-4o", "family")
    assert warehouse.call("after_price_change")["rate_effective_from"].isoformat() == "2026-01-15"
    assert warehouse.call("long_above_threshold")["is_long_context"] is True
    assert warehouse.call("long_at_threshold")["is_long_context"] is False


def test_offset_timestamps_are_stored_in_utc(warehouse) -> None:
    occurred_at = warehouse.call("offset_before_change")["occurred_at"]
    assert occurred_at.isoformat() == "2026-01-14T23:00:00"
    assert warehouse.call("provider_case")["provider"] == "openai"


def test_every_call_is_priced_and_nothing_rejected(warehouse) -> None:
    assert warehouse.scalar("select count(*) from marts.fct_llm_calls") == len(CALLS)
    assert warehouse.scalar("select count(*) from marts.fct_rejected_events") == 0
