{#- Agent x month unit economics on product usage (prod, external): fully loaded AI cost and the
    usage-only cost, runs (traces the agent worked on), tasks (outcomes credited to the agent:
    completed tasks, resolved tickets), cost per task and calls per task. As for features, all
    the agent's cost is divided by the tasks it finished. Usage with no agent is the
    `unattributed` row. -#}

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

costs_by_agent_month as (

    select
        ledger_month as month,
        agent,
        sum(ai_cost_usd) as ai_cost_usd,
        sum(usage_cost_usd) as usage_cost_usd,
        sum(calls) as calls

    from product_costs
    group by ledger_month, agent

),

runs_by_agent_month as (

    select
        cast(usage_month as date) as month,
        agent,
        count(distinct trace_id) as runs

    from product_calls
    group by cast(usage_month as date), agent

),

tasks_by_agent_month as (

    select
        outcome_month as month,
        agent,
        count(*) as tasks

    from outcomes
    group by outcome_month, agent

),

joined as (

    select
        costs.month,
        costs.agent,
        costs.ai_cost_usd,
        costs.usage_cost_usd,
        costs.calls,
        coalesce(runs.runs, 0) as runs,
        coalesce(tasks.tasks, 0) as tasks

    from costs_by_agent_month as costs
    left join runs_by_agent_month as runs
        on costs.month = runs.month
        and costs.agent = runs.agent
    left join tasks_by_agent_month as tasks
        on costs.month = tasks.month
        and costs.agent = tasks.agent

),

final as (

    select
        agent,
        month,
        {{ aicost_to_money('ai_cost_usd') }} as ai_cost_usd,
        {{ aicost_to_money('usage_cost_usd') }} as usage_cost_usd,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(runs as {{ dbt.type_bigint() }}) as runs,
        cast(tasks as {{ dbt.type_bigint() }}) as tasks,
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'tasks')) }} as cost_per_task,
        {{ aicost_to_money(safe_divide('usage_cost_usd', 'tasks')) }} as usage_cost_per_task,
        cast({{ safe_divide('calls', 'tasks') }} as {{ aicost_type_ratio() }}) as calls_per_task,
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'runs')) }} as cost_per_run

    from joined

)

select * from final
