{#- What the two LiteLLM staging models (stg_litellm__spend_logs, stg_litellm__payloads) share:
    where LiteLLM keeps each dimension (var('litellm_dimensions')), its token counts
    (aicost_litellm_usage_paths()), and what its call types mean. The JSON reads are dispatched,
    so the spend-logs model reads the proxy's own PostgreSQL table (jsonb) as it reads the landed
    files on DuckDB. -#}

{% macro aicost_litellm_dimension_locations() -%}
    {#- Every name the mapping fills -> its ordered locations: each tag (the attribution
        dimensions, the call identifiers, api_key_alias), trace_id, parent_request_id and
        call_role. A name var('litellm_dimensions') does not list is read from `tag:<name>`, then
        `metadata.spend_logs_metadata.<name>`. -#}
    {%- set configured = var('litellm_dimensions') or {} -%}
    {%- set locations = {} -%}
    {%- for name in usage_event_tag_fields() + ['trace_id', 'parent_request_id', 'call_role'] -%}
        {%- set listed = configured.get(name, ['tag:' ~ name, 'metadata.spend_logs_metadata.' ~ name]) -%}
        {%- if listed is string or listed is mapping -%}
            {{ exceptions.raise_compiler_error(
                "Bad configuration in var('litellm_dimensions'): " ~ name ~ " must be a list of locations, got "
                ~ listed) }}
        {%- endif -%}
        {%- do locations.update({name: listed | list}) -%}
    {%- endfor -%}
    {{ return(locations) }}
{%- endmacro %}

{% macro aicost_litellm_location_value(name, location, format, columns) -%}
    {#- The SQL text of one location in one format: `tag:<key>` (request_tags entry `<key>:<value>`),
        `metadata.<path>` (LiteLLM's metadata object), or a top-level field (NULL in the format
        that has no such field). Anything else is a configuration error naming the location. -#}
    {%- set formats = aicost_litellm_formats() -%}
    {%- set location = location | string | trim -%}
    {%- if location.startswith('tag:') and location[4:] | trim -%}
        {{ return(aicost_litellm_tag_value(columns['request_tags'], location[4:] | trim | lower)) }}
    {%- elif location.startswith('metadata.') and location[9:] -%}
        {{ return(aicost_json_text(columns['metadata'], location[9:].split('.'))) }}
    {%- elif location in formats[format].fields -%}
        {{ return(columns[location]) }}
    {%- elif location in formats.spend_logs.fields + formats.payloads.fields -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Bad configuration in var('litellm_dimensions'): " ~ name ~ " reads '" ~ location ~ "', which is neither"
            ~ " tag:<key>, metadata.<path>, nor a field LiteLLM records carry ("
            ~ (formats.spend_logs.fields + formats.payloads.fields) | unique | sort | join(', ') ~ ")") }}
    {%- endif -%}
{%- endmacro %}

{% macro aicost_litellm_located(name, format, columns) -%}
    {#- `name` from its first location holding a value (blank values do not count). -#}
    {%- set values = [] -%}
    {%- for location in aicost_litellm_dimension_locations()[name] -%}
        {%- do values.append(aicost_text(aicost_litellm_location_value(name, location, format, columns))) -%}
    {%- endfor -%}
    {%- if values | length == 1 -%}{{ values[0] }}{%- else -%}coalesce({{ values | join(', ') }}){%- endif -%}
{%- endmacro %}

{% macro aicost_litellm_usage_text(format, token, columns) -%}
    {#- A token count beyond prompt/completion tokens, as text, from the first usage object and
        path holding it (aicost_litellm_usage_paths(); spend logs: additional_usage_values, then
        usage_object; payloads: metadata.usage_object, then hidden_params.usage_object). -#}
    {%- set values = [] -%}
    {%- for container in aicost_litellm_formats()[format].usage_objects -%}
        {%- for path in aicost_litellm_usage_paths()[token] -%}
            {%- do values.append(aicost_json_text(columns[container[0]], container[1:] + path)) -%}
        {%- endfor -%}
    {%- endfor -%}
    coalesce({{ values | join(', ') }})
{%- endmacro %}

{% macro aicost_json_text(json_expression, keys) -%}
    {#- The value at `keys` (a list) inside a JSON object as text: a string unquoted, anything else
        as JSON; NULL when a key is absent or a step is not an object. -#}
    {{ return(adapter.dispatch('aicost_json_text', 'ai_cost_attribution')(json_expression, keys)) }}
{%- endmacro %}

{% macro default__aicost_json_text(json_expression, keys) -%}
    json_extract_path_text({{ json_expression }}{% for key in keys %}, '{{ key }}'{% endfor %})
{%- endmacro %}

{% macro duckdb__aicost_json_text(json_expression, keys) -%}
    json_extract_string({{ json_expression }}, '${% for key in keys %}."{{ key }}"{% endfor %}')
{%- endmacro %}

{% macro spark__aicost_json_text(json_expression, keys) -%}
    get_json_object(cast({{ json_expression }} as string), '${% for key in keys %}.{{ key }}{% endfor %}')
{%- endmacro %}

{% macro postgres__aicost_json_text(json_expression, keys) -%}
    (cast({{ json_expression }} as jsonb) #>> '{ {{- keys | join(',') -}} }')
{%- endmacro %}

{% macro aicost_litellm_tag_value(tags_expression, key) -%}
    {#- The value of the first request tag `<key>:<value>` (key without case, value trimmed). -#}
    {{ return(adapter.dispatch('aicost_litellm_tag_value', 'ai_cost_attribution')(tags_expression, key)) }}
{%- endmacro %}

{% macro default__aicost_litellm_tag_value(tags_expression, key) -%}
    cast(null as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__aicost_litellm_tag_value(tags_expression, key) -%}
    trim(regexp_extract(
        list_filter(
            coalesce(try(json_transform({{ tags_expression }}, '["VARCHAR"]')), []),
            lambda tag: lower(trim(split_part(tag, ':', 1))) = '{{ key }}' and position(':' in tag) > 0
        )[1],
        ':(.*)$', 1
    ))
{%- endmacro %}

{% macro spark__aicost_litellm_tag_value(tags_expression, key) -%}
    trim(regexp_extract(
        element_at(filter(
            from_json(cast({{ tags_expression }} as string), 'array<string>'),
            tag -> lower(trim(split_part(tag, ':', 1))) = '{{ key }}' and instr(tag, ':') > 0
        ), 1),
        ':(.*)$', 1
    ))
{%- endmacro %}

{% macro postgres__aicost_litellm_tag_value(tags_expression, key) -%}
    (select trim(substr(tag, position(':' in tag) + 1))
     from jsonb_array_elements_text(case when jsonb_typeof(cast({{ tags_expression }} as jsonb)) = 'array'
                                         then cast({{ tags_expression }} as jsonb) end) as tags(tag)
     where lower(trim(split_part(tag, ':', 1))) = '{{ key }}' and position(':' in tag) > 0
     limit 1)
{%- endmacro %}

{% macro aicost_litellm_operation(call_type) -%}
    {#- LiteLLM's call_type as the contract's operation; other call types are kept as written. -#}
    {%- set operations = {
        'completion': 'chat', 'acompletion': 'chat', 'anthropic_messages': 'chat', 'aanthropic_messages': 'chat',
        'responses': 'chat', 'aresponses': 'chat', 'generate_content': 'chat', 'agenerate_content': 'chat',
        'text_completion': 'completion', 'atext_completion': 'completion',
        'embedding': 'embeddings', 'aembedding': 'embeddings', 'rerank': 'rerank', 'arerank': 'rerank',
        'retrieve_batch': 'batch', 'aretrieve_batch': 'batch',
    } -%}
    {%- set value = 'lower(' ~ aicost_text(call_type) ~ ')' -%}
    case {{ value }}
        {%- for call, operation in operations.items() %}
        when '{{ call }}' then '{{ operation }}'
        {%- endfor %}
        else {{ value }}
    end
{%- endmacro %}

{% macro aicost_litellm_call_role(configured, operation) -%}
    {#- The configured call role, else embedding / rerank for those operations (else primary,
        downstream). -#}
    coalesce(lower({{ aicost_tag_value(configured) }}),
             case {{ operation }} when 'embeddings' then 'embedding' when 'rerank' then 'rerank' end)
{%- endmacro %}

{% macro aicost_litellm_is_batch(call_type) -%}
    {#- A batch's cost row: the proxy writes it when a retrieve finds the batch done (request_id
        `<batch id>_batch_cost`), with the batch's tokens and its batch-priced spend. -#}
    coalesce(lower({{ aicost_text(call_type) }}) in ('retrieve_batch', 'aretrieve_batch'), false)
{%- endmacro %}

{% macro aicost_litellm_status(status) -%}
    {#- LiteLLM writes success / failure; the contract says success / error. -#}
    case lower({{ aicost_text(status) }}) when 'failure' then 'error' else lower({{ aicost_text(status) }}) end
{%- endmacro %}

{% macro aicost_litellm_not_a_model_call(call_type, cache_hit, model, prompt_tokens, completion_tokens) -%}
    {#- Why a LiteLLM record is no model call (NULL when it is one): a call type that calls no
        model (var('litellm_non_model_call_types'); the async `a…` spellings alike), an answer
        from LiteLLM's own cache (its tokens were billed once, by the call that filled it), or a
        request refused before any model was called (LiteLLM's `unknown-model` placeholder, no
        tokens). The `a_` prefix is compared as text: a LIKE escape is spelled differently per
        engine (Spark reads a backslash in a literal as an escape). -#}
    {%- set call = 'lower(' ~ aicost_text(call_type) ~ ')' -%}
    {%- set listed = var('litellm_non_model_call_types') | map('lower') | list -%}
    case
        when {{ call }} in ({{ aicost_sql_string_list(listed) }})
            or ({{ call }} like 'a%' and substr({{ call }}, 2) in ({{ aicost_sql_string_list(listed) }}))
            or (substr({{ call }}, 1, 2) = 'a_' and substr({{ call }}, 3) in ({{ aicost_sql_string_list(listed) }}))
            then {{ dbt.concat(["'call_type '", call, "' calls no model'"]) }}
        when {{ aicost_parse_boolean(aicost_text(cache_hit)) }}
            then 'a LiteLLM cache hit: answered from its cache, no provider call'
        when {{ aicost_text(model) }} = 'unknown-model'
            and coalesce({{ prompt_tokens }}, 0) = 0 and coalesce({{ completion_tokens }}, 0) = 0
            then 'refused by LiteLLM before any model was called (unknown-model)'
    end
{%- endmacro %}

{% macro aicost_sql_string_list(values) -%}
    {%- for value in values %}{{ aicost_sql_string(value) }}{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{% macro aicost_litellm_key_alias(configured, key_hash) -%}
    {#- The key's alias where LiteLLM has one, else the key as the contract spells a hashed key:
        `sha256:` + the first 16 hex digits of its SHA-256 (LiteLLM logs that SHA-256, so a key
        matches the same api_keys.csv row as in the canonical format). -#}
    coalesce({{ aicost_tag_value(configured) }},
             case when {{ aicost_text(key_hash) }} is not null
                  then {{ dbt.concat(["'sha256:'", 'left(lower(' ~ aicost_text(key_hash) ~ '), 16)']) }} end)
{%- endmacro %}

{% macro aicost_epoch_seconds_to_utc_timestamp(seconds) -%}
    {#- Seconds since 1970 (LiteLLM's payload times) as a UTC timestamp; NULL beyond year 5000. -#}
    {{ return(adapter.dispatch('aicost_epoch_seconds_to_utc_timestamp', 'ai_cost_attribution')(seconds)) }}
{%- endmacro %}

{% macro default__aicost_epoch_seconds_to_utc_timestamp(seconds) -%}
    case when abs({{ seconds }}) < 95617584000 then
        cast(to_timestamp(cast({{ seconds }} as double precision)) at time zone 'UTC' as {{ api.Column.translate_type('timestamp') }})
    end
{%- endmacro %}

{% macro spark__aicost_epoch_seconds_to_utc_timestamp(seconds) -%}
    {#- Spark has no `at time zone`; its timestamps are instants, shown in the session's UTC. -#}
    case when abs({{ seconds }}) < 95617584000 then timestamp_seconds({{ seconds }}) end
{%- endmacro %}

{% macro duckdb__aicost_epoch_seconds_to_utc_timestamp(seconds) -%}
    case when abs({{ seconds }}) < 95617584000 then timezone('UTC', to_timestamp(cast({{ seconds }} as double))) end
{%- endmacro %}

{% macro aicost_litellm_time(column, kind) -%}
    {#- A LiteLLM time: epoch seconds (a number, or text holding one: payloads) or a timestamp
        (ISO 8601 text, psql's `2026-01-10 12:00:00.123`, or a timestamp column: spend logs). Text
        must start with a date: the engines' casts also read words (`infinity`, `epoch`) as times. -#}
    {%- if kind in ['integer', 'number'] -%}
        {{ aicost_epoch_seconds_to_utc_timestamp(aicost_number_from(column, kind)) }}
    {%- elif kind in ['timestamp', 'timestamp_tz'] -%}
        {{ aicost_utc_timestamp_from(column, kind) }}
    {%- else -%}
        coalesce(
            {{ aicost_epoch_seconds_to_utc_timestamp(aicost_number_from(column, kind)) }},
            case when {{ aicost_regex_matches(aicost_text(column), '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') }}
                then {{ aicost_utc_timestamp_from(column, kind) }} end
        )
    {%- endif -%}
{%- endmacro %}

{% macro aicost_litellm_record_columns(relation, format) -%}
    {#- Field -> the SQL reading that column of `relation` (quoted: LiteLLM's camelCase and `user`),
        for the fields, objects and request_tags of the format. -#}
    {%- set spec = aicost_litellm_formats()[format] -%}
    {%- set columns = {} -%}
    {%- for field in spec.fields + spec.objects + ['request_tags'] -%}
        {%- do columns.update({field: adapter.quote(field)}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro aicost_litellm_record_position(kinds, relation, order_by) -%}
    {#- source_file, line_number, record_index and the landing's reject of a record: as landed
        (DuckDB), or, on a table loaded by other means (LiteLLM's own PostgreSQL table), the
        table's name, the row's rank by `order_by` and no reject. -#}
    {%- if 'source_file' in kinds -%}
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(record_index as {{ dbt.type_bigint() }}) as record_index,
        {{ aicost_text('parse_error') }} as parse_error,
        {{ aicost_text('parse_detail') }} as parse_detail
    {%- else -%}
        cast('{{ relation.identifier }}' as {{ dbt.type_string() }}) as source_file,
        cast(row_number() over (order by {{ order_by | join(', ') }}) as {{ dbt.type_bigint() }}) as line_number,
        cast(0 as {{ dbt.type_bigint() }}) as record_index,
        cast(null as {{ dbt.type_string() }}) as parse_error,
        cast(null as {{ dbt.type_string() }}) as parse_detail
    {%- endif -%}
{%- endmacro %}

{% macro aicost_litellm_sent_flag(kinds, object, column) -%}
    {#- Whether the object was sent: the landing's flag, else (a warehouse table) not NULL. -#}
    {%- if (object ~ '_is_sent') in kinds -%}
        {{ aicost_boolean_from(object ~ '_is_sent', kinds[object ~ '_is_sent']) }}
    {%- else -%}
        ({{ column }} is not null)
    {%- endif -%}
{%- endmacro %}

{% macro aicost_litellm_malformed_value_warnings(names) -%}
    {#- One field_warnings check per located value (`located_<name>`): an object or array where
        text belongs is `<name>:not_text`. -#}
    {%- set checks = [] -%}
    {%- for name in names -%}
        {%- do checks.append((aicost_tag_is_malformed('located_' ~ name), name ~ ':not_text')) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}
