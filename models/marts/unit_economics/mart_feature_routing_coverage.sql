{#- Feature x month on product usage (prod, external): how much of the traffic a router chose the
    model for, and how much ran on the cheapest model of its provider.
    routing_coverage = interactions with a router call in the same trace / interactions (an
    interaction is a trace, counted as mart_feature_unit_economics counts it);
    cheapest_model_call_share = calls on a model that is the cheapest of its provider and
    operation that month for its tokens (mart_model_mix.is_cheapest_model, over the candidates of
    int_model_routing_costs) / calls. -#}

{%- set ratio = aicost_type_ratio() %}

with

product_calls as (

    select * from {{ ref('fct_llm_calls') }}
    where {{ aicost_is_product_usage() }}

),

traces as (

    select * from {{ ref('fct_traces') }}

),

model_mix as (

    select * from {{ ref('mart_model_mix') }}

),

calls_flagged as (

    select
        cast(product_calls.usage_month as date) as month,
        product_calls.feature,
        product_calls.trace_id,
        coalesce(traces.router_calls, 0) > 0 as trace_has_router,
        coalesce(model_mix.is_cheapest_model, false) as is_on_cheapest_model

    from product_calls
    left join traces
        on product_calls.trace_id = traces.trace_id
    left join model_mix
        on cast(product_calls.usage_month as date) = model_mix.month
        and product_calls.provider = model_mix.provider
        and product_calls.model = model_mix.model

),

by_feature_month as (

    select
        month,
        feature,
        count(distinct trace_id) as interactions,
        count(distinct case when trace_has_router then trace_id end) as routed_interactions,
        count(*) as calls,
        sum(case when is_on_cheapest_model then 1 else 0 end) as calls_on_cheapest_model

    from calls_flagged
    group by month, feature

),

final as (

    select
        feature,
        month,
        cast(interactions as {{ dbt.type_bigint() }}) as interactions,
        cast(routed_interactions as {{ dbt.type_bigint() }}) as routed_interactions,
        cast({{ safe_divide('cast(routed_interactions as ' ~ ratio ~ ')', 'interactions') }} as {{ ratio }}) as routing_coverage,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(calls_on_cheapest_model as {{ dbt.type_bigint() }}) as calls_on_cheapest_model,
        cast({{ safe_divide('cast(calls_on_cheapest_model as ' ~ ratio ~ ')', 'calls') }} as {{ ratio }})
            as cheapest_model_call_share

    from by_feature_month

)

select * from final
