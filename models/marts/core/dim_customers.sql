{#- One row per customer: every customer of customers.csv, every customer id on a call, a ledger
    row or a revenue row (plan tier `unknown` when not listed), the `unattributed` customer of
    untagged usage and the `unallocated` one of ledger amounts nobody could carry. The plan tier
    every unit-economics mart and the semantic layer group by. -#}

with

customers as (

    select * from {{ ref('stg_raw__customers') }}
    where customer_id is not null

),

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

ledger as (

    select * from {{ ref('fct_cost_ledger') }}

),

revenue as (

    select * from {{ ref('stg_raw__customer_revenue') }}
    where customer_id is not null

),

listed_customers as (

    {#- A customer listed twice keeps its first row by name. -#}
    select
        customers.*,
        row_number() over (partition by customer_id order by customer_name, plan_tier) as listing_rank

    from customers

),

all_customer_ids as (

    select customer_id from listed_customers
    union
    select distinct customer_id from calls
    union
    select distinct customer_id from ledger
    union
    select distinct customer_id from revenue

),

final as (

    select
        all_customer_ids.customer_id,
        listed_customers.customer_name,
        coalesce(
            listed_customers.plan_tier,
            case
                when all_customer_ids.customer_id in ('unattributed', 'unallocated') then all_customer_ids.customer_id
                else 'unknown'
            end
        ) as plan_tier,
        listed_customers.segment,
        listed_customers.region,
        coalesce(listed_customers.is_internal, false) as is_internal,
        listed_customers.customer_id is not null as is_listed

    from all_customer_ids
    left join listed_customers
        on all_customer_ids.customer_id = listed_customers.customer_id
        and listed_customers.listing_rank = 1

)

select * from final
