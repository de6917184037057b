{#- One row per provider report page found in provider_usage/ or provider_costs/: its format,
    how many buckets and results it holds, its pagination fields, and why it could not be read. -#}
with

source as (

    select * from {{ source('provider_reports', 'provider_report_pages') }}

),

renamed as (

    select
        {{ aicost_text('folder') }} as folder,
        source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        {{ aicost_text('page_error') }} as page_error,
        {{ aicost_text('report_format') }} as report_format,
        {{ aicost_text('result_kind') }} as result_kind,
        cast(buckets as {{ dbt.type_bigint() }}) as buckets,
        cast(results as {{ dbt.type_bigint() }}) as results,
        {{ aicost_parse_boolean(aicost_text('has_more')) }} as has_more,
        {{ aicost_text('next_page') }} as next_page

    from source

)

select * from renamed
