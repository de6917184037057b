{#- Budget scope x month: budget, month-to-date actual, month-end forecast and status, for every
    scope type of var('budget_scopes') (team, feature, customer, agent, model -> the ledger column
    each is measured on). Actual = the scope's AI cost in the month from the ledger, every
    environment (a team's budget pays for its dev usage too), as of int_as_of_date, on the basis
    var('budget_cost_basis'): `usage` (what the calls are billed: usage + discounts + cache
    pooling, the spend a team steers) or `fully_loaded` (+ shared pools + invoice differences).

      before the as-of month   forecast = actual (the month is closed)
      the as-of month          forecast = actual / days elapsed x days in month (run rate)
      after the as-of month    actual = forecast = 0
      status                   over when actual > budget; warning when actual > warn_at_pct % of
                               budget; else ok. forecast_status: the same test on the forecast. -#}
{%- set scopes = var('budget_scopes') -%}
{%- set basis = var('budget_cost_basis') -%}
{%- if basis not in ('usage', 'fully_loaded') -%}
    {{ exceptions.raise_compiler_error("budget_cost_basis must be usage or fully_loaded, got " ~ basis) }}
{%- endif -%}

with

budgets as (

    select * from {{ ref('stg_raw__budgets') }}
    where budget_month is not null

),

ledger_costs as (

    select * from {{ ref('mart_cost_ledger_pivoted') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

{% for scope_type, column in scopes.items() %}
actuals_by_{{ scope_type }} as (

    select
        '{{ scope_type }}' as scope_type,
        {{ column }} as scope_value,
        ledger_month,
        sum(usage_cost_usd) as usage_actual_usd,
        sum(ai_cost_usd) as fully_loaded_actual_usd

    from ledger_costs
    group by {{ column }}, ledger_month

),

{% endfor %}
actuals as (

    {%- for scope_type in scopes %}
    select * from actuals_by_{{ scope_type }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

budget_totals as (

    {#- One budget per scope and month (rows repeated in the file add up). -#}
    select
        scope_type,
        scope_value,
        budget_month,
        sum(budget_usd) as budget_usd,
        max(coalesce(warn_at_pct, 100)) as warn_at_pct

    from budgets
    group by scope_type, scope_value, budget_month

),

with_actuals as (

    select
        budget_totals.scope_type,
        budget_totals.scope_value,
        budget_totals.budget_month,
        budget_totals.budget_usd,
        budget_totals.warn_at_pct,
        case when budget_totals.budget_month > as_of.as_of_month then 0
            else coalesce(actuals.{{ basis }}_actual_usd, 0) end as actual_usd,
        case when budget_totals.budget_month > as_of.as_of_month then 0
            else coalesce(actuals.usage_actual_usd, 0) end as usage_actual_usd,
        case when budget_totals.budget_month > as_of.as_of_month then 0
            else coalesce(actuals.fully_loaded_actual_usd, 0) end as fully_loaded_actual_usd,
        case
            when budget_totals.budget_month < as_of.as_of_month then 'closed'
            when budget_totals.budget_month = as_of.as_of_month then 'current'
            else 'future'
        end as month_state,
        case
            when budget_totals.budget_month < as_of.as_of_month
                then {{ dbt.datediff('budget_totals.budget_month',
                                     dbt.dateadd('month', 1, 'budget_totals.budget_month'), 'day') }}
            when budget_totals.budget_month = as_of.as_of_month then as_of.days_elapsed
            else 0
        end as days_elapsed,
        {{ dbt.datediff('budget_totals.budget_month',
                        dbt.dateadd('month', 1, 'budget_totals.budget_month'), 'day') }} as days_in_month,
        as_of.as_of_date

    from budget_totals
    cross join as_of
    left join actuals
        on budget_totals.scope_type = actuals.scope_type
        and budget_totals.scope_value = actuals.scope_value
        and budget_totals.budget_month = actuals.ledger_month

),

forecasts as (

    select
        with_actuals.*,
        case
            when month_state = 'current' then actual_usd * days_in_month / days_elapsed
            else actual_usd
        end as forecast_usd

    from with_actuals

),

final as (

    select
        scope_type,
        scope_value,
        budget_month,
        {{ aicost_to_money('budget_usd') }} as budget_usd,
        warn_at_pct,
        {{ aicost_to_money('actual_usd') }} as actual_usd,
        {{ aicost_to_money('forecast_usd') }} as forecast_usd,
        '{{ basis }}' as cost_basis,
        {{ aicost_to_money('usage_actual_usd') }} as usage_actual_usd,
        {{ aicost_to_money('fully_loaded_actual_usd') }} as fully_loaded_actual_usd,
        cast({{ safe_divide('(100 * actual_usd)', 'budget_usd') }} as {{ aicost_type_ratio() }}) as pct_of_budget,
        cast({{ safe_divide('(100 * forecast_usd)', 'budget_usd') }} as {{ aicost_type_ratio() }})
            as forecast_pct_of_budget,
        case
            when actual_usd > budget_usd then 'over'
            when actual_usd > budget_usd * warn_at_pct / 100 then 'warning'
            else 'ok'
        end as status,
        case
            when forecast_usd > budget_usd then 'over'
            when forecast_usd > budget_usd * warn_at_pct / 100 then 'warning'
            else 'ok'
        end as forecast_status,
        month_state,
        cast(days_elapsed as {{ dbt.type_int() }}) as days_elapsed,
        cast(days_in_month as {{ dbt.type_int() }}) as days_in_month,
        as_of_date

    from forecasts

)

select * from final
