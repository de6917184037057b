{#- One row per raw usage line: renamed and cast, nothing decided yet. Values that do not cast
    become NULL next to their text, so validation can tell "absent" from "unreadable". -#}
with

source as (

    select * from {{ source('raw', 'usage_events') }}

),

renamed as (

    select
        -- where the line came from
        {{ aicost_text('source_file') }} as source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        {{ aicost_text('parse_error') }} as parse_error,

        -- ids
        {{ aicost_text('request_id') }} as request_id,
        {{ aicost_text('trace_id') }} as trace_id,
        {{ aicost_text('parent_request_id') }} as parent_request_id,

        -- what was called
        lower({{ aicost_text('provider') }}) as provider,
        {{ aicost_text('model') }} as model,
        lower({{ aicost_text('call_role') }}) as call_role,
        lower({{ aicost_text('operation') }}) as operation,
        lower({{ aicost_text('status') }}) as status,

        -- tags: the attribution dimensions, call identifiers and the api key alias
        {%- for tag in usage_event_tag_fields() %}
        {{ aicost_text(tag) }} as {{ tag }},
        {%- endfor %}

        -- numbers, as text and cast
        {%- for field in ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
                          'cache_write_1h_tokens', 'reasoning_tokens'] %}
        {{ aicost_text(field) }} as {{ field }}_text,
        {{ dbt.safe_cast(aicost_text(field), 'decimal(38, 6)') }} as {{ field }},
        {%- endfor %}
        {{ dbt.safe_cast(aicost_text('latency_ms'), 'decimal(38, 6)') }} as latency_ms,

        -- booleans
        {{ aicost_text('is_batch') }} as is_batch_text,
        {{ aicost_parse_boolean(aicost_text('is_batch')) }} as is_batch,

        -- timestamps
        {{ aicost_text('occurred_at') }} as occurred_at_text,
        {{ aicost_to_utc_timestamp(aicost_text('occurred_at')) }} as occurred_at,

        -- analysts' extra tags, text removed at the landing
        metadata

    from source

)

select * from renamed
