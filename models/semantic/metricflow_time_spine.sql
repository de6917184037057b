{#- One row per day from var('time_spine_start') to var('time_spine_end'): the MetricFlow time
    spine (time-based joins and aggregations) and the calendar the anomaly scores are dense over. -#}

with

days as (

    {{ dbt.date_spine(
        'day',
        aicost_date_literal(var('time_spine_start')),
        aicost_date_literal(var('time_spine_end'))
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
