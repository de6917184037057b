{#- The ledger with its cost types side by side: one row per month x provider x model x every
    attribution dimension x is_allocated, so a unit-economics mart reads the fully loaded
    cost and the usage-only cost of a group in one pass.

    usage_cost_usd         = usage + negotiated_discount + cache_pooling (what the calls are billed)
    shared_cost_usd        = shared pools allocated to the group
    invoice_adjustment_usd = the group's share of invoiced - computed
    ai_cost_usd            = all of them: the fully loaded AI cost
    Unallocated amounts (is_allocated = false) carry `unallocated` dimensions, so they never count
    as product usage; they stay visible in mart_usage_by_environment. -#}
{%- set usage_cost_types = ['usage', 'negotiated_discount', 'cache_pooling'] -%}
{%- set grain = 'ledger_month, is_allocated, provider, model, ' ~ dimension_columns() -%}

with

ledger as (

    select * from {{ ref('fct_cost_ledger') }}

),

pivoted as (

    select
        {{ grain }},
        sum(case when cost_type in ('{{ usage_cost_types | join("', '") }}') then amount_usd else 0 end)
            as usage_cost_usd,
        sum(case when cost_type = 'shared_cost' then amount_usd else 0 end) as shared_cost_usd,
        sum(case when cost_type = 'invoice_adjustment' then amount_usd else 0 end) as invoice_adjustment_usd,
        sum(amount_usd) as ai_cost_usd,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens

    from ledger
    group by {{ grain }}

),

final as (

    select
        ledger_month,
        is_allocated,
        provider,
        model,
        {{ dimension_columns() }},
        {{ aicost_is_product_usage() }} as is_product_usage,
        {{ aicost_to_money('usage_cost_usd') }} as usage_cost_usd,
        {{ aicost_to_money('shared_cost_usd') }} as shared_cost_usd,
        {{ aicost_to_money('invoice_adjustment_usd') }} as invoice_adjustment_usd,
        {{ aicost_to_money('ai_cost_usd') }} as ai_cost_usd,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens

    from pivoted

)

select * from final
