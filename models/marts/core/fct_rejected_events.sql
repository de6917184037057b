{#- One row per raw line that did not become a call, with the reason. Together with
    fct_llm_calls it accounts for every raw line exactly once. -#}
with

validated_lines as (

    select * from {{ ref('int_usage_events_validated') }}

),

deduplicated_lines as (

    select * from {{ ref('int_usage_events_deduplicated') }}

),

priced_calls as (

    select * from {{ ref('int_calls_priced') }}

),

invalid_lines as (

    select
        source_file,
        line_number,
        request_id,
        trace_id,
        provider,
        model,
        input_tokens,
        output_tokens,
        occurred_at_text,
        reject_reason,
        reject_detail

    from validated_lines
    where reject_reason is not null

),

duplicate_lines as (

    select
        source_file,
        line_number,
        request_id,
        trace_id,
        provider,
        model,
        input_tokens,
        output_tokens,
        occurred_at_text,
        'duplicate' as reject_reason,
        {{ dbt.concat(["'kept '", 'kept_source_file', "':'", dbt.safe_cast('kept_line_number', dbt.type_string())]) }}
            as reject_detail

    from deduplicated_lines
    where not is_kept

),

unpriced_calls as (

    select
        priced_calls.source_file,
        priced_calls.line_number,
        priced_calls.request_id,
        priced_calls.trace_id,
        priced_calls.provider,
        priced_calls.model,
        priced_calls.input_tokens,
        priced_calls.output_tokens,
        {{ dbt.safe_cast('priced_calls.occurred_at', dbt.type_string()) }} as occurred_at_text,
        'unpriced_model' as reject_reason,
        {{ dbt.concat(["'no rate card row for '", 'priced_calls.provider', "'/'", 'priced_calls.model',
                       "' at '", dbt.safe_cast('priced_calls.occurred_at', dbt.type_string())]) }}
            as reject_detail

    from priced_calls
    where not priced_calls.is_priced

),

all_rejects as (

    select * from invalid_lines
    union all
    select * from duplicate_lines
    union all
    select * from unpriced_calls

),

final as (

    select
        source_file,
        line_number,
        request_id,
        trace_id,
        provider,
        model,
        input_tokens,
        output_tokens,
        occurred_at_text as occurred_at_raw,
        reject_reason,
        reject_detail

    from all_rejects

)

select * from final
