"""OpenTelemetry spans written by the real software: the OpenTelemetry Python SDK, the official
`opentelemetry-instrumentation-openai-v2` (current GenAI conventions, through
opentelemetry-util-genai) and OpenLLMetry (`traceloop-sdk` with its OpenAI and Anthropic
instrumentations), driving the real `openai` and `anthropic` clients against a stub provider on
127.0.0.1 (tests/otel_servers.py). The SDK's real OTLP/HTTP protobuf exporter posts each batch to
a second server on 127.0.0.1 that decodes the protobuf and writes it as OTLP JSON, one export
request per line, as a Collector's file exporter does; the SDK's own OTLP JSON file exporter
writes the same spans beside it, and the two renderings must agree.

The token counts come from tests/otel_servers.py CASES; the prices from RATE_CARD below."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import CALL_PIPELINE_BUILD, SOURCE_FILE_NAME, BuiltWarehouse, build_world, needles_found, rate
from otel_drive import API_KEY, SECRETS
from otel_servers import otlp_json_receiver, stub_model_server

TESTS = Path(__file__).resolve().parent
SCENARIOS = {
    "openai_v2_latest": {
        "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only",
    },
    "traceloop": {"TRACELOOP_TRACE_CONTENT": "true", "TRACELOOP_TELEMETRY": "false"},
}
# USD per million tokens
RATE_CARD = [
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="0.15", cache_read_usd_per_mtok="0.075",
         output_usd_per_mtok="0.6"),
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", cache_read_usd_per_mtok="1.25", output_usd_per_mtok="10"),
    rate("openai", "o4-mini", input_usd_per_mtok="1.1", cache_read_usd_per_mtok="0.275", output_usd_per_mtok="4.4"),
    rate("openai", "text-embedding-3-small", input_usd_per_mtok="0.02", output_usd_per_mtok="0", mode="embedding"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", cache_read_usd_per_mtok="0.3",
         cache_write_usd_per_mtok="3.75", output_usd_per_mtok="15"),
]  # fmt: skip


def _run_scenarios(out_dir: Path) -> None:
    """Each scenario in a process of its own (instrumentations patch the clients globally), side by
    side: most of their time is importing the clients and the SDKs."""
    with stub_model_server() as model_url, otlp_json_receiver(out_dir / "collector") as otlp_url:
        running = {}
        for scenario, scenario_env in SCENARIOS.items():
            env = {**os.environ, **scenario_env, "OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none",
                   "OTEL_LOGS_EXPORTER": "none"}  # fmt: skip
            running[scenario] = subprocess.Popen(
                [sys.executable, str(TESTS / "otel_drive.py"), scenario, "--model-url", model_url,
                 "--otlp-url", f"{otlp_url}/{scenario}/v1/traces",
                 "--json-file", str(out_dir / f"{scenario}.sdk.jsonl")],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
        try:
            for scenario, process in running.items():
                stdout, stderr = process.communicate(timeout=600)
                assert process.returncode == 0, f"{scenario} failed:\n{stdout[-3000:]}\n{stderr[-3000:]}"
        finally:
            for process in running.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("otel_capture")
    _run_scenarios(out_dir)
    return out_dir


@pytest.fixture(scope="module")
def warehouse(captured: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    files = {f"otel_spans/{scenario}.jsonl": (captured / "collector" / f"{scenario}.jsonl").read_bytes()
             for scenario in SCENARIOS}  # fmt: skip
    return build_world(
        tmp_path_factory.mktemp("otel_real"), files=files, rate_card_rows=RATE_CARD, command=CALL_PIPELINE_BUILD
    )


def _spans(path: Path) -> dict[str, dict[str, Any]]:
    """spanId -> the span with its resource and scope, from an OTLP JSON Lines file."""
    spans: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        for resource_spans in json.loads(line)["resourceSpans"]:
            for scope_spans in resource_spans["scopeSpans"]:
                for span in scope_spans["spans"]:
                    spans[span["spanId"]] = {"resource": resource_spans["resource"],
                                             "scope": scope_spans.get("scope"), "span": span}  # fmt: skip
    return spans


def _calls(warehouse: BuiltWarehouse, scenario: str) -> dict[str, dict[str, Any]]:
    """The scenario's calls by gen_ai.response.id (the part of request_id after the trace), or by
    operation for a call without one."""
    rows = warehouse.dicts(
        "select * from marts.fct_llm_calls where source_file like ? order by occurred_at", [f"%/{scenario}.jsonl"]
    )
    calls: dict[str, dict[str, Any]] = {}
    for row in rows:
        response_id = row["request_id"].split(":", 1)[1]
        key = response_id if response_id.startswith(("chatcmpl", "msg_")) else f"{row['operation']}/{row['status']}"
        assert key not in calls, f"two calls for {key}"
        calls[key] = row
    return calls


def test_the_receivers_otlp_json_is_the_sdks_own_otlp_json(captured: Path) -> None:
    # the Collector-style rendering of the decoded protobuf equals the SDK's JSON file exporter's
    for scenario in SCENARIOS:
        received = _spans(captured / "collector" / f"{scenario}.jsonl")
        written = _spans(captured / f"{scenario}.sdk.jsonl")
        assert received == written
        assert len(received) >= 10


def test_the_lines_are_otlp_json_export_requests(captured: Path) -> None:
    first = json.loads((captured / "collector" / "traceloop.jsonl").read_text().splitlines()[0])
    span = first["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16  # hex, not base64
    assert isinstance(span["startTimeUnixNano"], str) and span["kind"] == 3  # int64 as a string, enums as integers
    values = [attribute["value"] for attribute in span["attributes"]]
    assert {"intValue": "1500"} in values


def test_every_span_lands_once(warehouse: BuiltWarehouse, captured: Path) -> None:
    spans = sum(len(_spans(captured / "collector" / f"{scenario}.jsonl")) for scenario in SCENARIOS)
    calls = warehouse.scalar("select count(*) from marts.fct_llm_calls where source_name = 'otel'")
    rejects = warehouse.scalar("select count(*) from marts.fct_rejected_events where source_name = 'otel'")
    assert calls + rejects == spans == 23
    keys = warehouse.rows(
        "select source_file, line_number, record_index from marts.fct_llm_calls"
        " union all select source_file, line_number, record_index from marts.fct_rejected_events"
    )
    assert len(set(keys)) == spans


def test_official_openai_instrumentation_calls(warehouse: BuiltWarehouse) -> None:
    calls = _calls(warehouse, "openai_v2_latest")
    tokens = {key: (c["provider"], c["model"], c["status"], c["input_tokens"], c["output_tokens"],
                    c["cache_read_tokens"], c["list_cost_usd"]) for key, c in calls.items()}  # fmt: skip
    # openai-v2 2.4b0 writes no cached-token attribute on chat spans: the cached prompt is priced
    # as uncached input (the instrumentation's limit, not the source's)
    assert tokens == {
        # 1,500 x $0.15/M + 200 x $0.60/M = 0.000225 + 0.00012
        "chatcmpl-cached": ("openai", "gpt-4o-mini-2024-07-18", "success", 1500, 200, 0, Decimal("0.000345")),
        # 400 x $1.10/M + 900 x $4.40/M = 0.00044 + 0.00396
        "chatcmpl-reasoning": ("openai", "o4-mini-2025-04-16", "success", 400, 900, 0, Decimal("0.0044")),
        # streamed, usage from the last chunk: 2,300 x $2.50/M + 150 x $10/M = 0.00575 + 0.0015
        "chatcmpl-streamed": ("openai", "gpt-4o-2024-08-06", "success", 2300, 150, 0, Decimal("0.00725")),
        # the application failed after the answer: an error that is still billed,
        # 1,000 x $2.50/M + 40 x $10/M = 0.0025 + 0.0004
        "chatcmpl-billed-failure": ("openai", "gpt-4o-2024-08-06", "error", 1000, 40, 0, Decimal("0.0029")),
        # inside the agent run: 800 x $0.15/M + 60 x $0.60/M = 0.00012 + 0.000036
        "chatcmpl-agent": ("openai", "gpt-4o-mini-2024-07-18", "success", 800, 60, 0, Decimal("0.000156")),
        # 12 x $0.02/M; an embedding generates no output tokens
        "embeddings/success": ("openai", "text-embedding-3-small", "success", 12, 0, 0, Decimal("0.00000024")),
        # the provider answered 500 with no usage: the call failed and used nothing
        "chat/error": ("openai", "gpt-4o", "error", 0, 0, 0, Decimal("0")),
    }
    assert calls["embeddings/success"]["call_role"] == "embedding"
    assert calls["chatcmpl-cached"]["operation"] == "chat"


def test_official_openai_instrumentation_dimensions(warehouse: BuiltWarehouse) -> None:
    for call in _calls(warehouse, "openai_v2_latest").values():
        # resource attributes: service.name -> feature, deployment.environment.name `production`
        # -> prod, cloud.region -> region
        assert (call["feature"], call["environment"], call["region"], call["customer_id"]) == (
            "support-bot", "prod", "eu-west-1", "unattributed")  # fmt: skip


def test_openllmetry_calls(warehouse: BuiltWarehouse) -> None:
    calls = _calls(warehouse, "traceloop")
    tokens = {key: (c["provider"], c["model"], c["status"], c["input_tokens"], c["cache_read_tokens"],
                    c["cache_write_tokens"], c["output_tokens"], c["reasoning_tokens"], c["list_cost_usd"])
              for key, c in calls.items()}  # fmt: skip
    assert tokens == {
        # 1,500 prompt tokens of which 1,024 cached: 476 x $0.15/M + 1,024 x $0.075/M + 200 x $0.60/M
        # = 0.0000714 + 0.0000768 + 0.00012
        "chatcmpl-cached": ("openai", "gpt-4o-mini-2024-07-18", "success", 1500, 1024, 0, 200, 0, Decimal("0.0002682")),
        # 900 output tokens including 320 reasoning: 400 x $1.10/M + 900 x $4.40/M
        "chatcmpl-reasoning": ("openai", "o4-mini-2025-04-16", "success", 400, 0, 0, 900, 320, Decimal("0.0044")),
        # 252 x $2.50/M + 2,048 x $1.25/M + 150 x $10/M = 0.00063 + 0.00256 + 0.0015
        "chatcmpl-streamed": ("openai", "gpt-4o-2024-08-06", "success", 2300, 2048, 0, 150, None, Decimal("0.00469")),
        # OpenLLMetry marks the span OK: 1,000 x $2.50/M + 40 x $10/M
        "chatcmpl-billed-failure": ("openai", "gpt-4o-2024-08-06", "success", 1000, 0, 0, 40, None, Decimal("0.0029")),
        "embeddings/success": ("openai", "text-embedding-3-small", "success", 12, 0, 0, 0, None, Decimal("0.00000024")),
        "chat/error": ("openai", "gpt-4o", "error", 0, 0, 0, 0, None, Decimal("0")),
        # Anthropic's 40 uncached input tokens + 3,000 written to the cache = 3,040 (the
        # instrumentation adds them): 40 x $3/M + 3,000 x $3.75/M + 250 x $15/M = 0.00012 + 0.01125 + 0.00375
        "msg_cache_write": (
            "anthropic",
            "claude-sonnet-4-5-20250929",
            "success",
            3040,
            0,
            3000,
            250,
            None,
            Decimal("0.01512"),
        ),
        # 25 uncached + 3,000 read: 25 x $3/M + 3,000 x $0.30/M + 180 x $15/M = 0.000075 + 0.0009 + 0.0027
        "msg_cache_read": (
            "anthropic",
            "claude-sonnet-4-5-20250929",
            "success",
            3025,
            3000,
            0,
            180,
            None,
            Decimal("0.003675"),
        ),
    }


def test_openllmetry_association_properties_are_the_dimensions(warehouse: BuiltWarehouse) -> None:
    for call in _calls(warehouse, "traceloop").values():
        # traceloop.association.properties.* on every span; resource deployment.environment
        assert (call["customer_id"], call["feature"], call["user_id"], call["session_id"], call["environment"]) == (
            "cust-acme", "ticket_answers", "user-7", "sess-3", "staging")  # fmt: skip
        assert json.loads(call["metadata"]) == {"customer_id": "cust-acme", "user_id": "user-7",
                                                "session_id": "sess-3", "feature": "ticket_answers"}  # fmt: skip


def test_spans_that_are_not_model_calls_and_second_spans_of_one_call(warehouse: BuiltWarehouse) -> None:
    rejects = warehouse.rows(
        f"select {SOURCE_FILE_NAME}, reject_reason, reject_detail, split_part(request_id, ':', 2)"
        " from marts.fct_rejected_events order by 1, 2, 3"
    )
    kept = {row[3]: row for row in rejects if row[1] == "duplicate"}
    assert sorted(kept) == ["msg_cache_read", "msg_cache_write"]
    assert [row[:3] for row in rejects if row[1] != "duplicate"] == [
        ("openai_v2_latest.jsonl", "not_a_model_call", "gen_ai operation execute_tool is not a model call"),
        # the agent span reports the usage of its calls: counting it too would bill them twice
        ("openai_v2_latest.jsonl", "not_a_model_call", "gen_ai operation invoke_agent is not a model call"),
        ("openai_v2_latest.jsonl", "not_a_model_call", "gen_ai operation invoke_workflow is not a model call"),
        ("openai_v2_latest.jsonl", "not_a_model_call", "no gen_ai operation, model and token usage: not a model call"),
        ("traceloop.jsonl", "not_a_model_call", "traceloop span kind task is not a model call"),
        ("traceloop.jsonl", "not_a_model_call", "traceloop span kind workflow is not a model call"),
    ]
    # OpenLLMetry's anthropic.chat span and the anthropic SDK's own span describe one call (one
    # gen_ai.response.id): it is billed once, the other span is its duplicate
    assert warehouse.scalar("select count(*) from marts.fct_llm_calls where request_id like '%:msg_cache_write'") == 1


def test_no_prompt_completion_tool_or_key_text_in_any_relation(warehouse: BuiltWarehouse, captured: Path) -> None:
    raw_text = "".join((captured / "collector" / f"{scenario}.jsonl").read_text() for scenario in SCENARIOS)
    for needle in SECRETS:
        assert needle in raw_text, f"{needle!r} should be in the spans the instrumentations wrote"
    texts = warehouse.relation_texts()
    assert ("raw", "otel_spans") in texts
    assert needles_found(texts, [*SECRETS, API_KEY]) == []
