"""Raw Langfuse lines with arbitrary values in every field (both spellings: the API's camelCase
and the blob export's snake_case), for property tests.

`observation_line()` draws one line of `langfuse_observations/*.jsonl` holding exactly one record
(an observation object, or a line of the wrong shape); `trace_line()` one line of
`langfuse_traces/*.jsonl`. `sends_unreadable_cost_field(line)` is True when the line is an
observation that sends a cost field (a token count, the usage object, the start time, the model)
whose value certainly cannot be read exactly: such a record must never become a call."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import strategies as st

VALID_TIMES = ["2026-01-10T12:00:00Z", "2026-01-10T12:00:00.123+02:00", "2026-01-10 12:00:00.000000"]
UNREADABLE_TIMES = ["yesterday", "2026-13-45T00:00:00Z", "soon"]
MODELS = ["gpt-4o", "claude-sonnet-4-5", "o3", "gpt-internal-experimental", "openai/gpt-4o"]
TYPES = ["GENERATION", "EMBEDDING", "generation", "SPAN", "AGENT", "TOOL", "EVENT", ""]
USAGE_KEYS = ["input", "output", "total", "input_cached_tokens", "cache_read_input_tokens", "input_cache_creation",
              "input_cache_creation_1h", "output_reasoning_tokens", "prompt_tokens", "completion_tokens",
              "characters"]  # fmt: skip
UNMAPPED_USAGE_KEYS = {"total", "characters"}
UNREADABLE_COUNT_TEXT = ["abc", "lots", "4.5", "NaN", "1,000"]
WRONG_SHAPES = ["42", "null", '"a string"', "{", "}{", "true", "[1]", "[]", '{"data": []}']

texts = st.text(max_size=30)
odd_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), texts)
odd_values = st.one_of(odd_scalars, st.lists(odd_scalars, max_size=3), st.dictionaries(texts, odd_scalars, max_size=3))
counts = st.one_of(
    st.integers(min_value=0, max_value=5000),
    st.integers(),
    st.integers(min_value=10**19, max_value=10**45),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(UNREADABLE_COUNT_TEXT + ["12", " 7 ", "", "-3"]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(texts, st.integers(), max_size=2),
)
usage_details = st.one_of(
    st.dictionaries(st.sampled_from(USAGE_KEYS), counts, max_size=6),
    odd_values,
)


@st.composite
def observation(draw: st.DrawFn) -> dict[str, Any]:
    """An observation object: each field absent, well formed or odd, in either spelling."""
    snake = draw(st.booleans())
    fields: dict[str, Any] = {
        "id": draw(st.one_of(texts.filter(str.strip), st.integers(), odd_values)),
        ("trace_id" if snake else "traceId"): draw(st.one_of(st.sampled_from(["t-1", "t-2"]), odd_values)),
        "type": draw(st.one_of(st.sampled_from(TYPES), odd_values)),
        ("start_time" if snake else "startTime"): draw(
            st.one_of(st.sampled_from(VALID_TIMES + UNREADABLE_TIMES), odd_values)
        ),
        ("end_time" if snake else "endTime"): draw(st.one_of(st.sampled_from(VALID_TIMES), odd_values)),
        ("provided_model_name" if snake else "model"): draw(st.one_of(st.sampled_from(MODELS), odd_values)),
        ("usage_details" if snake else "usageDetails"): draw(usage_details),
        ("cost_details" if snake else "costDetails"): draw(
            st.one_of(st.fixed_dictionaries({"total": odd_scalars}), odd_values)
        ),  # fmt: skip
        "level": draw(st.one_of(st.sampled_from(["DEFAULT", "ERROR", "WARNING"]), odd_values)),
        "latency": draw(odd_values),
        "environment": draw(st.one_of(st.sampled_from(["production", "default", "staging"]), odd_values)),
        "metadata": draw(
            st.one_of(
                st.dictionaries(st.sampled_from(["customer_id", "feature", "team", "prompt"]), odd_values, max_size=3),
                odd_values,
            )
        ),  # fmt: skip
        "tags": draw(
            st.one_of(
                st.lists(st.sampled_from(["customer:acme", "feature:x", "beta", "customer:"]), max_size=3), odd_values
            )
        ),  # fmt: skip
        "input": "LF-PROPERTY-SECRET-PROMPT",
        ("status_message" if snake else "statusMessage"): "LF-PROPERTY-SECRET-STATUS",
    }
    if not snake:
        fields["usage"] = draw(st.one_of(st.none(), st.fixed_dictionaries({"input": counts, "output": counts})))
        fields["promptTokens"] = draw(counts)
    absent = draw(st.sets(st.sampled_from(sorted(fields)), max_size=4))
    return {key: value for key, value in fields.items() if key not in absent}


def _dumps(value: Any) -> str:
    # Python's json writes NaN and Infinity, as the loggers that feed these files do
    return json.dumps(value, allow_nan=True)


def observation_line() -> st.SearchStrategy[str]:
    """One raw line holding exactly one record."""
    return st.one_of(observation().map(_dumps), st.sampled_from(WRONG_SHAPES))


def trace_line() -> st.SearchStrategy[str]:
    """One raw trace line: a trace with odd values, or a line of the wrong shape."""
    trace = st.fixed_dictionaries(
        {"id": st.one_of(st.sampled_from(["t-1", "t-2"]), odd_values)},
        optional={"userId": odd_values, "tags": odd_values, "metadata": odd_values, "environment": odd_values,
                  "name": odd_values, "timestamp": odd_values, "sessionId": odd_values, "input": texts},
    )  # fmt: skip
    return st.one_of(trace.map(_dumps), st.sampled_from(WRONG_SHAPES))


def _count_is_unreadable(value: Any) -> bool:
    """The value is sent but certainly not a whole number (NULL and blank text are not sent)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, bool | list | dict):
        return True
    if isinstance(value, float):
        return math.isnan(value) or math.isinf(value) or value != math.floor(value) or abs(value) >= 1e32
    if isinstance(value, int):
        return abs(value) >= 10**32
    return isinstance(value, str) and value.strip() in UNREADABLE_COUNT_TEXT


def sends_unreadable_cost_field(line: str) -> bool:
    """The line is an observation sending a cost field that certainly cannot be read exactly."""
    try:
        record = json.loads(line)
    except ValueError:
        return False
    if not isinstance(record, dict):
        return False
    start = record.get("startTime", record.get("start_time"))
    if isinstance(start, str) and start in UNREADABLE_TIMES:
        return True
    model = record.get("model", record.get("provided_model_name"))
    if isinstance(model, dict | list):
        return True
    details = record.get("usageDetails", record.get("usage_details"))
    if details is not None and not isinstance(details, dict):
        return not (isinstance(details, str) and not details.strip())
    if isinstance(details, dict):
        return any(_count_is_unreadable(v) for k, v in details.items() if k not in UNMAPPED_USAGE_KEYS)
    legacy = record.get("usage")
    if isinstance(legacy, dict) and any(_count_is_unreadable(legacy.get(k)) for k in ("input", "output")):
        return True
    return "usage" not in record and _count_is_unreadable(record.get("promptTokens"))
