{#- Every bucket x result of every provider usage and cost report page, stacked on one interface,
    with the first rule it breaks (NULL: accepted). Nothing is dropped: a result either counts or
    is a row of fct_provider_report_rejects with its reason.

      malformed_bucket       the bucket is not an object holding a `results` array
      invalid_bucket_time    the bucket's start is missing or not a time
      missing_model          a usage result with no model (export with group_by model)
      invalid_value          a count or amount sent but unreadable, or a required one missing
      unsupported_currency   a cost not in USD
      duplicate_bucket       the same bucket (format, kind, start) is in a later page too (an
                             overlapping export): the page read last wins, by file then line -#}
{%- set columns = ['source_file', 'line_number', 'bucket_index', 'result_index', 'bucket_error', 'report_format',
                   'provider', 'usage_kind', 'bucket_start_at', 'bucket_end_at', 'model', 'api_key_id',
                   'workspace_id', 'service_tier', 'is_batch', 'requests', 'input_tokens', 'cache_read_tokens',
                   'cache_write_tokens', 'cache_write_1h_tokens', 'output_tokens', 'amount_usd', 'line_item',
                   'currency', 'value_problems'] -%}
{%- set stagings = [('usage', 'stg_openai__usage_buckets'), ('usage', 'stg_anthropic__usage_report'),
                    ('costs', 'stg_openai__costs'), ('costs', 'stg_anthropic__cost_report')] -%}

with

stacked as (

    {%- for report, model in stagings %}
    select '{{ report }}' as report, {{ columns | join(', ') }} from {{ ref(model) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

checked as (

    select
        stacked.*,
        case
            when bucket_error is not null then bucket_error
            when bucket_start_at is null then 'invalid_bucket_time'
            when report = 'usage' and result_index is not null and model is null then 'missing_model'
            when value_problems is not null then 'invalid_value'
            when report = 'costs' and result_index is not null and currency is not null and currency <> 'usd'
                then 'unsupported_currency'
        end as first_problem

    from stacked

),

pages_per_bucket as (

    {#- The page a bucket is read from: the last one (file, then line) that holds it. -#}
    select
        checked.*,
        first_value({{ dbt.concat(['source_file', "'#'", dbt.cast('line_number', dbt.type_string())]) }}) over (
            partition by report_format, usage_kind, bucket_start_at
            order by source_file desc, line_number desc
        ) as kept_page

    from checked
    where first_problem is null

),

final as (

    select
        {{ columns | join(', ') }},
        report,
        cast({{ dbt.date_trunc('day', 'bucket_start_at') }} as date) as usage_date,
        case
            when first_problem is not null then first_problem
            when kept_page <> {{ dbt.concat(['source_file', "'#'", dbt.cast('line_number', dbt.type_string())]) }}
                then 'duplicate_bucket'
        end as reject_reason,
        case
            when first_problem = 'invalid_value' then value_problems
            when first_problem = 'unsupported_currency' then currency
            when first_problem is null
                and kept_page <> {{ dbt.concat(['source_file', "'#'", dbt.cast('line_number', dbt.type_string())]) }}
                then {{ dbt.concat(["'also in '", 'kept_page']) }}
        end as reject_detail

    from (
        select pages_per_bucket.* from pages_per_bucket
        union all
        select checked.*, cast(null as {{ dbt.type_string() }}) as kept_page from checked where first_problem is not null
    ) as all_rows

)

select * from final
