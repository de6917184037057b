{#- One row per raw usage line: renamed and cast, nothing decided yet. A column is cast from the
    type it arrives in (text from JSON Lines, native types from Parquet or a warehouse table), so
    typed input never takes a text round trip. Values that do not cast become NULL beside an
    `_is_sent` flag, so validation can tell "absent" from "unreadable". `source_file` passes
    through untouched: a filter on it reaches the file reader, which then skips landed files. -#}
{%- set kinds = aicost_column_kinds(source('raw', 'usage_events')) -%}
{%- set token_fields = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
                        'cache_write_1h_tokens', 'reasoning_tokens'] -%}

with

source as (

    select * from {{ source('raw', 'usage_events') }}

),

renamed as (

    select
        -- where the line came from
        'usage' as source_name,
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        {{ aicost_clean_text('parse_error') }} as parse_error,

        -- ids
        {{ aicost_clean_text('request_id') }} as request_id,
        {{ aicost_clean_text('trace_id') }} as trace_id,
        {{ aicost_clean_text('parent_request_id') }} as parent_request_id,

        -- what was called
        lower({{ aicost_clean_text('provider') }}) as provider,
        {{ aicost_clean_text('model') }} as model,
        lower({{ aicost_clean_text('call_role') }}) as call_role,
        lower({{ aicost_clean_text('operation') }}) as operation,
        lower({{ aicost_clean_text('status') }}) as status,

        -- tags: the attribution dimensions, call identifiers and the api key alias
        {%- for tag in usage_event_tag_fields() %}
        {{ aicost_clean_text(tag) }} as {{ tag }},
        {%- endfor %}

        -- numbers: whether sent, the value (NULL when unreadable) and the text as sent
        {%- for field in token_fields %}
        {{ aicost_is_sent(field, kinds.get(field, 'text')) }} as {{ field }}_is_sent,
        {{ aicost_number_from(field, kinds.get(field, 'text')) }} as {{ field }},
        {{ aicost_clean_text(field) }} as {{ field }}_text,
        {%- endfor %}
        {{ aicost_number_from('latency_ms', kinds.get('latency_ms', 'text')) }} as latency_ms,

        -- booleans
        {{ aicost_is_sent('is_batch', kinds.get('is_batch', 'text')) }} as is_batch_is_sent,
        {{ aicost_boolean_from('is_batch', kinds.get('is_batch', 'text')) }} as is_batch,

        -- timestamps
        {{ aicost_is_sent('occurred_at', kinds.get('occurred_at', 'text')) }} as occurred_at_is_sent,
        {{ aicost_clean_text('occurred_at') }} as occurred_at_text,
        {{ aicost_utc_timestamp_from('occurred_at', kinds.get('occurred_at', 'text')) }} as occurred_at,

        -- analysts' extra tags, text removed at the landing
        metadata

    from source

)

select * from renamed
