{#- One row per provider report page that could not be read (invalid_encoding, malformed_json,
    not_a_page, unsupported_report: bucket_index NULL) and per bucket x result that was not
    counted (int_provider_report_rows_validated's reasons), with the file and line it came from:
    nothing in provider_usage/ or provider_costs/ is dropped without a row here. -#}
with

pages as (

    select * from {{ ref('stg_provider_reports__pages') }}
    where page_error is not null

),

rows_validated as (

    select * from {{ ref('int_provider_report_rows_validated') }}
    where reject_reason is not null

),

final as (

    select
        folder,
        source_file,
        line_number,
        cast(null as {{ dbt.type_bigint() }}) as bucket_index,
        cast(null as {{ dbt.type_bigint() }}) as result_index,
        report_format,
        page_error as reject_reason,
        cast(null as {{ dbt.type_string() }}) as reject_detail

    from pages

    union all

    select
        case when report = 'usage' then 'provider_usage' else 'provider_costs' end as folder,
        source_file,
        line_number,
        bucket_index,
        result_index,
        report_format,
        reject_reason,
        reject_detail

    from rows_validated

)

select * from final
