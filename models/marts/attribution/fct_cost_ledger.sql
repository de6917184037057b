{#- The system of record: every dollar is one row of month x cost_type x cost_pool x provider x
    model x every dimension (docs/CONTRACT.md section 3).

    cost_type            cost_pool          what
    usage                usage              list cost of the calls (rate card)
    negotiated_discount  usage              effective - list (<= 0)
    cache_pooling        usage              pooled - effective (sums to 0 per cache pool)
    untracked_usage      provider_usage_report  usage the provider reported and the logs miss
                                            (negative: logged calls it did not bill), priced at
                                            the rate card; unallocated, per provider and model
    shared_cost          <pool name>        shared pools allocated by their driver
    invoice_adjustment   provider_invoice   invoiced - computed - untracked, per provider and month

    usage + negotiated_discount + cache_pooling of a call = its pooled_cost_usd in fct_llm_calls.
    Rows that could not be attributed carry is_allocated = false and `unallocated` dimensions. -#}
{%- set grain = 'ledger_month, cost_type, cost_pool, is_allocated, provider, model, ' ~ dimension_columns() -%}

with

usage_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

shared_costs as (

    select * from {{ ref('int_shared_costs_allocated') }}

),

invoice_differences as (

    select * from {{ ref('int_invoice_differences_allocated') }}

),

untracked_usage as (

    select * from {{ ref('int_usage_reconciled') }}
    where is_priced

),

{%- set usage_parts = [
    ('usage', 'list_cost_usd'),
    ('negotiated_discount', 'effective_cost_usd - list_cost_usd'),
    ('cache_pooling', 'pooled_cost_usd - effective_cost_usd'),
] %}

usage_rows as (

    {%- for cost_type, amount in usage_parts %}
    select
        usage_month as ledger_month,
        '{{ cost_type }}' as cost_type,
        'usage' as cost_pool,
        true as is_allocated,
        provider,
        model,
        {{ dimension_columns() }},
        {{ amount }} as amount_usd,
        {%- if cost_type == 'usage' %}
        calls,
        input_tokens,
        output_tokens,
        cache_savings_usd
        {%- else %}
        0 as calls,
        0 as input_tokens,
        0 as output_tokens,
        0 as cache_savings_usd
        {%- endif %}
    from usage_groups
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

shared_cost_rows as (

    select
        pool_month as ledger_month,
        'shared_cost' as cost_type,
        cost_pool,
        is_allocated,
        provider,
        model,
        {{ dimension_columns() }},
        amount_usd,
        0 as calls,
        0 as input_tokens,
        0 as output_tokens,
        0 as cache_savings_usd
    from shared_costs

),

untracked_rows as (

    {#- what the provider billed beyond the logs has no customer or feature to go to -#}
    select
        usage_month as ledger_month,
        'untracked_usage' as cost_type,
        'provider_usage_report' as cost_pool,
        false as is_allocated,
        provider,
        model,
        {%- for dimension in var('attribution_dimensions') %}
        'unallocated' as {{ dimension }},
        {%- endfor %}
        untracked_cost_usd as amount_usd,
        0 as calls,
        input_difference as input_tokens,
        output_difference as output_tokens,
        0 as cache_savings_usd
    from untracked_usage

),

invoice_rows as (

    select
        invoice_month as ledger_month,
        'invoice_adjustment' as cost_type,
        'provider_invoice' as cost_pool,
        is_allocated,
        provider,
        model,
        {{ dimension_columns() }},
        amount_usd,
        0 as calls,
        0 as input_tokens,
        0 as output_tokens,
        0 as cache_savings_usd
    from invoice_differences

),

all_rows as (

    select * from usage_rows
    union all
    select * from shared_cost_rows
    union all
    select * from untracked_rows
    union all
    select * from invoice_rows

),

summed as (

    select
        {{ grain }},
        sum(amount_usd) as amount_usd,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_savings_usd) as cache_savings_usd

    from all_rows
    group by {{ grain }}

),

final as (

    select
        ledger_month,
        cost_type,
        cost_pool,
        is_allocated,
        provider,
        model,
        {{ dimension_columns() }},
        {{ aicost_to_money('amount_usd') }} as amount_usd,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        {{ aicost_to_money('cache_savings_usd') }} as cache_savings_usd

    from summed
    {#- A zero discount or pooling adjustment says nothing; usage rows stay (they carry the calls). #}
    where cost_type = 'usage' or amount_usd <> 0

)

select * from final
