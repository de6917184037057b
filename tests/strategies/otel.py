"""Hypothesis strategies for raw `otel_spans/` lines (OTLP JSON export requests), and an oracle that
reads them the way the contract says, for property tests (tests/test_otel_properties.py).

- `otel_line()`: one raw line, as text: mostly an export request whose resources, scopes, spans and
  attributes take arbitrary values of every kind in every field (well-formed, wrong types,
  huge, NaN, text, empty, missing), sometimes a line that is not an export request at all.
- `records_of(line)`: the records the line must land as: one per element of each span list,
  or a single one when it holds none (with the span, or None).
- `unreadable_cost_fields(span)`: the fields that change what a call costs or which call it is
  and that the span sends but that cannot be read exactly; an accepted call must have none.

The attribute keys come from the project's own configuration (dbt_project.yml
var('otel_span_attributes')), so the oracle follows the mapping it checks.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

SECRET = "PROPERTY-SECRET-PROMPT"
TOKEN_FIELDS = ["input_tokens", "output_tokens", "total_tokens", "cache_read_tokens", "cache_write_tokens",
                "reasoning_tokens"]  # fmt: skip
# text-bearing attributes instrumentations write: never read past the landing
TEXT_KEYS = ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.prompt.0.content",
             "gen_ai.completion.0.content", "llm.prompts", "traceloop.entity.input", "gen_ai.tool.call.arguments",
             "traceloop.association.properties.prompt"]  # fmt: skip
# no digit, sign, dot or exponent letter: text that no engine reads as a number
_NOT_NUMERIC = st.text(alphabet="abcdfghijklmnopqrstuvwxyzABCDFGHIJ _-:/?!", min_size=1, max_size=12)


@cache
def span_attribute_keys() -> dict[str, list[str]]:
    """var('otel_span_attributes') from dbt_project.yml: field -> attribute keys, first present wins."""
    project = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]["otel_span_attributes"]


def _any_value_of(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": value}


def _count_value() -> st.SearchStrategy[Any]:
    """A token count as an AnyValue, readable or not."""
    whole = st.integers(min_value=0, max_value=2_000_000)
    return st.one_of(
        whole.map(lambda n: {"intValue": str(n)}),
        whole.map(lambda n: {"intValue": n}),  # a number where OTLP JSON writes a string
        whole.map(lambda n: {"stringValue": str(n)}),
        whole.map(lambda n: {"doubleValue": float(n)}),
        st.integers(min_value=-(10**25), max_value=10**25).map(lambda n: {"intValue": str(n)}),
        st.floats(allow_nan=True, allow_infinity=True).map(lambda x: {"doubleValue": x}),
        st.sampled_from(["NaN", "Infinity", "-Infinity"]).map(lambda x: {"doubleValue": x}),
        _NOT_NUMERIC.map(lambda text: {"stringValue": text}),
        st.booleans().map(lambda b: {"boolValue": b}),
        st.just({"arrayValue": {"values": [{"intValue": "5"}]}}),
        st.just({"kvlistValue": {"values": [{"key": "n", "value": {"intValue": "5"}}]}}),
        st.just({"bytesValue": "MTIz"}),
        st.just({}),
        st.integers(min_value=0, max_value=10).map(str),  # a value that is not an AnyValue
    )


def _text_value() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(
            [
                "openai",
                "anthropic",
                "gcp.vertex_ai",
                "OpenAI",
                "az.ai.openai",
                "chat",
                "embeddings",
                "gpt-4o",
                "claude-sonnet-4-5",
                "execute_tool",
                "invoke_agent",
                "workflow",
                "task",
                "prod",
                "production",
                "cust-1",
                "",
            ]
        ),
        st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20),
        st.integers(min_value=-5, max_value=5),
        st.booleans(),
    ).map(_any_value_of) | st.sampled_from([{}, {"arrayValue": {"values": []}}, {"kvlistValue": {"values": []}}])


def _attributes() -> st.SearchStrategy[list[Any]]:
    keys = span_attribute_keys()
    count_keys = [key for field in TOKEN_FIELDS for key in keys[field]]
    text_keys = [key for field, field_keys in keys.items() if field not in TOKEN_FIELDS for key in field_keys]
    dimension_keys = ["traceloop.association.properties.customer_id", "traceloop.association.properties.feature",
                      "traceloop.workflow.name", "gen_ai.conversation.id", "gen_ai.agent.name"]  # fmt: skip
    pair = st.one_of(
        st.tuples(st.sampled_from(count_keys), _count_value()),
        st.tuples(st.sampled_from(text_keys + dimension_keys), _text_value()),
        st.tuples(st.sampled_from(TEXT_KEYS), st.just({"stringValue": SECRET})),
    )
    item = st.one_of(
        pair.map(lambda kv: {"key": kv[0], "value": kv[1]}),
        st.sampled_from([1, "x", None, {"key": 5}, {"value": {"intValue": "1"}}]),  # not KeyValues
    )
    return st.lists(item, max_size=8)


def _time() -> st.SearchStrategy[Any]:
    nanos = st.integers(min_value=1_600_000_000_000_000_000, max_value=1_900_000_000_000_000_000)
    return st.one_of(nanos.map(str), nanos.map(str), nanos.map(str), nanos,
                     st.sampled_from(["0", "", "yesterday", "-5", "99999999999999999999"]),
                     st.floats(allow_nan=True))  # fmt: skip


def _usual(strategy: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a well-formed value (about six times in seven), sometimes an odd one."""
    return st.sampled_from(range(7)).flatmap(lambda choice: odd if choice == 6 else strategy)


def _call_attributes() -> st.SearchStrategy[list[dict[str, Any]]]:
    """The attributes that make a span a model call, each usually well-formed, then arbitrary ones."""
    whole = st.integers(min_value=0, max_value=50_000).map(lambda n: {"intValue": str(n)})
    core = st.fixed_dictionaries({
        "gen_ai.operation.name": _usual(st.sampled_from(["chat", "embeddings", "text_completion"]).map(_any_value_of),
                                        _text_value()),
        "gen_ai.provider.name": _usual(st.sampled_from(["openai", "anthropic"]).map(_any_value_of), _text_value()),
        "gen_ai.request.model": _usual(st.sampled_from(["gpt-4o", "claude-sonnet-4-5"]).map(_any_value_of),
                                       _text_value()),
        "gen_ai.usage.input_tokens": _usual(whole, _count_value()),
        "gen_ai.usage.output_tokens": _usual(whole, _count_value()),
    }, optional={
        "gen_ai.response.id": st.sampled_from(["resp-1", "resp-2", "resp-3"]).map(_any_value_of),
        "gen_ai.usage.cache_read.input_tokens": _usual(whole, _count_value()),
    })  # fmt: skip
    return st.tuples(core, _attributes(), st.booleans()).map(
        lambda parts: (
            ([{"key": key, "value": value} for key, value in parts[0].items()] + parts[1])
            if parts[2]
            else (parts[1] + [{"key": key, "value": value} for key, value in parts[0].items()])
        )
    )


def _span() -> st.SearchStrategy[Any]:
    identifier = _usual(st.text(alphabet="0123456789abcdef", min_size=16, max_size=32),
                        st.one_of(st.just(""), st.integers(min_value=0, max_value=99),
                                  st.text(alphabet="0123456789ABCDEFxyz", max_size=8)))  # fmt: skip
    status = st.one_of(st.fixed_dictionaries({}, optional={"code": st.sampled_from([0, 1, 2, "2", "weird",
                                                                                   "STATUS_CODE_ERROR"])}),
                       st.just("broken"))  # fmt: skip
    fields = st.fixed_dictionaries(
        {"traceId": identifier, "spanId": identifier, "startTimeUnixNano": _time(),
         "attributes": st.one_of(_call_attributes(), _call_attributes(), _attributes(), st.just({"not": "a list"}))},
        optional={
            "name": st.text(alphabet="abc def", max_size=10),
            "parentSpanId": identifier,
            "endTimeUnixNano": _time(),
            "status": status,
            "kind": st.integers(min_value=-1, max_value=6),
            "events": st.just([{"name": "gen_ai.content.prompt",
                                "attributes": [{"key": "gen_ai.prompt", "value": {"stringValue": SECRET}}]}]),
        },
    )  # fmt: skip
    return _usual(fields, st.sampled_from([1, "span", None, []]))


def _request() -> st.SearchStrategy[Any]:
    resource = st.fixed_dictionaries({}, optional={"attributes": st.one_of(
        st.lists(st.tuples(st.sampled_from(["service.name", "deployment.environment.name", "cloud.region"]),
                           _text_value()).map(lambda kv: {"key": kv[0], "value": kv[1]}), max_size=3),
        st.just({"not": "a list"}))})  # fmt: skip
    scope = st.fixed_dictionaries(
        {"spans": _usual(st.lists(_span(), min_size=1, max_size=3), st.one_of(st.just([]), st.just({"no": 1})))},
        optional={"scope": st.fixed_dictionaries({}, optional={"name": st.text(alphabet="abc.", max_size=8),
                                                               "version": st.text(alphabet="0123.", max_size=5)})},
    )  # fmt: skip
    resource_spans = st.fixed_dictionaries(
        {"scopeSpans": _usual(st.lists(scope, min_size=1, max_size=2), st.sampled_from(["x", [], [1]]))},
        optional={"resource": _usual(resource, st.sampled_from([5, None, []]))},
    )  # fmt: skip
    return st.fixed_dictionaries(
        {"resourceSpans": _usual(st.lists(resource_spans, min_size=1, max_size=2), st.sampled_from([7, [], {}]))}
    )


def otel_line() -> st.SearchStrategy[str]:
    """One raw line of an otel_spans/ file."""
    return _usual(
        _request().map(json.dumps), st.sampled_from(["[1, 2]", "42", "null", '"text"', "{", "}{", "true", "[]", "{}"])
    )


def records_of(line: str) -> list[dict[str, Any] | None | Any]:
    """What the line lands as, in record_index order: each element of each span list (the span,
    whatever it is), or [None] for a line that holds none."""
    try:
        document = json.loads(line)
    except ValueError:
        return [None]
    if not isinstance(document, dict) or not isinstance(document.get("resourceSpans"), list):
        return [None]
    spans: list[Any] = []
    for resource_spans in document["resourceSpans"]:
        scopes = resource_spans.get("scopeSpans") if isinstance(resource_spans, dict) else None
        for scope_spans in scopes if isinstance(scopes, list) else []:
            listed = scope_spans.get("spans") if isinstance(scope_spans, dict) else None
            spans.extend(listed if isinstance(listed, list) else [])
    return spans or [None]


def _attribute(span: dict[str, Any], keys: list[str]) -> tuple[bool, Any]:
    """(sent, the first present key's AnyValue) as the landing reads it: the first occurrence of
    a key; an empty AnyValue or JSON null is no value."""
    attributes = span.get("attributes")
    if not isinstance(attributes, list):
        return False, None
    for key in keys:
        for item in attributes:
            if isinstance(item, dict) and item.get("key") == key:
                value = item.get("value")
                if value is None or value == {}:
                    break
                if isinstance(value, dict) and set(value) == {"stringValue"} and not str(value["stringValue"]).strip():
                    return False, None  # a blank text is no value (and hides the keys after it)
                return True, value
    return False, None


def _exact_count(value: Any) -> bool:
    """An AnyValue that reads as an exact whole number (a scalar as written, of at most 32 digits)."""
    if not isinstance(value, dict) or len(value) < 1:
        return False
    kind = next(iter(value))
    if kind not in ("intValue", "doubleValue", "stringValue"):
        return False
    raw = value[kind]
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        return False
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return False
    if not number.is_finite() or abs(number) >= Decimal(10) ** 32:
        return False
    # counts are read as decimal(38, 6) (macros/staging/usage_event_interface.sql): to 6 places
    number = number.quantize(Decimal("0.000001"))
    return number == number.to_integral_value()


def unreadable_cost_fields(span: Any) -> list[str]:
    """The cost fields the span sends that cannot be read exactly (an accepted call has none)."""
    if not isinstance(span, dict):
        return ["span"]
    keys = span_attribute_keys()
    problems = []
    output_sent = _attribute(span, keys["output_tokens"])[0]
    for field in TOKEN_FIELDS:
        sent, value = _attribute(span, keys[field])
        # the total only counts when it stands in for a missing output count
        if field == "total_tokens" and output_sent:
            continue
        if sent and not _exact_count(value):
            problems.append(field)
    start = span.get("startTimeUnixNano")
    if start is None or not re.fullmatch(r"[0-9]{1,19}", str(start)) or int(str(start)) == 0:
        problems.append("startTimeUnixNano")
    model_sent = any(_attribute(span, keys[field])[0] for field in ("response_model", "request_model"))
    if not model_sent:
        problems.append("model")
    return problems
