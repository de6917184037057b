{#- What every usage staging model hands to validation: the canonical usage event, still
    undecided. Each source's staging model (stg_raw__usage_events, stg_litellm__spend_logs, …)
    selects exactly these columns, so int_usage_events_unioned can stack them and every rule
    downstream applies to every source.

    A field that changes what a call costs or which call it is (ids, time, provider, model,
    tokens) comes with what validation needs to tell "absent" from "unreadable": `<field>_is_sent`
    beside a value that is NULL when unreadable. A field that does not change the cost is read
    when it can be and otherwise left empty, with the problem named in `field_warnings`. -#}

{% macro aicost_usage_event_interface() -%}
    {#- Column -> type, in order. -#}
    {%- set text = dbt.type_string() -%}
    {%- set columns = [
        ('source_name', text), ('source_file', text), ('line_number', dbt.type_bigint()),
        ('record_index', dbt.type_bigint()), ('source_reject_reason', text), ('source_reject_detail', text),
        ('request_id', text), ('trace_id', text), ('parent_request_id', text),
        ('provider', text), ('model', text), ('call_role', text), ('operation', text), ('status', text),
    ] -%}
    {%- for tag in usage_event_tag_fields() -%}
        {%- do columns.append((tag, text)) -%}
    {%- endfor -%}
    {%- for field in usage_event_token_fields() -%}
        {%- do columns.append((field ~ '_is_sent', dbt.type_boolean())) -%}
        {%- do columns.append((field, aicost_type_count_value())) -%}
    {%- endfor -%}
    {%- do columns.extend([
        ('latency_ms', aicost_type_count_value()),
        ('is_batch_is_sent', dbt.type_boolean()), ('is_batch', dbt.type_boolean()),
        ('occurred_at_is_sent', dbt.type_boolean()), ('occurred_at_text', text),
        ('occurred_at', api.Column.translate_type('timestamp')),
        ('reported_cost_usd', aicost_type_money()),
        ('field_warnings', text),
        ('metadata', text),
    ]) -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro aicost_type_count_value() -%}
    {#- A count as read, before validation: exact, wide enough for any integer a log may hold, with
        room to see a fraction (12.5 tokens is a reject, not 12). -#}
    decimal(38, 6)
{%- endmacro %}

{% macro aicost_usage_interface_columns(relation_alias=none) -%}
    {#- The interface as a select list, each column cast to its type (so branches line up on every
        engine). -#}
    {%- for column, type in aicost_usage_event_interface() %}
        cast({{ (relation_alias ~ '.') if relation_alias else '' }}{{ column }} as {{ type }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro aicost_field_warnings(checks) -%}
    {#- `field_warnings` from a list of (condition SQL, 'field:problem'): the problems whose
        condition holds, comma-separated; NULL when none. -#}
    {%- if not checks -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
    nullif({{ dbt.concat(aicost_field_warning_parts(checks)) }}, '')
    {%- endif -%}
{%- endmacro %}

{% macro aicost_field_warning_parts(checks) -%}
    {%- set parts = [] -%}
    {%- for condition, warning in checks -%}
        {%- do parts.append("case when " ~ condition ~ " then '" ~ warning ~ ",' else '' end") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{% macro aicost_tag_value(expression) -%}
    {#- A tag as text; an object or array sent where a tag belongs is no tag (see
        aicost_tag_is_malformed). -#}
    case when {{ aicost_tag_is_malformed(expression) }} then null else {{ aicost_text(expression) }} end
{%- endmacro %}

{% macro aicost_tag_is_malformed(expression) -%}
    {#- An object or array serialised into a tag field (a client bug): left empty, and warned. -#}
    {#- the first character after leading spaces: aicost_text's trimming, spelled once -#}
    coalesce(left(ltrim(cast({{ expression }} as {{ dbt.type_string() }})), 1) in ('{', '['), false)
{%- endmacro %}

{% macro aicost_malformed_tag_warnings(tags) -%}
    {#- One field_warnings check per tag: an object or array where text belongs. -#}
    {%- set checks = [] -%}
    {%- for tag in tags -%}
        {%- do checks.append((aicost_tag_is_malformed(tag), tag ~ ':not_text')) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}

{% macro aicost_metadata_object(expression) -%}
    {#- Free-form metadata as JSON text when it is an object, else NULL (a list or a string
        where tags belong is dropped, and warned). -#}
    case when left(ltrim(cast({{ expression }} as {{ dbt.type_string() }})), 1) = '{'
        then cast({{ expression }} as {{ dbt.type_string() }}) end
{%- endmacro %}
