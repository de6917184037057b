{#- Spellings every usage source normalises the same way, so a call priced from a LiteLLM log and
    one from an OpenTelemetry span land on the same provider, model and environment. The maps are
    vars (dbt_project.yml): environment_aliases, provider_aliases, model_provider_patterns. -#}

{% macro aicost_normalised_environment(expression) -%}
    {#- prod / staging / dev from the spellings sources use (production, development…), lower-cased;
        a value not in var('environment_aliases') is kept, lower-cased. -#}
    {%- set value = 'lower(' ~ aicost_text(expression) ~ ')' -%}
    case {{ value }}
        {%- for alias, environment in var('environment_aliases').items() %}
        when '{{ alias | lower }}' then '{{ environment }}'
        {%- endfor %}
        else {{ value }}
    end
{%- endmacro %}

{% macro aicost_normalised_provider(expression) -%}
    {#- A provider name as the rate card spells it (var('provider_aliases')), lower-cased. -#}
    {%- set value = 'lower(' ~ aicost_text(expression) ~ ')' -%}
    case {{ value }}
        {%- for alias, provider in var('provider_aliases').items() %}
        when '{{ alias | lower }}' then '{{ provider }}'
        {%- endfor %}
        else {{ value }}
    end
{%- endmacro %}

{% macro aicost_model_route(model_expression) -%}
    {#- The provider named by the route in front of a model (`openai/gpt-4o` -> openai; a Bedrock
        ARN -> bedrock), NULL when the model carries none. -#}
    {%- set model = aicost_text(model_expression) -%}
    case
        when {{ model }} like 'arn:aws:bedrock:%' then 'bedrock'
        when {{ model }} like '%/%' then
            case lower({{ dbt.split_part(model, "'/'", 1) }})
                {%- for alias, provider in var('provider_aliases').items() %}
                when '{{ alias | lower }}' then '{{ provider }}'
                {%- endfor %}
            end
    end
{%- endmacro %}

{% macro aicost_normalised_model(model_expression) -%}
    {#- The model without its route: the last path segment when the first one is a provider route
        or the name is a Bedrock ARN (`bedrock/converse/us.anthropic.claude…` ->
        `us.anthropic.claude…`); otherwise the name as sent. Dated versions and deployments are
        resolved by the rate card join (model family, seeds/model_aliases.csv). -#}
    {%- set model = aicost_text(model_expression) -%}
    case
        when {{ aicost_model_route(model_expression) }} is not null
            then regexp_replace({{ model }}, '^.*/', '')
        else {{ model }}
    end
{%- endmacro %}

{% macro aicost_provider_from_model(model_expression) -%}
    {#- The provider a bare model name belongs to (var('model_provider_patterns'), first match). -#}
    {%- set model = 'lower(' ~ aicost_text(model_expression) ~ ')' -%}
    case
        {%- for pattern, provider in var('model_provider_patterns') %}
        when {{ aicost_regex_matches(model, pattern) }} then '{{ provider }}'
        {%- endfor %}
    end
{%- endmacro %}

{% macro aicost_resolved_provider(provider_expression, model_expression, infer_from_model=false) -%}
    {#- The call's provider: the route written in front of the model (the deployment a gateway
        actually called), else the provider as sent, else, for formats that carry no provider
        (infer_from_model), the provider the model name belongs to. -#}
    coalesce(
        {{ aicost_model_route(model_expression) }},
        {{ aicost_normalised_provider(provider_expression) }}
        {%- if infer_from_model %},
        {{ aicost_provider_from_model(model_expression) }}
        {%- endif %}
    )
{%- endmacro %}

{% macro aicost_regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('aicost_regex_matches', 'ai_cost_attribution')(expression, pattern)) }}
{%- endmacro %}

{% macro default__aicost_regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__aicost_regex_matches(expression, pattern) -%}
    ({{ expression }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__aicost_regex_matches(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}
