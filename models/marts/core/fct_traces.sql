{#- One row per trace (an end-user request, an "interaction"): its dimensions (those of its
    speaking call: the first primary call when priced, else the first priced primary call, else
    its first priced call), how many calls it took and what each role added, so a PM sees what routing,
    evaluation and guardrails cost per interaction.

    Incremental (delete+insert on trace_id): a run rebuilds the traces whose figures changed: those
    with a call rebuilt since its last run, and, with cache pooling on, those with a call in a
    cache pool that gained or lost a call (its blended rate, and so their pooled cost, moved). A
    full build past var('trace_batch_calls') calls runs in batches of traces (a
    hash of trace_id, the `aicost_batched_incremental` materialization), one statement each, so
    memory holds one batch's aggregation. -#}
{{ config(
    materialized='aicost_batched_incremental',
    unique_key='trace_id',
    batch_source='int_calls_priced',
    partition_by=aicost_partition_by('trace_month'),
    on_schema_change='fail',
) }}
{%- set role_groups = {
    'primary': "call_role = 'primary'",
    'router': "call_role = 'router'",
    'evaluator': "call_role = 'evaluator'",
    'guardrail': "call_role = 'guardrail'",
    'other': "call_role not in ('primary', 'router', 'evaluator', 'guardrail')",
} -%}
{%- set speaking_columns = var('attribution_dimensions') + var('call_identifiers') -%}
{%- set rebuild = aicost_rows_to_rebuild(this) %}

with

changed_calls as (

    select * from {{ ref('int_calls_priced') }}
    where {{ rebuild.predicate }}

),

changed_pools as (

    {#- A pool's blended input rate moves with every call it gains or loses, and with it the
        pooled cost of every trace with a call in the pool. -#}
    select provider, model, usage_month from changed_calls
    union
    select provider, model, cast({{ dbt.date_trunc('month', 'previous_usage_date') }} as date)
    from changed_calls
    where previous_usage_date is not null

),

{#- read only when part of the traces is rebuilt (an incremental run) #}
touched_traces as (  -- noqa: ST03

    select trace_id from changed_calls
    {%- if var('cache_pooling') == 'pooled' %}
    union
    select priced_calls.trace_id
    from {{ ref('int_calls_priced') }} as priced_calls
    inner join changed_pools
        on priced_calls.provider = changed_pools.provider
        and priced_calls.model = changed_pools.model
        and priced_calls.usage_month = changed_pools.usage_month
    {%- endif %}

),

{#- Read three times (sums, speaking calls, fallbacks): scanning the calls again is cheaper than
    materialising wide rows. #}
calls as {{ aicost_inline_cte() }} (

    select * from {{ ref('int_calls_priced') }}
    where {{ aicost_batch_predicate('trace_id') }}
    {%- if rebuild.predicate != '1 = 1' %}
        and trace_id in (select touched_traces.trace_id from touched_traces)
    {%- endif %}

),

pools as (

    select * from {{ ref('int_cache_pools') }}

),

pooled_calls as {{ aicost_inline_cte() }} (

    select
        calls.trace_id,
        calls.call_role,
        calls.model,
        calls.occurred_at,
        calls.input_tokens,
        calls.output_tokens,
        calls.list_cost_usd,
        {{ aicost_to_money(aicost_pooled_input_cost('calls.uncached_effective_input_cost_usd',
                                                    'calls.effective_input_cost_usd', 'pools')
                           ~ ' + calls.effective_output_cost_usd') }} as pooled_cost_usd

    from calls
    inner join pools
        on calls.provider = pools.provider
        and calls.model = pools.model
        and calls.usage_month = pools.pool_month
    where calls.is_priced

),

fallback_traces as (

    {#- Traces whose first primary call is unpriced, or that have no primary call: a few. -#}
    select trace_id from calls
    where not trace_has_primary
    union
    select trace_id from calls
    where is_trace_primary and not is_priced

),

fallback_speakers as (

    {#- Such a trace speaks with its first priced primary call, else its first priced call. Only
        these traces are ranked (a join, so the window never sees the other calls). -#}
    select trace_id, request_id, {{ speaking_columns | join(', ') }}
    from (
        select
            calls.trace_id,
            calls.request_id,
            calls.{{ speaking_columns | join(', calls.') }},
            row_number() over (
                partition by calls.trace_id
                order by case when calls.call_role = 'primary' then 0 else 1 end, calls.occurred_at, calls.request_id
            ) as speaking_rank

        from calls
        inner join fallback_traces
            on calls.trace_id = fallback_traces.trace_id
        where calls.is_priced
    ) as ranked
    where speaking_rank = 1

),

speakers as (

    {#- The first primary call of a trace (flagged once per call by int_calls_dimensioned) when
        priced, else the fallback: the two sets are disjoint. -#}
    select trace_id, request_id, {{ speaking_columns | join(', ') }} from calls
    where is_trace_primary and is_priced

    union all

    select trace_id, request_id, {{ speaking_columns | join(', ') }} from fallback_speakers

),

trace_totals as (

    {#- The sums only: the dimensions come from the speaking call (a join), which keeps the
        aggregation state to numbers. -#}
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

    from pooled_calls
    group by trace_id

),

final as (

    select
        trace_totals.trace_id,
        {#- the call whose dimensions the trace carries (a drill-down shows what it inherited) -#}
        speakers.request_id as speaker_request_id,
        {%- for column in speaking_columns %}
        speakers.{{ column }},
        {%- endfor %}
        {{ aicost_is_product_usage('speakers.') }} as is_product_usage,
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
        {{ aicost_to_money('trace_totals.cost_usd - trace_totals.primary_cost_usd') }} as overhead_cost_usd,
        {{ aicost_run_timestamp() }} as processed_through

    from trace_totals
    left join speakers
        on trace_totals.trace_id = speakers.trace_id

)

select * from final
