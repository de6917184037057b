{#- One row per billable call: the winning copy of each request_id among the valid records of
    every usage source. A retry or replay repeats a request_id; the copy with the latest
    occurred_at wins (a conflicting replay is a correction), then the first record read.
    `request_copies` counts the valid records of the request; the others become `duplicate`
    rejects (fct_rejected_events).

    Incremental (delete+insert on request_id): a run rebuilds every request that has a new record
    and every other call of the traces those requests belong to (so the next model can resolve
    their dimensions together), looking for their other records at most var('lookback_days')
    before the earliest new one. `previous_usage_date` is the day the request had before this run
    (a later copy may move it), so the daily roll-up recomputes both days; `processed_through` is
    the run that rebuilt the row. -#}
{{ config(
    materialized='incremental',
    unique_key='request_id',
    incremental_strategy='delete+insert',
    partition_by=aicost_partition_by('usage_month'),
    on_schema_change='fail',
) }}
{%- set line_columns = aicost_call_line_columns() -%}
{%- if is_incremental() -%}
    {%- set batch = aicost_incremental_batch(this, ref('int_usage_events_validated')) -%}
{%- endif %}

with

valid_records as {{ aicost_inline_cte() }} (

    select * from {{ ref('int_usage_events_validated') }}
    where reject_reason is null
    {%- if is_incremental() %}
        {%- if batch.has_new_lines %}
        and occurred_at >= {{ batch.since }}
        {%- else %}
        and 1 = 0
        {%- endif %}
    {%- endif %}

),

{%- if is_incremental() %}

new_records as (

    select request_id from valid_records
    where landed_at > coalesce({{ batch.processed_through }}, cast('1900-01-01' as {{ api.Column.translate_type('timestamp') }}))

),

touched_traces as (

    {#- Every trace a new record's request belongs to (through any of its copies). -#}
    select distinct trace_id from valid_records
    where request_id in (select new_records.request_id from new_records)

),

records_in_scope as (

    select * from valid_records
    where request_id in (
        select traced.request_id from valid_records as traced
        where traced.trace_id in (select touched_traces.trace_id from touched_traces)
    )

),

{%- else %}

records_in_scope as (

    select * from valid_records

),

{%- endif %}

repeated_request_keys as (

    {#- Requests sent more than once, found by a hash of the id (collisions only widen the set):
        most requests are sent once and skip the window below. -#}
    select {{ aicost_hash_key('request_id') }} as request_key
    from records_in_scope
    group by {{ aicost_hash_key('request_id') }}
    having count(*) > 1

),

copies_of_repeated_requests as (

    select
        {{ line_columns | join(',\n        ') }},
        count(*) over (partition by request_id) as request_copies,
        row_number() over (
            partition by request_id
            order by occurred_at desc, source_file, line_number, record_index
        ) as copy_rank

    from records_in_scope
    where {{ aicost_hash_key('request_id') }} in (select repeated_request_keys.request_key from repeated_request_keys)

),

winning_copies as (

    select {{ line_columns | join(', ') }}, 1 as request_copies
    from records_in_scope
    where {{ aicost_hash_key('request_id') }} not in (select repeated_request_keys.request_key from repeated_request_keys)

    union all

    select {{ line_columns | join(', ') }}, request_copies
    from copies_of_repeated_requests
    where copy_rank = 1

),

final as (

    select
        winning_copies.*,
        cast({{ dbt.date_trunc('day', 'winning_copies.occurred_at') }} as date) as usage_date,
        cast({{ dbt.date_trunc('month', 'winning_copies.occurred_at') }} as date) as usage_month,
        {%- if is_incremental() %}
        previous_copies.usage_date as previous_usage_date,
        {%- else %}
        cast(null as date) as previous_usage_date,
        {%- endif %}
        {#- the run that (re)built the row: downstream models rebuild what changed since theirs -#}
        {{ aicost_run_timestamp() }} as processed_through

    from winning_copies
    {%- if is_incremental() %}
    left join {{ this }} as previous_copies
        on winning_copies.request_id = previous_copies.request_id
    {%- endif %}

)

select * from final
