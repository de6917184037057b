{#- One row per priced call with its cache-pooled cost (ARCHITECTURE.md, "Cache-savings pooling").
    A prompt cache one tenant paid to fill makes the next tenant's call cheaper; pooling gives
    every call of a pool (provider x model x month) the same blended input rate:

        pooled_input = uncached-equivalent input * sum(actual input) / sum(uncached-equivalent input)

    so the pool's total is unchanged. With var('cache_pooling') = 'off' each call keeps its own
    cache luck. All amounts are after negotiated discounts. -#}
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

    select
        provider,
        model,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as pool_month,
        sum(effective_input_cost_usd) as pool_actual_input_usd,
        sum(uncached_effective_input_cost_usd) as pool_uncached_input_usd

    from priced_calls
    group by 1, 2, 3

),

pooled as (

    select
        priced_calls.*,
        pools.pool_month,
        cast({{ dbt.date_trunc('day', 'priced_calls.occurred_at') }} as date) as usage_date,
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
        and cast({{ dbt.date_trunc('month', 'priced_calls.occurred_at') }} as date) = pools.pool_month

),

final as (

    select
        pooled.*,
        {{ aicost_to_money('effective_input_cost_usd + effective_output_cost_usd') }} as effective_cost_usd,
        {{ aicost_to_money('pooled_input_cost_usd + effective_output_cost_usd') }} as pooled_cost_usd,
        {{ aicost_to_money('uncached_effective_input_cost_usd - pooled_input_cost_usd') }} as cache_savings_usd

    from pooled

)

select * from final
