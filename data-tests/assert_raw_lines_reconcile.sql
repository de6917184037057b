-- Per usage source: raw records = accepted calls + rejected records. Returns the sources where
-- the identity breaks.
with

raw_records as (

    select source_name, count(*) as record_count
    from {{ ref('int_usage_events_unioned') }}
    group by source_name

),

calls as (

    select source_name, count(*) as call_count
    from {{ ref('fct_llm_calls') }}
    group by source_name

),

rejects as (

    select source_name, count(*) as reject_count
    from {{ ref('fct_rejected_events') }}
    group by source_name

)

select
    raw_records.source_name,
    raw_records.record_count,
    coalesce(calls.call_count, 0) as call_count,
    coalesce(rejects.reject_count, 0) as reject_count
from raw_records
left join calls on raw_records.source_name = calls.source_name
left join rejects on raw_records.source_name = rejects.source_name
where raw_records.record_count <> coalesce(calls.call_count, 0) + coalesce(rejects.reject_count, 0)
