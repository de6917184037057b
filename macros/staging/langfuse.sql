{#- Langfuse configuration read once (dbt_project.yml: langfuse_dimensions, langfuse_usage_keys,
    langfuse_provider_locations): which fields the landing selects, and how staging resolves a
    location such as `trace.tags.customer` to a column. -#}

{% macro aicost_langfuse_fields(scope) -%}
    {#- The scalar fields landed for a scope (`observation` or `trace`): column -> its spellings,
        the public API's camelCase first, then the blob-storage export's snake_case. Nothing that
        holds text a person wrote to a model (input, output, statusMessage) is listed. -#}
    {%- if scope == 'observation' -%}
        {{ return({
            'id': ['id'], 'trace_id': ['traceId', 'trace_id'],
            'parent_observation_id': ['parentObservationId', 'parent_observation_id'],
            'type': ['type'], 'start_time': ['startTime', 'start_time'], 'end_time': ['endTime', 'end_time'],
            'latency': ['latency'], 'model': ['model', 'providedModelName', 'provided_model_name'],
            'level': ['level'], 'environment': ['environment'], 'user_id': ['userId', 'user_id'],
            'session_id': ['sessionId', 'session_id'], 'trace_name': ['traceName', 'trace_name'],
            'release': ['release'], 'prompt_tokens': ['promptTokens'], 'completion_tokens': ['completionTokens'],
            'cost_total': ['totalCost', 'total_cost'], 'calculated_total_cost': ['calculatedTotalCost'],
        }) }}
    {%- else -%}
        {{ return({
            'id': ['id'], 'timestamp': ['timestamp'], 'updated_at': ['updatedAt', 'updated_at'],
            'name': ['name'], 'user_id': ['userId', 'user_id'], 'session_id': ['sessionId', 'session_id'],
            'environment': ['environment'], 'release': ['release'],
        }) }}
    {%- endif -%}
{%- endmacro %}

{% macro aicost_langfuse_json_fields(scope) -%}
    {#- Fields holding JSON (an object or a list; a JSON-encoded string in CSV): column -> spellings. -#}
    {%- set fields = {'metadata': ['metadata'], 'tags': ['tags']} -%}
    {%- if scope == 'observation' -%}
        {%- do fields.update({'usage_details': ['usageDetails', 'usage_details'], 'usage': ['usage'],
                              'cost_details': ['costDetails', 'cost_details']}) -%}
    {%- endif -%}
    {{ return(fields) }}
{%- endmacro %}

{% macro aicost_langfuse_identifier(key) -%}
    {#- A JSON key as a column-name suffix: lower case, anything else than [a-z0-9_] as `_`. -#}
    {{ return(modules.re.sub('[^a-z0-9_]', '_', key | lower)) }}
{%- endmacro %}

{% macro aicost_langfuse_dimension_locations() -%}
    {#- Tag (attribution dimension, call identifier, api_key_alias) -> its ordered locations. -#}
    {%- set configured = var('langfuse_dimensions', {}) -%}
    {%- set locations = {} -%}
    {%- for tag in usage_event_tag_fields() -%}
        {%- do locations.update({tag: configured.get(tag, [
            'observation.metadata.' ~ tag, 'trace.metadata.' ~ tag, 'trace.tags.' ~ tag, 'observation.tags.' ~ tag])}) -%}
    {%- endfor -%}
    {{ return(locations) }}
{%- endmacro %}

{% macro aicost_langfuse_location(location) -%}
    {#- A location string -> {scope, column}; a location that names nothing is a configuration
        error naming it. -#}
    {%- set parts = (location | string).split('.', 2) -%}
    {%- set fields = {'observation': ['environment', 'user_id', 'session_id', 'trace_name', 'release'],
                      'trace': ['name', 'environment', 'user_id', 'session_id', 'release']} -%}
    {%- if parts | length >= 2 and parts[0] in fields -%}
        {%- if parts | length == 3 and parts[1] == 'metadata' and parts[2] -%}
            {{ return({'scope': parts[0], 'column': 'metadata__' ~ aicost_langfuse_identifier(parts[2]),
                       'kind': 'metadata', 'key': parts[2]}) }}
        {%- elif parts | length == 3 and parts[1] == 'tags' and parts[2] -%}
            {{ return({'scope': parts[0], 'column': 'tag__' ~ aicost_langfuse_identifier(parts[2]),
                       'kind': 'tags', 'key': parts[2]}) }}
        {%- elif parts | length == 2 and parts[1] in fields[parts[0]] -%}
            {{ return({'scope': parts[0], 'column': parts[1], 'kind': 'field', 'key': parts[1]}) }}
        {%- endif -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "Bad configuration in var langfuse_dimensions / langfuse_provider_locations: location '" ~ location
        ~ "' names nothing. Use observation.<field>, trace.<field>, <scope>.metadata.<key> or <scope>.tags.<key>;"
        ~ " observation fields: " ~ fields['observation'] | join(', ') ~ "; trace fields: " ~ fields['trace'] | join(', ') ~ ".") }}
{%- endmacro %}

{% macro aicost_langfuse_all_locations() -%}
    {#- Every configured location, parsed (dimensions first, then the provider's). -#}
    {%- set parsed = [] -%}
    {%- for tag, locations in aicost_langfuse_dimension_locations().items() -%}
        {%- for location in locations -%}{%- do parsed.append(aicost_langfuse_location(location)) -%}{%- endfor -%}
    {%- endfor -%}
    {%- for location in var('langfuse_provider_locations', []) -%}
        {%- do parsed.append(aicost_langfuse_location(location)) -%}
    {%- endfor -%}
    {{ return(parsed) }}
{%- endmacro %}

{% macro aicost_langfuse_keys(scope, kind) -%}
    {#- The metadata keys (kind `metadata`) or tag keys (`tags`) some location reads on `scope`:
        the only ones the landing selects. -#}
    {%- set keys = [] -%}
    {%- for location in aicost_langfuse_all_locations() -%}
        {%- if location.scope == scope and location.kind == kind and location.key not in keys -%}
            {%- do keys.append(location.key) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{% macro aicost_langfuse_trace_columns() -%}
    {#- The trace columns the configured locations read (stg_langfuse__traces' lookup columns). -#}
    {%- set columns = [] -%}
    {%- for location in aicost_langfuse_all_locations() -%}
        {%- if location.scope == 'trace' and location.column not in columns -%}
            {%- do columns.append(location.column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro aicost_langfuse_usage_keys() -%}
    {#- Every usageDetails key of var('langfuse_usage_keys'), once. -#}
    {%- set keys = [] -%}
    {%- for field, field_keys in var('langfuse_usage_keys').items() -%}
        {%- for key in field_keys -%}{%- if key not in keys -%}{%- do keys.append(key) -%}{%- endif -%}{%- endfor -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{% macro aicost_langfuse_count_sum(values) -%}
    {#- The sum of token counts (decimals, NULL when absent; 0 when none is). A negative count stays the lowest one and a count past 10^15 (beyond any real call) the
        highest, unsummed: validation then rejects the record as negative or out of range, and
        a sum of overflowing counters cannot overflow the type. -#}
    {%- set listed = values | join(', ') -%}
    {#- one value is its own least and greatest (Spark's least and greatest take two or more) -#}
    {%- set lowest = values[0] if values | length == 1 else 'least(' ~ listed ~ ')' -%}
    {%- set highest = values[0] if values | length == 1 else 'greatest(' ~ listed ~ ')' -%}
    case
        when {{ lowest }} < 0 then {{ lowest }}
        when {{ highest }} > 1e15 then {{ highest }}
        else {% for value in values %}coalesce({{ value }}, 0){{ ' + ' if not loop.last }}{% endfor %}
    end
{%- endmacro %}

{% macro aicost_langfuse_count_columns(fields) -%}
    {#- The usage count columns (`usage__<key>`) of the given fields of var('langfuse_usage_keys'). -#}
    {%- set columns = [] -%}
    {%- for field in fields -%}
        {%- for key in var('langfuse_usage_keys').get(field, []) -%}
            {%- do columns.append('usage__' ~ aicost_langfuse_identifier(key)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro aicost_langfuse_any_sent(fields) -%}
    {#- Some key of the fields was sent. -#}
    {%- set columns = aicost_langfuse_count_columns(fields) -%}
    ({% for column in columns %}{{ column }}_is_sent{{ ' or ' if not loop.last }}{% else %}false{% endfor %})
{%- endmacro %}

{% macro aicost_langfuse_any_unreadable(fields) -%}
    {#- Some key of the fields was sent but is not a number. -#}
    {%- set columns = aicost_langfuse_count_columns(fields) -%}
    ({% for column in columns %}({{ column }}_is_sent and {{ column }}_count is null){{ ' or ' if not loop.last }}{% else %}false{% endfor %})
{%- endmacro %}

{% macro aicost_langfuse_sum(fields) -%}
    {#- The fields' counts summed (aicost_langfuse_count_sum); 0 when none was sent. -#}
    {%- set columns = [] -%}
    {%- for column in aicost_langfuse_count_columns(fields) -%}{%- do columns.append(column ~ '_count') -%}{%- endfor -%}
    {%- if columns -%}{{ aicost_langfuse_count_sum(columns) }}{%- else -%}cast(0 as {{ aicost_type_count_value() }}){%- endif -%}
{%- endmacro %}

{% macro aicost_langfuse_location_columns() -%}
    {#- The distinct columns the configured locations read on a joined observation row (trace
        columns `trace__`-prefixed). -#}
    {%- set columns = [] -%}
    {%- for location in aicost_langfuse_all_locations() -%}
        {%- set column = ('trace__' if location.scope == 'trace' else '') ~ location.column -%}
        {%- if column not in columns -%}{%- do columns.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro aicost_langfuse_location_value(location, tag, suffix='') -%}
    {#- The tag a location holds on a joined observation row (`located__<column>`; with suffix
        `is_malformed`, whether an object or list was sent there); for the environment, Langfuse's
        own "no environment set" value is no value. -#}
    {%- set parsed = aicost_langfuse_location(location) -%}
    {%- set column = 'located__' ~ ('trace__' if parsed.scope == 'trace' else '') ~ parsed.column -%}
    {%- if suffix -%}
        {{ column }}_{{ suffix }}
    {%- elif tag == 'environment' -%}
        case when lower({{ column }}) = {{ aicost_sql_string(var('langfuse_unset_environment') | lower) }}
            then null else {{ column }} end
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

{% macro aicost_langfuse_observation_warnings(locations) -%}
    {#- field_warnings of a located observation row (stg_langfuse__observations): fields that do
        not change the cost and could not be read. -#}
    {%- set checks = [
        ('latency_value is null and (' ~ aicost_text('end_time') ~ ' is not null or '
         ~ aicost_text('latency') ~ ' is not null)', 'latency_ms:unreadable'),
        ('reported_cost_text is not null and ' ~ dbt.safe_cast('reported_cost_text', aicost_type_money()) ~ ' is null',
         'reported_cost_usd:unreadable'),
        ('flag__metadata_is_sent and not flag__metadata_is_object', 'metadata:not_an_object'),
        ('flag__tags_is_sent and not flag__tags_is_list', 'tags:not_a_list'),
        ('coalesce(has_usage_details and usage__total_count <> usage_key_sum, false)', 'usage_details:total_mismatch'),
    ] -%}
    {%- for tag in locations -%}
        {%- do checks.append(('resolved__' ~ tag ~ '_is_malformed', tag ~ ':not_text')) -%}
    {%- endfor -%}
    {{ aicost_field_warnings(checks) }}
{%- endmacro %}
