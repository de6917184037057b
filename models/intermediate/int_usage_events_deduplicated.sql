{#- Valid lines, one row each, with the winner of each request_id marked. A retry or replay
    repeats a request_id: the latest occurred_at wins (a conflicting replay is a correction),
    then the first line read (so identical copies keep the first). The losers become
    `duplicate` rejects. -#}
with

valid_events as (

    select * from {{ ref('int_usage_events_validated') }}
    where reject_reason is null

),

ranked as (

    select
        valid_events.*,
        row_number() over (
            partition by request_id
            order by occurred_at desc, source_file, line_number
        ) as request_rank,
        first_value(source_file) over (
            partition by request_id
            order by occurred_at desc, source_file, line_number
        ) as kept_source_file,
        first_value(line_number) over (
            partition by request_id
            order by occurred_at desc, source_file, line_number
        ) as kept_line_number

    from valid_events

),

final as (

    select
        source_file,
        line_number,
        request_rank = 1 as is_kept,
        kept_source_file,
        kept_line_number,
        request_id,
        trace_id,
        parent_request_id,
        provider,
        model,
        call_role,
        operation,
        status,
        is_batch,
        {%- for tag in usage_event_tag_fields() %}
        {{ tag }},
        {%- endfor %}
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        reasoning_tokens,
        latency_ms,
        occurred_at_text,
        occurred_at,
        metadata

    from ranked

)

select * from final
