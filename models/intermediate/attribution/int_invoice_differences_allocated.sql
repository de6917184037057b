{#- Each invoice difference booked over the provider's usage of the month in proportion to its
    cost (var('invoice_difference') = 'allocate'), or kept whole as one unallocated row
    ('unallocated', or when the provider had no usage that month). Exact: parts sum to the
    difference. -#}
{%- set mode = var('invoice_difference') -%}
{%- if mode not in ['allocate', 'unallocated'] -%}
    {{ exceptions.raise_compiler_error("var('invoice_difference') must be 'allocate' or 'unallocated', got '" ~ mode ~ "'") }}
{%- endif -%}
{%- set group_order = 'usage_date, model, operation, ' ~ dimension_columns() -%}

with

differences as (

    select * from {{ ref('int_invoice_differences') }}
    where difference_usd <> 0

),

usage_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

{%- if mode == 'allocate' %}

provider_usage as (

    select
        differences.provider,
        differences.invoice_month,
        differences.difference_usd,
        usage_groups.usage_date,
        usage_groups.model,
        usage_groups.operation,
        {{ dimension_columns('usage_groups.') }},
        usage_groups.calls,
        usage_groups.pooled_cost_usd,
        sum(usage_groups.pooled_cost_usd) over (
            partition by differences.provider, differences.invoice_month
        ) as provider_month_cost_usd

    from differences
    inner join usage_groups
        on differences.provider = usage_groups.provider
        and differences.invoice_month = usage_groups.usage_month

),

weighted as (

    select
        provider_usage.*,
        case
            when provider_month_cost_usd > 0 then cast(pooled_cost_usd as decimal(38, 12))
            else cast(calls as decimal(38, 12))
        end as difference_weight

    from provider_usage

),

cumulative as (

    select
        weighted.*,
        {{ cumulative_allocation('difference_usd', 'difference_weight', 'provider, invoice_month', group_order) }}
            as cumulative_allocated_usd

    from weighted

),

allocated as (

    select
        provider,
        invoice_month,
        true as is_allocated,
        model,
        {{ dimension_columns() }},
        {{ allocation_from_cumulative('cumulative_allocated_usd', 'provider, invoice_month', group_order) }}
            as amount_usd

    from cumulative

),

{%- else %}

allocated as (

    {#- Nothing is spread in this mode: every difference goes to `unallocated` below. -#}
    select
        provider,
        invoice_month,
        true as is_allocated,
        provider as model,
        {%- for dimension in var('attribution_dimensions') %}
        provider as {{ dimension }},
        {%- endfor %}
        difference_usd as amount_usd
    from differences
    where 1 = 0

),

{%- endif %}

allocated_provider_months as (

    select distinct provider, invoice_month from allocated

),

unallocated as (

    select
        differences.provider,
        differences.invoice_month,
        false as is_allocated,
        'unallocated' as model,
        {%- for dimension in var('attribution_dimensions') %}
        'unallocated' as {{ dimension }},
        {%- endfor %}
        differences.difference_usd as amount_usd

    from differences
    left join allocated_provider_months
        on differences.provider = allocated_provider_months.provider
        and differences.invoice_month = allocated_provider_months.invoice_month
    where allocated_provider_months.provider is null

),

final as (

    select provider, invoice_month, is_allocated, model, {{ dimension_columns() }}, amount_usd
    from allocated
    union all
    select provider, invoice_month, is_allocated, model, {{ dimension_columns() }}, amount_usd
    from unallocated

)

select * from final
