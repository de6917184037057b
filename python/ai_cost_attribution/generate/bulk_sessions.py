"""The bulk generator's sessions and traces for one part, drawn as arrays.

Who calls (customer, feature, environment, how the session is tagged, which model, how many
turns) and how each trace fans out (router, embeddings, rerank, agent steps, checker), trimmed so
that a part holds exactly the number of calls asked for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ai_cost_attribution import world as w
from ai_cost_attribution.generate.bulk_plan import BulkPlan
from ai_cost_attribution.generate.traffic import (
    BARE_BELOW,
    DATED_SHARE,
    KEY_ONLY_BELOW,
    MAX_TURNS,
    NO_FEATURE_BELOW,
    NONPROD_INTERNAL_CUSTOMER_SHARE,
)

LONG_CONTEXT_SHARE = 0.012  # doc_summarizer sessions on gemini-2.5-pro sending a whole document
BATCH_SESSION_SHARE = 0.4  # prod doc_summarizer sessions sent through the batch API


@dataclass
class Layout:
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


def draw_layout(plan: BulkPlan, rng: np.random.Generator, n: int) -> Layout:
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
        use_internal = nonprod & (rng.random(n_s) < NONPROD_INTERNAL_CUSTOMER_SHARE) & (len(plan.internal) > 0)
        if len(plan.internal):
            customer = np.where(use_internal, plan.internal[rng.integers(0, len(plan.internal), n_s)], customer)
        internal = nonprod | plan.customer_internal[customer]
        external_prod = ~nonprod & ~internal
        u = rng.random(n_s)
        bare = external_prod & (u < BARE_BELOW)
        key_only = external_prod & ~bare & (u < KEY_ONLY_BELOW) & (plan.dedicated_key[customer] >= 0)
        no_feature = external_prod & ~bare & ~key_only & (u < NO_FEATURE_BELOW)
        docs = feature == w.FEATURE_INDEX["doc_summarizer"]
        is_batch = docs & ~nonprod & ~bare & (rng.random(n_s) < BATCH_SESSION_SHARE)
        model = np.minimum((rng.random(n_s)[:, None] > plan.model_cdf[feature]).sum(axis=1), len(w.MODELS) - 1)
        dated = (model == w.MODEL_INDEX["gpt-4o"]) & (feature == w.FEATURE_INDEX["sql_copilot"])
        model = np.where(dated & (rng.random(n_s) < DATED_SHARE), w.MODEL_INDEX["gpt-4o-2024-08-06"], model)
        model = np.where(is_batch, w.MODEL_INDEX["gpt-4o"], model)
        long_ctx = docs & (model == w.MODEL_INDEX["gemini-2.5-pro"]) & (rng.random(n_s) < LONG_CONTEXT_SHARE)
        turns = np.where(bare | is_batch, 1, np.minimum(rng.geometric(1 / fa["turns"][feature]), MAX_TURNS))
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
    return Layout(
        customer=customer[:k], feature=feature[:k], env=env[:k], nonprod=nonprod[:k],
        has_customer=(~nonprod | use_internal)[:k], internal=internal[:k], bare=bare[:k], key_only=key_only[:k],
        no_feature=no_feature[:k], is_batch=is_batch[:k], model=model[:k], long_ctx=long_ctx[:k],
        turns=np.where(np.arange(k) < whole, turns[:k], 1),
        session=session[keep], turn=turn[keep], router=router[keep], embeds=embeds[keep], rerank=rerank[keep],
        steps=steps[keep], checker=checker[keep],
    )  # fmt: skip
