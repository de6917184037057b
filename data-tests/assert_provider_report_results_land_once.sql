-- Every result of every readable provider report page is one row of the validated results
-- (counted, or a reject with its reason): per page, the results the page holds = the rows landed.
with

pages as (

    select source_file, line_number, results
    from {{ ref('stg_provider_reports__pages') }}
    where page_error is null

),

landed as (

    select source_file, line_number, count(result_index) as results
    from {{ ref('int_provider_report_rows_validated') }}
    group by source_file, line_number

)

select pages.source_file, pages.line_number, pages.results as page_results, landed.results as landed_results
from pages
left join landed
    on pages.source_file = landed.source_file
    and pages.line_number = landed.line_number
where coalesce(landed.results, 0) <> pages.results
