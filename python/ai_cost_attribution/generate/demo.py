"""The demo world's traffic, simulated call by call (docs/demo_world.md).

Sessions of each feature arrive on local business hours, weekdays and a growing trend; each
session carries its prompt-cache state from call to call, traces fan out into routers,
retrievals, agent loops and checkers, and every call keeps the truth behind its (possibly
missing) tags, so the demo's stories can be told and checked. The injected stories (unpriced
calls, long-context digests, the cost spike) are :mod:`.stories`; the rules shared with the bulk
generator are :mod:`.traffic`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from ai_cost_attribution import world as w
from ai_cost_attribution.generate.clock import (
    DAY_MS,
    REGION_OFFSET_MIN,
    day_factor,
    day_ms,
    format_occurred_at,
    utc_hour_cdf,
)
from ai_cost_attribution.generate.draws import Draws, cumulative
from ai_cost_attribution.generate.ids import id_text, namespace
from ai_cost_attribution.generate.traffic import (
    BARE_BELOW,
    BATCH_LATENCY_MIN_MS,
    BATCH_LATENCY_SPAN_MS,
    CHILD_THIN_TAGS_SHARE,
    DATED_SHARE,
    EMPLOYEES,
    ENV_CDF,
    ERROR_RATE,
    ERROR_WITHOUT_PROMPT_SHARE,
    KEY_ONLY_BELOW,
    LATENCY_SIGMA,
    MAX_TURNS,
    METADATA_SHARE,
    MIN_CACHED_PREFIX_TOKENS,
    NO_FEATURE_BELOW,
    NONPROD_INTERNAL_CUSTOMER_SHARE,
    OPENAI_COLD_READ_SHARE,
    PRODUCT_TAG_SHARE,
    REGION_TAG_SHARE,
    SDKS,
    TEAM_TAG_SHARE,
    TICKET_RESOLVED_SHARE,
    TTL_1H_SHARE,
    UNTAGGED_ENVIRONMENT_SHARE,
    employee_id,
    whole_blocks,
    work_ms,
)
from ai_cost_attribution.token_shapes import TokenShapes, scale_token_count

BATCH_PER_NIGHT = 110  # nightly doc_summarizer batch requests at the default scale
_TEXT_SHARE = 0.03  # of primary calls that still carry prompt/response text
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
class Session:
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
class Fact:
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


class DemoSimulator:
    """The demo company, call by call: sessions -> traces -> calls, with their cache state."""

    def __init__(
        self,
        shapes: TokenShapes,
        customers: list[w.Customer],
        start: date,
        days: int,
        seed: int,
        scale: float,
        prices: w.UnitPrices,
    ):
        self.r = Draws(np.random.default_rng([seed, 202]))
        self.rng = np.random.default_rng([seed, 203])
        self.shapes = shapes
        self.customers = customers
        self.start = start
        self.days = days
        self.scale = scale
        self.prices = prices
        self.start_ms = day_ms(start)
        self.end_ms = self.start_ms + days * DAY_MS
        self.facts: list[Fact] = []
        self.outcomes: list[dict[str, str]] = []
        self.keys = {k: namespace(seed, f"demo-{k}") for k in ("req", "trc", "ses", "tck", "pr")}
        self.counters = dict.fromkeys(self.keys, 0)
        self.hour_cdf = {region: utc_hour_cdf(region) for region in REGION_OFFSET_MIN}
        self.internal = [i for i, c in enumerate(customers) if c.is_internal]
        self.dedicated = {c.customer_id for c in w.dedicated_key_customers(customers)}
        self.model_cdf = [
            ([w.MODEL_INDEX[m] for m, _ in f.primary_models], cumulative(p for _, p in f.primary_models))
            for f in w.FEATURES
        ]
        self.router_cdf = [
            ([w.MODEL_INDEX[m] for m, _ in f.router_models], cumulative(p for _, p in f.router_models))
            for f in w.FEATURES
        ]

    # ---- ids -------------------------------------------------------------------------------
    def new_id(self, kind: str, prefix: str) -> str:
        self.counters[kind] += 1
        return id_text(prefix, self.keys[kind], self.counters[kind])

    def _ticket(self, prefix: str) -> str:
        kind = "pr" if prefix == "PR" else "tck"
        self.counters[kind] += 1
        return f"{prefix}-{100000 + self.counters[kind]}"

    # ---- tokens ----------------------------------------------------------------------------
    def token_row(self, source: str) -> tuple[int, int]:
        i = self.r.below(len(self.shapes.inputs[source]))
        return int(self.shapes.inputs[source][i]), int(self.shapes.outputs[source][i])

    @staticmethod
    def scaled(value: int, factor: float) -> int:
        return scale_token_count(value, factor)

    def _cache(self, s: Session, spec: w.ModelSpec, tokens: int, ts: int) -> tuple[int, int, int]:
        """(cache_read, cache_write, cache_write_1h) for a call that sends the session's prefix."""
        if spec.cache_style is None or tokens < MIN_CACHED_PREFIX_TOKENS:
            return 0, 0, 0
        if s.prefix is None:
            s.prefix = whole_blocks(int(tokens * s.share))
        prefix = min(s.prefix, whole_blocks(tokens))
        if prefix < MIN_CACHED_PREFIX_TOKENS:
            return 0, 0, 0
        warm = s.warm_until >= ts
        if spec.cache_style == "openai":
            s.warm_until = ts + 300_000
            return (prefix if warm or self.r.chance(OPENAI_COLD_READ_SHARE) else 0), 0, 0
        s.warm_until = ts + (3_600_000 if s.ttl_1h else 300_000)
        if warm:
            return prefix, 0, 0
        return 0, prefix, (prefix if s.ttl_1h else 0)

    # ---- one call --------------------------------------------------------------------------
    def emit(
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
        if may_fail and r.chance(ERROR_RATE):
            status = "error"
            out = 0
            if r.chance(ERROR_WITHOUT_PROMPT_SHARE):
                inp = read = write = write_1h = 0
        request_id = request_id or self.new_id("req", "req_")
        offset = None if r.chance(0.8) else (0 if r.chance(0.5) else REGION_OFFSET_MIN[region])
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
            latency = int(BATCH_LATENCY_MIN_MS + r.u() * BATCH_LATENCY_SPAN_MS)
        else:
            work = work_ms(out, inp, spec.ms_per_output_token)
            latency = int(work * r.lognormal(LATENCY_SIGMA)) if status == "success" else int(200 + 800 * r.u())
        event["latency_ms"] = latency
        event.update(tags)  # tags are built in the order a gateway writes them
        if r.chance(METADATA_SHARE):
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
            Fact(
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
        lang, sdk, version = SDKS[r.below(len(SDKS))]
        meta: dict = {"sdk": sdk, "sdk_version": version, "sdk_language": lang, "gateway": "litellm"}
        if feature >= 0:
            meta["prompt_version"] = f"{w.FEATURES[feature].name}-v{3 + r.below(3)}"
        if r.chance(0.05):
            meta["experiment"] = {"name": "shorter-system-prompt", "arm": "b" if r.chance(0.5) else "a"}
        return meta

    # ---- sessions and traces ----------------------------------------------------------------
    def _customer_cdf(self, feature: int, day: int) -> list[float]:
        affinity = w.FEATURES[feature].tier_affinity
        return cumulative(
            (c.weight * affinity[c.tier_index] if c.active_from_day <= day else 0.0) for c in self.customers
        )

    def _session(self, fi: int, day: int, customer_cdf: list[float]) -> None:
        r = self.r
        f = w.FEATURES[fi]
        env = w.ENVIRONMENTS[r.pick(ENV_CDF)]
        if env == "prod":
            customer = r.pick(customer_cdf)
            c = self.customers[customer]
            usage_type = "internal" if c.is_internal else "external"
            user_id: str | None = c.user_id(int(c.users * r.u() ** 2))
            region = c.region
        else:
            customer = self.internal[r.below(len(self.internal))] if r.chance(NONPROD_INTERNAL_CUSTOMER_SHARE) else -1
            usage_type = "internal"
            user_id = employee_id(r.between(1, EMPLOYEES))
            region = "us"
        variant = "tagged"
        if env == "prod" and usage_type == "external":
            u = r.u()
            if u < BARE_BELOW:
                variant = "bare"
            elif u < KEY_ONLY_BELOW and self.customers[customer].customer_id in self.dedicated:
                variant = "key_only"
            elif u < NO_FEATURE_BELOW:
                variant = "no_feature"
        models, cdf = self.model_cdf[fi]
        model = models[r.pick(cdf)]
        if f.name == "sql_copilot" and w.MODELS[model].model == "gpt-4o" and r.chance(DATED_SHARE):
            model = w.MODEL_INDEX["gpt-4o-2024-08-06"]
        s = Session(
            feature=fi,
            env=env,
            customer=customer,
            user_id=user_id,
            usage_type=usage_type,
            variant=variant,
            model=model,
            source=f.token_source,
            input_scale=f.input_scale,
            session_id=self.new_id("ses", "ses_"),
            ticket_id=self._ticket(f.ticket_prefix) if f.ticket_prefix else None,
            region=region,
            share=float(self.shapes.prefix_share[r.below(len(self.shapes.prefix_share))]),
            ttl_1h=r.chance(TTL_1H_SHARE),
        )
        s.tags = self._session_tags(s)
        hour = r.pick(self.hour_cdf[region])
        ts = self.start_ms + day * DAY_MS + hour * 3_600_000 + int(r.u() * 3_600_000)
        turns = 1 if variant == "bare" else r.geometric(f.turns_mean, MAX_TURNS)
        last_trace, last_end = None, ts
        for _ in range(turns):
            if ts >= self.end_ms - 600_000:
                break
            last_trace, last_end = self._trace(s, ts)
            ts = last_end + int(20_000 + 240_000 * r.lognormal(0.9))
        if last_trace and env == "prod" and customer >= 0:
            self._outcome(s, last_trace, last_end)

    def _session_tags(self, s: Session) -> dict[str, str]:
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
            if r.chance(TEAM_TAG_SHARE):
                tags["team"] = f.team
            if f.agent:
                tags["agent"] = f.agent
        if s.variant == "tagged" or r.chance(UNTAGGED_ENVIRONMENT_SHARE):
            tags["environment"] = s.env
        if c is not None and r.chance(REGION_TAG_SHARE):
            tags["region"] = c.region
        if s.variant == "tagged" and r.chance(PRODUCT_TAG_SHARE):
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

    def _child_tags(self, s: Session) -> dict[str, str]:
        """Router / checker / retrieval calls: usually only the key and environment."""
        if self.r.chance(1 - CHILD_THIN_TAGS_SHARE):
            return dict(s.tags)
        tags = {k: s.tags[k] for k in ("environment", "api_key_alias") if k in s.tags}
        if "environment" in tags and self.r.chance(1 - UNTAGGED_ENVIRONMENT_SHARE):
            del tags["environment"]
        return tags

    def _trace(self, s: Session, ts: int) -> tuple[str | None, int]:
        r = self.r
        f = w.FEATURES[s.feature]
        cogs = s.env == "prod" and s.usage_type == "external"
        truth = {"feature": s.feature, "customer": s.customer, "cogs": cogs, "region": s.region}
        if s.variant == "bare":
            ctx, gen = self.token_row(s.source)
            spec = w.MODELS[s.model]
            inp, out = self.scaled(ctx, s.input_scale), self.scaled(gen, f.output_scale)
            read, write, write_1h = self._cache(s, spec, inp, ts)
            _, end = self.emit(ts, s.model, "primary", (inp, out, read, write, write_1h), {}, **truth)
            return None, end
        trace_id = self.new_id("trc", "trc_")
        primary_id = self.new_id("req", "req_")
        ids = {"trace_id": trace_id, "parent": primary_id}
        ctx, gen = self.token_row(s.source)
        t = ts
        if r.chance(f.router_share):
            models, cdf = self.router_cdf[s.feature]
            tokens = (self.scaled(ctx, w.ROUTER_INPUT_SCALE), self.scaled(gen, w.ROUTER_OUTPUT_SCALE), 0, 0, 0)
            _, t = self.emit(t, models[r.pick(cdf)], "router", tokens, self._child_tags(s), **ids, **truth)
        if f.embedding_calls[1]:
            for _ in range(r.between(*f.embedding_calls)):
                tokens = (self.scaled(ctx, w.EMBEDDING_INPUT_SCALE), 0, 0, 0, 0)
                _, t = self.emit(
                    t, w.MODEL_INDEX["text-embedding-3-small"], "embedding", tokens, self._child_tags(s), **ids, **truth
                )
        if r.chance(f.rerank_share):
            tokens = (self.scaled(ctx, w.RERANK_INPUT_SCALE), self.scaled(gen, w.RERANK_OUTPUT_SCALE), 0, 0, 0)
            _, t = self.emit(
                t, w.MODEL_INDEX["llama-3.1-70b-instruct"], "rerank", tokens, self._child_tags(s), **ids, **truth
            )
        spec = w.MODELS[s.model]
        inp, out = self.scaled(ctx, s.input_scale), self.scaled(gen, f.output_scale)
        read, write, write_1h = self._cache(s, spec, inp, t)
        text = r.chance(_TEXT_SHARE)
        _, t = self.emit(
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
            parent, t = self.agent_loop(s, t, steps, inp, out, parent, trace_id, truth)
        if r.chance(f.checker_share):
            tokens = (inp + out, self.scaled(gen, w.CHECKER_OUTPUT_SCALE), 0, 0, 0)
            _, t = self.emit(
                t + 5, w.MODEL_INDEX[f.checker_model], f.checker_role, tokens, self._child_tags(s), **ids, **truth
            )
        return trace_id, t

    def agent_loop(
        self,
        s: Session,
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
            _, tool_result = self.token_row("conv")
            _, gen = self.token_row(s.source)
            step_in = inp + out + self.scaled(tool_result, 3.0)
            if step_in > cap:  # the framework compacts the conversation
                step_in = self.scaled(step_in, 0.15)
                inp = 0
            step_out = self.scaled(gen, f.output_scale)
            read = whole_blocks(inp) if spec.cache_style and inp >= MIN_CACHED_PREFIX_TOKENS else 0
            write = step_in - read if spec.cache_style == "anthropic" else 0
            parent, t = self.emit(
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

    def _outcome(self, s: Session, trace_id: str, end: int) -> None:
        r = self.r
        f = w.FEATURES[s.feature]
        done_at = end + int(60_000 + r.u() * 90 * 60_000)
        if done_at >= self.end_ms:
            return
        if f.name == "support_assistant":
            kind, p = "ticket_resolved", TICKET_RESOLVED_SHARE
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
            level = day_factor(current, day, self.days) * self.scale * self.r.lognormal(0.08)
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
        cdf = cumulative(weights)
        t = self.start_ms + day * DAY_MS + 3_600_000 + int(r.u() * 600_000)
        for _ in range(int(self.rng.poisson(BATCH_PER_NIGHT * level))):
            customer = r.pick(cdf)
            c = self.customers[customer]
            model = w.MODEL_INDEX["gpt-4o"] if r.chance(0.7) else w.MODEL_INDEX["claude-haiku-4-5"]
            ctx, gen = self.token_row("mooncake")
            tags = {
                "customer_id": c.customer_id,
                "feature": "doc_summarizer",
                "team": "knowledge",
                "environment": "prod",
                "region": c.region,
                "usage_type": "external",
                "api_key_alias": w.BATCH_KEY_ALIAS,
            }
            tokens = (self.scaled(ctx, 0.5), self.scaled(gen, 1.0), 0, 0, 0)
            self.emit(
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

    def costs(self, facts: Sequence[Fact]) -> np.ndarray:
        """Approximate effective cost of calls (NaN for unpriced)."""
        if not facts:
            return np.zeros(0)
        day = np.array([min(self.days - 1, (f.ts - self.start_ms) // DAY_MS) for f in facts])
        model = np.array([f.model for f in facts])
        tokens = [
            np.array([f.event.get(k, 0) for f in facts], dtype=np.float64)
            for k in (
                "input_tokens",
                "output_tokens",
                "cache_read_tokens",
                "cache_write_tokens",
                "cache_write_1h_tokens",
            )
        ]
        batch = np.array([f.is_batch for f in facts])
        return w.effective_costs(self.prices, model, day, *tokens, batch)
