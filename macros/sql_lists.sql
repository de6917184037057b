{% macro required_fields_list_sql(fields, sent_conditions) -%}
    {#- For a reject detail: one SQL expression per field, ' <field>' when it was not sent, else ''.
        `sent_conditions` maps each field to the SQL condition that it was sent. -#}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append("case when " ~ sent_conditions[field] ~ " then '' else ' " ~ field ~ "' end") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
