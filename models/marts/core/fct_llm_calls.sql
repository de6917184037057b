{#- One row per accepted, de-duplicated, priced model call: the fact every usage figure is a
    group by over. Resolved dimensions are never NULL; cost columns are exact decimals.

    A view over int_calls_priced (incremental on request_id: stored once per call) and the cache
    pools of int_cache_pools: a new call changes the blended input rate of its whole pool, and
    applying that rate when the fact is read costs a join to a few rows, where storing it would
    rewrite every call of the month on each incremental run (docs/performance.md). A call's pooled
    cost is its uncached-equivalent input cost at its pool's blended rate, plus its output cost:
    the same linear rule the ledger applies to groups of calls, so the calls of a ledger row sum
    to it within rounding (at most $0.000001, tested). -#}
{{ config(materialized='view') }}

with

priced_calls as (

    select * from {{ ref('int_calls_priced') }}
    where is_priced

),

pools as (

    select * from {{ ref('int_cache_pools') }}

),

pooled_calls as (

    select
        priced_calls.*,
        {{ aicost_pooled_input_cost('priced_calls.uncached_effective_input_cost_usd',
                                    'priced_calls.effective_input_cost_usd', 'pools') }} as pooled_input_cost_usd

    from priced_calls
    inner join pools
        on priced_calls.provider = pools.provider
        and priced_calls.model = pools.model
        and priced_calls.usage_month = pools.pool_month

),

final as (

    select
        -- ids
        request_id,
        trace_id,
        parent_request_id,

        -- what was called
        provider,
        model,
        priced_model,
        price_match,
        call_role,
        operation,
        status,

        -- attribution
        {%- for dimension in var('attribution_dimensions') + var('call_identifiers') %}
        {{ dimension }},
        {%- endfor %}
        api_key_alias,

        -- tokens
        input_tokens,
        output_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        reasoning_tokens,
        latency_ms,

        -- prices applied (USD per million tokens) and the discount
        rate_effective_from,
        applied_input_usd_per_mtok,
        applied_output_usd_per_mtok,
        applied_cache_read_usd_per_mtok,
        applied_cache_write_usd_per_mtok,
        discount_pct,

        -- money
        uncached_list_cost_usd,
        list_cost_usd,
        {{ aicost_to_money('effective_input_cost_usd + effective_output_cost_usd') }} as effective_cost_usd,
        {{ aicost_to_money('pooled_input_cost_usd + effective_output_cost_usd') }} as pooled_cost_usd,
        {{ aicost_to_money('uncached_effective_input_cost_usd - pooled_input_cost_usd') }} as cache_savings_usd,
        reported_cost_usd,
        input_cost_usd,
        output_cost_usd,
        pooled_input_cost_usd,

        -- flags
        is_batch,
        is_long_context,

        -- time
        occurred_at,
        usage_date,
        usage_month,

        -- lineage and free-form tags
        source_name,
        source_file,
        line_number,
        record_index,
        metadata

    from pooled_calls

)

select * from final
