{#- Robust z-score of each day's cost against the trailing var('anomaly_window_days') days of the
    same series (the day itself excluded), in portable SQL: the fallback where the target runs no
    Python models, and the reference the Python model is tested against.

      expected = median of the window
      MAD      = median of |window cost - expected|
      scale    = 1.4826 x MAD (so it estimates a standard deviation for normal data); when MAD = 0
                 (a sparse series: over half the window at the same cost), 1.2533 x the mean
                 absolute deviation from the median; when that is 0 too (a flat window), no scale
      score    = (cost - expected) / scale; 0 when the window is flat and the day equals it;
                 NULL when the window is flat and the day differs, or with fewer than
                 var('anomaly_min_history_days') days of history

    A table where it is the engine (aicost_anomaly_engine), else a view: the reference costs
    nothing to build and is computed only when read (the test that both engines agree). -#}
{{ config(materialized='table' if aicost_anomaly_engine() == 'sql' else 'view') }}
{%- set window_days = var('anomaly_window_days') | int -%}
{%- set min_history = var('anomaly_min_history_days') | int -%}

with

series as (

    select
        cost_date,
        dimension,
        dimension_value,
        cast(cost_usd as {{ aicost_type_ratio() }}) as cost

    from {{ ref('int_daily_cost_by_dimension') }}

),

window_days as (

    select
        scored.cost_date,
        scored.dimension,
        scored.dimension_value,
        history.cost as history_cost

    from series as scored
    inner join series as history
        on scored.dimension = history.dimension
        and scored.dimension_value = history.dimension_value
        and history.cost_date < scored.cost_date
        and history.cost_date >= {{ dbt.dateadd('day', -window_days, 'scored.cost_date') }}

),

window_medians as (

    select
        cost_date,
        dimension,
        dimension_value,
        count(*) as history_days,
        {{ aicost_median('history_cost') }} as expected_cost

    from window_days
    group by cost_date, dimension, dimension_value

),

window_deviations as (

    select
        window_medians.cost_date,
        window_medians.dimension,
        window_medians.dimension_value,
        window_medians.history_days,
        window_medians.expected_cost,
        {{ aicost_median('abs(window_days.history_cost - window_medians.expected_cost)') }} as mad,
        avg(abs(window_days.history_cost - window_medians.expected_cost)) as mean_absolute_deviation

    from window_medians
    inner join window_days
        on window_medians.cost_date = window_days.cost_date
        and window_medians.dimension = window_days.dimension
        and window_medians.dimension_value = window_days.dimension_value
    group by
        window_medians.cost_date,
        window_medians.dimension,
        window_medians.dimension_value,
        window_medians.history_days,
        window_medians.expected_cost

),

scaled as (

    select
        series.cost_date,
        series.dimension,
        series.dimension_value,
        series.cost,
        coalesce(window_deviations.history_days, 0) as history_days,
        window_deviations.expected_cost,
        window_deviations.mad,
        case
            when window_deviations.mad > 0 then 1.4826 * window_deviations.mad
            when window_deviations.mean_absolute_deviation > 0 then 1.2533 * window_deviations.mean_absolute_deviation
        end as scale

    from series
    left join window_deviations
        on series.cost_date = window_deviations.cost_date
        and series.dimension = window_deviations.dimension
        and series.dimension_value = window_deviations.dimension_value

),

final as (

    select
        cost_date,
        dimension,
        dimension_value,
        cast(history_days as {{ dbt.type_bigint() }}) as history_days,
        cast(expected_cost as {{ aicost_type_ratio() }}) as expected_usd,
        cast(mad as {{ aicost_type_ratio() }}) as mad_usd,
        cast(scale as {{ aicost_type_ratio() }}) as scale_usd,
        cast(
            case
                when history_days < {{ min_history }} then null
                when scale is not null then (cost - expected_cost) / scale
                when cost = expected_cost then 0
            end
            as {{ aicost_type_ratio() }}
        ) as score

    from scaled

)

select * from final
