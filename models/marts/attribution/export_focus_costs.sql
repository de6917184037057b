{#- The ledger in the FinOps FOCUS 1.2 shape, so AI costs load next to the cloud bill.
    One row per ledger month x charge x provider x model x dimensions:
    - usage: ListCost = rate card, ContractedCost = after negotiated discounts,
      EffectiveCost = BilledCost = after cache pooling;
    - a shared pool: one Usage charge per pool (ServiceName = the pool);
    - an invoice difference: an Adjustment charge.
    Non-FOCUS columns are prefixed x_. -#}
{%- set grain = 'ledger_month, charge_key, is_allocated, provider, model, ' ~ dimension_columns() -%}

with

ledger as (

    select * from {{ ref('fct_cost_ledger') }}

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
        sum(case when cost_type in ('usage', 'shared_cost', 'invoice_adjustment') then amount_usd else 0 end)
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

final as (

    select
        {{ aicost_to_money('effective_cost') }} as "BilledCost",
        {{ aicost_to_money('effective_cost') }} as "EffectiveCost",
        {{ aicost_to_money('list_cost') }} as "ListCost",
        {{ aicost_to_money('contracted_cost') }} as "ContractedCost",
        'USD' as "BillingCurrency",
        charge_category as "ChargeCategory",
        case
            when charge_key = 'usage' then {{ dbt.concat(["'LLM usage: '", 'provider', "' '", 'model']) }}
            when charge_key = 'provider_invoice' then {{ dbt.concat(["'Invoice difference: '", 'provider']) }}
            else {{ dbt.concat(["'Shared cost pool: '", 'charge_key']) }}
        end as "ChargeDescription",
        cast(ledger_month as timestamp) as "ChargePeriodStart",
        cast({{ dbt.dateadd('month', 1, 'ledger_month') }} as timestamp) as "ChargePeriodEnd",
        cast(ledger_month as timestamp) as "BillingPeriodStart",
        cast({{ dbt.dateadd('month', 1, 'ledger_month') }} as timestamp) as "BillingPeriodEnd",
        provider as "ProviderName",
        provider as "PublisherName",
        provider as "InvoiceIssuerName",
        case when charge_key = 'usage' then model else charge_key end as "ServiceName",
        'AI and Machine Learning' as "ServiceCategory",
        {{ aicost_json_object(var('attribution_dimensions')) }} as "Tags",
        charge_key as "x_CostPool",
        is_allocated as "x_IsAllocated",
        model as "x_Model",
        calls as "x_Calls",
        input_tokens as "x_InputTokens",
        output_tokens as "x_OutputTokens",
        {{ aicost_to_money('cache_savings_usd') }} as "x_CacheSavings"

    from pivoted

)

select * from final
