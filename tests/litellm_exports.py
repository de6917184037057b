"""LiteLLM records written the way their tools export them (the files a user drops in raw_path).

- Spend logs (rows of LiteLLM_SpendLogs): JSON Lines of database rows; JSON Lines of the rows as
  the proxy builds them (`SpendLogsPayload`: metadata, request_tags… as JSON text); a
  `/spend/logs` response (a JSON array, pretty-printed); CSV as PostgreSQL's
  `\\copy "LiteLLM_SpendLogs" to 'file.csv' csv header` writes it; Parquet.
- Payloads (StandardLoggingPayload): one object per file (S3/GCS bucket logging), or JSON Lines.

The CSV follows psql's rules: the table's column order (the Prisma migrations of
litellm-proxy-extras 0.4.108, the migrations litellm==1.106.2 runs: the baseline table, then each
ADD COLUMN in migration order), NULL as an empty cell, an empty string as `""`, a cell quoted
only when it holds a comma, a quote or a line break, `timestamp(3)` as `2026-01-10 12:00:00.123`
(UTC, no offset, trailing zeros dropped), `jsonb` as PostgreSQL prints it (`{"a": 1}`; keys by
length, then bytes), doubles in their shortest round-trip form.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SPEND_LOG_COLUMNS = [
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens",
    "startTime", "endTime", "completionStartTime", "model", "model_id", "model_group", "custom_llm_provider",
    "api_base", "user", "metadata", "cache_hit", "cache_key", "request_tags", "team_id", "end_user",
    "requester_ip_address", "messages", "response", "proxy_server_request", "session_id", "status",
    "mcp_namespaced_tool_name", "organization_id", "agent_id", "request_duration_ms", "created_at", "updated_at",
    "litellm_call_id", "billing_agent_id",
]  # fmt: skip
JSON_COLUMNS = {"metadata", "request_tags", "messages", "response", "proxy_server_request"}
TIMESTAMP_COLUMNS = {"startTime", "endTime", "completionStartTime", "created_at", "updated_at"}
INTEGER_COLUMNS = {"total_tokens", "prompt_tokens", "completion_tokens", "request_duration_ms"}


def jsonl(records: Iterable[Mapping[str, Any] | str]) -> str:
    """JSON Lines: a str is written as it is (a record's own serialised text)."""
    return "".join((record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records)


def api_response(rows: Sequence[Mapping[str, Any]]) -> str:
    """What GET /spend/logs returns: the rows as a JSON array (saved pretty-printed)."""
    return json.dumps(list(rows), indent=2) + "\n"


def _jsonb_text(value: Any) -> str:
    """A JSON value as PostgreSQL prints jsonb: `, ` and `: ` separators, object keys by length."""
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: (len(item[0].encode()), item[0].encode()))
        return "{" + ", ".join(f"{json.dumps(key)}: {_jsonb_text(item)}" for key, item in items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_jsonb_text(item) for item in value) + "]"
    return json.dumps(value)


def _timestamp_text(value: str) -> str:
    """An ISO timestamp as psql prints a `timestamp(3)` holding it in UTC."""
    moment = datetime.fromisoformat(value).astimezone(UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    milliseconds = f"{moment.microsecond // 1000:03d}".rstrip("0")
    return f"{text}.{milliseconds}" if milliseconds else text


def _psql_cell(column: str, value: Any, typed: bool = True) -> str:
    if value is None:
        return ""
    if column in JSON_COLUMNS:
        text = _jsonb_text(value)
    elif column in TIMESTAMP_COLUMNS and typed:
        text = _timestamp_text(value)
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    if text == "" or any(character in text for character in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def psql_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] = SPEND_LOG_COLUMNS, typed: bool = True) -> str:
    """`\\copy "LiteLLM_SpendLogs" to 'file.csv' csv header` of the rows (database form). With
    typed=False, cells other than JSON are written as the text they hold (for drawn records)."""
    lines = [",".join(columns)]
    lines += [",".join(_psql_cell(column, row.get(column), typed) for column in columns) for row in rows]
    return "\n".join(lines) + "\n"


def parquet(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The rows as a Parquet export of the table writes them: timestamps as timestamps (UTC),
    integers and doubles as such, jsonb as JSON text."""
    arrays: dict[str, pa.Array] = {}
    for column in SPEND_LOG_COLUMNS:
        values = [row.get(column) for row in rows]
        if column in TIMESTAMP_COLUMNS:
            moments = [datetime.fromisoformat(value).astimezone(UTC) if value else None for value in values]
            arrays[column] = pa.array(moments, type=pa.timestamp("ms", tz="UTC"))
        elif column in JSON_COLUMNS:
            arrays[column] = pa.array([None if value is None else json.dumps(value) for value in values], pa.string())
        elif column in INTEGER_COLUMNS:
            arrays[column] = pa.array(values, type=pa.int32())
        elif column == "spend":
            arrays[column] = pa.array(values, type=pa.float64())
        else:
            arrays[column] = pa.array([None if value is None else str(value) for value in values], pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(arrays), buffer)
    return buffer.getvalue()
