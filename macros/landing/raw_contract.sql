{#- The raw input contract (docs/CONTRACT.md section 1), read from var('raw_contract') in
    dbt_project.yml: the one list the landing, the staging models, the configuration checks and the
    Python package share. -#}

{% macro usage_event_token_fields() -%}
    {#- Token counts of a usage event: each one changes what the call costs. -#}
    {{ return(var('raw_contract')['usage_event']['token_fields']) }}
{%- endmacro %}

{% macro usage_event_required_fields() -%}
    {{ return(var('raw_contract')['usage_event']['required']) }}
{%- endmacro %}

{% macro usage_event_text_fields() -%}
    {#- Scalar fields of a canonical usage event, read as text at the landing and cast in staging. -#}
    {%- set contract = var('raw_contract')['usage_event'] -%}
    {{ return(contract['ids'] + contract['call'] + contract['token_fields'] + contract['other']) }}
{%- endmacro %}

{% macro usage_event_tag_fields() -%}
    {#- Tags: the configured attribution dimensions and call identifiers, then the api key alias.
        A tag is read from the top level of the event, else from its `metadata` object. -#}
    {%- set tags = [] -%}
    {%- for name in var('attribution_dimensions') + var('call_identifiers') + ['api_key_alias'] -%}
        {%- if name not in tags -%}{%- do tags.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(tags) }}
{%- endmacro %}

{% macro raw_csv_inputs() -%}
    {#- Optional CSV inputs: file name -> {column: {type, required, values, min, max}}. -#}
    {{ return(var('raw_contract')['csv_inputs']) }}
{%- endmacro %}

{% macro raw_csv_sources() -%}
    {#- Optional CSV inputs: file name -> its columns, in contract order. -#}
    {%- set sources = {} -%}
    {%- for table_name, columns in raw_csv_inputs().items() -%}
        {%- do sources.update({table_name: columns.keys() | list}) -%}
    {%- endfor -%}
    {{ return(sources) }}
{%- endmacro %}
