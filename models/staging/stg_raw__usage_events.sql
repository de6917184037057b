{#- One row per raw line of the canonical usage format (usage/*.jsonl, *.json, *.parquet), on the
    usage event interface (macros/staging/usage_event_interface.sql): renamed and cast, nothing
    decided yet. A column is cast from the type it arrives in (text from JSON Lines, native types
    from Parquet or a warehouse table), so typed input never takes a text round trip. -#}
{%- set kinds = aicost_column_kinds(source('raw', 'usage_events')) -%}
{%- set tags = usage_event_tag_fields() -%}
{#- The DuckDB landing says whether metadata was sent at all (it keeps only objects); a warehouse
    table holds the value as sent. -#}
{%- set metadata_is_sent = aicost_boolean_from('metadata_is_sent', kinds['metadata_is_sent'])
    if 'metadata_is_sent' in kinds else 'metadata is not null' -%}

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
        cast(0 as {{ dbt.type_bigint() }}) as record_index,
        {{ aicost_text('parse_error') }} as source_reject_reason,
        cast(null as {{ dbt.type_string() }}) as source_reject_detail,

        -- ids
        {{ aicost_text('request_id') }} as request_id,
        {{ aicost_text('trace_id') }} as trace_id,
        {{ aicost_text('parent_request_id') }} as parent_request_id,

        -- what was called
        {{ aicost_resolved_provider('provider', 'model') }} as provider,
        {{ aicost_normalised_model('model') }} as model,
        lower({{ aicost_text('call_role') }}) as call_role,
        lower({{ aicost_text('operation') }}) as operation,
        lower({{ aicost_text('status') }}) as status,

        -- tags: the attribution dimensions, call identifiers and the api key alias
        {%- for tag in tags %}
        {%- if tag == 'environment' %}
        {{ aicost_normalised_environment(aicost_tag_value(tag)) }} as {{ tag }},
        {%- else %}
        {{ aicost_tag_value(tag) }} as {{ tag }},
        {%- endif %}
        {%- endfor %}

        -- numbers: whether sent, and the value (NULL when unreadable)
        {%- for field in usage_event_token_fields() %}
        {{ aicost_is_sent(field, kinds.get(field, 'text')) }} as {{ field }}_is_sent,
        {{ aicost_number_from(field, kinds.get(field, 'text')) }} as {{ field }},
        {%- endfor %}
        {{ aicost_number_from('latency_ms', kinds.get('latency_ms', 'text')) }} as latency_ms,

        -- booleans
        {{ aicost_is_sent('is_batch', kinds.get('is_batch', 'text')) }} as is_batch_is_sent,
        {{ aicost_boolean_from('is_batch', kinds.get('is_batch', 'text')) }} as is_batch,

        -- timestamps
        {{ aicost_is_sent('occurred_at', kinds.get('occurred_at', 'text')) }} as occurred_at_is_sent,
        {{ aicost_text('occurred_at') }} as occurred_at_text,
        {{ aicost_utc_timestamp_from('occurred_at', kinds.get('occurred_at', 'text')) }} as occurred_at,

        -- what the sender says the call cost (informational; the project prices every call)
        {{ dbt.safe_cast(aicost_text('reported_cost_usd'), aicost_type_money()) }} as reported_cost_usd,

        -- fields kept empty because they could not be read (the call itself is kept)
        {{ aicost_field_warnings(
            [(aicost_is_sent('latency_ms', kinds.get('latency_ms', 'text')) ~ ' and '
              ~ aicost_number_from('latency_ms', kinds.get('latency_ms', 'text')) ~ ' is null', 'latency_ms:unreadable'),
             (aicost_text('reported_cost_usd') ~ ' is not null and '
              ~ dbt.safe_cast(aicost_text('reported_cost_usd'), aicost_type_money()) ~ ' is null',
              'reported_cost_usd:unreadable'),
             ('(' ~ metadata_is_sent ~ ') and ' ~ aicost_metadata_object('metadata') ~ ' is null', 'metadata:not_an_object')]
            + aicost_malformed_tag_warnings(tags)
        ) }} as field_warnings,

        -- analysts' extra tags, text removed at the landing
        {{ aicost_metadata_object('metadata') }} as metadata

    from source

)

select * from renamed
