{#- A JSON object of text columns, built with portable string functions (keys are literals,
    values are escaped for backslash and double quote). -#}
{% macro aicost_json_object(columns) -%}
    {%- set parts = ["'{'"] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ ('' if loop.first else ',') ~ '"' ~ column ~ '":"' ~ "'") -%}
        {%- do parts.append("replace(replace(coalesce(" ~ column ~ ", ''), " ~ aicost_string_literal('\\') ~ ", "
                            ~ aicost_string_literal('\\\\') ~ "), '\"', " ~ aicost_string_literal('\\"') ~ ")") -%}
        {%- do parts.append("'\"'") -%}
    {%- endfor -%}
    {%- do parts.append("'}'") -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{% macro aicost_string_literal(text) -%}
    {#- `text` as a SQL string literal (a backslash in it is a backslash). -#}
    {{ return(adapter.dispatch('aicost_string_literal', 'ai_cost_attribution')(text)) }}
{%- endmacro %}

{% macro default__aicost_string_literal(text) -%}
    {{ return("'" ~ text.replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__aicost_string_literal(text) -%}
    {#- Spark reads a backslash in a literal as an escape (one backslash is spelt with two). -#}
    {{ return("'" ~ text.replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{%- endmacro %}
