"""Cache pooling is linear: the pooled input cost of any set of calls of one pool is the set's
uncached-equivalent input cost times the pool's ratio. The ledger pools groups of calls from their
sums; fct_llm_calls pools each call the same way. Each is rounded to 12 decimals once, so the calls
of a ledger row sum to it within $0.000001, and the pool's total is the calls' total to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import build_world, event, rate

RATE_CARD = [
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75"),
]  # fmt: skip
SONNET = {"provider": "anthropic", "model": "claude-sonnet-4-5", "environment": "prod", "usage_type": "external"}


def calls() -> list[dict]:
    """61 calls of one pool (claude-sonnet-4-5, March 2026) over three customers and seven days:
    one cache write of 7,001 tokens, then reads of 7,001 tokens with 1..61 uncached extra tokens,
    so the pool's ratio is no round number."""
    lines = [event("w", occurred_at="2026-03-01T08:00:00Z", customer_id="c0", input_tokens=7_001,
                   cache_write_tokens=7_001, output_tokens=11, **SONNET)]  # fmt: skip
    for i in range(1, 61):
        when = f"2026-03-0{1 + i % 7}T{9 + i // 60:02d}:{i % 60:02d}:00Z"
        lines.append(
            event(f"r{i}", occurred_at=when, customer_id=f"c{i % 3}", input_tokens=7_001 + i,
                  cache_read_tokens=7_001, output_tokens=7 * i, **SONNET)
        )  # fmt: skip
    return lines


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory):
    return build_world(tmp_path_factory.mktemp("linear"), usage={"day.jsonl": calls()}, rate_card_rows=RATE_CARD)


def test_the_pool_ratio_is_the_calls_actual_over_uncached_input(pooled) -> None:
    # uncached-equivalent input: (7,001 + sum(7,001 + i for i = 1..60)) x $3/M
    #   = (7,001 + 420,060 + 1,830) x 3 / 1e6 = 428,891 x 3 / 1e6 = $1.286673
    # actual input: 7,001 writes x $3.75/M + 60 x 7,001 reads x $0.30/M + 1,830 uncached x $3/M
    #   = 0.02625375 + 0.1260180 + 0.005490 = $0.15776175
    pool = pooled.rows("select pool_actual_input_usd, pool_uncached_input_usd from intermediate.int_cache_pools")
    assert pool == [(Decimal("0.15776175"), Decimal("1.286673"))]


def test_calls_sum_to_their_ledger_rows_within_a_millionth(pooled) -> None:
    differences = pooled.rows(
        """
        with calls as (
            select customer_id, sum(pooled_cost_usd) as amount from marts.fct_llm_calls group by 1
        ), ledger as (
            select customer_id, sum(amount_usd) as amount from marts.fct_cost_ledger
            where cost_type in ('usage', 'negotiated_discount', 'cache_pooling') group by 1
        )
        select calls.customer_id, abs(calls.amount - ledger.amount)
        from calls join ledger using (customer_id) order by 1
        """
    )
    assert [customer for customer, _ in differences] == ["c0", "c1", "c2"]
    assert all(difference <= Decimal("0.000001") for _, difference in differences)


def test_the_pool_keeps_its_total_to_the_cent(pooled) -> None:
    # pooled total = actual input + output: 0.15776175 + (11 + 7 x 1,830) x $15/M
    #   = 0.15776175 + 12,821 x 15 / 1e6 = 0.15776175 + 0.192315 = $0.35007675
    pooled_total = pooled.scalar("select sum(pooled_cost_usd) from marts.fct_llm_calls")
    ledger_total = pooled.scalar("select sum(amount_usd) from marts.fct_cost_ledger")
    assert round(pooled_total, 2) == round(ledger_total, 2) == Decimal("0.35")
    assert abs(ledger_total - Decimal("0.35007675")) <= Decimal("0.000001")
    netted = pooled.scalar("select sum(amount_usd) from marts.fct_cost_ledger where cost_type = 'cache_pooling'")
    assert abs(netted) <= Decimal("0.000000001")


def test_every_call_pays_the_same_blended_input_rate(pooled) -> None:
    # ratio = 0.15776175 / 1.286673; a read of 7,001 + i tokens pays (7,001 + i) x $3/M x ratio
    ratio = Decimal("0.15776175") / Decimal("1.286673")
    for request_id, input_tokens, pooled_input in pooled.rows(
        "select request_id, input_tokens, pooled_input_cost_usd from marts.fct_llm_calls"
    ):
        expected = Decimal(input_tokens) * Decimal(3) / Decimal(1_000_000) * ratio
        assert abs(pooled_input - expected) <= Decimal("0.000000000001"), request_id
