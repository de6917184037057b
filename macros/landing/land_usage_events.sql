{#- The canonical usage events (docs/CONTRACT.md section 1): `usage/*.jsonl` / `*.json` (one JSON
    object per line) and `usage/*.parquet`, landed as raw.usage_events.

    JSON Lines are read as bytes and split into lines (macros/landing/read_lines.sql), so a line
    that is not UTF-8 or not a JSON object keeps its file and line number and becomes a reject
    downstream instead of stopping the build or being skipped by a reader. Each line is parsed
    once, by json_transform into a struct of text fields. Parquet is read by column with its own
    types, unless JSON Lines land beside it (then as text, so the branches line up). -#}

{% macro aicost_land_usage(files) -%}
    {%- set json_files = [] -%}
    {%- set parquet_files = [] -%}
    {%- for file in files -%}
        {%- do (parquet_files if file.lower().endswith('.parquet') else json_files).append(file) -%}
    {%- endfor -%}
    {%- set branches = [] -%}
    {%- if json_files -%}
        {%- do branches.append(aicost_land_usage_jsonl(json_files)) -%}
    {%- endif -%}
    {%- if parquet_files -%}
        {%- do branches.append(aicost_land_usage_parquet(parquet_files, as_text=json_files | length > 0)) -%}
    {%- endif -%}
    {%- if not branches -%}
        {%- do branches.append(aicost_land_usage_empty()) -%}
    {%- endif -%}
    {{ branches | join('\nunion all\n') }}
{%- endmacro %}

{% macro aicost_land_usage_empty() -%}
    {#- No canonical usage files: an empty relation with the landing's columns (all text). -#}
    select
        cast(null as varchar) as source_file,
        cast(null as bigint) as line_number,
        cast(null as varchar) as parse_error,
        {%- for field in usage_event_text_fields() + usage_event_tag_fields() %}
        cast(null as varchar) as {{ field }},
        {%- endfor %}
        cast(null as boolean) as metadata_is_sent,
        cast(null as varchar) as metadata
    where false
{%- endmacro %}

{% macro aicost_land_usage_jsonl(files) -%}
    {#- One row per non-blank line; a line that is not a JSON object lands with parse_error set. -#}
    {%- set tags = usage_event_tag_fields() -%}
    {%- set structure = aicost_json_structure(usage_event_text_fields() + tags + ['api_key'], ['metadata']) -%}
    select
        lines.source_file,
        lines.line_number,
        case
            when lines.line_error is not null then lines.line_error
            when lines.event is null then 'malformed_json'
        end as parse_error,
        {%- for field in usage_event_text_fields() %}
        lines.event.{{ field }} as {{ field }},
        {%- endfor %}
        {%- for tag in tags %}
        {%- if tag == 'api_key_alias' %}
        coalesce(
            lines.event.api_key_alias,
            lines.metadata_tags.api_key_alias,
            'sha256:' || left(sha256(lines.event.api_key), 16)
        ) as api_key_alias,
        {%- else %}
        coalesce(lines.event.{{ tag }}, lines.metadata_tags.{{ tag }}) as {{ tag }},
        {%- endif %}
        {%- endfor %}
        lines.event.metadata is not null as metadata_is_sent,
        {{ aicost_metadata_without_text('lines.event.metadata') }} as metadata
    from (
        select
            parsed.*,
            case when left(ltrim(parsed.event.metadata), 1) = '{' then
                json_transform(parsed.event.metadata, {{ aicost_json_structure(tags) }})
            end as metadata_tags
        from (
            select
                source_file,
                line_number,
                line_error,
                case when left(ltrim(raw_line), 1) = '{' then
                    coalesce(
                        try(json_transform(raw_line, {{ structure }})),
                        case when regexp_matches(raw_line, 'NaN|Infinity') then
                            try(json_transform({{ aicost_quote_non_finite_numbers('raw_line') }}, {{ structure }}))
                        end
                    )
                end as event
            from ({{ aicost_read_lines(files) }}) as raw_lines
        ) as parsed
    ) as lines
{%- endmacro %}

{% macro aicost_land_usage_parquet(files, as_text=false) -%}
    {#- Parquet carries its own types: each known column is read as it is (as text only when
        JSON Lines files land beside it); absent columns are NULL; a tag missing as a column is
        read from `metadata` (a JSON object as text, or a struct). A file that is not Parquet (no
        `PAR1` magic at both ends: truncated, or another format) is one `unreadable_file` reject
        instead of an error that stops the build. -#}
    {%- set checked = aicost_parquet_files_by_readability(files) -%}
    {%- set branches = [] -%}
    {%- if checked.readable -%}
        {%- do branches.append(aicost_land_usage_parquet_files(checked.readable, as_text)) -%}
    {%- endif -%}
    {%- for file in checked.unreadable -%}
        {%- do branches.append(aicost_land_usage_unreadable_file(file)) -%}
    {%- endfor -%}
    {{ branches | join('\nunion all\n') }}
{%- endmacro %}

{% macro aicost_land_usage_unreadable_file(file) -%}
    select
        {{ aicost_sql_string(file) }} as source_file,
        cast(1 as bigint) as line_number,
        'unreadable_file' as parse_error,
        {%- for field in usage_event_text_fields() + usage_event_tag_fields() %}
        cast(null as varchar) as {{ field }},
        {%- endfor %}
        false as metadata_is_sent,
        cast(null as varchar) as metadata
{%- endmacro %}

{% macro aicost_land_usage_parquet_files(files, as_text) -%}
    {%- set reader = "read_parquet(" ~ aicost_sql_list(files)
        ~ ", union_by_name = true, filename = true, file_row_number = true)" -%}
    {%- set described = run_query("describe select * from " ~ reader) -%}
    {%- set column_types = {} -%}
    {%- for row in described.rows -%}{%- do column_types.update({row[0]: row[1]}) -%}{%- endfor -%}
    {%- set tags = usage_event_tag_fields() -%}
    {%- if 'metadata' not in column_types -%}
        {%- set metadata_text = 'cast(null as varchar)' -%}
    {%- elif column_types['metadata'] == 'VARCHAR' -%}
        {%- set metadata_text = 'case when json_valid(metadata) then metadata end' -%}
    {%- else -%}
        {%- set metadata_text = 'cast(to_json(metadata) as varchar)' -%}
    {%- endif -%}
    select
        source_file,
        line_number,
        cast(null as varchar) as parse_error,
        {%- for field in usage_event_text_fields() %}
        {%- if field not in column_types %}
        cast(null as varchar) as {{ field }},
        {%- elif as_text %}
        cast("{{ field }}" as varchar) as {{ field }},
        {%- else %}
        "{{ field }}" as {{ field }},
        {%- endif %}
        {%- endfor %}
        {%- for tag in tags %}
        {%- if tag in column_types %}
        coalesce(cast("{{ tag }}" as varchar), metadata_tags.{{ tag }}) as {{ tag }},
        {%- elif tag == 'api_key_alias' and 'api_key' in column_types %}
        'sha256:' || left(sha256(cast(api_key as varchar)), 16) as api_key_alias,
        {%- else %}
        metadata_tags.{{ tag }} as {{ tag }},
        {%- endif %}
        {%- endfor %}
        {{ 'metadata is not null' if 'metadata' in column_types else 'false' }} as metadata_is_sent,
        {{ aicost_metadata_without_text('metadata_text') }} as metadata
    from (
        select
            *,
            filename as source_file,
            file_row_number + 1 as line_number,
            {{ metadata_text }} as metadata_text,
            case when left(ltrim({{ metadata_text }}), 1) = '{' then
                json_transform({{ metadata_text }}, {{ aicost_json_structure(tags) }})
            end as metadata_tags
        from {{ reader }}
    ) as parquet_rows
{%- endmacro %}
