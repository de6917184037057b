{#- One row per trace (an end-user request, an "interaction"): its dimensions (those of its
    primary call, else of its first call), how many calls it took and what each role added, so a
    PM sees what routing, evaluation and guardrails cost per interaction.

    The SQL is macros/trace_rollup.sql (aicost_trace_rollup). Past var('trace_batch_calls') calls
    the traces are built in batches (a hash of trace_id): this statement builds the first, the
    post-hook inserts the others one statement at a time, so memory holds one batch. -#}
{{ config(post_hook="{{ aicost_insert_trace_batches(this, ref('int_calls_cache_pooled'), ref('int_calls_priced')) }}") }}

{%- set trace_batches = aicost_trace_batches(ref('int_calls_priced')) -%}
{%- if execute and trace_batches > 1 %}
{%- do log("fct_traces: batch 1 of " ~ trace_batches ~ " (var('trace_batch_calls') calls a batch)", info=True) %}
{%- endif %}

{{ aicost_trace_rollup(
    calls_relation=ref('int_calls_cache_pooled'),
    priced_relation=ref('int_calls_priced'),
    batch=0,
    batches=trace_batches,
) }}
