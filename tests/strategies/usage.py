"""Hypothesis strategies for the canonical usage format (usage/*.jsonl), arbitrary values in every
field.

`usage_line(index)` draws one raw line: most often a usage event whose fields are each valid,
otherwise anything a real log carries (text where a number belongs, numbers past 64 bits, NaN and
infinities, booleans, null, objects, arrays, blanks, absent fields), or a line that is not an event
at all. `cost_fields_valid(line)` says whether every field that changes what the call costs or
which call it is can be read exactly and obeys the contract, mirroring
models/intermediate/calls/int_usage_events_validated.sql: an accepted call must never come from a
line where it says False."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import strategies as st

MAX_TOKENS = 1_000_000_000  # var('max_tokens_per_call')
TOKEN_FIELDS = ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
                "reasoning_tokens"]  # fmt: skip
REQUIRED = ["request_id", "occurred_at", "provider", "model", "input_tokens", "output_tokens"]
VALID_TIMES = ["2026-01-10T12:00:00Z", "2026-01-10T14:00:00+02:00", "2026-01-10 12:00:00", "2026-01-10T12:00:00.5Z"]
UNREADABLE_TIMES = ["yesterday", "2026-13-45T00:00:00Z", "soon", "10/01/2026 noon"]
MODELS = ["gpt-4o", "openai/gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-unpriced"]
NOT_EVENTS = ["[1, 2]", "42", "null", '"text"', "{", "}{", "true", "[]"]
ABSENT = object()


@dataclass(frozen=True)
class RawJson:
    """A JSON literal written verbatim (NaN, 1e400: what json.dumps will not write)."""

    text: str


_odd = st.one_of(
    st.text(max_size=10),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([RawJson("NaN"), RawJson("Infinity"), RawJson("-Infinity"), RawJson("1e400"), RawJson("1e20")]),
    st.booleans(),
    st.none(),
    st.just({"a": 1}),
    st.just([1]),
    st.just(""),
    st.just(ABSENT),
)


def _mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`valid` four times in five, else anything: most lines stay calls, every field still varies."""
    return st.integers(0, 4).flatmap(lambda n: valid if n else _odd)


@st.composite
def _event(draw: st.DrawFn, index: int) -> dict[str, Any]:
    event: dict[str, Any] = {
        "request_id": draw(_mostly(st.just(f"r{index}"))),
        "occurred_at": draw(_mostly(st.sampled_from(VALID_TIMES))),
        "provider": draw(_mostly(st.sampled_from(["openai", "OpenAI"]))),
        "model": draw(_mostly(st.sampled_from(MODELS))),
        "input_tokens": draw(_mostly(st.integers(0, 50_000))),
        "output_tokens": draw(_mostly(st.integers(0, 5_000))),
    }
    for field in TOKEN_FIELDS[2:]:
        event[field] = draw(st.one_of(st.just(ABSENT), st.just(ABSENT), st.integers(0, 3_000), _odd))
    for field in ["latency_ms", "reported_cost_usd", "is_batch", "customer_id", "feature", "environment", "metadata"]:
        event[field] = draw(st.one_of(st.just(ABSENT), _odd))
    event["prompt"] = "SECRET-PROPERTY-PROMPT"
    return {key: value for key, value in event.items() if value is not ABSENT}


def usage_line(index: int) -> st.SearchStrategy[str]:
    """One raw line: an event nine times in ten, else something that is no event."""
    return st.integers(0, 9).flatmap(lambda n: _event(index).map(line_text) if n else st.sampled_from(NOT_EVENTS))


def line_text(event: dict[str, Any]) -> str:
    """The event as one line of JSON, RawJson values written verbatim."""
    parts = [f"{json.dumps(key)}: {_value_text(value)}" for key, value in event.items()]
    return "{" + ", ".join(parts) + "}"


def _value_text(value: Any) -> str:
    return value.text if isinstance(value, RawJson) else json.dumps(value)


def _parsed(line: str) -> dict[str, Any] | None:
    """The line as the landing reads it (NaN and infinities as text), or None when not an object."""
    try:
        value = json.loads(line, parse_constant=str)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _count(value: Any) -> Decimal | None:
    """A token count as staging reads it: a whole or fractional number from a number or a numeric
    string within decimal(38, 6); None when unreadable."""
    if isinstance(value, bool | dict | list) or value is None:
        return None
    text = str(value).strip()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 32:
        return None
    return number


def cost_fields_valid(line: str) -> bool:
    """True when the line would pass every rule of int_usage_events_validated (the same order
    does not matter: any broken rule means it must be rejected)."""
    event = _parsed(line)
    if event is None:
        return False
    for field in ["request_id", "provider", "model"]:
        value = event.get(field)
        if value is None or isinstance(value, dict | list) or not str(value).strip():
            return False
    if event.get("occurred_at") not in VALID_TIMES:
        return False
    counts: dict[str, Decimal] = {}
    for field in TOKEN_FIELDS:
        # JSON null is "not sent", as the landing reads it (a struct field of no value)
        if event.get(field) is None or (isinstance(event[field], str) and not event[field].strip()):
            if field in REQUIRED:
                return False
            counts[field] = Decimal(0)
            continue
        number = _count(event[field])
        if number is None or number != number.to_integral_value() or number < 0 or number > MAX_TOKENS:
            return False
        counts[field] = number
    if counts["cache_read_tokens"] + counts["cache_write_tokens"] > counts["input_tokens"]:
        return False
    if counts["cache_write_1h_tokens"] > counts["cache_write_tokens"]:
        return False
    if "reasoning_tokens" in event and counts["reasoning_tokens"] > counts["output_tokens"]:
        return False
    batch = event.get("is_batch", ABSENT)
    readable_batch = {"true", "t", "1", "yes", "y", "false", "f", "0", "no", "n"}
    return batch is ABSENT or batch is None or str(batch).strip().lower() in readable_batch or str(batch).strip() == ""
