{#- One row per bucket x result of OpenAI's costs API (/v1/organization/costs): the amount in USD
    (amount.value, a JSON number, read through its shortest decimal form) per day, and per line
    item, project and API key when the export was grouped by them. -#}
with

source as (

    select * from {{ source('provider_reports', 'openai_costs') }}

),

renamed as (

    select
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(bucket_index as {{ dbt.type_bigint() }}) as bucket_index,
        cast(result_index as {{ dbt.type_bigint() }}) as result_index,
        {{ aicost_text('bucket_error') }} as bucket_error,
        'openai_costs' as report_format,
        'openai' as provider,
        cast(null as {{ dbt.type_string() }}) as usage_kind,
        {{ aicost_timestamp_from_epoch_seconds('start_time') }} as bucket_start_at,
        {{ aicost_timestamp_from_epoch_seconds('end_time') }} as bucket_end_at,
        cast(null as {{ dbt.type_string() }}) as model,
        {{ aicost_text('api_key_id') }} as api_key_id,
        {{ aicost_text('project_id') }} as workspace_id,
        cast(null as {{ dbt.type_string() }}) as service_tier,
        false as is_batch,
        cast(null as decimal(38, 12)) as requests,
        cast(null as decimal(38, 12)) as input_tokens,
        cast(null as decimal(38, 12)) as cache_read_tokens,
        cast(null as decimal(38, 12)) as cache_write_tokens,
        cast(null as decimal(38, 12)) as cache_write_1h_tokens,
        cast(null as decimal(38, 12)) as output_tokens,
        {{ aicost_to_money(aicost_report_number('amount_value')) }} as amount_usd,
        {{ aicost_text('line_item') }} as line_item,
        lower({{ aicost_text('amount_currency') }}) as currency,
        case when result_index is not null then
            {{ aicost_report_problem_list([
                (aicost_text('amount_value') ~ ' is not null and ' ~ aicost_report_number('amount_value') ~ ' is null',
                 'amount.value:unreadable'),
                (aicost_text('amount_value') ~ ' is null', 'amount.value:missing')]) }}
        end as value_problems

    from source

)

select * from renamed
