{#- One row per raw line with the first rule it breaks (NULL when it breaks none). The order of
    the rules is the order a person would fix a line in.

    Incremental: each run appends the lines of the usage files not landed yet, stamped
    `landed_at` (the start of the run); a file already landed is never read or parsed again. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}
{%- set token_fields = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
                        'cache_write_1h_tokens', 'reasoning_tokens'] -%}
{%- set required_fields = ['request_id', 'occurred_at', 'provider', 'model', 'input_tokens', 'output_tokens'] -%}
{%- set required_sent = {
    'request_id': 'request_id is not null',
    'occurred_at': 'occurred_at_is_sent',
    'provider': 'provider is not null',
    'model': 'model is not null',
    'input_tokens': 'input_tokens_is_sent',
    'output_tokens': 'output_tokens_is_sent',
} -%}

with

events as (

    select * from {{ ref('stg_raw__usage_events') }}
    {%- if is_incremental() %}
    where {{ aicost_unlanded_lines_filter('source_file', this) }}
    {%- endif %}

),

checked as (

    select
        events.*,
        case
            when parse_error is not null then 'malformed_json'
            when not ({% for field in required_fields %}{{ required_sent[field] }}{{ ' and ' if not loop.last }}{% endfor %})
                then 'missing_required_field'
            when occurred_at is null then 'invalid_timestamp'
            when {% for field in token_fields -%}
                ({{ field }}_is_sent and ({{ field }} is null or {{ field }} <> floor({{ field }})))
                {{- ' or ' if not loop.last }}
                {% endfor %}
                then 'invalid_token_count'
            when {% for field in token_fields %}{{ field }} < 0{{ ' or ' if not loop.last }}{% endfor %}
                then 'negative_tokens'
            when coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0) > input_tokens
                or coalesce(cache_write_1h_tokens, 0) > coalesce(cache_write_tokens, 0)
                then 'inconsistent_cache_tokens'
            when reasoning_tokens > output_tokens then 'inconsistent_reasoning_tokens'
            when is_batch_is_sent and is_batch is null then 'invalid_is_batch'
        end as reject_reason

    from events

),

final as (

    select
        source_name,
        source_file,
        line_number,
        {{ aicost_run_timestamp() }} as landed_at,
        reject_reason,
        case
            when reject_reason = 'malformed_json' then 'line is not a JSON object'
            when reject_reason = 'missing_required_field' then {{ dbt.concat(["'missing:'"] + required_fields_list_sql(required_fields, required_sent)) }}
            when reject_reason = 'invalid_timestamp' then {{ dbt.concat(["'unreadable occurred_at: '", 'occurred_at_text']) }}
        end as reject_detail,
        case when reject_reason is not null then occurred_at_text end as occurred_at_raw,
        request_id,
        coalesce(trace_id, request_id) as trace_id,
        parent_request_id,
        provider,
        model,
        coalesce(call_role, 'primary') as call_role,
        coalesce(operation, 'chat') as operation,
        coalesce(status, 'success') as status,
        coalesce(is_batch, false) as is_batch,
        {%- for tag in usage_event_tag_fields() %}
        {{ tag }},
        {%- endfor %}
        case when reject_reason is null then cast(input_tokens as {{ aicost_type_token_count() }}) end
            as input_tokens,
        case when reject_reason is null then cast(output_tokens as {{ aicost_type_token_count() }}) end
            as output_tokens,
        {%- for field in ['cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens'] %}
        case when reject_reason is null then cast(coalesce({{ field }}, 0) as {{ aicost_type_token_count() }}) end
            as {{ field }},
        {%- endfor %}
        case when reject_reason is null then cast(reasoning_tokens as {{ aicost_type_token_count() }}) end
            as reasoning_tokens,
        cast(round(latency_ms, 0) as {{ dbt.type_bigint() }}) as latency_ms,
        occurred_at,
        metadata

    from checked

)

select * from final
