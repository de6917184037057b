{#- Month x environment x usage_type x team x feature: where ALL the AI cost goes, product or
    not. Dev, staging and internal usage never enter a customer's or a feature's unit economics;
    here they have their own rows, so R&D and internal tools are visible. Amounts the ledger
    could not allocate are the `unallocated` rows. Sums to the whole ledger. -#}

with

costs as (

    select * from {{ ref('mart_cost_ledger_pivoted') }}

),

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

costs_by_group as (

    select
        ledger_month as month,
        environment,
        usage_type,
        team,
        feature,
        sum(ai_cost_usd) as ai_cost_usd,
        sum(usage_cost_usd) as usage_cost_usd,
        sum(shared_cost_usd) as shared_cost_usd,
        sum(invoice_adjustment_usd) as invoice_adjustment_usd,
        sum(calls) as calls

    from costs
    group by ledger_month, environment, usage_type, team, feature

),

interactions_by_group as (

    select
        cast(usage_month as date) as month,
        environment,
        usage_type,
        team,
        feature,
        count(distinct trace_id) as interactions

    from calls
    group by cast(usage_month as date), environment, usage_type, team, feature

),

final as (

    select
        costs_by_group.month,
        costs_by_group.environment,
        costs_by_group.usage_type,
        costs_by_group.team,
        costs_by_group.feature,
        {{ aicost_is_product_usage('costs_by_group.') }} as is_product_usage,
        {{ aicost_to_money('costs_by_group.ai_cost_usd') }} as ai_cost_usd,
        {{ aicost_to_money('costs_by_group.usage_cost_usd') }} as usage_cost_usd,
        {{ aicost_to_money('costs_by_group.shared_cost_usd') }} as shared_cost_usd,
        {{ aicost_to_money('costs_by_group.invoice_adjustment_usd') }} as invoice_adjustment_usd,
        cast(costs_by_group.calls as {{ dbt.type_bigint() }}) as calls,
        cast(coalesce(interactions_by_group.interactions, 0) as {{ dbt.type_bigint() }}) as interactions

    from costs_by_group
    left join interactions_by_group
        on costs_by_group.month = interactions_by_group.month
        and costs_by_group.environment = interactions_by_group.environment
        and costs_by_group.usage_type = interactions_by_group.usage_type
        and costs_by_group.team = interactions_by_group.team
        and costs_by_group.feature = interactions_by_group.feature

)

select * from final
