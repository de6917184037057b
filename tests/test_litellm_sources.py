"""LiteLLM's spend logs and payloads as usage sources, on records the real LiteLLM library wrote.

tests/litellm_records.py makes the same fourteen calls once per export format with the pinned
litellm[proxy]==1.106.2 (mock responses, offline) and keeps what LiteLLM itself builds from each:
the proxy's LiteLLM_SpendLogs row and the StandardLoggingPayload. tests/litellm_exports.py writes
them as the tools export them: spend logs as database rows in JSON Lines, as the proxy builds
them (JSON columns as JSON text), as a /spend/logs response, as psql CSV and as Parquet; payloads
one object per file and as JSON Lines. One build reads them all, beside one canonical event.

The rate card holds LiteLLM's own prices for these models (its price map in 1.106.2), so every
computed list cost must equal LiteLLM's own `spend` / `response_cost`, which is kept as
reported_cost_usd.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import litellm_exports as export
import litellm_records
from conftest import CALL_PIPELINE_BUILD, build_world, event, rate

SPEND_LOG_FORMATS = ["rows", "built", "api", "csv", "parquet"]
PAYLOAD_FORMATS = ["file", "callback"]
BOTH = "both"  # the same calls in both folders: each must count once

M = Decimal(1_000_000)
# LiteLLM 1.106.2's prices (model_prices_and_context_window_backup.json), USD per million tokens.
RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25"),
    rate("openai", "o4-mini", input_usd_per_mtok="1.1", output_usd_per_mtok="4.4", cache_read_usd_per_mtok="0.275"),
    rate("openai", "text-embedding-3-small", input_usd_per_mtok="0.02", output_usd_per_mtok="0", mode="embedding"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", cache_write_1h_usd_per_mtok="6"),
    rate("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", input_usd_per_mtok="3.3",
         output_usd_per_mtok="16.5", cache_read_usd_per_mtok="0.33", cache_write_usd_per_mtok="4.125",
         cache_write_1h_usd_per_mtok="6.6"),
    rate("azure", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25"),
    rate("google", "gemini-2.5-flash", input_usd_per_mtok="0.3", output_usd_per_mtok="2.5",
         cache_read_usd_per_mtok="0.03"),
]  # fmt: skip
# An Azure deployment is priced as the model it serves (seeds/model_aliases.csv).
MODEL_ALIASES = [{"provider": "azure", "model": "support-gpt4o", "priced_as_model": "gpt-4o"}]

# scenario -> (input, cache read, cache write, of which 1-hour, output, reasoning, list cost)
EXPECTED = {
    "openai_cached": (2000, 1500, 0, 0, 300, None, (500 * Decimal("2.5") + 1500 * Decimal("1.25") + 300 * 10) / M),
    # LiteLLM's Anthropic parser: prompt_tokens = 500 uncached + 20,000 read + 3,000 written
    "anthropic_cache_writes": (
        23500, 20000, 3000, 2000, 400, 0,
        (500 * 3 + 20000 * Decimal("0.3") + 1000 * Decimal("3.75") + 2000 * 6 + 400 * 15) / M,
    ),
    "reasoning": (800, 0, 0, 0, 1200, 1000, (800 * Decimal("1.1") + 1200 * Decimal("4.4")) / M),
    "streamed": (120, 0, 0, 0, 30, 0, (120 * Decimal("2.5") + 30 * 10) / M),
    "embedding": (10, 0, 0, 0, 0, None, 10 * Decimal("0.02") / M),
    "failed_unbilled": (0, 0, 0, 0, 0, None, Decimal(0)),
    "failed_billed": (1000, 0, 0, 0, 50, None, (1000 * 3 + 50 * 15) / M),
    # LiteLLM's Converse parser: prompt_tokens = 300 uncached + 4,000 read + 1,000 written
    "bedrock_cached": (
        5300, 4000, 1000, 0, 50, 0,
        (300 * Decimal("3.3") + 4000 * Decimal("0.33") + 1000 * Decimal("4.125") + 50 * Decimal("16.5")) / M,
    ),
    "azure_deployment": (100, 0, 0, 0, 10, None, (100 * Decimal("2.5") + 10 * 10) / M),
    "gemini_cached": (
        1000, 600, 0, 0, 100, None, (400 * Decimal("0.3") + 600 * Decimal("0.03") + 100 * Decimal("2.5")) / M,
    ),
    "trace_router": (200, 0, 0, 0, 5, None, (200 * Decimal("2.5") + 5 * 10) / M),
    "trace_primary": (1000, 0, 0, 0, 100, None, (1000 * Decimal("2.5") + 100 * 10) / M),
    "cache_fill": (50, 0, 0, 0, 5, None, (50 * Decimal("2.5") + 5 * 10) / M),
}  # fmt: skip
CALLS_PER_FORMAT = len(EXPECTED)  # every scenario but the cache hit is a call
ALL_FORMATS = SPEND_LOG_FORMATS + PAYLOAD_FORMATS


@pytest.fixture(scope="module")
def records() -> dict[tuple[str, str], dict]:
    made = litellm_records.load(tuple(ALL_FORMATS + [BOTH]))
    return {(record["prefix"], record["scenario"]): record for record in made}


def _of(records: dict, prefix: str) -> list[dict]:
    return [record for (made_for, _), record in records.items() if made_for == prefix]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, records: dict):
    rows = {prefix: [record["spend_log"] for record in _of(records, prefix)] for prefix in SPEND_LOG_FORMATS}
    files: dict[str, object] = {
        "litellm_spend_logs/rows.jsonl": export.jsonl(rows["rows"]),
        "litellm_spend_logs/built.jsonl": export.jsonl(r["spend_log_text"] for r in _of(records, "built")),
        "litellm_spend_logs/spend_logs_page.json": export.api_response(rows["api"]),
        "litellm_spend_logs/LiteLLM_SpendLogs.csv": export.psql_csv(rows["csv"]),
        "litellm_spend_logs/LiteLLM_SpendLogs.parquet": export.parquet(
            [r["spend_log"] for r in _of(records, "parquet")]
        ),
        "litellm_payloads/callback.jsonl": export.jsonl(r["payload_text"] for r in _of(records, "callback")),
        "litellm_spend_logs/both.jsonl": export.jsonl(r["spend_log"] for r in _of(records, BOTH)),
        "litellm_payloads/both.jsonl": export.jsonl(r["payload_text"] for r in _of(records, BOTH)),
    }
    for record in _of(records, "file"):
        files[f"litellm_payloads/2026/12/01/{record['payload']['id']}.json"] = record["payload_text"]
    return build_world(
        tmp_path_factory.mktemp("litellm"),
        usage={"canonical.jsonl": [event("canonical-1")]},
        files=files,
        rate_card_rows=RATE_CARD,
        model_alias_rows=MODEL_ALIASES,
        # each call is tagged only with what its scenario needs: coverage (judged past 100 calls a
        # month) is tested in test_coverage.py
        dbt_vars={"coverage_min_calls": 1000},
        command=CALL_PIPELINE_BUILD,
    )


def _call(world, records: dict, prefix: str, scenario: str) -> dict:
    record = records[(prefix, scenario)]
    return world.call(record["payload"]["id"] if prefix in PAYLOAD_FORMATS else record["spend_log"]["request_id"])


def test_every_record_lands_once_per_source(world) -> None:
    landed = world.rows(
        "select source_name, sum(calls), sum(rejects) from ("
        " select source_name, 1 as calls, 0 as rejects from marts.fct_llm_calls"
        " union all select source_name, 0, 1 from marts.fct_rejected_events) as landed group by 1 order by 1"
    )
    raw = dict(world.rows("select source_name, count(*) from intermediate.int_usage_events_unioned group by 1"))
    # 14 records per format; the "both" calls are in each folder once
    assert raw == {"litellm_payloads": 3 * 14, "litellm_spend_logs": 6 * 14, "usage": 1}
    assert {name: calls + rejects for name, calls, rejects in landed} == raw
    # one call per scenario and format (the "both" copies count once), and the canonical event
    assert sum(calls for _, calls, _ in landed) == (len(ALL_FORMATS) + 1) * CALLS_PER_FORMAT + 1


@pytest.mark.parametrize("prefix", ALL_FORMATS)
def test_tokens_and_costs_of_every_format(world, records, prefix: str) -> None:
    for scenario, (input_tokens, read, write, write_1h, output, reasoning, cost) in EXPECTED.items():
        call = _call(world, records, prefix, scenario)
        assert (
            call["input_tokens"], call["cache_read_tokens"], call["cache_write_tokens"], call["cache_write_1h_tokens"],
            call["output_tokens"], call["reasoning_tokens"], call["list_cost_usd"],
        ) == (input_tokens, read, write, write_1h, output, reasoning, cost), scenario  # fmt: skip


@pytest.mark.parametrize("prefix", ALL_FORMATS)
def test_reported_cost_is_litellms_own_and_matches_the_computed_one(world, records, prefix: str) -> None:
    for scenario in EXPECTED:
        record = records[(prefix, scenario)]
        litellm_cost = record["payload"]["response_cost"] if prefix in PAYLOAD_FORMATS else record["spend_log"]["spend"]
        call = _call(world, records, prefix, scenario)
        # LiteLLM's float, to the 12 places of a money column (0.029249999999999998 -> 0.029250000000)
        assert call["reported_cost_usd"] == round(Decimal(repr(litellm_cost)), 12), scenario
        assert call["reported_cost_usd"] == call["list_cost_usd"], scenario


def test_litellm_prompt_tokens_include_cache_reads_and_writes(records) -> None:
    # what LiteLLM's own Anthropic and Bedrock parsers wrote: uncached + read + written
    assert records[("rows", "anthropic_cache_writes")]["spend_log"]["prompt_tokens"] == 500 + 20000 + 3000
    assert records[("rows", "bedrock_cached")]["payload"]["prompt_tokens"] == 300 + 4000 + 1000


@pytest.mark.parametrize("prefix", ALL_FORMATS)
def test_dimensions_come_from_where_litellm_keeps_them(world, records, prefix: str) -> None:
    searched = _call(world, records, prefix, "openai_cached")
    # end_user -> customer; request tags feature:search and environment:production; the key's team
    # alias and alias; spend_logs_metadata region and ticket_id; the key owner as the user
    assert {name: searched[name] for name in
            ["customer_id", "feature", "team", "environment", "region", "ticket_id", "user_id", "api_key_alias"]} == {
        "customer_id": "acme", "feature": "search", "team": "search-team", "environment": "prod",
        "region": "eu-west", "ticket_id": "T-100", "user_id": "u-17", "api_key_alias": "search-prod",
    }  # fmt: skip
    chat = _call(world, records, prefix, "anthropic_cache_writes")
    assert (chat["customer_id"], chat["feature"], chat["environment"]) == ("globex", "chat", "staging")
    assert _call(world, records, prefix, "reasoning")["customer_id"] == "unattributed"
    assert json.loads(searched["metadata"]) == {"ticket_id": "T-100", "region": "eu-west"}


@pytest.mark.parametrize("prefix", ALL_FORMATS)
def test_a_router_call_inherits_the_customer_of_its_trace(world, records, prefix: str) -> None:
    router = _call(world, records, prefix, "trace_router")
    primary = _call(world, records, prefix, "trace_primary")
    # both carry LiteLLM's trace id (litellm_trace_id; the spend log keeps it as session_id)
    assert router["trace_id"] == primary["trace_id"] == f"{prefix}-trace-1"
    assert (router["call_role"], router["customer_id"], router["feature"]) == ("router", "initech", "support")


@pytest.mark.parametrize("prefix", ALL_FORMATS)
def test_providers_models_and_operations(world, records, prefix: str) -> None:
    resolved = {
        scenario: (call["provider"], call["model"], call["operation"], call["call_role"], call["status"])
        for scenario in ["bedrock_cached", "gemini_cached", "azure_deployment", "embedding", "failed_billed"]
        for call in [_call(world, records, prefix, scenario)]
    }
    assert resolved == {
        # `bedrock/us.anthropic…` as LiteLLM logs it: the route is the provider
        "bedrock_cached": ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "chat", "primary", "success"),
        # custom_llm_provider gemini is the rate card's google
        "gemini_cached": ("google", "gemini-2.5-flash", "chat", "primary", "success"),
        # an Azure deployment, priced as gpt-4o through seeds/model_aliases.csv
        "azure_deployment": ("azure", "support-gpt4o", "chat", "primary", "success"),
        "embedding": ("openai", "text-embedding-3-small", "embeddings", "embedding", "success"),
        # LiteLLM's failure is the contract's error; its tokens are still billed
        "failed_billed": ("anthropic", "claude-sonnet-4-5", "chat", "primary", "error"),
    }


def test_a_litellm_cache_hit_is_not_a_model_call(world) -> None:
    rejects = world.rows(
        "select source_name, reject_detail, count(*) from marts.fct_rejected_events"
        " where reject_reason = 'not_a_model_call' group by 1, 2 order by 1"
    )
    detail = "a LiteLLM cache hit: answered from its cache, no provider call"
    # one cache hit per format: 5 spend-log formats + both, 2 payload formats + both
    assert rejects == [("litellm_payloads", detail, 3), ("litellm_spend_logs", detail, 6)]


def test_the_same_call_in_both_folders_counts_once(world, records) -> None:
    kept = world.rows("select request_id, source_name from marts.fct_llm_calls where request_id like 'both-%'")
    duplicates = world.rows(
        "select request_id from marts.fct_rejected_events"
        " where reject_reason = 'duplicate' and request_id like 'both-%'"
    )
    assert len(kept) == CALLS_PER_FORMAT
    assert sorted(request_id for (request_id,) in duplicates) == sorted(request_id for request_id, _ in kept)
    # the payload's time has microseconds, the row's milliseconds: the later copy, the payload, wins
    assert {source for _, source in kept} == {"litellm_payloads"}


def test_real_records_raise_no_data_quality_issue(world) -> None:
    assert world.rows("select * from marts.fct_data_quality_issues") == []


def test_no_prompt_response_or_key_text_in_any_relation(world) -> None:
    needles = ["SECRET-PROMPT", "ACME-7731", "SECRET-RESPONSE", "ZX-99", litellm_records.SECRET_KEY]
    assert world.relations_holding(needles) == []


def test_the_landed_files_held_the_text(world) -> None:
    # the secrets were there to be dropped: LiteLLM stored the request and the response
    raw = b"".join(path.read_bytes() for path in world.raw_path.rglob("*") if path.is_file())
    assert b"SECRET-PROMPT" in raw and b"SECRET-RESPONSE" in raw
