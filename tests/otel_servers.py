"""Two HTTP servers on 127.0.0.1 for the OpenTelemetry tests, started and stopped by the test.

- `StubModelServer` answers the real `openai` and `anthropic` clients the way the providers do
  (chat completions with `usage` and `prompt_tokens_details.cached_tokens`, a stream whose last
  chunk carries the usage, embeddings, an error; Anthropic messages with cache writes and reads).
  Every answer is fixed by the request's model and an `x-stub-case` header, so the token counts
  the tests assert are written here once (`CASES`).
- `OtlpJsonReceiver` is what an OpenTelemetry Collector with an OTLP/HTTP receiver and a file
  exporter does: it decodes each real `ExportTraceServiceRequest` protobuf the SDK's OTLP/HTTP
  exporter posts and appends it as one line of OTLP JSON (opentelemetry-proto
  docs/specification.md, "JSON Protobuf Encoding": the proto3 JSON mapping with lowerCamelCase
  keys, 64-bit integers as decimal strings, enums as integers, and trace and span ids as hex
  instead of base64) to `<out_dir>/<first path segment>.jsonl`.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

# (x-stub-case header) -> what the provider answers. Token counts in one place.
CASES: dict[str, dict[str, Any]] = {
    # an OpenAI chat completion whose prompt hit the prompt cache: prompt_tokens includes the
    # 1,024 cached tokens (OpenAI's convention)
    "cached_chat": {"id": "chatcmpl-cached", "model": "gpt-4o-mini-2024-07-18", "prompt_tokens": 1500,
                    "completion_tokens": 200, "cached_tokens": 1024, "reasoning_tokens": 0},
    # a reasoning model: completion_tokens includes the 320 reasoning tokens
    "reasoning_chat": {"id": "chatcmpl-reasoning", "model": "o4-mini-2025-04-16", "prompt_tokens": 400,
                       "completion_tokens": 900, "cached_tokens": 0, "reasoning_tokens": 320},
    # a streamed completion: the usage arrives in the last chunk (stream_options.include_usage)
    "streamed_chat": {"id": "chatcmpl-streamed", "model": "gpt-4o-2024-08-06", "prompt_tokens": 2300,
                      "completion_tokens": 150, "cached_tokens": 2048, "reasoning_tokens": 0},
    # a streamed completion the application fails on after the last chunk: the provider bills it
    "billed_failure": {"id": "chatcmpl-billed-failure", "model": "gpt-4o-2024-08-06", "prompt_tokens": 1000,
                       "completion_tokens": 40, "cached_tokens": 0, "reasoning_tokens": 0},
    # a call inside an agent run
    "agent_chat": {"id": "chatcmpl-agent", "model": "gpt-4o-mini-2024-07-18", "prompt_tokens": 800,
                   "completion_tokens": 60, "cached_tokens": 0, "reasoning_tokens": 0},
    "embedding": {"model": "text-embedding-3-small", "prompt_tokens": 12},
    # the provider fails the call: no usage is returned
    "server_error": {"status": 500},
    # Anthropic: input_tokens excludes cache tokens (the first call writes the cache, the second
    # reads it)
    "anthropic_cache_write": {"id": "msg_cache_write", "model": "claude-sonnet-4-5-20250929", "input_tokens": 40,
                              "output_tokens": 250, "cache_creation_input_tokens": 3000,
                              "cache_read_input_tokens": 0},
    "anthropic_cache_read": {"id": "msg_cache_read", "model": "claude-sonnet-4-5-20250929", "input_tokens": 25,
                             "output_tokens": 180, "cache_creation_input_tokens": 0,
                             "cache_read_input_tokens": 3000},
}  # fmt: skip


class _StubModelHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:  # noqa: N802 - the base class's name
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        case_name = self.headers.get("x-stub-case", "")
        case = CASES.get(case_name)
        if case is None:
            self._send_json(400, {"error": {"message": "unknown x-stub-case", "type": "invalid_request_error"}})
        elif "status" in case:
            self._send_json(case["status"], {"error": {"message": "the stub fails this call", "type": "server_error"}})
        elif self.path.endswith("/embeddings"):
            usage = {"prompt_tokens": case["prompt_tokens"], "total_tokens": case["prompt_tokens"]}
            vector = {"object": "embedding", "index": 0, "embedding": [0.25, -0.5, 0.125]}
            self._send_json(200, {"object": "list", "model": case["model"], "usage": usage, "data": [vector]})
        elif self.path.endswith("/messages"):
            self._send_json(200, _anthropic_message(case))
        elif request.get("stream"):
            self._send_stream(case)
        else:
            self._send_json(200, _chat_completion(case))

    def _send_stream(self, case: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        chunks = [
            {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Stub "}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {"content": "answer."}, "finish_reason": "stop"}]},
            {"choices": [], "usage": _openai_usage(case)},
        ]
        for chunk in chunks:
            chunk.update({"id": case["id"], "object": "chat.completion.chunk", "created": 1767225600,
                          "model": case["model"]})  # fmt: skip
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _openai_usage(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "prompt_tokens": case["prompt_tokens"],
        "completion_tokens": case["completion_tokens"],
        "total_tokens": case["prompt_tokens"] + case["completion_tokens"],
        "prompt_tokens_details": {"cached_tokens": case["cached_tokens"]},
        "completion_tokens_details": {"reasoning_tokens": case["reasoning_tokens"]},
    }


def _chat_completion(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": case["id"],
        "object": "chat.completion",
        "created": 1767225600,
        "model": case["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Stub answer."}}],
        "usage": _openai_usage(case),
    }


def _anthropic_message(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": case["id"],
        "type": "message",
        "role": "assistant",
        "model": case["model"],
        "content": [{"type": "text", "text": "Stub answer."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            key: case[key]
            for key in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        },
    }


def otlp_json_line(request: ExportTraceServiceRequest) -> str:
    """One export request as the line a Collector's file exporter writes (OTLP JSON)."""
    document = json_format.MessageToDict(request, use_integers_for_enums=True)
    _ids_to_hex(document)
    return json.dumps(document, separators=(",", ":"))


def _ids_to_hex(value: Any) -> None:
    """OTLP JSON writes traceId, spanId and parentSpanId as hex (the proto3 mapping would use base64)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(item, str):
                value[key] = base64.b64decode(item).hex()
            else:
                _ids_to_hex(item)
    elif isinstance(value, list):
        for item in value:
            _ids_to_hex(item)


class _OtlpHandler(BaseHTTPRequestHandler):
    server: _OtlpServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return

    def do_POST(self) -> None:  # noqa: N802 - the base class's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = ExportTraceServiceRequest.FromString(body)
        name = self.path.strip("/").split("/")[0]
        with self.server.lock, (self.server.out_dir / f"{name}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(otlp_json_line(request) + "\n")
        payload = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _OtlpServer(ThreadingHTTPServer):
    def __init__(self, out_dir: Path) -> None:
        super().__init__(("127.0.0.1", 0), _OtlpHandler)
        self.out_dir = out_dir
        self.lock = threading.Lock()


@contextmanager
def _serving(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def stub_model_server() -> Iterator[str]:
    """The stub provider on 127.0.0.1 (a free port); yields its base URL."""
    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), _StubModelHandler)) as url:
        yield url


@contextmanager
def otlp_json_receiver(out_dir: Path) -> Iterator[str]:
    """The OTLP/HTTP receiver on 127.0.0.1 writing OTLP JSON Lines into out_dir; yields its base URL."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with _serving(_OtlpServer(out_dir)) as url:
        yield url
