{#- One row per raw line with the first rule it breaks (NULL when it breaks none).
    The order of the rules is the order a person would fix a line in. -#}
{%- set token_fields = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
                        'cache_write_1h_tokens', 'reasoning_tokens'] -%}
{%- set required_fields = ['request_id', 'occurred_at_text', 'provider', 'model',
                           'input_tokens_text', 'output_tokens_text'] -%}

with

events as (

    select * from {{ ref('stg_raw__usage_events') }}

),

checked as (

    select
        events.*,
        case
            when parse_error is not null then 'malformed_json'
            when {% for field in required_fields %}{{ field }} is null{{ ' or ' if not loop.last }}{% endfor %}
                then 'missing_required_field'
            when occurred_at is null then 'invalid_timestamp'
            when {% for field in token_fields -%}
                ({{ field }}_text is not null and ({{ field }} is null or {{ field }} <> floor({{ field }})))
                {{- ' or ' if not loop.last }}
                {% endfor %}
                then 'invalid_token_count'
            when {% for field in token_fields %}{{ field }} < 0{{ ' or ' if not loop.last }}{% endfor %}
                then 'negative_tokens'
            when coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0) > input_tokens
                or coalesce(cache_write_1h_tokens, 0) > coalesce(cache_write_tokens, 0)
                then 'inconsistent_cache_tokens'
            when reasoning_tokens > output_tokens then 'inconsistent_reasoning_tokens'
            when is_batch_text is not null and is_batch is null then 'invalid_is_batch'
        end as reject_reason,
        case
            when parse_error is not null then 'line is not a JSON object'
            when {% for field in required_fields %}{{ field }} is null{{ ' or ' if not loop.last }}{% endfor %}
                then {{ dbt.concat(["'missing:'"] + required_fields_list_sql(required_fields)) }}
            when occurred_at is null then {{ dbt.concat(["'unreadable occurred_at: '", 'occurred_at_text']) }}
        end as reject_detail

    from events

),

final as (

    select
        source_file,
        line_number,
        reject_reason,
        reject_detail,
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
        occurred_at_text,
        occurred_at,
        metadata

    from checked

)

select * from final
