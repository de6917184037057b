{#- One row per raw Langfuse trace record (langfuse_traces/): a lookup, not calls. A trace gives
    its observations the dimensions Langfuse keeps on the trace (user, session, environment,
    tags, metadata, name); which of its columns are read is var('langfuse_dimensions'). A record
    that cannot be read keeps its file and line with `trace_error` set and gives nothing
    (assert_langfuse_trace_records_are_readable lists it as a warning): it is never a call, so it
    cannot be a reject. -#}
{%- set lookup_columns = aicost_langfuse_trace_columns() -%}

with

source as (

    select * from {{ source('langfuse', 'langfuse_traces') }}

),

renamed as (

    select
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(record_index as {{ dbt.type_bigint() }}) as record_index,
        case
            when {{ aicost_text('parse_error') }} is not null then {{ aicost_text('parse_error') }}
            when {{ aicost_text('id') }} is null then 'missing_id'
        end as trace_error,
        {{ aicost_text('id') }} as trace_id,
        {{ aicost_utc_timestamp_from('timestamp', 'text') }} as occurred_at,
        {{ aicost_utc_timestamp_from('updated_at', 'text') }} as updated_at
        {%- for column in lookup_columns %},
        {{ aicost_text(column) }} as {{ column }}
        {%- endfor %}

    from source

)

select * from renamed
