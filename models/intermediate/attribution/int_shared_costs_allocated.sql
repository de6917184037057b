{#- Every shared cost pool month, booked (docs/ARCHITECTURE.md, "Shared costs"): the allocations of
    each driver family (int_shared_costs_allocated_by_<family>, one per family of
    var('shared_cost_drivers')), and, for a pool month that nothing in scope could carry (no usage
    in scope, or a driver that sums to zero), one row with is_allocated = false and `unallocated`
    dimensions: never dropped. Grain: pool x month x provider x model x every dimension.

    A pool scoped to a provider is part of that provider's bill (its invoice includes it): it keeps
    the provider (and the model, when scoped to one); any other pool is booked under provider and
    model `shared`. -#}
{%- set families = var('shared_cost_drivers').values() | unique | list | sort -%}

with

pool_months as (

    select * from {{ ref('int_shared_cost_pool_months') }}

),

{% for family in families %}
allocated_by_{{ family }} as (

    select * from {{ ref('int_shared_costs_allocated_by_' ~ family) }}

),

{% endfor %}
allocated as (

    {%- for family in families %}
    select * from allocated_by_{{ family }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

),

booked as (

    select
        pool_months.pool_id,
        pool_months.pool_month,
        pool_months.cost_pool,
        pool_months.driver,
        true as is_allocated,
        case when pool_months.scope_provider is null then 'shared' else allocated.provider end as provider,
        case
            when pool_months.scope_provider is null and pool_months.scope_model is null then 'shared'
            else allocated.model
        end as model,
        {{ dimension_columns('allocated.') }},
        allocated.allocated_usd as amount_usd

    from allocated
    inner join pool_months
        on allocated.pool_id = pool_months.pool_id
        and allocated.pool_month = pool_months.pool_month

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
        {%- for dimension in var('attribution_dimensions') %}
        'unallocated' as {{ dimension }},
        {%- endfor %}
        pool_months.month_amount_usd as amount_usd

    from pool_months
    where not exists (
        select 1 from allocated
        where allocated.pool_id = pool_months.pool_id
            and allocated.pool_month = pool_months.pool_month
    )

),

final as (

    select * from booked
    union all
    select * from unallocated

)

select * from final
