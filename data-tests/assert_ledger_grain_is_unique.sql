-- One row per month x cost_type x cost_pool x is_allocated x provider x model x dimensions.
{%- set grain = 'ledger_month, cost_type, cost_pool, is_allocated, provider, model, ' ~ dimension_columns() %}

select {{ grain }}, count(*) as rows_in_grain
from {{ ref('fct_cost_ledger') }}
group by {{ grain }}
having count(*) > 1
