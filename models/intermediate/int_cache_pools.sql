{#- One row per cache pool (provider x model x month): what its calls paid for input (after
    discounts) and what they would have paid with no prompt cache. The ratio of the two is the
    blended input rate every call of the pool pays (int_calls_cache_pooled). Small (a few rows
    per month), so it is rebuilt on every run: a month that receives new calls is always
    recomputed from all of its calls. -#}
with

priced_calls as (

    select * from {{ ref('int_calls_priced') }}
    where is_priced

),

final as (

    select
        provider,
        model,
        usage_month as pool_month,
        count(*) as calls,
        sum(effective_input_cost_usd) as pool_actual_input_usd,
        sum(uncached_effective_input_cost_usd) as pool_uncached_input_usd

    from priced_calls
    group by provider, model, usage_month

)

select * from final
