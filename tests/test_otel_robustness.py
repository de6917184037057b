"""No line of an OTLP JSON file can break a build: whatever a line holds, each span in it lands
once as a call or a reject, a line holding no span lands as one `no_records` reject, and the build
succeeds. A value that changes what a call costs (tokens, model, time, ids) and cannot be read
exactly rejects the span; a bad value elsewhere (end time, status, a tag, the reported cost) keeps
the call with the field empty and the problem in fct_data_quality_issues.

Spans are encoded by tests/otel_spans.py (OTLP JSON, opentelemetry-proto docs/specification.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from conftest import BuiltWarehouse, build_world, event, rate
from otel_spans import BASE_NANOS, export_request, line, span, span_id, trace_id

RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]
LONG_TEXT = "LONG-SECRET-" + "x" * 3_000_000


def call_span(response_id: str, number: int, **overrides: Any) -> dict[str, Any]:
    """A valid gpt-4o chat span (1,000 input and 100 output tokens: $0.0035), attributes overridden
    (a value of None removes the attribute)."""
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.id": response_id,
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 100,
    }
    attributes.update(overrides)
    return span("chat gpt-4o", {key: value for key, value in attributes.items() if value is not None},
                trace_id=trace_id(number), span_id=span_id(number))  # fmt: skip


def request_line(*spans: dict[str, Any], resource: dict[str, Any] | None = None) -> str:
    return line(export_request(resource or {"service.name": "svc"}, [("fixture.robustness", None, list(spans))]))


def raw_span_line(response_id: str, number: int, mutate) -> str:
    """A line whose span is changed after encoding (for shapes the encoder would not write)."""
    built = call_span(response_id, number)
    mutate(built)
    return request_line(built)


# (response id, the span's attribute overrides, reject reason; None = the call is kept)
ODD_ATTRIBUTES = [
    ("text_tokens", {"gen_ai.usage.input_tokens": "abc"}, "invalid_token_count"),
    ("bool_tokens", {"gen_ai.usage.output_tokens": True}, "invalid_token_count"),
    ("array_tokens", {"gen_ai.usage.input_tokens": [1000]}, "invalid_token_count"),
    ("map_tokens", {"gen_ai.usage.input_tokens": {"n": 1000}}, "invalid_token_count"),
    ("bytes_tokens", {"gen_ai.usage.input_tokens": b"123"}, "invalid_token_count"),
    ("nan_tokens", {"gen_ai.usage.input_tokens": {"doubleValue": "NaN"}}, "invalid_token_count"),
    ("infinite_tokens", {"gen_ai.usage.output_tokens": {"doubleValue": "-Infinity"}}, "invalid_token_count"),
    ("fraction_tokens", {"gen_ai.usage.input_tokens": 12.5}, "invalid_token_count"),
    ("huge_tokens", {"gen_ai.usage.input_tokens": {"intValue": "100000000000000000000"}}, "token_count_out_of_range"),
    ("forty_digits", {"gen_ai.usage.input_tokens": {"intValue": "1234567890" * 4}}, "invalid_token_count"),
    ("negative_tokens", {"gen_ai.usage.output_tokens": -5}, "negative_tokens"),
    ("bad_cache", {"gen_ai.usage.cache_read.input_tokens": "lots"}, "invalid_token_count"),
    ("no_input", {"gen_ai.usage.input_tokens": None}, "missing_required_field"),
    ("empty_value", {"gen_ai.usage.input_tokens": {}}, "missing_required_field"),
    ("number_model", {"gen_ai.request.model": 4}, "unpriced_model"),
    ("double_tokens", {"gen_ai.usage.input_tokens": 1000.0}, None),
    ("text_number_tokens", {"gen_ai.usage.input_tokens": "1000"}, None),
    ("error_status_text", {}, None),
    ("odd_tags", {"traceloop.association.properties.customer_id": {"id": "c1"},
                  "traceloop.association.properties.feature": 42}, None),
    ("bad_cost", {"gen_ai.usage.cost": "cheap"}, None),
    ("reported_cost", {"gen_ai.usage.cost": 0.0042}, None),
    ("long_values", {"gen_ai.input.messages": LONG_TEXT, "traceloop.association.properties.session_id": "s" * 100_000},
     None),
]  # fmt: skip
PROSE_OPERATION = "please summarise the LONG-SECRET contract for me"


def _set_start(value: Any):
    def mutate(built: dict[str, Any]) -> None:
        if value is None:
            del built["startTimeUnixNano"]
        else:
            built["startTimeUnixNano"] = value

    return mutate


def _lines() -> list[tuple[str, str | None]]:
    """(line, what it tests) in file order."""
    lines: list[tuple[str, str | None]] = [(request_line(call_span("good", 1)), "good")]
    for number, (response_id, overrides, _) in enumerate(ODD_ATTRIBUTES, start=100):
        built = call_span(response_id, number, **overrides)
        if response_id == "error_status_text":
            built["status"] = {"code": "STATUS_CODE_ERROR"}  # an enum name where OTLP JSON wants 2
        lines.append((request_line(built), response_id))
    lines += [
        (raw_span_line("text_time", 200, _set_start("yesterday")), "text_time"),
        (raw_span_line("zero_time", 201, _set_start("0")), "zero_time"),
        (raw_span_line("no_time", 202, _set_start(None)), "no_time"),
        (raw_span_line("number_time", 203, _set_start(BASE_NANOS)), "number_time"),
        (raw_span_line("precise_time", 217, _set_start(str(BASE_NANOS + 123_456_789))), "precise_time"),
        (raw_span_line("huge_time", 204, _set_start("99999999999999999999")), "huge_time"),
        (raw_span_line("bad_end", 205, lambda s: s.update(endTimeUnixNano="soon")), "bad_end"),
        (raw_span_line("odd_status", 206, lambda s: s.update(status={"code": "maybe"})), "odd_status"),
        (raw_span_line("attributes_object", 207, lambda s: s.update(attributes={"a": 1})), "attributes_object"),
        (raw_span_line("value_not_object", 208, lambda s: s["attributes"][4].update(value=1000)), "value_not_object"),
        (raw_span_line("odd_items", 209, lambda s: s["attributes"].extend([1, "x", None, {"key": 5}])), "odd_items"),
        (raw_span_line("repeated_key", 210, lambda s: s["attributes"].append(
            {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "999999"}})), "repeated_key"),
        (raw_span_line("upper_ids", 211, lambda s: s.update(traceId="ABCDEF" + "0" * 26)), "upper_ids"),
        (raw_span_line("no_ids", 212, lambda s: s.update(spanId="", traceId="")), None),
        (request_line(span("prose", {"gen_ai.operation.name": PROSE_OPERATION},
                           trace_id=trace_id(213), span_id=span_id(213))), "prose_operation"),  # fmt: skip
        # one line, three spans that are not objects and a good one after them
        (line({"resourceSpans": [{"scopeSpans": [{"spans": [1, "x", None, call_span("after_odd_spans", 214)]}]}]}),
         "odd_spans"),
        ('{"resourceSpans": [{"resource": 5, "scopeSpans": [{"scope": [], "spans": [' + json.dumps(
            call_span("odd_resource", 215)) + "]}]}]}", "odd_resource"),
        # NaN and Infinity are not JSON, but Python writes them: only their field is unreadable
        (request_line(call_span("bare_nan", 216)).replace('{"intValue":"1000"}', '{"doubleValue":NaN}'), "bare_nan"),
        ("[1, 2, 3]", "array_line"),
        ("42", "number_line"),
        ("null", "null_line"),
        ("{", "truncated_line"),
        ("{}", "empty_object"),
        ('{"resourceSpans": []}', "no_resource_spans"),
        ('{"resourceSpans": {"scopeSpans": []}}', "resource_spans_object"),
        ('{"resourceSpans": [{"scopeSpans": [{"spans": []}]}]}', "no_spans"),
        ('{"resourceLogs": [{"scopeLogs": []}]}', "logs_not_spans"),
    ]  # fmt: skip
    return lines


LINES = _lines()


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    good = request_line(call_span("bom_first", 300)).encode()
    mixed = b"\xef\xbb\xbf" + good + b"\r\n" + b'{"resourceSpans": "\xff\xfe"}\r\n' + request_line(
        call_span("after_bad_bytes", 301)).encode() + b"\r\n"  # fmt: skip
    return build_world(
        tmp_path_factory.mktemp("otel_odd"),
        files={
            "otel_spans/odd.jsonl": [text for text, _ in LINES],
            "otel_spans/mixed_bytes.jsonl": mixed,
            "otel_spans/empty.jsonl": b"",
            "otel_spans/blank.json": b"\n\r\n   \n",
            "otel_spans/pretty.json": json.dumps(json.loads(request_line(call_span("pretty", 302))), indent=2),
        },
        usage={"canonical.jsonl": [event("canonical-1"), event("canonical-2"), "{"]},
        rate_card_rows=RATE_CARD,
        dbt_vars={"unpriced_severity": "warn"},
    )


def _line_of(name: str) -> int:
    return next(number for number, (_, what) in enumerate(LINES, start=1) if what == name)


def _outcome(warehouse: BuiltWarehouse, response_id: str) -> str | None:
    """The reject reason of the span with this response id, None when it is a call."""
    rows = warehouse.rows(
        "select reject_reason from marts.fct_rejected_events where request_id like ? union all"
        " select null from marts.fct_llm_calls where request_id like ?",
        [f"%:{response_id}", f"%:{response_id}"],
    )
    assert len(rows) == 1, f"{response_id}: {rows}"
    return rows[0][0]


def test_the_build_succeeds_and_every_span_and_line_lands_once(odd: BuiltWarehouse) -> None:
    assert odd.build.returncode == 0
    per_source = dict(
        odd.rows(
            "select source_name, count(*) from (select source_name from marts.fct_llm_calls"
            " union all select source_name from marts.fct_rejected_events) group by 1"
        )
    )
    # odd.jsonl: one record per line, but the odd-spans line holds four (three not objects);
    # mixed_bytes.jsonl: three lines; pretty.json: one; empty and blank files: none
    assert per_source == {"otel": len(LINES) + 3 + 3 + 1, "usage": 3}
    landed = odd.rows(
        "select line_number, record_index from marts.fct_llm_calls where source_file like '%/odd.jsonl' union all"
        " select line_number, record_index from marts.fct_rejected_events where source_file like '%/odd.jsonl'"
    )
    expected = [(number, 0) for number in range(1, len(LINES) + 1)] + [(_line_of("odd_spans"), i) for i in (1, 2, 3)]
    assert sorted(landed) == sorted(expected)


@pytest.mark.parametrize(("response_id", "reason"), [(rid, reason) for rid, _, reason in ODD_ATTRIBUTES])
def test_odd_attribute_values(odd: BuiltWarehouse, response_id: str, reason: str | None) -> None:
    assert _outcome(odd, response_id) == reason


@pytest.mark.parametrize(
    ("response_id", "reason"),
    [("text_time", "invalid_timestamp"), ("zero_time", "missing_required_field"),
     ("no_time", "missing_required_field"), ("number_time", None), ("huge_time", "invalid_timestamp"),
     ("bad_end", None), ("odd_status", None), (span_id(207), "not_a_model_call"),
     ("value_not_object", "invalid_token_count"), ("odd_items", None), ("repeated_key", None),
     ("upper_ids", None), ("precise_time", None), ("after_odd_spans", None), ("odd_resource", None),
     ("bare_nan", "invalid_token_count"),
     ("bom_first", None), ("after_bad_bytes", None), ("pretty", None)],
)  # fmt: skip
def test_odd_span_shapes(odd: BuiltWarehouse, response_id: str, reason: str | None) -> None:
    assert _outcome(odd, response_id) == reason


def test_readable_values_are_read_exactly(odd: BuiltWarehouse) -> None:
    for response_id in ["double_tokens", "text_number_tokens", "repeated_key", "odd_items", "number_time", "pretty"]:
        call = odd.dicts("select * from marts.fct_llm_calls where request_id like ?", [f"%:{response_id}"])[0]
        # a repeated key keeps its first value: 1,000 x $2.50/M + 100 x $10/M
        assert (call["input_tokens"], call["list_cost_usd"]) == (1000, Decimal("0.0035")), response_id
    number_time = odd.dicts("select occurred_at from marts.fct_llm_calls where request_id like '%:number_time'")[0]
    assert str(number_time["occurred_at"]) == "2026-01-10 12:00:00"
    # nanoseconds since the epoch, kept to the microsecond
    precise = odd.scalar("select occurred_at from marts.fct_llm_calls where request_id like '%:precise_time'")
    assert str(precise) == "2026-01-10 12:00:00.123456"
    assert odd.scalar("select request_id from marts.fct_llm_calls where request_id like '%:upper_ids'") == (
        "abcdef" + "0" * 26 + ":upper_ids")  # fmt: skip
    error = odd.dicts(
        "select status, list_cost_usd from marts.fct_llm_calls where request_id like '%:error_status_text'"
    )
    assert error == [{"status": "error", "list_cost_usd": Decimal("0.0035")}]
    reported = odd.scalar("select reported_cost_usd from marts.fct_llm_calls where request_id like '%:reported_cost'")
    assert reported == Decimal("0.0042")
    long = odd.scalar("select length(session_id) from marts.fct_llm_calls where request_id like '%:long_values'")
    assert long == 100_000


def test_bad_values_that_do_not_change_the_cost_are_counted(odd: BuiltWarehouse) -> None:
    issues = odd.rows(
        "select split_part(request_id, ':', 2), field_name, problem from marts.fct_data_quality_issues"
        " where source_name = 'otel' order by 1, 2"
    )
    assert issues == [
        ("bad_cost", "reported_cost_usd", "unreadable"),
        ("bad_end", "latency_ms", "unreadable"),
        ("odd_status", "status", "unreadable"),
        ("odd_tags", "customer_id", "not_text"),
    ]
    tags = odd.dicts("select customer_id, feature from marts.fct_llm_calls where request_id like '%:odd_tags'")[0]
    assert tags == {"customer_id": "unattributed", "feature": "42"}


def test_lines_that_hold_no_span(odd: BuiltWarehouse) -> None:
    rejects = dict(
        odd.rows(
            "select line_number, reject_reason || ': ' || reject_detail from marts.fct_rejected_events"
            " where source_file like '%/odd.jsonl' and record_index = 0 and request_id is null"
        )
    )
    expected = {
        "array_line": "malformed_json: not an OTLP export request object",
        "number_line": "malformed_json: not an OTLP export request object",
        "null_line": "malformed_json: not an OTLP export request object",
        "truncated_line": "malformed_json: not a JSON object",
        "empty_object": "no_records: export request holds no span",
        "no_resource_spans": "no_records: export request holds no span",
        "resource_spans_object": "no_records: export request holds no span",
        "no_spans": "no_records: export request holds no span",
        "logs_not_spans": "no_records: export request holds no span",
        "odd_spans": "malformed_json: span is not a JSON object",
    }
    for name, outcome in expected.items():
        assert rejects[_line_of(name)] == outcome, name
    # the spans that are not objects keep their positions in the line
    positions = odd.rows(
        "select record_index from marts.fct_rejected_events where line_number = ? and source_file like '%/odd.jsonl'",
        [_line_of("odd_spans")],
    )
    assert sorted(positions) == [(0,), (1,), (2,)]


def test_ids_and_operations_that_cannot_be_read(odd: BuiltWarehouse) -> None:
    no_ids = odd.rows(
        "select reject_reason, reject_detail from marts.fct_rejected_events where line_number = ?"
        " and source_file like '%/odd.jsonl'",
        [_line_of("prose_operation") - 1],
    )
    # no span id and no trace id, but a response id: still one call
    assert no_ids == [] and odd.scalar("select count(*) from marts.fct_llm_calls where request_id = ':no_ids'") == 1
    prose = odd.rows(
        "select reject_reason, reject_detail from marts.fct_rejected_events where line_number = ?"
        " and source_file like '%/odd.jsonl'",
        [_line_of("prose_operation")],
    )
    assert prose == [("not_a_model_call", "gen_ai operation (unnamed) is not a model call")]


def test_bytes_that_are_not_utf8_lose_only_their_line(odd: BuiltWarehouse) -> None:
    rows = odd.rows(
        "select line_number, reject_reason from marts.fct_rejected_events where source_file like '%/mixed_bytes.jsonl'"
    )
    assert rows == [(2, "invalid_encoding")]


def test_no_long_or_free_text_in_any_relation(odd: BuiltWarehouse) -> None:
    assert odd.relations_holding(["LONG-SECRET"]) == []


def test_a_folder_of_nothing_but_rejects_builds(tmp_path) -> None:
    not_a_call = span("GET /health", {"http.request.method": "GET"}, trace_id=trace_id(1), span_id=span_id(1))
    built = build_world(tmp_path, files={"otel_spans/rejects.jsonl": ["{", request_line(not_a_call)]})
    assert built.scalar("select count(*) from marts.fct_llm_calls") == 0
    assert built.rows("select reject_reason from marts.fct_rejected_events order by line_number") == [
        ("malformed_json",),
        ("not_a_model_call",),
    ]
