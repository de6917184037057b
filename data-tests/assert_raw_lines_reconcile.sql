-- Raw lines = accepted calls + rejected lines. Returns a row when the identity breaks.
with

raw_lines as (

    select count(*) as line_count from {{ ref('stg_raw__usage_events') }}

),

calls as (

    select count(*) as call_count from {{ ref('fct_llm_calls') }}

),

rejects as (

    select count(*) as reject_count from {{ ref('fct_rejected_events') }}

)

select
    raw_lines.line_count,
    calls.call_count,
    rejects.reject_count
from raw_lines
cross join calls
cross join rejects
where raw_lines.line_count <> calls.call_count + rejects.reject_count
