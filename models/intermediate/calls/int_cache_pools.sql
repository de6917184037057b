{#- One row per cache pool (provider x model x month): what its calls paid for input after
    discounts, and what they would have paid with no prompt cache. Their ratio is the blended input
    rate every call of the pool pays (docs/ARCHITECTURE.md, "Cache-savings pooling"):

        pooled input cost of any set of calls of the pool
            = their uncached-equivalent input cost x pool_actual_input_usd / pool_uncached_input_usd

    which is linear, so a group of calls is pooled from its sums (int_usage_daily_pooled) and a
    single call in fct_llm_calls the same way. Summed from the daily roll-up, not from the calls:
    a few rows per month, rebuilt on every run. -#}
with

daily_groups as (

    select * from {{ ref('int_usage_daily_rolled_up') }}

),

final as (

    select
        provider,
        model,
        usage_month as pool_month,
        sum(calls) as calls,
        {{ aicost_to_money('sum(effective_input_cost_usd)') }} as pool_actual_input_usd,
        {{ aicost_to_money('sum(uncached_effective_input_cost_usd)') }} as pool_uncached_input_usd

    from daily_groups
    group by provider, model, usage_month

)

select * from final
