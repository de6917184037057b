{#- One row per column the app breaks cost down by: the attribution dimensions of
    var('attribution_dimensions') in their order, then the ledger's provider and model. Says which
    budget scope type each is measured by (var('budget_scopes')), whether daily anomalies are
    scored on it (var('anomaly_dimensions')) and which lookups can supply it, so the app lists
    what the build used instead of a copy of the vars. -#}
{%- set attribution = var('attribution_dimensions') -%}
{%- set columns = attribution + ['provider', 'model'] -%}
{%- set budget_scope_of = {} -%}
{%- for scope_type, column in var('budget_scopes').items() -%}
    {%- do budget_scope_of.update({column: scope_type}) -%}
{%- endfor -%}

with

dimensions as (

    {%- for column in columns %}
    select
        cast('{{ column }}' as {{ dbt.type_string() }}) as dimension,
        {{ loop.index }} as dimension_order,
        {{ 'true' if column in attribution else 'false' }} as is_attribution_dimension,
        {%- if column in budget_scope_of %}
        cast('{{ budget_scope_of[column] }}' as {{ dbt.type_string() }}) as budget_scope_type,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as budget_scope_type,
        {%- endif %}
        {{ 'true' if column in var('anomaly_dimensions') else 'false' }} as is_anomaly_dimension,
        {{ 'true' if column in var('api_key_dimensions') else 'false' }} as is_from_api_keys,
        {{ 'true' if column in var('feature_owner_dimensions') else 'false' }} as is_from_feature_owners
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        dimension,
        cast(dimension_order as {{ dbt.type_int() }}) as dimension_order,
        is_attribution_dimension,
        budget_scope_type,
        is_anomaly_dimension,
        is_from_api_keys,
        is_from_feature_owners

    from dimensions

)

select * from final
