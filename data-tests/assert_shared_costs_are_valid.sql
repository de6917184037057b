-- A shared cost row that cannot be allocated (no amount, a period that ends before it starts,
-- an unknown driver) would silently vanish: fail the build instead, naming the row.
select cost_pool, period_start, period_end, amount_usd, driver
from {{ ref('stg_raw__shared_costs') }}
where amount_usd is null
    or period_start is null
    or period_end is null
    or period_end <= period_start
    or driver is null
    or driver not in ('tokens', 'requests', 'cost', 'active_users', 'footprint', 'even')
