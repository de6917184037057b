{#- One row per raw usage record (of any source) that did not become a call, with the reason.
    Together with fct_llm_calls it accounts for every record exactly once. -#}
with

validated_lines as (

    select * from {{ ref('int_usage_events_validated') }}

),

priced_calls as (

    select * from {{ ref('int_calls_priced') }}

),

invalid_lines as (

    select
        source_name,
        source_file,
        line_number,
        record_index,
        request_id,
        trace_id,
        provider,
        model,
        input_tokens,
        output_tokens,
        occurred_at_raw,
        reject_reason,
        reject_detail

    from validated_lines
    where reject_reason is not null

),

repeated_calls as (

    {#- Requests sent more than once: their kept line. -#}
    select
        request_id,
        source_file as kept_source_file,
        line_number as kept_line_number,
        record_index as kept_record_index

    from priced_calls
    where request_copies > 1

),

duplicate_lines as (

    select
        validated_lines.source_name,
        validated_lines.source_file,
        validated_lines.line_number,
        validated_lines.record_index,
        validated_lines.request_id,
        validated_lines.trace_id,
        validated_lines.provider,
        validated_lines.model,
        validated_lines.input_tokens,
        validated_lines.output_tokens,
        {{ dbt.safe_cast('validated_lines.occurred_at', dbt.type_string()) }} as occurred_at_raw,
        'duplicate' as reject_reason,
        {{ dbt.concat(["'kept '", 'repeated_calls.kept_source_file', "':'",
                       dbt.safe_cast('repeated_calls.kept_line_number', dbt.type_string()),
                       "case when repeated_calls.kept_record_index > 0 then "
                       ~ dbt.concat(["'#'", dbt.safe_cast('repeated_calls.kept_record_index', dbt.type_string())])
                       ~ " else '' end"]) }}
            as reject_detail

    from validated_lines
    inner join repeated_calls
        on validated_lines.request_id = repeated_calls.request_id
    where validated_lines.reject_reason is null
        and not (
            validated_lines.source_file = repeated_calls.kept_source_file
            and validated_lines.line_number = repeated_calls.kept_line_number
            and validated_lines.record_index = repeated_calls.kept_record_index
        )

),

unpriced_calls as (

    select
        source_name,
        source_file,
        line_number,
        record_index,
        request_id,
        trace_id,
        provider,
        model,
        input_tokens,
        output_tokens,
        {{ dbt.safe_cast('occurred_at', dbt.type_string()) }} as occurred_at_raw,
        'unpriced_model' as reject_reason,
        {{ dbt.concat(["'no rate card row for '", 'provider', "'/'", 'model',
                       "' at '", dbt.safe_cast('occurred_at', dbt.type_string())]) }}
            as reject_detail

    from priced_calls
    where not is_priced

),

final as (

    select * from invalid_lines
    union all
    select * from duplicate_lines
    union all
    select * from unpriced_calls

)

select * from final
