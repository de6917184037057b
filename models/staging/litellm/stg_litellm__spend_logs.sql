{#- One row per record of LiteLLM proxy's LiteLLM_SpendLogs table (litellm_spend_logs/: JSON
    Lines, /spend/logs JSON, psql CSV, Parquet; or the proxy's own table on a warehouse), on the
    usage event interface. LiteLLM's prompt_tokens already holds cache reads and writes for every
    provider and completion_tokens holds reasoning, so they are input_tokens and output_tokens;
    the cache and reasoning counts come from the usage LiteLLM keeps in metadata
    (additional_usage_values, then usage_object). Dimensions come from the locations of
    var('litellm_dimensions'). `spend` is LiteLLM's own price of the call (reported_cost_usd). -#}
{%- set relation = source('litellm', 'litellm_spend_logs') -%}
{%- set kinds = aicost_column_kinds(relation) -%}
{%- set columns = aicost_litellm_record_columns(relation, 'spend_logs') -%}
{%- set tags = usage_event_tag_fields() -%}
{%- set located_names = ['trace_id', 'parent_request_id', 'call_role'] + tags -%}
{%- set usage_tokens = ['cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens'] -%}
{%- set q = adapter.quote -%}
{%- set kind = {} -%}
{%- for field in columns -%}{%- do kind.update({field: kinds.get(field | lower, 'text')}) -%}{%- endfor -%}

with

source as (

    select * from {{ relation }}

),

located as (

    select
        {{ aicost_litellm_record_position(kinds, relation, [q('startTime'), q('request_id')]) | indent(8) }},
        {%- for field in ['request_id', 'call_type', 'api_key', 'spend', 'prompt_tokens', 'completion_tokens',
                          'startTime', 'endTime', 'request_duration_ms', 'model', 'custom_llm_provider', 'cache_hit',
                          'status', 'metadata', 'request_tags'] %}
        {{ q(field) }},
        {%- endfor %}
        {%- for name in located_names %}
        {{ aicost_litellm_located(name, 'spend_logs', columns) }} as located_{{ name }},
        {%- endfor %}
        {%- for token in usage_tokens %}
        {{ aicost_litellm_usage_text('spend_logs', token, columns) }} as {{ token }}_text,
        {%- endfor %}
        {{ aicost_json_text(q('metadata'), ['spend_logs_metadata']) }} as spend_logs_metadata,
        {{ aicost_litellm_sent_flag(kinds, 'metadata', q('metadata')) }} as metadata_is_sent,
        {{ aicost_litellm_sent_flag(kinds, 'request_tags', q('request_tags')) }} as request_tags_is_sent,
        {{ aicost_litellm_operation(q('call_type')) }} as operation,
        {{ aicost_litellm_time(q('startTime'), kind.startTime) }} as started_at,
        coalesce(
            {{ aicost_number_from(q('request_duration_ms'), kind.request_duration_ms) }},
            {{ dbt.datediff(aicost_litellm_time(q('startTime'), kind.startTime),
                            aicost_litellm_time(q('endTime'), kind.endTime), 'millisecond') }}
        ) as latency_ms,
        {{ aicost_litellm_not_a_model_call(q('call_type'), q('cache_hit'), q('model'),
                                           aicost_number_from(q('prompt_tokens'), kind.prompt_tokens),
                                           aicost_number_from(q('completion_tokens'), kind.completion_tokens)) | indent(8) }}
            as not_a_model_call

    from source

),

renamed as (

    select
        -- where the record came from, and whether it is a model call at all
        'litellm_spend_logs' as source_name,
        source_file,
        line_number,
        record_index,
        coalesce(parse_error, case when not_a_model_call is not null then 'not_a_model_call' end) as source_reject_reason,
        coalesce(parse_detail, not_a_model_call) as source_reject_detail,

        -- ids
        {{ aicost_tag_value(q('request_id')) }} as request_id,
        {{ aicost_tag_value('located_trace_id') }} as trace_id,
        {{ aicost_tag_value('located_parent_request_id') }} as parent_request_id,

        -- what was called
        {{ aicost_resolved_provider(q('custom_llm_provider'), q('model'), infer_from_model=true) }} as provider,
        {{ aicost_normalised_model(q('model')) }} as model,
        {{ aicost_litellm_call_role('located_call_role', 'operation') }} as call_role,
        operation,
        {{ aicost_litellm_status(q('status')) }} as status,

        -- tags: the attribution dimensions, call identifiers and the api key alias
        {%- for tag in tags %}
        {%- if tag == 'environment' %}
        {{ aicost_normalised_environment(aicost_tag_value('located_environment')) }} as environment,
        {%- elif tag == 'api_key_alias' %}
        {{ aicost_litellm_key_alias('located_api_key_alias', q('api_key')) }} as api_key_alias,
        {%- else %}
        {{ aicost_tag_value('located_' ~ tag) }} as {{ tag }},
        {%- endif %}
        {%- endfor %}

        -- tokens: LiteLLM's prompt_tokens includes cache reads and writes, completion_tokens reasoning
        {{ aicost_is_sent(q('prompt_tokens'), kind.prompt_tokens) }} as input_tokens_is_sent,
        {{ aicost_number_from(q('prompt_tokens'), kind.prompt_tokens) }} as input_tokens,
        {{ aicost_is_sent(q('completion_tokens'), kind.completion_tokens) }} as output_tokens_is_sent,
        {{ aicost_number_from(q('completion_tokens'), kind.completion_tokens) }} as output_tokens,
        {%- for token in usage_tokens %}
        {{ aicost_is_sent(token ~ '_text', 'text') }} as {{ token }}_is_sent,
        {{ aicost_number_from(token ~ '_text', 'text') }} as {{ token }},
        {%- endfor %}
        latency_ms,

        -- a batch's cost row is priced at batch prices
        {{ aicost_is_sent(q('call_type'), kind.call_type) }} as is_batch_is_sent,
        {{ aicost_litellm_is_batch(q('call_type')) }} as is_batch,

        -- when the call started
        {{ aicost_is_sent(q('startTime'), kind.startTime) }} as occurred_at_is_sent,
        {{ aicost_text(q('startTime')) }} as occurred_at_text,
        started_at as occurred_at,

        -- what LiteLLM says the call cost (informational; the project prices every call)
        {{ dbt.safe_cast(aicost_text(q('spend')), aicost_type_money()) }} as reported_cost_usd,

        -- fields kept empty because they could not be read (the call itself is kept)
        {{ aicost_field_warnings(
            [('latency_ms is null and (' ~ aicost_is_sent(q('request_duration_ms'), kind.request_duration_ms) ~ ' or '
              ~ aicost_is_sent(q('endTime'), kind.endTime) ~ ')', 'latency_ms:unreadable'),
             (aicost_text(q('spend')) ~ ' is not null and '
              ~ dbt.safe_cast(aicost_text(q('spend')), aicost_type_money()) ~ ' is null', 'reported_cost_usd:unreadable'),
             ('metadata_is_sent and ' ~ aicost_metadata_object(q('metadata')) ~ ' is null', 'metadata:not_an_object'),
             ('request_tags_is_sent and ' ~ aicost_json_kind(q('request_tags')) ~ " is distinct from 'array'",
              'request_tags:not_an_array'),
             ('spend_logs_metadata is not null and ' ~ aicost_metadata_object('spend_logs_metadata') ~ ' is null',
              'spend_logs_metadata:not_an_object')]
            + aicost_litellm_malformed_value_warnings(located_names)
        ) }} as field_warnings,

        -- the call's own key-value pairs (spend_logs_metadata), text keys removed
        {{ aicost_metadata_object('spend_logs_metadata') }} as metadata

    from located

)

select * from renamed
