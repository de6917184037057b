{#- Provider x month: what the ledger computes (usage after discounts and pooling, plus shared
    pools scoped to the provider) against what the provider invoiced. -#}
with

usage_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

shared_costs as (

    select * from {{ ref('int_shared_costs_allocated') }}

),

invoices as (

    select * from {{ ref('stg_raw__provider_invoices') }}

),

computed as (

    select provider, usage_month as invoice_month, sum(pooled_cost_usd) as computed_usd
    from usage_groups
    group by provider, usage_month
    union all
    select provider, pool_month as invoice_month, sum(amount_usd) as computed_usd
    from shared_costs
    where provider <> 'shared'
    group by provider, pool_month

),

computed_by_provider_month as (

    select provider, invoice_month, sum(computed_usd) as computed_usd
    from computed
    group by provider, invoice_month

),

invoiced_by_provider_month as (

    select provider, invoice_month, sum(invoiced_usd) as invoiced_usd
    from invoices
    where provider is not null and invoice_month is not null
    group by provider, invoice_month

),

final as (

    select
        invoiced.provider,
        invoiced.invoice_month,
        {{ aicost_to_money('coalesce(computed.computed_usd, 0)') }} as computed_usd,
        {{ aicost_to_money('invoiced.invoiced_usd') }} as invoiced_usd,
        {{ aicost_to_money('invoiced.invoiced_usd - coalesce(computed.computed_usd, 0)') }} as difference_usd,
        {{ safe_divide('(invoiced.invoiced_usd - coalesce(computed.computed_usd, 0)) * 100.0',
                       'computed.computed_usd') }} as difference_pct

    from invoiced_by_provider_month as invoiced
    left join computed_by_provider_month as computed
        on invoiced.provider = computed.provider
        and invoiced.invoice_month = computed.invoice_month

)

select * from final
