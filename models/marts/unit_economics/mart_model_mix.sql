{#- Model x month on product usage (prod, external): fully loaded AI cost (usage + shared pools
    scoped to the model, like a GPU cluster for a self-hosted model, + invoice differences), share
    of spend and of requests, average cost per call, and the routing opportunity: what the same
    tokens would have cost on the cheapest model of the same provider and operation in use that
    month, both at regular list prices. Shared pools not scoped to a model are the row with
    provider and model `shared`, so the shares sum to 1. -#}

with

product_costs as (

    select * from {{ ref('mart_cost_ledger_pivoted') }}
    where is_product_usage

),

product_calls as (

    select * from {{ ref('fct_llm_calls') }}
    where {{ aicost_is_product_usage() }}

),

routing_costs as (

    select * from {{ ref('int_model_routing_costs') }}

),

costs_by_model_month as (

    select
        ledger_month as month,
        provider,
        model,
        sum(ai_cost_usd) as ai_cost_usd,
        sum(usage_cost_usd) as usage_cost_usd,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens

    from product_costs
    group by ledger_month, provider, model

),

month_totals as (

    select
        month,
        sum(ai_cost_usd) as month_ai_cost_usd,
        sum(calls) as month_calls

    from costs_by_model_month
    group by month

),

call_facts_by_model_month as (

    select
        cast(usage_month as date) as month,
        provider,
        model,
        min(operation) as operation,
        min(priced_model) as priced_model,
        sum(list_cost_usd) as list_cost_usd

    from product_calls
    group by cast(usage_month as date), provider, model

),

ranked_candidates as (

    select
        routing_costs.*,
        row_number() over (
            partition by month, provider, operation, model
            order by repriced_cost_usd, candidate_model
        ) as cost_rank

    from routing_costs

),

routing_by_model_month as (

    select
        cheapest.month,
        cheapest.provider,
        cheapest.model,
        cheapest.candidate_model as cheapest_model,
        cheapest.repriced_cost_usd as cost_on_cheapest_model_usd,
        own.repriced_cost_usd as cost_at_list_usd

    from ranked_candidates as cheapest
    inner join call_facts_by_model_month as facts
        on cheapest.month = facts.month
        and cheapest.provider = facts.provider
        and cheapest.model = facts.model
        and cheapest.operation = facts.operation
    left join routing_costs as own
        on cheapest.month = own.month
        and cheapest.provider = own.provider
        and cheapest.operation = own.operation
        and cheapest.model = own.model
        and own.candidate_model = facts.priced_model
    where cheapest.cost_rank = 1

),

final as (

    select
        costs.provider,
        costs.model,
        costs.month,
        facts.operation,
        facts.priced_model,
        {{ aicost_to_money('costs.ai_cost_usd') }} as ai_cost_usd,
        {{ aicost_to_money('costs.usage_cost_usd') }} as usage_cost_usd,
        {{ aicost_to_money('facts.list_cost_usd') }} as list_cost_usd,
        cast(costs.calls as {{ dbt.type_bigint() }}) as calls,
        cast(costs.input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(costs.output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast({{ safe_divide('costs.ai_cost_usd', 'month_totals.month_ai_cost_usd') }} as {{ aicost_type_ratio() }})
            as share_of_spend,
        cast({{ safe_divide('costs.calls', 'month_totals.month_calls') }} as {{ aicost_type_ratio() }})
            as share_of_requests,
        {{ aicost_to_money(safe_divide('costs.ai_cost_usd', 'costs.calls')) }} as avg_cost_per_call,
        {{ aicost_to_money(safe_divide('costs.usage_cost_usd', 'costs.calls')) }} as avg_usage_cost_per_call,
        routing.cheapest_model,
        {{ aicost_to_money('routing.cost_at_list_usd') }} as cost_at_list_usd,
        {{ aicost_to_money('routing.cost_on_cheapest_model_usd') }} as cost_on_cheapest_model_usd,
        {{ aicost_to_money('routing.cost_at_list_usd - routing.cost_on_cheapest_model_usd') }}
            as routing_opportunity_usd,
        {#- a tie with the cheapest candidate is the cheapest too -#}
        coalesce(routing.cost_at_list_usd <= routing.cost_on_cheapest_model_usd, false) as is_cheapest_model

    from costs_by_model_month as costs
    inner join month_totals
        on costs.month = month_totals.month
    left join call_facts_by_model_month as facts
        on costs.month = facts.month
        and costs.provider = facts.provider
        and costs.model = facts.model
    left join routing_by_model_month as routing
        on costs.month = routing.month
        and costs.provider = routing.provider
        and costs.model = routing.model

)

select * from final
