"""Drive the real `openai` and `anthropic` clients under a real OpenTelemetry instrumentation and
export the spans with the real SDK (tests/test_otel_real_spans.py runs it, once per scenario, in a
process of its own: instrumentations patch the clients globally).

    python tests/otel_drive.py SCENARIO --model-url URL --otlp-url URL --json-file PATH

Scenarios:
- `openai_v2_latest`: opentelemetry-instrumentation-openai-v2 with the latest experimental GenAI
  conventions (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental, set by the caller) and
  message content captured on the spans; an agent run, a tool call and a workflow through
  opentelemetry-util-genai, and a plain HTTP span.
- `openai_v2_default`: the same instrumentation with its default conventions (semconv 1.30).
- `traceloop`: OpenLLMetry (traceloop-sdk with its OpenAI and Anthropic instrumentations), with
  association properties, a workflow and a task.

Every span goes to two real exporters: the OTLP/HTTP protobuf exporter (posting to
tests/otel_servers.py's receiver, which writes the Collector's OTLP JSON) and the SDK's OTLP JSON
file exporter (`--json-file`), so the test can compare the two renderings.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from typing import Any

# The secrets every text-bearing field carries: tests/test_otel_real_spans.py looks for them in
# every relation the build writes.
SECRET_PROMPT = "OTEL-SECRET-PROMPT-7781 summarise the contract of ACME-7731"
SECRET_SYSTEM = "OTEL-SECRET-SYSTEM-5520 you are a careful assistant"
SECRET_TOOL_ARGUMENTS = '{"query": "OTEL-SECRET-TOOL-ARGS-3319"}'
SECRET_TOOL_RESULT = "OTEL-SECRET-TOOL-RESULT-8842"
API_KEY = "sk-live-otel-1234567890abcdef"
# text the instrumentations write into the spans (prompts, completions, tool calls)
SECRETS = [SECRET_PROMPT, SECRET_SYSTEM, "OTEL-SECRET-TOOL-ARGS-3319", SECRET_TOOL_RESULT, "Stub answer"]


class ConsumerFailure(Exception):
    """The application's own failure while it reads a streamed answer."""


def _messages() -> list[dict[str, str]]:
    return [{"role": "system", "content": SECRET_SYSTEM}, {"role": "user", "content": SECRET_PROMPT}]


def _case(name: str) -> dict[str, dict[str, str]]:
    return {"extra_headers": {"x-stub-case": name}}


def _openai_calls(client: Any) -> None:
    """The calls both OpenAI instrumentations see: cached, reasoning, streamed, embedding, failed."""
    import openai

    client.chat.completions.create(model="gpt-4o-mini", messages=_messages(), user="user-42", **_case("cached_chat"))
    client.chat.completions.create(model="o4-mini", messages=_messages(), **_case("reasoning_chat"))
    stream = client.chat.completions.create(
        model="gpt-4o", messages=_messages(), stream=True, stream_options={"include_usage": True},
        **_case("streamed_chat"),
    )  # fmt: skip
    for _ in stream:
        pass
    client.embeddings.create(model="text-embedding-3-small", input=SECRET_PROMPT, **_case("embedding"))
    try:
        with client.chat.completions.create(
            model="gpt-4o", messages=_messages(), stream=True, stream_options={"include_usage": True},
            **_case("billed_failure"),
        ) as failing:  # fmt: skip
            for chunk in failing:
                if chunk.usage is not None:
                    raise ConsumerFailure("the application failed after the provider answered")
    except ConsumerFailure:
        pass
    with contextlib.suppress(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=_messages(), **_case("server_error"))


def _exporters(otlp_url: str, json_file: str) -> list[Any]:
    from opentelemetry.exporter.otlp.json.file import FileSpanExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    return [BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_url)), BatchSpanProcessor(FileSpanExporter(json_file))]


def run_openai_v2(model_url: str, otlp_url: str, json_file: str, latest: bool) -> None:
    import openai
    from opentelemetry import trace
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    resource = Resource.create({
        "service.name": "support-bot",
        "deployment.environment.name": "production",
        "cloud.region": "eu-west-1",
    })  # fmt: skip
    provider = TracerProvider(resource=resource)
    for processor in _exporters(otlp_url, json_file):
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    client = openai.OpenAI(base_url=f"{model_url}/v1", api_key=API_KEY, max_retries=0)
    _openai_calls(client)
    if latest:
        _agent_run(provider, client)
    tracer = trace.get_tracer("stub.http.client")
    with tracer.start_as_current_span("GET", kind=trace.SpanKind.CLIENT) as span:
        span.set_attribute("http.request.method", "GET")
        span.set_attribute("url.full", f"{model_url}/healthz")
        span.set_attribute("http.response.status_code", 200)
    provider.force_flush()
    provider.shutdown()


def _agent_run(provider: Any, client: Any) -> None:
    """An agent (invoke_agent, reporting the usage of the calls it made), a tool call and a
    workflow around them, through opentelemetry-util-genai's handler: the spans an agent
    framework instrumented on the same conventions writes."""
    from opentelemetry.util.genai.handler import get_telemetry_handler

    handler = get_telemetry_handler(tracer_provider=provider)
    with (
        handler.workflow("ticket_triage"),
        handler.invoke_remote_agent("openai", agent_name="triage_agent", request_model="gpt-4o-mini") as agent,
    ):
        agent.conversation_id = "conv-991"
        client.chat.completions.create(model="gpt-4o-mini", messages=_messages(), **_case("agent_chat"))
        with handler.tool("lookup_order", tool_type="function") as tool:
            tool.arguments = SECRET_TOOL_ARGUMENTS
            tool.tool_result = SECRET_TOOL_RESULT
        agent.input_tokens = 800
        agent.output_tokens = 60


def run_traceloop(model_url: str, otlp_url: str, json_file: str) -> None:
    import anthropic
    import openai
    from traceloop.sdk import Traceloop
    from traceloop.sdk.decorators import task, workflow
    from traceloop.sdk.instruments import Instruments

    Traceloop.init(
        app_name="ticket-service",
        processor=_exporters(otlp_url, json_file),
        instruments={Instruments.OPENAI, Instruments.ANTHROPIC},
        resource_attributes={"deployment.environment": "staging"},
        telemetry_enabled=False,
    )
    Traceloop.set_association_properties({
        "customer_id": "cust-acme", "user_id": "user-7", "session_id": "sess-3", "feature": "ticket_answers",
    })  # fmt: skip
    client = openai.OpenAI(base_url=f"{model_url}/v1", api_key=API_KEY, max_retries=0)
    claude = anthropic.Anthropic(base_url=model_url, api_key=API_KEY, max_retries=0)

    @task(name="draft_reply")
    def draft_reply() -> None:
        _openai_calls(client)
        for case in ("anthropic_cache_write", "anthropic_cache_read"):
            claude.messages.create(
                model="claude-sonnet-4-5", max_tokens=512, system=SECRET_SYSTEM,
                messages=[{"role": "user", "content": SECRET_PROMPT}], extra_headers={"x-stub-case": case},
            )  # fmt: skip

    @workflow(name="answer_ticket")
    def answer_ticket() -> None:
        draft_reply()

    answer_ticket()
    from opentelemetry import trace

    trace.get_tracer_provider().force_flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=["openai_v2_latest", "openai_v2_default", "traceloop"])
    parser.add_argument("--model-url", required=True)
    parser.add_argument("--otlp-url", required=True)
    parser.add_argument("--json-file", required=True)
    args = parser.parse_args()
    os.environ.setdefault("OTEL_SDK_DISABLED", "false")
    if args.scenario == "traceloop":
        run_traceloop(args.model_url, args.otlp_url, args.json_file)
    else:
        run_openai_v2(args.model_url, args.otlp_url, args.json_file, latest=args.scenario == "openai_v2_latest")


if __name__ == "__main__":
    main()
