{#- Feature x month unit economics on product usage (prod, external): fully loaded AI cost and
    the usage-only cost, its share of the month's product AI spend, interactions (traces), cost
    per interaction, outcomes and cost per outcome. Cost per outcome divides ALL the feature's AI
    cost by the outcomes it produced, so the work that produced no outcome (an unresolved ticket)
    is carried by the outcomes that did: for the support feature it is the cost per resolved
    ticket. Outcomes by type: mart_feature_outcome_economics.
    What the feature earns: the value of its outcomes (fct_outcomes.value_usd, from
    outcome_values.csv) plus the revenue a user maps to it (feature_revenue.csv); net value =
    that - the fully loaded AI cost; ROI = net value / AI cost. A feature is profitable in a
    month when what it earns exceeds its AI cost; one whose outcomes carry no value (and with no
    revenue) earns nothing known, so it is not. -#}

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

feature_revenue as (

    select * from {{ ref('stg_raw__feature_revenue') }}
    where revenue_month is not null

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
        count(distinct outcome_type) as outcome_types,
        sum(case when is_valued then 1 else 0 end) as valued_outcomes,
        sum(value_usd) as outcome_value_usd

    from outcomes
    group by outcome_month, feature

),

revenue_by_feature_month as (

    select
        revenue_month as month,
        feature,
        sum(revenue_usd) as revenue_usd

    from feature_revenue
    group by revenue_month, feature

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
        coalesce(outcomes.outcome_types, 0) as outcome_types,
        coalesce(outcomes.valued_outcomes, 0) as valued_outcomes,
        outcomes.outcome_value_usd,
        revenue.revenue_usd,
        {#- NULL when nothing the feature earns is known: no valued outcome, no revenue row -#}
        case when outcomes.outcome_value_usd is not null or revenue.revenue_usd is not null
            then coalesce(outcomes.outcome_value_usd, 0) + coalesce(revenue.revenue_usd, 0) end as value_usd

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
    left join revenue_by_feature_month as revenue
        on costs.month = revenue.month
        and costs.feature = revenue.feature

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
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'outcomes')) }} as cost_per_outcome,
        cast(valued_outcomes as {{ dbt.type_bigint() }}) as valued_outcomes,
        cast(outcomes - valued_outcomes as {{ dbt.type_bigint() }}) as unvalued_outcomes,
        {{ aicost_to_money('outcome_value_usd') }} as outcome_value_usd,
        {{ aicost_to_money('revenue_usd') }} as revenue_usd,
        {{ aicost_to_money('value_usd') }} as value_usd,
        {{ aicost_to_money('value_usd - ai_cost_usd') }} as net_value_usd,
        cast({{ safe_divide('(value_usd - ai_cost_usd)', 'ai_cost_usd') }} as {{ aicost_type_ratio() }}) as roi,
        coalesce(value_usd, 0) > ai_cost_usd as is_profitable

    from joined

)

select * from final
