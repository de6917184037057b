{#- One row per priced call with its cache-pooled cost (docs/ARCHITECTURE.md, "Cache-savings pooling").
    A prompt cache one tenant paid to fill makes the next tenant's call cheaper; pooling gives
    every call of a pool (provider x model x month) the same blended input rate:

        pooled_input = uncached-equivalent input * sum(actual input) / sum(uncached-equivalent input)

    so the pool's total is unchanged. With var('cache_pooling') = 'off' each call keeps its own
    cache luck. All amounts are after negotiated discounts.

    A view: a new call changes the blended rate of its whole pool, so the pooled amounts are
    applied when read (a join to the few rows of int_cache_pools) instead of rewriting every call
    of the month on each incremental run. -#}
{{ config(materialized='view') }}
{%- set pooling = var('cache_pooling') -%}
{%- if pooling not in ['pooled', 'off'] -%}
    {{ exceptions.raise_compiler_error("var('cache_pooling') must be 'pooled' or 'off', got '" ~ pooling ~ "'") }}
{%- endif -%}

with

priced_calls as (

    select * from {{ ref('int_calls_priced') }}
    where is_priced

),

pools as (

    select * from {{ ref('int_cache_pools') }}

),

pooled as (

    select
        priced_calls.*,
        {%- if pooling == 'pooled' %}
        case
            when pools.pool_uncached_input_usd = 0 then priced_calls.effective_input_cost_usd
            else {{ aicost_to_money(
                'priced_calls.uncached_effective_input_cost_usd'
                ~ ' * (pools.pool_actual_input_usd / pools.pool_uncached_input_usd)') }}
        end as pooled_input_cost_usd
        {%- else %}
        priced_calls.effective_input_cost_usd as pooled_input_cost_usd
        {%- endif %}

    from priced_calls
    inner join pools
        on priced_calls.provider = pools.provider
        and priced_calls.model = pools.model
        and priced_calls.usage_month = pools.pool_month

),

final as (

    select
        request_id,
        trace_id,
        parent_request_id,
        source_name,
        source_file,
        line_number,
        record_index,
        request_copies,
        provider,
        model,
        priced_model,
        price_match,
        rate_effective_from,
        call_role,
        operation,
        status,
        is_batch,
        is_long_context,
        {%- for column in var('attribution_dimensions') + var('call_identifiers') %}
        {{ column }},
        {%- endfor %}
        api_key_alias,
        trace_has_primary,
        is_trace_primary,
        input_tokens,
        output_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        reasoning_tokens,
        latency_ms,
        reported_cost_usd,
        applied_input_usd_per_mtok,
        applied_output_usd_per_mtok,
        applied_cache_read_usd_per_mtok,
        applied_cache_write_usd_per_mtok,
        discount_pct,
        uncached_input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        output_cost_usd,
        input_cost_usd,
        list_cost_usd,
        uncached_list_cost_usd,
        effective_input_cost_usd,
        effective_output_cost_usd,
        uncached_effective_input_cost_usd,
        pooled_input_cost_usd,
        {{ aicost_to_money('effective_input_cost_usd + effective_output_cost_usd') }} as effective_cost_usd,
        {{ aicost_to_money('pooled_input_cost_usd + effective_output_cost_usd') }} as pooled_cost_usd,
        {{ aicost_to_money('uncached_effective_input_cost_usd - pooled_input_cost_usd') }} as cache_savings_usd,
        occurred_at,
        usage_date,
        usage_month,
        usage_month as pool_month,
        metadata

    from pooled

)

select * from final
