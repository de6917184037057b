-- Warns, naming the source, provider and model, when the cost a gateway reports for its calls
-- differs from our rate card by more than var('price_drift_tolerance_pct') percent over the days
-- it reports: a stale rate card, a gateway pricing bug, or a model mapped to the wrong price row.
{{ config(severity='warn') }}

select
    source_name,
    provider,
    model,
    count(*) as days,
    sum(calls) as calls,
    sum(drifting_calls) as drifting_calls,
    sum(reported_cost_usd) as reported_cost_usd,
    sum(list_cost_usd) as list_cost_usd
from {{ ref('mart_price_drift') }}
group by source_name, provider, model
having abs(sum(reported_cost_usd) - sum(list_cost_usd)) * 100 > {{ var('price_drift_tolerance_pct') }} * abs(sum(list_cost_usd))
