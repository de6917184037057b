{#- Each shared cost pool month against the usage it may be spread over: one row per pool x month
    x provider x model x every dimension whose calls fall inside the pool's window and scope
    (provider, model, feature, environment; empty = all), with the group's calls, tokens and
    pooled cost. The days of the month are summed: every driver is additive and the allocation
    has no day. -#}
with

pool_months as (

    select * from {{ ref('int_shared_cost_pool_months') }}

),

daily_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

final as (

    select
        pool_months.pool_id,
        pool_months.pool_month,
        pool_months.cost_pool,
        pool_months.driver,
        pool_months.scope_provider,
        pool_months.scope_model,
        pool_months.month_amount_usd,
        daily_groups.provider,
        daily_groups.model,
        {{ dimension_columns('daily_groups.') }},
        sum(daily_groups.calls) as calls,
        sum(daily_groups.input_tokens) as input_tokens,
        sum(daily_groups.output_tokens) as output_tokens,
        sum(daily_groups.pooled_cost_usd) as pooled_cost_usd

    from pool_months
    inner join daily_groups
        on daily_groups.usage_month = pool_months.pool_month
        and {{ aicost_in_pool_window('pool_months', 'daily_groups') }}
    group by
        pool_months.pool_id,
        pool_months.pool_month,
        pool_months.cost_pool,
        pool_months.driver,
        pool_months.scope_provider,
        pool_months.scope_model,
        pool_months.month_amount_usd,
        daily_groups.provider,
        daily_groups.model,
        {{ dimension_columns('daily_groups.') }}

)

select * from final
