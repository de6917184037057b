{% macro required_fields_list_sql(fields) -%}
    {#- For a reject detail: one SQL expression per field, ' <field>' when it is NULL, else ''. -#}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("case when " ~ field ~ " is null then ' " ~ field.replace('_text', '') ~ "' else '' end") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
