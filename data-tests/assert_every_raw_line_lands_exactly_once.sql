-- Nothing is lost, nothing is doubled: every raw line is in fct_llm_calls or
-- fct_rejected_events exactly once. Returns the lines that are missing or repeated.
with

raw_lines as (

    select source_file, line_number from {{ ref('stg_raw__usage_events') }}

),

landed_lines as (

    select source_file, line_number from {{ ref('fct_llm_calls') }}
    union all
    select source_file, line_number from {{ ref('fct_rejected_events') }}

),

landed_counts as (

    select source_file, line_number, count(*) as times_landed
    from landed_lines
    group by source_file, line_number

)

select
    coalesce(raw_lines.source_file, landed_counts.source_file) as source_file,
    coalesce(raw_lines.line_number, landed_counts.line_number) as line_number,
    coalesce(landed_counts.times_landed, 0) as times_landed,
    raw_lines.source_file is not null as is_raw_line
from raw_lines
full outer join landed_counts
    on raw_lines.source_file = landed_counts.source_file
    and raw_lines.line_number = landed_counts.line_number
where raw_lines.source_file is null
    or landed_counts.source_file is null
    or landed_counts.times_landed <> 1
