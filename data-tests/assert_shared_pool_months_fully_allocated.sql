-- Each pool month: allocated + unallocated = its amount, exactly.
select cost_pool, pool_month, amount_usd, allocated_usd, unallocated_usd
from {{ ref('mart_shared_cost_pools') }}
where allocated_usd + unallocated_usd <> amount_usd
