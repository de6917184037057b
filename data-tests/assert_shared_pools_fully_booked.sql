-- Per shared cost pool: allocated + unallocated = the pool's amount, exactly.
with

pools as (

    select cost_pool, sum(amount_usd) as pool_amount_usd
    from {{ ref('stg_raw__shared_costs') }}
    where period_end > period_start and amount_usd is not null
    group by cost_pool

),

booked as (

    select cost_pool, sum(amount_usd) as booked_usd
    from {{ ref('fct_cost_ledger') }}
    where cost_type = 'shared_cost'
    group by cost_pool

)

select
    coalesce(pools.cost_pool, booked.cost_pool) as cost_pool,
    pools.pool_amount_usd,
    booked.booked_usd
from pools
full outer join booked
    on pools.cost_pool = booked.cost_pool
where pools.cost_pool is null
    or booked.cost_pool is null
    or pools.pool_amount_usd <> booked.booked_usd
