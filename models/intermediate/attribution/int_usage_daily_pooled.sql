{#- The daily roll-up with each group's cost after cache pooling: its uncached-equivalent input
    cost at its pool's blended rate (int_cache_pools), plus its output cost. The amounts the ledger,
    the shared-cost drivers and the invoice reconciliation work with. A view: the pool ratio of a
    month changes whenever a call of that month arrives, and applying it on read costs a join to a
    few rows, where storing it would rewrite the month. -#}
{{ config(materialized='view') }}

with

daily_groups as (

    select * from {{ ref('int_usage_daily_rolled_up') }}

),

pools as (

    select * from {{ ref('int_cache_pools') }}

),

pooled as (

    select
        daily_groups.*,
        {{ aicost_pooled_input_cost('daily_groups.uncached_effective_input_cost_usd',
                                    'daily_groups.effective_input_cost_usd', 'pools') }} as pooled_input_cost_usd

    from daily_groups
    inner join pools
        on daily_groups.provider = pools.provider
        and daily_groups.model = pools.model
        and daily_groups.usage_month = pools.pool_month

),

final as (

    select
        usage_date,
        usage_month,
        provider,
        model,
        operation,
        {{ dimension_columns() }},
        calls,
        input_tokens,
        output_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        list_cost_usd,
        uncached_input_list_cost_usd,
        cache_read_list_cost_usd,
        cache_write_list_cost_usd,
        output_list_cost_usd,
        {{ aicost_to_money('effective_input_cost_usd + effective_output_cost_usd') }} as effective_cost_usd,
        {{ aicost_to_money('pooled_input_cost_usd + effective_output_cost_usd') }} as pooled_cost_usd,
        {{ aicost_to_money('uncached_effective_input_cost_usd - pooled_input_cost_usd') }} as cache_savings_usd

    from pooled

)

select * from final
