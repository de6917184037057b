{#- Plan tier x month: how many customers, what they cost on average and at the 90th percentile,
    cost per active user, and AI COGS / revenue. Built on mart_customer_unit_economics (product
    usage, fully loaded cost); active users are counted distinct across the tier's customers. -#}

with

cogs_bands as (

    {#- the bands var('cogs_band_benchmark') names in seeds/unit_economics_benchmarks.csv -#}
    select * from {{ ref('int_benchmark_bands_bounded') }}
    where benchmark = '{{ var("cogs_band_benchmark") }}'

),

customer_months as (

    select * from {{ ref('mart_customer_unit_economics') }}

),

product_calls as (

    select * from {{ ref('fct_llm_calls') }}
    where {{ aicost_is_product_usage() }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

active_users_by_tier_month as (

    select
        cast(product_calls.usage_month as date) as month,
        customers.plan_tier,
        count(distinct product_calls.user_id) as active_users

    from product_calls
    inner join customers
        on product_calls.customer_id = customers.customer_id
    group by cast(product_calls.usage_month as date), customers.plan_tier

),

tier_totals as (

    select
        month,
        plan_tier,
        count(*) as customers,
        sum(case when revenue_usd > 0 then 1 else 0 end) as paying_customers,
        sum(case when is_ai_cost_over_revenue then 1 else 0 end) as customers_over_revenue,
        sum(ai_cost_usd) as ai_cost_usd,
        sum(usage_cost_usd) as usage_cost_usd,
        sum(revenue_usd) as revenue_usd,
        {{ aicost_percentile('ai_cost_usd', 0.9) }} as p90_cost_per_customer,
        {{ dbt.bool_or('is_month_complete') }} as is_month_complete

    from customer_months
    group by month, plan_tier

),

joined as (

    select
        tier_totals.*,
        coalesce(active_users_by_tier_month.active_users, 0) as active_users,
        cast({{ safe_divide('tier_totals.ai_cost_usd', 'tier_totals.revenue_usd') }} as {{ aicost_type_ratio() }})
            as ai_cogs_ratio

    from tier_totals
    left join active_users_by_tier_month
        on tier_totals.month = active_users_by_tier_month.month
        and tier_totals.plan_tier = active_users_by_tier_month.plan_tier

),

banded as (

    select
        joined.*,
        coalesce(cogs_bands.band, 'no_revenue') as cogs_band
    from joined
    left join cogs_bands
        on {{ aicost_value_in_band('joined.ai_cogs_ratio', 'cogs_bands') }}

),

final as (

    select
        plan_tier,
        month,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(paying_customers as {{ dbt.type_bigint() }}) as paying_customers,
        cast(customers_over_revenue as {{ dbt.type_bigint() }}) as customers_over_revenue,
        {{ aicost_to_money('ai_cost_usd') }} as ai_cost_usd,
        {{ aicost_to_money('usage_cost_usd') }} as usage_cost_usd,
        {{ aicost_to_money('revenue_usd') }} as revenue_usd,
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'customers')) }} as avg_cost_per_customer,
        {{ aicost_to_money('p90_cost_per_customer') }} as p90_cost_per_customer,
        cast(active_users as {{ dbt.type_bigint() }}) as active_users,
        {{ aicost_to_money(safe_divide('ai_cost_usd', 'active_users')) }} as cost_per_active_user,
        ai_cogs_ratio,
        cogs_band,
        is_month_complete

    from banded

)

select * from final
