"""No line can break a build: whatever bytes a raw line holds, it lands exactly once, as a call or
as a reject with a reason, and `dbt build` succeeds.

A value that changes what a call costs (tokens, model, time…) and cannot be read exactly rejects
the line with a specific reason; a bad value in a field that does not change the cost (latency, a
tag, metadata) keeps the call with the field empty and the problem in fct_data_quality_issues.

The JSON Lines tests share one world (`odd`), each reading its own files of usage/ (by file
name); the Parquet test has a world of its own, since Parquet beside JSON Lines is read as text."""

from __future__ import annotations

import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import SOURCE_FILE_NAME, build_world, event, in_files, rate

RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]
HEAD = '{"request_id":"%s","occurred_at":"2026-01-10T12:00:00Z","provider":"openai","model":"gpt-4o",'


def line(request_id: str, body: str) -> str:
    """A raw line: the usual head, then `body` (the rest of the object, written as JSON text)."""
    return HEAD % request_id + body + "}"


# (request_id, the rest of the line, the reject reason; None = the call is kept)
ODD_VALUES = [
    ("text_tokens", '"input_tokens":"abc","output_tokens":1', "invalid_token_count"),
    ("huge_tokens", '"input_tokens":100000000000000000000,"output_tokens":1', "token_count_out_of_range"),
    ("past_64_bits", '"input_tokens":1,"output_tokens":18446744073709551617', "token_count_out_of_range"),
    ("forty_digits", '"input_tokens":' + "1234567890" * 4 + ',"output_tokens":1', "invalid_token_count"),
    ("bool_tokens", '"input_tokens":1,"output_tokens":true', "invalid_token_count"),
    ("object_tokens", '"input_tokens":{"a":1},"output_tokens":1', "invalid_token_count"),
    ("array_tokens", '"input_tokens":[1],"output_tokens":1', "invalid_token_count"),
    ("text_cache", '"input_tokens":10,"output_tokens":1,"cache_read_tokens":"lots"', "invalid_token_count"),
    ("nan_tokens", '"input_tokens":NaN,"output_tokens":1', "invalid_token_count"),
    ("infinite_tokens", '"input_tokens":1,"output_tokens":-Infinity', "invalid_token_count"),
    ("e400_tokens", '"input_tokens":1e400,"output_tokens":1', "invalid_token_count"),
    ("exponent_tokens", '"input_tokens":1.5e3,"output_tokens":2', None),
    ("text_latency", '"input_tokens":1000,"output_tokens":100,"latency_ms":"fast"', None),
    ("nan_latency", '"input_tokens":1000,"output_tokens":100,"latency_ms":NaN', None),
    ("huge_latency", '"input_tokens":1000,"output_tokens":100,"latency_ms":100000000000000000000', None),
    ("object_tag", '"input_tokens":1000,"output_tokens":100,"customer_id":{"id":"c1"},"feature":["f"]', None),
    ("number_tag", '"input_tokens":1000,"output_tokens":100,"customer_id":42', None),
    ("list_metadata", '"input_tokens":1000,"output_tokens":100,"metadata":["a","b"]', None),
    ("text_metadata", '"input_tokens":1000,"output_tokens":100,"metadata":"team=x"', None),
    ("bad_cost", '"input_tokens":1000,"output_tokens":100,"reported_cost_usd":"cheap"', None),
    ("duplicate_keys", '"input_tokens":1000,"input_tokens":2000,"output_tokens":100', None),
    ("text_batch", '"input_tokens":1000,"output_tokens":100,"is_batch":{"yes":1}', "invalid_is_batch"),
    ("number_model", None, "unpriced_model"),
]
NUMBER_MODEL = (
    '{"request_id":"number_model","occurred_at":"2026-01-10T12:00:00Z","provider":"openai","model":4,'
    '"input_tokens":1000,"output_tokens":100}'
)
WRONG_SHAPES = ["[1, 2, 3]", "42", "null", '"a string"', "{}", "[]", "{", "}{", "true"]


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory):
    """One usage folder of JSON Lines, each file defined beside its test: the odd values and
    shapes (odd.jsonl), the odd bytes (ODD_BYTES), a very long line (LONG_LINES). Its one unpriced
    line (number_model) warns, so that it is a reject and not a failed build."""
    root = tmp_path_factory.mktemp("odd")
    usage = root / "raw" / "usage"
    usage.mkdir(parents=True)
    for file_name, content in ODD_BYTES.items():
        (usage / file_name).write_bytes(content)
    lines = [event("good")] + [line(rid, body) if body else NUMBER_MODEL for rid, body, _ in ODD_VALUES]
    lines += WRONG_SHAPES + [event("last")]
    return build_world(
        root,
        usage={"odd.jsonl": lines, "long.jsonl": LONG_LINES},
        rate_card_rows=RATE_CARD,
        dbt_vars={"unpriced_severity": "warn"},
    )


def test_the_build_succeeds(odd) -> None:
    assert odd.build.returncode == 0


def test_every_line_lands_once(odd) -> None:
    lines = 2 + len(ODD_VALUES) + len(WRONG_SHAPES)
    calls = odd.scalar(f"select count(*) from marts.fct_llm_calls where {in_files(['odd.jsonl'])}")
    rejects = odd.scalar(f"select count(*) from marts.fct_rejected_events where {in_files(['odd.jsonl'])}")
    assert calls + rejects == lines
    landed = odd.rows(
        f"select line_number from marts.fct_llm_calls where {in_files(['odd.jsonl'])}"
        f" union all select line_number from marts.fct_rejected_events where {in_files(['odd.jsonl'])}"
    )
    assert sorted(number for (number,) in landed) == list(range(1, lines + 1))


@pytest.mark.parametrize(("request_id", "reason"), [(rid, reason) for rid, _, reason in ODD_VALUES if reason])
def test_an_unreadable_cost_field_rejects_the_line(odd, request_id: str, reason: str) -> None:
    assert odd.rows("select reject_reason from marts.fct_rejected_events where request_id = ?", [request_id]) == [
        (reason,)
    ]


def test_reject_details_name_the_field(odd) -> None:
    details = dict(
        odd.rows(
            "select request_id, reject_detail from marts.fct_rejected_events"
            f" where {in_files(['odd.jsonl'])} and request_id is not null"
        )
    )
    assert details["text_tokens"] == "not a whole number: input_tokens"
    assert details["text_cache"] == "not a whole number: cache_read_tokens"
    assert details["huge_tokens"] == "above max_tokens_per_call (1000000000): input_tokens"
    assert details["past_64_bits"] == "above max_tokens_per_call (1000000000): output_tokens"


def test_readable_numbers_in_other_spellings_are_kept(odd) -> None:
    # 1.5e3 = 1,500 input tokens: 1,500 x $2.50/M + 2 x $10/M = 0.00375 + 0.00002
    assert odd.call("exponent_tokens")["list_cost_usd"] == Decimal("0.00377")


def test_duplicate_keys_read_the_first_value(odd) -> None:
    # JSON leaves duplicate keys undefined; the reader keeps the first: 1,000 x $2.50/M + 100 x $10/M
    assert odd.call("duplicate_keys")["input_tokens"] == 1000
    assert odd.call("duplicate_keys")["list_cost_usd"] == Decimal("0.0035")


def test_a_bad_value_in_a_field_that_does_not_change_the_cost_keeps_the_call(odd) -> None:
    for request_id in ["text_latency", "nan_latency", "huge_latency"]:
        call = odd.call(request_id)
        assert call["latency_ms"] is None
        assert call["list_cost_usd"] == Decimal("0.0035")
    tagged = odd.call("object_tag")
    assert (tagged["customer_id"], tagged["feature"]) == ("unattributed", "unattributed")
    assert odd.call("number_tag")["customer_id"] == "42"
    assert odd.call("list_metadata")["metadata"] is None
    assert odd.call("bad_cost")["reported_cost_usd"] is None


def test_each_kept_problem_is_counted(odd) -> None:
    issues = odd.rows(
        "select request_id, field_name, problem from marts.fct_data_quality_issues"
        f" where {in_files(['odd.jsonl'])} order by request_id, field_name"
    )
    assert issues == [
        ("bad_cost", "reported_cost_usd", "unreadable"),
        ("huge_latency", "latency_ms", "out_of_range"),
        ("list_metadata", "metadata", "not_an_object"),
        ("nan_latency", "latency_ms", "unreadable"),
        ("object_tag", "customer_id", "not_text"),
        ("object_tag", "feature", "not_text"),
        ("text_latency", "latency_ms", "unreadable"),
        ("text_metadata", "metadata", "not_an_object"),
    ]


def test_json_of_the_wrong_shape_is_malformed(odd) -> None:
    first = 2 + len(ODD_VALUES)
    reasons = odd.rows(
        "select line_number, reject_reason from marts.fct_rejected_events"
        f" where {in_files(['odd.jsonl'])} and line_number >= ? order by 1",
        [first],
    )
    # `{}` is an object without the required fields; the other shapes are not JSON objects
    expected = [
        (first + i, "missing_required_field" if shape == "{}" else "malformed_json")
        for i, shape in enumerate(WRONG_SHAPES)
    ]
    assert reasons == expected


def test_a_number_where_a_model_name_belongs_is_read_as_its_text(odd) -> None:
    # model 4 has no price: the line is a reject for the price, not a crash
    assert odd.rows("select reject_reason from marts.fct_rejected_events where request_id = 'number_model'") == [
        ("unpriced_model",)
    ]


# files whose bytes are not all UTF-8 text, or hold a byte-order mark or nothing but blank lines
GOOD = json.dumps(event("first")).encode()
ACCENTED = json.dumps(event("zurich", customer_id="Zürich AG"), ensure_ascii=False).encode()
ODD_BYTES = {
    "mixed.jsonl": (
        b"\xef\xbb\xbf" + GOOD + b"\r\n" + b'{"request_id":"\xff\xfe broken"}\n' + ACCENTED + b"\n" + b"\xc3\n"
    ),
    "empty.jsonl": b"",
    "blank.jsonl": b"\n\r\n  \n",
    "bom_only.json": b"\xef\xbb\xbf" + json.dumps(event("bom")).encode(),
}


def test_bytes_that_are_not_utf8_lose_only_their_line(odd) -> None:
    # the byte-order mark does not spoil the first line; the accented name survives
    assert odd.rows(
        f"select request_id, line_number, customer_id from marts.fct_llm_calls where {in_files(ODD_BYTES)} order by 1"
    ) == [
        ("bom", 1, "unattributed"),
        ("first", 1, "unattributed"),
        ("zurich", 3, "Zürich AG"),
    ]
    assert odd.rows(
        "select line_number, reject_reason, reject_detail from marts.fct_rejected_events"
        f" where {in_files(ODD_BYTES)} order by 1"
    ) == [
        (2, "invalid_encoding", "line is not UTF-8 text"),
        (4, "invalid_encoding", "line is not UTF-8 text"),
    ]


LONG_LINES = [event("long", prompt="x" * 3_000_000, session_id="s" * 100_000), event("after")]


def test_a_very_long_line_and_value_land(odd) -> None:
    assert odd.scalar(f"select count(*) from marts.fct_llm_calls where {in_files(['long.jsonl'])}") == 2
    assert odd.scalar("select length(session_id) from marts.fct_llm_calls where request_id = 'long'") == 100_000


def test_parquet_that_cannot_be_read_is_one_reject(tmp_path) -> None:
    usage = tmp_path / "raw" / "usage"
    usage.mkdir(parents=True)
    table = pa.table({
        "request_id": ["p1", "p2", "p3"],
        "occurred_at": ["2026-01-10T12:00:00Z"] * 3,
        "provider": ["openai"] * 3,
        "model": ["gpt-4o"] * 3,
        "input_tokens": pa.array([1_000.0, float("nan"), float("inf")], type=pa.float64()),
        "output_tokens": pa.array([100, 5, 5], type=pa.int64()),
        "latency_ms": pa.array([float("nan"), 1.0, 2.0], type=pa.float64()),
    })  # fmt: skip
    pq.write_table(table, usage / "good.parquet")
    (usage / "truncated.parquet").write_bytes((usage / "good.parquet").read_bytes()[:100])
    built = build_world(tmp_path, rate_card_rows=RATE_CARD)
    assert built.rows("select request_id, latency_ms, list_cost_usd from marts.fct_llm_calls") == [
        ("p1", None, Decimal("0.0035"))
    ]
    rejects = built.rows(
        f"select {SOURCE_FILE_NAME}, line_number, reject_reason from marts.fct_rejected_events order by 1, 2"
    )
    assert rejects == [
        ("good.parquet", 2, "invalid_token_count"),
        ("good.parquet", 3, "invalid_token_count"),
        ("truncated.parquet", 1, "unreadable_file"),
    ]
