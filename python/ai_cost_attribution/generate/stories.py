"""The demo world's stories, added to the simulated traffic: calls no price can cover, whole-document
digests above a long-context threshold, and one runaway agent loop (docs/demo_world.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ai_cost_attribution import world as w
from ai_cost_attribution.generate.clock import DAY_MS
from ai_cost_attribution.generate.demo import DemoSimulator, Session
from ai_cost_attribution.generate.draws import cumulative
from ai_cost_attribution.generate.traffic import EMPLOYEES, employee_id

UNPRICED_CALLS = 30
LONG_CONTEXT_CALLS = 25  # whole-document digests above 200k tokens
SPIKE_MULTIPLE = 6.0
SPIKE_FEATURE = "sales_insights"
SPIKE_MODEL = "claude-sonnet-4-5"


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


def add_unpriced_calls(sim: DemoSimulator) -> int:
    """A few calls of an internal experimental model that the rate card cannot price."""
    r = sim.r
    fi = w.FEATURE_INDEX["sales_insights"]
    count = max(2, min(40, round(UNPRICED_CALLS * min(1.0, sim.scale))))
    for _ in range(count):
        day = r.below(sim.days)
        ts = sim.start_ms + day * DAY_MS + (9 + r.below(9)) * 3_600_000 + int(r.u() * 3_600_000)
        ctx, gen = sim.token_row("conv")
        tags = {
            "user_id": employee_id(r.between(1, EMPLOYEES)),
            "feature": "sales_insights",
            "environment": "dev",
            "usage_type": "internal",
            "api_key_alias": w.feature_key_alias("sales_insights", "dev"),
        }
        tokens = (sim.scaled(ctx, 0.5), sim.scaled(gen, 0.5), 0, 0, 0)
        sim.emit(
            ts,
            w.MODEL_INDEX["gpt-internal-experimental"],
            "primary",
            tokens,
            tags,
            trace_id=sim.new_id("trc", "trc_"),
            feature=fi,
            may_fail=False,
        )
    return count


def add_long_context_calls(sim: DemoSimulator) -> int:
    """Whole-document digests on gemini-2.5-pro above its 200k-token long-context threshold."""
    r = sim.r
    fi = w.FEATURE_INDEX["doc_summarizer"]
    cdf = cumulative(c.weight if c.plan_tier == "enterprise" else 0.0 for c in sim.customers)
    count = max(2, round(LONG_CONTEXT_CALLS * min(1.0, sim.scale)))
    for _ in range(count):
        customer = r.pick(cdf)
        c = sim.customers[customer]
        day = max(r.below(sim.days), c.active_from_day)
        ts = sim.start_ms + day * DAY_MS + (8 + r.below(10)) * 3_600_000 + int(r.u() * 3_600_000)
        ctx, gen = sim.token_row("long")
        tags = {
            "customer_id": c.customer_id,
            "user_id": c.user_id(int(c.users * r.u())),
            "feature": "doc_summarizer",
            "environment": "prod",
            "region": c.region,
            "usage_type": "external",
            "session_id": sim.new_id("ses", "ses_"),
            "api_key_alias": w.feature_key_alias("doc_summarizer", "prod"),
        }
        tokens = (sim.scaled(ctx, w.LONG_CONTEXT_SCALE), sim.scaled(gen, 1.0), 0, 0, 0)
        sim.emit(
            ts,
            w.MODEL_INDEX["gemini-2.5-pro"],
            "primary",
            tokens,
            tags,
            trace_id=sim.new_id("trc", "trc_"),
            feature=fi,
            customer=customer,
            cogs=True,
            region=c.region,
            may_fail=False,
        )
    return count


def inject_spike(sim: DemoSimulator) -> SpikeInfo:
    """A runaway research agent: one customer's sales_insights loop on one recent day."""
    r = sim.r
    fi = w.FEATURE_INDEX[SPIKE_FEATURE]
    facts = [f for f in sim.facts if f.feature == fi]
    cost = np.nan_to_num(sim.costs(facts))
    daily = np.zeros(sim.days)
    np.add.at(daily, np.array([(f.ts - sim.start_ms) // DAY_MS for f in facts], dtype=np.int64), cost)
    typical = float(np.median(daily)) if sim.days else 0.0
    recent = min(sim.days, 30)
    day = sim.days - 1 - r.between(2, max(2, recent - 2)) if sim.days > 4 else sim.days - 1
    day = max(0, day)
    candidates = [i for i, c in enumerate(sim.customers) if c.plan_tier == "enterprise"]
    customer = max(candidates, key=lambda i: (sim.customers[i].weight, -i))
    c = sim.customers[customer]
    target = max(typical, 0.05) * SPIKE_MULTIPLE - daily[day]
    model = w.MODEL_INDEX[SPIKE_MODEL]
    s = Session(
        feature=fi,
        env="prod",
        customer=customer,
        user_id=c.user_id(0),
        usage_type="external",
        variant="tagged",
        model=model,
        source="mooncake",
        input_scale=0.5,
        session_id=sim.new_id("ses", "ses_"),
        ticket_id=None,
        region=c.region,
        share=0.5,
        ttl_1h=False,
    )
    s.tags = {
        "customer_id": c.customer_id,
        "user_id": s.user_id or "",
        "feature": SPIKE_FEATURE,
        "team": w.FEATURES[fi].team,
        "agent": "research_agent",
        "environment": "prod",
        "region": c.region,
        "usage_type": "external",
        "session_id": s.session_id,
        "api_key_alias": w.feature_key_alias(SPIKE_FEATURE, "prod"),
    }
    truth = {"feature": fi, "customer": customer, "cogs": True, "region": c.region}
    t = sim.start_ms + day * DAY_MS + 13 * 3_600_000 + int(r.u() * 600_000)
    first = len(sim.facts)
    added = 0.0
    while added < target and t < sim.start_ms + (day + 1) * DAY_MS - 3_600_000:
        trace_id = sim.new_id("trc", "trc_")
        ctx, gen = sim.token_row("mooncake")
        inp, out = sim.scaled(ctx, 0.5), sim.scaled(gen, 1.0)
        parent, t = sim.emit(
            t, model, "primary", (inp, out, 0, inp, 0), s.tags, trace_id=trace_id, may_fail=False, **truth
        )
        _, t = sim.agent_loop(s, t, 30, inp, out, parent, trace_id, truth)
        added = float(np.nansum(sim.costs(sim.facts[first:])))
        t += 60_000
    multiple = (daily[day] + added) / typical if typical > 0 else float("inf")
    return SpikeInfo(
        day=sim.start + timedelta(days=day),
        feature=SPIKE_FEATURE,
        agent="research_agent",
        customer_id=c.customer_id,
        model=SPIKE_MODEL,
        extra_calls=len(sim.facts) - first,
        cost_multiple=round(float(multiple), 1),
    )
