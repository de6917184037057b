"""No Langfuse record can break a build: whatever a line, page, array element or CSV row holds, it
lands once as a call or a reject with a reason. A value that changes what a call costs or which
call it is rejects the record; a bad value elsewhere keeps the call, with the field empty and the
problem in fct_data_quality_issues. A trace record that cannot be read is a warning (traces are
not calls).

All the tests share one world (`odd`), each reading its own files of langfuse_observations/ (by
file name)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import SOURCE_FILE_NAME, build_world, in_files, rate
from langfuse_records import SECRET_PROMPT, api_trace, api_v2_observation, blob_observation, export_csv

RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]
HEAD = '{"id":"%s","traceId":"%s","type":"GENERATION","startTime":"2026-01-10T12:00:00Z","model":"gpt-4o",'
USAGE = '"usageDetails":{"input":1000,"output":100}'
UNTRACED = "t-2"  # a trace langfuse_traces/ does not hold (t-1's tags name a customer)


def line(observation_id: str, body: str, trace_id: str = "t-1") -> str:
    """An API v2 observation line: the usual head, then `body` (the rest of the object, as JSON text)."""
    return HEAD % (observation_id, trace_id) + body + "}"


# (observation id, the rest of the line, the reject reason; None = the call is kept)
ODD_VALUES = [
    ("text_tokens", '"usageDetails":{"input":"abc","output":1}', "invalid_token_count"),
    ("huge_tokens", '"usageDetails":{"input":100000000000000000000,"output":1}', "token_count_out_of_range"),
    ("past_64_bits", '"usageDetails":{"input":1,"output":18446744073709551617}', "token_count_out_of_range"),
    ("forty_digits", '"usageDetails":{"input":' + "1234567890" * 4 + ',"output":1}', "invalid_token_count"),
    ("bool_tokens", '"usageDetails":{"input":1,"output":true}', "invalid_token_count"),
    ("object_tokens", '"usageDetails":{"input":{"a":1},"output":1}', "invalid_token_count"),
    ("array_tokens", '"usageDetails":{"input":[1],"output":1}', "invalid_token_count"),
    ("nan_tokens", '"usageDetails":{"input":NaN,"output":1}', "invalid_token_count"),
    ("infinite_tokens", '"usageDetails":{"input":1,"output":-Infinity}', "invalid_token_count"),
    ("e400_tokens", '"usageDetails":{"input":1e400,"output":1}', "invalid_token_count"),
    ("fraction_tokens", '"usageDetails":{"input":12.5,"output":1}', "invalid_token_count"),
    ("negative_cache", '"usageDetails":{"input":10,"input_cached_tokens":-5,"output":1}', "negative_tokens"),
    ("text_cache", '"usageDetails":{"input":10,"cache_read_input_tokens":"lots","output":1}', "invalid_token_count"),
    # two overflowing counters: unsummed, still out of range (never a type overflow)
    ("two_overflows", '"usageDetails":{"input":' + "9" * 31 + ',"input_cached_tokens":' + "9" * 31 + "}",
     "token_count_out_of_range"),
    ("text_usage", '"usageDetails":"lots"', "invalid_token_count"),
    ("list_usage", '"usageDetails":[1,2]', "invalid_token_count"),
    ("empty_usage", '"usageDetails":{}', "missing_required_field"),
    ("bad_time", USAGE + ',"startTime":"yesterday"', None),  # the first startTime (in HEAD) is read
    ("exponent_tokens", '"usageDetails":{"input":1.5e3,"output":2}', None),
    ("text_latency", USAGE + ',"latency":"fast"', None),
    ("bad_end", USAGE + ',"endTime":"later"', None),
    ("bad_cost", USAGE + ',"costDetails":{"total":"cheap"}', None),
    ("list_metadata", USAGE + ',"metadata":["a"]', None),
    ("object_tag", USAGE + ',"metadata":{"customer_id":{"id":"c1"}},"environment":{"a":1}', None),
    ("text_tags", USAGE + ',"tags":"customer:acme"', None),
    ("total_mismatch", '"usageDetails":{"input":1000,"output":100,"characters":7,"total":1107}', None),
    ("duplicate_keys", '"usageDetails":{"input":1000,"input":2000,"output":100}', None),
]  # fmt: skip
OTHER_LINES = [
    # (line, the reject reasons of its records)
    ('{"id":"no_time","traceId":"t-1","type":"GENERATION","model":"gpt-4o",' + USAGE + "}", ["missing_required_field"]),
    ('{"id":"unreadable_time","type":"GENERATION","startTime":"yesterday","model":"gpt-4o",' + USAGE + "}",
     ["invalid_timestamp"]),
    ('{"traceId":"t-1","type":"GENERATION","startTime":"2026-01-10T12:00:00Z","model":"gpt-4o",' + USAGE + "}",
     ["missing_required_field"]),
    ('{"id":"no_model","type":"GENERATION","startTime":"2026-01-10T12:00:00Z",' + USAGE + "}",
     ["missing_required_field"]),
    # a model named 4 is read as its text, which names no provider
    ('{"id":"number_model","type":"GENERATION","startTime":"2026-01-10T12:00:00Z","model":4,' + USAGE + "}",
     ["missing_required_field"]),
    ('{"id":"unknown_model","type":"GENERATION","startTime":"2026-01-10T12:00:00Z","model":"gpt-internal",' + USAGE
     + "}", ["unpriced_model"]),
    ('{"id":"mystery","type":"' + SECRET_PROMPT + '","startTime":"2026-01-10T12:00:00Z","model":"gpt-4o",'
     + USAGE + "}", ["not_a_model_call"]),
    ('{"id":"lower_type","type":"generation","startTime":"2026-01-10T12:00:00Z","model":"gpt-4o",' + USAGE + "}",
     [None]),
    ('{"id":"object_type","type":{"a":1},"startTime":"2026-01-10T12:00:00Z","model":"gpt-4o",' + USAGE + "}",
     ["not_a_model_call"]),
    ("[1, 2, 3]", ["malformed_json"] * 3),
    ("42", ["malformed_json"]),
    ("null", ["malformed_json"]),
    ('"a string"', ["malformed_json"]),
    ("{}", ["not_a_model_call"]),
    ("[]", ["no_records"]),
    ('{"data": []}', ["no_records"]),
    ("{", ["malformed_json"]),
    ("}{", ["malformed_json"]),
    ("true", ["malformed_json"]),
    ('{"data": [1, ' + line("in_page", USAGE) + "]}", ["malformed_json", None]),
]  # fmt: skip


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory):
    """One raw folder, each file defined beside its test: the odd values and shapes (odd.jsonl) and
    trace t-1 with unreadable trace records (langfuse_traces/traces.jsonl), the odd bytes
    (ODD_BYTES), a very long line (LONG_LINES). Its one unpriced record (unknown_model) warns, so
    that it is a reject and not a failed build."""
    lines = [line(oid, body) for oid, body, _ in ODD_VALUES] + [text for text, _ in OTHER_LINES]
    return build_world(
        tmp_path_factory.mktemp("langfuse_odd"),
        files={
            **{f"langfuse_observations/{file_name}": content for file_name, content in ODD_BYTES.items()},
            "langfuse_observations/odd.jsonl": lines,
            "langfuse_observations/long.jsonl": LONG_LINES,
            "langfuse_traces/traces.jsonl": [
                api_trace("t-1", tags=["customer:from-trace"], environment="production"),
                "{not json",
                "[]",
                '{"name": "no id"}',
            ],
        },
        rate_card_rows=RATE_CARD,
        dbt_vars={"unpriced_severity": "warn"},
    )


def test_the_build_succeeds_and_every_record_lands_once(odd) -> None:
    assert odd.build.returncode == 0
    records = len(ODD_VALUES) + sum(len(reasons) for _, reasons in OTHER_LINES)
    landed = odd.rows(
        f"select line_number, record_index from marts.fct_llm_calls where {in_files(['odd.jsonl'])}"
        f" union all select line_number, record_index from marts.fct_rejected_events where {in_files(['odd.jsonl'])}"
    )
    assert len(landed) == records
    assert len(set(landed)) == records


@pytest.mark.parametrize(("observation_id", "reason"), [(oid, reason) for oid, _, reason in ODD_VALUES if reason])
def test_an_unreadable_cost_field_rejects_the_record(odd, observation_id: str, reason: str) -> None:
    assert odd.rows("select reject_reason from marts.fct_rejected_events where request_id = ?", [observation_id]) == [
        (reason,)
    ]


def test_records_of_the_wrong_shape_have_their_reasons(odd) -> None:
    first = len(ODD_VALUES) + 1
    reasons = odd.rows(
        "select line_number, record_index, reject_reason from marts.fct_rejected_events"
        f" where {in_files(['odd.jsonl'])} and line_number >= ? order by 1, 2",
        [first],
    )
    expected = [
        (first + i, index, reason)
        for i, (_, line_reasons) in enumerate(OTHER_LINES)
        for index, reason in enumerate(line_reasons)
        if reason
    ]
    assert reasons == expected


def test_an_unknown_type_is_never_echoed(odd) -> None:
    details = dict(odd.rows("select request_id, reject_detail from marts.fct_rejected_events where request_id in"
                            " ('mystery', 'object_type')"))  # fmt: skip
    assert details == {
        "mystery": "observation type missing or not a Langfuse observation type",
        "object_type": "observation type missing or not a Langfuse observation type",
    }


def test_readable_numbers_in_other_spellings_are_kept(odd) -> None:
    # 1.5e3 = 1,500 input tokens: 1,500 x $2.50/M + 2 x $10/M = 0.00375 + 0.00002
    assert odd.call("exponent_tokens")["list_cost_usd"] == Decimal("0.00377")
    # the first of duplicate keys: 1,000 x $2.50/M + 100 x $10/M
    assert odd.call("duplicate_keys")["list_cost_usd"] == Decimal("0.0035")
    assert odd.call("lower_type")["list_cost_usd"] == Decimal("0.0035")
    assert odd.call("bad_time")["occurred_at"].isoformat() == "2026-01-10T12:00:00"


def test_a_bad_value_that_does_not_change_the_cost_keeps_the_call(odd) -> None:
    for observation_id in ["text_latency", "bad_end"]:
        assert odd.call(observation_id)["latency_ms"] is None
    assert odd.call("bad_cost")["reported_cost_usd"] is None
    # the object in observation metadata is no customer: the trace's tag is read next
    assert odd.call("object_tag")["customer_id"] == "from-trace"
    # the unmapped `characters` key is not priced: 1,000 x $2.50/M + 100 x $10/M
    assert odd.call("total_mismatch")["list_cost_usd"] == Decimal("0.0035")
    issues = odd.rows(
        "select request_id, field_name, problem from marts.fct_data_quality_issues"
        f" where {in_files(['odd.jsonl'])} order by request_id, field_name"
    )
    assert issues == [
        ("bad_cost", "reported_cost_usd", "unreadable"),
        ("bad_end", "latency_ms", "unreadable"),
        ("list_metadata", "metadata", "not_an_object"),
        ("object_tag", "customer_id", "not_text"),
        ("object_tag", "environment", "not_text"),
        ("text_latency", "latency_ms", "unreadable"),
        ("text_tags", "tags", "not_a_list"),
        ("total_mismatch", "usage_details", "total_mismatch"),
    ]


def test_trace_records_that_cannot_be_read_are_warnings(odd) -> None:
    assert odd.rows(
        "select line_number, trace_error from staging.stg_langfuse__traces where trace_error is not null order by 1"
    ) == [(2, "malformed_json"), (3, "no_records"), (4, "missing_id")]


def odd_bytes() -> dict[str, bytes]:
    """Files whose bytes are not all UTF-8 text, hold a byte-order mark, CR LF line ends, ragged
    CSV rows, nothing, or a page cut short; their records name a trace langfuse_traces/ lacks."""
    good = line("first", USAGE, UNTRACED).encode()
    accented = line("zurich", USAGE + ',"metadata":{"customer_id":"Zürich AG"}', UNTRACED).encode()
    rows = [
        blob_observation("csv-1", UNTRACED, "GENERATION", provided_model_name="gpt-4o",
                         usage_details={"input": 1000, "output": 100},
                         input=f"{SECRET_PROMPT}\nsecond line, \"quoted\""),
        blob_observation("csv-2", UNTRACED, "GENERATION", provided_model_name="gpt-4o",
                         usage_details={"input": 2000, "output": 100}),
    ]  # fmt: skip
    header = export_csv(rows).split("\n", 1)[0]
    row_1, row_2 = (export_csv([row]).split("\n", 1)[1].rstrip("\n").replace("\n", "\r\n") for row in rows)
    return {
        "mixed.jsonl": (
            b"\xef\xbb\xbf" + good + b"\r\n" + b'{"id":"\xff\xfe broken"}\n' + accented + b"\n" + b"\xc3\n"
        ),
        "export.csv": (
            b"\xef\xbb\xbf" + header.encode() + b"\r\n" + row_1.encode() + b"\r\n"  # row 1 spans two lines
            + b'"csv-\xff","t-2","GENERATION"\r\n'  # row 2 is not UTF-8
            + b'"csv-short","t-2","p-1","default","GENERATION"\r\n'  # row 3: cells missing (no time, model, usage)
            + row_2.encode() + b',"extra","cells"\r\n'  # row 4: cells beyond the header
        ),
        "bad_header.csv": b'"id","ty\xffpe"\n"h-1","GENERATION"\n',
        "empty.jsonl": b"",
        "empty.csv": b"",
        "blank.json": b"\n\r\n  \n",
        "broken_page.json": b'{\n  "data": [\n    {"id": "cut"\n',
    }  # fmt: skip


ODD_BYTES = odd_bytes()


def test_bytes_that_are_not_utf8_lose_only_their_record(odd) -> None:
    calls = odd.rows(
        f"select {SOURCE_FILE_NAME}, line_number, request_id, customer_id, list_cost_usd"
        f" from marts.fct_llm_calls where {in_files(ODD_BYTES)} order by 1, 2"
    )
    # 1,000 x $2.50/M + 100 x $10/M = $0.0035; 2,000 x $2.50/M + 100 x $10/M = $0.006
    assert calls == [
        ("export.csv", 1, "csv-1", "unattributed", Decimal("0.0035")),
        ("export.csv", 4, "csv-2", "unattributed", Decimal("0.006")),
        ("mixed.jsonl", 1, "first", "unattributed", Decimal("0.0035")),
        ("mixed.jsonl", 3, "zurich", "Zürich AG", Decimal("0.0035")),
    ]
    rejects = odd.rows(
        f"select {SOURCE_FILE_NAME}, line_number, reject_reason from marts.fct_rejected_events"
        f" where {in_files(ODD_BYTES)} order by 1, 2"
    )
    assert rejects == [
        ("bad_header.csv", 1, "unreadable_file"),
        ("broken_page.json", 1, "malformed_json"),
        ("broken_page.json", 2, "malformed_json"),
        ("broken_page.json", 3, "malformed_json"),
        ("export.csv", 2, "invalid_encoding"),
        ("export.csv", 3, "missing_required_field"),
        ("mixed.jsonl", 2, "invalid_encoding"),
        ("mixed.jsonl", 4, "invalid_encoding"),
    ]
    text = json.dumps(odd.rows(f"select * from raw.langfuse_observations where {in_files(ODD_BYTES)}"), default=str)
    assert SECRET_PROMPT not in text


LONG_LINES = [
    api_v2_observation("long", UNTRACED, "GENERATION", model="gpt-4o", input="x" * 3_000_000,
                       usageDetails={"input": 1000, "output": 100}, sessionId="s" * 100_000),
    api_v2_observation("after", UNTRACED, "GENERATION", model="gpt-4o", usageDetails={"input": 1, "output": 1}),
]  # fmt: skip


def test_a_very_long_line_and_value_land(odd) -> None:
    assert odd.scalar(f"select count(*) from marts.fct_llm_calls where {in_files(['long.jsonl'])}") == 2
    assert odd.scalar("select length(session_id) from marts.fct_llm_calls where request_id = 'long'") == 100_000
