"""Langfuse records built from the published schema, field for field (a Langfuse server cannot run
here). Each builder returns every field of its shape, in the schema's order; a test overrides the
fields it is about.

Provenance (read 2026-12-01):
- API shapes: repository langfuse/langfuse at commit 62751446149b702b419a9292ddfc2280cdf74b8c,
  `fern/apis/server/definition/commons.yml` (types Trace, TraceWithDetails, Observation,
  ObservationsView, ObservationV2, Usage, ObservationLevel), `.../legacy/observations-v1.yml`
  (GET /api/public/observations -> ObservationsViews {data, meta}), `.../observations.yml`
  (GET /api/public/v2/observations -> ObservationsV2Response {data, meta: {cursor}}),
  `.../trace.yml` (GET /api/public/traces -> Traces {data, meta}), `.../utils/pagination.yml`
  (MetaResponse: page, limit, totalItems, totalPages); the v1 API's legacy `unit`,
  `promptTokens`, `completionTokens`, `totalTokens` and how they are derived (every usage key
  containing "input" / "output" summed) in `web/src/features/public-api/types/observations.ts`
  and `packages/shared/src/server/repositories/observations_converters.ts`
  (reduceUsageOrCostDetails).
- usageDetails keys: OpenAI usage is converted on ingestion by
  `packages/shared/src/server/ingestion/types.ts` (OpenAICompletionUsageSchema: input =
  prompt_tokens minus every prompt_tokens_details entry, each entry kept as `input_<name>`;
  output = completion_tokens minus every completion_tokens_details entry, kept as
  `output_<name>`; total = total_tokens); Anthropic cache usage by
  `packages/shared/src/server/otel/OtelIngestionProcessor.ts` (input_cached_tokens,
  input_cache_creation, input_cache_creation_5m / _1h with the 5m and 1h parts subtracted from
  input_cache_creation, input excluding all of them).
- Blob-storage export: `packages/shared/src/domain/observation-field-groups.ts`
  (LEGACY_OBSERVATION_EXPORT_FIELDS: the observation columns, in order) and the enrichment
  columns input_price, output_price, total_price
  (`worker/src/features/blobstorage/handleBlobStorageIntegrationProjectJob.ts`), the trace
  columns in `packages/shared/src/server/repositories/traces.ts`
  (buildTracesForBlobStorageExportQuery), the writers in
  `packages/shared/src/server/utils/transforms/` (CSV: a header from the first row's keys, every
  cell quoted with `"` doubled, objects and lists JSON-stringified, null as an empty cell; JSON:
  one array on one line; JSON Lines: one object per line); the field reference, timestamp format
  (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC) and the enriched `observations_v2/` columns (user_id,
  session_id, trace_name, tags, release, bookmarked, public) in repository langfuse/langfuse-docs
  at commit d0bb31e1d437e82e0b3700fd9fb12e103ea07031,
  `content/docs/api-and-data-platform/features/blob-storage-export-fields.mdx`.
- Pre-2024 observations (`promptTokens`, `completionTokens`, `totalTokens`, no usageDetails):
  `fern/apis/server/definition/commons.yml` at the parent of commit 45f091eeee (2023-12-15).
- The API v2 records are also parsed by the Langfuse Python SDK the way its client parses a
  response (`langfuse==5.0.4`: `parse_obj_as(ObservationsV2Response, ...)`, types generated from
  the Fern definition). Its ObservationV2 names the model group's name field `model` where
  commons.yml at the commit above says `providedModelName`: the fixtures use both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# Text a person wrote to or got from a model: none of it may reach any relation.
SECRET_PROMPT = "LF-SECRET-PROMPT-4417: summarise the merger memo"
SECRET_RESPONSE = "LF-SECRET-RESPONSE-8821: it closes Friday"
SECRET_STATUS = "LF-SECRET-STATUS-5150: rejected prompt text"
SECRET_METADATA = "LF-SECRET-METADATA-3003"
SECRET_TOOL = "LF-SECRET-TOOL-6161"
SECRETS = [SECRET_PROMPT, SECRET_RESPONSE, SECRET_STATUS, SECRET_METADATA, SECRET_TOOL]


def api_trace(trace_id: str, **fields: Any) -> dict[str, Any]:
    """A TraceWithDetails (commons.yml: Trace's properties, then TraceWithDetails')."""
    record = {
        "id": trace_id,  # Trace.id: string
        "timestamp": "2026-01-10T12:00:00.000Z",  # Trace.timestamp: datetime
        "name": None,  # Trace.name: nullable<string>
        "input": {"messages": [{"role": "user", "content": SECRET_PROMPT}]},  # Trace.input: unknown
        "output": SECRET_RESPONSE,  # Trace.output: unknown
        "sessionId": None,  # Trace.sessionId: nullable<string>
        "release": None,  # Trace.release: nullable<string>
        "version": None,  # Trace.version: nullable<string>
        "userId": None,  # Trace.userId: nullable<string>
        "metadata": {"note": SECRET_METADATA},  # Trace.metadata: unknown
        "tags": [],  # Trace.tags: list<string>
        "public": False,  # Trace.public: boolean
        "environment": "default",  # Trace.environment: string (Langfuse writes `default` when unset)
        "htmlPath": f"/project/p-1/traces/{trace_id}",  # TraceWithDetails.htmlPath: string
        "latency": None,  # TraceWithDetails.latency: optional<nullable<double>>, seconds
        "totalCost": None,  # TraceWithDetails.totalCost: optional<nullable<double>>, USD
        "observations": [],  # TraceWithDetails.observations: list of observation ids
        "scores": [],  # TraceWithDetails.scores: list of score ids
    }
    record.update(fields)
    return record


def api_page(records: Sequence[Mapping[str, Any]], page: int = 1, total_items: int | None = None) -> dict[str, Any]:
    """A v1 list response: {data, meta: MetaResponse} (pagination.yml)."""
    total = len(records) if total_items is None else total_items
    return {"data": list(records), "meta": {"page": page, "limit": 50, "totalItems": total, "totalPages": 1}}


def api_v1_observation(observation_id: str, trace_id: str | None, observation_type: str, **fields: Any) -> dict:
    """An ObservationsView (commons.yml: Observation's properties, then ObservationsView's), with the
    v1 API's backwards-compatibility fields (unit, promptTokens, completionTokens, totalTokens)."""
    record = {
        "id": observation_id,  # Observation.id: string
        "traceId": trace_id,  # Observation.traceId: nullable<string>
        "type": observation_type,  # Observation.type: string (GENERATION, SPAN, EVENT, AGENT…)
        "name": SECRET_TOOL,  # Observation.name: nullable<string> (never landed)
        "startTime": "2026-01-10T12:00:01.000Z",  # Observation.startTime: datetime
        "endTime": None,  # Observation.endTime: nullable<datetime>
        "completionStartTime": None,  # Observation.completionStartTime: nullable<datetime>
        "model": None,  # Observation.model: nullable<string>
        "modelParameters": {},  # Observation.modelParameters: unknown
        "input": [{"role": "user", "content": SECRET_PROMPT}],  # Observation.input: unknown
        "version": None,  # Observation.version: nullable<string>
        "metadata": {},  # Observation.metadata: unknown
        "output": {"role": "assistant", "content": SECRET_RESPONSE},  # Observation.output: unknown
        "usage": {"input": 0, "output": 0, "total": 0, "unit": "TOKENS"},  # Observation.usage: Usage
        "level": "DEFAULT",  # Observation.level: ObservationLevel (DEBUG, DEFAULT, WARNING, ERROR)
        "statusMessage": None,  # Observation.statusMessage: nullable<string>
        "parentObservationId": None,  # Observation.parentObservationId: nullable<string>
        "promptId": None,  # Observation.promptId: nullable<string>
        "usageDetails": {},  # Observation.usageDetails: map<string, integer>
        "costDetails": {},  # Observation.costDetails: map<string, double>
        "environment": "default",  # Observation.environment: string
        "promptName": None,  # ObservationsView.promptName: nullable<string>
        "promptVersion": None,  # ObservationsView.promptVersion: nullable<integer>
        "modelId": None,  # ObservationsView.modelId: nullable<string>
        "inputPrice": None,  # ObservationsView.inputPrice: nullable<double>
        "outputPrice": None,  # ObservationsView.outputPrice: nullable<double>
        "totalPrice": None,  # ObservationsView.totalPrice: nullable<double>
        "calculatedInputCost": None,  # ObservationsView.calculatedInputCost: nullable<double>
        "calculatedOutputCost": None,  # ObservationsView.calculatedOutputCost: nullable<double>
        "calculatedTotalCost": None,  # ObservationsView.calculatedTotalCost: nullable<double>
        "latency": None,  # ObservationsView.latency: nullable<double>, seconds
        "timeToFirstToken": None,  # ObservationsView.timeToFirstToken: nullable<double>, seconds
        "unit": "TOKENS",  # APIObservation.unit (observations.ts): always TOKENS
        "promptTokens": 0,  # APIObservation.promptTokens: usageDetails' "input" keys summed
        "completionTokens": 0,  # APIObservation.completionTokens: usageDetails' "output" keys summed
        "totalTokens": 0,  # APIObservation.totalTokens: usageDetails.total
    }
    record.update(fields)
    details = record["usageDetails"] if isinstance(record["usageDetails"], dict) else {}
    if "usage" not in fields and "promptTokens" not in fields:
        # what observations.ts derives from usageDetails (reduceUsageOrCostDetails)
        prompt = sum(v for k, v in details.items() if "input" in k and isinstance(v, int))
        completion = sum(v for k, v in details.items() if "output" in k and isinstance(v, int))
        total = details.get("total", 0)
        record.update(promptTokens=prompt, completionTokens=completion, totalTokens=total)
        record["usage"] = {"input": prompt, "output": completion, "total": total, "unit": "TOKENS"}
    return record


def api_v2_observation(observation_id: str, trace_id: str | None, observation_type: str, **fields: Any) -> dict:
    """An ObservationV2 with every field group (commons.yml ObservationV2: core, basic, time, io,
    metadata, model, usage, prompt, metrics, the enrichment fields, trace_context)."""
    record = {
        "id": observation_id,  # core: id
        "traceId": trace_id,  # core: traceId
        "startTime": "2026-01-11T09:00:00.000Z",  # core: startTime
        "endTime": None,  # core: endTime
        "projectId": "p-1",  # core: projectId
        "parentObservationId": None,  # core: parentObservationId
        "type": observation_type,  # core: type
        "isRootObservation": True,  # basic: isRootObservation
        "name": SECRET_TOOL,  # basic: name (never landed)
        "level": "DEFAULT",  # basic: level
        "statusMessage": None,  # basic: statusMessage
        "version": None,  # basic: version
        "environment": "default",  # basic: environment
        "bookmarked": False,  # basic: bookmarked
        "public": False,  # basic: public
        "userId": None,  # basic: userId
        "sessionId": None,  # basic: sessionId
        "completionStartTime": None,  # time: completionStartTime
        "createdAt": "2026-01-11T09:00:05.000Z",  # time: createdAt
        "updatedAt": "2026-01-11T09:00:05.000Z",  # time: updatedAt
        "input": json.dumps([{"role": "user", "content": SECRET_PROMPT}]),  # io: input (a raw string in v2)
        "output": SECRET_RESPONSE,  # io: output
        "metadata": {},  # metadata: metadata
        "model": None,  # model: `model` in the SDK's ObservationV2 (langfuse 5.0.4), `providedModelName` in commons.yml
        "internalModelId": None,  # model: internalModelId
        "modelParameters": {},  # model: modelParameters
        "usageDetails": {},  # usage: usageDetails (map<string, integer>)
        "costDetails": {},  # usage: costDetails (map<string, double>)
        "totalCost": None,  # usage: totalCost
        "usagePricingTierName": None,  # usage: usagePricingTierName
        "promptId": None,  # prompt: promptId
        "promptName": None,  # prompt: promptName
        "promptVersion": None,  # prompt: promptVersion
        "latency": None,  # metrics: latency (seconds)
        "timeToFirstToken": None,  # metrics: timeToFirstToken (seconds)
        "modelId": None,  # enrichment: modelId
        "inputPrice": None,  # enrichment: inputPrice (decimal string)
        "outputPrice": None,  # enrichment: outputPrice (decimal string)
        "totalPrice": None,  # enrichment: totalPrice (decimal string)
        "traceName": None,  # trace_context: traceName
        "tags": [],  # trace_context: tags
        "release": None,  # trace_context: release
    }
    record.update(fields)
    return record


def blob_observation(observation_id: str, trace_id: str, observation_type: str, **fields: Any) -> dict[str, Any]:
    """A row of the blob-storage observations export: LEGACY_OBSERVATION_EXPORT_FIELDS in order,
    then the price enrichment (input_price, output_price, total_price)."""
    record = {
        "id": observation_id,
        "trace_id": trace_id,
        "project_id": "p-1",
        "environment": "default",
        "type": observation_type,
        "parent_observation_id": None,
        "start_time": "2026-01-12 08:00:00.000000",  # YYYY-MM-DD HH:MM:SS.ffffff in UTC
        "end_time": None,
        "name": SECRET_TOOL,
        "metadata": {},  # ClickHouse Map(String, String): values are strings
        "level": "DEFAULT",
        "status_message": None,
        "version": None,
        "input": None,
        "output": None,
        "provided_model_name": None,
        "model_parameters": None,  # a JSON-encoded string
        "usage_details": {},  # object string -> integer
        "cost_details": {},  # object string -> number (USD)
        "completion_start_time": None,
        "prompt_name": None,
        "prompt_version": None,
        "total_cost": None,
        "latency": None,  # seconds (end_time - start_time)
        "time_to_first_token": None,
        "model_id": None,
        "created_at": "2026-01-12 08:00:05.000000",
        "updated_at": "2026-01-12 08:00:05.000000",
        "prompt_id": None,
        "tool_calls": [],
        "tool_call_names": [],
        "tool_definitions": {},
        "usage_pricing_tier_name": None,
        "input_price": None,
        "output_price": None,
        "total_price": None,
    }
    record.update(fields)
    return record


def blob_enriched_observation(observation_id: str, trace_id: str, observation_type: str, **fields: Any) -> dict:
    """A row of the enriched `observations_v2/` export: the observation columns (empty strings
    where the legacy export has nulls, per the field reference) plus the trace context."""
    record = blob_observation(observation_id, trace_id, observation_type, parent_observation_id="", version="",
                              input="", output="", provided_model_name="", model_parameters="", prompt_name="",
                              model_id="", prompt_id="")  # fmt: skip
    record.update({"user_id": "", "session_id": "", "trace_name": "", "tags": [], "release": "",
                   "bookmarked": False, "public": False})  # fmt: skip
    record.update(fields)
    return record


def blob_trace(trace_id: str, **fields: Any) -> dict[str, Any]:
    """A row of the blob-storage traces export (traces.ts: buildTracesForBlobStorageExportQuery)."""
    record = {
        "id": trace_id,
        "timestamp": "2026-01-12 08:00:00.000000",
        "name": None,
        "environment": "default",
        "project_id": "p-1",
        "metadata": {"note": SECRET_METADATA},
        "user_id": None,
        "session_id": None,
        "release": None,
        "version": None,
        "public": False,
        "bookmarked": False,
        "tags": [],
        "input": SECRET_PROMPT,
        "output": SECRET_RESPONSE,
        "created_at": "2026-01-12 08:00:00.000000",
        "updated_at": "2026-01-12 08:00:00.000000",
    }
    record.update(fields)
    return record


def export_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV as transformStreamToCsv writes it: the first row's keys as the header, every cell quoted
    with `"` doubled, strings as they are, other values JSON-stringified, null as an empty cell."""

    def cell(value: Any) -> str:
        text = "" if value is None else value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return '"' + text.replace('"', '""') + '"'

    header = list(rows[0])
    lines = [",".join(cell(name) for name in header)]
    lines += [",".join(cell(row.get(name)) for name in header) for row in rows]
    return "\n".join(lines) + "\n"


def export_json(rows: Sequence[Mapping[str, Any]]) -> str:
    """JSON as transformStreamToJson writes it: one array, on one line."""
    return "[" + ",".join(json.dumps(row, separators=(",", ":")) for row in rows) + "]"
