{#- One row per business outcome of outcomes.csv (a resolved ticket, a completed task) with the
    feature, agent, customer, team and product it counts for: its own fields, else those of the
    trace that produced it (fct_traces), else feature_owners for team and product, else
    `unattributed`. An outcome counts for product unit economics unless its trace ran outside
    prod, external. Its value is the outcome_values.csv row of its type (and feature, else of
    every feature) in force on its UTC day, dated like prices; NULL when no row is. -#}

with

outcomes as (

    select * from {{ ref('stg_raw__outcomes') }}

),

traces as (

    select * from {{ ref('fct_traces') }}

),

feature_owners as (

    select * from {{ ref('stg_raw__feature_owners') }}

),

outcome_values as (

    select * from {{ ref('stg_raw__outcome_values') }}

),

outcomes_with_trace as (

    select
        outcomes.outcome_id,
        outcomes.outcome_type,
        outcomes.occurred_at,
        outcomes.ticket_id,
        outcomes.trace_id,
        traces.trace_id is not null as has_trace,
        coalesce(outcomes.feature, traces.feature, 'unattributed') as feature,
        coalesce(outcomes.agent, traces.agent, 'unattributed') as agent,
        coalesce(outcomes.customer_id, traces.customer_id, 'unattributed') as customer_id,
        traces.team as trace_team,
        traces.product as trace_product,
        coalesce(traces.environment, 'prod') as environment,
        coalesce(traces.usage_type, 'external') as usage_type

    from outcomes
    left join traces
        on outcomes.trace_id = traces.trace_id

),

dated as (

    select
        outcomes_with_trace.*,
        cast({{ dbt.date_trunc('day', 'outcomes_with_trace.occurred_at') }} as date) as outcome_date

    from outcomes_with_trace

),

final as (

    select
        outcomes_with_trace.outcome_id,
        outcomes_with_trace.outcome_type,
        outcomes_with_trace.feature,
        outcomes_with_trace.agent,
        outcomes_with_trace.customer_id,
        coalesce(feature_owners.team, outcomes_with_trace.trace_team, 'unattributed') as team,
        coalesce(feature_owners.product, outcomes_with_trace.trace_product, 'unattributed') as product,
        outcomes_with_trace.ticket_id,
        outcomes_with_trace.trace_id,
        outcomes_with_trace.has_trace,
        {{ aicost_is_product_usage('outcomes_with_trace.') }} as is_product_outcome,
        outcomes_with_trace.occurred_at,
        outcomes_with_trace.outcome_date,
        cast({{ dbt.date_trunc('month', 'outcomes_with_trace.occurred_at') }} as date) as outcome_month,
        {#- a row for the outcome's own feature wins over the row for every feature -#}
        {{ aicost_to_money('coalesce(feature_values.value_usd, type_values.value_usd)') }} as value_usd,
        case when feature_values.value_usd is not null then feature_values.basis else type_values.basis end
            as value_basis,
        coalesce(feature_values.value_usd, type_values.value_usd) is not null as is_valued

    from dated as outcomes_with_trace
    left join feature_owners
        on outcomes_with_trace.feature = feature_owners.feature
    left join outcome_values as feature_values
        on outcomes_with_trace.outcome_type = feature_values.outcome_type
        and outcomes_with_trace.feature = feature_values.feature
        and {{ aicost_in_force('outcomes_with_trace.outcome_date', 'feature_values') }}
    left join outcome_values as type_values
        on outcomes_with_trace.outcome_type = type_values.outcome_type
        and type_values.feature is null
        and {{ aicost_in_force('outcomes_with_trace.outcome_date', 'type_values') }}

)

select * from final
