{#- One row: the day month-to-date figures and forecasts are computed at, and where it falls in
    its month. var('as_of_date') when set, else the latest usage_date in fct_llm_calls: never the
    wall clock, so a rebuild of the same data gives the same numbers. -#}
{%- set configured = aicost_as_of_date_literal() -%}

with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

as_of as (

    select
        {%- if configured is not none %}
        {{ configured }} as as_of_date
        {%- else %}
        cast(max(usage_date) as date) as as_of_date
        {%- endif %},
        count(*) > 0 as has_calls
    from calls

),

final as (

    select
        as_of_date,
        has_calls,
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
