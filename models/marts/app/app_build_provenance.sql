{#- One row: when this warehouse was built, by which dbt, over which days, and whether it holds
    the demo company (var('demo_company'), which `aicost demo` sets), so every page of the app
    can say where its figures come from. `built_at` is dbt's run_started_at (UTC) of the run that
    built this model: every full build and every build of the facts rebuilds it. -#}
{%- set demo_company = (var('demo_company') | string | lower) in ('true', '1', 'yes') -%}

with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

rejects as (

    select * from {{ ref('fct_rejected_events') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

call_span as (

    select
        count(*) as calls,
        min(usage_date) as first_usage_date,
        max(usage_date) as last_usage_date

    from calls

),

reject_count as (

    select count(*) as rejected_lines from rejects

),

final as (

    select
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as built_at,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
        cast('{{ dbt_version }}' as {{ dbt.type_string() }}) as dbt_version,
        {{ 'true' if demo_company else 'false' }} as is_demo_company,
        cast('{{ var("budget_cost_basis") }}' as {{ dbt.type_string() }}) as budget_cost_basis,
        as_of.as_of_date,
        cast(call_span.first_usage_date as date) as first_usage_date,
        cast(call_span.last_usage_date as date) as last_usage_date,
        cast(call_span.calls as {{ dbt.type_bigint() }}) as calls,
        cast(reject_count.rejected_lines as {{ dbt.type_bigint() }}) as rejected_lines

    from call_span
    cross join reject_count
    cross join as_of

)

select * from final
