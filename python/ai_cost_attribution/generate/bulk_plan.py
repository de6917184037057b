"""What the bulk generator looks up, computed once per run: the company as arrays.

Customers, features, models, roles, keys and their dictionaries, the token tables and the prices,
indexed the way :mod:`.bulk_sessions` and :mod:`.bulk_calls` draw from them."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np

from ai_cost_attribution import world as w
from ai_cost_attribution.generate.arrow import str_array
from ai_cost_attribution.generate.clock import day_ms
from ai_cost_attribution.generate.ids import namespace
from ai_cost_attribution.generate.traffic import CALL_ROLES, EMPLOYEES, ENV_CDF, SDKS, employee_id
from ai_cost_attribution.token_shapes import TokenShapes

PRIMARY, ROUTER, EVALUATOR, GUARDRAIL, EMBEDDING, RERANK, TOOL = range(len(CALL_ROLES))  # CALL_ROLES order
SESSION_MARGIN_MS = 4_300_000  # longest session (8 turns, 12 calls each) stays inside its window
PROVIDERS: tuple[str, ...] = tuple(dict.fromkeys(m.provider for m in w.MODELS))


class BulkPlan:
    """Everything the chunk generator looks up, computed once per run."""

    def __init__(
        self,
        shapes: TokenShapes,
        customers: list[w.Customer],
        seed: int,
        prefix: str,
        first_day: date,
        last_day: date,
        prices: w.PriceList,
    ):
        self.seed = seed
        self.customers = customers
        n_f, n_m = len(w.FEATURES), len(w.MODELS)
        self.keys = {k: namespace(seed, f"{prefix}-{k}") for k in ("req", "trc", "ses", "out", "tck")}
        weights = np.array([c.weight for c in customers])
        self.customer_cdf = np.cumsum(weights) / weights.sum()
        self.customer_tier = np.array([c.tier_index for c in customers])
        self.customer_region = np.array([w.REGIONS.index(c.region) for c in customers])
        self.customer_internal = np.array([c.is_internal for c in customers])
        self.internal = np.flatnonzero(self.customer_internal)
        dedicated = [c.customer_id for c in w.dedicated_key_customers(customers)]
        users = np.array([c.users for c in customers], dtype=np.int64)
        self.user_offset = np.concatenate([[0], np.cumsum(users)[:-1]])
        self.user_count = users
        self.n_customer_users = int(users.sum())
        self.users = str_array(
            [c.user_id(k) for c in customers for k in range(c.users)]
            + [employee_id(k) for k in range(1, EMPLOYEES + 1)]
        )
        self.customer_ids = str_array([c.customer_id for c in customers])
        affinity = np.array([f.tier_affinity for f in w.FEATURES]).T  # [tier, feature]
        rates = np.array([f.traces_per_day / f.turns_mean for f in w.FEATURES])
        by_tier = affinity * rates[None, :]
        self.feature_cdf = np.cumsum(by_tier, axis=1) / by_tier.sum(axis=1, keepdims=True)
        model_p = np.zeros((n_f, n_m))
        for i, f in enumerate(w.FEATURES):
            for name, p in f.primary_models:
                model_p[i, w.MODEL_INDEX[name]] = p
        self.model_cdf = np.cumsum(model_p, axis=1) / model_p.sum(axis=1, keepdims=True)
        role_model = np.full((n_f, len(CALL_ROLES)), -1)
        for i, f in enumerate(w.FEATURES):
            role_model[i, ROUTER] = w.MODEL_INDEX[f.router_models[0][0]]
            role_model[i, EVALUATOR] = role_model[i, GUARDRAIL] = w.MODEL_INDEX[f.checker_model]
            role_model[i, EMBEDDING] = w.MODEL_INDEX["text-embedding-3-small"]
            role_model[i, RERANK] = w.MODEL_INDEX["llama-3.1-70b-instruct"]
        self.role_model = role_model
        self.f = {
            "router": np.array([f.router_share for f in w.FEATURES]),
            "checker": np.array([f.checker_share for f in w.FEATURES]),
            "checker_role": np.array([GUARDRAIL if f.checker_role == "guardrail" else EVALUATOR for f in w.FEATURES]),
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
        in_scale = np.zeros((len(CALL_ROLES), n_f))
        out_scale = np.zeros((len(CALL_ROLES), n_f))
        for i, f in enumerate(w.FEATURES):
            for role in (PRIMARY, TOOL, EVALUATOR, GUARDRAIL):
                in_scale[role, i] = f.input_scale
                out_scale[role, i] = f.output_scale
            out_scale[EVALUATOR, i] = out_scale[GUARDRAIL, i] = w.CHECKER_OUTPUT_SCALE
            in_scale[ROUTER, i], out_scale[ROUTER, i] = w.ROUTER_INPUT_SCALE, w.ROUTER_OUTPUT_SCALE
            in_scale[EMBEDDING, i], out_scale[EMBEDDING, i] = w.EMBEDDING_INPUT_SCALE, 0.0
            in_scale[RERANK, i], out_scale[RERANK, i] = w.RERANK_INPUT_SCALE, w.RERANK_OUTPUT_SCALE
        self.in_scale, self.out_scale = in_scale, out_scale
        self.tok_in, self.tok_out, self.tok_offset, self.tok_length = shapes.pooled()
        self.prefix_share = shapes.prefix_share
        self.model_provider = np.array([PROVIDERS.index(m.provider) for m in w.MODELS])
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
            "call_role": str_array(CALL_ROLES),
            "provider": str_array(PROVIDERS),
            "model": str_array([m.model for m in w.MODELS]),
            "operation": str_array(["chat", "embeddings"]),
            "status": str_array(["success", "error"]),
            "feature": str_array([f.name for f in w.FEATURES]),
            "team": str_array(list(w.TEAMS)),
            "agent": str_array(list(w.AGENTS)),
            "environment": str_array(list(w.ENVIRONMENTS)),
            "region": str_array(w.REGIONS),
            "product": str_array([f.product for f in w.FEATURES]),
            "usage_type": str_array(["external", "internal"]),
            "api_key_alias": str_array(keys + [w.BATCH_KEY_ALIAS] + [w.dedicated_key_alias(c) for c in dedicated]),
            "metadata": str_array(
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
                    for lang, sdk, version in SDKS
                ]
            ),
        }
        self.meta_per_feature = 2 * len(SDKS)
        self.first_day = first_day
        self.days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
        self.prices = w.unit_prices(prices, self.days)
        months = w.month_starts(first_day, last_day)
        self.day_month = np.array([months.index(d.replace(day=1)) for d in self.days])
        self.first_ms = day_ms(first_day)
        self.env_cdf = np.array(ENV_CDF) / ENV_CDF[-1]
        session_weight = np.array([f.traces_per_day / f.turns_mean for f in w.FEATURES])
        session_calls = np.array([f.turns_mean * f.expected_calls_per_trace() for f in w.FEATURES])
        self.calls_per_session = float((session_weight * session_calls).sum() / session_weight.sum())
