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

{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {#- dbt's listagg on Spark, in order: dbt-spark's own ignores `order by` (collect_list keeps no
        order), so a list would differ from the other engines' and between runs. The values are
        collected with their sort key, sorted, then joined. One ascending sort expression. -#}
    {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause.strip() -%}
        {%- set sort_key = clause[9:] if clause.lower().startswith('order by ') else none -%}
        {%- if sort_key is none or sort_key.strip().lower().endswith((' desc', ' asc', ' nulls first', ' nulls last')) -%}
            {%- do exceptions.raise_compiler_error('listagg on Spark takes one ascending sort expression, not: ' ~ order_by_clause) -%}
        {%- endif -%}
        {%- set collected = "transform(array_sort(collect_list(named_struct('sort_key', " ~ sort_key
                            ~ ", 'value', " ~ measure ~ "))), entry -> entry.value)" -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    {{ return('array_join(' ~ collected ~ ', ' ~ delimiter_text ~ ')') }}
{%- endmacro %}
