-- Usage is never priced at zero silently. Lists each provider/model without a rate card row
-- and its volume; fix by adding rows to seeds/rate_card.csv or seeds/model_aliases.csv.
-- Severity: var('unpriced_severity') (error by default).
{{ config(severity=var('unpriced_severity'), store_failures=true) }}

select
    provider,
    model,
    count(*) as unpriced_calls,
    sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) as unpriced_tokens,
    min(occurred_at_raw) as first_seen,
    max(occurred_at_raw) as last_seen
from {{ ref('fct_rejected_events') }}
where reject_reason = 'unpriced_model'
group by provider, model
