{#- The roll-up of calls into traces behind fct_traces, one batch of traces at a time.

    Past var('trace_batch_calls') calls (DuckDB) the traces are split into batches by a hash of
    trace_id. The model's own statement builds batch 0 and its post-hook inserts the others, one
    statement each: written as a single statement (a union of the batches) it ran out of a 3 GB
    memory limit at 100M calls, one plan being free to hold several batches' hash tables at once
    (docs/performance.md, Memory). -#}

{% macro aicost_trace_rollup(calls_relation, priced_relation, batch=0, batches=1) -%}
    {%- set role_groups = {
        'primary': "call_role = 'primary'",
        'router': "call_role = 'router'",
        'evaluator': "call_role = 'evaluator'",
        'guardrail': "call_role = 'guardrail'",
        'other': "call_role not in ('primary', 'router', 'evaluator', 'guardrail')",
    } -%}
    {%- set speaking_columns = var('attribution_dimensions') + var('call_identifiers') -%}
    {%- set speaking_list = speaking_columns | join(', ') -%}
    {%- set in_batch = aicost_hash_bucket('trace_id', batch, batches) if batches > 1 else none -%}

with

{#- Read three times (sums, speaking calls, fallbacks): scanning the calls again is cheaper than
    materialising 10M wide rows (14 s of 35 s at 10M calls before). #}
calls as {{ aicost_inline_cte() }} (

    select * from {{ calls_relation }}
    {%- if in_batch %}
    where {{ in_batch }}
    {%- endif %}

),

unpriced_trace_primaries as (

    select trace_id from {{ priced_relation }}
    where is_trace_primary and not is_priced
    {%- if in_batch %}
        and {{ in_batch }}
    {%- endif %}

),

fallback_traces as (

    {#- Traces whose first primary call is unpriced, or that have no primary call: a few. -#}
    select trace_id from calls
    where not trace_has_primary
    union
    select trace_id from unpriced_trace_primaries

),

fallback_speakers as (

    {#- Such a trace speaks with its first priced primary call, else its first call. Only these
        traces are ranked (a join, so the window never sees the other calls). -#}
    select trace_id, request_id, {{ speaking_list }}
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
    ) as ranked
    where speaking_rank = 1

),

trace_totals as (

    {#- The sums only: the dimensions come from the speaking call (a join), which keeps the
        aggregation state to numbers (4.4M traces' strings made it spill at 10M calls). -#}
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

speakers as (

    {#- The first primary call of a trace (flagged once per call by int_calls_priced) when priced,
        else the fallback: the two sets are disjoint. -#}
    select trace_id, request_id, {{ speaking_list }} from calls
    where is_trace_primary

    union all

    select trace_id, request_id, {{ speaking_list }} from fallback_speakers

),

final as (

    select
        trace_totals.trace_id,
        {#- The call whose dimensions the trace carries (a drill-down shows what it inherited). #}
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
        {{ aicost_to_money('trace_totals.cost_usd - trace_totals.primary_cost_usd') }} as overhead_cost_usd

    from trace_totals
    left join speakers
        on trace_totals.trace_id = speakers.trace_id

)

select * from final
{%- endmacro %}

{% macro aicost_insert_trace_batches(target_relation, calls_relation, priced_relation) -%}
    {#- fct_traces' post-hook: inserts batches 1 .. n-1 (batch 0 is the model's own statement),
        one statement each, with progress in dbt's log. Renders to nothing, so with one batch
        (every engine but DuckDB, and DuckDB below var('trace_batch_calls')) no hook runs. -#}
    {%- if execute -%}
        {%- set batches = aicost_trace_batches(priced_relation) -%}
        {%- for batch in range(1, batches) -%}
            {%- do log("fct_traces: batch " ~ (batch + 1) ~ " of " ~ batches, info=True) -%}
            {%- do run_query("insert into " ~ target_relation ~ "\n" ~ aicost_trace_rollup(calls_relation, priced_relation, batch, batches)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
