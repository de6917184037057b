{#- One row per raw Langfuse observation record (langfuse_observations/), on the usage event
    interface (macros/staging/usage_event_interface.sql), with its trace's dimensions joined from
    stg_langfuse__traces. The types of var('langfuse_call_types') are calls; every other type is a
    `not_a_model_call` reject, so usage a span or agent aggregates from its children is never
    counted twice. Tokens are sums of usageDetails keys (var('langfuse_usage_keys'): separate
    buckets in Langfuse) put in the contract's form: input_tokens holds every prompt token, cache
    reads and writes included; output_tokens includes reasoning. -#}
{%- set call_types = var('langfuse_call_types') -%}
{%- set known_types = ['GENERATION', 'EMBEDDING', 'SPAN', 'EVENT', 'AGENT', 'TOOL', 'CHAIN', 'RETRIEVER',
                       'EVALUATOR', 'GUARDRAIL'] -%}
{%- set trace_columns = aicost_langfuse_trace_columns() -%}
{%- set locations = aicost_langfuse_dimension_locations() -%}
{%- set input_fields = ['input', 'input_with_cache', 'cache_read', 'cache_write', 'cache_write_1h'] -%}
{%- set output_fields = ['output', 'output_with_reasoning', 'reasoning'] -%}
{%- set usage_columns = aicost_langfuse_count_columns(var('langfuse_usage_keys').keys()) + ['usage__total'] -%}
{#- the landing's flags: booleans on DuckDB, maybe text in a warehouse table -#}
{%- set kinds = aicost_column_kinds(source('langfuse', 'langfuse_observations')) -%}
{%- set flags = ['usage_details_is_sent', 'usage_details_is_object', 'usage_is_sent', 'usage_is_object',
                 'metadata_is_sent', 'metadata_is_object', 'tags_is_sent', 'tags_is_list'] -%}
{%- set provider_values = [] -%}
{%- for location in var('langfuse_provider_locations', []) -%}
    {%- do provider_values.append(aicost_langfuse_location_value(location, 'provider')) -%}
{%- endfor -%}

with

source as (

    select * from {{ source('langfuse', 'langfuse_observations') }}

),

traces as (

    select * from {{ ref('stg_langfuse__traces') }}
    where trace_error is null

),

latest_traces as (

    {#- A trace exported more than once (updated, or in overlapping export windows): its latest copy. -#}
    select
        trace_id
        {%- for column in trace_columns %},
        {{ aicost_tag_value(column) }} as trace__{{ column }},
        {{ aicost_tag_is_malformed(column) }} as trace__{{ column }}_is_malformed
        {%- endfor %}
    from (
        select
            *,
            row_number() over (
                partition by trace_id
                order by updated_at desc nulls last, occurred_at desc nulls last,
                    source_file desc, line_number desc, record_index desc
            ) as copy_rank
        from traces
    ) as ranked
    where copy_rank = 1

),

usage_texts as (

    select
        source.*
        {%- for flag in flags %},
        coalesce({{ aicost_boolean_from('source.' ~ flag, kinds.get(flag, 'text')) }}, false) as flag__{{ flag }}
        {%- endfor %}
        {%- for column in usage_columns %},
        {{ aicost_text('source.' ~ column) }} as {{ column }}__trimmed
        {%- endfor %}
    from source

),

counted as (

    {#- Each usage key: whether sent, and its exact count (NULL when absent or unreadable). -#}
    select
        source.*,
        {%- for column in usage_columns %}
        {{ column }}__trimmed is not null as {{ column }}_is_sent,
        {{ dbt.safe_cast(column ~ '__trimmed', aicost_type_count_value()) }} as {{ column }}_count,
        {%- endfor %}
        {{ aicost_text('source.id') }} as observation_id,
        {{ aicost_text('source.trace_id') }} as observation_trace_id,
        upper({{ aicost_text('source.type') }}) as observation_type,
        flag__usage_details_is_sent as has_usage_details,
        flag__usage_details_is_sent and not flag__usage_details_is_object as usage_details_is_unreadable,
        {# API v1 derives `usage` and promptTokens from usageDetails: read only without it #}
        flag__usage_is_sent and (not flag__usage_is_object
            or upper(coalesce({{ aicost_text('source.legacy_usage_unit') }}, 'TOKENS')) <> 'TOKENS')
            as legacy_usage_is_unreadable,
        coalesce({{ aicost_text('source.legacy_usage_input') }}, {{ aicost_text('source.prompt_tokens') }})
            as legacy_input,
        coalesce({{ aicost_text('source.legacy_usage_output') }}, {{ aicost_text('source.completion_tokens') }})
            as legacy_output,
        {{ aicost_utc_timestamp_from('source.start_time', 'text') }} as started_at,
        {{ aicost_utc_timestamp_from('source.end_time', 'text') }} as ended_at,
        coalesce(
            {{ aicost_text('source.cost_details_total') }}, {{ aicost_text('source.cost_total') }},
            {{ aicost_text('source.calculated_total_cost') }}, {{ aicost_text('source.legacy_usage_total_cost') }}
        ) as reported_cost_text
    from usage_texts as source

),

tokens as (

    select
        *,
        {{ aicost_langfuse_any_sent(var('langfuse_usage_keys').keys()) }} as usage_details_has_counts,
        case
            when {{ aicost_langfuse_any_unreadable(input_fields) }} then null
            {# a count that already includes the cache (OpenAI's prompt_tokens) is not topped up #}
            when {{ aicost_langfuse_any_sent(['input_with_cache']) }} then {{ aicost_langfuse_sum(['input', 'input_with_cache']) }}
            else {{ aicost_langfuse_sum(['input', 'cache_read', 'cache_write', 'cache_write_1h']) }}
        end as details_input_tokens,
        case
            when {{ aicost_langfuse_any_unreadable(output_fields) }} then null
            when {{ aicost_langfuse_any_sent(['output_with_reasoning']) }} then {{ aicost_langfuse_sum(['output', 'output_with_reasoning']) }}
            else {{ aicost_langfuse_sum(['output', 'reasoning']) }}
        end as details_output_tokens,
        {%- for field, parts in [('cache_read', ['cache_read']), ('cache_write', ['cache_write', 'cache_write_1h']),
                                 ('cache_write_1h', ['cache_write_1h']), ('reasoning', ['reasoning'])] %}
        {{ aicost_langfuse_any_sent(parts) }} as details_{{ field }}_is_sent,
        case when {{ aicost_langfuse_any_unreadable(parts) }} then null else {{ aicost_langfuse_sum(parts) }} end
            as details_{{ field }}_tokens,
        {%- endfor %}
        case when not {{ aicost_langfuse_any_unreadable(var('langfuse_usage_keys').keys()) }}
            then {{ aicost_langfuse_sum(var('langfuse_usage_keys').keys()) }} end as usage_key_sum,
        {# the end time, else Langfuse's latency in seconds #}
        coalesce(
            cast({{ dbt.datediff('started_at', 'ended_at', 'millisecond') }} as {{ aicost_type_count_value() }}),
            {{ aicost_number_from('latency', 'text') }} * 1000
        ) as latency_value
    from counted

),

joined as (

    {#- each column a location reads, once: as a tag (an object or a list is none), and whether malformed -#}
    select
        tokens.*
        {%- for column in aicost_langfuse_location_columns() %}
        {%- if column.startswith('trace__') %},
        latest_traces.{{ column }} as located__{{ column }},
        coalesce(latest_traces.{{ column }}_is_malformed, false) as located__{{ column }}_is_malformed
        {%- else %},
        {{ aicost_tag_value('tokens.' ~ column) }} as located__{{ column }},
        {{ aicost_tag_is_malformed('tokens.' ~ column) }} as located__{{ column }}_is_malformed
        {%- endif %}
        {%- endfor %}
    from tokens
    left join latest_traces
        on tokens.observation_trace_id = latest_traces.trace_id

),

located as (

    {#- Each tag from the first configured location holding one (var('langfuse_dimensions')), and
        the provider and model as plain text, before the shared normalisation reads them. -#}
    select
        joined.*,
        {%- for tag, tag_locations in locations.items() %}
        {%- set values = [] -%}{%- set malformed = [] -%}
        {%- for location in tag_locations -%}
            {%- do values.append(aicost_langfuse_location_value(location, tag)) -%}
            {%- do malformed.append(aicost_langfuse_location_value(location, tag, 'is_malformed')) -%}
        {%- endfor %}
        {{ ('coalesce(' ~ values | join(', ') ~ ')') if values else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as resolved__{{ tag }},
        {{ ('(' ~ malformed | join(' or ') ~ ')') if malformed else 'false' }} as resolved__{{ tag }}_is_malformed,
        {%- endfor %}
        {{ ('coalesce(' ~ provider_values | join(', ') ~ ')') if provider_values else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as provider_sent,
        {{ aicost_text('model') }} as model_sent
    from joined

),

final as (

    select
        -- where the record came from
        'langfuse' as source_name,
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(record_index as {{ dbt.type_bigint() }}) as record_index,
        case
            when {{ aicost_text('parse_error') }} is not null then {{ aicost_text('parse_error') }}
            when observation_type is null or observation_type not in ('{{ call_types.keys() | join("', '") }}')
                then 'not_a_model_call'
        end as source_reject_reason,
        case
            when parse_error = 'no_records' then 'page or array holds no observations'
            when parse_error = 'unreadable_file' then 'the CSV header is not UTF-8 text'
            when parse_error is not null then null
            {# the type is named only when it is one of Langfuse's: never free text in a detail #}
            when observation_type in ('{{ known_types | reject('in', call_types.keys() | list) | join("', '") }}')
                then {{ dbt.concat(["'observation type '", 'observation_type', "' is not a model call'"]) }}
            when observation_type is null or observation_type not in ('{{ call_types.keys() | join("', '") }}')
                then 'observation type missing or not a Langfuse observation type'
        end as source_reject_detail,

        -- ids
        observation_id as request_id,
        observation_trace_id as trace_id,
        {{ aicost_text('parent_observation_id') }} as parent_request_id,

        -- what was called: Langfuse has no provider field
        {{ aicost_resolved_provider('provider_sent', 'model_sent', infer_from_model=true) }} as provider,
        {{ aicost_normalised_model('model_sent') }} as model,
        case observation_type
            {%- for type, call in call_types.items() if call.get('call_role') %}
            when '{{ type }}' then '{{ call.call_role }}'
            {%- endfor %}
        end as call_role,
        case observation_type
            {%- for type, call in call_types.items() %}
            when '{{ type }}' then '{{ call.operation }}'
            {%- endfor %}
        end as operation,
        case when upper({{ aicost_text('level') }}) = 'ERROR' then 'error' else 'success' end as status,

        -- tags (located above)
        {%- for tag in locations %}
        {{ aicost_normalised_environment('resolved__environment') if tag == 'environment' else 'resolved__' ~ tag }} as {{ tag }},
        {%- endfor %}

        -- tokens (usageDetails; the legacy usage / promptTokens only without it)
        case when has_usage_details then usage_details_is_unreadable or usage_details_has_counts
            else legacy_input is not null or legacy_usage_is_unreadable end as input_tokens_is_sent,
        case when usage_details_is_unreadable then null
            when has_usage_details then details_input_tokens
            when not legacy_usage_is_unreadable then {{ aicost_number_from('legacy_input', 'text') }} end as input_tokens,
        case when has_usage_details then usage_details_is_unreadable or usage_details_has_counts
            else legacy_output is not null or legacy_usage_is_unreadable end as output_tokens_is_sent,
        case when usage_details_is_unreadable then null
            when has_usage_details then details_output_tokens
            when not legacy_usage_is_unreadable then {{ aicost_number_from('legacy_output', 'text') }} end as output_tokens,
        {%- for field in ['cache_read', 'cache_write', 'cache_write_1h', 'reasoning'] %}
        has_usage_details and details_{{ field }}_is_sent as {{ field }}_tokens_is_sent,
        case when has_usage_details and details_{{ field }}_is_sent then details_{{ field }}_tokens end as {{ field }}_tokens,
        {%- endfor %}

        latency_value as latency_ms,
        false as is_batch_is_sent,
        cast(null as {{ dbt.type_boolean() }}) as is_batch,
        {{ aicost_text('start_time') }} is not null as occurred_at_is_sent,
        {{ aicost_text('start_time') }} as occurred_at_text,
        started_at as occurred_at,

        -- Langfuse's own cost: costDetails.total, else totalCost / calculatedTotalCost
        {{ dbt.safe_cast('reported_cost_text', aicost_type_money()) }} as reported_cost_usd,

        -- fields kept empty because they could not be read (the call itself is kept)
        {{ aicost_langfuse_observation_warnings(locations) }} as field_warnings,

        -- Langfuse metadata is free-form: only the configured keys are read, none is kept whole
        cast(null as {{ dbt.type_string() }}) as metadata

    from located

)

select * from final
