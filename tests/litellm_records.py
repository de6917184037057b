"""LiteLLM records written by the real LiteLLM library (the pinned `litellm[proxy]==1.106.2`), offline.

Run as a script in its own process (`python tests/litellm_records.py OUT.json PREFIX...`): it makes
one set of model calls per prefix with `litellm.completion` / `litellm.embedding` and
`mock_response` (no network: `LITELLM_LOCAL_MODEL_COST_MAP=True` before the import), and writes,
for each call, the two records LiteLLM itself builds from it:

- `payload`: the `StandardLoggingPayload`, as a custom logger receives it
  (`kwargs["standard_logging_object"]` in `CustomLogger.log_success_event` / `log_failure_event`)
  and serialised with LiteLLM's own `safe_dumps`, as its S3/GCS bucket logging writes it;
- `spend_log`: the `LiteLLM_SpendLogs` row, built by the proxy's own row builder
  `litellm.proxy.spend_tracking.spend_tracking_utils.get_logging_payload` from the same call's
  callback arguments, with what `DBSpendUpdateWriter.update_database` does next (`spend` = the
  call's response_cost, startTime/endTime as ISO text), then as the database stores it (JSON
  columns parsed, timestamps at Prisma's millisecond precision, `created_at`/`updated_at`).

What LiteLLM produced and what this module set (every other field is LiteLLM's own):
- set here, as a client or the proxy would send them: the model name, the messages (secret
  prompt text), `mock_response` (a string, or a `ModelResponse` with the response id and the usage
  chosen below), `metadata` (request tags; the keys the proxy's auth layer adds to every
  request, written by the proxy's own `add_user_api_key_auth_to_request_metadata` from a
  `UserAPIKeyAuth` whose key, alias, team, team alias, user and end user are set here;
  `spend_logs_metadata`), `litellm_call_id`, `litellm_trace_id`,
  `stream`, `caching`, `proxy_server_request` (the HTTP request the proxy received, holding the
  prompt); the proxy setting `store_prompts_in_spend_logs: true` (so the rows carry
  the prompt and response text that the landing must drop).
- usage: OpenAI-style objects are given as `litellm.Usage(...)` with the counts chosen here;
  Anthropic and Bedrock usage is what LiteLLM's own provider parsers build from a raw provider
  usage block chosen here (`AnthropicConfig().calculate_usage`,
  `AmazonConverseConfig().transform_usage`), so their `prompt_tokens` (cache reads and writes
  included) is LiteLLM's convention, not this module's.
- the billed failure (a stream that broke after the provider billed some tokens): LiteLLM's
  mock raises before any chunk, so the recovered usage is set here as the proxy's failure hook
  does (`combined_usage_object`, `response_cost` = `litellm.cost_per_token` of it, metadata
  `status: failure` and `error_information` as `_ProxyDBLogger.async_post_call_failure_hook`
  sets them) and the row is built by `get_logging_payload`; its payload is LiteLLM's failure
  payload with `prompt_tokens`, `completion_tokens`, `total_tokens`, `response_cost` and
  `metadata.usage_object` set here to that recovered usage.
- `created_at` / `updated_at` (database defaults) are set to the row's end time.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SECRET_PROMPT = "SECRET-PROMPT-7f3a: summarise the merger memo for ACME-7731"
SECRET_RESPONSE = "SECRET-RESPONSE-91bc: the memo says ZX-99"
SECRET_KEY = "sk-live-1234567890"

# What each call is: the scenario name -> a short description (the tests read the records by name).
SCENARIOS = {
    "openai_cached": "gpt-4o, 2,000 prompt tokens of which 1,500 cached (OpenAI prompt_tokens_details), 300 out",
    "anthropic_cache_writes": "claude-sonnet-4-5 through LiteLLM's Anthropic parser: 500 uncached, 20,000 cache "
    "reads, 3,000 cache writes (1,000 5-minute + 2,000 1-hour), 400 out",
    "reasoning": "o4-mini, 800 in, 1,200 out of which 1,000 reasoning",
    "streamed": "gpt-4o streamed (stream=True), 120 in, 30 out",
    "embedding": "text-embedding-3-small, one input",
    "failed_unbilled": "gpt-4o rate-limited (429): no tokens",
    "failed_billed": "claude-sonnet-4-5 stream broken mid-flight after 1,000 in / 50 out were billed",
    "bedrock_cached": "bedrock us.anthropic.claude-sonnet-4-5 through LiteLLM's Converse parser: 300 uncached, "
    "4,000 cache reads, 1,000 cache writes, 50 out",
    "azure_deployment": "azure deployment support-gpt4o, 100 in, 10 out",
    "gemini_cached": "gemini-2.5-flash, 1,000 in of which 600 cached, 100 out",
    "trace_router": "gpt-4o router call (tag call_role:router) in a trace, no customer of its own",
    "trace_primary": "gpt-4o primary call in the same trace, customer initech, feature support",
    "cache_fill": "gpt-4o call whose response LiteLLM's cache stores, 50 in, 5 out",
    "cache_hit": "the same call again, answered from LiteLLM's cache (no provider call)",
}


def _proxy_metadata(**extra: Any) -> dict[str, Any]:
    """A request's metadata as the proxy's auth layer fills it for a virtual key (the proxy's own
    `add_user_api_key_auth_to_request_metadata`, given the key's `UserAPIKeyAuth`), plus the
    request's own metadata (`extra`: tags, spend_logs_metadata) and its end user."""
    from litellm.proxy._types import UserAPIKeyAuth
    from litellm.proxy.litellm_pre_call_utils import LiteLLMProxyRequestSetup

    end_user = extra.pop("end_user", None)
    key = UserAPIKeyAuth(
        api_key=SECRET_KEY,  # the proxy hashes a virtual key on sight: only its SHA-256 is logged
        key_alias="search-prod",
        team_id="team-9f2",
        team_alias="search-team",
        user_id="u-17",
        end_user_id=end_user,
    )
    data: dict[str, Any] = {"metadata": dict(extra)}
    LiteLLMProxyRequestSetup.add_user_api_key_auth_to_request_metadata(data, key, "metadata")
    return data["metadata"]


class _Recorder:
    """A LiteLLM custom logger keeping every callback's arguments."""

    def __init__(self) -> None:
        from litellm.integrations.custom_logger import CustomLogger

        recorder = self
        self.events: list[tuple[str, dict[str, Any], Any, datetime, datetime]] = []

        class Logger(CustomLogger):
            def log_success_event(self, kwargs, response_obj, start_time, end_time):  # noqa: ANN001
                recorder.events.append(("success", kwargs, response_obj, start_time, end_time))

            def log_failure_event(self, kwargs, response_obj, start_time, end_time):  # noqa: ANN001
                recorder.events.append(("failure", kwargs, response_obj, start_time, end_time))

        self.logger = Logger()

    def wait_for(self, count: int) -> None:
        """LiteLLM runs sync success callbacks on a worker thread: wait until `count` arrived."""
        deadline = time.monotonic() + 30
        while len(self.events) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"LiteLLM logged {len(self.events)} of {count} calls")
            time.sleep(0.02)


def _proxy_server_request(model: str, messages: list[dict[str, str]], metadata: dict[str, Any]) -> dict[str, Any]:
    """The HTTP request the proxy received, as it hands it to LiteLLM (stored with the prompts);
    the end user is the body's `user`, as the proxy reads it."""
    body: dict[str, Any] = {"model": model, "messages": messages}
    if metadata.get("user_api_key_end_user_id"):
        body["user"] = metadata["user_api_key_end_user_id"]
    return {"url": "http://0.0.0.0:4000/v1/chat/completions", "method": "POST", "body": body}


def _response(response_id: str, model: str, usage: Any, content: str = SECRET_RESPONSE) -> Any:
    from litellm.types.utils import Choices, Message, ModelResponse

    return ModelResponse(id=response_id, model=model, choices=[Choices(message=Message(content=content))], usage=usage)


def _make_calls(prefix: str, recorder: _Recorder) -> list[tuple[str, int]]:
    """Every scenario's call for `prefix`; returns (scenario, index of its callback event)."""
    import litellm
    from litellm.llms.anthropic.chat.transformation import AnthropicConfig
    from litellm.llms.bedrock.chat.converse_transformation import AmazonConverseConfig
    from litellm.types.utils import Usage

    messages = [{"role": "user", "content": SECRET_PROMPT}]
    made: list[tuple[str, int]] = []

    def call(scenario: str, function: Any, **arguments: Any) -> None:
        expected = len(recorder.events) + 1
        arguments["proxy_server_request"] = _proxy_server_request(arguments["model"], messages, arguments["metadata"])
        try:
            if function is litellm.completion:
                arguments["messages"] = messages
            result = function(**arguments)
            if arguments.get("stream"):
                for _ in result:
                    pass
        except Exception:  # noqa: BLE001 - the failure scenarios raise by design; LiteLLM logged them
            pass
        recorder.wait_for(expected)
        made.append((scenario, expected - 1))

    call(
        "openai_cached",
        litellm.completion,
        model="openai/gpt-4o",
        mock_response=_response(
            f"{prefix}-openai-cached",
            "gpt-4o",
            Usage(
                prompt_tokens=2000,
                completion_tokens=300,
                total_tokens=2300,
                prompt_tokens_details={"cached_tokens": 1500},
            ),  # fmt: skip
        ),
        metadata=_proxy_metadata(
            tags=["feature:search", "environment:production"],
            end_user="acme",
            spend_logs_metadata={"ticket_id": "T-100", "region": "eu-west"},
        ),
    )
    anthropic_usage = AnthropicConfig().calculate_usage(
        {
            "input_tokens": 500,
            "cache_read_input_tokens": 20000,
            "cache_creation_input_tokens": 3000,
            "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
            "output_tokens": 400,
        },
        None,
    )
    call(
        "anthropic_cache_writes",
        litellm.completion,
        model="anthropic/claude-sonnet-4-5",
        mock_response=_response(f"{prefix}-anthropic-cache", "claude-sonnet-4-5", anthropic_usage),
        metadata=_proxy_metadata(tags=["feature:chat", "customer:globex", "environment:staging"]),
    )
    call(
        "reasoning",
        litellm.completion,
        model="openai/o4-mini",
        mock_response=_response(
            f"{prefix}-reasoning",
            "o4-mini",
            Usage(
                prompt_tokens=800,
                completion_tokens=1200,
                total_tokens=2000,
                completion_tokens_details={"reasoning_tokens": 1000},
            ),
        ),  # fmt: skip
        metadata=_proxy_metadata(tags=["feature:planner"]),
    )
    call(
        "streamed",
        litellm.completion,
        model="openai/gpt-4o",
        stream=True,
        mock_response=_response(
            f"{prefix}-streamed", "gpt-4o", Usage(prompt_tokens=120, completion_tokens=30, total_tokens=150)
        ),
        metadata=_proxy_metadata(tags=["feature:search"], end_user="acme"),
    )
    call(
        "embedding",
        litellm.embedding,
        model="openai/text-embedding-3-small",
        input=[SECRET_PROMPT],
        mock_response=[0.1, 0.2, 0.3],
        litellm_call_id=f"{prefix}-embedding",
        metadata=_proxy_metadata(tags=["feature:search"], end_user="acme"),
    )
    call(
        "failed_unbilled",
        litellm.completion,
        model="openai/gpt-4o",
        mock_response="litellm.RateLimitError",
        litellm_call_id=f"{prefix}-failed-unbilled",
        metadata=_proxy_metadata(tags=["feature:search"], end_user="acme"),
    )
    call(
        "failed_billed",
        litellm.completion,
        model="anthropic/claude-sonnet-4-5",
        stream=True,
        mock_response="Exception: mock_streaming_error",
        litellm_call_id=f"{prefix}-failed-billed",
        metadata=_proxy_metadata(tags=["feature:chat"], end_user="globex"),
    )
    bedrock_usage = AmazonConverseConfig().transform_usage(
        {
            "inputTokens": 300,
            "outputTokens": 50,
            "totalTokens": 5350,
            "cacheReadInputTokens": 4000,
            "cacheWriteInputTokens": 1000,
        }  # fmt: skip
    )
    call(
        "bedrock_cached",
        litellm.completion,
        model="bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        aws_region_name="us-east-1",
        mock_response=_response(
            f"{prefix}-bedrock-cached", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", bedrock_usage
        ),
        metadata=_proxy_metadata(tags=["feature:chat"], end_user="globex"),
    )
    call(
        "azure_deployment",
        litellm.completion,
        model="azure/support-gpt4o",
        api_base="https://example-resource.openai.azure.com",
        api_version="2024-10-21",
        api_key="azure-test-key",
        mock_response=_response(
            f"{prefix}-azure-deployment",
            "gpt-4o-2024-08-06",
            Usage(prompt_tokens=100, completion_tokens=10, total_tokens=110),
        ),  # fmt: skip
        metadata=_proxy_metadata(tags=["feature:support"], end_user="initech"),
    )
    call(
        "gemini_cached",
        litellm.completion,
        model="gemini/gemini-2.5-flash",
        mock_response=_response(
            f"{prefix}-gemini-cached",
            "gemini-2.5-flash",
            Usage(
                prompt_tokens=1000,
                completion_tokens=100,
                total_tokens=1100,
                prompt_tokens_details={"cached_tokens": 600},
            ),  # fmt: skip
        ),
        metadata=_proxy_metadata(tags=["feature:search"], end_user="acme"),
    )
    call(
        "trace_router",
        litellm.completion,
        model="openai/gpt-4o",
        litellm_trace_id=f"{prefix}-trace-1",
        mock_response=_response(
            f"{prefix}-trace-router", "gpt-4o", Usage(prompt_tokens=200, completion_tokens=5, total_tokens=205)
        ),
        metadata=_proxy_metadata(tags=["call_role:router"]),
    )
    call(
        "trace_primary",
        litellm.completion,
        model="openai/gpt-4o",
        litellm_trace_id=f"{prefix}-trace-1",
        mock_response=_response(
            f"{prefix}-trace-primary", "gpt-4o", Usage(prompt_tokens=1000, completion_tokens=100, total_tokens=1100)
        ),
        metadata=_proxy_metadata(tags=["feature:support"], end_user="initech"),
    )
    from litellm.caching.caching import Cache

    litellm.cache = Cache(type="local")
    cached_messages = [{"role": "user", "content": f"{SECRET_PROMPT} ({prefix}, cached)"}]
    for scenario in ["cache_fill", "cache_hit"]:
        expected = len(recorder.events) + 1
        metadata = _proxy_metadata(tags=["feature:search"], end_user="acme")
        litellm.completion(
            model="openai/gpt-4o",
            messages=cached_messages,
            proxy_server_request=_proxy_server_request("openai/gpt-4o", cached_messages, metadata),
            caching=True,
            mock_response=_response(
                f"{prefix}-cache", "gpt-4o", Usage(prompt_tokens=50, completion_tokens=5, total_tokens=55)
            ),
            metadata=metadata,
        )
        recorder.wait_for(expected)
        made.append((scenario, expected - 1))
    litellm.cache = None
    return made


def _with_recovered_usage(kwargs: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The failure hook's view of a stream that broke after 1,000 prompt and 50 completion tokens."""
    import litellm
    from litellm.types.utils import Usage

    usage = Usage(prompt_tokens=1000, completion_tokens=50, total_tokens=1050)
    prompt_cost, completion_cost = litellm.cost_per_token(
        model="claude-sonnet-4-5", custom_llm_provider="anthropic", prompt_tokens=1000, completion_tokens=50
    )
    cost = prompt_cost + completion_cost
    recovered = dict(kwargs)
    recovered["combined_usage_object"] = usage
    recovered["response_cost"] = cost
    return recovered, cost


def _failure_metadata(kwargs: dict[str, Any]) -> dict[str, Any]:
    """What `_ProxyDBLogger.async_post_call_failure_hook` adds to a failed request's metadata."""
    from litellm.litellm_core_utils.litellm_logging import StandardLoggingPayloadSetup

    failed = dict(kwargs)
    # the hook hands over the request's data, which has no completion_start_time (the row then
    # takes the end time, as the proxy's failure rows do)
    failed.pop("completion_start_time", None)
    litellm_params = dict(failed.get("litellm_params") or {})
    metadata = dict(litellm_params.get("metadata") or {})
    metadata["status"] = "failure"
    metadata["error_information"] = StandardLoggingPayloadSetup.get_error_information(
        original_exception=failed.get("exception"), traceback_str=None
    )
    litellm_params["metadata"] = metadata
    failed["litellm_params"] = litellm_params
    return failed


def _as_database_row(row: dict[str, Any]) -> dict[str, Any]:
    """A spend log row as LiteLLM_SpendLogs holds it: JSON columns as JSON, times to the millisecond."""
    stored = dict(row)
    for column in ["metadata", "request_tags", "messages", "response", "proxy_server_request"]:
        if isinstance(stored.get(column), str):
            stored[column] = json.loads(stored[column])
    for column in ["startTime", "endTime", "completionStartTime"]:
        value = stored.get(column)
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.astimezone(UTC)
            stored[column] = value.replace(microsecond=value.microsecond // 1000 * 1000).isoformat()
    stored["created_at"] = stored["updated_at"] = stored["endTime"]
    return stored


def generate(prefixes: list[str]) -> list[dict[str, Any]]:
    """One record pair per scenario and prefix: {prefix, scenario, spend_log (as the database holds
    it), spend_log_text (the row as the proxy builds it, JSON columns as JSON text), payload,
    payload_text (as LiteLLM's bucket logging serialises it)}."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm
    from litellm.litellm_core_utils.safe_json_dumps import safe_dumps
    from litellm.proxy import proxy_server
    from litellm.proxy.spend_tracking.spend_tracking_utils import get_logging_payload

    proxy_server.general_settings["store_prompts_in_spend_logs"] = True
    recorder = _Recorder()
    litellm.callbacks = [recorder.logger]
    records: list[dict[str, Any]] = []
    for prefix in prefixes:
        for scenario, index in _make_calls(prefix, recorder):
            status, kwargs, response, start_time, end_time = recorder.events[index]
            payload = json.loads(safe_dumps(kwargs["standard_logging_object"]))
            cost = kwargs.get("response_cost") or 0.0
            if status == "failure":
                kwargs = _failure_metadata(kwargs)
                response = kwargs.get("exception")
            if scenario == "failed_billed":
                kwargs, cost = _with_recovered_usage(kwargs)
                usage = kwargs["combined_usage_object"].model_dump()
                payload.update(prompt_tokens=1000, completion_tokens=50, total_tokens=1050, response_cost=cost)
                payload["metadata"]["usage_object"] = usage
            row = dict(get_logging_payload(kwargs, response, start_time, end_time))
            row["spend"] = cost
            for column in ["startTime", "endTime", "completionStartTime"]:
                if isinstance(row[column], datetime):
                    row[column] = row[column].isoformat()
            row_text = safe_dumps(row)
            records.append(
                {
                    "prefix": prefix,
                    "scenario": scenario,
                    "spend_log": _as_database_row(json.loads(row_text)),
                    "spend_log_text": row_text,
                    "payload": payload,
                    "payload_text": safe_dumps(payload),
                }
            )
    return records


@functools.cache
def load(prefixes: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """The records for `prefixes`, made once per test process by running this module in a
    process of its own (LiteLLM's import and its proxy's globals stay out of the test process)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "records.json"
        done = subprocess.run(
            [sys.executable, __file__, str(out), *prefixes], capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            raise RuntimeError(f"LiteLLM records could not be made:\n{done.stderr[-4000:]}")
        return tuple(json.loads(out.read_text(encoding="utf-8")))


def main(arguments: list[str]) -> None:
    """python tests/litellm_records.py OUT.json PREFIX [PREFIX...]"""
    out, prefixes = Path(arguments[0]), arguments[1:]
    out.write_text(json.dumps(generate(prefixes), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
