{#- One row per bucket x result of OpenAI's organization usage API (/v1/organization/usage/completions
    and /usage/embeddings), on the contract's token convention, which is OpenAI's own: input_tokens
    are all prompt tokens, cached and cache-write ones included; input_cached_tokens are cache
    reads; input_cache_write_tokens cache writes (no 1-hour writes). An empty bucket is one row
    with result_index NULL. Renamed and cast; validation decides (int_provider_report_rows_validated). -#}
with

source as (

    select * from {{ source('provider_reports', 'openai_usage_buckets') }}

),

renamed as (

    select
        -- where the result came from
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(bucket_index as {{ dbt.type_bigint() }}) as bucket_index,
        cast(result_index as {{ dbt.type_bigint() }}) as result_index,
        {{ aicost_text('bucket_error') }} as bucket_error,
        'openai_usage' as report_format,
        'openai' as provider,
        case {{ aicost_text('page_result_kind') }}
            when 'organization.usage.embeddings.result' then 'embeddings'
            when 'organization.usage.completions.result' then 'completions'
        end as usage_kind,

        -- the bucket
        {{ aicost_timestamp_from_epoch_seconds('start_time') }} as bucket_start_at,
        {{ aicost_timestamp_from_epoch_seconds('end_time') }} as bucket_end_at,

        -- what the result is grouped by
        {{ aicost_normalised_model('model') }} as model,
        {{ aicost_text('api_key_id') }} as api_key_id,
        {{ aicost_text('project_id') }} as workspace_id,
        lower({{ aicost_text('service_tier') }}) as service_tier,
        coalesce({{ aicost_parse_boolean(aicost_text('batch')) }}, false) as is_batch,

        -- counts on the contract's convention
        {{ aicost_report_number('num_model_requests') }} as requests,
        {{ aicost_report_number('input_tokens') }} as input_tokens,
        coalesce({{ aicost_report_number('input_cached_tokens') }}, 0) as cache_read_tokens,
        coalesce({{ aicost_report_number('input_cache_write_tokens') }}, 0) as cache_write_tokens,
        cast(0 as decimal(38, 12)) as cache_write_1h_tokens,
        coalesce({{ aicost_report_number('output_tokens') }}, 0) as output_tokens,
        cast(null as {{ aicost_type_money() }}) as amount_usd,
        cast(null as {{ dbt.type_string() }}) as line_item,
        cast(null as {{ dbt.type_string() }}) as currency,
        case when result_index is not null then
            {{ aicost_report_problems(
                ['num_model_requests', 'input_tokens', 'input_cached_tokens', 'input_cache_write_tokens', 'output_tokens'],
                ['num_model_requests', 'input_tokens']) }}
        end as value_problems

    from source

)

select * from renamed
