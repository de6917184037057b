"""A raw folder holding every usage source at once (usage/, LiteLLM's spend logs and payloads,
Langfuse observations and traces, OpenTelemetry spans) builds in one run and reconciles line for
line: each source's lines are its calls plus its rejects, each call keeps its source and file, and
the ledger holds exactly the calls' cost.

The records are schema-built (tests/litellm_exports, tests/langfuse_records, tests/otel_spans say
where each field comes from); the records the real software writes are tested source by source
(tests/test_litellm_sources.py, tests/test_otel_real_spans.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import langfuse_records as langfuse
import otel_spans as otel
from conftest import BuiltWarehouse, build_world, event, rate
from test_litellm_robustness import payload, spend_log

# every call below: gpt-4o, 1,000 input and 100 output tokens at $2.50 and $10 per million
CALL_COST = (1000 * Decimal("2.5") + 100 * 10) / Decimal(1_000_000)  # $0.0035
RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]


def _otel_line(response_id: str, number: int) -> str:
    chat = otel.span("chat gpt-4o", {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.id": response_id, "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100,
    }, trace_id=otel.trace_id(number), span_id=otel.span_id(number))  # fmt: skip
    return otel.line(otel.export_request({"service.name": "mixed"}, [("opentelemetry.instrumentation.openai_v2",
                                                                       "2.4b0", [chat])]))  # fmt: skip


def _observation(observation_id: str, observation_type: str = "GENERATION") -> str:
    usage = {"input": 1000, "output": 100, "total": 1100}
    return json.dumps(langfuse.api_v1_observation(observation_id, "lf-trace", observation_type, model="gpt-4o",
                                                  usageDetails=usage))  # fmt: skip


# file -> its lines, and what each line must become: "call" or the reason it is rejected
FOLDER = {
    "usage/events.jsonl": [
        (json.dumps(event("u-1")), "call"),
        (json.dumps(event("u-2", input_tokens="abc")), "invalid_token_count"),
    ],
    "litellm_spend_logs/logs.jsonl": [
        (json.dumps(spend_log("l-1")), "call"),
        # the canonical event's request id again, logged an hour earlier: the latest copy is the call
        (
            json.dumps(
                spend_log(
                    "u-1", startTime="2026-01-10T11:00:00.000000+00:00", endTime="2026-01-10T11:00:01.250000+00:00"
                )
            ),
            "duplicate",
        ),  # fmt: skip
    ],
    "litellm_payloads/payloads.jsonl": [(json.dumps(payload("p-1")), "call"), ("not json", "malformed_json")],
    "langfuse_observations/observations.jsonl": [
        (_observation("lf-1"), "call"),
        (_observation("lf-span", "SPAN"), "not_a_model_call"),
    ],
    "otel_spans/spans.jsonl": [(_otel_line("chatcmpl-o1", 1), "call"), ("{}", "no_records")],
}
SOURCES = {"usage": "usage", "litellm_spend_logs": "litellm_spend_logs", "litellm_payloads": "litellm_payloads",
           "langfuse_observations": "langfuse", "otel_spans": "otel"}  # fmt: skip


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    files: dict[str, str] = {path: "\n".join(line for line, _ in lines) + "\n" for path, lines in FOLDER.items()}
    files["langfuse_traces/traces.jsonl"] = json.dumps(langfuse.api_trace("lf-trace")) + "\n"
    return build_world(tmp_path_factory.mktemp("mixed"), files=files, rate_card_rows=RATE_CARD,
                       dbt_vars={"coverage_min_calls": 1000})  # fmt: skip


def test_each_line_of_each_source_lands_once_as_what_it_is(mixed: BuiltWarehouse) -> None:
    landed = mixed.rows(
        "select source_name, regexp_extract(source_file, '[^/]+/[^/]+$'), line_number, coalesce(reason, 'call')"
        " from (select source_name, source_file, line_number, null as reason from marts.fct_llm_calls"
        " union all select source_name, source_file, line_number, reject_reason from marts.fct_rejected_events) as l"
    )
    expected = [(SOURCES[path.split("/")[0]], path, number, outcome)
                for path, lines in FOLDER.items() for number, (_, outcome) in enumerate(lines, start=1)]  # fmt: skip
    assert sorted(landed) == sorted(expected)


def test_raw_lines_are_calls_plus_rejects_per_source(mixed: BuiltWarehouse) -> None:
    raw = dict(mixed.rows("select source_name, count(*) from intermediate.int_usage_events_unioned group by 1"))
    assert raw == {source: 2 for source in SOURCES.values()}
    calls = dict(mixed.rows("select source_name, count(*) from marts.fct_llm_calls group by 1"))
    assert calls == {source: 1 for source in SOURCES.values()}


def test_the_ledger_holds_the_calls_of_every_source(mixed: BuiltWarehouse) -> None:
    # five calls (one per source) of $0.0035 each = $0.0175, booked as usage
    assert mixed.scalar("select sum(list_cost_usd) from marts.fct_llm_calls") == 5 * CALL_COST == Decimal("0.0175")
    usage_cost = mixed.scalar("select sum(amount_usd) from marts.fct_cost_ledger where cost_type = 'usage'")
    assert usage_cost == Decimal("0.0175")
