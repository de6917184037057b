"""Langfuse observations and traces as a usage source: the API pages (v1 and v2), the blob-storage
export (CSV, JSON Lines, the enriched observations), pre-2024 payloads; records built from the
published schema field for field (tests/langfuse_records.py says where each field comes from).

Prices (USD per million tokens) in this world: gpt-4o 2.50 in / 1.25 cache read / 10 out;
claude-sonnet-4-5 3 in / 0.30 cache read / 3.75 cache write (5 min) / 6 cache write (1 h) / 15 out;
o3 2 in / 8 out; text-embedding-3-small 0.02 in."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import yaml
from langfuse.api import ObservationsV2Response
from langfuse.api.core.pydantic_utilities import parse_obj_as

from conftest import (
    CALL_PIPELINE_BUILD,
    REPOSITORY,
    SOURCE_FILE_NAME,
    build_world,
    event,
    in_files,
    needles_found,
    rate,
)
from langfuse_records import (
    SECRET_PROMPT,
    SECRET_RESPONSE,
    SECRET_STATUS,
    SECRETS,
    api_page,
    api_trace,
    api_v1_observation,
    api_v2_observation,
    blob_enriched_observation,
    blob_observation,
    blob_trace,
    export_csv,
    export_json,
)

RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", cache_write_1h_usd_per_mtok="6"),
    rate("openai", "o3", input_usd_per_mtok="2", output_usd_per_mtok="8"),
    rate("openai", "text-embedding-3-small", input_usd_per_mtok="0.02", output_usd_per_mtok="0", mode="embedding"),
]  # fmt: skip

# GET /api/public/traces, saved pretty-printed (one page, two traces)
TRACES_PAGE = api_page([
    api_trace("t-support", name="support-chat", userId="user-17", sessionId="sess-9", release="v1.2.0",
              environment="production", tags=["customer:acme", "feature:support_assistant", "beta"],
              metadata={"team": "cx", "note": "LF-SECRET-METADATA-3003"},
              observations=["gen-openai", "agent-1", "span-retrieve", "event-1", "gen-error"]),
    api_trace("t-search", name="knowledge-search", userId="user-4", metadata={"customer_id": "globex"}),
])  # fmt: skip

# OpenAI usage {prompt_tokens: 1500, prompt_tokens_details: {cached_tokens: 1000}, completion_tokens: 300,
# total_tokens: 1800} as ingestion/types.ts stores it: input = 1500 - 1000 = 500
OPENAI_DETAILS = {"input": 500, "input_cached_tokens": 1000, "output": 300, "total": 1800}
# Anthropic usage {input_tokens: 200, cache_read_input_tokens: 3000, cache_creation_input_tokens: 1500,
# cache_creation: {ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500}, output_tokens: 400} as
# OtelIngestionProcessor.ts stores it: input_cache_creation = 1500 - 1000 - 500 = 0
ANTHROPIC_DETAILS = {"input": 200, "input_cached_tokens": 3000, "input_cache_creation": 0,
                     "input_cache_creation_5m": 1000, "input_cache_creation_1h": 500, "output": 400,
                     "total": 5100}  # fmt: skip

# GET /api/public/observations, saved pretty-printed: a trace of an agent with its generations
OBSERVATIONS_PAGE = api_page([
    api_v1_observation("gen-openai", "t-support", "GENERATION", model="gpt-4o-2024-08-06",
                       startTime="2026-01-10T12:00:01.000Z", endTime="2026-01-10T12:00:02.400Z",
                       parentObservationId="agent-1", environment="production", usageDetails=OPENAI_DETAILS,
                       costDetails={"input": 0.00125, "input_cached_tokens": 0.00125, "output": 0.003, "total": 0.0055},
                       calculatedTotalCost=0.0055, latency=1.4),
    # the agent aggregates its children's usage: never a second call
    api_v1_observation("agent-1", "t-support", "AGENT", usageDetails=OPENAI_DETAILS, costDetails={"total": 0.0055}),
    api_v1_observation("span-retrieve", "t-support", "SPAN", parentObservationId="agent-1"),
    api_v1_observation("event-1", "t-support", "EVENT"),
    # a failed call that was still billed for its prompt
    api_v1_observation("gen-error", "t-support", "GENERATION", model="gpt-4o", level="ERROR",
                       statusMessage=SECRET_STATUS, usageDetails={"input": 200, "total": 200},
                       costDetails={"input": 0.0005, "total": 0.0005}),
])  # fmt: skip
EMPTY_PAGE = api_page([], page=2, total_items=5)

# GET /api/public/v2/observations records, one per line
V2_OBSERVATIONS = [
    api_v2_observation("gen-anthropic", "t-search", "GENERATION", endTime="2026-01-11T09:00:03.500Z",
                       environment="production", userId="user-4", metadata={"ls_provider": "anthropic"},
                       model="claude-sonnet-4-5-20250929", usageDetails=ANTHROPIC_DETAILS,
                       costDetails={"total": 0.01425}, totalCost=0.01425, latency=3.5, traceName="knowledge-search"),
    api_v2_observation("embed-1", "t-search", "EMBEDDING", startTime="2026-01-11T09:00:04.000Z",
                       providedModelName="text-embedding-3-small", usageDetails={"input": 8000, "total": 8000},
                       costDetails={"total": 0.00016}, totalCost=0.00016),
    # usage with reasoning: output 200 + reasoning 800 (types.ts: output_reasoning_tokens split off)
    api_v2_observation("gen-o3", "t-missing", "GENERATION", environment="development", userId="user-8",
                       providedModelName="o3", usageDetails={"input": 1000, "output": 200,
                                                             "output_reasoning_tokens": 800, "total": 2000},
                       totalCost=0.01),
]  # fmt: skip

# The blob-storage export (traces and observations, legacy mode) as CSV and JSON Lines
EXPORT_OBSERVATIONS = [
    blob_observation("csv-gen", "t-csv", "GENERATION", environment="staging", end_time="2026-01-12 08:00:00.750000",
                     metadata={"customer_id": "umbrella", "feature": "code_review"},
                     input=f'[{{"role": "user", "content": "{SECRET_PROMPT}, with \\"quotes\\",\nand a new line"}}]',
                     output=SECRET_RESPONSE, provided_model_name="gpt-4o", model_parameters='{"temperature":0}',
                     usage_details={"input": 900, "output": 100, "total": 1000},
                     cost_details={"input": 0.00225, "output": 0.001, "total": 0.00325}, total_cost=0.00325,
                     latency=0.75, tool_calls=['{"name": "lookup", "arguments": "LF-SECRET-TOOL-6161"}']),
    blob_observation("csv-tool", "t-csv", "TOOL", usage_details={"input": 50}),
    blob_observation("csv-span", "t-csv", "SPAN", usage_details={"input": 900, "output": 100, "total": 1000}),
]  # fmt: skip
EXPORT_TRACES = [
    blob_trace("t-csv", user_id="user-OLD", tags=["team:platform-old"], updated_at="2026-01-12 08:05:00.000000"),
    blob_trace("t-csv", user_id="user-99", session_id="sess-77", tags=["team:platform"], environment="staging",
               updated_at="2026-01-12 08:30:00.000000"),
    '{"id": "t-broken", "timestamp": ',
]  # fmt: skip
# the same export as one JSON array
EXPORT_JSON = [
    blob_observation("json-gen", "t-json", "GENERATION", start_time="2026-01-12 09:00:00.000000",
                     provided_model_name="gpt-4o", usage_details={"input": 100, "output": 10, "total": 110},
                     total_cost=0.00035),
    blob_observation("json-event", "t-json", "EVENT"),
]  # fmt: skip
ENRICHED_OBSERVATIONS = [
    blob_enriched_observation("exp-gen", "t-exp", "GENERATION", environment="production",
                              start_time="2026-01-13 10:00:00.000000", provided_model_name="gpt-4o",
                              usage_details={"input": 400, "output": 50, "total": 450}, cost_details={"total": 0.0015},
                              total_cost=0.0015, latency=2.5, user_id="user-5", session_id="sess-5",
                              trace_name="sales-insights", tags=["customer:hooli", "feature:sales_insights"]),
]  # fmt: skip

# Before usageDetails (2023 API: promptTokens / completionTokens; the deprecated `usage` object)
LEGACY_OBSERVATIONS = [
    {"id": "old-gen-1", "traceId": "t-old", "type": "GENERATION", "name": None, "startTime": "2026-01-14T10:00:00Z",
     "endTime": None, "completionStartTime": None, "model": "gpt-4o", "modelParameters": {}, "input": SECRET_PROMPT,
     "version": None, "metadata": None, "output": SECRET_RESPONSE, "promptTokens": 100, "completionTokens": 10,
     "totalTokens": 110, "level": "DEFAULT", "statusMessage": None, "parentObservationId": None},
    {"id": "old-gen-2", "traceId": "t-old", "type": "GENERATION", "startTime": "2026-01-14T10:01:00Z",
     "model": "gpt-4o", "usage": {"input": 300, "output": 30, "total": 330, "unit": "TOKENS", "inputCost": 0.00075,
                                  "outputCost": 0.0003, "totalCost": 0.00105}, "level": "DEFAULT"},
    {"id": "old-gen-chars", "traceId": "t-old", "type": "GENERATION", "startTime": "2026-01-14T10:02:00Z",
     "model": "gpt-4o", "usage": {"input": 5000, "output": 700, "total": 5700, "unit": "CHARACTERS"}},
]  # fmt: skip

FILES = {
    "langfuse_traces/traces_page_1.json": json.dumps(TRACES_PAGE, indent=2),
    "langfuse_traces/traces_export.jsonl": EXPORT_TRACES,
    "langfuse_observations/observations_page_1.json": json.dumps(OBSERVATIONS_PAGE, indent=2),
    "langfuse_observations/observations_page_2.json": json.dumps(EMPTY_PAGE, indent=2),
    "langfuse_observations/observations_v2.jsonl": V2_OBSERVATIONS,
    "langfuse_observations/export_observations.csv": export_csv(EXPORT_OBSERVATIONS),
    "langfuse_observations/export_observations.json": export_json(EXPORT_JSON),
    "langfuse_observations/export_observations_v2.jsonl": ENRICHED_OBSERVATIONS,
    "langfuse_observations/legacy_observations.jsonl": LEGACY_OBSERVATIONS,
}
RECORDS = 5 + 1 + 3 + 3 + 2 + 1 + 3  # the records of the seven observation files (an empty page is one)

# A tag spelled differently (test_a_tag_spelled_differently_is_one_line_of_configuration): this
# trace's tags say tenant: instead of customer:, and this world's langfuse_dimensions read the
# customer from trace.tags.tenant too, after the default locations (no record of FILES has a tenant: tag)
TENANT_FILE = "tenant_tags.jsonl"
TENANT_FILES = {
    f"langfuse_traces/{TENANT_FILE}": [api_trace("t-1", tags=["tenant:wayne"], environment="production")],
    f"langfuse_observations/{TENANT_FILE}": [
        api_v2_observation("g-1", "t-1", "GENERATION", providedModelName="gpt-4o",
                           usageDetails={"input": 1000, "output": 100, "total": 1100})
    ],
}  # fmt: skip
DIMENSIONS = yaml.safe_load((REPOSITORY / "dbt_project.yml").read_text())["vars"]["langfuse_dimensions"]
DIMENSIONS["customer_id"].append("trace.tags.tenant")  # the one line a user changes

# The calls and rejects of FILES (not those of TENANT_FILES)
OF_FILES = f"source_name = 'langfuse' and not {in_files([TENANT_FILE])}"


@pytest.fixture(scope="module")
def langfuse(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("langfuse"),
        usage={"app.jsonl": [event("canonical-1")]},
        files={**FILES, **TENANT_FILES},
        rate_card_rows=RATE_CARD,
        dbt_vars={"langfuse_dimensions": DIMENSIONS},
        command=CALL_PIPELINE_BUILD,
    )


def test_the_api_v2_records_parse_as_the_langfuse_sdk_parses_a_response() -> None:
    page = parse_obj_as(ObservationsV2Response, {"data": V2_OBSERVATIONS, "meta": {}})
    assert [(o.id, o.type, o.model, o.usage_details) for o in page.data] == [
        (r["id"], r["type"], r["model"], r["usageDetails"]) for r in V2_OBSERVATIONS
    ]


def test_every_record_lands_once_as_a_call_or_a_reject(langfuse) -> None:
    counts = dict(
        langfuse.rows(
            "select source_name, count(*) from (select source_name, source_file from marts.fct_llm_calls"
            " union all select source_name, source_file from marts.fct_rejected_events) as landed"
            f" where not {in_files([TENANT_FILE])} group by 1"
        )
    )
    assert counts == {"langfuse": RECORDS, "usage": 1}
    assert langfuse.scalar(f"select count(*) from marts.fct_llm_calls where {OF_FILES}") == 10


def test_tokens_are_in_the_contract_form(langfuse) -> None:
    tokens = langfuse.rows(
        "select request_id, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,"
        f" output_tokens, reasoning_tokens from marts.fct_llm_calls where {OF_FILES} order by 1"
    )
    assert tokens == [
        ("csv-gen", 900, 0, 0, 0, 100, None),
        ("embed-1", 8000, 0, 0, 0, 0, None),
        # Anthropic keeps cache tokens outside input: 200 + 3,000 read + (0 + 1,000 + 500) written
        ("exp-gen", 400, 0, 0, 0, 50, None),
        ("gen-anthropic", 4700, 3000, 1500, 500, 400, None),
        ("gen-error", 200, 0, 0, 0, 0, None),
        # 200 output + 800 reasoning
        ("gen-o3", 1000, 0, 0, 0, 1000, 800),
        # OpenAI's 1,500 prompt tokens: 500 uncached + 1,000 cached
        ("gen-openai", 1500, 1000, 0, 0, 300, None),
        ("json-gen", 100, 0, 0, 0, 10, None),
        ("old-gen-1", 100, 0, 0, 0, 10, None),
        ("old-gen-2", 300, 0, 0, 0, 30, None),
    ]


def test_each_call_is_priced_and_keeps_langfuse_cost(langfuse) -> None:
    costs = dict(
        (request_id, (cost, reported))
        for request_id, cost, reported in langfuse.rows(
            f"select request_id, list_cost_usd, reported_cost_usd from marts.fct_llm_calls where {OF_FILES}"
        )
    )
    mtok = Decimal(1_000_000)
    # 500 x 2.50 + 1,000 x 1.25 + 300 x 10 = 5,500 -> $0.0055, what Langfuse computed too
    assert costs["gen-openai"] == ((500 * Decimal("2.5") + 1000 * Decimal("1.25") + 300 * 10) / mtok, Decimal("0.0055"))
    # 200 x 3 + 3,000 x 0.30 + 1,000 x 3.75 + 500 x 6 + 400 x 15 = 14,250 -> $0.01425
    anthropic = 200 * 3 + 3000 * Decimal("0.3") + 1000 * Decimal("3.75") + 500 * 6 + 400 * 15
    assert costs["gen-anthropic"][0] == anthropic / mtok
    assert costs["gen-anthropic"][1] == Decimal("0.01425")
    # 1,000 x 2 + 1,000 x 8 = $0.01
    assert costs["gen-o3"] == (Decimal("0.01"), Decimal("0.01"))
    # 8,000 x 0.02 = $0.00016
    assert costs["embed-1"] == (Decimal("0.00016"), Decimal("0.00016"))
    # the failed call's 200 prompt tokens were billed: 200 x 2.50 = $0.0005
    assert costs["gen-error"] == (Decimal("0.0005"), Decimal("0.0005"))
    # 900 x 2.50 + 100 x 10 = $0.00325; 400 x 2.50 + 50 x 10 = $0.0015
    assert costs["csv-gen"] == (Decimal("0.00325"), Decimal("0.00325"))
    assert costs["exp-gen"] == (Decimal("0.0015"), Decimal("0.0015"))
    # 100 x 2.50 + 10 x 10 = $0.00035
    assert costs["json-gen"] == (Decimal("0.00035"), Decimal("0.00035"))
    # no cost details before 2024 (the deprecated usage.totalCost is read): 100 x 2.50 + 10 x 10; 300 x 2.50 + 30 x 10
    assert costs["old-gen-1"] == (Decimal("0.00035"), None)
    assert costs["old-gen-2"] == (Decimal("0.00105"), Decimal("0.00105"))


def test_calls_say_what_was_called(langfuse) -> None:
    calls = langfuse.rows(
        "select request_id, provider, model, operation, call_role, status, trace_id, parent_request_id, latency_ms"
        f" from marts.fct_llm_calls where {OF_FILES} order by 1"
    )
    assert calls == [
        ("csv-gen", "openai", "gpt-4o", "chat", "primary", "success", "t-csv", None, 750),
        ("embed-1", "openai", "text-embedding-3-small", "embeddings", "embedding", "success", "t-search", None, None),
        ("exp-gen", "openai", "gpt-4o", "chat", "primary", "success", "t-exp", None, 2500),
        ("gen-anthropic", "anthropic", "claude-sonnet-4-5-20250929", "chat", "primary", "success", "t-search", None,
         3500),
        ("gen-error", "openai", "gpt-4o", "chat", "primary", "error", "t-support", None, None),
        ("gen-o3", "openai", "o3", "chat", "primary", "success", "t-missing", None, None),
        ("gen-openai", "openai", "gpt-4o-2024-08-06", "chat", "primary", "success", "t-support", "agent-1", 1400),
        ("json-gen", "openai", "gpt-4o", "chat", "primary", "success", "t-json", None, None),
        ("old-gen-1", "openai", "gpt-4o", "chat", "primary", "success", "t-old", None, None),
        ("old-gen-2", "openai", "gpt-4o", "chat", "primary", "success", "t-old", None, None),
    ]  # fmt: skip


def test_dimensions_come_from_the_observation_and_its_trace(langfuse) -> None:
    dimensions = langfuse.rows(
        "select request_id, customer_id, feature, team, environment, user_id, session_id"
        f" from marts.fct_llm_calls where {OF_FILES} order by 1"
    )
    assert dimensions == [
        # observation metadata; the trace's tags (its latest copy: team:platform, user-99)
        ("csv-gen", "umbrella", "code_review", "platform", "staging", "user-99", "sess-77"),
        # Langfuse's `default` environment is no environment: inherited from the trace's primary call
        ("embed-1", "globex", "knowledge-search", "unattributed", "prod", "user-4", None),
        # the enriched export carries the trace's tags and user on the observation
        ("exp-gen", "hooli", "sales_insights", "unattributed", "prod", "user-5", "sess-5"),
        # trace metadata customer_id; the trace's name as the feature
        ("gen-anthropic", "globex", "knowledge-search", "unattributed", "prod", "user-4", None),
        ("gen-error", "acme", "support_assistant", "cx", "prod", "user-17", "sess-9"),
        # no trace exported: what the observation itself carries
        ("gen-o3", "unattributed", "unattributed", "unattributed", "dev", "user-8", None),
        # trace tags customer:acme and feature:support_assistant, trace metadata team
        ("gen-openai", "acme", "support_assistant", "cx", "prod", "user-17", "sess-9"),
        ("json-gen", "unattributed", "unattributed", "unattributed", "unattributed", None, None),
        ("old-gen-1", "unattributed", "unattributed", "unattributed", "unattributed", None, None),
        ("old-gen-2", "unattributed", "unattributed", "unattributed", "unattributed", None, None),
    ]  # fmt: skip


def test_observations_that_are_not_model_calls_are_rejected(langfuse) -> None:
    rejects = langfuse.rows(
        f"select {SOURCE_FILE_NAME}, line_number, record_index, request_id, reject_reason,"
        f" reject_detail from marts.fct_rejected_events where {OF_FILES} order by 1, 2, 3"
    )
    not_a_call = "not_a_model_call"
    assert rejects == [
        ("export_observations.csv", 2, 0, "csv-tool", not_a_call, "observation type TOOL is not a model call"),
        ("export_observations.csv", 3, 0, "csv-span", not_a_call, "observation type SPAN is not a model call"),
        ("export_observations.json", 1, 1, "json-event", not_a_call, "observation type EVENT is not a model call"),
        # a legacy usage counted in characters is not tokens
        ("legacy_observations.jsonl", 3, 0, "old-gen-chars", "invalid_token_count",
         "not a whole number: input_tokens output_tokens"),
        ("observations_page_1.json", 1, 1, "agent-1", not_a_call, "observation type AGENT is not a model call"),
        ("observations_page_1.json", 1, 2, "span-retrieve", not_a_call, "observation type SPAN is not a model call"),
        ("observations_page_1.json", 1, 3, "event-1", not_a_call, "observation type EVENT is not a model call"),
        ("observations_page_2.json", 1, 0, None, "no_records", "page or array holds no observations"),
    ]  # fmt: skip


def test_a_trace_record_that_cannot_be_read_is_a_warning_not_a_failure(langfuse) -> None:
    assert langfuse.rows(
        f"select {SOURCE_FILE_NAME}, line_number, trace_error from staging.stg_langfuse__traces"
        " where trace_error is not null"
    ) == [("traces_export.jsonl", 3, "malformed_json")]
    assert "WARN 1 assert_langfuse_trace_records_are_readable" in langfuse.build.stdout.replace("  ", " ")


def test_no_prompt_response_or_status_text_in_any_relation(langfuse) -> None:
    texts = langfuse.relation_texts()
    assert ("raw", "langfuse_observations") in texts and ("raw", "langfuse_traces") in texts
    assert needles_found(texts, SECRETS + [SECRET_PROMPT[:16], SECRET_RESPONSE[:18], SECRET_STATUS[:16]]) == []


def test_a_tag_spelled_differently_is_one_line_of_configuration(langfuse) -> None:
    # t-1's tags say tenant: instead of customer:, and DIMENSIONS lists trace.tags.tenant for customer_id
    call = langfuse.call("g-1")
    # 1,000 x 2.50 + 100 x 10 = $0.0035
    assert (call["customer_id"], call["environment"], call["list_cost_usd"]) == ("wayne", "prod", Decimal("0.0035"))


def test_a_location_that_names_nothing_is_a_clear_error(tmp_path) -> None:
    built = build_world(
        tmp_path,
        usage={"app.jsonl": [event("canonical-1")]},
        dbt_vars={"langfuse_dimensions": {"customer_id": ["trace.tags"]}},
        command=("parse",),
        expect_success=False,
    )
    assert built.build.returncode != 0
    assert "Bad configuration in var langfuse_dimensions / langfuse_provider_locations: location 'trace.tags'" in (
        built.build.stdout
    )
