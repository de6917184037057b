{#- Staging reads a raw column by the type it arrives in: a Parquet file or a warehouse table hands
    over integers, booleans and timestamps that need no text round trip, JSON Lines hands over
    text. These macros pick the cast from the column's type, found when the model compiles. -#}

{% macro aicost_column_kinds(relation) -%}
    {#- Column name (lower case) -> kind: integer, number, boolean, timestamp, timestamp_tz or text.
        Empty while dbt parses (nothing is introspected before execution). -#}
    {%- set kinds = {} -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do kinds.update({column.name | lower: aicost_type_kind(column.dtype)}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(kinds) }}
{%- endmacro %}

{% macro aicost_type_kind(data_type) -%}
    {%- set name = (data_type | string | lower).strip() -%}
    {%- if name in ['tinyint', 'smallint', 'integer', 'int', 'bigint', 'hugeint', 'utinyint', 'usmallint',
                    'uinteger', 'ubigint', 'int2', 'int4', 'int8', 'int64'] -%}
        {{ return('integer') }}
    {%- elif name.startswith('decimal') or name.startswith('numeric') or name in ['double', 'float', 'real',
                                                                             'float4', 'float8', 'float64',
                                                                             'double precision'] -%}
        {{ return('number') }}
    {%- elif name in ['boolean', 'bool'] -%}
        {{ return('boolean') }}
    {%- elif name in ['timestamp with time zone', 'timestamptz', 'timestamp_tz'] -%}
        {{ return('timestamp_tz') }}
    {%- elif name.startswith('timestamp') or name in ['date', 'datetime'] -%}
        {{ return('timestamp') }}
    {%- else -%}
        {{ return('text') }}
    {%- endif -%}
{%- endmacro %}

{% macro aicost_is_sent(column, kind) -%}
    {#- The field was present (a text field: present and not blank). -#}
    {%- if kind == 'text' -%}
        {{ aicost_text(column) }} is not null
    {%- else -%}
        {{ column }} is not null
    {%- endif -%}
{%- endmacro %}

{% macro aicost_number_from(column, kind) -%}
    {#- A count as an exact number (aicost_type_count_value), NULL when absent or unreadable
        (validation tells the two apart): a NaN, an infinity, an integer past 32 digits, or a value
        finer than the type's millionth (5e-324 would round to a whole 0) is unreadable, never an
        error and never silently rounded. -#}
    {%- set text = column if kind in ['integer', 'number'] else aicost_text(column) -%}
    {%- if kind == 'integer' -%}
        {{ dbt.safe_cast(text, aicost_type_count_value()) }}
    {%- else -%}
    case
        when {{ dbt.safe_cast(text, aicost_type_double()) }}
            <> {{ dbt.safe_cast(dbt.safe_cast(text, aicost_type_count_value()), aicost_type_double()) }}
            then null
        else {{ dbt.safe_cast(text, aicost_type_count_value()) }}
    end
    {%- endif -%}
{%- endmacro %}

{% macro aicost_boolean_from(column, kind) -%}
    {%- if kind == 'boolean' -%}
        {{ column }}
    {%- else -%}
        {{ aicost_parse_boolean(aicost_text(column)) }}
    {%- endif -%}
{%- endmacro %}

{% macro aicost_utc_timestamp_from(column, kind) -%}
    {#- A timestamp in UTC: text goes through aicost_to_utc_timestamp (offsets applied); a
        timestamp with a time zone is converted; a naive timestamp is taken as UTC. -#}
    {%- if kind == 'timestamp_tz' -%}
        {{ aicost_timestamp_tz_to_utc(column) }}
    {%- elif kind == 'timestamp' -%}
        cast({{ column }} as {{ api.Column.translate_type('timestamp') }})
    {%- else -%}
        {{ aicost_to_utc_timestamp(aicost_text(column)) }}
    {%- endif -%}
{%- endmacro %}

{% macro aicost_timestamp_tz_to_utc(expression) -%}
    {{ return(adapter.dispatch('aicost_timestamp_tz_to_utc', 'ai_cost_attribution')(expression)) }}
{%- endmacro %}

{% macro default__aicost_timestamp_tz_to_utc(expression) -%}
    cast({{ expression }} as {{ api.Column.translate_type('timestamp') }})
{%- endmacro %}

{% macro duckdb__aicost_timestamp_tz_to_utc(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}
