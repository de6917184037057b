"""Build OTLP JSON export request lines field for field, for tests that cannot run the software that
writes them (older OpenLLMetry releases, other providers' instrumentations, broken exporters).

The encoding is opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding" (commit
ac2c4b5d1f3a6079de62f9afec860158ecc8af09): the proto3 JSON mapping of
opentelemetry/proto/collector/trace/v1/trace_service.proto's ExportTraceServiceRequest, with
lowerCamelCase keys, int64 values (intValue, startTimeUnixNano…) as decimal strings, enums
(kind, status.code) as integers, and traceId / spanId as hex; AnyValue is
opentelemetry/proto/common/v1/common.proto's oneof (stringValue, boolValue, intValue,
doubleValue, arrayValue, kvlistValue, bytesValue).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

# 2026-01-10T12:00:00Z in nanoseconds since the epoch
BASE_NANOS = 1_768_046_400_000_000_000


def any_value(value: Any) -> dict[str, Any]:
    """A Python value as an OTLP AnyValue."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes):
        return {"bytesValue": base64.b64encode(value).decode()}
    if isinstance(value, Mapping):
        return {"kvlistValue": {"values": key_values(value)}}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return {"arrayValue": {"values": [any_value(item) for item in value]}}
    return {"stringValue": str(value)}


def key_values(attributes: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A mapping as an OTLP KeyValue list (a value that is already an AnyValue dict, or the empty
    AnyValue {}, is kept as it is)."""
    return [
        {"key": key, "value": value if isinstance(value, dict) and _is_any_value(value) else any_value(value)}
        for key, value in attributes.items()
    ]


def _is_any_value(value: dict[str, Any]) -> bool:
    if not value:
        return True
    kinds = {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"}
    return len(value) == 1 and next(iter(value)) in kinds


def span(
    name: str,
    attributes: Mapping[str, Any],
    *,
    trace_id: str,
    span_id: str,
    parent_span_id: str | None = None,
    start_offset_ms: int = 0,
    duration_ms: int = 250,
    status_code: int | None = None,
    kind: int = 3,
    events: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A Span (trace.proto): CLIENT kind (3) unless given, status omitted when unset (0)."""
    start = BASE_NANOS + start_offset_ms * 1_000_000
    built: dict[str, Any] = {
        "traceId": trace_id,
        "spanId": span_id,
        "name": name,
        "kind": kind,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + duration_ms * 1_000_000),
        "attributes": key_values(attributes),
        "status": {} if status_code is None else {"code": status_code},
    }
    if parent_span_id:
        built["parentSpanId"] = parent_span_id
    if events:
        built["events"] = [
            {"timeUnixNano": str(start), "name": event["name"], "attributes": key_values(event.get("attributes", {}))}
            for event in events
        ]
    return built


def export_request(
    resource: Mapping[str, Any], scopes: Sequence[tuple[str, str | None, Sequence[dict[str, Any]]]]
) -> dict[str, Any]:
    """One ExportTraceServiceRequest: one resource, its scopes as (name, version, spans)."""
    scope_spans = []
    for name, version, spans in scopes:
        scope: dict[str, Any] = {"name": name}
        if version:
            scope["version"] = version
        scope_spans.append({"scope": scope, "spans": list(spans)})
    return {"resourceSpans": [{"resource": {"attributes": key_values(resource)}, "scopeSpans": scope_spans}]}


def line(request: Mapping[str, Any]) -> str:
    """The request as one line of OTLP JSON Lines."""
    return json.dumps(request, separators=(",", ":"))


def trace_id(number: int) -> str:
    return f"{number:032x}"


def span_id(number: int) -> str:
    return f"{number:016x}"
