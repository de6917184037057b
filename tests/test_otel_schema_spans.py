"""OpenTelemetry spans of software that cannot run here, built field for field from the published
schema (tests/otel_spans.py encodes them as OTLP JSON). Each span's comment names the file and
commit its attributes were read from:

- OpenLLMetry 0.33.12 (traceloop/openllmetry commit 76a968a5500b17d24c606ec8f82ed3cf25fed80b),
  the older names before OpenLLMetry moved to the current conventions. The keys:
  packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py; the values
  (gen_ai.system "OpenAI" / "Anthropic", llm.request.type, prompt_tokens including the Anthropic
  cache tokens since commit 144c82a1, the gen_ai.prompt.N.* content attributes): in
  packages/opentelemetry-instrumentation-openai/opentelemetry/instrumentation/openai/, the files
  shared/__init__.py, shared/chat_wrappers.py and shared/embeddings_wrappers.py; in
  packages/opentelemetry-instrumentation-anthropic/opentelemetry/instrumentation/anthropic/, the
  file __init__.py.
- The GenAI semantic conventions (open-telemetry/semantic-conventions): v1.40.0 (commit
  7fe537301d17919af7d7eb65b32e9be35da2c497) docs/gen-ai/anthropic.md (input_tokens = Anthropic's
  input_tokens + cache_read_input_tokens + cache_creation_input_tokens) and
  docs/registry/attributes/gen-ai.md; v1.44.0 (commit e10a930844c6951757a43b849d364f7d056ac32b)
  for gen_ai.usage.reasoning.output_tokens, the provider names (gcp.vertex_ai, azure.ai.openai,
  aws.bedrock) and the operation names (generate_content, execute_tool, invoke_agent); v1.26.0
  (commit 9adff435c76ea3b8cba89babefc832d3dd3c1ab9), before gen_ai.operation.name existed, with
  gen_ai.usage.prompt_tokens and the gen_ai.content.prompt event.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CALL_PIPELINE_BUILD, BuiltWarehouse, build_world, rate
from otel_spans import export_request, line, span, span_id, trace_id

SECRET = "SCHEMA-SECRET-PROMPT-4417"
SECRET_COMPLETION = "SCHEMA-SECRET-COMPLETION-9902"
SECRET_TOOL = "SCHEMA-SECRET-TOOL-6235"
NEEDLES = [SECRET, SECRET_COMPLETION, SECRET_TOOL]
RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", cache_read_usd_per_mtok="1.25", output_usd_per_mtok="10"),
    rate("openai", "text-embedding-3-small", input_usd_per_mtok="0.02", output_usd_per_mtok="0", mode="embedding"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", cache_read_usd_per_mtok="0.3",
         cache_write_usd_per_mtok="3.75", output_usd_per_mtok="15"),
    rate("anthropic", "claude-haiku-4-5", input_usd_per_mtok="1", cache_read_usd_per_mtok="0.1",
         cache_write_usd_per_mtok="1.25", output_usd_per_mtok="5"),
    rate("vertex_ai", "gemini-2.5-flash", input_usd_per_mtok="0.3", cache_read_usd_per_mtok="0.03",
         output_usd_per_mtok="2.5"),
    rate("azure", "gpt-4o", input_usd_per_mtok="2.5", cache_read_usd_per_mtok="1.25", output_usd_per_mtok="10"),
    rate("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", input_usd_per_mtok="3",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", output_usd_per_mtok="15"),
]  # fmt: skip
TRACELOOP = {
    # traceloop-sdk's span processor copies the association properties and the workflow name
    # onto every span of the workflow (semconv_ai: TRACELOOP_ASSOCIATION_PROPERTIES, TRACELOOP_WORKFLOW_NAME)
    "traceloop.workflow.name": "summarise_docs",
    "traceloop.association.properties.customer_id": "cust-9",
    "traceloop.association.properties.user_id": "user-31",
    "traceloop.association.properties.tenant": "tenant-eu-4",
}


def openllmetry_0_33_line() -> str:
    """OpenLLMetry 0.33.12: an OpenAI chat, an OpenAI embedding, an Anthropic chat that read the
    prompt cache, and the workflow span around them."""
    trace = trace_id(1)
    chat = span("openai.chat", {  # chat_wrappers.py SPAN_NAME, LLM_REQUEST_TYPE = CHAT
        "llm.request.type": "chat",
        "gen_ai.system": "OpenAI",  # shared/__init__.py _set_request_attributes
        "gen_ai.request.model": "gpt-4o",
        "llm.user": "user-31",
        "llm.headers": "None",
        "llm.is_streaming": False,
        "gen_ai.prompt.0.role": "user",  # chat_wrappers.py _set_prompts (content tracing on by default)
        "gen_ai.prompt.0.content": SECRET,
        "gen_ai.response.model": "gpt-4o-2024-08-06",  # shared/__init__.py _set_response_attributes
        "llm.usage.total_tokens": 1100,
        "gen_ai.usage.completion_tokens": 100,
        "gen_ai.usage.prompt_tokens": 1000,
        "gen_ai.completion.0.finish_reason": "stop",  # chat_wrappers.py _set_completions
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": SECRET_COMPLETION,
        **TRACELOOP,
    }, trace_id=trace, span_id=span_id(11), parent_span_id=span_id(10), start_offset_ms=10)  # fmt: skip
    embedding = span("openai.embeddings", {  # embeddings_wrappers.py, LLM_REQUEST_TYPE = EMBEDDING
        "llm.request.type": "embedding",
        "gen_ai.system": "OpenAI",
        "gen_ai.request.model": "text-embedding-3-small",
        "gen_ai.prompt.0.content": SECRET,
        "gen_ai.response.model": "text-embedding-3-small",
        "llm.usage.total_tokens": 50,  # an embedding reports prompt and total tokens only
        "gen_ai.usage.prompt_tokens": 50,
        **TRACELOOP,
    }, trace_id=trace, span_id=span_id(12), parent_span_id=span_id(10), start_offset_ms=20)  # fmt: skip
    anthropic = span("anthropic.chat", {  # anthropic/__init__.py WRAPPED_METHODS, _wrap
        "gen_ai.system": "Anthropic",
        "llm.request.type": "completion",
        "gen_ai.request.model": "claude-haiku-4-5",
        "gen_ai.prompt.0.role": "user",  # _aset_input_attributes
        "gen_ai.prompt.0.content": SECRET,
        "gen_ai.response.model": "claude-haiku-4-5-20251001",
        # _set_token_usage: prompt_tokens = input_tokens (30) + cache_read (5,000) + cache_creation (0)
        "gen_ai.usage.prompt_tokens": 5030,
        "gen_ai.usage.completion_tokens": 200,
        "llm.usage.total_tokens": 5230,
        "gen_ai.usage.cache_read_input_tokens": 5000,
        "gen_ai.usage.cache_creation_input_tokens": 0,
        "gen_ai.completion.0.content": SECRET_COMPLETION,
        **TRACELOOP,
    }, trace_id=trace, span_id=span_id(13), parent_span_id=span_id(10), start_offset_ms=30)  # fmt: skip
    workflow = span("summarise_docs.workflow", {  # traceloop-sdk decorators: TRACELOOP_SPAN_KIND, ENTITY_*
        "traceloop.span.kind": "workflow",
        "traceloop.entity.name": "summarise_docs",
        "traceloop.entity.input": json.dumps({"args": [SECRET], "kwargs": {}}),
        "traceloop.entity.output": json.dumps(SECRET_COMPLETION),
        **TRACELOOP,
    }, trace_id=trace, span_id=span_id(10), kind=1, duration_ms=900)  # fmt: skip
    return line(export_request({"service.name": "docs-api", "deployment.environment": "prod"}, [
        ("opentelemetry.instrumentation.openai.v1", "0.33.12", [chat, embedding]),
        ("opentelemetry.instrumentation.anthropic", "0.33.12", [anthropic]),
        ("traceloop.tracer", None, [workflow]),
    ]))  # fmt: skip


def semconv_anthropic_line() -> str:
    """GenAI semantic conventions v1.40+ Anthropic spans: a cache write, a cache read with extended
    thinking, a failed stream that was still billed, and the agent and tool spans around them."""
    trace = trace_id(2)
    common = {
        "gen_ai.operation.name": "chat",  # gen-ai-spans.md: inference span
        "gen_ai.provider.name": "anthropic",  # anthropic.md: MUST be "anthropic"
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.conversation.id": "conv-77",
        "gen_ai.input.messages": json.dumps([{"role": "user", "parts": [{"type": "text", "content": SECRET}]}]),
        "gen_ai.system_instructions": json.dumps([{"type": "text", "content": SECRET}]),
        "gen_ai.output.messages": json.dumps([{"role": "assistant", "parts": [{"content": SECRET_COMPLETION}]}]),
    }
    write = span("chat claude-sonnet-4-5", {
        **common,
        "gen_ai.response.id": "msg_01write",
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        # anthropic.md [11]: input_tokens = 100 + cache_read 0 + cache_creation 2,000
        "gen_ai.usage.input_tokens": 2100,
        "gen_ai.usage.cache_creation.input_tokens": 2000,
        "gen_ai.usage.cache_read.input_tokens": 0,
        "gen_ai.usage.output_tokens": 300,
    }, trace_id=trace, span_id=span_id(21), parent_span_id=span_id(20), start_offset_ms=100,
        events=[{"name": "gen_ai.content.prompt", "attributes": {"gen_ai.prompt": SECRET}}])  # fmt: skip
    read = span("chat claude-sonnet-4-5", {
        **common,
        "gen_ai.response.id": "msg_01read",
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        "gen_ai.usage.input_tokens": 2050,  # 50 + 2,000 read
        "gen_ai.usage.cache_read.input_tokens": 2000,
        "gen_ai.usage.cache_creation.input_tokens": 0,
        "gen_ai.usage.output_tokens": 800,
        "gen_ai.usage.reasoning.output_tokens": 500,  # registry (v1.42+): included in output_tokens
    }, trace_id=trace, span_id=span_id(22), parent_span_id=span_id(20), start_offset_ms=400)  # fmt: skip
    failed = span("chat claude-sonnet-4-5", {
        **common,
        "gen_ai.response.id": "msg_01failed",
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.usage.output_tokens": 35,
        "error.type": "overloaded_error",  # gen-ai-spans.md: error.type on a failed operation
    }, trace_id=trace, span_id=span_id(23), parent_span_id=span_id(20), start_offset_ms=700, status_code=2)  # fmt: skip
    tool = span("execute_tool search_claims", {  # gen-ai-spans.md: execute tool span
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "search_claims",
        "gen_ai.tool.call.arguments": json.dumps({"query": SECRET_TOOL}),
        "gen_ai.tool.call.result": SECRET_TOOL,
    }, trace_id=trace, span_id=span_id(24), parent_span_id=span_id(20), start_offset_ms=300, kind=1)  # fmt: skip
    agent = span("invoke_agent claims_agent", {  # gen-ai-agent-spans.md: the run's usage, summed
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.agent.name": "claims_agent",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.usage.input_tokens": 5350,
        "gen_ai.usage.output_tokens": 1135,
    }, trace_id=trace, span_id=span_id(20), start_offset_ms=50, duration_ms=2000, kind=1)  # fmt: skip
    # an instrumentation that reports Anthropic's own (uncached) input count beside the cache
    # counts: 4,000 read tokens cannot be part of 30 input tokens
    exclusive = span("chat claude-sonnet-4-5", {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        "gen_ai.response.id": "msg_01exclusive",
        "gen_ai.usage.input_tokens": 30,
        "gen_ai.usage.cache_read.input_tokens": 4000,
        "gen_ai.usage.output_tokens": 10,
    }, trace_id=trace_id(3), span_id=span_id(31))  # fmt: skip
    resource = {"service.name": "claims-agent", "deployment.environment.name": "development"}
    return line(export_request(resource, [
        ("fixture.semconv.anthropic", "1.40.0", [write, read, failed]),
        ("fixture.semconv.agent", "1.40.0", [tool, agent]),
        ("fixture.exclusive_input", "0.1.0", [exclusive]),
    ]))  # fmt: skip


def providers_request() -> dict[str, Any]:
    """Vertex AI, Azure OpenAI and Bedrock as the registry names them (v1.44.0), and a span of the
    v1.26.0 conventions, which had no gen_ai.operation.name."""
    vertex = span("generate_content gemini-2.5-flash", {
        "gen_ai.operation.name": "generate_content",
        "gen_ai.provider.name": "gcp.vertex_ai",
        "gen_ai.request.model": "gemini-2.5-flash",
        "gen_ai.usage.input_tokens": 10000,
        "gen_ai.usage.cache_read.input_tokens": 4000,
        "gen_ai.usage.output_tokens": 500,
    }, trace_id=trace_id(4), span_id=span_id(41))  # fmt: skip
    azure = span("chat support-gpt4o-prod", {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "azure.ai.openai",
        "gen_ai.request.model": "support-gpt4o-prod",  # the deployment name
        "gen_ai.response.model": "gpt-4o-2024-11-20",  # the model that answered
        "gen_ai.response.id": "chatcmpl-azure-1",
        "gen_ai.usage.input_tokens": 2000,
        "gen_ai.usage.output_tokens": 100,
    }, trace_id=trace_id(5), span_id=span_id(51))  # fmt: skip
    bedrock = span("chat us.anthropic.claude-sonnet-4-5-20250929-v1:0", {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "aws.bedrock",
        "gen_ai.request.model": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 100,
    }, trace_id=trace_id(6), span_id=span_id(61))  # fmt: skip
    v1_26 = span("openai.chat", {
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.id": "chatcmpl-1-26",
        "gen_ai.usage.prompt_tokens": 300,
        "gen_ai.usage.completion_tokens": 20,
    }, trace_id=trace_id(7), span_id=span_id(71), events=[
        {"name": "gen_ai.content.prompt", "attributes": {"gen_ai.prompt": SECRET}},
        {"name": "gen_ai.content.completion", "attributes": {"gen_ai.completion": SECRET_COMPLETION}},
    ])  # fmt: skip
    return export_request({"service.name": "gateway", "cloud.region": "us-east-1"}, [
        ("fixture.semconv.providers", "1.44.0", [vertex, azure, bedrock]),
        ("fixture.semconv.v1_26", "1.26.0", [v1_26]),
    ])  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_world(
        tmp_path_factory.mktemp("otel_schema"),
        files={
            "otel_spans/openllmetry_0_33.jsonl": [openllmetry_0_33_line()],
            "otel_spans/semconv_anthropic.jsonl": [semconv_anthropic_line()],
            # a .json file holding one pretty-printed export request is one line
            "otel_spans/providers.json": json.dumps(providers_request(), indent=2),
        },
        rate_card_rows=RATE_CARD,
        command=CALL_PIPELINE_BUILD,
    )


def _by_span(warehouse: BuiltWarehouse, table: str) -> dict[str, dict[str, Any]]:
    return {row["request_id"].split(":", 1)[1]: row for row in warehouse.dicts(f"select * from marts.{table}")}


def test_openllmetry_0_33_names(warehouse: BuiltWarehouse) -> None:
    calls = _by_span(warehouse, "fct_llm_calls")
    # no gen_ai.response.id in 0.33: a call is its trace and span id
    chat, embedding, anthropic = calls[span_id(11)], calls[span_id(12)], calls[span_id(13)]
    assert (chat["provider"], chat["model"], chat["input_tokens"], chat["output_tokens"]) == (
        "openai", "gpt-4o-2024-08-06", 1000, 100)  # fmt: skip
    # 1,000 x $2.50/M + 100 x $10/M
    assert chat["list_cost_usd"] == Decimal("0.0035")
    # output = llm.usage.total_tokens 50 - prompt_tokens 50; 50 x $0.02/M
    assert (embedding["operation"], embedding["call_role"], embedding["input_tokens"], embedding["output_tokens"]) == (
        "embeddings", "embedding", 50, 0)  # fmt: skip
    assert embedding["list_cost_usd"] == Decimal("0.000001")
    # prompt_tokens already holds the 5,000 cache reads: 30 x $1/M + 5,000 x $0.10/M + 200 x $5/M
    assert (anthropic["provider"], anthropic["input_tokens"], anthropic["cache_read_tokens"]) == (
        "anthropic", 5030, 5000)  # fmt: skip
    assert anthropic["list_cost_usd"] == Decimal("0.00153")
    assert anthropic["operation"] == "completion"
    for call in (chat, embedding, anthropic):
        # association properties, then traceloop.workflow.name for the feature
        assert (call["customer_id"], call["user_id"], call["feature"], call["environment"]) == (
            "cust-9", "user-31", "summarise_docs", "prod")  # fmt: skip


def test_semconv_anthropic(warehouse: BuiltWarehouse) -> None:
    calls = _by_span(warehouse, "fct_llm_calls")
    write, read, failed = calls["msg_01write"], calls["msg_01read"], calls["msg_01failed"]
    # 100 x $3/M + 2,000 x $3.75/M + 300 x $15/M = 0.0003 + 0.0075 + 0.0045
    assert (write["input_tokens"], write["cache_write_tokens"], write["list_cost_usd"]) == (
        2100, 2000, Decimal("0.0123"))  # fmt: skip
    # 50 x $3/M + 2,000 x $0.30/M + 800 x $15/M = 0.00015 + 0.0006 + 0.012
    assert (read["input_tokens"], read["cache_read_tokens"], read["output_tokens"], read["reasoning_tokens"]) == (
        2050, 2000, 800, 500)  # fmt: skip
    assert read["list_cost_usd"] == Decimal("0.01275")
    # a failed call that reports usage is billed: 1,200 x $3/M + 35 x $15/M
    assert (failed["status"], failed["model"], failed["list_cost_usd"]) == (
        "error", "claude-sonnet-4-5", Decimal("0.004125"))  # fmt: skip
    for call in (write, read, failed):
        # deployment.environment.name `development` -> dev; gen_ai.conversation.id -> session
        assert (call["environment"], call["session_id"], call["feature"]) == ("dev", "conv-77", "claims-agent")


def test_an_input_count_below_its_cache_counts_gets_them_added(warehouse: BuiltWarehouse) -> None:
    call = _by_span(warehouse, "fct_llm_calls")["msg_01exclusive"]
    # 30 uncached + 4,000 read = 4,030: 30 x $3/M + 4,000 x $0.30/M + 10 x $15/M = 0.00009 + 0.0012 + 0.00015
    assert (call["input_tokens"], call["cache_read_tokens"], call["list_cost_usd"]) == (4030, 4000, Decimal("0.00144"))


def test_providers_and_older_conventions(warehouse: BuiltWarehouse) -> None:
    calls = _by_span(warehouse, "fct_llm_calls")
    vertex, azure = calls[span_id(41)], calls["chatcmpl-azure-1"]
    bedrock, v1_26 = calls[span_id(61)], calls["chatcmpl-1-26"]
    # 6,000 x $0.30/M + 4,000 x $0.03/M + 500 x $2.50/M = 0.0018 + 0.00012 + 0.00125
    assert (vertex["provider"], vertex["model"], vertex["operation"], vertex["list_cost_usd"]) == (
        "vertex_ai", "gemini-2.5-flash", "chat", Decimal("0.00317"))  # fmt: skip
    # priced as the model that answered, not the deployment: 2,000 x $2.50/M + 100 x $10/M
    assert (azure["provider"], azure["model"], azure["list_cost_usd"]) == (
        "azure", "gpt-4o-2024-11-20", Decimal("0.006"))  # fmt: skip
    # 1,000 x $3/M + 100 x $15/M
    assert (bedrock["provider"], bedrock["model"], bedrock["list_cost_usd"]) == (
        "bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", Decimal("0.0045"))  # fmt: skip
    # no gen_ai.operation.name (v1.26): a model, a provider and usage make it a call; 300 x $2.50/M + 20 x $10/M
    assert (v1_26["provider"], v1_26["input_tokens"], v1_26["output_tokens"], v1_26["list_cost_usd"]) == (
        "openai", 300, 20, Decimal("0.00095"))  # fmt: skip
    for call in (vertex, azure, bedrock, v1_26):
        assert (call["feature"], call["region"], call["source_file"].rsplit("/", 1)[1], call["line_number"]) == (
            "gateway", "us-east-1", "providers.json", 1)  # fmt: skip


def test_rejects(warehouse: BuiltWarehouse) -> None:
    rejects = warehouse.rows(
        "select split_part(request_id, ':', 2), reject_reason, reject_detail from marts.fct_rejected_events order by 1"
    )
    assert rejects == [
        (span_id(10), "not_a_model_call", "traceloop span kind workflow is not a model call"),
        # the agent's own usage is its calls' usage
        (span_id(20), "not_a_model_call", "gen_ai operation invoke_agent is not a model call"),
        (span_id(24), "not_a_model_call", "gen_ai operation execute_tool is not a model call"),
    ]
    spans = 4 + 6 + 4
    assert warehouse.scalar("select count(*) from marts.fct_llm_calls") + len(rejects) == spans


def test_no_prompt_completion_or_tool_text_in_any_relation(warehouse: BuiltWarehouse) -> None:
    assert warehouse.relations_holding(NEEDLES) == []


# --- configuration: one line changes where a dimension comes from, which call a span is and which
# instrumentations report Anthropic's uncached input count


def _default_dimensions() -> dict[str, list[str]]:
    project = yaml.safe_load((Path(__file__).resolve().parents[1] / "dbt_project.yml").read_text())
    return project["vars"]["otel_dimensions"]


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    dimensions = _default_dimensions()
    dimensions["customer_id"] = ["span:traceloop.association.properties.tenant"]  # the one changed line
    trace = trace_id(8)
    # two instrumentations wrote a span each for one Anthropic call (same gen_ai.response.id)
    twice = [
        span("chat claude-haiku-4-5", {
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
            "gen_ai.request.model": "claude-haiku-4-5", "gen_ai.response.id": "msg_twice",
            "gen_ai.usage.input_tokens": 400, "gen_ai.usage.output_tokens": 40,
        }, trace_id=trace, span_id=span_id(80 + number), start_offset_ms=number)
        for number in (1, 2)
    ]  # fmt: skip
    # this scope reports Anthropic's own input_tokens, without the cache reads it lists beside
    exclusive = span("chat claude-haiku-4-5", {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-haiku-4-5", "gen_ai.response.id": "msg_listed_scope",
        "gen_ai.usage.input_tokens": 600, "gen_ai.usage.cache_read.input_tokens": 500,
        "gen_ai.usage.output_tokens": 50, **TRACELOOP,
    }, trace_id=trace, span_id=span_id(83))  # fmt: skip
    request = export_request({"service.name": "svc"}, [("fixture.twice", None, twice),
                                                       ("fixture.exclusive_input", None, [exclusive])])  # fmt: skip
    return build_world(
        tmp_path_factory.mktemp("otel_configured"),
        files={"otel_spans/configured.jsonl": [line(request)]},
        rate_card_rows=RATE_CARD,
        dbt_vars={
            "otel_dimensions": dimensions,
            "otel_request_id": "span",
            "otel_input_excludes_cache_scopes": ["fixture.exclusive_input"],
        },
        command=CALL_PIPELINE_BUILD,
    )


def test_configuration_changes_the_mapping(configured: BuiltWarehouse) -> None:
    calls = configured.dicts("select * from marts.fct_llm_calls order by request_id")
    # otel_request_id: span -> the two spans of one response are two calls
    assert [call["request_id"].split(":")[1] for call in calls] == [span_id(81), span_id(82), span_id(83)]
    listed = calls[2]
    # a listed scope's input excludes the cache: 600 + 500 = 1,100;
    # 600 x $1/M + 500 x $0.10/M + 50 x $5/M = 0.0006 + 0.00005 + 0.00025
    assert (listed["input_tokens"], listed["list_cost_usd"]) == (1100, Decimal("0.0009"))
    # customer_id now comes from the `tenant` association property
    assert listed["customer_id"] == "tenant-eu-4"


def test_a_bad_dimension_location_is_a_clear_error(tmp_path: Path) -> None:
    dimensions = _default_dimensions()
    dimensions["customer_id"] = ["attributes:customer"]
    built = build_world(
        tmp_path,
        files={"otel_spans/one.jsonl": [semconv_anthropic_line()]},
        rate_card_rows=RATE_CARD,
        dbt_vars={"otel_dimensions": dimensions},
        expect_success=False,
        command=CALL_PIPELINE_BUILD,
    )
    assert built.build.returncode != 0
    assert (
        "var('otel_dimensions'): customer_id location 'attributes:customer' must be 'span:<attribute key>'"
        " or 'resource:<attribute key>'"
    ) in built.build.stdout
