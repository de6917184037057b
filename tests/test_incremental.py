"""Incremental builds equal a full refresh, and a second build in a row changes nothing.

Day one is built; then a second file lands with the next day and late events for the month
already built: a cache read and extra tokens (the February cache pool and the shared pools of
February change), a router call for a trace built on day one, the primary call of a trace whose
router was built on day one, an exact replay and a conflicting correction of day-one requests.
The incremental warehouse must then match a warehouse built from scratch on both files, row for
row, in the calls, the rejects and the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import BuiltWarehouse, build_world, contract_csv, event, rate, write_jsonl

RATE_CARD = [
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75"),
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10"),
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="0.15", output_usd_per_mtok="0.6"),
]  # fmt: skip

PROD = {"environment": "prod", "usage_type": "external"}
SONNET = {"provider": "anthropic", "model": "claude-sonnet-4-5"}

DAY_ONE = [
    # the February cache pool: acme fills the cache, globex reads it
    event("fill", occurred_at="2026-02-10T09:00:00Z", customer_id="acme", feature="chat", user_id="u1",
          input_tokens=20_000, cache_write_tokens=20_000, output_tokens=500, **SONNET, **PROD),
    event("read", occurred_at="2026-02-10T09:01:00Z", customer_id="globex", feature="chat", user_id="u2",
          input_tokens=20_000, cache_read_tokens=20_000, output_tokens=500, **SONNET, **PROD),
    # a trace whose router arrives late (tomorrow's file)
    event("t1_primary", trace_id="t1", call_role="primary", occurred_at="2026-02-10T10:00:00Z",
          customer_id="acme", feature="support", user_id="u1", **PROD),
    # a trace whose primary call arrives late: its router has nothing to inherit today
    event("t2_router", trace_id="t2", call_role="router", model="gpt-4o-mini",
          occurred_at="2026-02-10T11:00:00Z", input_tokens=300, output_tokens=5),
    # replayed and corrected tomorrow
    event("replayed", occurred_at="2026-02-10T12:00:00Z", customer_id="globex", feature="search", **PROD),
    event("corrected", occurred_at="2026-02-10T13:00:00Z", customer_id="globex", feature="search",
          output_tokens=100, **PROD),
    # a duplicate inside the day's own file
    event("twice", occurred_at="2026-02-10T14:00:00Z", customer_id="acme", feature="search", **PROD),
    event("twice", occurred_at="2026-02-10T14:00:00Z", customer_id="acme", feature="search", **PROD),
    '{"request_id": "broken_day_one"',
]  # fmt: skip

DAY_TWO = [
    # the next day
    event("next_day", occurred_at="2026-02-11T08:00:00Z", customer_id="acme", feature="chat", user_id="u3",
          input_tokens=4_000, output_tokens=200, **PROD),
    # late events for February 10
    event("late_read", occurred_at="2026-02-10T09:30:00Z", customer_id="initech", feature="chat", user_id="u4",
          input_tokens=10_000, cache_read_tokens=10_000, output_tokens=100, **SONNET, **PROD),
    event("t1_router", trace_id="t1", call_role="router", model="gpt-4o-mini",
          occurred_at="2026-02-10T09:59:59Z", input_tokens=400, output_tokens=5),
    event("t2_primary", trace_id="t2", call_role="primary", occurred_at="2026-02-10T10:59:00Z",
          customer_id="initech", feature="support", user_id="u4", **PROD),
    event("replayed", occurred_at="2026-02-10T12:00:00Z", customer_id="globex", feature="search", **PROD),
    event("corrected", occurred_at="2026-02-10T13:05:00Z", customer_id="globex", feature="search",
          output_tokens=150, **PROD),
    "not json at all",
]  # fmt: skip

FEBRUARY = {"period_start": "2026-02-01", "period_end": "2026-03-01"}
SHARED_COSTS = contract_csv(
    "shared_costs",
    [
        {"cost_pool": "platform", "amount_usd": "90", "driver": "tokens", **FEBRUARY},
        {"cost_pool": "seats", "amount_usd": "60", "driver": "active_users", **FEBRUARY},
        {"cost_pool": "support_tooling", "amount_usd": "30", "driver": "requests", "scope_feature": "support",
         **FEBRUARY},
    ],
)  # fmt: skip
INVOICES = (["provider", "month", "invoiced_usd"], [{"provider": "anthropic", "month": "2026-02-01",
                                                     "invoiced_usd": "1"}])  # fmt: skip
INPUTS = {"shared_costs": SHARED_COSTS, "provider_invoices": INVOICES}

# The models whose numbers are compared, with everything upstream of them (the unit-economics and
# monitoring marts read the same facts and are left out to keep the test quick).
SELECTION = [
    "--select", "+fct_llm_calls", "+fct_rejected_events", "+fct_cost_ledger", "+fct_traces",
    "--indirect-selection", "cautious",
]  # fmt: skip

FACTS = {
    "fct_llm_calls": "select * from marts.fct_llm_calls order by request_id",
    "fct_rejected_events": "select * from marts.fct_rejected_events order by source_file, line_number",
    "fct_cost_ledger": "select * from marts.fct_cost_ledger order by all",
    "fct_traces": "select * exclude (processed_through) from marts.fct_traces order by trace_id",
}


def rebuild(warehouse: BuiltWarehouse, *extra: str) -> None:
    result = warehouse.dbt(["build", *SELECTION, *extra])
    if result.returncode != 0:
        pytest.fail(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")


def rows_of(warehouse: BuiltWarehouse, fact: str) -> list[tuple[Any, ...]]:
    """The fact's rows, with the raw folder's path left out of file names (two worlds, two folders)."""
    prefix = str(warehouse.raw_path)

    def relative(value: Any) -> Any:
        return value.replace(prefix, "raw") if isinstance(value, str) else value

    return [tuple(relative(value) for value in row) for row in warehouse.rows(FACTS[fact])]


def facts(warehouse: BuiltWarehouse) -> dict[str, list[tuple[Any, ...]]]:
    return {name: rows_of(warehouse, name) for name in FACTS}


@dataclass
class IncrementalRun:
    """A warehouse built on day one, then on day two incrementally."""

    warehouse: BuiltWarehouse
    day_one_calls: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> IncrementalRun:
    built = build_world(
        tmp_path_factory.mktemp("incremental"), usage={"day1.jsonl": DAY_ONE}, csv_inputs=INPUTS,
        rate_card_rows=RATE_CARD, command=("build", *SELECTION),
    )  # fmt: skip
    day_one_calls = {call["request_id"]: call for call in built.dicts("select * from marts.fct_llm_calls")}
    write_jsonl(built.raw_path / "usage" / "day2.jsonl", DAY_TWO)
    rebuild(built)
    return IncrementalRun(built, day_one_calls)


@pytest.fixture(scope="module")
def full_refresh(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """Both days built from scratch, the trace join and roll-up in batches of traces (as at 100M
    events: here 4 calls a batch), so the comparison also proves batching changes nothing."""
    return build_world(
        tmp_path_factory.mktemp("full_refresh"), usage={"day1.jsonl": DAY_ONE, "day2.jsonl": DAY_TWO},
        csv_inputs=INPUTS, rate_card_rows=RATE_CARD, command=("build", *SELECTION),
        dbt_vars={"trace_batch_calls": 4},
    )  # fmt: skip


@pytest.mark.parametrize("fact", list(FACTS))
def test_incremental_build_equals_full_refresh(incremental, full_refresh, fact: str) -> None:
    built_incrementally = rows_of(incremental.warehouse, fact)
    built_from_scratch = rows_of(full_refresh, fact)
    assert built_incrementally, f"{fact} is empty"
    assert built_incrementally == built_from_scratch


def test_the_second_day_really_was_incremental(incremental) -> None:
    # day one's lines kept the run that landed them: the first file was not landed again
    landed = incremental.warehouse.rows(
        "select source_file, count(distinct landed_at) from intermediate.int_usage_events_validated group by 1"
    )
    assert sorted((Path(file).name, runs) for file, runs in landed) == [("day1.jsonl", 1), ("day2.jsonl", 1)]
    runs = incremental.warehouse.scalar("select count(distinct landed_at) from intermediate.int_usage_events_validated")
    assert runs == 2
    # calls untouched by day two (no new copy, no new call in their trace) were not rewritten
    rewritten = dict(
        incremental.warehouse.rows(
            "select request_id, processed_through = max(processed_through) over () from intermediate.int_calls_priced"
        )
    )
    assert {request for request, is_new in rewritten.items() if not is_new} == {"fill", "read", "twice"}


def test_late_data_changed_the_month_already_built(incremental) -> None:
    before = incremental.day_one_calls
    after = {call["request_id"]: call for call in incremental.warehouse.dicts("select * from marts.fct_llm_calls")}
    # the February pool gained a cheap cache read: acme's pooled cost of day one went down
    # pool on day one: input 0.075 + 0.006 = 0.081 of 0.120 uncached; with late_read (10,000 reads
    # x 0.30 = 0.003 of 0.030): 0.084 of 0.150 -> fill pays 0.060 x 0.56 = 0.0336 + 0.0075 output
    assert after["fill"]["pooled_cost_usd"] == Decimal("0.0411")
    assert before["fill"]["pooled_cost_usd"] == Decimal("0.048")
    # the day-one router inherits the customer of the primary call that arrived late
    assert after["t2_router"]["customer_id"] == "initech"
    assert after["t1_router"]["customer_id"] == "acme"
    # the conflicting correction replaced the day-one copy, the replay did not
    assert (Path(after["corrected"]["source_file"]).name, after["corrected"]["output_tokens"]) == ("day2.jsonl", 150)
    assert Path(after["replayed"]["source_file"]).name == "day1.jsonl"
    rejects = {
        (Path(file).name, line): reason
        for file, line, reason in incremental.warehouse.rows(
            "select source_file, line_number, reject_reason from marts.fct_rejected_events"
        )
    }
    assert rejects == {
        ("day1.jsonl", 6): "duplicate",  # corrected, superseded by day two
        ("day1.jsonl", 8): "duplicate",  # twice
        ("day1.jsonl", 9): "malformed_json",
        ("day2.jsonl", 5): "duplicate",  # replayed
        ("day2.jsonl", 7): "malformed_json",
    }


def test_two_builds_in_a_row_change_nothing(full_refresh) -> None:
    first = facts(full_refresh)
    rebuild(full_refresh)
    assert facts(full_refresh) == first


def test_an_edited_rate_card_reprices_calls_already_built(incremental) -> None:
    # last in the file: it changes the incremental warehouse
    warehouse = incremental.warehouse
    assert warehouse.call("replayed")["list_cost_usd"] == Decimal("0.0035")  # 1,000 x 2.50 + 100 x 10.00
    seed = warehouse.project_dir / "seeds" / "rate_card.csv"
    seed.write_text(seed.read_text().replace("openai,gpt-4o,2024-01-01,,2.5,10", "openai,gpt-4o,2024-01-01,,5,10"))
    rebuild(warehouse)
    # no new line landed, yet the day-one call is repriced: 1,000 x 5.00 + 100 x 10.00
    assert warehouse.call("replayed")["list_cost_usd"] == Decimal("0.006")
