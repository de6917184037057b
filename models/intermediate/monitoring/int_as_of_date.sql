{#- One row: the day month-to-date figures and forecasts are computed at, and where it falls in
    its month. var('as_of_date') when set, else the latest day with priced usage (the time spine's
    first day when there is none): never the wall clock, so a rebuild of the same data gives the
    same numbers. -#}
{%- set configured = aicost_as_of_date_literal() -%}

with

daily_groups as (

    select * from {{ ref('int_usage_daily_rolled_up') }}

),

as_of as (

    select
        {%- if configured is not none %}
        {{ configured }} as as_of_date
        {%- else %}
        {#- no accepted call at all (every record rejected): the time spine's first day, so the
            build still succeeds and says so with empty marts #}
        coalesce(cast(max(usage_date) as date), cast('{{ var("time_spine_start") }}' as date)) as as_of_date
        {%- endif %}
    from daily_groups

),

final as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month,
        {{ dbt.datediff(dbt.date_trunc('month', 'as_of_date'), 'as_of_date', 'day') }} + 1 as days_elapsed,
        {{ dbt.datediff(
            dbt.date_trunc('month', 'as_of_date'),
            dbt.dateadd('month', 1, dbt.date_trunc('month', 'as_of_date')),
            'day'
        ) }} as days_in_month,
        {{ 'true' if configured is not none else 'false' }} as is_configured

    from as_of

)

select * from final
