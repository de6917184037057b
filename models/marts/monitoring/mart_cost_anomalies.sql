{#- Day x dimension x value: the day's usage cost, what the trailing window expected (median),
    the robust z-score and whether it is an anomaly: a cost spike, i.e. score above
    var('anomaly_threshold') and at least var('anomaly_min_excess_usd') above the expected cost.
    (Drops keep their negative score but are not flagged: a quiet weekend is not an incident.)
    The scores come from the Python model on DuckDB and from the SQL model elsewhere
    (var('anomaly_engine'): auto, python or sql); both give the same numbers. -#}
{%- set engine = aicost_anomaly_engine() -%}

with

series as (

    select * from {{ ref('int_daily_cost_by_dimension') }}

),

scores as (

    select
        cast(cost_date as date) as cost_date,
        dimension,
        dimension_value,
        history_days,
        expected_usd,
        mad_usd,
        scale_usd,
        score
    {%- if engine == 'python' %}
    from {{ ref('int_daily_cost_anomaly_scores_py') }}
    {%- else %}
    from {{ ref('int_daily_cost_anomaly_scores_sql') }}
    {%- endif %}

),

final as (

    select
        series.cost_date,
        series.dimension,
        series.dimension_value,
        series.cost_usd,
        series.calls,
        {{ aicost_to_money('scores.expected_usd') }} as expected_usd,
        {{ aicost_to_money('series.cost_usd - ' ~ aicost_to_money('scores.expected_usd')) }} as excess_usd,
        cast(scores.mad_usd as {{ aicost_type_ratio() }}) as mad_usd,
        cast(scores.history_days as {{ dbt.type_bigint() }}) as history_days,
        cast(scores.score as {{ aicost_type_ratio() }}) as score,
        {#- What the flag tests, carried so a chart draws the band without restating the rule: the
            score passes the threshold above expected + threshold x scale (the band's top). #}
        cast(scores.scale_usd as {{ aicost_type_ratio() }}) as scale_usd,
        cast({{ var('anomaly_threshold') }} as {{ aicost_type_ratio() }}) as anomaly_threshold,
        {{ aicost_to_money(var('anomaly_min_excess_usd')) }} as anomaly_min_excess_usd,
        {#- greatest() skips NULLs on some engines: the case keeps a missing scale a missing band. #}
        case when scores.scale_usd is not null then
            {{ aicost_to_money('greatest(scores.expected_usd - ' ~ var('anomaly_threshold') ~ ' * scores.scale_usd, 0)') }}
        end as expected_low_usd,
        {{ aicost_to_money('scores.expected_usd + ' ~ var('anomaly_threshold') ~ ' * scores.scale_usd') }}
            as expected_high_usd,
        coalesce(
            scores.score > {{ var('anomaly_threshold') }}
            and series.cost_usd - {{ aicost_to_money('scores.expected_usd') }} >= {{ var('anomaly_min_excess_usd') }},
            false
        ) as is_anomaly,
        '{{ engine }}' as scored_by

    from series
    inner join scores
        on series.cost_date = scores.cost_date
        and series.dimension = scores.dimension
        and series.dimension_value = scores.dimension_value

)

select * from final
