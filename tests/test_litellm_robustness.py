"""No LiteLLM line can break a build, and none of its text lands.

The records here are built field for field from LiteLLM's published schema, as pinned
(litellm==1.106.2): the spend-log row from `model LiteLLM_SpendLogs` in litellm/proxy/schema.prisma
and `SpendLogsPayload` / `SpendLogsMetadata` in litellm/proxy/_types.py (metadata's
usage_object / additional_usage_values as `get_logging_payload` in
litellm/proxy/spend_tracking/spend_tracking_utils.py fills them); the payload from
`StandardLoggingPayload` / `StandardLoggingMetadata` / `StandardLoggingHiddenParams` in
litellm/types/utils.py. Then every field gets values of the wrong type, out of range, unreadable,
absent, and every text-bearing field a secret string; the files get a byte-order mark, CR line
ends, bytes that are not UTF-8, empty files, ragged CSV and a file that is not Parquet.

A value that changes what a call costs or which call it is (ids, time, model, provider, tokens)
and cannot be read rejects its record with a reason; any other bad value keeps the call with the
field empty and a row in fct_data_quality_issues.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest

import litellm_exports as export
from conftest import SOURCE_FILE_NAME, build_world, rate

RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25",
         batch_input_usd_per_mtok="1.25", batch_output_usd_per_mtok="5"),
]  # fmt: skip
SECRET = "SECRET-TEXT-4d1e"  # in every text-bearing field; must land nowhere
RAW_KEY = "sk-raw-key-never-lands-0042"
KEY_HASH = hashlib.sha256(b"sk-virtual-key").hexdigest()  # what the proxy logs for a key
BASE_COST = (1000 * Decimal("2.5") + 100 * 10) / Decimal(1_000_000)  # 1,000 in, 100 out at $2.50 / $10


def spend_log(request_id: str, **fields: Any) -> dict[str, Any]:
    """A LiteLLM_SpendLogs row (schema.prisma), as the database returns it; `fields` override."""
    row: dict[str, Any] = {
        "request_id": request_id,  # String @id: the response id
        "call_type": "acompletion",  # String: the CallTypes value
        "api_key": KEY_HASH,  # String: SHA-256 of the virtual key
        "spend": 0.0035,  # Float: LiteLLM's price of the call
        "total_tokens": 1100,
        "prompt_tokens": 1000,  # Int: cache reads and writes included
        "completion_tokens": 100,
        "startTime": "2026-01-10T12:00:00.000000+00:00",  # DateTime
        "endTime": "2026-01-10T12:00:01.250000+00:00",
        "completionStartTime": "2026-01-10T12:00:00.400000+00:00",
        "request_duration_ms": 1250,  # Int?
        "model": "gpt-4o",
        "model_id": "deployment-1",
        "model_group": "gpt-4o",
        "custom_llm_provider": "openai",
        "api_base": "https://api.openai.com/v1",
        "user": "u-1",  # the internal user owning the key
        "metadata": {  # Json? (SpendLogsMetadata)
            "user_api_key": KEY_HASH,
            "user_api_key_alias": "search-prod",
            "user_api_key_team_alias": "search-team",
            "spend_logs_metadata": {"ticket_id": "T-1", "prompt": SECRET},
            "usage_object": {
                "prompt_tokens": 1000,
                "completion_tokens": 100,
                "prompt_tokens_details": {"cached_tokens": 0},
            },
            "additional_usage_values": {"prompt_tokens_details": {"cached_tokens": 0}},
            "error_information": {"error_message": SECRET, "traceback": SECRET},
            "proxy_server_request": SECRET,
            "guardrail_information": [{"guardrail_response": SECRET}],
            "status": "success",
        },  # fmt: skip
        "cache_hit": "False",
        "cache_key": SECRET,
        "request_tags": ["feature:search", "environment:production"],  # Json? (list of text)
        "team_id": "team-1",
        "organization_id": None,
        "end_user": "acme",
        "requester_ip_address": SECRET,
        "messages": [{"role": "user", "content": SECRET}],  # Json?: prompts, when stored
        "response": {"choices": [{"message": {"content": SECRET}}]},
        "proxy_server_request": {"body": {"messages": [{"role": "user", "content": SECRET}]}},
        "session_id": "trace-1",  # the LiteLLM trace id
        "status": "success",
        "mcp_namespaced_tool_name": None,
        "billing_agent_id": None,
        "agent_id": None,
        "litellm_call_id": "call-" + request_id,
        "created_at": "2026-01-10T12:00:01.250000+00:00",
        "updated_at": "2026-01-10T12:00:01.250000+00:00",
    }
    row.update(fields)
    return row


def payload(record_id: str, **fields: Any) -> dict[str, Any]:
    """A StandardLoggingPayload (litellm/types/utils.py); `fields` override."""
    record: dict[str, Any] = {
        "id": record_id,
        "trace_id": "trace-p",
        "session_id": "",
        "litellm_call_id": "call-" + record_id,
        "call_type": "acompletion",
        "stream": False,
        "response_cost": 0.0035,
        "status": "success",
        "custom_llm_provider": "openai",
        "total_tokens": 1100,
        "prompt_tokens": 1000,
        "completion_tokens": 100,
        "startTime": 1768046400.0,  # float seconds: 2026-01-10T12:00:00Z
        "endTime": 1768046401.25,
        "completionStartTime": 1768046400.4,
        "response_time": 1.25,
        "model": "gpt-4o",
        "model_id": "deployment-1",
        "model_group": "gpt-4o",
        "api_base": "https://api.openai.com/v1",
        "metadata": {
            "user_api_key_hash": KEY_HASH, "user_api_key_alias": "search-prod",
            "user_api_key_team_alias": "search-team", "user_api_key_user_id": "u-1", "user_api_key_end_user_id": "acme",
            "spend_logs_metadata": {"ticket_id": "T-1", "messages": SECRET},
            "requester_metadata": {"note": SECRET},
            "usage_object": {"prompt_tokens": 1000, "completion_tokens": 100},
        },  # fmt: skip
        "cache_hit": None,
        "cache_key": SECRET,
        "request_tags": ["feature:search"],
        "end_user": "acme",
        "requester_ip_address": SECRET,
        "user_agent": SECRET,
        "messages": [{"role": "user", "content": SECRET}],
        "response": {"choices": [{"message": {"content": SECRET}}]},
        "error_str": SECRET,
        "error_information": {"error_message": SECRET},
        "model_parameters": {"user": SECRET},
        "hidden_params": {"api_base": "https://api.openai.com", "litellm_model_name": "openai/gpt-4o",
                          "additional_headers": {"x_note": SECRET}, "usage_object": None},
        "guardrail_information": [{"guardrail_response": SECRET}],
        "response_cost_failure_debug_info": {"error_str": SECRET},
        "classifier_input": {"text": SECRET},
    }  # fmt: skip
    record.update(fields)
    return record


def raw(record: dict[str, Any], **replacements: str) -> str:
    """A record as JSON text, with fields replaced by raw JSON text (NaN, 1e400, duplicates…)."""
    text = json.dumps(record)
    for key, value in replacements.items():
        text = text.replace(f'"{key}": {json.dumps(record[key])}', f'"{key}": {value}', 1)
    return text


def usage(**usage_object: Any) -> dict[str, Any]:
    metadata = spend_log("x")["metadata"]
    return {**metadata, "usage_object": usage_object, "additional_usage_values": {}}


# (request_id, the line, the reject reason; None = the call is kept)
SPEND_LOG_LINES = [
    ("good", spend_log("good"), None),
    ("text_tokens", spend_log("text_tokens", prompt_tokens="abc"), "invalid_token_count"),
    ("huge_tokens", raw(spend_log("huge_tokens"), prompt_tokens="100000000000000000000"), "token_count_out_of_range"),
    ("e400_tokens", raw(spend_log("e400_tokens"), completion_tokens="1e400"), "invalid_token_count"),
    ("bool_tokens", spend_log("bool_tokens", completion_tokens=True), "invalid_token_count"),
    ("object_tokens", spend_log("object_tokens", prompt_tokens={"n": 1}), "invalid_token_count"),
    ("nan_tokens", raw(spend_log("nan_tokens"), prompt_tokens="NaN"), "invalid_token_count"),
    ("negative_tokens", spend_log("negative_tokens", completion_tokens=-1), "negative_tokens"),
    ("text_cache", spend_log("text_cache", metadata=usage(prompt_tokens_details={"cached_tokens": "lots"})),
     "invalid_token_count"),
    ("too_much_cache", spend_log("too_much_cache", metadata=usage(cache_read_input_tokens=900,
                                                                   cache_creation_input_tokens=200)),
     "inconsistent_cache_tokens"),
    ("bad_time", spend_log("bad_time", startTime="yesterday"), "invalid_timestamp"),
    ("no_model", spend_log("no_model", model=""), "missing_required_field"),
    ("number_model", spend_log("number_model", model=4, custom_llm_provider=""), "missing_required_field"),
    ("duplicate_keys", raw(spend_log("duplicate_keys"), prompt_tokens='1000, "prompt_tokens": 2000'), None),
    ("text_latency", spend_log("text_latency", request_duration_ms="fast", endTime="later"), None),
    ("bad_spend", spend_log("bad_spend", spend="cheap"), None),
    ("list_metadata", spend_log("list_metadata", metadata=[SECRET]), None),
    ("text_metadata", spend_log("text_metadata", metadata=SECRET), None),
    ("object_tags", spend_log("object_tags", request_tags={"feature": SECRET}), None),
    # its own trace, so no other call of a trace lends it a customer
    ("object_end_user", spend_log("object_end_user", end_user={"id": SECRET}, session_id="alone"), None),
    ("number_end_user", spend_log("number_end_user", end_user=42), None),
    ("raw_key", spend_log("raw_key", api_key=RAW_KEY, metadata={"usage_object": {}}), None),
    ("long_values", spend_log("long_values", model_group="g" * 100_000, messages=[{"content": SECRET * 100_000}]),
     None),
    ("batch_cost", spend_log("batch_cost", call_type="aretrieve_batch", prompt_tokens=2000, completion_tokens=400),
     None),
    ("mcp_tool", spend_log("mcp_tool", call_type="call_mcp_tool", model="MCP: github/create_issue"),
     "not_a_model_call"),
    ("refused", spend_log("refused", model="unknown-model", prompt_tokens=0, completion_tokens=0, status="failure"),
     "not_a_model_call"),
]  # fmt: skip
WRONG_SHAPES = ["42", "null", '"a string"', "{}", "{", "}{", "true", "[]", "[1, 2]"]

PAYLOAD_LINES = [
    ("p_good", payload("p_good"), None),
    ("p_text_time", payload("p_text_time", startTime="soon"), "invalid_timestamp"),
    ("p_far_time", payload("p_far_time", startTime=1e300), "invalid_timestamp"),
    ("p_iso_time", payload("p_iso_time", startTime="2026-01-10T12:00:00Z", endTime="2026-01-10T12:00:01.25Z"), None),
    ("p_nan_cost", raw(payload("p_nan_cost"), response_cost="NaN"), None),
    ("p_hidden_usage", payload("p_hidden_usage", metadata={"usage_object": None},
                               hidden_params={"usage_object": {"prompt_tokens_details": {"cached_tokens": 400}}}),
     None),
    ("p_raw_key", payload("p_raw_key", metadata={"user_api_key_hash": RAW_KEY}), None),
    ("p_cache_hit", payload("p_cache_hit", cache_hit=True, response_cost=0.0), "not_a_model_call"),
]  # fmt: skip
# a /spend/logs page of two rows, then an empty page and an empty array (no records)
PAGE = {"data": [spend_log("page_0"), spend_log("page_1")], "total": 2, "page": 1, "page_size": 50}


def _csv_files() -> dict[str, str | bytes]:
    columns = export.SPEND_LOG_COLUMNS
    rows = [spend_log("csv_good"), spend_log("csv_newline", end_user="line one\nline two")]
    good = export.psql_csv(rows)
    lines = good.splitlines()
    header, data = lines[0], lines[1:]
    cells = data[0].split(",")
    # cut short after `user` (the 16th column), then with extra cells
    ragged = [",".join(cells[:16]), data[0] + ",extra,cells"]
    return {
        "litellm_spend_logs/psql.csv": good,
        # CRLF line ends, a byte-order mark, a row cut short, a row too long, a line not UTF-8
        "litellm_spend_logs/ragged.csv": (
            "\ufeff" + "\r\n".join([header, *[row.replace("csv_good", "csv_ragged") for row in ragged]])
        ).encode() + b"\r\n\xff\xfe,not,utf8\r\n",
        # only some columns, in another order, and one unknown column
        "litellm_spend_logs/narrow.csv": (
            "Model,request_id,startTime,prompt_tokens,completion_tokens,custom_llm_provider,x\n"
            "gpt-4o,csv_narrow,2026-01-10 12:00:00.5,1000,100,openai,?\n"
        ),
        "litellm_spend_logs/header_only.csv": ",".join(columns) + "\n",
    }  # fmt: skip


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory):
    spend_log_lines = [line for _, line, _ in SPEND_LOG_LINES] + WRONG_SHAPES
    files: dict[str, Any] = {
        "litellm_spend_logs/odd.jsonl": spend_log_lines,
        "litellm_spend_logs/page.json": json.dumps(PAGE, indent=2),
        "litellm_spend_logs/empty_page.json": json.dumps({"data": [], "total": 0}),
        "litellm_spend_logs/empty_array.json": "[]",
        "litellm_spend_logs/empty.jsonl": b"",
        "litellm_spend_logs/not_parquet.parquet": b"PAR1 this is not parquet",
        "litellm_spend_logs/bytes.jsonl": b"\xef\xbb\xbf" + json.dumps(spend_log("bom")).encode() + b"\r\n"
        + b'{"request_id": "\xff\xfe broken"}\r\n\r\n' + json.dumps(spend_log("after_bad_bytes")).encode() + b"\n",
        "litellm_payloads/odd.jsonl": [line for _, line, _ in PAYLOAD_LINES],
        "litellm_payloads/one.json": json.dumps(payload("p_file"), indent=2),
        "litellm_payloads/blank.json": b"\n \r\n",
        **_csv_files(),
    }  # fmt: skip
    return build_world(tmp_path_factory.mktemp("litellm_odd"), files=files, rate_card_rows=RATE_CARD,
                       dbt_vars={"unpriced_severity": "warn"})  # fmt: skip


def _landed(odd) -> list[tuple[str, int, int, str | None]]:
    return odd.rows(
        f"select {SOURCE_FILE_NAME}, line_number, record_index, reason from ("
        " select source_file, line_number, record_index, null as reason from marts.fct_llm_calls"
        " union all select source_file, line_number, record_index, reject_reason from marts.fct_rejected_events"
        ") as landed order by 1, 2, 3"
    )


def test_every_line_lands_once(odd) -> None:
    records = odd.rows(
        "select source_file, line_number, record_index from marts.fct_llm_calls"
        " union all select source_file, line_number, record_index from marts.fct_rejected_events"
    )
    assert len(records) == len(set(records))
    lines = {file: sorted({line for f, line, _ in records if f == file}) for file, _, _ in records}
    spend_logs, payloads = (next(f for f in lines if f.endswith(folder + "/odd.jsonl"))
                            for folder in ["litellm_spend_logs", "litellm_payloads"])  # fmt: skip
    assert lines[spend_logs] == list(range(1, len(SPEND_LOG_LINES) + len(WRONG_SHAPES) + 1))
    assert lines[payloads] == list(range(1, len(PAYLOAD_LINES) + 1))
    per_source = odd.rows(
        "select source_name, count(*) from intermediate.int_usage_events_unioned group by 1 order by 1"
    )
    calls_and_rejects = odd.rows(
        "select source_name, count(*) from (select source_name from marts.fct_llm_calls"
        " union all select source_name from marts.fct_rejected_events) as landed group by 1 order by 1"
    )
    assert per_source == calls_and_rejects


@pytest.mark.parametrize(("request_id", "reason"), [(r, why) for r, _, why in SPEND_LOG_LINES + PAYLOAD_LINES])
def test_each_record_is_a_call_or_rejected_for_its_reason(odd, request_id: str, reason: str | None) -> None:
    calls = odd.scalar("select count(*) from marts.fct_llm_calls where request_id = ?", [request_id])
    rejects = odd.rows("select reject_reason from marts.fct_rejected_events where request_id = ?", [request_id])
    assert (calls, rejects) == ((1, []) if reason is None else (0, [(reason,)]))


def test_wrong_shapes_are_malformed_or_empty(odd) -> None:
    first = len(SPEND_LOG_LINES) + 1
    reasons = odd.rows(
        "select line_number, record_index, reject_reason from marts.fct_rejected_events"
        " where source_file like '%spend_logs/odd.jsonl' and line_number >= ? order by 1, 2",
        [first],
    )
    assert reasons == [
        (first, 0, "malformed_json"),  # 42
        (first + 1, 0, "malformed_json"),  # null
        (first + 2, 0, "malformed_json"),  # "a string"
        (first + 3, 0, "missing_required_field"),  # {}: an object without a field
        (first + 4, 0, "malformed_json"),  # {
        (first + 5, 0, "malformed_json"),  # }{
        (first + 6, 0, "malformed_json"),  # true
        (first + 7, 0, "no_records"),  # []: an empty array holds no record
        (first + 8, 0, "malformed_json"),  # [1, 2]: two records, neither an object
        (first + 8, 1, "malformed_json"),
    ]


def test_readable_records_keep_their_cost(odd) -> None:
    costs = dict(odd.rows("select request_id, list_cost_usd from marts.fct_llm_calls"))
    for request_id in ["good", "duplicate_keys", "text_latency", "bad_spend", "list_metadata", "object_tags",
                       "raw_key", "long_values", "p_good", "p_iso_time", "p_nan_cost", "csv_good", "csv_narrow",
                       "page_0", "page_1", "bom", "after_bad_bytes", "p_file"]:  # fmt: skip
        assert costs[request_id] == BASE_COST, request_id
    # a batch's cost row at batch prices: 2,000 x $1.25/M + 400 x $5/M
    assert costs["batch_cost"] == (2000 * Decimal("1.25") + 400 * 5) / Decimal(1_000_000)
    # 400 of the 1,000 prompt tokens from the cache (hidden_params.usage_object): 600 x $2.50 + 400 x $1.25 + 100 x $10
    assert costs["p_hidden_usage"] == (600 * Decimal("2.5") + 400 * Decimal("1.25") + 100 * 10) / Decimal(1_000_000)


def test_a_bad_value_that_does_not_change_the_cost_is_counted(odd) -> None:
    issues = odd.rows("select request_id, field_name, problem from marts.fct_data_quality_issues order by 1, 2")
    assert issues == [
        ("bad_spend", "reported_cost_usd", "unreadable"),
        ("list_metadata", "metadata", "not_an_object"),
        ("object_end_user", "customer_id", "not_text"),
        ("object_tags", "request_tags", "not_an_array"),
        ("p_nan_cost", "reported_cost_usd", "unreadable"),
        ("text_latency", "latency_ms", "unreadable"),
        ("text_metadata", "metadata", "not_an_object"),
    ]
    assert odd.call("number_end_user")["customer_id"] == "42"
    assert odd.call("object_end_user")["customer_id"] == "unattributed"


def test_duplicate_keys_read_the_first_value(odd) -> None:
    assert odd.call("duplicate_keys")["input_tokens"] == 1000


def test_times_read_as_litellm_writes_them(odd) -> None:
    times = dict(odd.rows("select request_id, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%f') from marts.fct_llm_calls"))
    # ISO text (spend logs), seconds since 1970 (payloads), psql's timestamp(3) text (CSV)
    assert times["good"] == times["p_good"] == times["p_iso_time"] == "2026-01-10T12:00:00.000000"
    assert times["csv_narrow"] == "2026-01-10T12:00:00.500000"
    latencies = dict(odd.rows("select request_id, latency_ms from marts.fct_llm_calls"))
    assert (latencies["good"], latencies["p_good"], latencies["p_iso_time"], latencies["text_latency"]) == (
        1250, 1250, 1250, None)  # fmt: skip


def test_a_key_lands_only_as_its_hash(odd) -> None:
    aliases = dict(odd.rows("select request_id, api_key_alias from marts.fct_llm_calls"))
    assert aliases["good"] == aliases["p_good"] == "search-prod"
    # no alias: `sha256:` + 16 hex digits of the key's SHA-256 (LiteLLM's own hash, or ours of a raw key)
    raw_hash = hashlib.sha256(RAW_KEY.encode()).hexdigest()
    assert aliases["raw_key"] == aliases["p_raw_key"] == "sha256:" + raw_hash[:16]


def test_csv_rows_land_with_their_row_numbers(odd) -> None:
    landed = [row for row in _landed(odd) if row[0].endswith(".csv")]
    assert landed == [
        ("narrow.csv", 1, 0, None),
        ("psql.csv", 1, 0, None),
        ("psql.csv", 2, 0, None),  # a cell holding a line break is one row
        ("ragged.csv", 1, 0, None),  # cut short after startTime: kept, the other fields absent
        ("ragged.csv", 2, 0, "duplicate"),  # the same request with extra cells
        ("ragged.csv", 3, 0, "invalid_encoding"),
    ]
    assert odd.call("csv_newline")["customer_id"] == "line one\nline two"


def test_files_that_hold_no_record(odd) -> None:
    rejects = odd.rows(
        f"select {SOURCE_FILE_NAME}, line_number, reject_reason, reject_detail"
        " from marts.fct_rejected_events where reject_reason in ('no_records', 'unreadable_file', 'invalid_encoding')"
        " and source_file not like '%.csv' order by 1, 2"
    )
    assert rejects == [
        ("bytes.jsonl", 2, "invalid_encoding", "line is not UTF-8 text"),
        ("empty_array.json", 1, "no_records", "an empty JSON array"),
        ("empty_page.json", 1, "no_records", "a page whose data is empty"),
        ("not_parquet.parquet", 1, "unreadable_file", "file cannot be read in its format"),
        ("odd.jsonl", len(SPEND_LOG_LINES) + 8, "no_records", "an empty JSON array"),
    ]
    # a page holds its rows at record_index 0 and 1 of line 1
    assert odd.rows("select record_index from marts.fct_llm_calls where request_id like 'page_%' order by 1") == [
        (0,), (1,)]  # fmt: skip


def test_no_secret_text_in_any_relation(odd) -> None:
    assert odd.relations_holding([SECRET, RAW_KEY]) == []
