-- Warns, naming the provider, the model and the days, when the providers' usage reports show
-- usage the logs miss costing more than var('untracked_usage_warn_usd') on a day: traffic that
-- bypassed the gateway, or a logging gap.
{{ config(severity='warn') }}

select
    provider,
    model,
    count(*) as days,
    min(usage_date) as first_day,
    max(usage_date) as last_day,
    sum(untracked_cost_usd) as untracked_cost_usd
from {{ ref('mart_usage_reconciliation') }}
where untracked_cost_usd > {{ var('untracked_usage_warn_usd') }}
group by provider, model
