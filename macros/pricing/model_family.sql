{#- The alias rule for model names: a dated version falls back to its family name.
    gpt-4o-2024-08-06 -> gpt-4o, claude-3-5-haiku-20241022 -> claude-3-5-haiku,
    claude-3-5-sonnet@20240620 -> claude-3-5-sonnet. -#}
{% macro model_family(model_expression) -%}
    {{ return(adapter.dispatch('model_family', 'ai_cost_attribution')(model_expression)) }}
{%- endmacro %}

{% macro default__model_family(model_expression) -%}
    regexp_replace({{ model_expression }}, '[-@]([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2})$', '')
{%- endmacro %}

{% macro bigquery__model_family(model_expression) -%}
    regexp_replace({{ model_expression }}, r'[-@]([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2})$', '')
{%- endmacro %}
