"""Hypothesis strategies for LiteLLM's raw records, with arbitrary values in every field.

`spend_log_record()` and `payload_record()` draw one record each (a dict following
LiteLLM_SpendLogs / StandardLoggingPayload of litellm==1.106.2, see tests/test_litellm_robustness.py
for the schema's provenance) whose every field is most often valid and otherwise anything: text,
numbers past 64 bits, NaN and infinities, booleans, null, objects, arrays, blanks, or absent.
`raw_line()` draws a line that is not a record at all; `jsonl_line(source)` either, with the
record it holds. `line_text()` writes a record as the JSON
text of one line (values of `RawJson` verbatim: `1e400`, `NaN`); `csv_record()` is a spend-log
record as its psql CSV row reads back.

`cost_fields_readable(source, record)` says whether every field that changes what the call
costs or which call it is (id, time, tokens at every place LiteLLM keeps them) can be read exactly,
mirroring the landing and staging rules: an accepted call must never be one where it says False.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

MODELS = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini-unpriced"), ("", "gpt-4o"), ("anthropic", "claude-sonnet-4-5")]
EPOCH_LIMIT = 95_617_584_000  # seconds; later (past year 5000) is no time
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
DATE_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
# where each usage object sits, and each count's paths inside it (macros/landing/land_litellm.sql)
USAGE_OBJECTS = {
    "litellm_spend_logs": [("metadata", "additional_usage_values"), ("metadata", "usage_object")],
    "litellm_payloads": [("metadata", "usage_object"), ("hidden_params", "usage_object")],
}
USAGE_PATHS = [
    [("cache_read_input_tokens",), ("prompt_tokens_details", "cached_tokens")],
    [("cache_creation_input_tokens",), ("prompt_tokens_details", "cache_creation_tokens"),
     ("prompt_tokens_details", "cache_write_tokens")],
    [("prompt_tokens_details", "cache_creation_token_details", "ephemeral_1h_input_tokens")],
    [("completion_tokens_details", "reasoning_tokens")],
]  # fmt: skip
ABSENT = object()


@dataclass(frozen=True)
class RawJson:
    """A JSON literal written verbatim (what json.dumps cannot write: 1e400, NaN, 2**70 as text)."""

    text: str


def _mostly(valid: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """`valid` four times in five, else `odd`: most records stay calls, every field still varies."""
    return st.integers(0, 4).flatmap(lambda n: valid if n else odd)


_text = st.text(max_size=12)
_odd_scalar = st.one_of(
    _text,
    st.sampled_from(["", " ", "abc", "12.5", " 7 ", "1e3", "-3", "NaN", "Infinity", "infinity", "epoch", "true"]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.sampled_from([RawJson("1e400"), RawJson("NaN"), RawJson("-Infinity"), RawJson("100000000000000000000")]),
)
ANYTHING = st.recursive(
    _odd_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)),
    max_leaves=4,
)
ODD = st.one_of(ANYTHING, st.just(ABSENT))  # any value, or the field left out
_count = _mostly(st.integers(0, 5000), ODD)
_iso_time = st.datetimes(min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2030, 1, 1)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
)
_epoch = st.floats(min_value=1.7e9, max_value=1.9e9, allow_nan=False)


def _present(drawn: dict[str, Any]) -> dict[str, Any]:
    """Leave out the keys drawn as ABSENT, at any depth."""
    return {key: _present(value) if isinstance(value, dict) else value for key, value in drawn.items()
            if value is not ABSENT}  # fmt: skip


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{"a.b": 1} -> {"a": {"b": 1}} (the usage paths never make a leaf and a branch of one key)."""
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        node = nested
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return nested


def _usage_object() -> st.SearchStrategy:
    paths = [".".join(path) for options in USAGE_PATHS for path in options]
    counts = _mostly(st.integers(0, 500).flatmap(lambda n: st.sampled_from([n, ABSENT, None])), ODD)
    return _mostly(st.fixed_dictionaries({path: counts for path in paths}).map(_nest), ODD)


def _object_with_usage() -> st.SearchStrategy:
    """metadata (or hidden_params): an object with its usage objects and dimension keys, sent as an
    object, as a string holding JSON (psql / SpendLogsPayload), or as anything."""
    obj = st.fixed_dictionaries(
        {
            "usage_object": _usage_object(),
            "additional_usage_values": _usage_object(),
            "user_api_key_alias": _mostly(st.sampled_from(["search-prod", "batch"]), ODD),
            "user_api_key_team_alias": ODD,
            "user_api_key_hash": ODD,
            "spend_logs_metadata": _mostly(st.dictionaries(st.sampled_from(["customer_id", "feature", "prompt"]),
                                                           ANYTHING, max_size=3), ODD),
            "error_information": _mostly(st.fixed_dictionaries({"error_message": _text}), ODD),
        }
    ).map(_present)  # fmt: skip
    return _mostly(st.one_of(obj, obj.map(lambda value: _json_text(value))), ODD)


def _record(source: str) -> st.SearchStrategy:
    id_field = "request_id" if source == "litellm_spend_logs" else "id"
    time = _iso_time if source == "litellm_spend_logs" else _epoch
    model = _mostly(st.sampled_from(MODELS), st.tuples(ODD, ODD))
    fields: dict[str, st.SearchStrategy] = {
        id_field: _mostly(st.uuids().map(str), ODD),
        "call_type": _mostly(st.sampled_from(["acompletion", "completion", "embedding", "aretrieve_batch"]),
                             st.one_of(ODD, st.sampled_from(["call_mcp_tool", "acreate_file"]))),
        "prompt_tokens": _count,
        "completion_tokens": _count,
        "startTime": _mostly(time, st.one_of(ODD, _iso_time, _epoch)),
        "endTime": _mostly(time, ODD),
        "status": _mostly(st.sampled_from(["success", "failure"]), ODD),
        "cache_hit": _mostly(st.sampled_from(["False", "None", False, None]), ODD),
        "end_user": _mostly(st.sampled_from(["acme", "globex", ""]), ODD),
        "request_tags": _mostly(st.lists(st.sampled_from(["feature:search", "environment:production", "x"]),
                                         max_size=3), ODD),
        "metadata": _object_with_usage(),
        "messages": ODD,
        "response": ODD,
        "model": model,
    }  # fmt: skip
    if source == "litellm_spend_logs":
        fields |= {"spend": _mostly(st.floats(0, 1), ODD), "request_duration_ms": ODD,
                   "proxy_server_request": ODD, "user": ODD, "team_id": ODD}  # fmt: skip
    else:
        fields |= {"response_cost": _mostly(st.floats(0, 1), ODD), "hidden_params": _object_with_usage(),
                   "trace_id": ODD, "error_str": ODD}  # fmt: skip
    return st.fixed_dictionaries(fields).map(_with_model).map(_present)


def _with_model(drawn: dict[str, Any]) -> dict[str, Any]:
    provider, model = drawn.pop("model")
    return {**drawn, "custom_llm_provider": provider, "model": model}


def spend_log_record() -> st.SearchStrategy:
    """One LiteLLM_SpendLogs row with arbitrary values in every field."""
    return _record("litellm_spend_logs")


def payload_record() -> st.SearchStrategy:
    """One StandardLoggingPayload with arbitrary values in every field."""
    return _record("litellm_payloads")


def raw_line() -> st.SearchStrategy:
    """A line that is not a record: arbitrary text or bytes (no line break), or JSON of another shape."""
    return st.one_of(
        st.binary(max_size=40).map(lambda data: data.replace(b"\n", b"")),
        st.text(max_size=40).map(lambda text: text.replace("\n", "").replace("\r", "").encode()),
        ANYTHING.map(lambda value: _json_text(value).encode()),
    )


def jsonl_line(source: str) -> st.SearchStrategy:
    """(one raw JSON Lines line of `source` as bytes, the record it holds or None) — the unit to
    combine with the other sources' strategies; check accepted calls with cost_fields_readable."""
    record = spend_log_record() if source == "litellm_spend_logs" else payload_record()
    return st.one_of(
        record.map(lambda drawn: (line_text(drawn).encode(), drawn)),
        raw_line().map(lambda data: (data, None)),
    )


def _json_text(value: Any) -> str:
    if isinstance(value, RawJson):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(key))}: {_json_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(item) for item in value) + "]"
    return json.dumps(value)


def line_text(record: dict[str, Any]) -> str:
    """A record as one line of JSON (RawJson values verbatim)."""
    return _json_text(record)


JSON_COLUMNS = {"metadata", "request_tags", "messages", "response", "proxy_server_request"}


def _plain(value: Any) -> Any:
    """A value JSON can hold: RawJson and non-finite floats as their text."""
    if isinstance(value, RawJson):
        return value.text
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def csv_record(record: dict[str, Any]) -> dict[str, Any]:
    """A spend-log record as psql writes it to CSV and the landing reads it back: every cell text
    (Python's spelling of a value: True, 1e+20, {'a': 1}), JSON columns as JSON."""
    cells: dict[str, Any] = {}
    for name, value in record.items():
        if name in JSON_COLUMNS:
            cells[name] = _plain(value)
        elif isinstance(value, RawJson):
            cells[name] = value.text
        elif value is not None:
            cells[name] = repr(value) if isinstance(value, float) else str(value)
    return cells


# --- what the landing and staging can read -----------------------------------------------------


def _text_of(value: Any) -> str | None:
    """The text a scalar field lands as (NULL for null; objects and arrays are never text)."""
    if value is ABSENT or value is None:
        return None
    if isinstance(value, RawJson):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "NaN"
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    return str(value)


def _number_readable(text: str) -> bool:
    """Lenient as the engine's cast is (surrounding white space, digit separators); a lenient
    answer here only weakens the property, never fails it."""
    candidate = text.strip().replace("_", "")
    return bool(NUMBER.match(candidate)) and abs(float(candidate)) < 1e32


def _count_readable(value: Any) -> bool:
    """A count that is absent or blank is not sent; one that is sent must read as a number."""
    text = _text_of(value)
    if text is None or text.strip(" ") == "":
        return True
    return _number_readable(text)


def _sent(value: Any) -> bool:
    text = _text_of(value)
    return text is not None and text.strip(" ") != ""


def _id_readable(value: Any) -> bool:
    """An id is text: an object or array (or text that starts like one) is none."""
    return _sent(value) and not _text_of(value).strip(" ").startswith(("{", "["))


def _as_object(value: Any) -> dict[str, Any] | None:
    """metadata / hidden_params as the landing reads them: an object, or a string holding one (or
    a string holding such a string)."""
    for _ in range(2):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
    return value if isinstance(value, dict) else None


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return ABSENT
        obj = obj[key]
    return obj


def _time_readable(value: Any) -> bool:
    """Seconds since 1970 (before year 5000), or text that starts with a date (lenient)."""
    text = _text_of(value)
    if not _sent(value) or isinstance(value, (dict, list)):
        return False
    if _number_readable(text):
        return abs(float(text.strip().replace("_", ""))) < EPOCH_LIMIT
    return bool(DATE_START.match(text.strip()))


def cost_fields_readable(source: str, record: dict[str, Any]) -> bool:
    """Whether every field that changes what the call costs or which call it is can be read (for a
    CSV row, pass csv_record(record))."""
    id_field = "request_id" if source == "litellm_spend_logs" else "id"
    if not _id_readable(record.get(id_field, ABSENT)) or not _time_readable(record.get("startTime", ABSENT)):
        return False
    for field in ["prompt_tokens", "completion_tokens"]:
        if not _sent(record.get(field, ABSENT)) or not _count_readable(record.get(field, ABSENT)):
            return False
    for options in USAGE_PATHS:
        first = ABSENT
        for container, name in USAGE_OBJECTS[source]:
            obj = _as_object(record.get(container, ABSENT))
            for path in options:
                value = _at(obj, (name, *path)) if obj is not None else ABSENT
                if first is ABSENT and value is not ABSENT and value is not None:
                    first = value
        if not _count_readable(first):
            return False
    return True
