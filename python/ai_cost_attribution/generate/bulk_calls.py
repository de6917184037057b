"""The bulk generator's calls for one part: sessions -> traces -> calls, tokens, cache, tags, ids,
as Arrow columns, plus the part's outcomes and its approximate cost for the finance files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ai_cost_attribution import world as w
from ai_cost_attribution.generate.arrow import (
    bool_array,
    dict_array,
    hex_ids,
    hex_matrix,
    int_array,
    iso_timestamps,
    str_array,
    strings_from_matrix,
    ticket_matrix,
)
from ai_cost_attribution.generate.bulk_plan import (
    EMBEDDING,
    PRIMARY,
    RERANK,
    ROUTER,
    SESSION_MARGIN_MS,
    TOOL,
    BulkPlan,
)
from ai_cost_attribution.generate.bulk_sessions import draw_layout
from ai_cost_attribution.generate.clock import DAY_MS, REGION_OFFSET_MIN
from ai_cost_attribution.generate.traffic import (
    BATCH_LATENCY_MIN_MS,
    BATCH_LATENCY_SPAN_MS,
    CHILD_THIN_TAGS_SHARE,
    EMPLOYEES,
    ERROR_RATE,
    ERROR_WITHOUT_PROMPT_SHARE,
    LATENCY_SIGMA,
    METADATA_SHARE,
    MIN_CACHED_PREFIX_TOKENS,
    OPENAI_COLD_READ_SHARE,
    PRODUCT_TAG_SHARE,
    REGION_TAG_SHARE,
    TEAM_TAG_SHARE,
    TICKET_RESOLVED_SHARE,
    TTL_1H_SHARE,
    UNTAGGED_ENVIRONMENT_SHARE,
    whole_blocks,
    work_ms,
)
from ai_cost_attribution.token_shapes import scale_tokens

_ANTHROPIC_REWRITE_SHARE = 0.1  # calls after the first that write the prefix again (it expired)
_TASK_COMPLETED_SHARE = 0.85
_OUTCOME_TYPES = str_array(["ticket_resolved", "task_completed"])


@dataclass
class Chunk:
    """One part's usage table, its outcomes and how many of its events are late."""

    table: pa.Table
    outcomes: pa.Table
    late: int


def bulk_chunk(
    plan: BulkPlan,
    chunk: int,
    n: int,
    event_offset: int,
    window: tuple[int, int],
    late: tuple[int, int],
    late_fraction: float,
    final: bool,
    totals: w.CostTotals | None,
) -> Chunk:
    """Generate ``n`` events of one part (sessions -> traces -> calls, all arrays)."""
    rng = np.random.default_rng([plan.seed, 9001, chunk])
    fa = plan.f
    lay = draw_layout(plan, rng, n)
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
    hi_eff = hi - SESSION_MARGIN_MS if final and hi - lo > 2 * SESSION_MARGIN_MS else hi
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
        [ROUTER, EMBEDDING, RERANK, PRIMARY, TOOL],
        default=fa["checker_role"][e_feature],
    )
    own = (role == PRIMARY) | (role == TOOL)
    e_model = np.where(own, model[e_session], plan.role_model[e_feature, role])
    ts = t_time[e_trace] + pos * 1500 + rng.integers(0, 1000, n)
    # tokens
    src = np.where(own & long_ctx[e_session], 3, fa["source"][e_feature])
    row = plan.tok_offset[src] + (rng.random(n) * plan.tok_length[src]).astype(np.int64)
    in_scale = np.where(src == 3, w.LONG_CONTEXT_SCALE, plan.in_scale[role, e_feature])
    inp = scale_tokens(plan.tok_in[row], in_scale)
    out = scale_tokens(plan.tok_out[row], plan.out_scale[role, e_feature])
    out = np.where(plan.model_embedding[e_model], 0, out)
    # prompt cache
    style = plan.model_cache[e_model]
    share = plan.prefix_share[rng.integers(0, len(plan.prefix_share), n_s)][e_session]
    cacheable = whole_blocks((inp * share).astype(np.int64))
    cacheable = np.where((cacheable >= MIN_CACHED_PREFIX_TOKENS) & (style > 0), cacheable, 0)
    first_call = (t_turn[e_trace] == 0) & (role == PRIMARY)
    uc = rng.random(n)
    anth_write = (style == 1) & (first_call | (uc < _ANTHROPIC_REWRITE_SHARE))
    cache_write = np.where(anth_write, cacheable, 0)
    cache_read = np.where(
        ((style == 1) & ~anth_write) | ((style == 2) & (~first_call | (uc < OPENAI_COLD_READ_SHARE))), cacheable, 0
    )
    ttl_1h = (rng.random(n_s) < TTL_1H_SHARE)[e_session]
    cache_write_1h = np.where(ttl_1h, cache_write, 0)
    # errors
    ue = rng.random(n)
    error = ue < ERROR_RATE
    zero = ue < ERROR_RATE * ERROR_WITHOUT_PROMPT_SHARE
    out = np.where(error, 0, out)
    inp, cache_read, cache_write, cache_write_1h = (
        np.where(zero, 0, a) for a in (inp, cache_read, cache_write, cache_write_1h)
    )
    reasoning_share = plan.model_reasoning[e_model]
    reasoning = (out * reasoning_share).astype(np.int64)
    batch = is_batch[e_session]
    latency = (work_ms(out, inp, plan.model_ms[e_model]) * np.exp(LATENCY_SIGMA * rng.standard_normal(n))).astype(
        np.int64
    )
    latency = np.where(batch, BATCH_LATENCY_MIN_MS + (rng.random(n) * BATCH_LATENCY_SPAN_MS).astype(np.int64), latency)
    # ---- dimensions -----------------------------------------------------------------------------
    child = ~own
    bare_e = bare[e_session]
    thin_child = child & (rng.random(n) < CHILD_THIN_TAGS_SHARE)
    untagged_f = (no_feature | key_only)[e_session] | bare_e
    tagged = ~untagged_f
    has_cust = has_customer[e_session] & ~key_only[e_session] & ~bare_e & ~thin_child
    e_customer = customer[e_session]
    emp = rng.integers(0, EMPLOYEES, n_s)
    user_pick = plan.user_offset[customer] + (rng.random(n_s) ** 2 * plan.user_count[customer]).astype(np.int64)
    user_idx = np.where(nonprod, plan.n_customer_users + emp, user_pick)[e_session]
    has_user = ~key_only[e_session] & ~bare_e & ~thin_child
    feat_tag = tagged & ~thin_child
    agent_idx = fa["agent"][e_feature]
    env_e = env[e_session]
    env_tag = ~bare_e & np.where(tagged & ~thin_child, True, rng.random(n) < UNTAGGED_ENVIRONMENT_SHARE)
    region_tag = has_cust & (rng.random(n) < REGION_TAG_SHARE)
    dedicated_e = plan.dedicated_key[e_customer]
    integration = key_only[e_session] | (~nonprod[e_session] & (e_session % 2 == 0))
    key_idx = np.where(integration & (dedicated_e >= 0), dedicated_e, e_feature * 3 + env_e)
    key_idx = np.where(is_batch[e_session], plan.batch_key, key_idx)
    has_ticket = (fa["ticket"][e_feature] > 0) & ~bare_e & ~thin_child
    has_session = ~bare_e & ~thin_child
    has_trace = ~bare_e & ~batch
    has_meta = rng.random(n) < METADATA_SHARE
    meta_idx = e_feature * plan.meta_per_feature + rng.integers(0, plan.meta_per_feature, n)
    # ---- ids -------------------------------------------------------------------------------------
    g_event = np.arange(event_offset, event_offset + n, dtype=np.int64)
    g_trace = (np.int64(chunk) << 24) | np.arange(n_t, dtype=np.int64)
    g_session = (np.int64(chunk) << 24) | np.arange(n_s, dtype=np.int64)
    parent_row = np.where(role == TOOL, np.arange(n) - 1, tr_first[e_trace] + b3)  # tool steps chain
    request_ids = hex_matrix("req_", plan.keys["req"], g_event)
    trace_ids = hex_matrix("trc_", plan.keys["trc"], g_trace)
    offset_style = rng.random(n_s)
    zulu = (offset_style < 0.85)[e_session]
    local = (offset_style >= 0.93)[e_session]
    region_e = plan.customer_region[e_customer]
    offset_min = np.where(local, np.array([REGION_OFFSET_MIN[region] for region in w.REGIONS])[region_e], 0)
    tck = ticket_matrix(plan.keys["tck"], g_session, fa["ticket"][feature] == 2)
    d = plan.dict
    columns = {
        "request_id": strings_from_matrix(request_ids),
        "trace_id": strings_from_matrix(trace_ids[e_trace], valid=has_trace),
        "parent_request_id": strings_from_matrix(request_ids[parent_row], valid=has_trace & (role != PRIMARY)),
        "call_role": dict_array(role, d["call_role"]),
        "occurred_at": iso_timestamps(ts, offset_min, zulu),
        "provider": dict_array(plan.model_provider[e_model], d["provider"]),
        "model": dict_array(e_model, d["model"]),
        "operation": dict_array(plan.model_embedding[e_model].astype(np.int64), d["operation"]),
        "input_tokens": int_array(inp),
        "output_tokens": int_array(out),
        "cache_read_tokens": int_array(cache_read),
        "cache_write_tokens": int_array(cache_write),
        "cache_write_1h_tokens": int_array(cache_write_1h),
        "reasoning_tokens": int_array(reasoning, reasoning_share > 0),
        "is_batch": bool_array(batch),
        "status": dict_array(error.astype(np.int64), d["status"]),
        "latency_ms": int_array(latency),
        "customer_id": dict_array(e_customer, plan.customer_ids, has_cust),
        "user_id": dict_array(user_idx, plan.users, has_user),
        "feature": dict_array(e_feature, d["feature"], feat_tag),
        "team": dict_array(fa["team"][e_feature], d["team"], feat_tag & (rng.random(n) < TEAM_TAG_SHARE)),
        "agent": dict_array(np.maximum(agent_idx, 0), d["agent"], feat_tag & (agent_idx >= 0)),
        "environment": dict_array(env_e, d["environment"], env_tag),
        "region": dict_array(region_e, d["region"], region_tag),
        "product": dict_array(e_feature, d["product"], feat_tag & (rng.random(n) < PRODUCT_TAG_SHARE)),
        "usage_type": dict_array(internal[e_session].astype(np.int64), d["usage_type"], feat_tag),
        "session_id": strings_from_matrix(
            hex_matrix("ses_", plan.keys["ses"], g_session)[e_session], valid=has_session
        ),
        "ticket_id": strings_from_matrix(tck[e_session], valid=has_ticket),
        "api_key_alias": dict_array(key_idx, d["api_key_alias"], ~bare_e),
        "metadata": dict_array(meta_idx, d["metadata"], has_meta),
    }
    table = pa.table(columns)
    # ---- approximate cost for the finance files -------------------------------------------------
    if totals is not None:
        day = np.clip((ts - plan.first_ms) // DAY_MS, 0, len(plan.days) - 1)
        cost = w.effective_costs(plan.prices, e_model, day, inp, out, cache_read, cache_write, cache_write_1h, batch)
        cogs = ~nonprod[e_session] & ~internal[e_session]
        customer_e = np.where(has_customer[e_session], e_customer, -1)
        totals.add(plan.day_month[day], e_model, e_feature, customer_e, cogs, cost)
    # ---- outcomes: one per resolved ticket / completed agent task --------------------------------
    last_trace = np.concatenate([[0], np.cumsum(turns)[:-1]]) + turns - 1
    s_end = t_time[last_trace] + 60_000 + (rng.random(n_s) * 5_400_000).astype(np.int64)
    kind = np.where(feature == w.FEATURE_INDEX["support_assistant"], 1, np.where(fa["agent"][feature] >= 0, 2, 0))
    p_done = np.where(kind == 1, TICKET_RESOLVED_SHARE, _TASK_COMPLETED_SHARE)
    done = (kind > 0) & ~nonprod & ~bare & (rng.random(n_s) < p_done) & (s_end < window[1])
    idx = np.flatnonzero(done)
    outcome_cols = {
        "outcome_id": hex_ids("out_", plan.keys["out"], g_session[idx]),
        "outcome_type": dict_array(kind[idx] - 1, _OUTCOME_TYPES).dictionary_decode(),
        "occurred_at": iso_timestamps(s_end[idx] // 1000 * 1000, np.zeros(len(idx), np.int64), np.ones(len(idx), bool)),
        "customer_id": dict_array(customer[idx], plan.customer_ids).dictionary_decode(),
        "feature": dict_array(feature[idx], d["feature"]).dictionary_decode(),
        "agent": dict_array(np.maximum(fa["agent"][feature[idx]], 0), d["agent"]).dictionary_decode(),
        "ticket_id": strings_from_matrix(tck[idx], valid=fa["ticket"][feature[idx]] > 0),
        "trace_id": strings_from_matrix(trace_ids[last_trace[idx]]),
    }
    return Chunk(table, pa.table(outcome_cols), int(is_late[e_session].sum()))
