{#- Shared cost pool x month: how much the pool put in the month, by which driver and scope, how
    much landed on usage and how much stayed unallocated, and how widely it was spread. -#}
with

pool_months as (

    select * from {{ ref('int_shared_cost_pool_months') }}

),

allocations as (

    select * from {{ ref('int_shared_costs_allocated') }}

),

allocation_totals as (

    select
        pool_id,
        pool_month,
        sum(case when is_allocated then amount_usd else 0 end) as allocated_usd,
        sum(case when is_allocated then 0 else amount_usd end) as unallocated_usd,
        count(distinct case when is_allocated then customer_id end) as customers_reached,
        count(distinct case when is_allocated then feature end) as features_reached,
        count(distinct case when is_allocated then model end) as models_reached

    from allocations
    group by pool_id, pool_month

),

final as (

    select
        pool_months.cost_pool,
        pool_months.pool_month,
        pool_months.driver,
        pool_months.scope_provider,
        pool_months.scope_model,
        pool_months.scope_feature,
        pool_months.scope_environment,
        pool_months.period_start,
        pool_months.period_end,
        pool_months.window_days,
        pool_months.month_amount_usd as amount_usd,
        {{ aicost_to_money('coalesce(allocation_totals.allocated_usd, 0)') }} as allocated_usd,
        {{ aicost_to_money('coalesce(allocation_totals.unallocated_usd, 0)') }} as unallocated_usd,
        coalesce(allocation_totals.customers_reached, 0) as customers_reached,
        coalesce(allocation_totals.features_reached, 0) as features_reached,
        coalesce(allocation_totals.models_reached, 0) as models_reached

    from pool_months
    left join allocation_totals
        on pool_months.pool_id = allocation_totals.pool_id
        and pool_months.pool_month = allocation_totals.pool_month

)

select * from final
