{#- OpenTelemetry spans: `otel_spans/*.jsonl`, `*.json` in OTLP JSON, one ExportTraceServiceRequest
    per line, as the OpenTelemetry Collector's file exporter writes them
    ({"resourceSpans":[{"resource":{"attributes":[…]},"scopeSpans":[{"scope":{…},"spans":[…]}]}]}),
    landed as raw.otel_spans: one row per span, `record_index` its 0-based position in its line
    across every resourceSpans and scopeSpans entry.

    Lines are read with aicost_read_json_documents (a `.json` file holding one pretty-printed
    request is one document). A line that is not a JSON object is a `malformed_json` row; an object
    holding no span is one `no_records` row; a span that is not an object is a `malformed_json` row
    at its position.

    Attributes are an allow-list: only the keys var('otel_span_attributes') and
    var('otel_dimensions') name, and those under var('otel_metadata_prefixes'), are read, so no
    prompt, completion, message, tool argument or event ever lands. Each is landed as text
    (aicost_otel_value_text): a stringValue, intValue, doubleValue or boolValue as written; an
    arrayValue, kvlistValue or bytesValue as a marker that holds none of its content, so it can be
    neither a token count nor a tag. -#}

{% macro aicost_land_otel(files) -%}
    {%- if not files -%}
        {{ return(aicost_land_otel_empty()) }}
    {%- endif -%}
    {%- set fields = aicost_otel_span_fields() -%}
    {%- set tags = usage_event_tag_fields() -%}
    {%- set span_keys = aicost_otel_span_keys() -%}
    {%- set resource_keys = aicost_otel_resource_keys() -%}
    {%- set prefixes = var('otel_metadata_prefixes') -%}
    with

    documents as (

        {{ aicost_read_json_documents(files, whole_file=true) }}

    ),

    requests as (

        select
            source_file,
            line_number,
            document_error,
            document,
            document_error is null and json_type(document) = 'OBJECT' as is_request,
            coalesce(try_cast(json_extract(document, '$.resourceSpans') as json[]), []) as resource_spans
        from documents

    ),

    resource_entries as (

        select
            source_file,
            line_number,
            unnest(resource_spans) as resource_span,
            generate_subscripts(resource_spans, 1) as resource_position
        from requests
        where is_request

    ),

    scope_entries as (

        select
            source_file,
            line_number,
            resource_position,
            json_extract(resource_span, '$.resource.attributes') as resource_attributes,
            unnest(scope_spans) as scope_span,
            generate_subscripts(scope_spans, 1) as scope_position
        from (
            select
                *,
                coalesce(try_cast(json_extract(resource_span, '$.scopeSpans') as json[]), []) as scope_spans
            from resource_entries
        ) as resources

    ),

    span_entries as (

        select
            source_file,
            line_number,
            resource_attributes,
            json_extract_string(scope_span, '$.scope.name') as scope_name,
            json_extract_string(scope_span, '$.scope.version') as scope_version,
            unnest(spans) as span,
            resource_position,
            scope_position,
            generate_subscripts(spans, 1) as span_position
        from (
            select
                *,
                coalesce(try_cast(json_extract(scope_span, '$.spans') as json[]), []) as spans
            from scope_entries
        ) as scopes

    ),

    positioned_spans as (

        select
            source_file,
            line_number,
            row_number() over (
                partition by source_file, line_number order by resource_position, scope_position, span_position
            ) - 1 as record_index,
            json_type(span) = 'OBJECT' as is_span_object,
            span,
            scope_name,
            scope_version,
            {{ aicost_otel_allowed_attributes("json_extract(span, '$.attributes')", span_keys, prefixes) }}
                as allowed_span_attributes,
            {{ aicost_otel_allowed_attributes('resource_attributes', resource_keys, []) }}
                as allowed_resource_attributes
        from span_entries

    ),

    attributed_spans as (

        select
            *,
            {{ aicost_otel_first_occurrences('allowed_span_attributes') }} as span_attributes,
            {{ aicost_otel_first_occurrences('allowed_resource_attributes') }} as resource_attributes
        from positioned_spans

    ),

    spans as (

        select
            source_file,
            line_number,
            record_index,
            case when not is_span_object then 'malformed_json' end as parse_error,
            case when not is_span_object then 'span is not a JSON object' end as parse_detail,
            {{ aicost_otel_hex_id("json_extract_string(span, '$.traceId')") }} as trace_id,
            {{ aicost_otel_hex_id("json_extract_string(span, '$.spanId')") }} as span_id,
            {{ aicost_otel_hex_id("json_extract_string(span, '$.parentSpanId')") }} as parent_span_id,
            json_extract_string(span, '$.startTimeUnixNano') as start_time_unix_nano,
            json_extract_string(span, '$.endTimeUnixNano') as end_time_unix_nano,
            json_extract_string(span, '$.status.code') as status_code,
            scope_name,
            scope_version,
            {%- for field, keys in fields.items() %}
            {%- if field in ['operation', 'span_kind'] %}
            {{ aicost_otel_identifier(aicost_otel_first_value('span_attributes', keys)) }} as {{ field }},
            {%- else %}
            {{ aicost_otel_first_value('span_attributes', keys) }} as {{ field }},
            {%- endif %}
            {%- endfor %}
            {%- for tag in tags %}
            {{ aicost_otel_dimension_value(tag) }} as {{ tag }},
            {%- endfor %}
            {{ aicost_otel_metadata('span_attributes', prefixes) }} as metadata
        from attributed_spans

    ),

    requests_without_spans as (

        {#- a line that is not an export request, or holds no span: one row, so it still lands -#}
        select
            requests.source_file,
            requests.line_number,
            cast(0 as bigint) as record_index,
            case
                when requests.document_error is not null then requests.document_error
                when not requests.is_request then 'malformed_json'
                else 'no_records'
            end as parse_error,
            case
                when requests.document_error is null and not requests.is_request then 'not an OTLP export request object'
                when requests.document_error is null then 'export request holds no span'
            end as parse_detail
        from requests
        where not exists (
            select 1 from span_entries
            where span_entries.source_file = requests.source_file and span_entries.line_number = requests.line_number
        )

    )

    select * from spans

    union all

    select
        source_file,
        line_number,
        record_index,
        parse_error,
        parse_detail,
        {%- for column in aicost_otel_landing_columns()[5:] %}
        cast(null as varchar) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from requests_without_spans
{%- endmacro %}

{% macro aicost_land_otel_empty() -%}
    {#- No span files: an empty relation with the landing's columns. -#}
    select
        cast(null as varchar) as source_file,
        cast(null as bigint) as line_number,
        cast(null as bigint) as record_index,
        {%- for column in aicost_otel_landing_columns()[3:] %}
        cast(null as varchar) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
{%- endmacro %}

{% macro aicost_otel_landing_columns() -%}
    {#- The columns of raw.otel_spans, in order (a warehouse table of that name holds the same). -#}
    {%- set columns = ['source_file', 'line_number', 'record_index', 'parse_error', 'parse_detail',
                       'trace_id', 'span_id', 'parent_span_id', 'start_time_unix_nano', 'end_time_unix_nano',
                       'status_code', 'scope_name', 'scope_version'] -%}
    {%- do columns.extend(aicost_otel_span_fields().keys() | list) -%}
    {%- do columns.extend(usage_event_tag_fields()) -%}
    {%- do columns.append('metadata') -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro aicost_otel_span_fields() -%}
    {#- var('otel_span_attributes'): field -> the span attribute keys that may carry it, checked. -#}
    {%- set fields = var('otel_span_attributes') -%}
    {%- set expected = ['operation', 'span_kind', 'provider', 'response_model', 'request_model', 'response_id',
                        'input_tokens', 'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_write_tokens',
                        'reasoning_tokens', 'reported_cost_usd'] -%}
    {%- if fields is not mapping or (fields.keys() | list | sort) != (expected | sort) -%}
        {{ exceptions.raise_compiler_error(
            "var('otel_span_attributes') must map exactly these fields to lists of span attribute keys: "
            ~ expected | join(', ') ~ " (dbt_project.yml)") }}
    {%- endif -%}
    {%- set ordered = {} -%}
    {%- for field in expected -%}
        {%- set keys = fields[field] -%}
        {%- if keys is string or keys is not iterable or keys | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "var('otel_span_attributes'): " ~ field ~ " must be a non-empty list of attribute keys") }}
        {%- endif -%}
        {%- do ordered.update({field: keys | list}) -%}
    {%- endfor -%}
    {{ return(ordered) }}
{%- endmacro %}

{% macro aicost_otel_dimension_locations(tag) -%}
    {#- var('otel_dimensions')[tag] as [(scope, key)], scope `span` or `resource`; [] when unmapped. -#}
    {%- set dimensions = var('otel_dimensions') -%}
    {%- if dimensions is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var('otel_dimensions') must map dimensions to lists of 'span:<key>' or 'resource:<key>' (dbt_project.yml)") }}
    {%- endif -%}
    {%- set locations = [] -%}
    {%- for location in dimensions.get(tag) or [] -%}
        {%- set parts = (location | string).split(':', 1) -%}
        {%- if parts | length != 2 or parts[0] not in ['span', 'resource'] or not parts[1] -%}
            {{ exceptions.raise_compiler_error(
                "var('otel_dimensions'): " ~ tag ~ " location '" ~ location
                ~ "' must be 'span:<attribute key>' or 'resource:<attribute key>'") }}
        {%- endif -%}
        {%- do locations.append((parts[0], parts[1])) -%}
    {%- endfor -%}
    {{ return(locations) }}
{%- endmacro %}

{% macro aicost_otel_span_keys() -%}
    {#- Every span attribute key the landing reads (outside the metadata prefixes). -#}
    {%- set keys = [] -%}
    {%- for field_keys in aicost_otel_span_fields().values() -%}
        {%- for key in field_keys -%}{%- if key not in keys -%}{%- do keys.append(key) -%}{%- endif -%}{%- endfor -%}
    {%- endfor -%}
    {%- for tag in usage_event_tag_fields() -%}
        {%- for scope, key in aicost_otel_dimension_locations(tag) -%}
            {%- if scope == 'span' and key not in keys -%}{%- do keys.append(key) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{% macro aicost_otel_resource_keys() -%}
    {#- Every resource attribute key the landing reads. -#}
    {%- set keys = [] -%}
    {%- for tag in usage_event_tag_fields() -%}
        {%- for scope, key in aicost_otel_dimension_locations(tag) -%}
            {%- if scope == 'resource' and key not in keys -%}{%- do keys.append(key) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{% macro aicost_otel_allowed_attributes(key_values_json, keys, prefixes) -%}
    {#- An OTLP KeyValue list (JSON) as [{key, value JSON}], only the allowed keys and those under
        the prefixes; [] when it is not a list. -#}
    {%- set conditions = ['attribute.key in (' ~ ((aicost_sql_list(keys)[1:-1]) if keys else "''") ~ ')'] -%}
    {%- for prefix in prefixes -%}
        {%- do conditions.append('starts_with(attribute.key, ' ~ aicost_sql_string(prefix) ~ ')') -%}
    {%- endfor -%}
    list_filter(
        coalesce(json_transform({{ key_values_json }}, '[{"key": "VARCHAR", "value": "JSON"}]'), []),
        lambda attribute: {{ conditions | join(' or ') }}
    )
{%- endmacro %}

{% macro aicost_otel_first_occurrences(attribute_list) -%}
    {#- Keys are unique by the spec; when one repeats, its first occurrence is the value. -#}
    list_filter({{ attribute_list }}, lambda attribute, position:
        list_position(list_transform({{ attribute_list }}, lambda other: other.key), attribute.key) = position)
{%- endmacro %}

{% macro aicost_otel_value_text(value_json) -%}
    {#- An OTLP AnyValue as text: the scalar as written; a list, map or bytes as a marker holding
        none of its content (never a number, and read as "not text" where a tag belongs); a value
        that is not an AnyValue object as `{malformed}`; an empty AnyValue as NULL (no value). -#}
    case
        when {{ value_json }} is null or json_type({{ value_json }}) = 'NULL' then null
        when json_type({{ value_json }}) <> 'OBJECT' then '{malformed}'
        when json_exists({{ value_json }}, '$.stringValue') then json_extract_string({{ value_json }}, '$.stringValue')
        when json_exists({{ value_json }}, '$.intValue') then json_extract_string({{ value_json }}, '$.intValue')
        when json_exists({{ value_json }}, '$.doubleValue') then json_extract_string({{ value_json }}, '$.doubleValue')
        when json_exists({{ value_json }}, '$.boolValue') then json_extract_string({{ value_json }}, '$.boolValue')
        when json_exists({{ value_json }}, '$.arrayValue') then '[array]'
        when json_exists({{ value_json }}, '$.kvlistValue') then '{kvlist}'
        when json_exists({{ value_json }}, '$.bytesValue') then '{bytes}'
    end
{%- endmacro %}

{% macro aicost_otel_first_value(attribute_list, keys) -%}
    {#- The value (as text) of the first of `keys` present in the attribute list. -#}
    coalesce(
        {%- for key in keys %}
        {{ aicost_otel_value_text('list_filter(' ~ attribute_list ~ ', lambda attribute: attribute.key = '
                                  ~ aicost_sql_string(key) ~ ')[1].value') }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro aicost_otel_dimension_value(tag) -%}
    {#- A tag from its configured locations (var('otel_dimensions')), first present wins. -#}
    {%- set locations = aicost_otel_dimension_locations(tag) -%}
    {%- if not locations -%}
        cast(null as varchar)
    {%- else -%}
    coalesce(
        {%- for scope, key in locations %}
        {{ aicost_otel_first_value(scope ~ '_attributes', [key]) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- endif -%}
{%- endmacro %}

{% macro aicost_otel_metadata(attribute_list, prefixes) -%}
    {#- The attributes under the metadata prefixes (association properties) as a JSON object keyed
        by the rest of the key, free-text keys (aicost_text_keys_to_drop) removed; NULL when none. -#}
    {%- if not prefixes -%}
        cast(null as varchar)
    {%- else -%}
    {%- set pattern = '^(' ~ (prefixes | map('replace', '.', '\\.') | join('|')) ~ ')' -%}
    {%- set pairs = "list_transform(list_filter(" ~ attribute_list ~ ", lambda attribute: regexp_matches(attribute.key, '"
        ~ pattern ~ "') and lower(regexp_replace(attribute.key, '" ~ pattern ~ "', '')) not in ("
        ~ aicost_sql_list(aicost_text_keys_to_drop())[1:-1] ~ ")), lambda attribute: {'k': regexp_replace(attribute.key, '"
        ~ pattern ~ "', ''), 'v': " ~ aicost_otel_value_text('attribute.value') ~ "})" -%}
    case when len({{ pairs }}) > 0 then cast(to_json(map_from_entries(
        list_filter({{ pairs }}, lambda pair, position:
            list_position(list_transform({{ pairs }}, lambda other: other.k), pair.k) = position)
    )) as varchar) end
    {%- endif -%}
{%- endmacro %}

{% macro aicost_otel_identifier(expression) -%}
    {#- A value that names something (an operation, a span kind) is kept only when it looks like a
        name: anything else a broken exporter writes there lands as `{not_a_name}`, never as text. -#}
    case
        when regexp_full_match({{ expression }}, '[A-Za-z0-9_.-]{1,64}') then {{ expression }}
        when {{ expression }} is not null then '{not_a_name}'
    end
{%- endmacro %}

{% macro aicost_otel_hex_id(expression) -%}
    {#- A trace or span id: hex is case-insensitive (lower-cased); any other text is kept as sent;
        an empty id is no id. -#}
    case
        when regexp_full_match({{ expression }}, '[0-9A-Fa-f]+') then lower({{ expression }})
        else nullif({{ expression }}, '')
    end
{%- endmacro %}
