"""The per-call loops: what a gateway's cost callback does, one event at a time in Python.

Two pricers on the same sample of events, each in its own process:

* **lean**: :func:`ai_cost_attribution.pricing.price_call`, the warehouse's own rule in exact
  decimals (rate card, aliases, families, tiers, batch, cache, discounts), then the prompt cache
  pooled once over per-pool totals at the end;
* **litellm**: ``litellm.cost_per_token`` on a ``litellm.Usage`` per call, what the gateways'
  cost callbacks run (LiteLLM's own price map, read offline with ``LITELLM_LOCAL_MODEL_COST_MAP``;
  a model it does not know is registered from the rate card, as a gateway's config would), then
  the negotiated discount. A callback sees one call at a time: it cannot pool.

Both read the events first (not timed), then time the loop: validate, de-duplicate (a later copy
of a request is a correction), price, aggregate per customer x feature x month.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ai_cost_attribution.pricing import PriceList, discount_factor, price_call

Group = tuple[str, str, date]  # customer, feature, month


def latest_valid_copies(events: Sequence[dict[str, Any]]) -> list[tuple[datetime, dict[str, Any]]]:
    """The events the warehouse would accept, one per request_id (the latest occurred_at)."""
    kept: dict[str, tuple[datetime, dict[str, Any]]] = {}
    for event in events:
        request_id, provider, model = event.get("request_id"), event.get("provider"), event.get("model")
        input_tokens, output_tokens = event.get("input_tokens"), event.get("output_tokens")
        if not request_id or not provider or not model or input_tokens is None or output_tokens is None:
            continue
        try:
            occurred_at = datetime.fromisoformat(event["occurred_at"]).astimezone(UTC)
        except (TypeError, ValueError):
            continue
        cache_read = event.get("cache_read_tokens") or 0
        cache_write = event.get("cache_write_tokens") or 0
        cache_write_1h = event.get("cache_write_1h_tokens") or 0
        if (min(input_tokens, output_tokens, cache_read, cache_write) < 0 or cache_read + cache_write > input_tokens
                or cache_write_1h > cache_write):  # fmt: skip
            continue
        previous = kept.get(request_id)
        if previous is None or occurred_at > previous[0]:
            kept[request_id] = (occurred_at, event)
    return list(kept.values())


def _group(event: dict[str, Any], day: date) -> Group:
    return event.get("customer_id") or "", event.get("feature") or "", day.replace(day=1)


def lean_loop(events: Sequence[dict[str, Any]], prices: PriceList) -> tuple[dict[Group, list[Any]], int]:
    """Price every event with pricing.py, then pool the prompt cache per provider x model x month.

    Returns (customer, feature, month) -> [calls, pooled cost] and the number of unpriced calls."""
    pools: dict[tuple[str, str, date], list[Decimal]] = {}
    groups: dict[tuple[Group, str, str], list[Any]] = {}
    unpriced = 0
    for occurred_at, event in latest_valid_copies(events):
        day = occurred_at.date()
        provider, model = event["provider"], event["model"]
        priced = price_call(
            prices,
            provider=provider,
            model=model,
            day=day,
            input_tokens=event["input_tokens"],
            output_tokens=event["output_tokens"],
            cache_read_tokens=event.get("cache_read_tokens") or 0,
            cache_write_tokens=event.get("cache_write_tokens") or 0,
            cache_write_1h_tokens=event.get("cache_write_1h_tokens") or 0,
            is_batch=bool(event.get("is_batch")),
        )
        cost = priced.cost
        if cost is None:
            unpriced += 1
            continue
        group = _group(event, day)
        pool = pools.setdefault((provider, model, group[2]), [Decimal(0), Decimal(0)])
        pool[0] += cost.effective_input_cost_usd
        pool[1] += cost.uncached_effective_input_cost_usd
        totals = groups.setdefault((group, provider, model), [0, Decimal(0), Decimal(0), Decimal(0)])
        totals[0] += 1
        totals[1] += cost.uncached_effective_input_cost_usd
        totals[2] += cost.effective_input_cost_usd
        totals[3] += cost.effective_output_cost_usd
    result: dict[Group, list[Any]] = {}
    for (group, provider, model), (calls, uncached, actual, output) in groups.items():
        actual_total, uncached_total = pools[(provider, model, group[2])]
        pooled_input = uncached * actual_total / uncached_total if uncached_total else actual
        entry = result.setdefault(group, [0, Decimal(0)])
        entry[0] += calls
        entry[1] += pooled_input + output
    return result, unpriced


def litellm_pricer(prices: PriceList) -> Callable[[dict[str, Any], date], float | None]:
    """``(event, day) -> cost`` with ``litellm.cost_per_token`` and the negotiated discount."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # offline: the price map inside the wheel
    import litellm

    from ai_cost_attribution.prices import ROUTE_PREFIXES

    litellm.suppress_debug_info = True
    known: dict[tuple[str, str], bool] = {}

    def route(provider: str, model: str, day: date) -> bool:
        """Register a model LiteLLM does not know from the rate card, as a gateway's config does."""
        try:
            litellm.cost_per_token(model=model, custom_llm_provider=provider, prompt_tokens=1, completion_tokens=1)
            return True
        except Exception:  # LiteLLM raises a bare Exception for a model it does not know
            rate = prices.day_price(provider, model, day).rate
            if rate is None or rate.input is None:
                return False
            per_token = {"input_cost_per_token": float(rate.input) / 1e6, "litellm_provider": provider, "mode": "chat",
                         "output_cost_per_token": float(rate.output or 0) / 1e6}  # fmt: skip
            litellm.register_model({model: per_token, f"{provider}/{model}": per_token})
            return True

    def cost(event: dict[str, Any], day: date) -> float | None:
        provider = ROUTE_PREFIXES.get(event["provider"], (event["provider"],))[0]
        model = event["model"]
        if (provider, model) not in known:
            known[(provider, model)] = route(provider, model, day)
        if not known[(provider, model)]:
            return None
        cache_read = event.get("cache_read_tokens") or 0
        cache_write = event.get("cache_write_tokens") or 0
        cache_write_1h = event.get("cache_write_1h_tokens") or 0
        usage = litellm.Usage(
            prompt_tokens=event["input_tokens"],
            completion_tokens=event["output_tokens"],
            total_tokens=event["input_tokens"] + event["output_tokens"],
            cache_read_input_tokens=cache_read,
            cache_creation_input_tokens=cache_write,
            prompt_tokens_details={
                "cached_tokens": cache_read,
                "cache_creation_tokens": cache_write,
                "cache_creation_token_details": {
                    "ephemeral_5m_input_tokens": cache_write - cache_write_1h,
                    "ephemeral_1h_input_tokens": cache_write_1h,
                },
            },
        )
        prompt, completion = litellm.cost_per_token(model=model, custom_llm_provider=provider, usage_object=usage)
        factor = float(discount_factor(prices.day_price(event["provider"], model, day).discount_pct))
        return (prompt + completion) * factor

    return cost


def litellm_loop(
    events: Sequence[dict[str, Any]], cost: Callable[[dict[str, Any], date], float | None]
) -> tuple[dict[Group, list[Any]], int]:
    """Price every event with LiteLLM's callback pricer; (customer, feature, month) -> [calls, cost]."""
    result: dict[Group, list[Any]] = {}
    unpriced = 0
    for occurred_at, event in latest_valid_copies(events):
        day = occurred_at.date()
        value = cost(event, day)
        if value is None:
            unpriced += 1
            continue
        entry = result.setdefault(_group(event, day), [0, 0.0])
        entry[0] += 1
        entry[1] += value
    return result, unpriced


def read_sample(files: Sequence[Path], sample: int) -> list[dict[str, Any]]:
    """The first ``sample`` events of ``files`` as Python dicts."""
    import pyarrow.parquet as pq

    events: list[dict[str, Any]] = []
    for path in files:
        table = pq.read_table(path)
        events.extend(table.slice(0, sample - len(events)).to_pylist())
        if len(events) >= sample:
            break
    return events


def run_loop(pricer: str, files: Sequence[Path], seeds: Path, discounts: Path, sample: int, result_path: Path) -> None:
    """Read ``sample`` events and the prices (not timed), then time one loop; write its figures as JSON."""
    events = read_sample(files, sample)
    prices = PriceList.of_project(seeds, discounts)
    if pricer == "litellm":
        cost = litellm_pricer(prices)  # imports LiteLLM (seconds), before the clock starts
        started = time.perf_counter()
        result, unpriced = litellm_loop(events, cost)
    else:
        started = time.perf_counter()
        result, unpriced = lean_loop(events, prices)
    seconds = time.perf_counter() - started
    result_path.write_text(json.dumps({
        "pricer": pricer, "sample_events": len(events), "loop_seconds": seconds, "unpriced": unpriced,
        "calls": sum(v[0] for v in result.values()), "cost_usd": float(sum(v[1] for v in result.values())),
    }))  # fmt: skip
