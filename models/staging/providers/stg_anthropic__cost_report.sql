{#- One row per bucket x result of Anthropic's Admin API cost report (/v1/organizations/cost_report):
    the amount per day, and per workspace and cost item (description, model, token type) when the
    export was grouped by them. Anthropic gives amounts in cents as decimal strings ("123.45" in USD
    is $1.2345): converted exactly (aicost_cents_to_usd). -#}
with

source as (

    select * from {{ source('provider_reports', 'anthropic_cost_report') }}

),

renamed as (

    select
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(bucket_index as {{ dbt.type_bigint() }}) as bucket_index,
        cast(result_index as {{ dbt.type_bigint() }}) as result_index,
        {{ aicost_text('bucket_error') }} as bucket_error,
        'anthropic_costs' as report_format,
        'anthropic' as provider,
        cast(null as {{ dbt.type_string() }}) as usage_kind,
        {{ aicost_to_utc_timestamp(aicost_text('starting_at')) }} as bucket_start_at,
        {{ aicost_to_utc_timestamp(aicost_text('ending_at')) }} as bucket_end_at,
        {{ aicost_normalised_model('model') }} as model,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        {{ aicost_text('workspace_id') }} as workspace_id,
        lower({{ aicost_text('service_tier') }}) as service_tier,
        coalesce(lower({{ aicost_text('service_tier') }}) = 'batch', false) as is_batch,
        cast(null as decimal(38, 12)) as requests,
        cast(null as decimal(38, 12)) as input_tokens,
        cast(null as decimal(38, 12)) as cache_read_tokens,
        cast(null as decimal(38, 12)) as cache_write_tokens,
        cast(null as decimal(38, 12)) as cache_write_1h_tokens,
        cast(null as decimal(38, 12)) as output_tokens,
        {{ aicost_cents_to_usd('amount') }} as amount_usd,
        coalesce({{ aicost_text('description') }}, {{ aicost_text('cost_type') }}) as line_item,
        lower({{ aicost_text('currency') }}) as currency,
        case when result_index is not null then
            {{ aicost_report_problem_list([
                (aicost_text('amount') ~ ' is not null and ' ~ aicost_report_number('amount') ~ ' is null', 'amount:unreadable'),
                (aicost_text('amount') ~ ' is null', 'amount:missing')]) }}
        end as value_problems

    from source

)

select * from renamed
