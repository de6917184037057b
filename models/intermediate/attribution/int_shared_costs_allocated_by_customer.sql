{#- Shared pools whose driver measures customers (var('shared_cost_drivers') family `customer`):
    each pool month spread over the customers it served in scope (prod, external usage of a known
    customer) by their distinct active users (`active_users`), their data footprint
    (`footprint`, tenant_footprint.csv) or equally (`even`); then, within a customer, over its
    in-scope usage groups by pooled cost (by calls when its usage cost is zero). Exact at both
    steps (macros/marts/allocation.sql). -#}
{%- set group_order = 'provider, model, ' ~ dimension_columns() -%}

with

pool_months as (

    select * from {{ ref('int_shared_cost_pool_months') }}
    where driver in {{ aicost_shared_cost_drivers('customer') }}

),

groups_in_scope as (

    select * from {{ ref('int_shared_cost_groups_in_scope') }}
    where driver in {{ aicost_shared_cost_drivers('customer') }}

),

active_user_days as (

    select * from {{ ref('int_active_user_days') }}

),

tenant_footprint as (

    select * from {{ ref('stg_raw__tenant_footprint') }}

),

served_groups as (

    select * from groups_in_scope
    where {{ aicost_is_product_usage() }}
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
        active_user_days.customer_id,
        count(distinct active_user_days.user_id) as active_users

    from pool_months
    inner join active_user_days
        on active_user_days.usage_month = pool_months.pool_month
        and {{ aicost_in_pool_window('pool_months', 'active_user_days') }}
    where pool_months.driver = 'active_users'
        and active_user_days.customer_id <> 'unattributed'
    group by pool_months.pool_id, pool_months.pool_month, active_user_days.customer_id

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

final as (

    select
        pool_id,
        pool_month,
        provider,
        model,
        {{ dimension_columns() }},
        {{ allocation_from_cumulative('cumulative_allocated_usd', 'pool_id, pool_month, customer_id', group_order) }}
            as allocated_usd

    from within_customer_cumulative

)

select * from final
where allocated_usd is not null
