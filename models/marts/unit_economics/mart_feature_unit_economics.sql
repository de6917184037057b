{#- Feature x month unit economics on product usage (prod, external): fully loaded AI cost and
    the usage-only cost, its share of the month's product AI spend, interactions (traces), cost
    per interaction, outcomes and cost per outcome. Cost per outcome divides ALL the feature's AI
    cost by the outcomes it produced, so the work that produced no outcome (an unresolved ticket)
    is carried by the outcomes that did: for the support feature it is the cost per resolved
    ticket. Outcomes by type: mart_feature_outcome_economics. -#}

with

product_costs as (

    select * from {{ ref('mart_cost_ledger_pivoted') }}
    where is_product_usage

),

product_calls as (

    select * from {{ ref('fct_llm_calls') }}
    where {{ aicost_is_product_usage() }}

),

outcomes as (

    select * from {{ ref('fct_outcomes') }}
    where is_product_outcome

),

feature_owners as (

    select * from {{ ref('stg_raw__feature_owners') }}

),

costs_by_feature_month as (

    select
        ledger_month as month,
        feature,
        sum(ai_cost_usd) as ai_cost_usd,
        sum(usage_cost_usd) as usage_cost_usd,
        sum(shared_cost_usd) as shared_cost_usd,
        sum(invoice_adjustment_usd) as invoice_adjustment_usd,
        sum(calls) as calls

    from product_costs
    group by ledger_month, feature

),

month_totals as (

    select
        ledger_month as month,
        sum(ai_cost_usd) as month_ai_cost_usd

    from product_costs
    group by ledger_month

),

costliest_team_by_feature_month as (

    {#- A feature without an owner row takes the team that carries most of its cost. -#}
    select
        month,
        feature,
        team,
        product,
        row_number() over (partition by month, feature order by ai_cost_usd desc, team, product) as team_rank

    from (
        select ledger_month as month, feature, team, product, sum(ai_cost_usd) as ai_cost_usd
        from product_costs
        group by ledger_month, feature, team, product
    ) as team_costs

),

interactions_by_feature_month as (

    select
        cast(usage_month as date) as month,
        feature,
        count(distinct trace_id) as interactions

    from product_calls
    group by cast(usage_month as date), feature

),

outcomes_by_feature_month as (

    select
        outcome_month as month,
        feature,
        count(*) as outcomes,
        count(distinct outcome_type) as outcome_types

    from outcomes
    group by outcome_month, feature

),

joined as (

    select
        costs.month,
        costs.feature,
        coalesce(feature_owners.team, costliest.team) as team,
        coalesce(feature_owners.product, costliest.product) as product,
        costs.ai_cost_usd,
        costs.usage_cost_usd,
        costs.shared_cost_usd,
        costs.invoice_adjustment_usd,
        month_totals.month_ai_cost_usd,
        costs.calls,
        coalesce(interactions.interactions, 0) as interactions,
        coalesce(outcomes.outcomes, 0) as outcomes,
        coalesce(outcomes.outcome_types, 0) as outcome_types

    from costs_by_feature_month as costs
    inner join month_totals
        on costs.month = month_totals.month
    left join feature_owners
        on costs.feature = feature_owners.feature
    left join costliest_team_by_feature_month as costliest
        on costs.month = costliest.month
        and costs.feature = costliest.feature
        and costliest.team_rank = 1
    left join interactions_by_feature_month as interactions
        on costs.month = interactions.month
        and costs.feature = interactions.feature
    left join outcomes_by_feature_month as outcomes
        on costs.month = outcomes.month
        and costs.feature = outcomes.feature

),

final as (

    select
        feature,
        month,
        team,
        product,
        {{ aicost_to_money('ai_cost_usd') }} as ai_cost_usd,
        {{ aicost_to_money('usage_cost_usd') }} as usage_cost_usd,
        {{ aicost_to_money('shared_cost_usd') }} as shared_cost_usd,
        {{ aicost_to_money('invoice_adjustment_usd') }} as invoice_adjustment_usd,
        cast({{ safe_divide('ai_cost_usd', 'month_ai_cost_usd') }} as {{ aicost_type_ratio() }}) as share_of_spend,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(interactions as {{ dbt.type_bigint() }}) as interactions,
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'interactions')) }} as cost_per_interaction,
        cast(outcomes as {{ dbt.type_bigint() }}) as outcomes,
        cast(outcome_types as {{ dbt.type_bigint() }}) as outcome_types,
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'outcomes')) }} as cost_per_outcome

    from joined

)

select * from final
