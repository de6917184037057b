{#- One row per trace (an end-user request, an "interaction"): its dimensions (those of its
    primary call, else of its first call), how many calls it took and what each role added, so a
    PM sees what routing, evaluation and guardrails cost per interaction. -#}
{%- set role_groups = {
    'primary': "call_role = 'primary'",
    'router': "call_role = 'router'",
    'evaluator': "call_role = 'evaluator'",
    'guardrail': "call_role = 'guardrail'",
    'other': "call_role not in ('primary', 'router', 'evaluator', 'guardrail')",
} -%}

with

calls as (

    select * from {{ ref('int_calls_cache_pooled') }}

),

speaking_calls as (

    {#- The call whose dimensions speak for the trace. -#}
    select
        trace_id,
        {{ dimension_columns() }},
        {%- for identifier in var('call_identifiers') %}
        {{ identifier }},
        {%- endfor %}
        row_number() over (
            partition by trace_id
            order by case when call_role = 'primary' then 0 else 1 end, occurred_at, request_id
        ) as speaking_rank

    from calls

),

trace_totals as (

    select
        trace_id,
        count(*) as calls,
        count(distinct model) as models_used,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(list_cost_usd) as list_cost_usd,
        sum(pooled_cost_usd) as cost_usd,
        {%- for role, condition in role_groups.items() %}
        sum(case when {{ condition }} then 1 else 0 end) as {{ role }}_calls,
        sum(case when {{ condition }} then pooled_cost_usd else 0 end) as {{ role }}_cost_usd{{ ',' if not loop.last }}
        {%- endfor %}

    from calls
    group by trace_id

),

final as (

    select
        trace_totals.trace_id,
        {{ dimension_columns('speaking_calls.') }},
        {%- for identifier in var('call_identifiers') %}
        speaking_calls.{{ identifier }},
        {%- endfor %}
        cast({{ dbt.date_trunc('month', 'trace_totals.started_at') }} as date) as trace_month,
        cast({{ dbt.date_trunc('day', 'trace_totals.started_at') }} as date) as trace_date,
        trace_totals.started_at,
        trace_totals.ended_at,
        trace_totals.calls,
        trace_totals.models_used,
        trace_totals.input_tokens,
        trace_totals.output_tokens,
        {{ aicost_to_money('trace_totals.list_cost_usd') }} as list_cost_usd,
        {{ aicost_to_money('trace_totals.cost_usd') }} as cost_usd,
        {%- for role in role_groups %}
        trace_totals.{{ role }}_calls,
        {{ aicost_to_money('trace_totals.' ~ role ~ '_cost_usd') }} as {{ role }}_cost_usd,
        {%- endfor %}
        {{ aicost_to_money('trace_totals.cost_usd - trace_totals.primary_cost_usd') }} as overhead_cost_usd

    from trace_totals
    inner join speaking_calls
        on trace_totals.trace_id = speaking_calls.trace_id
        and speaking_calls.speaking_rank = 1

)

select * from final
