{#- Provider x day of a cost report (provider_costs/): what the logs cost that day (usage after
    discounts, before cache pooling: pooling spreads a model's cache savings over its month, so a
    day's pooled cost is not what the provider billed that day), the untracked usage the provider's usage report adds, and what the cost
    report says the provider billed. The difference (reported - logged - untracked) is what the
    rate card and the usage reports do not explain: prices, non-token line items (web search,
    fine-tuning), credits. Shared pools are monthly and are left to the monthly view
    (mart_invoice_reconciliation). -#}
with

cost_report_days as (

    select * from {{ ref('int_provider_costs_daily') }}

),

usage_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

untracked_usage as (

    select * from {{ ref('int_usage_reconciled') }}
    where is_priced

),

logged_by_day as (

    select provider, usage_date, sum(effective_cost_usd) as logged_cost_usd, sum(calls) as calls
    from usage_groups
    group by provider, usage_date

),

untracked_by_day as (

    select provider, usage_date, sum(untracked_cost_usd) as untracked_usage_usd
    from untracked_usage
    group by provider, usage_date

),

final as (

    select
        cost_report_days.provider,
        cost_report_days.cost_date,
        cost_report_days.cost_month,
        cast(coalesce(logged_by_day.calls, 0) as {{ dbt.type_bigint() }}) as calls,
        {{ aicost_to_money('coalesce(logged_by_day.logged_cost_usd, 0)') }} as logged_cost_usd,
        {{ aicost_to_money('coalesce(untracked_by_day.untracked_usage_usd, 0)') }} as untracked_usage_usd,
        cost_report_days.reported_cost_usd,
        {{ aicost_to_money('cost_report_days.reported_cost_usd - coalesce(logged_by_day.logged_cost_usd, 0)'
                           ~ ' - coalesce(untracked_by_day.untracked_usage_usd, 0)') }} as difference_usd,
        {{ safe_divide('(cost_report_days.reported_cost_usd - coalesce(logged_by_day.logged_cost_usd, 0)'
                       ~ ' - coalesce(untracked_by_day.untracked_usage_usd, 0)) * 100.0',
                       'coalesce(logged_by_day.logged_cost_usd, 0) + coalesce(untracked_by_day.untracked_usage_usd, 0)') }}
            as difference_pct,
        cost_report_days.line_items

    from cost_report_days
    left join logged_by_day
        on cost_report_days.provider = logged_by_day.provider
        and cost_report_days.cost_date = logged_by_day.usage_date
    left join untracked_by_day
        on cost_report_days.provider = untracked_by_day.provider
        and cost_report_days.cost_date = untracked_by_day.usage_date

)

select * from final
