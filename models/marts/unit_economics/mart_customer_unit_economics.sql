{#- Customer x month unit economics on product usage (prod, external): fully loaded AI cost
    (usage + allocated shared pools + invoice differences) beside the usage-only cost, revenue,
    AI COGS / revenue and its band, active users, cost per active user, gross margin after AI
    cost, and a flag for customers whose AI cost exceeds their revenue.
    A customer appears in a month when it has product AI cost or a revenue row that month;
    untagged product usage is one `unattributed` customer so the mart sums to the product total. -#}

with

cogs_bands as (

    {#- the bands var('cogs_band_benchmark') names in seeds/unit_economics_benchmarks.csv -#}
    select * from {{ ref('int_benchmark_bands_bounded') }}
    where benchmark = '{{ var("cogs_band_benchmark") }}'

),

product_costs as (

    select * from {{ ref('mart_cost_ledger_pivoted') }}
    where is_product_usage

),

product_calls as (

    select * from {{ ref('fct_llm_calls') }}
    where {{ aicost_is_product_usage() }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

revenue as (

    select * from {{ ref('stg_raw__customer_revenue') }}
    where revenue_month is not null
        and customer_id is not null

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

costs_by_customer_month as (

    select
        ledger_month as month,
        customer_id,
        sum(ai_cost_usd) as ai_cost_usd,
        sum(usage_cost_usd) as usage_cost_usd,
        sum(shared_cost_usd) as shared_cost_usd,
        sum(invoice_adjustment_usd) as invoice_adjustment_usd,
        sum(calls) as calls

    from product_costs
    group by ledger_month, customer_id

),

activity_by_customer_month as (

    select
        cast(usage_month as date) as month,
        customer_id,
        count(distinct user_id) as active_users,
        count(distinct trace_id) as interactions

    from product_calls
    group by cast(usage_month as date), customer_id

),

revenue_by_customer_month as (

    select
        revenue_month as month,
        customer_id,
        sum(revenue_usd) as revenue_usd

    from revenue
    group by revenue_month, customer_id

),

customer_months as (

    select month, customer_id from costs_by_customer_month
    union
    select month, customer_id from revenue_by_customer_month

),

joined as (

    select
        customer_months.month,
        customer_months.customer_id,
        customers.customer_name,
        customers.plan_tier,
        customers.segment,
        customers.is_internal,
        coalesce(costs.ai_cost_usd, 0) as ai_cost_usd,
        coalesce(costs.usage_cost_usd, 0) as usage_cost_usd,
        coalesce(costs.shared_cost_usd, 0) as shared_cost_usd,
        coalesce(costs.invoice_adjustment_usd, 0) as invoice_adjustment_usd,
        coalesce(revenue.revenue_usd, 0) as revenue_usd,
        coalesce(costs.calls, 0) as calls,
        coalesce(activity.active_users, 0) as active_users,
        coalesce(activity.interactions, 0) as interactions

    from customer_months
    left join costs_by_customer_month as costs
        on customer_months.month = costs.month
        and customer_months.customer_id = costs.customer_id
    left join revenue_by_customer_month as revenue
        on customer_months.month = revenue.month
        and customer_months.customer_id = revenue.customer_id
    left join activity_by_customer_month as activity
        on customer_months.month = activity.month
        and customer_months.customer_id = activity.customer_id
    left join customers
        on customer_months.customer_id = customers.customer_id

),

ratios as (

    select
        joined.*,
        cast({{ safe_divide('joined.ai_cost_usd', 'joined.revenue_usd') }} as {{ aicost_type_ratio() }})
            as ai_cogs_ratio,
        {#- The as-of month holds month-to-date cost against a whole month's revenue. -#}
        joined.month < as_of.as_of_month
            or (joined.month = as_of.as_of_month and as_of.days_elapsed = as_of.days_in_month) as is_month_complete

    from joined
    cross join as_of

),

banded as (

    select
        ratios.*,
        coalesce(cogs_bands.band, 'no_revenue') as cogs_band
    from ratios
    left join cogs_bands
        on {{ aicost_value_in_band('ratios.ai_cogs_ratio', 'cogs_bands') }}

),

final as (

    select
        customer_id,
        month,
        customer_name,
        plan_tier,
        segment,
        is_internal,
        {{ aicost_to_money('ai_cost_usd') }} as ai_cost_usd,
        {{ aicost_to_money('usage_cost_usd') }} as usage_cost_usd,
        {{ aicost_to_money('shared_cost_usd') }} as shared_cost_usd,
        {{ aicost_to_money('invoice_adjustment_usd') }} as invoice_adjustment_usd,
        {{ aicost_to_money('revenue_usd') }} as revenue_usd,
        ai_cogs_ratio,
        cogs_band,
        cast(active_users as {{ dbt.type_bigint() }}) as active_users,
        cast(interactions as {{ dbt.type_bigint() }}) as interactions,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'active_users')) }} as cost_per_active_user,
        {{ aicost_to_money('revenue_usd - ai_cost_usd') }} as gross_margin_usd,
        cast({{ safe_divide('(revenue_usd - ai_cost_usd)', 'revenue_usd') }} as {{ aicost_type_ratio() }})
            as gross_margin_pct,
        customer_id <> 'unattributed' and ai_cost_usd > revenue_usd as is_ai_cost_over_revenue,
        is_month_complete

    from banded

)

select * from final
