{#- A JSON object of text columns, built with portable string functions (keys are literals,
    values are escaped for backslash and double quote). -#}
{% macro aicost_json_object(columns) -%}
    {%- set parts = ["'{'"] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ ('' if loop.first else ',') ~ '"' ~ column ~ '":"' ~ "'") -%}
        {%- do parts.append("replace(replace(coalesce(" ~ column ~ ", ''), '\\', '\\\\'), '\"', '\\\"')") -%}
        {%- do parts.append("'\"'") -%}
    {%- endfor -%}
    {%- do parts.append("'}'") -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
