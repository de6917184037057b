"""Provider usage and cost report pages, built field for field from the providers' published
schemas: what the demo world saves under ``provider_usage/`` and ``provider_costs/``
(:mod:`ai_cost_attribution.demo_provider_truth`), and what the tests build their pages from.

Where each field comes from:

* OpenAI: the OpenAPI description of the API (github.com/openai/openai-openapi, ``openapi.yaml``):
  ``UsageResponse`` (the page: ``object: "page"``, ``data``, ``has_more``, ``next_page``),
  ``UsageTimeBucket`` (``object: "bucket"``, ``start_time``, ``end_time`` in Unix seconds,
  ``results``), ``UsageCompletionsResult`` (``/v1/organization/usage/completions``),
  ``UsageEmbeddingsResult`` (``/v1/organization/usage/embeddings``), ``UsageImagesResult``
  (``/v1/organization/usage/images``) and ``CostsResult``
  (``/v1/organization/costs``).
* Anthropic: the Admin API reference (platform.claude.com/docs/en/api/admin): "Get Messages Usage
  Report" (``/v1/organizations/usage_report/messages``) and "Get Cost Report"
  (``/v1/organizations/cost_report``): the page (``data``, ``has_more``, ``next_page``), the bucket
  (``starting_at``, ``ending_at`` in RFC 3339, ``results``) and each result's fields.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any


def epoch(day: str) -> int:
    """Unix seconds of a UTC day's midnight (OpenAI's bucket times)."""
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def rfc3339(day: str, days: int = 0) -> str:
    """A UTC midnight in RFC 3339 (Anthropic's bucket times), optionally `days` later."""
    moment = datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- OpenAI ------------------------------------------------------------------------------------------


def openai_page(buckets: list[dict[str, Any]], *, next_page: str | None = None) -> dict[str, Any]:
    """``UsageResponse``: the page every OpenAI usage and costs endpoint returns."""
    return {
        "object": "page",  # UsageResponse.object, enum [page]
        "data": buckets,  # UsageResponse.data, array of UsageTimeBucket
        "has_more": next_page is not None,  # UsageResponse.has_more, boolean
        "next_page": next_page,  # UsageResponse.next_page, string or null: the cursor for ?page=
    }


def openai_bucket(day: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """``UsageTimeBucket`` of one day (``bucket_width=1d``, the default)."""
    return {
        "object": "bucket",  # UsageTimeBucket.object, enum [bucket]
        "start_time": epoch(day),  # UsageTimeBucket.start_time, integer (Unix seconds)
        "end_time": epoch(day) + 86_400,  # UsageTimeBucket.end_time, integer (Unix seconds)
        "results": results,  # UsageTimeBucket.results, array (oneOf the *Result schemas)
    }


def openai_completions_result(
    model: str,
    *,
    input_tokens: int,
    output_tokens: int,
    requests: int,
    cached: int = 0,
    cache_write: int = 0,
    api_key_id: str | None = None,
    project_id: str | None = None,
    batch: bool | None = None,
) -> dict[str, Any]:
    """``UsageCompletionsResult`` as returned with ``group_by=model`` (and api_key_id, project_id,
    batch when given): every field of the schema, the text/audio/image splits included."""
    return {
        "object": "organization.usage.completions.result",  # enum, required
        "input_tokens": input_tokens,  # integer, required: all input tokens incl. cached and cache-write
        "input_cached_tokens": cached,  # integer: cached input tokens
        "input_cache_write_tokens": cache_write,  # integer: input tokens written to the cache
        "input_uncached_tokens": input_tokens - cached - cache_write,  # integer: excluding cache-write
        "output_tokens": output_tokens,  # integer, required
        "input_text_tokens": input_tokens - cached - cache_write,  # integer: uncached text input
        "output_text_tokens": output_tokens,  # integer
        "input_cached_text_tokens": cached,  # integer
        "input_audio_tokens": 0,  # integer: uncached audio input
        "input_cached_audio_tokens": 0,  # integer
        "output_audio_tokens": 0,  # integer
        "input_image_tokens": 0,  # integer: uncached image input
        "input_cached_image_tokens": 0,  # integer
        "output_image_tokens": 0,  # integer
        "num_model_requests": requests,  # integer, required
        "project_id": project_id,  # string or null (group_by=project_id)
        "user_id": None,  # string or null (group_by=user_id)
        "api_key_id": api_key_id,  # string or null (group_by=api_key_id)
        "model": model,  # string or null (group_by=model), e.g. "gpt-4o-mini-2024-07-18"
        "batch": batch,  # boolean or null (group_by=batch)
        "service_tier": None,  # string or null (group_by=service_tier)
    }


def openai_embeddings_result(
    model: str, *, input_tokens: int, requests: int, api_key_id: str | None = None
) -> dict[str, Any]:
    """``UsageEmbeddingsResult`` with ``group_by=model`` (and api_key_id when given)."""
    return {
        "object": "organization.usage.embeddings.result",  # enum, required
        "input_tokens": input_tokens,  # integer, required
        "num_model_requests": requests,  # integer, required
        "project_id": None,  # string or null
        "user_id": None,  # string or null
        "api_key_id": api_key_id,  # string or null (group_by=api_key_id)
        "model": model,  # string or null, e.g. "text-embedding-ada-002-v2"
    }


def openai_images_result(model: str, *, images: int, requests: int) -> dict[str, Any]:
    """``UsageImagesResult`` (``/v1/organization/usage/images``): counted in images, not tokens,
    so not a report the reconciliation reads."""
    return {
        "object": "organization.usage.images.result",  # enum, required
        "images": images,  # integer, required: the number of images processed
        "num_model_requests": requests,  # integer, required
        "source": None,  # string or null (group_by=source): image.generation, image.edit, image.variation
        "size": None,  # string or null (group_by=size), e.g. "1024x1024"
        "project_id": None,  # string or null
        "user_id": None,  # string or null
        "api_key_id": None,  # string or null
        "model": model,  # string or null (group_by=model), e.g. "dall-e-3"
    }


def openai_cost_result(value: float, *, line_item: str | None = None, project_id: str | None = None) -> dict[str, Any]:
    """``CostsResult`` (``/v1/organization/costs``, ``group_by=line_item`` when line_item is given)."""
    return {
        "object": "organization.costs.result",  # enum, required
        "amount": {
            "value": value,  # number: the numeric value of the cost
            "currency": "usd",  # string: lowercase ISO-4217
        },
        "line_item": line_item,  # string or null (group_by=line_item), e.g. "gpt-4o-2024-08-06, input"
        "project_id": project_id,  # string or null (group_by=project_id)
        "api_key_id": None,  # string or null (group_by=api_key_id)
        "quantity": None,  # number or null (group_by=line_item)
        "quantity_unit": None,  # string or null: tokens, 1000_tokens, ...
    }


# -- Anthropic ---------------------------------------------------------------------------------------


def anthropic_page(buckets: list[dict[str, Any]], *, next_page: str | None = None) -> dict[str, Any]:
    """The page of the messages usage report and of the cost report."""
    return {
        "data": buckets,  # array of { starting_at, ending_at, results }
        "has_more": next_page is not None,  # boolean: more pages to fetch
        "next_page": next_page,  # string or null: the token for ?page=
    }


def anthropic_bucket(day: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """One daily bucket (``bucket_width=1d``)."""
    return {
        "starting_at": rfc3339(day),  # string, RFC 3339: start of the bucket (inclusive)
        "ending_at": rfc3339(day, 1),  # string, RFC 3339: end of the bucket (exclusive)
        "results": results,  # array: one item per group_by combination
    }


def anthropic_usage_result(
    model: str,
    *,
    uncached: int,
    output_tokens: int,
    cache_read: int = 0,
    cache_5m: int = 0,
    cache_1h: int = 0,
    api_key_id: str | None = None,
    workspace_id: str | None = None,
    service_tier: str = "standard",
) -> dict[str, Any]:
    """A messages usage report result, ``group_by=model`` (and api_key_id, workspace_id, service_tier)."""
    return {
        "uncached_input_tokens": uncached,  # integer: input tokens not read from nor written to the cache
        "cache_read_input_tokens": cache_read,  # integer: input tokens read from the cache
        "cache_creation": {
            "ephemeral_5m_input_tokens": cache_5m,  # integer: written with a 5-minute lifetime
            "ephemeral_1h_input_tokens": cache_1h,  # integer: written with a 1-hour lifetime
        },
        "output_tokens": output_tokens,  # integer
        "server_tool_use": {"web_search_requests": 0},  # object: server-side tool requests
        "model": model,  # string or null (group_by=model), e.g. "claude-sonnet-4-20250514"
        "workspace_id": workspace_id,  # string or null (group_by=workspace_id)
        "api_key_id": api_key_id,  # string or null (group_by=api_key_id)
        "service_tier": service_tier,  # "standard", "batch", "priority"… or null (group_by=service_tier)
        "context_window": "0-200k",  # "0-200k" or "200k-1M" or null (group_by=context_window)
    }


def anthropic_cost_result(
    cents: str, *, description: str | None = None, model: str | None = None, token_type: str | None = None
) -> dict[str, Any]:
    """A cost report result; ``amount`` is in cents as a decimal string ("123.45" = $1.2345)."""
    return {
        "amount": cents,  # string: lowest currency units (cents) as a decimal string
        "currency": "USD",  # string: currently always "USD"
        "cost_type": "tokens" if model else None,  # "tokens", "web_search", "code_execution"… or null
        "description": description,  # string or null (group_by=description)
        "model": model,  # string or null (group_by=description)
        "service_tier": "standard" if model else None,  # "standard" or "batch" or null
        "token_type": token_type,  # "uncached_input_tokens", "output_tokens"… or null
        "context_window": "0-200k" if model else None,  # "0-200k" or "200k-1M" or null
        "workspace_id": None,  # string or null (group_by=workspace_id)
    }


def pretty(document: dict[str, Any]) -> str:
    """A page saved as the API returned it (pretty-printed JSON)."""
    return json.dumps(document, indent=2) + "\n"
