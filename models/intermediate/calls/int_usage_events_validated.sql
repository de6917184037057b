{#- One row per raw usage record, of every source, with the first rule it breaks (NULL when it
    breaks none). The order of the rules is the order a person would fix a line in. A value that
    changes what the call costs or which call it is, and cannot be read exactly, rejects the
    record; a value that does not change the cost was already left empty by staging and is named
    in field_warnings (fct_data_quality_issues), because dropping a billed call loses money.

    Incremental: each run appends the records of the files not landed yet, stamped `landed_at`
    (the start of the run); a file already landed is never read or parsed again. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}
{%- set token_fields = usage_event_token_fields() -%}
{%- set required_sent = {
    'request_id': 'request_id is not null',
    'occurred_at': 'occurred_at_is_sent',
    'provider': 'provider is not null',
    'model': 'model is not null',
    'input_tokens': 'input_tokens_is_sent',
    'output_tokens': 'output_tokens_is_sent',
} -%}
{%- set required_fields = usage_event_required_fields() -%}
{%- set max_tokens = var('max_tokens_per_call') | int -%}
{%- set unreadable = {} -%}
{%- set too_large = {} -%}
{%- set negative = {} -%}
{%- for field in token_fields -%}
    {%- do unreadable.update({field: field ~ '_is_sent and (' ~ field ~ ' is null or ' ~ field ~ ' <> floor(' ~ field ~ '))'}) -%}
    {%- do too_large.update({field: field ~ ' > ' ~ max_tokens}) -%}
    {%- do negative.update({field: field ~ ' < 0'}) -%}
{%- endfor %}

with

events as (

    select * from {{ ref('int_usage_events_unioned') }}
    {%- if is_incremental() %}
    where {{ aicost_unlanded_lines_filter('source_file', this) }}
    {%- endif %}

),

checked as (

    select
        events.*,
        case
            when source_reject_reason is not null then source_reject_reason
            when not ({% for field in required_fields %}{{ required_sent[field] }}{{ ' and ' if not loop.last }}{% endfor %})
                then 'missing_required_field'
            when occurred_at is null then 'invalid_timestamp'
            when {{ unreadable.values() | join('\n                or ') }}
                then 'invalid_token_count'
            {#- a counter overflow or a unit mix-up, never a real call; beyond it sums could overflow -#}
            when {{ too_large.values() | join(' or ') }} then 'token_count_out_of_range'
            when {{ negative.values() | join(' or ') }} then 'negative_tokens'
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
        record_index,
        {{ aicost_run_timestamp() }} as landed_at,
        reject_reason,
        case
            when source_reject_detail is not null then source_reject_detail
            when reject_reason = 'malformed_json' then 'not a JSON object'
            when reject_reason = 'invalid_encoding' then 'line is not UTF-8 text'
            when reject_reason = 'unreadable_file' then 'file cannot be read in its format'
            when reject_reason = 'missing_required_field' then {{ dbt.concat(["'missing:'"] + required_fields_list_sql(required_fields, required_sent)) }}
            when reject_reason = 'invalid_timestamp' then {{ dbt.concat(["'unreadable occurred_at: '", 'left(occurred_at_text, 40)']) }}
            when reject_reason = 'invalid_token_count' then {{ dbt.concat(["'not a whole number:'"] + aicost_fields_where_sql(unreadable)) }}
            when reject_reason = 'token_count_out_of_range' then {{ dbt.concat(["'above max_tokens_per_call (" ~ max_tokens ~ "):'"] + aicost_fields_where_sql(too_large)) }}
            when reject_reason = 'negative_tokens' then {{ dbt.concat(["'negative:'"] + aicost_fields_where_sql(negative)) }}
        end as reject_detail,
        case when reject_reason is not null then left(occurred_at_text, 40) end as occurred_at_raw,
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
        {#- latency is informational: a value outside bigint is left empty like an unreadable one -#}
        case when abs(latency_ms) < 1e15 then cast(round(latency_ms, 0) as {{ dbt.type_bigint() }}) end as latency_ms,
        reported_cost_usd,
        occurred_at,
        case
            when abs(latency_ms) >= 1e15 then {{ dbt.concat(["coalesce(field_warnings, '')", "'latency_ms:out_of_range,'"]) }}
            else field_warnings
        end as field_warnings,
        metadata

    from checked

)

select * from final
