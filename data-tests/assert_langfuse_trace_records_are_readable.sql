-- A Langfuse trace record that cannot be read (not UTF-8, not JSON, no id) gives its
-- observations no dimensions. It is not a call, so it is neither a call nor a reject: it is listed
-- here, as a warning, and the build goes on (its observations are still priced).
{{ config(severity='warn') }}

select
    source_file,
    line_number,
    record_index,
    trace_error
from {{ ref('stg_langfuse__traces') }}
where trace_error is not null
