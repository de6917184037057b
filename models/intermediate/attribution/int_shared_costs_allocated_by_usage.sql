{#- Shared pools whose driver measures usage (var('shared_cost_drivers') family `usage`): each
    pool month spread over its in-scope usage groups in proportion to their tokens (input +
    output), calls (`requests`) or pooled cost (`cost`), so every dimension of a call inherits its
    share. Exact: each part is the difference of rounded cumulative shares (macros/marts/allocation.sql),
    so the parts sum to the pool month to the last decimal. A pool month whose driver sums to zero
    gives no rows here and is booked unallocated by int_shared_costs_allocated. -#}
{%- set group_order = 'provider, model, ' ~ dimension_columns() -%}

with

groups_in_scope as (

    select * from {{ ref('int_shared_cost_groups_in_scope') }}
    where driver in {{ aicost_shared_cost_drivers('usage') }}

),

weighted as (

    select
        groups_in_scope.*,
        case driver
            when 'tokens' then cast(input_tokens + output_tokens as decimal(38, 12))
            when 'requests' then cast(calls as decimal(38, 12))
            when 'cost' then cast(pooled_cost_usd as decimal(38, 12))
        end as driver_weight

    from groups_in_scope

),

cumulative as (

    select
        weighted.*,
        {{ cumulative_allocation('month_amount_usd', 'driver_weight', 'pool_id, pool_month', group_order) }}
            as cumulative_allocated_usd

    from weighted

),

final as (

    select
        pool_id,
        pool_month,
        provider,
        model,
        {{ dimension_columns() }},
        {{ allocation_from_cumulative('cumulative_allocated_usd', 'pool_id, pool_month', group_order) }}
            as allocated_usd

    from cumulative

)

select * from final
where allocated_usd is not null
