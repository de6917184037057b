-- Warns, naming provider and month, when an invoice differs from the computed cost by more than
-- var('invoice_tolerance_pct') percent: look for missing usage logs or a price change.
{{ config(severity='warn') }}

select provider, invoice_month, computed_usd, invoiced_usd, difference_usd, difference_pct
from {{ ref('mart_invoice_reconciliation') }}
where not is_within_tolerance
