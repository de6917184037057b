{#- One row per OpenTelemetry span (raw.otel_spans: OTLP JSON export requests, one span per row) on
    the usage event interface (macros/staging/usage_event_interface.sql). Spans that are not model
    calls are `not_a_model_call` rejects; model-call spans are mapped onto the contract's tokens:

    - input_tokens: gen_ai.usage.input_tokens (older: gen_ai.usage.prompt_tokens), which the GenAI
      semantic conventions (v1.40+) say includes cache reads and writes, and every instrumentation
      tested here reports so, OpenAI's prompt_tokens and Anthropic's summed alike. Spans of the
      scopes in var('otel_input_excludes_cache_scopes'), and any span whose cache counts exceed
      its input count (which an inclusive count cannot), have their cache tokens added back.
    - output_tokens: gen_ai.usage.output_tokens (reasoning included); when absent, the reported
      total minus the input; 0 for an embeddings call, which generates none.
    - a failed span (status.code 2) is a call with status `error`, billed on the tokens it
      reports; one that reports none used none (0, as the canonical format writes it).
    - which attribute key carries each field is var('otel_span_attributes'); dimensions come from
      var('otel_dimensions'). -#}
{%- set tags = usage_event_tag_fields() -%}
{%- set operations = var('otel_model_call_operations') -%}
{%- set request_id_rule = var('otel_request_id') -%}
{%- if request_id_rule not in ['response', 'span'] -%}
    {{ exceptions.raise_compiler_error(
        "var('otel_request_id') must be 'response' or 'span', not '" ~ request_id_rule ~ "' (dbt_project.yml)") }}
{%- endif -%}
{%- set excludes_cache_scopes = var('otel_input_excludes_cache_scopes') or [] -%}
{%- set token_inputs = ['input_tokens', 'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens',
                        'reasoning_tokens'] -%}
{%- set identifier_pattern = '^[a-z0-9_.]{1,40}$' -%}
{%- set start_nanos = dbt.safe_cast('start_time_text', 'decimal(38, 0)') -%}
{%- set start_minutes = aicost_integer_divide(start_nanos, 60000000000) -%}

with

source as (

    select * from {{ source('otel', 'otel_spans') }}

),

renamed as (

    select
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(record_index as {{ dbt.type_bigint() }}) as record_index,
        {{ aicost_text('parse_error') }} as parse_error,
        {{ aicost_text('parse_detail') }} as parse_detail,
        {{ aicost_text('trace_id') }} as trace_id,
        {{ aicost_text('span_id') }} as span_id,
        {{ aicost_text('parent_span_id') }} as parent_span_id,
        {{ aicost_text('response_id') }} as response_id,
        {{ aicost_text('scope_name') }} as scope_name,
        lower({{ aicost_text('operation') }}) as operation_sent,
        lower({{ aicost_text('span_kind') }}) as span_kind_sent,
        {{ aicost_text('provider') }} as provider_sent,
        coalesce({{ aicost_text('response_model') }}, {{ aicost_text('request_model') }}) as model_sent,
        {%- for field in token_inputs %}
        {{ aicost_is_sent(field, 'text') }} as {{ field }}_sent,
        {{ aicost_number_from(field, 'text') }} as {{ field }}_value,
        {%- endfor %}
        {{ aicost_text('start_time_unix_nano') }} as start_time_text,
        {{ aicost_text('end_time_unix_nano') }} as end_time_text,
        {{ aicost_text('status_code') }} as status_code,
        {{ aicost_text('reported_cost_usd') }} as reported_cost_text,
        {%- for tag in tags %}
        {{ tag }},
        {%- endfor %}
        metadata

    from source

),

classified as (

    select
        *,
        case operation_sent
            {%- for operation, canonical in operations.items() %}
            when '{{ operation | lower }}' then '{{ canonical }}'
            {%- endfor %}
        end as model_operation,
        {#- a span with no operation still is a call when it says which model it called and what
            it used (older conventions carried no operation) -#}
        case
            when operation_sent is not null then null
            when span_kind_sent is not null then false
            else model_sent is not null and (input_tokens_sent or output_tokens_sent)
        end as is_unnamed_model_call,
        case
            when status_code in ('2', 'STATUS_CODE_ERROR') then 'error'
            when status_code is null or status_code in ('0', '1', 'STATUS_CODE_UNSET', 'STATUS_CODE_OK') then 'success'
        end as status

    from renamed

),

tokens as (

    select
        *,
        {#- Anthropic's own input count excludes the cache; an inclusive count never is below it -#}
        (
            {%- if excludes_cache_scopes %}
            coalesce(scope_name in ({{ aicost_sql_list(excludes_cache_scopes)[1:-1] }}), false) or
            {%- endif %}
            coalesce(coalesce(cache_read_tokens_value, 0) + coalesce(cache_write_tokens_value, 0)
                > input_tokens_value, false)
        ) as input_excludes_cache,
        {{ aicost_regex_matches('start_time_text', '^[0-9]{1,19}$') }}
            and {{ dbt.safe_cast('start_time_text', 'decimal(38, 0)') }} <= 9223372036854775807 as start_is_readable,
        {{ aicost_regex_matches('end_time_text', '^[0-9]{1,19}$') }}
            and {{ dbt.safe_cast('end_time_text', 'decimal(38, 0)') }} <= 9223372036854775807 as end_is_readable

    from classified

),

final as (

    select
        -- where the span came from
        'otel' as source_name,
        source_file,
        line_number,
        record_index,
        case
            when parse_error is not null then parse_error
            when model_operation is null and not coalesce(is_unnamed_model_call, false) then 'not_a_model_call'
        end as source_reject_reason,
        case
            when parse_error is not null then parse_detail
            when model_operation is not null or coalesce(is_unnamed_model_call, false) then null
            when operation_sent is not null then {{ dbt.concat([
                "'gen_ai operation '",
                "case when " ~ aicost_regex_matches('operation_sent', identifier_pattern)
                    ~ " then operation_sent else '(unnamed)' end",
                "' is not a model call'"]) }}
            when span_kind_sent is not null then {{ dbt.concat([
                "'traceloop span kind '",
                "case when " ~ aicost_regex_matches('span_kind_sent', identifier_pattern)
                    ~ " then span_kind_sent else '(unnamed)' end",
                "' is not a model call'"]) }}
            else 'no gen_ai operation, model and token usage: not a model call'
        end as source_reject_detail,

        -- ids: one call per trace and response id (or span id)
        case
            {%- if request_id_rule == 'response' %}
            when coalesce(response_id, span_id) is not null
                then {{ dbt.concat(["coalesce(trace_id, '')", "':'", 'coalesce(response_id, span_id)']) }}
            {%- else %}
            when span_id is not null then {{ dbt.concat(["coalesce(trace_id, '')", "':'", 'span_id']) }}
            {%- endif %}
        end as request_id,
        trace_id,
        case when parent_span_id is not null
            then {{ dbt.concat(["coalesce(trace_id, '')", "':'", 'parent_span_id']) }} end as parent_request_id,

        -- what was called
        {{ aicost_resolved_provider('provider_sent', 'model_sent', infer_from_model=true) }} as provider,
        {{ aicost_normalised_model('model_sent') }} as model,
        case model_operation when 'embeddings' then 'embedding' when 'rerank' then 'rerank' end as call_role,
        {#- an operation that is not an identifier is no operation (never free text past staging) -#}
        coalesce(model_operation,
            case when {{ aicost_regex_matches('operation_sent', identifier_pattern) }} then operation_sent end) as operation,
        status,

        -- tags: where var('otel_dimensions') says the span keeps them
        {%- for tag in tags %}
        {%- if tag == 'environment' %}
        {{ aicost_normalised_environment(aicost_tag_value(tag)) }} as {{ tag }},
        {%- else %}
        {{ aicost_tag_value(tag) }} as {{ tag }},
        {%- endif %}
        {%- endfor %}

        -- tokens in the contract's form; a failed call that reports no usage used none
        input_tokens_sent or coalesce(status = 'error', false) as input_tokens_is_sent,
        case
            when not input_tokens_sent then case when status = 'error' then 0 end
            when input_excludes_cache
                then input_tokens_value + coalesce(cache_read_tokens_value, 0) + coalesce(cache_write_tokens_value, 0)
            else input_tokens_value
        end as input_tokens,
        output_tokens_sent or (total_tokens_sent and input_tokens_sent) or coalesce(status = 'error', false)
            or coalesce(model_operation = 'embeddings', false) as output_tokens_is_sent,
        case
            when output_tokens_sent then output_tokens_value
            when total_tokens_sent and input_tokens_sent then total_tokens_value - input_tokens_value
            when status = 'error' or model_operation = 'embeddings' then 0
        end as output_tokens,
        cache_read_tokens_sent as cache_read_tokens_is_sent,
        cache_read_tokens_value as cache_read_tokens,
        cache_write_tokens_sent as cache_write_tokens_is_sent,
        cache_write_tokens_value as cache_write_tokens,
        {#- no GenAI attribute tells a 1-hour cache write from a 5-minute one -#}
        false as cache_write_1h_tokens_is_sent,
        cast(null as {{ aicost_type_count_value() }}) as cache_write_1h_tokens,
        reasoning_tokens_sent as reasoning_tokens_is_sent,
        reasoning_tokens_value as reasoning_tokens,
        case when start_is_readable and end_is_readable
                and {{ dbt.safe_cast('end_time_text', 'decimal(38, 0)') }} >= {{ dbt.safe_cast('start_time_text', 'decimal(38, 0)') }}
            then ({{ dbt.safe_cast('end_time_text', 'decimal(38, 0)') }} - {{ dbt.safe_cast('start_time_text', 'decimal(38, 0)') }})
                / 1000000
        end as latency_ms,

        -- OTLP has no batch flag
        false as is_batch_is_sent,
        cast(null as {{ dbt.type_boolean() }}) as is_batch,

        -- startTimeUnixNano: nanoseconds since the epoch, UTC (0 is the protobuf default: unset)
        start_time_text is not null and coalesce({{ start_nanos }} <> 0, true) as occurred_at_is_sent,
        start_time_text as occurred_at_text,
        {#- whole minutes, then the microseconds within the minute: each step fits the 32-bit
            interval some engines take -#}
        case when start_is_readable then
            {{ dbt.dateadd('microsecond',
                'cast(' ~ aicost_integer_divide(start_nanos, 1000) ~ ' - ' ~ start_minutes ~ ' * 60000000 as integer)',
                dbt.dateadd('minute', 'cast(' ~ start_minutes ~ ' as integer)',
                    "cast('1970-01-01 00:00:00' as " ~ api.Column.translate_type('timestamp') ~ ")")) }}
        end as occurred_at,

        -- what the instrumentation says the call cost (OpenLIT's gen_ai.usage.cost)
        {{ dbt.safe_cast('reported_cost_text', aicost_type_money()) }} as reported_cost_usd,

        -- fields kept empty because they could not be read (the call itself is kept)
        {{ aicost_field_warnings(
            [('end_time_text is not null and not (start_is_readable and end_is_readable and '
              ~ dbt.safe_cast('end_time_text', 'decimal(38, 0)') ~ ' >= ' ~ dbt.safe_cast('start_time_text', 'decimal(38, 0)')
              ~ ')', 'latency_ms:unreadable'),
             ('reported_cost_text is not null and ' ~ dbt.safe_cast('reported_cost_text', aicost_type_money()) ~ ' is null',
              'reported_cost_usd:unreadable'),
             ("status_code is not null and status_code not in ('0', '1', '2', 'STATUS_CODE_UNSET', 'STATUS_CODE_OK',"
              ~ " 'STATUS_CODE_ERROR')", 'status:unreadable')]
            + aicost_malformed_tag_warnings(tags)
        ) }} as field_warnings,

        -- association properties, free-text keys removed at the landing
        {{ aicost_metadata_object('metadata') }} as metadata

    from tokens

)

select * from final
