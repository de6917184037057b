-- Ledger total = billed usage (the pooled daily groups, exactly what the ledger books; the calls
-- match them within $0.000001 a row, assert_ledger_usage_matches_calls) + every shared pool +
-- all untracked usage (the provider's usage reports against the logs) + every invoice difference.
with

ledger as (

    select sum(amount_usd) as ledger_usd from {{ ref('fct_cost_ledger') }}

),

usage as (

    select coalesce(sum(pooled_cost_usd), 0) as usage_usd from {{ ref('int_usage_daily_pooled') }}

),

untracked as (

    select coalesce(sum(untracked_cost_usd), 0) as untracked_usd
    from {{ ref('int_usage_reconciled') }}
    where is_priced

),

pools as (

    select coalesce(sum(amount_usd), 0) as pools_usd
    from {{ ref('stg_raw__shared_costs') }}
    where period_end > period_start

),

invoice_differences as (

    select coalesce(sum(difference_usd), 0) as differences_usd from {{ ref('mart_invoice_reconciliation') }}

)

select
    ledger.ledger_usd,
    usage.usage_usd,
    untracked.untracked_usd,
    pools.pools_usd,
    invoice_differences.differences_usd
from ledger
cross join usage
cross join untracked
cross join pools
cross join invoice_differences
where coalesce(ledger.ledger_usd, 0) <> usage.usage_usd + untracked.untracked_usd + pools.pools_usd + invoice_differences.differences_usd
