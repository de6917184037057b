{#- Priced calls summed to day x provider x model x every dimension: the grain shared costs and
    invoice differences are allocated over (drivers are additive, so allocating to these groups
    equals allocating to the calls in them, at a fraction of the rows). -#}
with

pooled_calls as (

    select * from {{ ref('int_calls_cache_pooled') }}

),

final as (

    select
        usage_date,
        pool_month as usage_month,
        provider,
        model,
        {{ dimension_columns() }},
        count(*) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(list_cost_usd) as list_cost_usd,
        sum(effective_cost_usd) as effective_cost_usd,
        sum(pooled_cost_usd) as pooled_cost_usd,
        sum(cache_savings_usd) as cache_savings_usd

    from pooled_calls
    group by usage_date, pool_month, provider, model, {{ dimension_columns() }}

)

select * from final
