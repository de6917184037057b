"""Generate raw input folders: the seeded demo world and bulk events for benchmarks.

Two entry points, both deterministic for a given set of arguments (seeded numpy Generators, no
wall-clock time, no unordered iteration):

* :func:`write_demo_world` writes a complete raw folder (docs/CONTRACT.md §1) for a fictional SaaS
  company: about 250k usage lines over 92 days in one JSONL file per day, with multi-call
  traces, prompt caching, batch jobs, untagged calls, deliberately bad lines and duplicates, one
  injected cost spike, and every optional CSV. See ``docs/demo_world.md``.
* :func:`generate_events` writes any number of clean usage events as chunked Parquet (or JSONL)
  files, vectorised and in bounded memory, plus the optional CSVs sized to the customer count.

Token sizes come from public LLM traces (:mod:`ai_cost_attribution.token_shapes`); the company
(features, models, customers, prices, finance files) is defined in :mod:`ai_cost_attribution.world`.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import json
import math
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ai_cost_attribution import demo_provider_truth as pt
from ai_cost_attribution import world as w
from ai_cost_attribution.token_shapes import TokenShapes, load_token_shapes

# --------------------------------------------------------------------------------------------
# The contract: file names and columns
# --------------------------------------------------------------------------------------------

# fmt: off
USAGE_FIELDS: tuple[str, ...] = (
    "request_id", "trace_id", "parent_request_id", "call_role", "occurred_at", "provider", "model", "operation",
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
    "reasoning_tokens", "is_batch", "status", "latency_ms", "customer_id", "user_id", "feature", "team", "agent",
    "environment", "region", "product", "usage_type", "session_id", "ticket_id", "api_key_alias", "metadata",
    "reported_cost_usd",
)
DIMENSIONS: tuple[str, ...] = (
    "customer_id", "user_id", "feature", "team", "agent", "environment", "region", "product", "usage_type",
    "session_id", "ticket_id", "api_key_alias",
)
REQUIRED_FIELDS: tuple[str, ...] = ("request_id", "occurred_at", "provider", "model", "input_tokens", "output_tokens")
TOKEN_FIELDS: tuple[str, ...] = (
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
    "reasoning_tokens",
)
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers.csv": ("customer_id", "customer_name", "plan_tier", "segment", "region", "is_internal"),
    "customer_revenue.csv": ("customer_id", "month", "revenue_usd"),
    "outcomes.csv": ("outcome_id", "outcome_type", "occurred_at", "customer_id", "feature", "agent", "ticket_id",
                     "trace_id"),
    "feature_owners.csv": ("feature", "team", "product"),
    "api_keys.csv": ("api_key_alias", "feature", "team", "environment", "usage_type", "customer_id"),
    "shared_costs.csv": ("cost_pool", "period_start", "period_end", "amount_usd", "driver", "scope_provider",
                         "scope_model", "scope_feature", "scope_environment"),
    "tenant_footprint.csv": ("customer_id", "month", "footprint_units"),
    "budgets.csv": ("scope_type", "scope_value", "month", "budget_usd", "warn_at_pct"),
    "provider_invoices.csv": ("provider", "month", "invoiced_usd"),
    "price_adjustments.csv": ("provider", "model", "effective_from", "effective_to", "discount_pct"),
}
BAD_LINE_KINDS: tuple[str, ...] = (
    "malformed_json", "missing_required_field", "invalid_timestamp", "negative_tokens", "inconsistent_cache_tokens",
)
# fmt: on

DEFAULT_END_DATE = date(2026, 11, 15)
DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1)
_EPOCH_DATE = date(1970, 1, 1)
_REGION_OFFSET_MIN = {"us": -300, "eu": 120, "apac": 540}  # the local offsets some SDKs write


# --------------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpikeInfo:
    """The injected cost spike: a runaway agent loop on one day."""

    day: date
    feature: str
    agent: str
    customer_id: str
    model: str
    extra_calls: int
    cost_multiple: float  # the feature's cost that day / its median daily cost (approximate prices)


@dataclass(frozen=True)
class DemoWorldSummary:
    """What :func:`write_demo_world` wrote."""

    out_dir: Path
    start_date: date
    end_date: date
    customers: int
    events: int  # distinct well-formed calls (each counted once), unpriced ones included
    unpriced_events: int  # calls of a model with no price (future ``unpriced_model`` rejects)
    traces: int  # distinct trace_id values + calls without trace_id, over the ``events``
    lines: int  # every line of every usage file
    bad_lines: dict[str, int]  # deliberately broken lines by the reject reason they should get
    duplicates_exact: int  # extra lines replaying a call byte for byte
    duplicates_conflicting: int  # extra lines with a call's request_id and a later occurred_at
    files: tuple[str, ...]  # every file written, relative to out_dir
    spike: SpikeInfo
    price_source: str  # where the approximate prices for invoices and budgets came from
    provider_truth: pt.ProviderTruthSummary | None = None  # provider_usage/ and provider_costs/

    @property
    def duplicates(self) -> int:
        return self.duplicates_exact + self.duplicates_conflicting

    @property
    def events_written(self) -> int:
        """Usage lines written (good, bad and duplicate): the same as ``lines``."""
        return self.lines

    @property
    def bad_lines_written(self) -> int:
        return sum(self.bad_lines.values())

    @property
    def files_written(self) -> int:
        return len(self.files)

    @property
    def expected_accepted_calls(self) -> int:
        """Rows ``fct_llm_calls`` should hold."""
        return self.events - self.unpriced_events

    @property
    def expected_rejected_lines(self) -> int:
        """Rows ``fct_rejected_events`` should hold (lines = accepted + rejected)."""
        return sum(self.bad_lines.values()) + self.duplicates + self.unpriced_events


@dataclass(frozen=True)
class GenerateSummary:
    """What :func:`generate_events` wrote."""

    out_dir: Path
    events: int
    late_events: int
    files: tuple[str, ...]  # usage files, relative to out_dir
    csv_files: tuple[str, ...]
    start_date: date
    days: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


# --------------------------------------------------------------------------------------------
# Small shared helpers
# --------------------------------------------------------------------------------------------

_M64 = (1 << 64) - 1


def _mix64(x: int) -> int:
    """SplitMix64 finaliser: a bijection on 64-bit integers (distinct inputs, distinct ids)."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _mix64_array(x: np.ndarray) -> np.ndarray:
    """:func:`_mix64` on a uint64 array (wrapping arithmetic)."""
    x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _namespace(seed: int, label: str) -> int:
    """A 24-bit key per (seed, label) so that id streams never overlap."""
    digest = hashlib.blake2b(f"{seed}:{label}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0xFFFFFF


def _id_text(prefix: str, key: int, counter: int) -> str:
    return f"{prefix}{_mix64((key << 40) | counter):016x}"


def format_occurred_at(ts_ms: int, offset_min: int | None) -> str:
    """ISO 8601 with milliseconds: ``Z`` when ``offset_min`` is None, else local time + offset."""
    local_ms = ts_ms + (offset_min or 0) * 60_000
    text = (_EPOCH + timedelta(milliseconds=local_ms - local_ms % 1000)).strftime("%Y-%m-%dT%H:%M:%S")
    text += f".{local_ms % 1000:03d}"
    if offset_min is None:
        return text + "Z"
    sign = "+" if offset_min >= 0 else "-"
    hours, minutes = divmod(abs(offset_min), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _day_ms(day: date) -> int:
    return (day - _EPOCH_DATE).days * DAY_MS


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])


# Relative traffic per local hour of day: quiet nights, a business-day plateau.
# fmt: off
_LOCAL_HOUR_WEIGHTS = (0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.4, 0.7, 1.0, 1.25, 1.35, 1.3,
                       1.1, 1.25, 1.35, 1.3, 1.15, 0.9, 0.65, 0.5, 0.45, 0.4, 0.3, 0.2)
# fmt: on


def _utc_hour_cdf(region: str) -> list[float]:
    local = _LOCAL_HOUR_WEIGHTS
    shift = round(_REGION_OFFSET_MIN[region] / 60)
    utc = np.array([local[(h + shift) % 24] for h in range(24)])
    return (np.cumsum(utc) / utc.sum()).tolist()


def _day_factor(day: date, index: int, days: int) -> float:
    """Traffic level of a day: 25 % growth over the window, quieter weekends."""
    growth = 0.85 + 0.3 * (index / max(1, days - 1))
    return growth * (0.55 if day.weekday() >= 5 else 1.0)


class _Draws:
    """Buffered draws from a seeded Generator: fast scalar randomness for the per-call simulation."""

    def __init__(self, rng: np.random.Generator, size: int = 1 << 16):
        self.rng = rng
        self.size = size
        self._u = rng.random(size)
        self._n = rng.standard_normal(size)
        self._ui = 0
        self._ni = 0

    def u(self) -> float:
        if self._ui == self.size:
            self._u, self._ui = self.rng.random(self.size), 0
        value = self._u[self._ui]
        self._ui += 1
        return float(value)

    def normal(self) -> float:
        if self._ni == self.size:
            self._n, self._ni = self.rng.standard_normal(self.size), 0
        value = self._n[self._ni]
        self._ni += 1
        return float(value)

    def chance(self, p: float) -> bool:
        return self.u() < p

    def below(self, n: int) -> int:
        return min(n - 1, int(self.u() * n))

    def between(self, lo: int, hi: int) -> int:
        """Uniform integer in ``[lo, hi]``."""
        return lo + self.below(hi - lo + 1)

    def pick(self, cdf: Sequence[float]) -> int:
        """Index drawn from a cumulative distribution whose last value is the total."""
        return min(len(cdf) - 1, bisect.bisect_right(cdf, self.u() * cdf[-1]))

    def lognormal(self, sigma: float) -> float:
        return math.exp(sigma * self.normal())

    def geometric(self, mean: float, cap: int) -> int:
        """1, 2, 3... with the given mean (>= 1), at most ``cap``."""
        if mean <= 1:
            return 1
        p = 1 / mean
        return min(cap, 1 + int(math.log(1 - self.u()) / math.log(1 - p)))


def _cdf(weights: Iterable[float]) -> list[float]:
    return np.cumsum(np.asarray(list(weights), dtype=np.float64)).tolist()


# --------------------------------------------------------------------------------------------
# The demo world: a call-by-call simulation
# --------------------------------------------------------------------------------------------

_ENV_CDF = _cdf([0.90, 0.06, 0.04])  # prod, staging, dev sessions
_ERROR_RATE = 0.02
_BATCH_PER_NIGHT = 110  # nightly doc_summarizer batch requests at the default scale
_LONG_CONTEXT_SHARE = 0.012  # bulk: doc_summarizer sessions on gemini-2.5-pro sending a whole document
_LONG_CONTEXT_CALLS = 25  # demo: whole-document digests above 200k tokens
_DATED_SHARE = 0.10  # of sql_copilot gpt-4o sessions that pin the dated snapshot
_TEXT_SHARE = 0.03  # of primary calls that still carry prompt/response text
_SPIKE_MULTIPLE = 6.0
_SPIKE_FEATURE = "sales_insights"
_SPIKE_MODEL = "claude-sonnet-4-5"
_UNPRICED_CALLS = 30
_SDKS = (
    ("python", "openai-python", "1.109.1"),
    ("python", "anthropic-sdk", "0.69.0"),
    ("node", "litellm-proxy", "1.78.5"),
    ("python", "langchain", "0.3.27"),
)
_PROMPTS = (
    'Customer wrote: "I was charged twice for order #4471" - can you check the invoice?',
    "Summarise the attached contract.\nFocus on termination clauses and renewal dates.",
    "Résumé du ticket : l'utilisateur ne reçoit plus les e-mails de confirmation.",
    "SELECT the top 10 accounts by churn risk; explain the joins you used.",
    "Draft a polite follow-up to Zoë about the Q4 renewal (tone: friendly, <120 words).",
)
_RESPONSES = (
    "I found two charges on 2026-09-03; the second one is a pre-authorisation and will drop off.",
    "Termination: 90 days' notice.\nRenewal: automatic, 12 months, price cap 5 %.",
    "Merci ! Le domaine d'envoi n'était plus vérifié ; c'est corrigé.",
    "WITH churn AS (SELECT account_id, score FROM risk) SELECT * FROM churn ORDER BY score DESC LIMIT 10",
    'Hi Zoë - just checking in on the renewal. "Next steps" are in the doc; happy to chat.',
)


@dataclass
class _Session:
    """State shared by the traces of one conversation / task."""

    feature: int
    env: str
    customer: int  # -1 = none
    user_id: str | None
    usage_type: str
    variant: str  # tagged, no_feature, key_only, bare
    model: int
    source: str
    input_scale: float
    session_id: str
    ticket_id: str | None
    region: str
    share: float
    ttl_1h: bool
    prefix: int | None = None
    warm_until: int = -1
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fact:
    """One well-formed call, with the truth behind its (possibly missing) tags."""

    ts: int
    seq: int
    offset: int | None
    event: dict
    model: int
    feature: int
    customer: int
    cogs: bool
    is_batch: bool
    unpriced: bool


class _DemoSimulator:
    def __init__(
        self,
        shapes: TokenShapes,
        customers: list[w.Customer],
        start: date,
        days: int,
        seed: int,
        scale: float,
        prices: dict[str, np.ndarray],
        keep: np.ndarray,
    ):
        self.r = _Draws(np.random.default_rng([seed, 202]))
        self.rng = np.random.default_rng([seed, 203])
        self.shapes = shapes
        self.customers = customers
        self.start = start
        self.days = days
        self.scale = scale
        self.prices = prices
        self.keep = keep
        self.start_ms = _day_ms(start)
        self.end_ms = self.start_ms + days * DAY_MS
        self.facts: list[_Fact] = []
        self.outcomes: list[dict[str, str]] = []
        self.keys = {k: _namespace(seed, f"demo-{k}") for k in ("req", "trc", "ses", "tck", "pr")}
        self.counters = dict.fromkeys(self.keys, 0)
        self.hour_cdf = {region: _utc_hour_cdf(region) for region in _REGION_OFFSET_MIN}
        self.internal = [i for i, c in enumerate(customers) if c.is_internal]
        self.dedicated = {c.customer_id for c in w.dedicated_key_customers(customers)}
        self.model_cdf = [
            ([w.MODEL_INDEX[m] for m, _ in f.primary_models], _cdf(p for _, p in f.primary_models)) for f in w.FEATURES
        ]
        self.router_cdf = [
            ([w.MODEL_INDEX[m] for m, _ in f.router_models], _cdf(p for _, p in f.router_models)) for f in w.FEATURES
        ]

    # ---- ids -------------------------------------------------------------------------------
    def _new(self, kind: str, prefix: str) -> str:
        self.counters[kind] += 1
        return _id_text(prefix, self.keys[kind], self.counters[kind])

    def _ticket(self, prefix: str) -> str:
        kind = "pr" if prefix == "PR" else "tck"
        self.counters[kind] += 1
        return f"{prefix}-{100000 + self.counters[kind]}"

    # ---- tokens ----------------------------------------------------------------------------
    def _row(self, source: str) -> tuple[int, int]:
        i = self.r.below(len(self.shapes.inputs[source]))
        return int(self.shapes.inputs[source][i]), int(self.shapes.outputs[source][i])

    @staticmethod
    def _scaled(value: int, factor: float) -> int:
        return max(1, round(value * factor))

    def _cache(self, s: _Session, spec: w.ModelSpec, tokens: int, ts: int) -> tuple[int, int, int]:
        """(cache_read, cache_write, cache_write_1h) for a call that sends the session's prefix."""
        if spec.cache_style is None or tokens < 1024:
            return 0, 0, 0
        if s.prefix is None:
            s.prefix = int(tokens * s.share) // 128 * 128
        prefix = min(s.prefix, tokens // 128 * 128)
        if prefix < 1024:
            return 0, 0, 0
        warm = s.warm_until >= ts
        if spec.cache_style == "openai":
            s.warm_until = ts + 300_000
            return (prefix if warm or self.r.chance(0.3) else 0), 0, 0
        s.warm_until = ts + (3_600_000 if s.ttl_1h else 300_000)
        if warm:
            return prefix, 0, 0
        return 0, prefix, (prefix if s.ttl_1h else 0)

    # ---- one call --------------------------------------------------------------------------
    def _emit(
        self,
        ts: int,
        model: int,
        role: str,
        tokens: tuple[int, int, int, int, int],
        tags: Mapping[str, str],
        *,
        request_id: str | None = None,
        trace_id: str | None = None,
        parent: str | None = None,
        feature: int = -1,
        customer: int = -1,
        cogs: bool = False,
        region: str = "us",
        is_batch: bool = False,
        text: bool = False,
        may_fail: bool = True,
    ) -> tuple[str, int]:
        """Record one call; returns its request_id and the time it finished."""
        r = self.r
        spec = w.MODELS[model]
        inp, out, read, write, write_1h = tokens
        status = "success"
        if may_fail and r.chance(_ERROR_RATE):
            status = "error"
            out = 0
            if r.chance(0.6):
                inp = read = write = write_1h = 0
        request_id = request_id or self._new("req", "req_")
        offset = None if r.chance(0.8) else (0 if r.chance(0.5) else _REGION_OFFSET_MIN[region])
        event: dict = {"request_id": request_id}
        if trace_id:
            event["trace_id"] = trace_id
        if parent:
            event["parent_request_id"] = parent
        if role != "primary" or r.chance(0.7):
            event["call_role"] = role
        event["occurred_at"] = format_occurred_at(ts, offset)
        event["provider"] = spec.provider
        event["model"] = spec.model
        if spec.operation != "chat" or r.chance(0.5):
            event["operation"] = spec.operation
        event["input_tokens"] = inp
        event["output_tokens"] = out
        if read or r.chance(0.5):
            event["cache_read_tokens"] = read
        if write or r.chance(0.5):
            event["cache_write_tokens"] = write
        if write_1h:
            event["cache_write_1h_tokens"] = write_1h
        if spec.reasoning_share and out:
            event["reasoning_tokens"] = int(out * spec.reasoning_share * (0.6 + 0.8 * r.u()))
        if is_batch:
            event["is_batch"] = True
        elif r.chance(0.2):
            event["is_batch"] = False
        if status == "error" or r.chance(0.6):
            event["status"] = status
        if is_batch:
            latency = int(60_000 + r.u() * 6 * 3_600_000)
        else:
            work = 40 + out * spec.ms_per_output_token + inp * 0.015
            latency = int(work * r.lognormal(0.25)) if status == "success" else int(200 + 800 * r.u())
        event["latency_ms"] = latency
        for key in DIMENSIONS:
            if key in tags:
                event[key] = tags[key]
        if r.chance(0.85):
            event["metadata"] = self._metadata(feature)
        if text:
            k = r.below(len(_PROMPTS))
            if r.chance(0.5):
                event["prompt"] = _PROMPTS[k]
                event["response"] = _RESPONSES[k]
            else:
                event["messages"] = [
                    {"role": "system", "content": "You are a helpful assistant for Acme Cloud customers."},
                    {"role": "user", "content": _PROMPTS[k]},
                ]
        self.facts.append(
            _Fact(
                ts=ts,
                seq=len(self.facts),
                offset=offset,
                event=event,
                model=model,
                feature=feature,
                customer=customer,
                cogs=cogs,
                is_batch=is_batch,
                unpriced=spec.model == "gpt-internal-experimental",
            )
        )
        return request_id, ts + latency

    def _metadata(self, feature: int) -> dict:
        r = self.r
        lang, sdk, version = _SDKS[r.below(len(_SDKS))]
        meta: dict = {"sdk": sdk, "sdk_version": version, "sdk_language": lang, "gateway": "litellm"}
        if feature >= 0:
            meta["prompt_version"] = f"{w.FEATURES[feature].name}-v{3 + r.below(3)}"
        if r.chance(0.05):
            meta["experiment"] = {"name": "shorter-system-prompt", "arm": "b" if r.chance(0.5) else "a"}
        return meta

    # ---- sessions and traces ----------------------------------------------------------------
    def _customer_cdf(self, feature: int, day: int) -> list[float]:
        affinity = w.FEATURES[feature].tier_affinity
        return _cdf((c.weight * affinity[c.tier_index] if c.active_from_day <= day else 0.0) for c in self.customers)

    def _session(self, fi: int, day: int, customer_cdf: list[float]) -> None:
        r = self.r
        f = w.FEATURES[fi]
        env = w.ENVIRONMENTS[r.pick(_ENV_CDF)]
        if env == "prod":
            customer = r.pick(customer_cdf)
            c = self.customers[customer]
            usage_type = "internal" if c.is_internal else "external"
            user_id: str | None = c.user_id(int(c.users * r.u() ** 2))
            region = c.region
        else:
            customer = self.internal[r.below(len(self.internal))] if r.chance(0.5) else -1
            usage_type = "internal"
            user_id = f"emp-{r.between(1, 40):03d}"
            region = "us"
        variant = "tagged"
        if env == "prod" and usage_type == "external":
            u = r.u()
            if u < 0.005:
                variant = "bare"
            elif u < 0.015 and self.customers[customer].customer_id in self.dedicated:
                variant = "key_only"
            elif u < 0.04:
                variant = "no_feature"
        models, cdf = self.model_cdf[fi]
        model = models[r.pick(cdf)]
        if f.name == "sql_copilot" and w.MODELS[model].model == "gpt-4o" and r.chance(_DATED_SHARE):
            model = w.MODEL_INDEX["gpt-4o-2024-08-06"]
        s = _Session(
            feature=fi,
            env=env,
            customer=customer,
            user_id=user_id,
            usage_type=usage_type,
            variant=variant,
            model=model,
            source=f.token_source,
            input_scale=f.input_scale,
            session_id=self._new("ses", "ses_"),
            ticket_id=self._ticket(f.ticket_prefix) if f.ticket_prefix else None,
            region=region,
            share=float(self.shapes.prefix_share[r.below(len(self.shapes.prefix_share))]),
            ttl_1h=r.chance(0.04),
        )
        s.tags = self._session_tags(s)
        hour = r.pick(self.hour_cdf[region])
        ts = self.start_ms + day * DAY_MS + hour * 3_600_000 + int(r.u() * 3_600_000)
        turns = 1 if variant == "bare" else r.geometric(f.turns_mean, 8)
        last_trace, last_end = None, ts
        for _ in range(turns):
            if ts >= self.end_ms - 600_000:
                break
            last_trace, last_end = self._trace(s, ts)
            ts = last_end + int(20_000 + 240_000 * r.lognormal(0.9))
        if last_trace and env == "prod" and customer >= 0:
            self._outcome(s, last_trace, last_end)

    def _session_tags(self, s: _Session) -> dict[str, str]:
        r = self.r
        f = w.FEATURES[s.feature]
        c = self.customers[s.customer] if s.customer >= 0 else None
        if s.variant == "bare":
            return {}
        tags: dict[str, str] = {}
        if s.variant != "key_only" and c is not None:
            tags["customer_id"] = c.customer_id
        if s.variant != "key_only" and s.user_id:
            tags["user_id"] = s.user_id
        if s.variant == "tagged":
            tags["feature"] = f.name
            if r.chance(0.7):
                tags["team"] = f.team
            if f.agent:
                tags["agent"] = f.agent
        if s.variant == "tagged" or r.chance(0.5):
            tags["environment"] = s.env
        if c is not None and r.chance(0.85):
            tags["region"] = c.region
        if s.variant == "tagged" and r.chance(0.4):
            tags["product"] = f.product
        if s.variant == "tagged":
            tags["usage_type"] = s.usage_type
        tags["session_id"] = s.session_id
        if s.ticket_id:
            tags["ticket_id"] = s.ticket_id
        dedicated = c is not None and c.customer_id in self.dedicated
        if dedicated and (s.variant == "key_only" or (s.env == "prod" and r.chance(0.5))):
            tags["api_key_alias"] = w.dedicated_key_alias(c.customer_id)
        else:
            tags["api_key_alias"] = w.feature_key_alias(f.name, s.env)
        return tags

    def _child_tags(self, s: _Session) -> dict[str, str]:
        """Router / checker / retrieval calls: usually only the key and environment."""
        if self.r.chance(0.15):
            return dict(s.tags)
        tags = {k: s.tags[k] for k in ("environment", "api_key_alias") if k in s.tags}
        if "environment" in tags and self.r.chance(0.5):
            del tags["environment"]
        return tags

    def _trace(self, s: _Session, ts: int) -> tuple[str | None, int]:
        r = self.r
        f = w.FEATURES[s.feature]
        cogs = s.env == "prod" and s.usage_type == "external"
        truth = {"feature": s.feature, "customer": s.customer, "cogs": cogs, "region": s.region}
        if s.variant == "bare":
            ctx, gen = self._row(s.source)
            spec = w.MODELS[s.model]
            inp, out = self._scaled(ctx, s.input_scale), self._scaled(gen, f.output_scale)
            read, write, write_1h = self._cache(s, spec, inp, ts)
            _, end = self._emit(ts, s.model, "primary", (inp, out, read, write, write_1h), {}, **truth)
            return None, end
        trace_id = self._new("trc", "trc_")
        primary_id = self._new("req", "req_")
        ids = {"trace_id": trace_id, "parent": primary_id}
        ctx, gen = self._row(s.source)
        t = ts
        if r.chance(f.router_share):
            models, cdf = self.router_cdf[s.feature]
            tokens = (self._scaled(ctx, w.ROUTER_INPUT_SCALE), self._scaled(gen, w.ROUTER_OUTPUT_SCALE), 0, 0, 0)
            _, t = self._emit(t, models[r.pick(cdf)], "router", tokens, self._child_tags(s), **ids, **truth)
        if f.embedding_calls[1]:
            for _ in range(r.between(*f.embedding_calls)):
                tokens = (self._scaled(ctx, w.EMBEDDING_INPUT_SCALE), 0, 0, 0, 0)
                _, t = self._emit(
                    t, w.MODEL_INDEX["text-embedding-3-small"], "embedding", tokens, self._child_tags(s), **ids, **truth
                )
        if r.chance(f.rerank_share):
            tokens = (self._scaled(ctx, w.RERANK_INPUT_SCALE), self._scaled(gen, w.RERANK_OUTPUT_SCALE), 0, 0, 0)
            _, t = self._emit(
                t, w.MODEL_INDEX["llama-3.1-70b-instruct"], "rerank", tokens, self._child_tags(s), **ids, **truth
            )
        spec = w.MODELS[s.model]
        inp, out = self._scaled(ctx, s.input_scale), self._scaled(gen, f.output_scale)
        read, write, write_1h = self._cache(s, spec, inp, t)
        text = r.chance(_TEXT_SHARE)
        _, t = self._emit(
            t + 5,
            s.model,
            "primary",
            (inp, out, read, write, write_1h),
            s.tags,
            request_id=primary_id,
            trace_id=trace_id,
            text=text,
            **truth,
        )
        parent = primary_id
        if f.agent_steps[1]:
            steps = r.between(*f.agent_steps)
            parent, t = self._agent_loop(s, t, steps, inp, out, parent, trace_id, truth)
        if r.chance(f.checker_share):
            tokens = (inp + out, self._scaled(gen, w.CHECKER_OUTPUT_SCALE), 0, 0, 0)
            _, t = self._emit(
                t + 5, w.MODEL_INDEX[f.checker_model], f.checker_role, tokens, self._child_tags(s), **ids, **truth
            )
        return trace_id, t

    def _agent_loop(
        self,
        s: _Session,
        t: int,
        steps: int,
        inp: int,
        out: int,
        parent: str,
        trace_id: str,
        truth: dict,
        *,
        cap: int = 150_000,
    ) -> tuple[str, int]:
        """Tool-use steps: each resends the previous prompt (cached) plus the last answer and a tool result."""
        f = w.FEATURES[s.feature]
        spec = w.MODELS[s.model]
        for _ in range(steps):
            _, tool_result = self._row("conv")
            _, gen = self._row(s.source)
            step_in = inp + out + self._scaled(tool_result, 3.0)
            if step_in > cap:  # the framework compacts the conversation
                step_in = self._scaled(step_in, 0.15)
                inp = 0
            step_out = self._scaled(gen, f.output_scale)
            read = inp // 128 * 128 if spec.cache_style and inp >= 1024 else 0
            write = step_in - read if spec.cache_style == "anthropic" else 0
            parent, t = self._emit(
                t + 50,
                s.model,
                "tool",
                (step_in, step_out, read, write, 0),
                s.tags,
                trace_id=trace_id,
                parent=parent,
                **truth,
            )
            inp, out = step_in, step_out
        return parent, t

    def _outcome(self, s: _Session, trace_id: str, end: int) -> None:
        r = self.r
        f = w.FEATURES[s.feature]
        done_at = end + int(60_000 + r.u() * 90 * 60_000)
        if done_at >= self.end_ms:
            return
        if f.name == "support_assistant":
            kind, p = "ticket_resolved", 0.7
        elif f.agent is not None:
            kind, p = "task_completed", {"triage_agent": 0.93, "coding_agent": 0.85}.get(f.agent, 0.75)
        else:
            return
        if not r.chance(p):
            return
        self.outcomes.append(
            {
                "outcome_id": f"out_{len(self.outcomes) + 1:07d}",
                "outcome_type": kind,
                "occurred_at": format_occurred_at(done_at, None)[:19] + "Z",
                "customer_id": self.customers[s.customer].customer_id,
                "feature": f.name,
                "agent": f.agent or "",
                "ticket_id": s.ticket_id or "",
                "trace_id": trace_id,
            }
        )

    # ---- the whole window --------------------------------------------------------------------
    def simulate_traffic(self) -> None:
        for day in range(self.days):
            current = self.start + timedelta(days=day)
            level = _day_factor(current, day, self.days) * self.scale * self.r.lognormal(0.08)
            for fi, f in enumerate(w.FEATURES):
                sessions = int(self.rng.poisson(f.traces_per_day * level / f.turns_mean))
                if sessions == 0:
                    continue
                customer_cdf = self._customer_cdf(fi, day)
                for _ in range(sessions):
                    self._session(fi, day, customer_cdf)
            self._nightly_batch(day, level)

    def _nightly_batch(self, day: int, level: float) -> None:
        r = self.r
        fi = w.FEATURE_INDEX["doc_summarizer"]
        weights = [
            c.weight if c.plan_tier in ("pro", "enterprise") and c.active_from_day <= day else 0.0
            for c in self.customers
        ]
        cdf = _cdf(weights)
        t = self.start_ms + day * DAY_MS + 3_600_000 + int(r.u() * 600_000)
        for _ in range(int(self.rng.poisson(_BATCH_PER_NIGHT * level))):
            customer = r.pick(cdf)
            c = self.customers[customer]
            model = w.MODEL_INDEX["gpt-4o"] if r.chance(0.7) else w.MODEL_INDEX["claude-haiku-4-5"]
            ctx, gen = self._row("mooncake")
            tags = {
                "customer_id": c.customer_id,
                "feature": "doc_summarizer",
                "team": "knowledge",
                "environment": "prod",
                "region": c.region,
                "usage_type": "external",
                "api_key_alias": w.BATCH_KEY_ALIAS,
            }
            tokens = (self._scaled(ctx, 0.5), self._scaled(gen, 1.0), 0, 0, 0)
            self._emit(
                t,
                model,
                "primary",
                tokens,
                tags,
                feature=fi,
                customer=customer,
                cogs=True,
                region=c.region,
                is_batch=True,
            )
            t += int(200 + r.u() * 20_000)

    def add_unpriced_calls(self) -> int:
        """A few calls of an internal experimental model that the rate card cannot price."""
        r = self.r
        fi = w.FEATURE_INDEX["sales_insights"]
        count = max(2, min(40, round(_UNPRICED_CALLS * min(1.0, self.scale))))
        for _ in range(count):
            day = r.below(self.days)
            ts = self.start_ms + day * DAY_MS + (9 + r.below(9)) * 3_600_000 + int(r.u() * 3_600_000)
            ctx, gen = self._row("conv")
            tags = {
                "user_id": f"emp-{r.between(1, 40):03d}",
                "feature": "sales_insights",
                "environment": "dev",
                "usage_type": "internal",
                "api_key_alias": w.feature_key_alias("sales_insights", "dev"),
            }
            tokens = (self._scaled(ctx, 0.5), self._scaled(gen, 0.5), 0, 0, 0)
            self._emit(
                ts,
                w.MODEL_INDEX["gpt-internal-experimental"],
                "primary",
                tokens,
                tags,
                trace_id=self._new("trc", "trc_"),
                feature=fi,
                may_fail=False,
            )
        return count

    def add_long_context_calls(self) -> int:
        """Whole-document digests on gemini-2.5-pro above its 200k-token long-context threshold."""
        r = self.r
        fi = w.FEATURE_INDEX["doc_summarizer"]
        cdf = _cdf(c.weight if c.plan_tier == "enterprise" else 0.0 for c in self.customers)
        count = max(2, round(_LONG_CONTEXT_CALLS * min(1.0, self.scale)))
        for _ in range(count):
            customer = r.pick(cdf)
            c = self.customers[customer]
            day = max(r.below(self.days), c.active_from_day)
            ts = self.start_ms + day * DAY_MS + (8 + r.below(10)) * 3_600_000 + int(r.u() * 3_600_000)
            ctx, gen = self._row("long")
            tags = {
                "customer_id": c.customer_id,
                "user_id": c.user_id(int(c.users * r.u())),
                "feature": "doc_summarizer",
                "environment": "prod",
                "region": c.region,
                "usage_type": "external",
                "session_id": self._new("ses", "ses_"),
                "api_key_alias": w.feature_key_alias("doc_summarizer", "prod"),
            }
            tokens = (self._scaled(ctx, w.LONG_CONTEXT_SCALE), self._scaled(gen, 1.0), 0, 0, 0)
            self._emit(
                ts,
                w.MODEL_INDEX["gemini-2.5-pro"],
                "primary",
                tokens,
                tags,
                trace_id=self._new("trc", "trc_"),
                feature=fi,
                customer=customer,
                cogs=True,
                region=c.region,
                may_fail=False,
            )
        return count

    def costs(self, facts: Sequence[_Fact], discounted: bool = True) -> np.ndarray:
        """Approximate effective cost of calls (list cost when not ``discounted``; NaN for unpriced)."""
        if not facts:
            return np.zeros(0)
        day = np.array([min(self.days - 1, (f.ts - self.start_ms) // DAY_MS) for f in facts])
        model = np.array([f.model for f in facts])
        cols = {
            k: np.array([f.event.get(k, 0) for f in facts], dtype=np.float64)
            for k in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
        }
        batch = np.array([f.is_batch for f in facts])
        cost = w.list_costs(
            self.prices,
            model,
            day,
            cols["input_tokens"],
            cols["output_tokens"],
            cols["cache_read_tokens"],
            cols["cache_write_tokens"],
            batch,
        )
        return cost * self.keep[model, day] if discounted else cost

    def inject_spike(self) -> SpikeInfo:
        """A runaway research agent: one customer's sales_insights loop on one recent day."""
        r = self.r
        fi = w.FEATURE_INDEX[_SPIKE_FEATURE]
        facts = [f for f in self.facts if f.feature == fi]
        cost = np.nan_to_num(self.costs(facts))
        daily = np.zeros(self.days)
        np.add.at(daily, np.array([(f.ts - self.start_ms) // DAY_MS for f in facts], dtype=np.int64), cost)
        typical = float(np.median(daily)) if self.days else 0.0
        recent = min(self.days, 30)
        day = self.days - 1 - r.between(2, max(2, recent - 2)) if self.days > 4 else self.days - 1
        day = max(0, day)
        candidates = [i for i, c in enumerate(self.customers) if c.plan_tier == "enterprise"]
        customer = max(candidates, key=lambda i: (self.customers[i].weight, -i))
        c = self.customers[customer]
        target = max(typical, 0.05) * _SPIKE_MULTIPLE - daily[day]
        model = w.MODEL_INDEX[_SPIKE_MODEL]
        s = _Session(
            feature=fi,
            env="prod",
            customer=customer,
            user_id=c.user_id(0),
            usage_type="external",
            variant="tagged",
            model=model,
            source="mooncake",
            input_scale=0.5,
            session_id=self._new("ses", "ses_"),
            ticket_id=None,
            region=c.region,
            share=0.5,
            ttl_1h=False,
        )
        s.tags = {
            "customer_id": c.customer_id,
            "user_id": s.user_id or "",
            "feature": _SPIKE_FEATURE,
            "team": w.FEATURES[fi].team,
            "agent": "research_agent",
            "environment": "prod",
            "region": c.region,
            "usage_type": "external",
            "session_id": s.session_id,
            "api_key_alias": w.feature_key_alias(_SPIKE_FEATURE, "prod"),
        }
        truth = {"feature": fi, "customer": customer, "cogs": True, "region": c.region}
        t = self.start_ms + day * DAY_MS + 13 * 3_600_000 + int(r.u() * 600_000)
        first = len(self.facts)
        added = 0.0
        while added < target and t < self.start_ms + (day + 1) * DAY_MS - 3_600_000:
            trace_id = self._new("trc", "trc_")
            ctx, gen = self._row("mooncake")
            inp, out = self._scaled(ctx, 0.5), self._scaled(gen, 1.0)
            parent, t = self._emit(
                t, model, "primary", (inp, out, 0, inp, 0), s.tags, trace_id=trace_id, may_fail=False, **truth
            )
            _, t = self._agent_loop(s, t, 30, inp, out, parent, trace_id, truth)
            added = float(np.nansum(self.costs(self.facts[first:])))
            t += 60_000
        multiple = (daily[day] + added) / typical if typical > 0 else float("inf")
        return SpikeInfo(
            day=self.start + timedelta(days=day),
            feature=_SPIKE_FEATURE,
            agent="research_agent",
            customer_id=c.customer_id,
            model=_SPIKE_MODEL,
            extra_calls=len(self.facts) - first,
            cost_multiple=round(float(multiple), 1),
        )


def _dumps(event: Mapping) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def _bad_line(kind: str, template: dict, request_id: str, r: _Draws) -> str:
    """A line that must be rejected for exactly one reason."""
    event = {k: v for k, v in template.items() if k not in ("trace_id", "parent_request_id")}
    event["request_id"] = request_id
    event["call_role"] = "primary"
    event["status"] = "success"
    if kind == "malformed_json":
        text = _dumps(event)
        return text[: 10 + r.below(len(text) - 12)]
    if kind == "missing_required_field":
        del event["model" if r.chance(0.5) else "request_id"]
    elif kind == "invalid_timestamp":
        event["occurred_at"] = ("yesterday", "2026-13-45T25:61:00Z", "not a timestamp")[
            r.below(3) if r.chance(0.4) else 0
        ]
    elif kind == "negative_tokens":
        event.pop("reasoning_tokens", None)
        if r.chance(0.5):
            event["output_tokens"] = -r.between(1, 500)
        else:
            event["input_tokens"] = -r.between(1, 5000)
            event["cache_read_tokens"] = 0
            event["cache_write_tokens"] = 0
            event.pop("cache_write_1h_tokens", None)
    elif kind == "inconsistent_cache_tokens":
        event["cache_read_tokens"] = event["input_tokens"]
        event["cache_write_tokens"] = 128 * r.between(1, 40)
        event.pop("cache_write_1h_tokens", None)
    return _dumps(event)


@dataclass
class _ExtraLines:
    """Lines added to the day files on purpose: replays, conflicting duplicates and bad lines."""

    inserts: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # day -> (before line, seq, text)
    exact: int = 0
    conflicting: int = 0
    bad: dict[str, int] = field(default_factory=dict)
    placed: int = 0

    def place(self, day: int, position: int, text: str) -> None:
        self.placed += 1
        self.inserts.setdefault(day, []).append((position, self.placed, text))


def _extra_lines(by_day: list[list[_Fact]], seed: int) -> _ExtraLines:
    """Choose the duplicate and bad lines (a handful of each, fewer in a small world)."""
    r = _Draws(np.random.default_rng([seed, 404]))
    rng = np.random.default_rng([seed, 405])
    where = {fact.seq: (d, i) for d, day_facts in enumerate(by_day) for i, fact in enumerate(day_facts)}
    eligible = [f for day_facts in by_day for f in day_facts if not f.unpriced and not f.is_batch]
    size = min(1.0, len(where) / 150_000)
    extra = _ExtraLines()
    n_exact = max(2, round(r.between(20, 40) * size))
    n_conflicting = max(1, round(r.between(10, 20) * size))
    picks = rng.choice(len(eligible), size=min(len(eligible), n_exact + n_conflicting), replace=False).tolist()
    for k, index in enumerate(picks):
        fact = eligible[index]
        d, i = where[fact.seq]
        if k < n_exact:  # a replay, later the same day or in the next day's file
            extra.exact += 1
            if d + 1 < len(by_day) and r.chance(0.3):
                extra.place(d + 1, r.below(len(by_day[d + 1]) + 1), _dumps(fact.event))
            else:
                extra.place(d, min(len(by_day[d]), i + 1 + r.below(50)), _dumps(fact.event))
        else:  # the same request_id logged again a little later
            extra.conflicting += 1
            later = dict(fact.event)
            later["occurred_at"] = format_occurred_at(fact.ts + r.between(1_000, 120_000), fact.offset)
            extra.place(d, min(len(by_day[d]), i + 1 + r.below(20)), _dumps(later))
    templates = [f for f in eligible if f.event["input_tokens"] > 0 and f.event.get("call_role") in (None, "primary")]
    bad_key = _namespace(seed, "demo-bad")
    for kind in BAD_LINE_KINDS:
        extra.bad[kind] = max(2, round(r.between(12, 40) * size))
        for _ in range(extra.bad[kind]):
            request_id = _id_text("req_", bad_key, extra.placed)
            line = _bad_line(kind, templates[r.below(len(templates))].event, request_id, r)
            d = r.below(len(by_day))
            extra.place(d, r.below(len(by_day[d]) + 1), line)
    return extra


_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl$")


def _write_day_files(out_dir: Path, first_day: date, by_day: list[list[_Fact]], extra: _ExtraLines) -> list[str]:
    """One ``usage/YYYY-MM-DD.jsonl`` per day: the day's calls in time order plus the extra lines."""
    usage_dir = out_dir / "usage"
    usage_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(usage_dir.iterdir()):  # day files of an earlier run (other files are left alone)
        if _DAY_FILE.match(stale.name):
            stale.unlink()
    files = []
    for d, day_facts in enumerate(by_day):
        pending = sorted(extra.inserts.get(d, []))
        lines: list[str] = []
        cursor = 0
        for i, fact in enumerate(day_facts):
            while cursor < len(pending) and pending[cursor][0] <= i:
                lines.append(pending[cursor][2])
                cursor += 1
            lines.append(_dumps(fact.event))
        lines.extend(item[2] for item in pending[cursor:])
        if lines:
            name = f"usage/{(first_day + timedelta(days=d)).isoformat()}.jsonl"
            (out_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            files.append(name)
    return files


def _demo_scale(customers: int, events: int | None, first_day: date, days: int) -> float:
    """Traffic multiplier: customers / 200, or whatever gives about ``events`` calls."""
    if events is None:
        return customers / 200
    per_day = sum(f.traces_per_day * f.expected_calls_per_trace() for f in w.FEATURES) + _BATCH_PER_NIGHT
    expected = sum(_day_factor(first_day + timedelta(days=i), i, days) * per_day for i in range(days))
    return max(events, 1) / expected


def write_demo_world(
    out_dir: Path,
    *,
    seed: int = 42,
    end_date: date = DEFAULT_END_DATE,
    days: int = 92,
    customers: int = 200,
    events: int | None = None,
    traces_dir: Path | None = None,
    rate_card: Path | None = None,
) -> DemoWorldSummary:
    """Write the demo raw folder (docs/CONTRACT.md §1) into ``out_dir``; deterministic for its arguments.

    ``events`` sets the approximate number of calls (default: proportional to ``customers``,
    about 235k lines for 200 customers over 92 days). ``traces_dir`` derives the token sizes from
    the original public trace files in that folder instead of the packaged sample; ``rate_card``
    the price list used to size invoices, budgets and revenue (default ``seeds/rate_card.csv``
    when present, else a built-in table of the demo models).
    Day files of an earlier run in ``out_dir/usage`` are replaced; other files there are kept.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    out_dir = Path(out_dir)
    start = end_date - timedelta(days=days - 1)
    shapes = load_token_shapes(traces_dir)
    people = w.build_customers(customers, seed, days)
    book = w.PriceBook.load(rate_card)
    all_days = [start + timedelta(days=i) for i in range(days)]
    discounts = w.demo_discounts(start)
    keep = w.discount_matrix(discounts, all_days)
    scale = _demo_scale(customers, events, start, days)

    sim = _DemoSimulator(shapes, people, start, days, seed, scale, book.matrix(all_days), keep)
    sim.simulate_traffic()
    unpriced = sim.add_unpriced_calls()
    sim.add_long_context_calls()
    spike = sim.inject_spike()

    facts = sorted(sim.facts, key=lambda f: (f.ts, f.seq))
    day_of = [min(days - 1, (f.ts - sim.start_ms) // DAY_MS) for f in facts]
    by_day: list[list[_Fact]] = [[] for _ in range(days)]
    for fact, d in zip(facts, day_of, strict=True):
        by_day[d].append(fact)
    costs = sim.costs(facts)
    _add_gateway_costs(facts, sim.costs(facts, discounted=False), pt.drift_start(end_date))
    extra = _extra_lines(by_day, seed)
    files = _write_day_files(out_dir, start, by_day, extra)

    totals = w.CostTotals.empty(start, end_date, len(people))
    month_of_day = np.array([totals.months.index(d.replace(day=1)) for d in all_days])
    totals.add(
        month_of_day[np.array(day_of, dtype=np.int64)],
        np.array([f.model for f in facts], dtype=np.int64),
        np.array([f.feature for f in facts], dtype=np.int64),
        np.array([f.customer for f in facts], dtype=np.int64),
        np.array([f.cogs for f in facts]),
        costs,
    )
    last = len(totals.months) - 1
    top_customer = people[int(np.argmax(totals.customer.sum(axis=0)))].customer_id
    over = (
        ("feature", _SPIKE_FEATURE, totals.months.index(spike.day.replace(day=1))),
        ("team", "developer_tools", last),
        ("customer", top_customer, last),
    )
    fin = np.random.default_rng([seed, 505])
    tables = {
        "customers.csv": w.customer_rows(people),
        "customer_revenue.csv": w.revenue_rows(people, totals),
        "outcomes.csv": sim.outcomes,
        "feature_owners.csv": w.feature_owner_rows(),
        "api_keys.csv": w.api_key_rows(people),
        "shared_costs.csv": w.shared_cost_rows(totals, scale),
        "tenant_footprint.csv": w.footprint_rows(people, totals, fin),
        "budgets.csv": w.budget_rows(totals, people, fin, over),
        "provider_invoices.csv": w.invoice_rows(totals, fin),
        "price_adjustments.csv": w.price_adjustment_rows(discounts),
    }
    for name, rows in tables.items():
        _write_csv(out_dir / name, CSV_COLUMNS[name], rows)
        files.append(name)
    logged = [_logged_call(f, float(c)) for f, c in zip(facts, costs, strict=True) if not f.unpriced]
    truth = pt.write_provider_reports(out_dir, logged, first_day=start, last_day=end_date)
    files += truth.files

    trace_ids = {f.event["trace_id"] for f in facts if "trace_id" in f.event}
    return DemoWorldSummary(
        out_dir=out_dir,
        start_date=start,
        end_date=end_date,
        customers=len(people),
        events=len(facts),
        unpriced_events=unpriced,
        traces=len(trace_ids) + sum("trace_id" not in f.event for f in facts),
        lines=len(facts) + extra.exact + extra.conflicting + sum(extra.bad.values()),
        bad_lines=extra.bad,
        duplicates_exact=extra.exact,
        duplicates_conflicting=extra.conflicting,
        files=tuple(sorted(files)),
        spike=spike,
        price_source=book.source,
        provider_truth=truth,
    )


def _utc_day(fact: _Fact) -> date:
    return _EPOCH_DATE + timedelta(days=fact.ts // DAY_MS)


def _add_gateway_costs(facts: Sequence[_Fact], list_costs: np.ndarray, drift_from: date) -> None:
    """The gateway's own cost of the calls it prices (``reported_cost_usd``, see demo_provider_truth)."""
    for fact, cost in zip(facts, list_costs, strict=True):
        spec = w.MODELS[fact.model]
        if fact.unpriced or np.isnan(cost):
            continue
        reported = pt.gateway_reported_cost(spec.provider, spec.model, _utc_day(fact), float(cost), drift_from)
        if reported is not None:
            fact.event["reported_cost_usd"] = reported


def _logged_call(fact: _Fact, cost: float) -> pt.LoggedCall:
    """An accepted call as the providers' reports see it."""
    spec, event = w.MODELS[fact.model], fact.event
    return pt.LoggedCall(
        day=_utc_day(fact),
        provider=spec.provider,
        model=spec.model,
        operation=spec.operation,
        input_tokens=event["input_tokens"],
        cache_read_tokens=event.get("cache_read_tokens", 0),
        cache_write_tokens=event.get("cache_write_tokens", 0),
        cache_write_1h_tokens=event.get("cache_write_1h_tokens", 0),
        output_tokens=event["output_tokens"],
        is_batch=fact.is_batch,
        cost_usd=cost,
    )


# --------------------------------------------------------------------------------------------
# Bulk events: vectorised, chunked, bounded memory
# --------------------------------------------------------------------------------------------

LATE_WINDOW_DAYS = 3  # late events fall in the 3 days before start_date
ROWS_PER_FILE = 1_000_000
PART_ROWS = 250_000  # rows generated at a time: one Parquet row group
_ROLES: tuple[str, ...] = ("primary", "router", "evaluator", "guardrail", "embedding", "rerank", "tool")
_PRIMARY, _ROUTER, _EVALUATOR, _GUARDRAIL, _EMBEDDING, _RERANK, _TOOL = range(7)
_SESSION_MARGIN_MS = 4_300_000  # longest session (8 turns, 12 calls each) stays inside its window
# fmt: off
_DICTIONARY_COLUMNS: tuple[str, ...] = (
    "call_role", "provider", "model", "operation", "status", "customer_id", "user_id", "feature", "team", "agent",
    "environment", "region", "product", "usage_type", "api_key_alias", "metadata",
)
# fmt: on
_STATISTICS_COLUMNS: tuple[str, ...] = (*TOKEN_FIELDS, "is_batch", "latency_ms")
_NUMERIC_FIELDS = frozenset(_STATISTICS_COLUMNS)
# Bulk events are clean gateway logs: they carry no sender's own cost.
_BULK_FIELDS = tuple(name for name in USAGE_FIELDS if name != "reported_cost_usd")
_STRING_FIELDS = frozenset(_BULK_FIELDS) - _NUMERIC_FIELDS - {"metadata"}


def _field_type(name: str) -> pa.DataType:
    if name == "is_batch":
        return pa.bool_()
    return pa.int64() if name in _NUMERIC_FIELDS else pa.string()


# The schema a reader sees in every bulk Parquet file (metadata is a JSON string).
PARQUET_SCHEMA = pa.schema([(name, _field_type(name)) for name in _BULK_FIELDS])


def _ascii_table(*columns: np.ndarray | str) -> np.ndarray:
    """A byte matrix from columns of 2-digit numbers (arrays) and literal characters (str)."""
    rows = next(len(c) for c in columns if not isinstance(c, str))
    parts = []
    for column in columns:
        if isinstance(column, str):
            parts.append(np.full((rows, 1), ord(column), dtype=np.uint8))
        else:
            parts.append(np.stack([48 + column // 10, 48 + column % 10], axis=1).astype(np.uint8))
    return np.concatenate(parts, axis=1)


_SECONDS = np.arange(86_400)
_CLOCK = _ascii_table(_SECONDS // 3600, ":", _SECONDS // 60 % 60, ":", _SECONDS % 60)  # "HH:MM:SS" per second
_THOUSAND = np.arange(1000)
_DIGITS3 = np.stack([48 + _THOUSAND // 100, 48 + _THOUSAND // 10 % 10, 48 + _THOUSAND % 10], axis=1).astype(np.uint8)
_OFFSET_RANGE = 14 * 60  # UTC offsets from -14:00 to +14:00, in minutes
_OFFSET_VALUES = np.arange(-_OFFSET_RANGE, _OFFSET_RANGE + 1)
_OFFSETS = np.concatenate(
    [
        np.where(_OFFSET_VALUES < 0, ord("-"), ord("+")).astype(np.uint8)[:, None],
        _ascii_table(np.abs(_OFFSET_VALUES) // 60, ":", np.abs(_OFFSET_VALUES) % 60),
    ],
    axis=1,
)  # "+HH:MM" per offset
_HEX_PAIRS = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8).view(np.uint16).ravel()


def _strings_from_matrix(
    buf: np.ndarray, lengths: np.ndarray | None = None, valid: np.ndarray | None = None
) -> pa.Array:
    """A string array from an ASCII byte matrix (rows left-aligned, ``lengths`` per row if ragged)."""
    n, width = buf.shape
    if lengths is None:
        data = np.ascontiguousarray(buf).reshape(-1)
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    else:
        data = buf[np.arange(width)[None, :] < lengths[:, None]]
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
    validity = None
    null_count = 0
    if valid is not None:
        null_count = int(n - valid.sum())
        if null_count:
            validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=null_count
    )


def _hex_matrix(prefix: str, key: int, counters: np.ndarray) -> np.ndarray:
    """Rows of ASCII ``prefix`` + 16 hex digits of mix64(key << 40 | counter)."""
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    x = _mix64_array((np.uint64(key) << np.uint64(40)) | counters.astype(np.uint64))
    raw = x.byteswap().view(np.uint8).reshape(-1, 8)  # most significant byte first
    buf = np.empty((len(counters), len(head) + 16), dtype=np.uint8)
    buf[:, : len(head)] = head
    buf[:, len(head) :] = _HEX_PAIRS[raw].view(np.uint8).reshape(-1, 16)
    return buf


def _hex_ids(prefix: str, key: int, counters: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """:func:`_hex_matrix` as a string array."""
    return _strings_from_matrix(_hex_matrix(prefix, key, counters), valid=valid)


def iso_timestamps(ts_ms: np.ndarray, offset_min: np.ndarray, zulu: np.ndarray) -> pa.Array:
    """Vectorised :func:`format_occurred_at`: ``zulu`` rows end in ``Z``, others in ``+HH:MM``."""
    local = ts_ms.astype(np.int64) + offset_min.astype(np.int64) * 60_000
    day = local // DAY_MS
    ms = local - day * DAY_MS
    first = int(day.min()) if len(day) else 0
    last = int(day.max()) if len(day) else 0
    dates = np.array(
        [list((_EPOCH_DATE + timedelta(days=d)).isoformat().encode()) for d in range(first, last + 1)], dtype=np.uint8
    ).reshape(-1, 10)
    buf = np.empty((len(ts_ms), 29), dtype=np.uint8)
    buf[:, :10] = dates[day - first]
    buf[:, 10] = ord("T")
    buf[:, 11:19] = _CLOCK[ms // 1000]
    buf[:, 19] = ord(".")
    buf[:, 20:23] = _DIGITS3[ms % 1000]
    buf[:, 23:29] = _OFFSETS[offset_min.astype(np.int64) + _OFFSET_RANGE]
    buf[zulu, 23] = ord("Z")
    if zulu.all():
        return _strings_from_matrix(np.ascontiguousarray(buf[:, :24]))
    return _strings_from_matrix(buf, np.where(zulu, 24, 29).astype(np.int32))


def _ticket_matrix(plan: _BulkPlan, sessions: np.ndarray, is_pr: np.ndarray) -> np.ndarray:
    """Per session, ``TCK-`` + 9 digits or ``PR-`` + 10 digits (13 ASCII bytes)."""
    number = (_mix64_array(sessions.astype(np.uint64) ^ np.uint64(plan.keys["tck"])) % np.uint64(10**9)).astype(
        np.int64
    )
    buf = np.empty((len(sessions), 13), dtype=np.uint8)
    buf[:, :4] = np.frombuffer(b"TCK-", dtype=np.uint8)
    buf[is_pr, :4] = np.frombuffer(b"PR-1", dtype=np.uint8)
    buf[:, 4:7] = _DIGITS3[number // 1_000_000]
    buf[:, 7:10] = _DIGITS3[number // 1000 % 1000]
    buf[:, 10:13] = _DIGITS3[number % 1000]
    return buf


# Arrow arrays are built from buffers: ``pa.array`` would import pandas (about a second of start-up).


def _validity(valid: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    if valid is None or valid.all():
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), int(len(valid) - valid.sum())


def _int_array(values: np.ndarray, valid: np.ndarray | None = None, wide: bool = True) -> pa.Array:
    """An int64 (int32 unless ``wide``) Arrow array from a numpy array, null where ``valid`` is False."""
    data = np.ascontiguousarray(values, dtype=np.int64 if wide else np.int32)
    bitmap, nulls = _validity(valid)
    kind = pa.int64() if wide else pa.int32()
    return pa.Array.from_buffers(kind, len(data), [bitmap, pa.py_buffer(data)], null_count=nulls)


def _bool_array(values: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(np.packbits(values, bitorder="little"))])


def _str_array(values: Sequence[str]) -> pa.Array:
    """A string Arrow array from Python strings (dictionaries, small)."""
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def _dict_array(indices: np.ndarray, dictionary: pa.Array, valid: np.ndarray | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(_int_array(indices, valid, wide=False), dictionary, safe=False)


class _BulkPlan:
    """Everything the chunk generator looks up, computed once per run."""

    def __init__(
        self,
        shapes: TokenShapes,
        customers: list[w.Customer],
        seed: int,
        prefix: str,
        first_day: date,
        last_day: date,
        book: w.PriceBook,
        discounts: list[w.Discount],
    ):
        self.seed = seed
        self.customers = customers
        n_f, n_m = len(w.FEATURES), len(w.MODELS)
        self.keys = {k: _namespace(seed, f"{prefix}-{k}") for k in ("req", "trc", "ses", "out", "tck")}
        weights = np.array([c.weight for c in customers])
        self.customer_cdf = np.cumsum(weights) / weights.sum()
        self.customer_tier = np.array([c.tier_index for c in customers])
        self.customer_region = np.array([("us", "eu", "apac").index(c.region) for c in customers])
        self.customer_internal = np.array([c.is_internal for c in customers])
        self.internal = np.flatnonzero(self.customer_internal)
        dedicated = [c.customer_id for c in w.dedicated_key_customers(customers)]
        users = np.array([c.users for c in customers], dtype=np.int64)
        self.user_offset = np.concatenate([[0], np.cumsum(users)[:-1]])
        self.user_count = users
        self.n_customer_users = int(users.sum())
        self.users = _str_array(
            [c.user_id(k) for c in customers for k in range(c.users)] + [f"emp-{k:03d}" for k in range(1, 41)]
        )
        self.customer_ids = _str_array([c.customer_id for c in customers])
        affinity = np.array([f.tier_affinity for f in w.FEATURES]).T  # [tier, feature]
        rates = np.array([f.traces_per_day / f.turns_mean for f in w.FEATURES])
        by_tier = affinity * rates[None, :]
        self.feature_cdf = np.cumsum(by_tier, axis=1) / by_tier.sum(axis=1, keepdims=True)
        model_p = np.zeros((n_f, n_m))
        for i, f in enumerate(w.FEATURES):
            for name, p in f.primary_models:
                model_p[i, w.MODEL_INDEX[name]] = p
        self.model_cdf = np.cumsum(model_p, axis=1) / model_p.sum(axis=1, keepdims=True)
        role_model = np.full((n_f, len(_ROLES)), -1)
        for i, f in enumerate(w.FEATURES):
            role_model[i, _ROUTER] = w.MODEL_INDEX[f.router_models[0][0]]
            role_model[i, _EVALUATOR] = role_model[i, _GUARDRAIL] = w.MODEL_INDEX[f.checker_model]
            role_model[i, _EMBEDDING] = w.MODEL_INDEX["text-embedding-3-small"]
            role_model[i, _RERANK] = w.MODEL_INDEX["llama-3.1-70b-instruct"]
        self.role_model = role_model
        self.f = {
            "router": np.array([f.router_share for f in w.FEATURES]),
            "checker": np.array([f.checker_share for f in w.FEATURES]),
            "checker_role": np.array([_GUARDRAIL if f.checker_role == "guardrail" else _EVALUATOR for f in w.FEATURES]),
            "emb_lo": np.array([f.embedding_calls[0] for f in w.FEATURES]),
            "emb_hi": np.array([f.embedding_calls[1] for f in w.FEATURES]),
            "rerank": np.array([f.rerank_share for f in w.FEATURES]),
            "steps_lo": np.array([f.agent_steps[0] for f in w.FEATURES]),
            "steps_hi": np.array([f.agent_steps[1] for f in w.FEATURES]),
            "turns": np.array([f.turns_mean for f in w.FEATURES]),
            "source": np.array([("conv", "code", "mooncake", "long").index(f.token_source) for f in w.FEATURES]),
            "agent": w.FEATURE_AGENT_INDEX,
            "team": np.array([w.TEAMS.index(f.team) for f in w.FEATURES]),
            "ticket": np.array(
                [0 if f.ticket_prefix is None else 2 if f.ticket_prefix == "PR" else 1 for f in w.FEATURES]
            ),
        }
        in_scale = np.zeros((len(_ROLES), n_f))
        out_scale = np.zeros((len(_ROLES), n_f))
        for i, f in enumerate(w.FEATURES):
            for role in (_PRIMARY, _TOOL, _EVALUATOR, _GUARDRAIL):
                in_scale[role, i] = f.input_scale
                out_scale[role, i] = f.output_scale
            out_scale[_EVALUATOR, i] = out_scale[_GUARDRAIL, i] = w.CHECKER_OUTPUT_SCALE
            in_scale[_ROUTER, i], out_scale[_ROUTER, i] = w.ROUTER_INPUT_SCALE, w.ROUTER_OUTPUT_SCALE
            in_scale[_EMBEDDING, i], out_scale[_EMBEDDING, i] = w.EMBEDDING_INPUT_SCALE, 0.0
            in_scale[_RERANK, i], out_scale[_RERANK, i] = w.RERANK_INPUT_SCALE, w.RERANK_OUTPUT_SCALE
        self.in_scale, self.out_scale = in_scale, out_scale
        self.tok_in, self.tok_out, self.tok_offset, self.tok_length = shapes.pooled()
        self.prefix_share = shapes.prefix_share
        self.model_provider = np.array(
            [("openai", "anthropic", "google", "self_hosted").index(m.provider) for m in w.MODELS]
        )
        self.model_cache = np.array([{"anthropic": 1, "openai": 2}.get(m.cache_style or "", 0) for m in w.MODELS])
        self.model_ms = np.array([m.ms_per_output_token for m in w.MODELS])
        self.model_reasoning = np.array([m.reasoning_share for m in w.MODELS])
        self.model_embedding = np.array([m.operation == "embeddings" for m in w.MODELS])
        keys = [w.feature_key_alias(f.name, e) for f in w.FEATURES for e in w.ENVIRONMENTS]
        self.batch_key = len(keys)
        self.dedicated_key = np.full(len(customers), -1)
        ids = [c.customer_id for c in customers]
        for k, cid in enumerate(dedicated):
            self.dedicated_key[ids.index(cid)] = len(keys) + 1 + k
        self.dict = {
            "call_role": _str_array(_ROLES),
            "provider": _str_array(["openai", "anthropic", "google", "self_hosted"]),
            "model": _str_array([m.model for m in w.MODELS]),
            "operation": _str_array(["chat", "embeddings"]),
            "status": _str_array(["success", "error"]),
            "feature": _str_array([f.name for f in w.FEATURES]),
            "team": _str_array(list(w.TEAMS)),
            "agent": _str_array(list(w.AGENTS)),
            "environment": _str_array(list(w.ENVIRONMENTS)),
            "region": _str_array(["us", "eu", "apac"]),
            "product": _str_array([f.product for f in w.FEATURES]),
            "usage_type": _str_array(["external", "internal"]),
            "api_key_alias": _str_array(keys + [w.BATCH_KEY_ALIAS] + [w.dedicated_key_alias(c) for c in dedicated]),
            "metadata": _str_array(
                [
                    json.dumps(
                        {
                            "sdk": sdk,
                            "sdk_version": version,
                            "sdk_language": lang,
                            "gateway": "litellm",
                            "prompt_version": f"{f.name}-v{v}",
                        },
                        separators=(",", ":"),
                    )
                    for f in w.FEATURES
                    for v in (3, 4)
                    for lang, sdk, version in _SDKS
                ]
            ),
        }
        self.meta_per_feature = 2 * len(_SDKS)
        self.first_day = first_day
        self.days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
        units, self.threshold = w.unit_prices(book.matrix(self.days))
        self.units = units * w.discount_matrix(discounts, self.days)[:, :, None, None, None]
        months = w.month_starts(first_day, last_day)
        self.day_month = np.array([months.index(d.replace(day=1)) for d in self.days])
        self.first_ms = _day_ms(first_day)
        self.env_cdf = np.array(_ENV_CDF) / _ENV_CDF[-1]
        session_weight = np.array([f.traces_per_day / f.turns_mean for f in w.FEATURES])
        session_calls = np.array([f.turns_mean * f.expected_calls_per_trace() for f in w.FEATURES])
        self.calls_per_session = float((session_weight * session_calls).sum() / session_weight.sum())


_OUTCOME_TYPES = _str_array(["ticket_resolved", "task_completed"])


@dataclass
class _Chunk:
    table: pa.Table
    outcomes: pa.Table
    late: int


@dataclass
class _Layout:
    """Sessions and their traces for one part, trimmed to exactly the requested number of calls."""

    # per session
    customer: np.ndarray
    feature: np.ndarray
    env: np.ndarray
    nonprod: np.ndarray
    has_customer: np.ndarray
    internal: np.ndarray
    bare: np.ndarray
    key_only: np.ndarray
    no_feature: np.ndarray
    is_batch: np.ndarray
    model: np.ndarray
    long_ctx: np.ndarray
    turns: np.ndarray
    # per trace
    session: np.ndarray
    turn: np.ndarray
    router: np.ndarray
    embeds: np.ndarray
    rerank: np.ndarray
    steps: np.ndarray
    checker: np.ndarray

    @property
    def calls(self) -> np.ndarray:
        return 1 + self.router + self.embeds + self.rerank + self.steps + self.checker


def _uniform_int(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Integers uniform in ``[lo, hi]`` elementwise."""
    return lo + (rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def _draw_layout(plan: _BulkPlan, rng: np.random.Generator, n: int) -> _Layout:
    """Draw sessions (customer, feature, environment, tagging, model, turns) and their traces'
    call structure (router, embeddings, rerank, agent steps, checker), then keep whole sessions
    while they fit in ``n`` calls and fill the rest with single-call sessions."""
    fa = plan.f
    n_s = int(n / plan.calls_per_session * 1.2) + 256
    while True:
        customer = np.minimum(np.searchsorted(plan.customer_cdf, rng.random(n_s)), len(plan.customers) - 1)
        tier = plan.customer_tier[customer]
        feature = np.minimum((rng.random(n_s)[:, None] > plan.feature_cdf[tier]).sum(axis=1), len(w.FEATURES) - 1)
        env = np.minimum(np.searchsorted(plan.env_cdf, rng.random(n_s), side="right"), 2)
        nonprod = env > 0
        use_internal = nonprod & (rng.random(n_s) < 0.5) & (len(plan.internal) > 0)
        if len(plan.internal):
            customer = np.where(use_internal, plan.internal[rng.integers(0, len(plan.internal), n_s)], customer)
        internal = nonprod | plan.customer_internal[customer]
        external_prod = ~nonprod & ~internal
        u = rng.random(n_s)
        bare = external_prod & (u < 0.005)
        key_only = external_prod & ~bare & (u < 0.015) & (plan.dedicated_key[customer] >= 0)
        no_feature = external_prod & ~bare & ~key_only & (u < 0.04)
        docs = feature == w.FEATURE_INDEX["doc_summarizer"]
        is_batch = docs & ~nonprod & ~bare & (rng.random(n_s) < 0.4)
        model = np.minimum((rng.random(n_s)[:, None] > plan.model_cdf[feature]).sum(axis=1), len(w.MODELS) - 1)
        dated = (model == w.MODEL_INDEX["gpt-4o"]) & (feature == w.FEATURE_INDEX["sql_copilot"])
        model = np.where(dated & (rng.random(n_s) < _DATED_SHARE), w.MODEL_INDEX["gpt-4o-2024-08-06"], model)
        model = np.where(is_batch, w.MODEL_INDEX["gpt-4o"], model)
        long_ctx = docs & (model == w.MODEL_INDEX["gemini-2.5-pro"]) & (rng.random(n_s) < _LONG_CONTEXT_SHARE)
        turns = np.where(bare | is_batch, 1, np.minimum(rng.geometric(1 / fa["turns"][feature]), 8))
        # traces
        session = np.repeat(np.arange(n_s), turns)
        first = np.concatenate([[0], np.cumsum(turns)[:-1]])
        turn = np.arange(len(session)) - first[session]
        tf = feature[session]
        plain = (bare | is_batch)[session]
        router = ((rng.random(len(session)) < fa["router"][tf]) & ~plain).astype(np.int64)
        embeds = np.where(plain, 0, _uniform_int(rng, fa["emb_lo"][tf], fa["emb_hi"][tf]))
        rerank = ((rng.random(len(session)) < fa["rerank"][tf]) & ~plain).astype(np.int64)
        steps = np.where(plain, 0, _uniform_int(rng, fa["steps_lo"][tf], fa["steps_hi"][tf]))
        checker = ((rng.random(len(session)) < fa["checker"][tf]) & ~plain).astype(np.int64)
        per_session = np.cumsum(np.add.reduceat(1 + router + embeds + rerank + steps + checker, first))
        whole = int(np.searchsorted(per_session, n, side="right"))
        rest = n - (int(per_session[whole - 1]) if whole else 0)
        if whole + rest <= n_s:
            break
        n_s *= 2
    # Sessions [0, whole) stay complete; sessions [whole, whole + rest) become one single call each.
    filler = session >= whole
    for structure in (router, embeds, rerank, steps, checker):
        structure[filler] = 0
    keep = np.flatnonzero((session < whole) | ((session < whole + rest) & (turn == 0)))
    k = whole + rest
    return _Layout(
        customer=customer[:k], feature=feature[:k], env=env[:k], nonprod=nonprod[:k],
        has_customer=(~nonprod | use_internal)[:k], internal=internal[:k], bare=bare[:k], key_only=key_only[:k],
        no_feature=no_feature[:k], is_batch=is_batch[:k], model=model[:k], long_ctx=long_ctx[:k],
        turns=np.where(np.arange(k) < whole, turns[:k], 1),
        session=session[keep], turn=turn[keep], router=router[keep], embeds=embeds[keep], rerank=rerank[keep],
        steps=steps[keep], checker=checker[keep],
    )  # fmt: skip


def _bulk_chunk(
    plan: _BulkPlan,
    chunk: int,
    n: int,
    event_offset: int,
    window: tuple[int, int],
    late: tuple[int, int],
    late_fraction: float,
    final: bool,
    totals: w.CostTotals | None,
) -> _Chunk:
    """Generate ``n`` events of one part (sessions -> traces -> calls, all arrays)."""
    rng = np.random.default_rng([plan.seed, 9001, chunk])
    fa = plan.f
    lay = _draw_layout(plan, rng, n)
    customer, feature, env, nonprod, has_customer, internal = (
        lay.customer, lay.feature, lay.env, lay.nonprod, lay.has_customer, lay.internal
    )  # fmt: skip
    bare, key_only, no_feature, is_batch, model, long_ctx, turns = (
        lay.bare, lay.key_only, lay.no_feature, lay.is_batch, lay.model, lay.long_ctx, lay.turns
    )  # fmt: skip
    t_session, t_turn = lay.session, lay.turn
    router, embeds, rerank, steps = lay.router, lay.embeds, lay.rerank, lay.steps
    calls = lay.calls
    n_s, n_t = len(customer), len(t_session)
    # ---- session times ------------------------------------------------------------------------
    lo, hi = window
    hi_eff = hi - _SESSION_MARGIN_MS if final and hi - lo > 2 * _SESSION_MARGIN_MS else hi
    s_time = lo + (rng.random(n_s) * (hi_eff - lo)).astype(np.int64)
    is_late = rng.random(n_s) < late_fraction
    late_lo, late_hi = late
    s_time = np.where(is_late, late_lo + (rng.random(n_s) * (late_hi - late_lo)).astype(np.int64), s_time)
    gap = (30_000 + rng.random(n_s) * 570_000).astype(np.int64)
    t_time = s_time[t_session] + t_turn * gap[t_session]
    # ---- calls ---------------------------------------------------------------------------------
    e_trace = np.repeat(np.arange(n_t), calls)
    tr_first = np.concatenate([[0], np.cumsum(calls)[:-1]])
    pos = np.arange(n) - tr_first[e_trace]
    b1 = router[e_trace]
    b2 = b1 + embeds[e_trace]
    b3 = b2 + rerank[e_trace]
    b4 = b3 + 1 + steps[e_trace]
    e_session = t_session[e_trace]
    e_feature = feature[e_session]
    role = np.select(
        [pos < b1, pos < b2, pos < b3, pos == b3, pos < b4],
        [_ROUTER, _EMBEDDING, _RERANK, _PRIMARY, _TOOL],
        default=fa["checker_role"][e_feature],
    )
    own = (role == _PRIMARY) | (role == _TOOL)
    e_model = np.where(own, model[e_session], plan.role_model[e_feature, role])
    ts = t_time[e_trace] + pos * 1500 + rng.integers(0, 1000, n)
    # tokens
    src = np.where(own & long_ctx[e_session], 3, fa["source"][e_feature])
    row = plan.tok_offset[src] + (rng.random(n) * plan.tok_length[src]).astype(np.int64)
    in_scale = np.where(src == 3, w.LONG_CONTEXT_SCALE, plan.in_scale[role, e_feature])
    inp = np.maximum(1, np.rint(plan.tok_in[row] * in_scale)).astype(np.int64)
    out = np.maximum(1, np.rint(plan.tok_out[row] * plan.out_scale[role, e_feature])).astype(np.int64)
    out = np.where(plan.model_embedding[e_model], 0, out)
    # prompt cache
    style = plan.model_cache[e_model]
    share = plan.prefix_share[rng.integers(0, len(plan.prefix_share), n_s)][e_session]
    cacheable = (inp * share).astype(np.int64) // 128 * 128
    cacheable = np.where((cacheable >= 1024) & (style > 0), cacheable, 0)
    first_call = (t_turn[e_trace] == 0) & (role == _PRIMARY)
    uc = rng.random(n)
    anth_write = (style == 1) & (first_call | (uc < 0.1))
    cache_write = np.where(anth_write, cacheable, 0)
    cache_read = np.where(((style == 1) & ~anth_write) | ((style == 2) & (~first_call | (uc < 0.3))), cacheable, 0)
    ttl_1h = (rng.random(n_s) < 0.04)[e_session]
    cache_write_1h = np.where(ttl_1h, cache_write, 0)
    # errors
    ue = rng.random(n)
    error = ue < _ERROR_RATE
    zero = ue < _ERROR_RATE * 0.6
    out = np.where(error, 0, out)
    inp, cache_read, cache_write, cache_write_1h = (
        np.where(zero, 0, a) for a in (inp, cache_read, cache_write, cache_write_1h)
    )
    reasoning_share = plan.model_reasoning[e_model]
    reasoning = (out * reasoning_share).astype(np.int64)
    batch = is_batch[e_session]
    latency = ((40 + out * plan.model_ms[e_model] + inp * 0.015) * np.exp(0.25 * rng.standard_normal(n))).astype(
        np.int64
    )
    latency = np.where(batch, 60_000 + (rng.random(n) * 21_600_000).astype(np.int64), latency)
    # ---- dimensions -----------------------------------------------------------------------------
    child = ~own
    bare_e = bare[e_session]
    thin_child = child & (rng.random(n) < 0.85)
    untagged_f = (no_feature | key_only)[e_session] | bare_e
    tagged = ~untagged_f
    has_cust = has_customer[e_session] & ~key_only[e_session] & ~bare_e & ~thin_child
    e_customer = customer[e_session]
    emp = rng.integers(0, 40, n_s)
    user_pick = plan.user_offset[customer] + (rng.random(n_s) ** 2 * plan.user_count[customer]).astype(np.int64)
    user_idx = np.where(nonprod, plan.n_customer_users + emp, user_pick)[e_session]
    has_user = ~key_only[e_session] & ~bare_e & ~thin_child
    feat_tag = tagged & ~thin_child
    agent_idx = fa["agent"][e_feature]
    env_e = env[e_session]
    env_tag = ~bare_e & np.where(tagged & ~thin_child, True, rng.random(n) < 0.5)
    region_tag = has_cust & (rng.random(n) < 0.85)
    dedicated_e = plan.dedicated_key[e_customer]
    integration = key_only[e_session] | (~nonprod[e_session] & (e_session % 2 == 0))
    key_idx = np.where(integration & (dedicated_e >= 0), dedicated_e, e_feature * 3 + env_e)
    key_idx = np.where(is_batch[e_session], plan.batch_key, key_idx)
    has_ticket = (fa["ticket"][e_feature] > 0) & ~bare_e & ~thin_child
    has_session = ~bare_e & ~thin_child
    has_trace = ~bare_e & ~batch
    has_meta = rng.random(n) < 0.85
    meta_idx = e_feature * plan.meta_per_feature + rng.integers(0, plan.meta_per_feature, n)
    # ---- ids -------------------------------------------------------------------------------------
    g_event = np.arange(event_offset, event_offset + n, dtype=np.int64)
    g_trace = (np.int64(chunk) << 24) | np.arange(n_t, dtype=np.int64)
    g_session = (np.int64(chunk) << 24) | np.arange(n_s, dtype=np.int64)
    parent_row = np.where(role == _TOOL, np.arange(n) - 1, tr_first[e_trace] + b3)  # tool steps chain
    request_ids = _hex_matrix("req_", plan.keys["req"], g_event)
    trace_ids = _hex_matrix("trc_", plan.keys["trc"], g_trace)
    offset_style = rng.random(n_s)
    zulu = (offset_style < 0.85)[e_session]
    local = (offset_style >= 0.93)[e_session]
    region_e = plan.customer_region[e_customer]
    offset_min = np.where(local, np.array([-300, 120, 540])[region_e], 0)
    tck = _ticket_matrix(plan, g_session, fa["ticket"][feature] == 2)
    d = plan.dict
    columns = {
        "request_id": _strings_from_matrix(request_ids),
        "trace_id": _strings_from_matrix(trace_ids[e_trace], valid=has_trace),
        "parent_request_id": _strings_from_matrix(request_ids[parent_row], valid=has_trace & (role != _PRIMARY)),
        "call_role": _dict_array(role, d["call_role"]),
        "occurred_at": iso_timestamps(ts, offset_min, zulu),
        "provider": _dict_array(plan.model_provider[e_model], d["provider"]),
        "model": _dict_array(e_model, d["model"]),
        "operation": _dict_array(plan.model_embedding[e_model].astype(np.int64), d["operation"]),
        "input_tokens": _int_array(inp),
        "output_tokens": _int_array(out),
        "cache_read_tokens": _int_array(cache_read),
        "cache_write_tokens": _int_array(cache_write),
        "cache_write_1h_tokens": _int_array(cache_write_1h),
        "reasoning_tokens": _int_array(reasoning, reasoning_share > 0),
        "is_batch": _bool_array(batch),
        "status": _dict_array(error.astype(np.int64), d["status"]),
        "latency_ms": _int_array(latency),
        "customer_id": _dict_array(e_customer, plan.customer_ids, has_cust),
        "user_id": _dict_array(user_idx, plan.users, has_user),
        "feature": _dict_array(e_feature, d["feature"], feat_tag),
        "team": _dict_array(fa["team"][e_feature], d["team"], feat_tag & (rng.random(n) < 0.7)),
        "agent": _dict_array(np.maximum(agent_idx, 0), d["agent"], feat_tag & (agent_idx >= 0)),
        "environment": _dict_array(env_e, d["environment"], env_tag),
        "region": _dict_array(region_e, d["region"], region_tag),
        "product": _dict_array(e_feature, d["product"], feat_tag & (rng.random(n) < 0.4)),
        "usage_type": _dict_array(internal[e_session].astype(np.int64), d["usage_type"], feat_tag),
        "session_id": _strings_from_matrix(
            _hex_matrix("ses_", plan.keys["ses"], g_session)[e_session], valid=has_session
        ),
        "ticket_id": _strings_from_matrix(tck[e_session], valid=has_ticket),
        "api_key_alias": _dict_array(key_idx, d["api_key_alias"], ~bare_e),
        "metadata": _dict_array(meta_idx, d["metadata"], has_meta),
    }
    table = pa.table(columns)
    # ---- approximate cost for the finance files -------------------------------------------------
    if totals is not None:
        day = np.clip((ts - plan.first_ms) // DAY_MS, 0, len(plan.days) - 1)
        cost = w.costs_from_units(plan.units, plan.threshold, e_model, day, inp, out, cache_read, cache_write, batch)
        cogs = ~nonprod[e_session] & ~internal[e_session]
        customer_e = np.where(has_customer[e_session], e_customer, -1)
        totals.add(plan.day_month[day], e_model, e_feature, customer_e, cogs, cost)
    # ---- outcomes: one per resolved ticket / completed agent task --------------------------------
    last_trace = np.concatenate([[0], np.cumsum(turns)[:-1]]) + turns - 1
    s_end = t_time[last_trace] + 60_000 + (rng.random(n_s) * 5_400_000).astype(np.int64)
    kind = np.where(feature == w.FEATURE_INDEX["support_assistant"], 1, np.where(fa["agent"][feature] >= 0, 2, 0))
    p_done = np.where(kind == 1, 0.7, 0.85)
    done = (kind > 0) & ~nonprod & ~bare & (rng.random(n_s) < p_done) & (s_end < window[1])
    idx = np.flatnonzero(done)
    outcome_cols = {
        "outcome_id": _hex_ids("out_", plan.keys["out"], g_session[idx]),
        "outcome_type": _dict_array(kind[idx] - 1, _OUTCOME_TYPES).dictionary_decode(),
        "occurred_at": iso_timestamps(s_end[idx] // 1000 * 1000, np.zeros(len(idx), np.int64), np.ones(len(idx), bool)),
        "customer_id": _dict_array(customer[idx], plan.customer_ids).dictionary_decode(),
        "feature": _dict_array(feature[idx], d["feature"]).dictionary_decode(),
        "agent": _dict_array(np.maximum(fa["agent"][feature[idx]], 0), d["agent"]).dictionary_decode(),
        "ticket_id": _strings_from_matrix(tck[idx], valid=fa["ticket"][feature[idx]] > 0),
        "trace_id": _strings_from_matrix(trace_ids[last_trace[idx]]),
    }
    return _Chunk(table, pa.table(outcome_cols), int(is_late[e_session].sum()))


def _lit(text: str) -> pa.Scalar:
    """A string scalar for compute functions (``pa.scalar`` would import pandas)."""
    return _str_array([text])[0]


def _joined_bytes(lines: pa.Array) -> memoryview:
    """The bytes of a string array without nulls, concatenated."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def _jsonl_bytes(table: pa.Table) -> memoryview:
    """Serialise a usage table to JSON Lines, leaving out null fields (string values need no escaping)."""
    empty = _lit("")
    pieces = []
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        if name == "metadata":
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":'), col, empty))
        elif name in _STRING_FIELDS:
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":"'), col, _lit('"'), empty))
        elif name == "is_batch":
            value = pc.if_else(col, _lit("true"), _lit("false"))
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":'), value, empty))
        else:
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":'), pc.cast(col, pa.string()), empty))
    body = pc.binary_join_element_wise(*pieces, _lit(","), null_handling="skip")
    return _joined_bytes(pc.binary_join_element_wise(_lit("{"), body, _lit("}\n"), empty))


class _UsageFile:
    """One usage file written part by part (Parquet row groups or appended JSON Lines)."""

    def __init__(self, path: Path, file_format: str):
        self.path = path
        self.file_format = file_format
        self._parquet: pq.ParquetWriter | None = None
        self._handle = path.open("wb") if file_format == "jsonl" else None

    def write(self, table: pa.Table) -> None:
        if self._handle is not None:
            self._handle.write(_jsonl_bytes(table))
            return
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(
                self.path,
                table.schema,
                compression="snappy",
                use_dictionary=list(_DICTIONARY_COLUMNS),
                write_statistics=list(_STATISTICS_COLUMNS),
                store_schema=False,
            )
        self._parquet.write_table(table)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._handle is not None:
            self._handle.close()


def _outcome_bytes(table: pa.Table) -> memoryview | bytes:
    """``outcomes.csv`` rows (no value needs quoting)."""
    if table.num_rows == 0:
        return b""
    cols = [table.column(c).combine_chunks() for c in CSV_COLUMNS["outcomes.csv"]]
    body = pc.binary_join_element_wise(*cols, _lit(","), null_handling="replace", null_replacement="")
    return _joined_bytes(pc.binary_join_element_wise(body, _lit("\n"), _lit("")))


def generate_events(
    out_dir: Path,
    *,
    events: int,
    days: int,
    start_date: date,
    customers: int,
    seed: int,
    file_format: str = "parquet",
    late_fraction: float = 0.0,
    file_prefix: str = "events",
    progress: bool = True,
    rows_per_file: int = ROWS_PER_FILE,
    write_csvs: bool = True,
    traces_dir: Path | None = None,
    rate_card: Path | None = None,
) -> GenerateSummary:
    """Write ``events`` clean usage events to ``out_dir/usage/<file_prefix>-NNNN.<format>``.

    Files hold ``rows_per_file`` rows each, in parts of at most ``PART_ROWS`` rows (Parquet row
    groups), and cover consecutive time windows of ``[start_date, start_date + days)``;
    ``late_fraction`` of the sessions instead fall in the ``LATE_WINDOW_DAYS`` days before
    ``start_date``. One part is generated while the previous one is written, so memory stays at
    about two parts whatever ``events`` is. With ``write_csvs`` the optional CSVs (customers,
    revenue, budgets, invoices sized from the approximate cost of the events...) are written too;
    pass ``write_csvs=False`` for a second batch into the same folder. Ids embed a key derived
    from ``seed`` and ``file_prefix``, so batches with different prefixes never share request
    ids; files of an earlier run with the same prefix are replaced. The bulk data has no bad
    lines, duplicates or unpriced models.
    """
    if events < 0 or days < 1 or customers < 4 or rows_per_file < 1:
        raise ValueError("need events >= 0, days >= 1, customers >= 4 and rows_per_file >= 1")
    if file_format not in ("parquet", "jsonl"):
        raise ValueError(f"file_format must be parquet or jsonl, not {file_format!r}")
    if not 0.0 <= late_fraction <= 1.0:
        raise ValueError("late_fraction must be between 0 and 1")
    began = time.perf_counter()
    out_dir = Path(out_dir)
    usage_dir = out_dir / "usage"
    usage_dir.mkdir(parents=True, exist_ok=True)
    own_file = re.compile(rf"^{re.escape(file_prefix)}-\d{{4}}\.(parquet|jsonl)$")
    for stale in sorted(usage_dir.iterdir()):  # files of an earlier run with this prefix
        if own_file.match(stale.name):
            stale.unlink()
    shapes = load_token_shapes(traces_dir)
    people = w.build_customers(customers, seed, days)
    first_day = start_date - timedelta(days=LATE_WINDOW_DAYS) if late_fraction > 0 else start_date
    last_day = start_date + timedelta(days=days - 1)
    discounts = w.demo_discounts(start_date)
    plan = _BulkPlan(shapes, people, seed, file_prefix, first_day, last_day, w.PriceBook.load(rate_card), discounts)
    totals = w.CostTotals.empty(first_day, last_day, len(people)) if write_csvs else None
    start_ms = _day_ms(start_date)
    span = days * DAY_MS
    late = (start_ms - LATE_WINDOW_DAYS * DAY_MS, start_ms - _SESSION_MARGIN_MS)
    # parts: (file index, rows, first event index)
    parts: list[tuple[int, int, int]] = []
    for f_index in range(math.ceil(events / rows_per_file)):
        file_rows = min(rows_per_file, events - f_index * rows_per_file)
        for p_start in range(0, file_rows, PART_ROWS):
            parts.append((f_index, min(PART_ROWS, file_rows - p_start), f_index * rows_per_file + p_start))
    files: list[str] = []
    late_events = 0
    inflight: list[tuple[Future, tuple | None]] = []

    def settle(keep: int) -> None:
        while len(inflight) > keep:
            future, info = inflight.pop(0)
            future.result()
            if info is not None and progress:
                name, rows, done = info
                elapsed = time.perf_counter() - began
                print(
                    f"[aicost generate] {name}: {rows:,} rows ({done:,}/{events:,} events, {elapsed:.1f} s elapsed)",
                    file=sys.stderr,
                    flush=True,
                )

    outcomes = (out_dir / "outcomes.csv").open("wb") if write_csvs else None
    try:
        if outcomes:
            outcomes.write((",".join(CSV_COLUMNS["outcomes.csv"]) + "\n").encode())
        with ThreadPoolExecutor(max_workers=1) as writer:
            current: _UsageFile | None = None
            for p_index, (f_index, rows, first_event) in enumerate(parts):
                if current is None:
                    name = f"usage/{file_prefix}-{f_index:04d}.{file_format}"
                    current = _UsageFile(out_dir / name, file_format)
                    files.append(name)
                window = (start_ms + span * first_event // events, start_ms + span * (first_event + rows) // events)
                chunk = _bulk_chunk(
                    plan, p_index, rows, first_event, window, late, late_fraction, p_index == len(parts) - 1, totals
                )
                late_events += chunk.late
                if outcomes:
                    outcomes.write(_outcome_bytes(chunk.outcomes))
                settle(keep=0)
                inflight.append((writer.submit(current.write, chunk.table), None))
                del chunk
                last_of_file = p_index == len(parts) - 1 or parts[p_index + 1][0] != f_index
                if last_of_file:
                    done = first_event + rows
                    file_rows = done - f_index * rows_per_file
                    inflight.append((writer.submit(current.close), (files[-1], file_rows, done)))
                    current = None
            settle(keep=0)
    finally:
        if outcomes:
            outcomes.close()
    csv_files: list[str] = []
    if totals is not None:
        fin = np.random.default_rng([seed, 505])
        tables = {
            "customers.csv": w.customer_rows(people),
            "customer_revenue.csv": w.revenue_rows(people, totals),
            "feature_owners.csv": w.feature_owner_rows(),
            "api_keys.csv": w.api_key_rows(people),
            "shared_costs.csv": w.shared_cost_rows(totals, customers / 200),
            "tenant_footprint.csv": w.footprint_rows(people, totals, fin),
            "budgets.csv": w.budget_rows(totals, people, fin),
            "provider_invoices.csv": w.invoice_rows(totals, fin),
            "price_adjustments.csv": w.price_adjustment_rows(discounts),
        }
        for name, rows_out in tables.items():
            _write_csv(out_dir / name, CSV_COLUMNS[name], rows_out)
        csv_files = sorted([*tables, "outcomes.csv"])
    seconds = time.perf_counter() - began
    if progress:
        print(
            f"[aicost generate] {events:,} events in {len(files)} files, {seconds:.1f} s "
            f"({events / max(seconds, 1e-9):,.0f} events/s) -> {out_dir}",
            file=sys.stderr,
            flush=True,
        )
    return GenerateSummary(out_dir, events, late_events, tuple(files), tuple(csv_files), start_date, days, seconds)


# --------------------------------------------------------------------------------------------
# Command line: aicost generate
# --------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``aicost generate`` (without ``--events`` it writes the demo world)."""
    parser.add_argument("--out", required=True, type=Path, help="raw folder to write (usage/ and the CSVs)")
    parser.add_argument(
        "--events", type=int, default=None, help="bulk mode: number of usage events (omit for the demo world)"
    )
    parser.add_argument("--days", type=int, default=None, help="days of data (default 92)")
    parser.add_argument("--customers", type=int, default=None, help="number of customers (default 200)")
    parser.add_argument(
        "--start-date",
        type=date.fromisoformat,
        default=None,
        help="first day, YYYY-MM-DD (default: the window ends on 2026-11-15)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--format",
        dest="file_format",
        choices=("parquet", "jsonl"),
        default="parquet",
        help="bulk mode file format (default parquet)",
    )
    parser.add_argument(
        "--late-fraction",
        type=float,
        default=0.0,
        help="bulk mode: share of events dated in the 3 days before --start-date",
    )
    parser.add_argument("--file-prefix", default="events", help="bulk mode: usage file name prefix")
    parser.add_argument("--rows-per-file", type=int, default=ROWS_PER_FILE, help="bulk mode: rows per file")
    parser.add_argument(
        "--no-csv",
        action="store_true",
        help="bulk mode: write usage files only (a second batch into an existing folder)",
    )
    parser.add_argument(
        "--traces-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="derive token sizes from the original public trace files in DIR instead of the sample packaged "
        "with aicost (the same rows; see ai_cost_attribution/data/README.md)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    """Run ``aicost generate``; returns the process exit code."""
    days = args.days if args.days is not None else 92
    customers = args.customers if args.customers is not None else 200
    try:
        if args.events is None:
            end = (args.start_date + timedelta(days=days - 1)) if args.start_date else DEFAULT_END_DATE
            summary = write_demo_world(
                args.out, seed=args.seed, end_date=end, days=days, customers=customers, traces_dir=args.traces_dir
            )
            if not args.quiet:
                bad = ", ".join(f"{k} {v}" for k, v in summary.bad_lines.items())
                print(
                    f"demo world: {summary.lines:,} usage lines ({summary.events:,} calls, {summary.traces:,} "
                    f"traces, {summary.duplicates} duplicates; bad lines: {bad}) "
                    f"{summary.start_date}..{summary.end_date} -> {summary.out_dir}"
                )
                print(
                    f"cost spike: {summary.spike.feature} / {summary.spike.customer_id} on {summary.spike.day} "
                    f"(~{summary.spike.cost_multiple}x its median day)"
                )
            return 0
        start = args.start_date or DEFAULT_END_DATE - timedelta(days=days - 1)
        generate_events(
            args.out,
            events=args.events,
            days=days,
            start_date=start,
            customers=customers,
            seed=args.seed,
            file_format=args.file_format,
            late_fraction=args.late_fraction,
            file_prefix=args.file_prefix,
            progress=not args.quiet,
            rows_per_file=args.rows_per_file,
            write_csvs=not args.no_csv,
            traces_dir=args.traces_dir,
        )
        return 0
    except (FileNotFoundError, ValueError) as error:
        print(f"aicost generate: {error}", file=sys.stderr)
        return 2
