-- Nothing dropped between the calls and the ledger: full outer join of fct_llm_calls summed to
-- the ledger grain and the ledger's usage rows (usage + discount + pooling); returns every group
-- missing on one side, with a different call count, or whose amounts differ by more than
-- $0.000001 (a call's pooled cost and a ledger row's are the same linear rule, each rounded to
-- 12 decimals: docs/CONTRACT.md, "Cache pooling").
{%- set grain = 'ledger_month, provider, model, ' ~ dimension_columns() %}

with

calls as (

    select
        usage_month as ledger_month,
        provider,
        model,
        {{ dimension_columns() }},
        count(*) as calls,
        sum(pooled_cost_usd) as amount_usd
    from {{ ref('fct_llm_calls') }}
    group by usage_month, provider, model, {{ dimension_columns() }}

),

ledger_usage as (

    select
        {{ grain }},
        sum(calls) as calls,
        sum(amount_usd) as amount_usd
    from {{ ref('fct_cost_ledger') }}
    where cost_type in ('usage', 'negotiated_discount', 'cache_pooling')
    group by {{ grain }}

)

select
    calls.ledger_month as call_month,
    ledger_usage.ledger_month,
    calls.provider,
    calls.model,
    calls.calls as call_count,
    ledger_usage.calls as ledger_call_count,
    calls.amount_usd as call_amount_usd,
    ledger_usage.amount_usd as ledger_amount_usd
from calls
full outer join ledger_usage
    on calls.ledger_month = ledger_usage.ledger_month
    and calls.provider = ledger_usage.provider
    and calls.model = ledger_usage.model
    {%- for dimension in var('attribution_dimensions') %}
    and calls.{{ dimension }} = ledger_usage.{{ dimension }}
    {%- endfor %}
where calls.ledger_month is null
    or ledger_usage.ledger_month is null
    or calls.calls <> ledger_usage.calls
    or abs(calls.amount_usd - ledger_usage.amount_usd) > 0.000001
