{% macro required_fields_list_sql(fields, sent_conditions) -%}
    {#- For a reject detail: one SQL expression per field, ' <field>' when it was not sent, else ''.
        `sent_conditions` maps each field to the SQL condition that it was sent. -#}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("case when " ~ sent_conditions[field] ~ " then '' else ' " ~ field ~ "' end") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{% macro aicost_fields_where_sql(conditions) -%}
    {#- For a reject detail: one SQL expression per field, ' <field>' when its condition holds,
        else ''. `conditions` maps each field to a SQL condition. -#}
    {%- set parts = [] -%}
    {%- for field, condition in conditions.items() -%}
        {%- do parts.append("case when " ~ condition ~ " then ' " ~ field ~ "' else '' end") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{% macro aicost_unnest_list(expression, delimiter) -%}
    {#- One row per element of a delimited text list (in a select list). -#}
    {{ return(adapter.dispatch('aicost_unnest_list', 'ai_cost_attribution')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__aicost_unnest_list(expression, delimiter) -%}
    unnest(string_split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro postgres__aicost_unnest_list(expression, delimiter) -%}
    unnest(string_to_array({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__aicost_unnest_list(expression, delimiter) -%}
    explode(split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}
