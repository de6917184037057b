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

unpriced_trace_primaries as (

    select trace_id from {{ ref('int_calls_priced') }}
    where is_trace_primary and not is_priced

),

trace_totals as (

    {#- One pass over the calls: the sums, and the dimensions of the trace's first primary call
        (flagged once per call by int_calls_priced, incrementally; max() reads that one row). -#}
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
        sum(case when {{ condition }} then pooled_cost_usd else 0 end) as {{ role }}_cost_usd,
        {%- endfor %}
        {%- for column in var('attribution_dimensions') + var('call_identifiers') %}
        max(case when is_trace_primary then {{ column }} end) as primary_{{ column }},
        {%- endfor %}
        max(case when is_trace_primary then 1 else 0 end) as has_priced_primary

    from calls
    group by trace_id

),

fallback_speakers as (

    {#- A trace whose first primary call is unpriced, or that has no primary call, speaks with its
        first priced primary call, else its first call: only these traces are ranked. -#}
    select * from (
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
        where not calls.trace_has_primary
            or calls.trace_id in (select unpriced_trace_primaries.trace_id from unpriced_trace_primaries)
    ) as ranked
    where speaking_rank = 1

),

final as (

    select
        trace_totals.trace_id,
        {%- for column in var('attribution_dimensions') + var('call_identifiers') %}
        case
            when trace_totals.has_priced_primary = 1 then trace_totals.primary_{{ column }}
            else fallback_speakers.{{ column }}
        end as {{ column }},
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
    left join fallback_speakers
        on trace_totals.trace_id = fallback_speakers.trace_id

)

select * from final
