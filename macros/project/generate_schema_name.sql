{#- Folder schemas are used as they are (`staging`, `intermediate`, `marts`), so the app and
    analysts read `marts.fct_llm_calls` whatever the target's default schema is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
