{#- Month x attribution dimension: how much of the usage cost carries a real value of the
    dimension (not `unattributed`), against the thresholds the coverage tests apply, and the top
    untagged sources (api key alias / model) so someone knows what to tag or map in api_keys.csv.

    Each dimension is measured over scope `all` (every call) or `product` (prod, external calls:
    a dev call has no customer), with warn / error thresholds from var('unattributed_warn_pct') and
    var('unattributed_error_pct'), per-dimension exceptions in var('coverage_rules'). Usage cost
    is pooled_cost_usd of fct_llm_calls (the tags are on calls; shared pools follow them). -#}
{%- set rules = var('coverage_rules') or {} -%}
{%- set top_sources = 3 -%}

with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

{% for dimension in var('attribution_dimensions') %}
{%- set rule = rules.get(dimension) or {} -%}
{%- set scope = rule.get('scope', 'all') -%}
{%- set warn_pct = rule.get('warn_pct') if 'warn_pct' in rule else var('unattributed_warn_pct') -%}
{%- set error_pct = rule.get('error_pct') if 'error_pct' in rule else var('unattributed_error_pct') -%}
coverage_of_{{ dimension }} as (

    select
        cast(usage_month as date) as coverage_month,
        '{{ dimension }}' as dimension,
        '{{ scope }}' as scope,
        cast({{ 'null' if warn_pct is none else warn_pct }} as {{ aicost_type_ratio() }}) as warn_pct,
        cast({{ 'null' if error_pct is none else error_pct }} as {{ aicost_type_ratio() }}) as error_pct,
        sum(pooled_cost_usd) as cost_usd,
        sum(case when {{ dimension }} = 'unattributed' then pooled_cost_usd else 0 end) as unattributed_cost_usd,
        count(*) as calls,
        sum(case when {{ dimension }} = 'unattributed' then 1 else 0 end) as unattributed_calls

    from calls
    {%- if scope == 'product' %}
    where {{ aicost_is_product_usage() }}
    {%- endif %}
    group by cast(usage_month as date)

),

untagged_sources_of_{{ dimension }} as (

    select
        cast(usage_month as date) as coverage_month,
        '{{ dimension }}' as dimension,
        api_key_alias,
        model,
        sum(pooled_cost_usd) as cost_usd,
        count(*) as calls

    from calls
    where {{ dimension }} = 'unattributed'
    {%- if scope == 'product' %}
        and {{ aicost_is_product_usage() }}
    {%- endif %}
    group by cast(usage_month as date), api_key_alias, model

),

{% endfor %}
coverage as (

    {%- for dimension in var('attribution_dimensions') %}
    select * from coverage_of_{{ dimension }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

untagged_sources as (

    {%- for dimension in var('attribution_dimensions') %}
    select * from untagged_sources_of_{{ dimension }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

ranked_sources as (

    select
        untagged_sources.*,
        row_number() over (
            partition by coverage_month, dimension
            order by cost_usd desc, calls desc, api_key_alias, model
        ) as source_rank

    from untagged_sources

),

top_untagged_sources as (

    select
        coverage_month,
        dimension,
        {{ dbt.listagg(
            dbt.concat([
                'api_key_alias', "' / '", 'model', "' ($'",
                dbt.safe_cast('round(cost_usd, 2)', dbt.type_string()), "', '",
                dbt.safe_cast('calls', dbt.type_string()), "' calls)'"
            ]),
            "'; '",
            'order by source_rank'
        ) }} as top_untagged_sources

    from ranked_sources
    where source_rank <= {{ top_sources }}
    group by coverage_month, dimension

),

shares as (

    select
        coverage.*,
        coalesce({{ safe_divide('(100 * coverage.unattributed_cost_usd)', 'coverage.cost_usd') }}, 0) as unattributed_pct

    from coverage

),

final as (

    select
        shares.coverage_month,
        shares.dimension,
        shares.scope,
        {{ aicost_to_money('shares.cost_usd') }} as cost_usd,
        {{ aicost_to_money('shares.cost_usd - shares.unattributed_cost_usd') }} as attributed_cost_usd,
        {{ aicost_to_money('shares.unattributed_cost_usd') }} as unattributed_cost_usd,
        cast({{ safe_divide('(shares.cost_usd - shares.unattributed_cost_usd)', 'shares.cost_usd') }}
            as {{ aicost_type_ratio() }}) as coverage_share,
        cast(shares.unattributed_pct as {{ aicost_type_ratio() }}) as unattributed_pct,
        cast(shares.calls as {{ dbt.type_bigint() }}) as calls,
        cast(shares.unattributed_calls as {{ dbt.type_bigint() }}) as unattributed_calls,
        shares.warn_pct,
        shares.error_pct,
        shares.calls >= {{ var('coverage_min_calls') }} as is_judged,
        case
            when shares.calls < {{ var('coverage_min_calls') }} then 'too_few_calls'
            when shares.unattributed_pct > shares.error_pct then 'error'
            when shares.unattributed_pct > shares.warn_pct then 'warn'
            else 'ok'
        end as coverage_status,
        top_untagged_sources.top_untagged_sources

    from shares
    left join top_untagged_sources
        on shares.coverage_month = top_untagged_sources.coverage_month
        and shares.dimension = top_untagged_sources.dimension

)

select * from final
