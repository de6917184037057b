{#- The product-usage part of the ledger (prod, external: what AI COGS counts) with its cost
    types side by side, one row per month x provider x model x every attribution dimension, so
    the app can slice product AI cost by any dimension (one customer's features, a team's models)
    with the same figures as the unit-economics marts. -#}

with

ledger_costs as (

    select * from {{ ref('mart_cost_ledger_pivoted') }}
    where is_product_usage

),

final as (

    select
        ledger_month,
        provider,
        model,
        {{ dimension_columns() }},
        usage_cost_usd,
        shared_cost_usd,
        invoice_adjustment_usd,
        ai_cost_usd,
        calls

    from ledger_costs

)

select * from final
