-- Nothing is lost, nothing is doubled: every raw usage record of every source (a line, or one
-- record of a line that holds several) is in fct_llm_calls or fct_rejected_events exactly once.
-- Returns the records that are missing or repeated.
with

raw_records as (

    select source_file, line_number, record_index from {{ ref('int_usage_events_unioned') }}

),

landed_records as (

    select source_file, line_number, record_index from {{ ref('fct_llm_calls') }}
    union all
    select source_file, line_number, record_index from {{ ref('fct_rejected_events') }}

),

landed_counts as (

    select source_file, line_number, record_index, count(*) as times_landed
    from landed_records
    group by source_file, line_number, record_index

)

select
    coalesce(raw_records.source_file, landed_counts.source_file) as source_file,
    coalesce(raw_records.line_number, landed_counts.line_number) as line_number,
    coalesce(raw_records.record_index, landed_counts.record_index) as record_index,
    coalesce(landed_counts.times_landed, 0) as times_landed,
    raw_records.source_file is not null as is_raw_record
from raw_records
full outer join landed_counts
    on raw_records.source_file = landed_counts.source_file
    and raw_records.line_number = landed_counts.line_number
    and raw_records.record_index = landed_counts.record_index
where raw_records.source_file is null
    or landed_counts.source_file is null
    or landed_counts.times_landed <> 1
