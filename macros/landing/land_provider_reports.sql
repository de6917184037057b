{#- The providers' own usage and cost reports (docs/CONTRACT.md section 1, "Provider reports"):
    the JSON pages their admin APIs return, saved as files in two folders of var('raw_path').
    They are aggregates, not calls: they never enter the usage pipeline (aicost_usage_sources()).

      provider_usage/   OpenAI /v1/organization/usage/completions and /usage/embeddings pages,
                        Anthropic /v1/organizations/usage_report/messages pages
      provider_costs/   OpenAI /v1/organization/costs pages, Anthropic /v1/organizations/cost_report pages

    A file is one page (pretty-printed or not) or JSON Lines of pages, so a paginated export
    (`has_more` / `next_page`) is several files or several lines. Every file is read as bytes
    (macros/landing/read_lines.sql): no byte in it can fail a build. Landed (DuckDB) as views in
    var('raw_schema'), each with the page's file and line:

      provider_report_pages    one row per page: its format, buckets, results, has_more, next_page,
                               and page_error when it cannot be read (invalid_encoding,
                               malformed_json, not_a_page, unsupported_report)
      openai_usage_buckets, openai_costs, anthropic_usage_report, anthropic_cost_report
                               one row per bucket x result of a readable page, every field as text;
                               a bucket with no result is one row with result_index NULL (it says
                               "no usage that day", which the reconciliation needs), and a bucket
                               that is not an object holding a results array carries bucket_error.

    On a warehouse these are tables of the same names and columns that the user loads. -#}

{% macro aicost_provider_report_formats() -%}
    {#- format -> (folder, provider, raw table, the result fields read as text). A field written
        `a.b` is read from the nested object `a` and landed as `a_b`. -#}
    {{ return({
        'openai_usage': {
            'folder': 'provider_usage', 'provider': 'openai', 'table': 'openai_usage_buckets',
            'bucket_start': 'start_time', 'bucket_end': 'end_time',
            'fields': ['object', 'input_tokens', 'input_cached_tokens', 'input_cache_write_tokens',
                       'input_uncached_tokens', 'output_tokens', 'num_model_requests', 'project_id',
                       'user_id', 'api_key_id', 'model', 'batch', 'service_tier']},
        'anthropic_usage': {
            'folder': 'provider_usage', 'provider': 'anthropic', 'table': 'anthropic_usage_report',
            'bucket_start': 'starting_at', 'bucket_end': 'ending_at',
            'fields': ['uncached_input_tokens', 'cache_read_input_tokens',
                       'cache_creation.ephemeral_5m_input_tokens', 'cache_creation.ephemeral_1h_input_tokens',
                       'output_tokens', 'server_tool_use.web_search_requests', 'model', 'workspace_id',
                       'api_key_id', 'service_tier', 'context_window']},
        'openai_costs': {
            'folder': 'provider_costs', 'provider': 'openai', 'table': 'openai_costs',
            'bucket_start': 'start_time', 'bucket_end': 'end_time',
            'fields': ['object', 'amount.value', 'amount.currency', 'line_item', 'project_id', 'api_key_id',
                       'quantity', 'quantity_unit']},
        'anthropic_costs': {
            'folder': 'provider_costs', 'provider': 'anthropic', 'table': 'anthropic_cost_report',
            'bucket_start': 'starting_at', 'bucket_end': 'ending_at',
            'fields': ['amount', 'currency', 'cost_type', 'description', 'model', 'service_tier',
                       'token_type', 'context_window', 'workspace_id']},
    }) }}
{%- endmacro %}

{% macro aicost_provider_report_folders() -%}
    {{ return(['provider_usage', 'provider_costs']) }}
{%- endmacro %}

{% macro aicost_provider_report_column(field) -%}
    {{ return(field | replace('.', '_')) }}
{%- endmacro %}

{% macro aicost_land_provider_reports(raw_schema) -%}
    {#- The `create view` statements of every provider report table (DuckDB). -#}
    {%- set statements = [] -%}
    {%- set page_branches = [] -%}
    {%- set files_by_folder = {} -%}
    {%- for folder in aicost_provider_report_folders() -%}
        {%- set files = aicost_list_files(aicost_raw_folder(folder), ['*.json', '*.jsonl']) -%}
        {%- do files_by_folder.update({folder: files}) -%}
        {%- if files -%}
            {%- do page_branches.append(aicost_provider_report_pages(folder, files)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do statements.append('create or replace view ' ~ raw_schema ~ '.provider_report_pages as\n'
        ~ (page_branches | join('\nunion all\n') if page_branches else aicost_provider_report_pages_empty())) -%}
    {%- for format, spec in aicost_provider_report_formats().items() -%}
        {%- set files = files_by_folder[spec.folder] -%}
        {%- do statements.append('create or replace view ' ~ raw_schema ~ '.' ~ spec.table ~ ' as\n'
            ~ (aicost_provider_report_rows(format, spec, files) if files else aicost_provider_report_rows_empty(spec))) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{% macro aicost_provider_report_pages(folder, files) -%}
    {#- One row per JSON document of a folder, with the format it is read as. OpenAI pages say
        `"object": "page"` and name each result's kind (`organization.usage.completions.result`…);
        Anthropic pages are an object with a `data` array and `has_more`. -#}
    select
        '{{ folder }}' as folder,
        source_file,
        line_number,
        case
            when document_error is not null then document_error
            when json_type(document) <> 'OBJECT' then 'not_a_page'
            when provider is null then 'not_a_page'
            when provider = 'openai' and result_kinds is not null and result_kinds <> {{ "['organization.costs.result']" if folder == 'provider_costs'
                else "['organization.usage.completions.result']" }}
                {%- if folder == 'provider_usage' %} and result_kinds <> ['organization.usage.embeddings.result']{% endif %}
                then 'unsupported_report'
        end as page_error,
        case when provider is not null then
            {{ "provider || '_costs'" if folder == 'provider_costs' else "provider || '_usage'" }}
        end as report_format,
        result_kinds[1] as result_kind,
        cast(len(coalesce(json_extract(document, '$.data[*]'), [])) as bigint) as buckets,
        cast(len(coalesce(json_extract(document, '$.data[*].results[*]'), [])) as bigint) as results,
        json_extract_string(document, '$.has_more') as has_more,
        json_extract_string(document, '$.next_page') as next_page
    from (
        select
            documents.*,
            case
                when json_type(documents.document) <> 'OBJECT' then null
                when json_extract_string(documents.document, '$.object') = 'page'
                    and json_type(documents.document, '$.data') = 'ARRAY' then 'openai'
                when json_extract_string(documents.document, '$.object') is null
                    and json_type(documents.document, '$.data') = 'ARRAY'
                    and json_exists(documents.document, '$.has_more') then 'anthropic'
            end as provider,
            nullif(list_distinct(coalesce(
                json_extract_string(documents.document, '$.data[*].results[*].object'), [])), []) as result_kinds
        from ({{ aicost_read_json_documents(files, whole_file=true) }}) as documents
    ) as classified
{%- endmacro %}

{% macro aicost_provider_report_pages_empty() -%}
    select
        cast(null as varchar) as folder, cast(null as varchar) as source_file, cast(null as bigint) as line_number,
        cast(null as varchar) as page_error, cast(null as varchar) as report_format,
        cast(null as varchar) as result_kind, cast(null as bigint) as buckets, cast(null as bigint) as results,
        cast(null as varchar) as has_more, cast(null as varchar) as next_page
    where false
{%- endmacro %}

{% macro aicost_provider_report_rows(format, spec, files) -%}
    {#- One row per bucket x result of the readable pages of one format (an empty bucket: one
        row with result_index NULL). -#}
    select
        source_file,
        line_number,
        page_result_kind,
        bucket_index,
        result_index,
        case
            when json_type(bucket) <> 'OBJECT' or coalesce(json_type(bucket, '$.results'), '') <> 'ARRAY'
                then 'malformed_bucket'
        end as bucket_error,
        json_extract_string(bucket, '$.{{ spec.bucket_start }}') as {{ spec.bucket_start }},
        json_extract_string(bucket, '$.{{ spec.bucket_end }}') as {{ spec.bucket_end }},
        {%- for field in spec.fields %}
        json_extract_string(result, '$.{{ field }}') as {{ aicost_provider_report_column(field) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            buckets.*,
            unnest(case when len(results) = 0 then [cast(null as json)] else results end) as result,
            case when len(results) > 0 then
                generate_subscripts(case when len(results) = 0 then [cast(null as json)] else results end, 1)
            end as result_index
        from (
            select
                pages.source_file,
                pages.line_number,
                page_formats.result_kind as page_result_kind,
                unnest(json_extract(pages.document, '$.data[*]')) as bucket,
                generate_subscripts(json_extract(pages.document, '$.data[*]'), 1) as bucket_index
            from ({{ aicost_read_json_documents(files, whole_file=true) }}) as pages
            inner join ({{ aicost_provider_report_pages(spec.folder, files) }}) as page_formats
                on pages.source_file = page_formats.source_file
                and pages.line_number = page_formats.line_number
            where page_formats.page_error is null
                and page_formats.report_format = '{{ format }}'
        ) as buckets,
        lateral (select coalesce(json_extract(buckets.bucket, '$.results[*]'), []) as results) as bucket_results
    ) as rows
{%- endmacro %}

{% macro aicost_provider_report_rows_empty(spec) -%}
    select
        cast(null as varchar) as source_file,
        cast(null as bigint) as line_number,
        cast(null as varchar) as page_result_kind,
        cast(null as bigint) as bucket_index,
        cast(null as bigint) as result_index,
        cast(null as varchar) as bucket_error,
        cast(null as varchar) as {{ spec.bucket_start }},
        cast(null as varchar) as {{ spec.bucket_end }},
        {%- for field in spec.fields %}
        cast(null as varchar) as {{ aicost_provider_report_column(field) }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
{%- endmacro %}
