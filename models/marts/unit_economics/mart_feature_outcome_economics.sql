{#- Feature x month x outcome type: how many outcomes of each type a feature produced on product
    usage, and the cost per outcome of that type (all the feature's fully loaded AI cost that
    month / outcomes of the type). For support_assistant x ticket_resolved this is the cost per
    resolved ticket. Beside it, what an outcome of the type is worth (outcome_values.csv: the cost
    of a human-handled ticket…), the net value of the type's outcomes (their value - the
    feature's AI cost, the same cost cost_per_outcome divides) and the ROI. -#}

with

feature_months as (

    select * from {{ ref('mart_feature_unit_economics') }}

),

outcomes as (

    select * from {{ ref('fct_outcomes') }}
    where is_product_outcome

),

outcomes_by_type as (

    select
        outcome_month as month,
        feature,
        outcome_type,
        count(*) as outcomes,
        sum(case when is_valued then 1 else 0 end) as valued_outcomes,
        sum(value_usd) as outcome_value_usd

    from outcomes
    group by outcome_month, feature, outcome_type

),

final as (

    select
        outcomes_by_type.feature,
        outcomes_by_type.month,
        outcomes_by_type.outcome_type,
        feature_months.team,
        feature_months.product,
        cast(outcomes_by_type.outcomes as {{ dbt.type_bigint() }}) as outcomes,
        {{ aicost_to_money('coalesce(feature_months.ai_cost_usd, 0)') }} as ai_cost_usd,
        {{ aicost_to_money('coalesce(feature_months.usage_cost_usd, 0)') }} as usage_cost_usd,
        {{ aicost_to_money(safe_divide('coalesce(feature_months.ai_cost_usd, 0)', 'outcomes_by_type.outcomes')) }}
            as cost_per_outcome,
        {{ aicost_to_money(safe_divide('coalesce(feature_months.usage_cost_usd, 0)', 'outcomes_by_type.outcomes')) }}
            as usage_cost_per_outcome,
        cast(outcomes_by_type.valued_outcomes as {{ dbt.type_bigint() }}) as valued_outcomes,
        {{ aicost_to_money('outcomes_by_type.outcome_value_usd') }} as outcome_value_usd,
        {{ aicost_to_money(safe_divide('outcomes_by_type.outcome_value_usd', 'outcomes_by_type.valued_outcomes')) }}
            as value_per_outcome,
        {{ aicost_to_money('outcomes_by_type.outcome_value_usd - coalesce(feature_months.ai_cost_usd, 0)') }}
            as net_value_usd,
        cast({{ safe_divide('(outcomes_by_type.outcome_value_usd - coalesce(feature_months.ai_cost_usd, 0))',
                            'feature_months.ai_cost_usd') }} as {{ aicost_type_ratio() }}) as roi

    from outcomes_by_type
    left join feature_months
        on outcomes_by_type.month = feature_months.month
        and outcomes_by_type.feature = feature_months.feature

)

select * from final
