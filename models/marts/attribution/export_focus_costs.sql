{#- The ledger in the FinOps FOCUS 1.3 shape (Cost and Usage dataset), so AI costs load next to the
    cloud bill. One row per ledger month x charge x provider x model x dimensions:
    - usage: ListCost = rate card, ContractedCost = after negotiated discounts,
      EffectiveCost = BilledCost = after cache pooling;
    - untracked usage (the provider's usage report against the logs): a Usage charge;
    - a shared pool: a Usage charge per pool, split over usage by its driver (FOCUS 1.3 split cost
      allocation: AllocatedMethodId, AllocatedMethodDetails with the row's AllocatedRatio of the
      pool's allocated amount, AllocatedResourceId / Name / Tags naming the group it went to);
    - an invoice difference: an Adjustment charge, split by cost in `allocate` mode.
    The columns are aicost_focus_charge_columns (macros/marts/focus.sql); export_focus_costs_sku splits
    usage into one row per token type (SKU). Sums to the ledger (tested). -#}
{%- set grain = 'ledger_month, charge_key, is_allocated, provider, model, ' ~ dimension_columns() -%}

with

ledger as (

    select * from {{ ref('fct_cost_ledger') }}

),

pool_drivers as (

    select cost_pool, pool_month, max(driver) as driver
    from {{ ref('int_shared_cost_pool_months') }}
    group by cost_pool, pool_month

),

charges as (

    select
        ledger.*,
        case when cost_type in ('usage', 'negotiated_discount', 'cache_pooling') then 'usage' else cost_pool end
            as charge_key,
        case when cost_type = 'invoice_adjustment' then 'Adjustment' else 'Usage' end as charge_category

    from ledger

),

pivoted as (

    select
        {{ grain }},
        charge_category,
        sum(case when cost_type not in ('negotiated_discount', 'cache_pooling') then amount_usd else 0 end)
            as list_cost,
        sum(case when cost_type <> 'cache_pooling' then amount_usd else 0 end) as contracted_cost,
        sum(amount_usd) as effective_cost,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_savings_usd) as cache_savings_usd

    from charges
    group by {{ grain }}, charge_category

),

allocated as (

    {#- the split of a shared pool or an invoice difference: each allocated row's share of what
        the pool (or difference) spread that month -#}
    select
        pivoted.*,
        case
            when not pivoted.is_allocated or pivoted.charge_key in ('usage', 'provider_usage_report') then null
            when pivoted.charge_key = 'provider_invoice' then 'invoice_difference:cost'
            else {{ dbt.concat(["'shared_cost:'", "coalesce(pool_drivers.driver, 'unknown')"]) }}
        end as allocation_method,
        cast({{ safe_divide('pivoted.effective_cost',
                            'sum(case when pivoted.is_allocated then pivoted.effective_cost end) over '
                            ~ '(partition by pivoted.ledger_month, pivoted.charge_key, '
                            ~ "case when pivoted.charge_key = 'provider_invoice' then pivoted.provider end)") }}
            as {{ aicost_type_ratio() }}) as allocated_ratio

    from pivoted
    left join pool_drivers
        on pivoted.charge_key = pool_drivers.cost_pool
        and pivoted.ledger_month = pool_drivers.pool_month

),

final as (

    select
        {{ aicost_focus_charge_columns() }}
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('SkuId') }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('SkuMeter') }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('SkuPriceId') }},
        {#- tokens for usage (every token of the charge); shared pools and adjustments have no quantity -#}
        case when charge_key in ('usage', 'provider_usage_report') then
            {{ aicost_to_money('input_tokens + output_tokens') }} end as {{ adapter.quote('ConsumedQuantity') }},
        case when charge_key in ('usage', 'provider_usage_report') then 'Tokens' end as {{ adapter.quote('ConsumedUnit') }},
        case when charge_key in ('usage', 'provider_usage_report') then
            {{ aicost_to_money('(input_tokens + output_tokens) * cast(0.000001 as decimal(7, 6))') }} end as {{ adapter.quote('PricingQuantity') }},
        case when charge_key in ('usage', 'provider_usage_report') then '1M Tokens' end as {{ adapter.quote('PricingUnit') }},
        cast(null as {{ aicost_type_money() }}) as {{ adapter.quote('ListUnitPrice') }},
        cast(null as {{ aicost_type_money() }}) as {{ adapter.quote('ContractedUnitPrice') }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('x_TokenDirection') }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('x_CacheAction') }},
        cast(calls as {{ dbt.type_bigint() }}) as {{ adapter.quote('x_Calls') }},
        cast(input_tokens as {{ dbt.type_bigint() }}) as {{ adapter.quote('x_InputTokens') }},
        cast(output_tokens as {{ dbt.type_bigint() }}) as {{ adapter.quote('x_OutputTokens') }},
        {{ aicost_to_money('cache_savings_usd') }} as {{ adapter.quote('x_CacheSavings') }}

    from allocated

)

select * from final
