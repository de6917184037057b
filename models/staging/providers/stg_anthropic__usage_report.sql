{#- One row per bucket x result of Anthropic's Admin API messages usage report
    (/v1/organizations/usage_report/messages), normalised to the contract's token convention:
    Anthropic reports uncached_input_tokens *without* the cache, so input = uncached + cache reads
    + cache writes (5-minute and 1-hour); cache writes = cache_creation.ephemeral_5m_input_tokens +
    ephemeral_1h_input_tokens, of which the 1-hour part is kept apart. The report counts no
    requests. An empty bucket is one row with result_index NULL. -#}
with

source as (

    select * from {{ source('provider_reports', 'anthropic_usage_report') }}

),

counted as (

    select
        source.*,
        coalesce({{ aicost_report_number('uncached_input_tokens') }}, 0) as uncached,
        coalesce({{ aicost_report_number('cache_read_input_tokens') }}, 0) as cache_reads,
        coalesce({{ aicost_report_number('cache_creation_ephemeral_5m_input_tokens') }}, 0) as writes_5m,
        coalesce({{ aicost_report_number('cache_creation_ephemeral_1h_input_tokens') }}, 0) as writes_1h

    from source

),

renamed as (

    select
        -- where the result came from
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(bucket_index as {{ dbt.type_bigint() }}) as bucket_index,
        cast(result_index as {{ dbt.type_bigint() }}) as result_index,
        {{ aicost_text('bucket_error') }} as bucket_error,
        'anthropic_usage' as report_format,
        'anthropic' as provider,
        'messages' as usage_kind,

        -- the bucket (RFC 3339)
        {{ aicost_to_utc_timestamp(aicost_text('starting_at')) }} as bucket_start_at,
        {{ aicost_to_utc_timestamp(aicost_text('ending_at')) }} as bucket_end_at,

        -- what the result is grouped by
        {{ aicost_normalised_model('model') }} as model,
        {{ aicost_text('api_key_id') }} as api_key_id,
        {{ aicost_text('workspace_id') }} as workspace_id,
        lower({{ aicost_text('service_tier') }}) as service_tier,
        coalesce(lower({{ aicost_text('service_tier') }}) = 'batch', false) as is_batch,

        -- counts on the contract's convention
        cast(null as decimal(38, 12)) as requests,
        uncached + cache_reads + writes_5m + writes_1h as input_tokens,
        cache_reads as cache_read_tokens,
        writes_5m + writes_1h as cache_write_tokens,
        writes_1h as cache_write_1h_tokens,
        coalesce({{ aicost_report_number('output_tokens') }}, 0) as output_tokens,
        cast(null as {{ aicost_type_money() }}) as amount_usd,
        cast(null as {{ dbt.type_string() }}) as line_item,
        cast(null as {{ dbt.type_string() }}) as currency,
        case when result_index is not null then
            {{ aicost_report_problems(
                ['uncached_input_tokens', 'cache_read_input_tokens', 'cache_creation_ephemeral_5m_input_tokens',
                 'cache_creation_ephemeral_1h_input_tokens', 'output_tokens'],
                ['uncached_input_tokens', 'output_tokens']) }}
        end as value_problems

    from counted

)

select * from renamed
