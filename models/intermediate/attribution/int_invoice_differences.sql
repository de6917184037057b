{#- Provider x month: what the ledger computes against what the provider invoiced.

    The invoiced amount is the month's row of provider_invoices.csv (the invoice is final), else
    the sum of the provider's cost report days of that month (provider_costs/), so a month is
    reconciled before its invoice arrives, the current one included. Against an invoice every day
    of the month is compared; against a cost report only the days it covers, and what the logs
    hold on the other days (not reported yet) is `unreported_usd`, left as it is.

      computed_usd         usage after discounts and pooling on the compared days
                           + shared pools scoped to the provider
      untracked_usage_usd  untracked usage on the compared days (int_usage_reconciled)
      difference_usd       invoiced - computed - untracked: the invoice adjustment -#}
with

usage_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

untracked_usage as (

    select * from {{ ref('int_usage_reconciled') }}
    where is_priced

),

shared_costs as (

    select * from {{ ref('int_shared_costs_allocated') }}

),

invoices as (

    select * from {{ ref('stg_raw__provider_invoices') }}

),

cost_report_days as (

    select * from {{ ref('int_provider_costs_daily') }}

),

invoiced_by_provider_month as (

    select provider, invoice_month, sum(invoiced_usd) as invoiced_usd
    from invoices
    where provider is not null and invoice_month is not null
    group by provider, invoice_month

),

reported_by_provider_month as (

    {#- a month with an invoice is the invoice's -#}
    select cost_report_days.provider, cost_report_days.cost_month as invoice_month,
           sum(cost_report_days.reported_cost_usd) as invoiced_usd, count(*) as reported_days
    from cost_report_days
    left join invoiced_by_provider_month as invoiced
        on cost_report_days.provider = invoiced.provider
        and cost_report_days.cost_month = invoiced.invoice_month
    where invoiced.provider is null
    group by cost_report_days.provider, cost_report_days.cost_month

),

provider_months as (

    select provider, invoice_month, 'invoice' as invoice_source, invoiced_usd,
           cast(null as {{ dbt.type_bigint() }}) as reported_days
    from invoiced_by_provider_month
    union all
    select provider, invoice_month, 'cost_report' as invoice_source, invoiced_usd,
           cast(reported_days as {{ dbt.type_bigint() }}) as reported_days
    from reported_by_provider_month

),

daily_amounts as (

    select provider, usage_date, usage_month, sum(pooled_cost_usd) as usage_usd, 0 as untracked_usd
    from usage_groups
    group by provider, usage_date, usage_month
    union all
    select provider, usage_date, usage_month, 0 as usage_usd, sum(untracked_cost_usd) as untracked_usd
    from untracked_usage
    group by provider, usage_date, usage_month

),

daily_compared as (

    {#- whether a day is compared: every day against an invoice, a cost report's own days against it -#}
    select
        daily_amounts.*,
        provider_months.invoice_source = 'invoice' or cost_report_days.cost_date is not null as is_compared

    from daily_amounts
    inner join provider_months
        on daily_amounts.provider = provider_months.provider
        and daily_amounts.usage_month = provider_months.invoice_month
    left join cost_report_days
        on daily_amounts.provider = cost_report_days.provider
        and daily_amounts.usage_date = cost_report_days.cost_date

),

usage_by_provider_month as (

    select
        provider,
        usage_month as invoice_month,
        sum(case when is_compared then usage_usd else 0 end) as usage_usd,
        sum(case when is_compared then untracked_usd else 0 end) as untracked_usd,
        sum(case when is_compared then 0 else usage_usd + untracked_usd end) as unreported_usd

    from daily_compared
    group by provider, usage_month

),

shared_by_provider_month as (

    select provider, pool_month as invoice_month, sum(amount_usd) as shared_usd
    from shared_costs
    where provider <> 'shared'
    group by provider, pool_month

),

computed as (

    select
        provider_months.*,
        coalesce(usage_by_provider_month.usage_usd, 0) + coalesce(shared_by_provider_month.shared_usd, 0)
            as computed_usd,
        coalesce(usage_by_provider_month.untracked_usd, 0) as untracked_usage_usd,
        coalesce(usage_by_provider_month.unreported_usd, 0) as unreported_usd

    from provider_months
    left join usage_by_provider_month
        on provider_months.provider = usage_by_provider_month.provider
        and provider_months.invoice_month = usage_by_provider_month.invoice_month
    left join shared_by_provider_month
        on provider_months.provider = shared_by_provider_month.provider
        and provider_months.invoice_month = shared_by_provider_month.invoice_month

),

final as (

    select
        provider,
        invoice_month,
        invoice_source,
        reported_days,
        {{ aicost_to_money('computed_usd') }} as computed_usd,
        {{ aicost_to_money('untracked_usage_usd') }} as untracked_usage_usd,
        {{ aicost_to_money('invoiced_usd') }} as invoiced_usd,
        {{ aicost_to_money('invoiced_usd - computed_usd - untracked_usage_usd') }} as difference_usd,
        {{ safe_divide('(invoiced_usd - computed_usd - untracked_usage_usd) * 100.0',
                       '(computed_usd + untracked_usage_usd)') }} as difference_pct,
        {{ aicost_to_money('unreported_usd') }} as unreported_usd

    from computed

)

select * from final
