{#- The daily cost series the anomaly scores read: one row per day x dimension x value, for each
    dimension of var('anomaly_dimensions'), dense (a day without calls is a day of $0) from the
    value's first day with usage to the as-of date. Usage cost of every call (all environments: a
    runaway loop in dev costs money too), from the pooled daily roll-up, since the ledger is
    monthly. -#}
{%- set dimensions = var('anomaly_dimensions') -%}

with

daily_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

calendar as (

    select * from {{ ref('metricflow_time_spine') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

{% for dimension in dimensions %}
daily_cost_by_{{ dimension }} as (

    select
        cast(usage_date as date) as cost_date,
        '{{ dimension }}' as dimension,
        {{ dimension }} as dimension_value,
        sum(pooled_cost_usd) as cost_usd,
        sum(calls) as calls

    from daily_groups
    group by cast(usage_date as date), {{ dimension }}

),

{% endfor %}
daily_costs as (

    {%- for dimension in dimensions %}
    select * from daily_cost_by_{{ dimension }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

series_starts as (

    select
        dimension,
        dimension_value,
        min(cost_date) as first_cost_date

    from daily_costs
    group by dimension, dimension_value

),

dense_days as (

    select
        calendar.date_day as cost_date,
        series_starts.dimension,
        series_starts.dimension_value

    from series_starts
    cross join as_of
    inner join calendar
        on calendar.date_day >= series_starts.first_cost_date
        and calendar.date_day <= as_of.as_of_date

),

final as (

    select
        dense_days.cost_date,
        dense_days.dimension,
        dense_days.dimension_value,
        {{ aicost_to_money('coalesce(daily_costs.cost_usd, 0)') }} as cost_usd,
        cast(coalesce(daily_costs.calls, 0) as {{ dbt.type_bigint() }}) as calls

    from dense_days
    left join daily_costs
        on dense_days.cost_date = daily_costs.cost_date
        and dense_days.dimension = daily_costs.dimension
        and dense_days.dimension_value = daily_costs.dimension_value

)

select * from final
