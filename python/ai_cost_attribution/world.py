"""The demo company: its features, teams, agents, models, customers, API keys and prices.

Everything here is data or a pure function of a seed, shared by the demo world writer and the
bulk event generator (the ``generate`` package). Nothing reads the clock or iterates an unordered set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from ai_cost_attribution.pricing import Discount, PriceList, applied_prices, billed_tokens, discount_factor
from ai_cost_attribution.project import project_root

# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """One (provider, model) pair as a gateway reports it."""

    provider: str
    model: str
    cache_style: str | None  # "anthropic" (explicit writes + reads), "openai" (automatic reads), None
    ms_per_output_token: float
    reasoning_share: float = 0.0  # share of output tokens that are reasoning ("thinking") tokens
    operation: str = "chat"


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("openai", "gpt-4o", "openai", 12.0),
    ModelSpec("openai", "gpt-4o-mini", "openai", 6.0),
    ModelSpec("openai", "text-embedding-3-small", None, 0.0, operation="embeddings"),
    ModelSpec("anthropic", "claude-sonnet-4-5", "anthropic", 14.0),
    ModelSpec("anthropic", "claude-haiku-4-5", "anthropic", 5.0),
    ModelSpec("google", "gemini-2.5-pro", None, 11.0, reasoning_share=0.55),
    ModelSpec("google", "gemini-2.5-flash", None, 4.0, reasoning_share=0.35),
    ModelSpec("self_hosted", "llama-3.1-70b-instruct", None, 20.0),
    # A dated snapshot that only the rate card's alias rule prices (as gpt-4o).
    ModelSpec("openai", "gpt-4o-2024-08-06", "openai", 12.0),
    # A model with no price anywhere: every call becomes an ``unpriced_model`` reject.
    ModelSpec("openai", "gpt-internal-experimental", None, 9.0),
)
MODEL_INDEX: dict[str, int] = {m.model: i for i, m in enumerate(MODELS)}
API_PROVIDERS: tuple[str, ...] = ("openai", "anthropic", "google")

# --------------------------------------------------------------------------------------------
# Features, teams, agents
# --------------------------------------------------------------------------------------------

TEAMS: tuple[str, ...] = ("support_ai", "knowledge", "developer_tools", "growth")
AGENTS: tuple[str, ...] = ("support_agent", "triage_agent", "coding_agent", "research_agent")
TIERS: tuple[str, ...] = ("free", "pro", "enterprise", "internal")
REGIONS: tuple[str, ...] = ("us", "eu", "apac")


@dataclass(frozen=True)
class FeatureSpec:
    """How one product feature calls models. Rates are traces per weekday for 200 customers."""

    name: str
    team: str
    product: str
    traces_per_day: float
    token_source: str  # a token_shapes source: conv, code, mooncake
    input_scale: float
    output_scale: float
    primary_models: tuple[tuple[str, float], ...]
    turns_mean: float = 1.0  # traces per session (conversation turns, follow-ups)
    agent: str | None = None
    agent_steps: tuple[int, int] = (0, 0)  # extra model calls of an agent loop (call_role tool)
    router_share: float = 0.0
    router_models: tuple[tuple[str, float], ...] = (("gpt-4o-mini", 1.0),)
    checker_share: float = 0.0
    checker_role: str = "evaluator"  # evaluator or guardrail
    checker_model: str = "claude-haiku-4-5"
    embedding_calls: tuple[int, int] = (0, 0)
    rerank_share: float = 0.0
    ticket_prefix: str | None = None  # calls carry ticket_id (a helpdesk ticket or a work item)
    tier_affinity: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)  # free, pro, ent, internal

    def expected_calls_per_trace(self) -> float:
        """Mean number of usage events one trace of this feature produces."""
        steps = (self.agent_steps[0] + self.agent_steps[1]) / 2
        embeds = (self.embedding_calls[0] + self.embedding_calls[1]) / 2
        return 1 + steps + self.router_share + self.checker_share + embeds + self.rerank_share


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        name="support_assistant",
        team="support_ai",
        product="helpdesk",
        traces_per_day=300,
        token_source="conv",
        input_scale=8.0,
        output_scale=1.5,
        primary_models=(("claude-sonnet-4-5", 0.85), ("gpt-4o", 0.15)),
        turns_mean=2.4,
        agent="support_agent",
        router_share=0.7,
        checker_share=0.5,
        checker_role="guardrail",
        checker_model="claude-haiku-4-5",
        ticket_prefix="TCK",
    ),
    FeatureSpec(
        name="ticket_triage",
        team="support_ai",
        product="helpdesk",
        traces_per_day=260,
        token_source="conv",
        input_scale=2.5,
        output_scale=0.3,
        primary_models=(("claude-haiku-4-5", 0.55), ("llama-3.1-70b-instruct", 0.30), ("gemini-2.5-flash", 0.15)),
        agent="triage_agent",
        agent_steps=(0, 2),
        ticket_prefix="TCK",
        tier_affinity=(0.5, 1.0, 1.0, 1.0),
    ),
    FeatureSpec(
        name="knowledge_search",
        team="knowledge",
        product="knowledge_base",
        traces_per_day=200,
        token_source="conv",
        input_scale=6.0,
        output_scale=1.0,
        primary_models=(("gpt-4o", 0.5), ("gemini-2.5-flash", 0.5)),
        turns_mean=1.5,
        embedding_calls=(1, 3),
        rerank_share=0.6,
    ),
    FeatureSpec(
        name="doc_summarizer",
        team="knowledge",
        product="knowledge_base",
        traces_per_day=35,
        token_source="mooncake",
        input_scale=1.5,
        output_scale=1.0,
        primary_models=(("gemini-2.5-pro", 0.7), ("claude-sonnet-4-5", 0.3)),
        tier_affinity=(0.3, 1.0, 1.0, 1.0),
    ),
    FeatureSpec(
        name="code_review",
        team="developer_tools",
        product="devtools",
        traces_per_day=90,
        token_source="code",
        input_scale=5.0,
        output_scale=12.0,
        primary_models=(("claude-sonnet-4-5", 1.0),),
        agent="coding_agent",
        agent_steps=(1, 5),
        checker_share=0.3,
        checker_role="evaluator",
        checker_model="gpt-4o-mini",
        ticket_prefix="PR",
        tier_affinity=(0.0, 1.0, 1.0, 1.0),
    ),
    FeatureSpec(
        name="sql_copilot",
        team="developer_tools",
        product="analytics_studio",
        traces_per_day=130,
        token_source="code",
        input_scale=3.0,
        output_scale=5.0,
        primary_models=(("gpt-4o", 0.6), ("gpt-4o-mini", 0.3), ("llama-3.1-70b-instruct", 0.1)),
        turns_mean=2.0,
        router_share=0.4,
        router_models=(("gemini-2.5-flash", 1.0),),
        tier_affinity=(0.3, 1.0, 1.0, 1.0),
    ),
    FeatureSpec(
        name="email_drafter",
        team="growth",
        product="outreach",
        traces_per_day=160,
        token_source="conv",
        input_scale=2.0,
        output_scale=1.2,
        primary_models=(("gpt-4o-mini", 0.6), ("gemini-2.5-flash", 0.4)),
        turns_mean=1.5,
        checker_share=0.3,
        checker_role="guardrail",
        checker_model="gpt-4o-mini",
    ),
    FeatureSpec(
        name="sales_insights",
        team="growth",
        product="revenue_intelligence",
        traces_per_day=40,
        token_source="mooncake",
        input_scale=1.0,
        output_scale=1.0,
        primary_models=(("gemini-2.5-pro", 0.6), ("claude-sonnet-4-5", 0.4)),
        agent="research_agent",
        agent_steps=(1, 4),
        checker_share=0.5,
        checker_role="evaluator",
        checker_model="claude-haiku-4-5",
        tier_affinity=(0.0, 0.5, 1.0, 1.0),
    ),
)
FEATURE_INDEX: dict[str, int] = {f.name: i for i, f in enumerate(FEATURES)}

# Embedding calls embed the user's query: a small slice of the conversation trace's context.
EMBEDDING_INPUT_SCALE = 0.05
# Rerank calls (self-hosted) read the retrieved passages and emit a short ranking.
RERANK_INPUT_SCALE = 3.0
RERANK_OUTPUT_SCALE = 0.05
# Routers read part of the prompt and answer with a label; checkers read the prompt and answer.
ROUTER_INPUT_SCALE = 0.5
ROUTER_OUTPUT_SCALE = 0.03
CHECKER_OUTPUT_SCALE = 0.1
# Long-context digests: Mooncake rows above 100k tokens, doubled (always above 200k).
LONG_CONTEXT_SCALE = 2.0


def feature_owner_rows() -> list[dict[str, str]]:
    """``feature_owners.csv``: feature -> team, product."""
    return [{"feature": f.name, "team": f.team, "product": f.product} for f in FEATURES]


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------

# fmt: off
_NAME_FIRST = (
    "Acorn", "Alder", "Amber", "Apex", "Arbor", "Atlas", "Aurora", "Basalt", "Beacon", "Birch", "Blue", "Bright",
    "Cedar", "Cinder", "Cobalt", "Copper", "Coral", "Crest", "Delta", "Ember", "Falcon", "Fern", "Flint", "Granite",
    "Harbor", "Hazel", "Indigo", "Iron", "Juniper", "Kestrel", "Lark", "Linden", "Maple", "Meadow", "Nimbus", "North",
    "Oak", "Onyx", "Orchid", "Pine", "Quartz", "Raven", "Ridge", "River", "Sable", "Sage", "Silver", "Spruce",
    "Summit", "Tidal",
)
_NAME_SECOND = (
    "Analytics", "Bank", "Bio", "Cloud", "Data", "Dental", "Energy", "Foods", "Freight", "Games", "Health", "Homes",
    "Insurance", "Labs", "Legal", "Logistics", "Media", "Motors", "Networks", "Partners", "Pay", "Retail", "Robotics",
    "Security", "Software", "Studios", "Systems", "Travel",
)
# fmt: on
_INTERNAL_NAMES = (
    "Internal - QA sandbox",
    "Internal - Sales demos",
    "Internal - Support team",
    "Internal - Data science",
    "Internal - Product design",
)


@dataclass(frozen=True)
class Customer:
    """One tenant of the demo company."""

    customer_id: str
    customer_name: str
    plan_tier: str
    segment: str
    region: str
    is_internal: bool
    users: int
    weight: float  # relative traffic
    active_from_day: int  # day index of the first call (0 = first day of the window)
    heavy: bool  # a paying customer whose AI cost is meant to exceed its revenue
    seats_price_usd: float  # monthly list revenue (0 for free and internal)

    @property
    def tier_index(self) -> int:
        return TIERS.index(self.plan_tier)

    def user_id(self, k: int) -> str:
        return f"{self.customer_id}-u{k:04d}"


def build_customers(n: int, seed: int, days: int) -> list[Customer]:
    """The demo company's ``n`` customers: 60 % free, 30 % pro, 10 % enterprise, ~2 % internal."""
    if n < 4:
        raise ValueError("the demo world needs at least 4 customers")
    rng = np.random.default_rng([seed, 101])
    n_internal = max(1, round(n * 0.02))
    n_enterprise = max(1, round(n * 0.10))
    n_pro = max(1, round(n * 0.30))
    n_free = n - n_internal - n_enterprise - n_pro
    tiers = ["free"] * n_free + ["pro"] * n_pro + ["enterprise"] * n_enterprise
    tiers = [tiers[i] for i in rng.permutation(len(tiers))] + ["internal"] * n_internal
    combos = len(_NAME_FIRST) * len(_NAME_SECOND)
    name_order = rng.permutation(combos)
    pro_seen = 0
    customers: list[Customer] = []
    for i, tier in enumerate(tiers):
        cid = f"cust_{i + 1:04d}"
        if tier == "internal":
            k = i - (n - n_internal)
            name = _INTERNAL_NAMES[k % len(_INTERNAL_NAMES)] + (f" {k // len(_INTERNAL_NAMES) + 1}" if k >= 5 else "")
        else:
            code = int(name_order[i % combos])
            name = f"{_NAME_FIRST[code // len(_NAME_SECOND)]} {_NAME_SECOND[code % len(_NAME_SECOND)]}"
            if i >= combos:
                name += f" {i // combos + 1}"
        region = REGIONS[int(rng.choice(3, p=[0.5, 0.35, 0.15]))]
        spread = float(rng.lognormal(0.0, 0.8))
        heavy = False
        if tier == "free":
            segment, users, base, price = "self_serve", int(rng.integers(1, 5)), 0.25, 0.0
        elif tier == "pro":
            segment = "smb" if rng.random() < 0.7 else "mid_market"
            users = int(rng.integers(5, 41))
            base = 1.0
            price = 5.0 * users
            heavy = pro_seen < max(1, n // 60)  # the first few pro customers are power users
            pro_seen += 1
        elif tier == "enterprise":
            segment = "enterprise" if rng.random() < 0.7 else "strategic"
            users = int(rng.integers(40, 251))
            base = 4.0
            price = float(round(rng.uniform(300, 1500), -1))
        else:
            segment, users, base, price = "internal", int(rng.integers(10, 31)), 1.5, 0.0
        weight = base * spread * (users**0.3)
        if heavy:
            weight = max(weight, 1.0) * 12.0
        late_start = tier in ("free", "pro") and not heavy and rng.random() < 0.1
        active_from = int(rng.integers(1, max(2, days - 7))) if late_start else 0
        customers.append(
            Customer(cid, name, tier, segment, region, tier == "internal", users, weight, active_from, heavy, price)
        )
    return customers


def customer_rows(customers: list[Customer]) -> list[dict[str, str]]:
    """``customers.csv`` rows."""
    return [
        {
            "customer_id": c.customer_id,
            "customer_name": c.customer_name,
            "plan_tier": c.plan_tier,
            "segment": c.segment,
            "region": c.region,
            "is_internal": "true" if c.is_internal else "false",
        }
        for c in customers
    ]


# --------------------------------------------------------------------------------------------
# API keys
# --------------------------------------------------------------------------------------------

ENVIRONMENTS: tuple[str, ...] = ("prod", "staging", "dev")


def feature_key_alias(feature: str, environment: str) -> str:
    return f"{feature}-{environment}"


def dedicated_key_alias(customer_id: str) -> str:
    return f"ent-{customer_id}-integration"


BATCH_KEY_ALIAS = "doc_summarizer-batch"
PLAYGROUND_KEY_ALIAS = "playground-internal"


def dedicated_key_customers(customers: list[Customer]) -> list[Customer]:
    """Enterprise customers with their own integration key (tagged only by that key)."""
    return [c for c in customers if c.plan_tier == "enterprise"][:5]


def api_key_rows(customers: list[Customer]) -> list[dict[str, str]]:
    """``api_keys.csv``: one key per feature and environment, a batch key, a playground key and a
    dedicated key per integrated enterprise customer."""
    rows = []
    for f in FEATURES:
        for env in ENVIRONMENTS:
            rows.append(
                {
                    "api_key_alias": feature_key_alias(f.name, env),
                    "feature": f.name,
                    "team": f.team,
                    "environment": env,
                    "usage_type": "external" if env == "prod" else "internal",
                    "customer_id": "",
                }
            )
    rows.append(
        {
            "api_key_alias": BATCH_KEY_ALIAS,
            "feature": "doc_summarizer",
            "team": "knowledge",
            "environment": "prod",
            "usage_type": "external",
            "customer_id": "",
        }
    )
    rows.append(
        {
            "api_key_alias": PLAYGROUND_KEY_ALIAS,
            "feature": "",
            "team": "growth",
            "environment": "dev",
            "usage_type": "internal",
            "customer_id": "",
        }
    )
    for c in dedicated_key_customers(customers):
        rows.append(
            {
                "api_key_alias": dedicated_key_alias(c.customer_id),
                "feature": "support_assistant",
                "team": "support_ai",
                "environment": "prod",
                "usage_type": "external",
                "customer_id": c.customer_id,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Prices: the rate card as float tables, to size invoices, budgets and revenue
# --------------------------------------------------------------------------------------------


def price_list(discounts: list[Discount], rate_card: Path | None = None) -> PriceList:
    """The project's rate card (or ``rate_card``) with its model aliases and the demo's discounts."""
    seeds = project_root() / "seeds"
    loaded = PriceList.load(rate_card or seeds / "rate_card.csv", seeds / "model_aliases.csv")
    return PriceList(loaded.rates, loaded.aliases, discounts)


@dataclass(frozen=True)
class UnitPrices:
    """The prices of every demo model on every day, as floats for the vectorised generators.

    ``units[model, day, is_batch, is_long, k]``: USD per million tokens of token class k in
    :func:`pricing.billed_tokens` order (uncached input, cache reads, 5-minute writes, 1-hour
    writes, output), NaN where the model is unpriced that day; ``threshold[model, day]``: the
    long-context threshold (inf where none); ``prices_output[model, day]``: the card lists an
    output price; ``keep[model, day]``: the share of list cost left after negotiated discounts.
    Which price applies where is :func:`pricing.applied_prices`; this is only its table.
    """

    units: np.ndarray
    threshold: np.ndarray
    prices_output: np.ndarray
    keep: np.ndarray


def unit_prices(prices: PriceList, days: list[date]) -> UnitPrices:
    """:class:`UnitPrices` of every model in ``MODELS`` on each of ``days``."""
    units = np.full((len(MODELS), len(days), 2, 2, 5), np.nan)
    threshold = np.full((len(MODELS), len(days)), np.inf)
    prices_output = np.zeros((len(MODELS), len(days)), dtype=bool)
    keep = np.ones((len(MODELS), len(days)))
    for m, spec in enumerate(MODELS):
        for d, day in enumerate(days):
            day_price = prices.day_price(spec.provider, spec.model, day)
            keep[m, d] = float(discount_factor(day_price.discount_pct))
            rate = day_price.rate
            if rate is None:
                continue
            if rate.long_context_threshold_tokens is not None:
                threshold[m, d] = rate.long_context_threshold_tokens
            for is_batch in (0, 1):
                for is_long in (0, 1):
                    applied = applied_prices(rate, is_long=bool(is_long), is_batch=bool(is_batch))
                    if applied is None:
                        continue
                    prices_output[m, d] = applied.prices_output
                    classes = (applied.input, applied.cache_read, applied.cache_write, applied.cache_write_1h,
                               applied.output)  # fmt: skip
                    units[m, d, is_batch, is_long] = [float(price) for price in classes]
    return UnitPrices(units, threshold, prices_output, keep)


def effective_costs(
    prices: UnitPrices,
    model: np.ndarray,
    day: np.ndarray,
    input_tokens: np.ndarray,
    output_tokens: np.ndarray,
    cache_read: np.ndarray,
    cache_write: np.ndarray,
    cache_write_1h: np.ndarray,
    is_batch: np.ndarray,
) -> np.ndarray:
    """Cost (USD, after negotiated discounts, in floats) of each call; NaN for unpriced calls."""
    cell = model.astype(np.intp) * prices.threshold.shape[1] + day
    is_long = input_tokens > prices.threshold.ravel()[cell]
    unit = prices.units.reshape(-1, 5)[cell * 4 + is_batch.astype(np.intp) * 2 + is_long]
    tokens = billed_tokens(input_tokens, output_tokens, cache_read, cache_write, cache_write_1h)
    cost = sum(count * unit[:, k] for k, count in enumerate(tokens)) / 1e6
    unpriced_output = (output_tokens > 0) & ~prices.prices_output.ravel()[cell]
    return np.where(unpriced_output, np.nan, cost * prices.keep.ravel()[cell])


def demo_discounts(first_day: date) -> list[Discount]:
    """Negotiated discounts: Anthropic 10 % on everything from the first demo month, open-ended."""
    return [Discount("anthropic", "*", first_day.replace(day=1), None, Decimal(10))]


# --------------------------------------------------------------------------------------------
# Calendar helpers
# --------------------------------------------------------------------------------------------


def month_starts(first: date, last: date) -> list[date]:
    """First days of every month touching ``[first, last]``."""
    out, cursor = [], first.replace(day=1)
    while cursor <= last:
        out.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return out


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def days_in_month(month: date) -> int:
    return (next_month(month) - month).days


def round_to(value: float, step: float) -> float:
    """Round to a multiple of ``step`` (at least one step)."""
    return max(step, step * math.floor(value / step + 0.5))


# --------------------------------------------------------------------------------------------
# Money: cost totals and the finance files sized from them
# --------------------------------------------------------------------------------------------

MODEL_PROVIDER_INDEX = np.array(
    [API_PROVIDERS.index(m.provider) if m.provider in API_PROVIDERS else -1 for m in MODELS], dtype=np.int64
)
FEATURE_AGENT_INDEX = np.array([AGENTS.index(f.agent) if f.agent else -1 for f in FEATURES], dtype=np.int64)


@dataclass
class CostTotals:
    """Approximate effective usage cost (list price less negotiated discounts) by month and scope.

    Used only to size the finance files (invoices, budgets, revenue) so that they tell a story
    against the usage the generator wrote; the dbt project computes the real numbers.
    """

    months: list[date]
    first_day: date
    last_day: date
    provider: np.ndarray  # [month, API_PROVIDERS]
    model: np.ndarray  # [month, MODELS]
    feature: np.ndarray  # [month, FEATURES]
    agent: np.ndarray  # [month, AGENTS]
    customer: np.ndarray  # [month, customers], every environment
    customer_cogs: np.ndarray  # [month, customers], prod + external only

    @classmethod
    def empty(cls, first_day: date, last_day: date, n_customers: int) -> CostTotals:
        months = month_starts(first_day, last_day)
        n = len(months)
        return cls(
            months,
            first_day,
            last_day,
            np.zeros((n, len(API_PROVIDERS))),
            np.zeros((n, len(MODELS))),
            np.zeros((n, len(FEATURES))),
            np.zeros((n, len(AGENTS))),
            np.zeros((n, n_customers)),
            np.zeros((n, n_customers)),
        )

    def add(
        self,
        month: np.ndarray,
        model: np.ndarray,
        feature: np.ndarray,
        customer: np.ndarray,
        cogs: np.ndarray,
        cost: np.ndarray,
    ) -> None:
        """Accumulate calls (index arrays, -1 = none; NaN cost = unpriced, skipped).

        Two weighted bincounts, one over month x model x feature, one over month x customer x
        cogs; every total is a sum over one of them.
        """
        cost = np.nan_to_num(cost, nan=0.0)
        n_months, n_models, n_features = len(self.months), len(MODELS), len(FEATURES)
        n_customers = self.customer.shape[1]
        by_feature = np.bincount(
            (month * n_models + model) * (n_features + 1) + feature + 1,
            weights=cost,
            minlength=n_months * n_models * (n_features + 1),
        ).reshape(n_months, n_models, n_features + 1)
        by_customer = np.bincount(
            (month * (n_customers + 1) + customer + 1) * 2 + cogs.astype(np.int64),
            weights=cost,
            minlength=n_months * (n_customers + 1) * 2,
        ).reshape(n_months, n_customers + 1, 2)
        per_model = by_feature.sum(axis=2)
        self.model += per_model
        for m, provider in enumerate(MODEL_PROVIDER_INDEX):
            if provider >= 0:
                self.provider[:, provider] += per_model[:, m]
        per_feature = by_feature[:, :, 1:].sum(axis=1)
        self.feature += per_feature
        for f, agent in enumerate(FEATURE_AGENT_INDEX):
            if agent >= 0:
                self.agent[:, agent] += per_feature[:, f]
        self.customer += by_customer[:, 1:, :].sum(axis=2)
        self.customer_cogs += by_customer[:, 1:, 1]

    def closed_months(self) -> list[int]:
        """Indices of months that ended on or before ``last_day`` (invoiced months)."""
        return [i for i, m in enumerate(self.months) if next_month(m) <= self.last_day + timedelta(days=1)]

    def observed_days(self, i: int) -> int:
        """Days of month ``i`` inside the data window."""
        start = max(self.months[i], self.first_day)
        end = min(next_month(self.months[i]), self.last_day + timedelta(days=1))
        return max(0, (end - start).days)

    def full_month_equivalent(self, i: int) -> float:
        """Factor turning month ``i``'s observed cost into a whole-month forecast."""
        observed = self.observed_days(i)
        return days_in_month(self.months[i]) / observed if observed else 0.0


def invoice_rows(totals: CostTotals, rng: np.random.Generator) -> list[dict[str, str]]:
    """``provider_invoices.csv``: each closed month x API provider, within +-2 % of the computed
    effective cost, except Google's last closed month (+6 %, usage the gateway never logged)."""
    rows = []
    closed = totals.closed_months()
    for i in closed:
        for p, provider in enumerate(API_PROVIDERS):
            computed = float(totals.provider[i, p])
            if computed <= 0:
                continue
            drift = 0.06 if (provider == "google" and i == closed[-1]) else float(rng.uniform(-0.02, 0.02))
            rows.append(
                {
                    "provider": provider,
                    "month": totals.months[i].isoformat(),
                    "invoiced_usd": f"{computed * (1 + drift):.2f}",
                }
            )
    return rows


def revenue_rows(customers: list[Customer], totals: CostTotals) -> list[dict[str, str]]:
    """``customer_revenue.csv``: free = 0, pro = seats x $5, enterprise = contract; internal none.

    Heavy pro customers pay a legacy flat price of about 60 % of their typical monthly AI cost, so
    their AI COGS exceed revenue.
    """
    full = [i for i in range(len(totals.months)) if totals.observed_days(i) == days_in_month(totals.months[i])]
    rows = []
    for c_idx, c in enumerate(customers):
        if c.is_internal:
            continue
        price = c.seats_price_usd
        if c.heavy:
            monthly = totals.customer_cogs[full, c_idx] if full else totals.customer_cogs[:, c_idx]
            typical = float(np.median(monthly)) if len(monthly) else 0.0
            if typical > 0:
                price = min(price, round_to(0.6 * typical, 10.0))
        first_active = totals.first_day + timedelta(days=c.active_from_day)
        for month in totals.months:
            if next_month(month) <= first_active:
                continue
            rows.append({"customer_id": c.customer_id, "month": month.isoformat(), "revenue_usd": f"{price:.2f}"})
    return rows


def footprint_rows(customers: list[Customer], totals: CostTotals, rng: np.random.Generator) -> list[dict[str, str]]:
    """``tenant_footprint.csv``: vector-store GB per customer and month, growing ~5 % a month."""
    rows = []
    for c in customers:
        per_user = {"free": 0.05, "pro": 0.2, "enterprise": 0.5, "internal": 0.3}[c.plan_tier]
        base = c.users * per_user * float(rng.uniform(0.5, 2.0))
        first_active = totals.first_day + timedelta(days=c.active_from_day)
        for i, month in enumerate(totals.months):
            if next_month(month) <= first_active:
                continue
            rows.append(
                {
                    "customer_id": c.customer_id,
                    "month": month.isoformat(),
                    "footprint_units": f"{max(0.01, base * (1.05**i)):.2f}",
                }
            )
    return rows


@dataclass(frozen=True)
class SharedPool:
    """A monthly shared cost (USD per full month at the default demo scale)."""

    cost_pool: str
    monthly_usd: float
    driver: str
    scope_provider: str = ""
    scope_model: str = ""
    scope_feature: str = ""
    scope_environment: str = ""


SHARED_POOLS: tuple[SharedPool, ...] = (
    SharedPool("vector_db", 240.0, "footprint"),
    SharedPool("observability", 90.0, "requests", scope_environment="prod"),
    SharedPool("fine_tuning_triage", 150.0, "tokens", scope_feature="ticket_triage"),
    SharedPool("platform_fee", 300.0, "even"),
    SharedPool("product_analytics", 60.0, "active_users"),
    SharedPool("llm_gateway", 80.0, "cost"),
    SharedPool("gpu_cluster", 1500.0, "tokens", scope_provider="self_hosted"),
    # Nothing uses this model any more: the pool must be booked as unallocated. It is scoped by
    # model only: a pool scoped to a provider is part of that provider's invoice, and this one is not.
    SharedPool("legacy_completions_hosting", 40.0, "requests", scope_model="text-davinci-003"),
)
TWO_MONTH_POOL = SharedPool("security_audit", 600.0, "cost")  # one invoice covering two months


def shared_cost_rows(totals: CostTotals, scale: float) -> list[dict[str, str]]:
    """``shared_costs.csv``: every monthly pool per month clipped to the data window (amounts
    prorated by days), plus one pool spanning the two months before the last month."""
    window_end = totals.last_day + timedelta(days=1)

    def row(pool: SharedPool, start: date, end: date, amount: float) -> dict[str, str]:
        return {
            "cost_pool": pool.cost_pool,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "amount_usd": f"{amount:.2f}",
            "driver": pool.driver,
            "scope_provider": pool.scope_provider,
            "scope_model": pool.scope_model,
            "scope_feature": pool.scope_feature,
            "scope_environment": pool.scope_environment,
        }

    rows = []
    for pool in SHARED_POOLS:
        for month in totals.months:
            start, end = max(month, totals.first_day), min(next_month(month), window_end)
            share = (end - start).days / days_in_month(month)
            rows.append(row(pool, start, end, pool.monthly_usd * scale * share))
    span_end = totals.months[-1]
    span_start = max(totals.first_day, (span_end - timedelta(days=40)).replace(day=1))
    if span_start >= span_end:
        span_start, span_end = totals.first_day, window_end
    rows.append(row(TWO_MONTH_POOL, span_start, span_end, TWO_MONTH_POOL.monthly_usd * scale))
    return rows


def budget_rows(
    totals: CostTotals,
    customers: list[Customer],
    rng: np.random.Generator,
    over: tuple[tuple[str, str, int], ...] = (),
) -> list[dict[str, str]]:
    """``budgets.csv`` for every scope type and month, sized against usage cost.

    Budgets sit at 1.5-2.5x the month's (forecast) usage cost, warn at 80 or 90 %; the scopes in
    ``over`` ((scope_type, scope_value, month index)) get a budget below what they spend.
    """
    scopes: list[tuple[str, str, np.ndarray]] = []
    for team in TEAMS:
        members = [i for i, f in enumerate(FEATURES) if f.team == team]
        scopes.append(("team", team, totals.feature[:, members].sum(axis=1)))
    scopes += [("feature", f.name, totals.feature[:, i]) for i, f in enumerate(FEATURES)]
    top = np.argsort(-totals.customer.sum(axis=0), kind="stable")[:5]
    scopes += [("customer", customers[i].customer_id, totals.customer[:, i]) for i in sorted(top.tolist())]
    scopes += [("agent", a, totals.agent[:, i]) for i, a in enumerate(AGENTS)]
    for name in ("claude-sonnet-4-5", "gpt-4o", "gemini-2.5-pro"):
        scopes.append(("model", name, totals.model[:, MODEL_INDEX[name]]))
    rows = []
    for scope_type, value, monthly in scopes:
        for i, month in enumerate(totals.months):
            spent = float(monthly[i])
            if spent <= 0:
                continue
            forecast = spent * totals.full_month_equivalent(i)
            if (scope_type, value, i) in over:
                budget = round_to(spent * 0.85, 10.0)
            else:
                budget = round_to(forecast * float(rng.uniform(1.5, 2.5)), 10.0)
            rows.append(
                {
                    "scope_type": scope_type,
                    "scope_value": value,
                    "month": month.isoformat(),
                    "budget_usd": f"{budget:.2f}",
                    "warn_at_pct": "90" if rng.random() < 0.25 else "80",
                }
            )
    return rows


def price_adjustment_rows(discounts: list[Discount]) -> list[dict[str, str]]:
    """``price_adjustments.csv``."""
    return [
        {
            "provider": d.provider,
            "model": d.model,
            "effective_from": d.effective_from.isoformat(),
            "effective_to": d.effective_to.isoformat() if d.effective_to else "",
            "discount_pct": f"{d.discount_pct:g}",
        }
        for d in discounts
    ]


# --------------------------------------------------------------------------------------------
# What the outcomes are worth (docs/demo_world.md gives the reasoning behind each figure)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeValue:
    """What a person doing the work of one outcome would cost: minutes at a loaded hourly rate,
    which may rise during the window (``raised_hourly_usd``)."""

    outcome_type: str
    feature: str  # "" = every feature without a row of its own
    work: str
    minutes: int
    hourly_usd: Decimal
    raised_hourly_usd: Decimal | None = None

    def value_usd(self, hourly_usd: Decimal) -> str:
        return str((hourly_usd * self.minutes / 60).quantize(Decimal("0.01")))

    def basis(self, hourly_usd: Decimal, after: str = "") -> str:
        return f"{self.work}{after}: {self.minutes} minutes at a loaded ${hourly_usd:.2f} an hour"


# A resolved ticket is worth the same whichever feature resolved it; a completed task is worth what
# that feature's task would cost a person. The support team's rate rises from $36 to $38.40.
OUTCOME_VALUES: tuple[OutcomeValue, ...] = (
    OutcomeValue("ticket_resolved", "", "a tier-1 ticket handled by a support agent", 15, Decimal("36"),
                 raised_hourly_usd=Decimal("38.40")),
    OutcomeValue("task_completed", "ticket_triage", "a ticket read and routed to its queue by a support agent", 3,
                 Decimal("36"), raised_hourly_usd=Decimal("38.40")),
    OutcomeValue("task_completed", "code_review", "a pull-request review by an engineer", 15, Decimal("90")),
    OutcomeValue("task_completed", "sales_insights", "an account research brief by a sales analyst", 15,
                 Decimal("60")),
)  # fmt: skip
# The one feature sold on its own: sales_insights, an add-on at $20 a month on every enterprise plan.
FEATURE_REVENUE: dict[str, tuple[str, Decimal]] = {"sales_insights": ("enterprise", Decimal("20.00"))}


def outcome_value_rows(totals: CostTotals) -> list[dict[str, str]]:
    """``outcome_values.csv``: what a resolved ticket and a completed task are worth from the window's
    first month. With three months or more, a raised rate applies from the month before the last
    (the last complete month), so a value changes over time as prices do."""
    first = totals.months[0].isoformat()
    raised_from = totals.months[-2].isoformat() if len(totals.months) >= 3 else None
    rows = []
    for v in OUTCOME_VALUES:
        key = {"outcome_type": v.outcome_type, "feature": v.feature}
        if v.raised_hourly_usd is None or raised_from is None:
            rows.append({**key, "value_usd": v.value_usd(v.hourly_usd), "effective_from": first,
                         "effective_to": "", "basis": v.basis(v.hourly_usd)})  # fmt: skip
            continue
        rows.append({**key, "value_usd": v.value_usd(v.hourly_usd), "effective_from": first,
                     "effective_to": raised_from, "basis": v.basis(v.hourly_usd)})  # fmt: skip
        rows.append({**key, "value_usd": v.value_usd(v.raised_hourly_usd), "effective_from": raised_from,
                     "effective_to": "", "basis": v.basis(v.raised_hourly_usd, " after the team's raise")})  # fmt: skip
    return rows


def feature_revenue_rows(customers: list[Customer], totals: CostTotals) -> list[dict[str, str]]:
    """``feature_revenue.csv``: the part of the revenue a feature sold as an add-on earns, each month:
    its price times the paying customers of its plan active that month (a share of their revenue in
    ``customer_revenue.csv``, not more of it)."""
    rows = []
    for month in totals.months:
        for feature, (tier, price) in FEATURE_REVENUE.items():
            buyers = sum(
                1
                for c in customers
                if c.plan_tier == tier and totals.first_day + timedelta(days=c.active_from_day) < next_month(month)
            )
            if buyers:
                rows.append({"feature": feature, "month": month.isoformat(), "revenue_usd": f"{price * buyers:.2f}"})
    return rows
