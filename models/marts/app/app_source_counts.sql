{#- One row per usage source (fct_llm_calls.source_name / fct_rejected_events.source_name: the
    canonical `usage` files today, gateway and telemetry formats as they are added): the calls it
    gave, the lines rejected and the days it covers, so the app can say what it was built from. -#}

with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

rejects as (

    select * from {{ ref('fct_rejected_events') }}

),

calls_by_source as (

    select
        source_name,
        count(*) as calls,
        min(usage_date) as first_usage_date,
        max(usage_date) as last_usage_date

    from calls
    group by source_name

),

rejects_by_source as (

    select
        source_name,
        count(*) as rejected_lines

    from rejects
    group by source_name

),

sources as (

    select source_name from calls_by_source
    union
    select source_name from rejects_by_source

),

final as (

    select
        sources.source_name,
        cast(coalesce(calls_by_source.calls, 0) as {{ dbt.type_bigint() }}) as calls,
        cast(coalesce(rejects_by_source.rejected_lines, 0) as {{ dbt.type_bigint() }}) as rejected_lines,
        cast(coalesce(calls_by_source.calls, 0) + coalesce(rejects_by_source.rejected_lines, 0)
            as {{ dbt.type_bigint() }}) as raw_lines,
        cast(calls_by_source.first_usage_date as date) as first_usage_date,
        cast(calls_by_source.last_usage_date as date) as last_usage_date

    from sources
    left join calls_by_source
        on sources.source_name = calls_by_source.source_name
    left join rejects_by_source
        on sources.source_name = rejects_by_source.source_name

)

select * from final
