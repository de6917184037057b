-- Per provider and month with an invoice (or a cost report), the ledger sums to the invoiced
-- amount exactly, plus, against a cost report, the usage of the days it does not cover yet.
with

invoices as (

    select provider, invoice_month, invoiced_usd + unreported_usd as expected_usd
    from {{ ref('mart_invoice_reconciliation') }}

),

ledger as (

    select provider, ledger_month, sum(amount_usd) as ledger_usd
    from {{ ref('fct_cost_ledger') }}
    group by provider, ledger_month

)

select
    invoices.provider,
    invoices.invoice_month,
    invoices.expected_usd,
    ledger.ledger_usd
from invoices
left join ledger
    on invoices.provider = ledger.provider
    and invoices.invoice_month = ledger.ledger_month
where ledger.ledger_usd is null or ledger.ledger_usd <> invoices.expected_usd
