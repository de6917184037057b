{#- Each shared cost pool's month part split over what is in scope, by its driver
    (docs/ARCHITECTURE.md, "Shared costs"). Grain: pool x month x provider x model x every dimension.

    - tokens / requests / cost: spread over the in-scope usage groups (so every dimension inherits
      its share);
    - active_users / footprint / even: spread over the customers served in scope (prod, external
      usage with a known customer) by distinct active users, tenant footprint, or equally; then
      within a customer over its in-scope usage by cost (by calls when its usage cost is zero).
    A pool month with nothing in scope (or a zero driver) is one row with is_allocated = false and
    `unallocated` dimensions: never dropped. Every split is exact (see macros/allocation.sql). -#}
{%- set dimensions = var('attribution_dimensions') -%}
{#- The output has no day, so the days of a pool month are summed before allocating: the drivers
    are additive, and the windows sort 30x fewer rows (they were 15 s of a 10M-call build). -#}
{%- set group_order = 'provider, model, ' ~ dimension_columns() -%}

with

pool_months as (

    select * from {{ ref('int_shared_cost_pool_months') }}

),

usage_groups as (

    select * from {{ ref('int_usage_daily_rolled_up') }}

),

calls as (

    select * from {{ ref('int_calls_cache_pooled') }}

),

tenant_footprint as (

    select * from {{ ref('stg_raw__tenant_footprint') }}

),

in_scope_groups as (

    select
        pool_months.pool_id,
        pool_months.pool_month,
        pool_months.cost_pool,
        pool_months.driver,
        pool_months.scope_provider,
        pool_months.scope_model,
        pool_months.month_amount_usd,
        usage_groups.provider,
        usage_groups.model,
        {{ dimension_columns('usage_groups.') }},
        sum(usage_groups.calls) as calls,
        sum(usage_groups.input_tokens) as input_tokens,
        sum(usage_groups.output_tokens) as output_tokens,
        sum(usage_groups.pooled_cost_usd) as pooled_cost_usd

    from pool_months
    inner join usage_groups
        on usage_groups.usage_month = pool_months.pool_month
        and usage_groups.usage_date >= pool_months.window_start
        and usage_groups.usage_date < pool_months.window_end
        and (pool_months.scope_provider is null or usage_groups.provider = pool_months.scope_provider)
        and (pool_months.scope_model is null or usage_groups.model = pool_months.scope_model)
        and (pool_months.scope_feature is null or usage_groups.feature = pool_months.scope_feature)
        and (pool_months.scope_environment is null or usage_groups.environment = pool_months.scope_environment)
    group by
        pool_months.pool_id,
        pool_months.pool_month,
        pool_months.cost_pool,
        pool_months.driver,
        pool_months.scope_provider,
        pool_months.scope_model,
        pool_months.month_amount_usd,
        usage_groups.provider,
        usage_groups.model,
        {{ dimension_columns('usage_groups.') }}

),

-- call-level drivers ----------------------------------------------------------------------------

call_level_weights as (

    select
        in_scope_groups.*,
        case driver
            when 'tokens' then cast(input_tokens + output_tokens as decimal(38, 12))
            when 'requests' then cast(calls as decimal(38, 12))
            when 'cost' then cast(pooled_cost_usd as decimal(38, 12))
        end as driver_weight

    from in_scope_groups
    where driver in ('tokens', 'requests', 'cost')

),

call_level_cumulative as (

    select
        call_level_weights.*,
        {{ cumulative_allocation('month_amount_usd', 'driver_weight', 'pool_id, pool_month', group_order) }}
            as cumulative_allocated_usd

    from call_level_weights

),

call_level_allocations as (

    select
        call_level_cumulative.*,
        {{ allocation_from_cumulative('cumulative_allocated_usd', 'pool_id, pool_month', group_order) }}
            as allocated_usd

    from call_level_cumulative

),

-- customer-level drivers ------------------------------------------------------------------------

served_groups as (

    select * from in_scope_groups
    where driver in ('active_users', 'footprint', 'even')
        and environment = 'prod'
        and usage_type = 'external'
        and customer_id <> 'unattributed'

),

served_customers as (

    select
        pool_id,
        pool_month,
        driver,
        month_amount_usd,
        customer_id,
        sum(pooled_cost_usd) as customer_cost_usd

    from served_groups
    group by pool_id, pool_month, driver, month_amount_usd, customer_id

),

active_users_by_customer as (

    select
        pool_months.pool_id,
        pool_months.pool_month,
        calls.customer_id,
        count(distinct calls.user_id) as active_users

    from pool_months
    inner join calls
        on calls.pool_month = pool_months.pool_month
        and calls.usage_date >= pool_months.window_start
        and calls.usage_date < pool_months.window_end
        and (pool_months.scope_provider is null or calls.provider = pool_months.scope_provider)
        and (pool_months.scope_model is null or calls.model = pool_months.scope_model)
        and (pool_months.scope_feature is null or calls.feature = pool_months.scope_feature)
        and (pool_months.scope_environment is null or calls.environment = pool_months.scope_environment)
    where pool_months.driver = 'active_users'
        and calls.environment = 'prod'
        and calls.usage_type = 'external'
        and calls.customer_id <> 'unattributed'
    group by pool_months.pool_id, pool_months.pool_month, calls.customer_id

),

footprint_by_customer as (

    select customer_id, footprint_month, sum(footprint_units) as footprint_units
    from tenant_footprint
    group by customer_id, footprint_month

),

customer_weights as (

    select
        served_customers.*,
        case served_customers.driver
            when 'active_users' then cast(coalesce(active_users_by_customer.active_users, 0) as decimal(38, 12))
            when 'footprint' then cast(coalesce(footprint_by_customer.footprint_units, 0) as decimal(38, 12))
            when 'even' then cast(1 as decimal(38, 12))
        end as customer_weight

    from served_customers
    left join active_users_by_customer
        on served_customers.pool_id = active_users_by_customer.pool_id
        and served_customers.pool_month = active_users_by_customer.pool_month
        and served_customers.customer_id = active_users_by_customer.customer_id
    left join footprint_by_customer
        on served_customers.customer_id = footprint_by_customer.customer_id
        and served_customers.pool_month = footprint_by_customer.footprint_month

),

customer_cumulative as (

    select
        customer_weights.*,
        {{ cumulative_allocation('month_amount_usd', 'customer_weight', 'pool_id, pool_month', 'customer_id') }}
            as cumulative_customer_usd

    from customer_weights

),

customer_amounts as (

    select
        customer_cumulative.*,
        {{ allocation_from_cumulative('cumulative_customer_usd', 'pool_id, pool_month', 'customer_id') }}
            as customer_amount_usd

    from customer_cumulative

),

within_customer_weights as (

    select
        served_groups.*,
        customer_amounts.customer_amount_usd,
        case
            when customer_amounts.customer_cost_usd > 0 then cast(served_groups.pooled_cost_usd as decimal(38, 12))
            else cast(served_groups.calls as decimal(38, 12))
        end as within_customer_weight

    from served_groups
    inner join customer_amounts
        on served_groups.pool_id = customer_amounts.pool_id
        and served_groups.pool_month = customer_amounts.pool_month
        and served_groups.customer_id = customer_amounts.customer_id
    where customer_amounts.customer_amount_usd is not null

),

within_customer_cumulative as (

    select
        within_customer_weights.*,
        {{ cumulative_allocation('customer_amount_usd', 'within_customer_weight',
                                 'pool_id, pool_month, customer_id', group_order) }} as cumulative_allocated_usd

    from within_customer_weights

),

customer_level_allocations as (

    select
        within_customer_cumulative.*,
        {{ allocation_from_cumulative('cumulative_allocated_usd', 'pool_id, pool_month, customer_id', group_order) }}
            as allocated_usd

    from within_customer_cumulative

),

-- together --------------------------------------------------------------------------------------

allocated as (

    {%- for allocations in ['call_level_allocations', 'customer_level_allocations'] %}
    select
        pool_id,
        pool_month,
        cost_pool,
        driver,
        true as is_allocated,
        {#- A pool scoped to a provider is part of that provider's bill (its invoice includes it);
            any other pool is booked under provider `shared`. -#}
        case when scope_provider is null then 'shared' else provider end as provider,
        case when scope_provider is null and scope_model is null then 'shared' else model end as model,
        {{ dimension_columns() }},
        allocated_usd
    from {{ allocations }}
    where allocated_usd is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

allocated_pool_months as (

    select distinct pool_id, pool_month from allocated

),

unallocated as (

    select
        pool_months.pool_id,
        pool_months.pool_month,
        pool_months.cost_pool,
        pool_months.driver,
        false as is_allocated,
        coalesce(pool_months.scope_provider, 'shared') as provider,
        coalesce(pool_months.scope_model, 'shared') as model,
        {%- for dimension in dimensions %}
        'unallocated' as {{ dimension }},
        {%- endfor %}
        pool_months.month_amount_usd as allocated_usd

    from pool_months
    left join allocated_pool_months
        on pool_months.pool_id = allocated_pool_months.pool_id
        and pool_months.pool_month = allocated_pool_months.pool_month
    where allocated_pool_months.pool_id is null

),

final as (

    select
        pool_id,
        pool_month,
        cost_pool,
        driver,
        is_allocated,
        provider,
        model,
        {{ dimension_columns() }},
        allocated_usd as amount_usd

    from allocated
    union all
    select
        pool_id,
        pool_month,
        cost_pool,
        driver,
        is_allocated,
        provider,
        model,
        {{ dimension_columns() }},
        allocated_usd as amount_usd
    from unallocated

)

select * from final
