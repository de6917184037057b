{#- Langfuse observations and traces (`langfuse_observations/`, `langfuse_traces/`: `.jsonl`,
    `.json`, `.csv`), landed as raw.langfuse_observations and raw.langfuse_traces.

    Both shapes Langfuse writes are read: the public API's (camelCase; a saved page
    `{"data": [...], "meta": {...}}`, or one object per line) and the blob-storage export's
    (snake_case; JSON Lines, a JSON array, or CSV whose objects and lists are JSON-encoded cells).
    Every file becomes records (macros below) and every record one row: a page or array holds one
    record per element (`record_index`), a page with none is one `no_records` row. Only the
    fields of aicost_langfuse_fields / aicost_langfuse_json_fields are selected, and from the
    objects only the usage keys, cost total, and the metadata and tag keys some configured
    location reads: input, output, statusMessage and the rest of metadata never land. -#}

{% macro aicost_land_langfuse_observations(files) -%}
    {{ aicost_land_langfuse(files, 'observation') }}
{%- endmacro %}

{% macro aicost_land_langfuse_traces(files) -%}
    {{ aicost_land_langfuse(files, 'trace') }}
{%- endmacro %}

{% macro aicost_land_langfuse(files, scope) -%}
    {%- set fields = aicost_langfuse_fields(scope) -%}
    {%- set json_fields = aicost_langfuse_json_fields(scope) -%}
    {%- set spellings = [] -%}
    {%- for names in (fields.values() | list) + (json_fields.values() | list) -%}{%- do spellings.extend(names) -%}{%- endfor -%}
    {%- set metadata_keys = aicost_langfuse_keys(scope, 'metadata') -%}
    {%- set tag_keys = aicost_langfuse_keys(scope, 'tags') -%}
    {%- set usage_keys = aicost_langfuse_usage_keys() if scope == 'observation' else [] -%}
    select
        source_file,
        line_number,
        record_index,
        parse_error,
        {%- for column in fields %}
        {{ column }},
        {%- endfor %}
        {%- for column in json_fields %}
        {{ column }}_text is not null as {{ column }}_is_sent,
        {%- endfor %}
        {%- if scope == 'observation' %}
        {{ aicost_langfuse_json_is('usage_details_text', '{') }} as usage_details_is_object,
        {{ aicost_langfuse_json_is('usage_text', '{') }} as usage_is_object,
        {%- for key in usage_keys %}
        usage_details.{{ adapter.quote(key) }} as usage__{{ aicost_langfuse_identifier(key) }},
        {%- endfor %}
        usage_details.total as usage__total,
        legacy_usage.input as legacy_usage_input,
        legacy_usage.output as legacy_usage_output,
        legacy_usage.unit as legacy_usage_unit,
        legacy_usage.{{ adapter.quote('totalCost') }} as legacy_usage_total_cost,
        cost_details.total as cost_details_total,
        {%- endif %}
        {%- for key in metadata_keys %}
        metadata.{{ adapter.quote(key) }} as metadata__{{ aicost_langfuse_identifier(key) }},
        {%- endfor %}
        {%- for key in tag_keys %}
        {# the value of the first `key:value` tag (keys compared in lower case) #}
        nullif(substr(list_filter(tag_list, lambda tag: starts_with(lower(tag), {{ aicost_sql_string((key | lower) ~ ':') }}))[1],
               {{ (key | length) + 2 }}), '') as tag__{{ aicost_langfuse_identifier(key) }},
        {%- endfor %}
        {{ aicost_langfuse_json_is('metadata_text', '{') }} as metadata_is_object,
        {{ aicost_langfuse_json_is('tags_text', '[') }} as tags_is_list
    from (
        select
            fields.*,
            {%- if scope == 'observation' %}
            case when {{ aicost_langfuse_json_is('usage_details_text', '{') }} then
                try(json_transform(usage_details_text, {{ aicost_json_structure(usage_keys + ['total']) }})) end as usage_details,
            case when {{ aicost_langfuse_json_is('usage_text', '{') }} then
                try(json_transform(usage_text, {{ aicost_json_structure(['input', 'output', 'unit', 'totalCost']) }})) end as legacy_usage,
            case when {{ aicost_langfuse_json_is('cost_details_text', '{') }} then
                try(json_transform(cost_details_text, {{ aicost_json_structure(['total']) }})) end as cost_details,
            {%- endif %}
            {%- if metadata_keys %}
            case when {{ aicost_langfuse_json_is('metadata_text', '{') }} then
                try(json_transform(metadata_text, {{ aicost_json_structure(metadata_keys) }})) end as metadata,
            {%- endif %}
            case when {{ aicost_langfuse_json_is('tags_text', '[') }} then
                try(json_transform(tags_text, '["VARCHAR"]')) end as tag_list
        from (
            select
                source_file,
                line_number,
                record_index,
                parse_error,
                {%- for column, names in fields.items() %}
                {{ aicost_langfuse_first_spelling('record', names) }} as {{ column }},
                {%- endfor %}
                {%- for column, names in json_fields.items() %}
                {{ aicost_langfuse_first_spelling('record', names) }} as {{ column }}_text{{ ',' if not loop.last }}
                {%- endfor %}
            from (
                select
                    records.*,
                    json_transform(records.document, {{ aicost_json_structure(spellings) }}) as record
                from ({{ aicost_langfuse_records(files) }}) as records
            ) as parsed
        ) as fields
    ) as extracted
{%- endmacro %}

{% macro aicost_langfuse_json_is(json_text, opening) -%}
    {#- The text is valid JSON opening with `opening` (`{` an object, `[` a list). -#}
    coalesce(json_valid({{ json_text }}) and left(ltrim({{ json_text }}), 1) = '{{ opening }}', false)
{%- endmacro %}

{% macro aicost_langfuse_first_spelling(struct, names) -%}
    {#- The first spelling present (non-empty) of a field: an empty string is no value (CSV). -#}
    coalesce({% for name in names %}nullif({{ struct }}.{{ adapter.quote(name) }}, ''){{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro aicost_langfuse_records(files) -%}
    {#- One row per record of `files`: source_file, line_number, record_index, parse_error
        (`invalid_encoding`, `malformed_json`, `no_records`, `unreadable_file`) and document
        (the record as a JSON object, NULL when unreadable). -#}
    {%- set groups = {'jsonl': [], 'json': [], 'csv': []} -%}
    {%- for file in files -%}
        {%- set extension = file.lower().rsplit('.', 1)[-1] -%}
        {%- do groups[extension if extension in groups else 'jsonl'].append(file) -%}
    {%- endfor -%}
    {%- set branches = [] -%}
    {%- if groups.jsonl -%}{%- do branches.append(aicost_langfuse_json_records(groups.jsonl, false)) -%}{%- endif -%}
    {%- if groups.json -%}{%- do branches.append(aicost_langfuse_json_records(groups.json, true)) -%}{%- endif -%}
    {%- if groups.csv -%}{%- do branches.append(aicost_langfuse_csv_records(groups.csv)) -%}{%- endif -%}
    {%- if not branches -%}
        {%- do branches.append(
            "select cast(null as varchar) as source_file, cast(null as bigint) as line_number,"
            ~ " cast(null as bigint) as record_index, cast(null as varchar) as parse_error,"
            ~ " cast(null as json) as document where false") -%}
    {%- endif -%}
    {{ branches | join('\nunion all\n') }}
{%- endmacro %}

{% macro aicost_langfuse_json_records(files, whole_file) -%}
    {#- A JSON document is a record (an object), a page (`data`: a list of records) or an array of
        records (the blob export's JSON file); an element that is not an object is a
        `malformed_json` record, a page or array without elements one `no_records` row. -#}
    select source_file, line_number, record_index, parse_error, document
    from (
        with

        documents as (

            {{ aicost_read_json_documents(files, whole_file) }}

        ),

        shaped as (

            select
                source_file,
                line_number,
                document_error,
                case
                    when document_error is not null then null
                    when json_type(document) = 'ARRAY' then json_extract(document, '$[*]')
                    when json_type(document) = 'OBJECT' and json_type(document, '$.data') = 'ARRAY'
                        then json_extract(document, '$.data[*]')
                    when json_type(document) = 'OBJECT' then [document]
                end as elements
            from documents

        ),

        unnested as (

            select
                source_file,
                line_number,
                unnest(elements) as element,
                generate_subscripts(elements, 1) - 1 as record_index
            from shaped
            where len(elements) > 0

        )

        select
            source_file,
            cast(line_number as bigint) as line_number,
            cast(0 as bigint) as record_index,
            coalesce(document_error, case when elements is null then 'malformed_json' else 'no_records' end) as parse_error,
            cast(null as json) as document
        from shaped
        where elements is null or len(elements) = 0

        union all

        select
            source_file,
            cast(line_number as bigint),
            cast(record_index as bigint),
            case when json_type(element) <> 'OBJECT' then 'malformed_json' end,
            case when json_type(element) = 'OBJECT' then element end
        from unnested
    ) as json_records
{%- endmacro %}

{% macro aicost_langfuse_csv_records(files) -%}
    {#- CSV as Langfuse's export writes it (a header row, every cell quoted, objects and lists as
        JSON-encoded cells), read from the file's lines so that a line that is not UTF-8 loses
        only its row: a quoted cell may span lines (an odd count of quotes leaves the row open),
        missing cells are empty, extra cells ignored. Each row becomes a JSON object keyed by the
        header (lower case; the first of repeated names wins). `line_number` is the row (1 = the
        first under the header); rows under a header that is not UTF-8 are `unreadable_file`. -#}
    select source_file, line_number, record_index, parse_error, document
    from (
        with

        lines as (

            select
                *,
                case when line_error is null then (length(raw_line) - length(replace(raw_line, '"', ''))) % 2 else 0 end
                    as quote_parity
            from ({{ aicost_read_lines(files) }}) as file_lines

        ),

        opened as (

            select
                *,
                coalesce(sum(quote_parity) over (
                    partition by source_file order by line_number rows between unbounded preceding and 1 preceding
                ), 0) % 2 = 1 as continues_row
            from lines

        ),

        numbered as (

            select
                *,
                sum(case when line_error is not null or not continues_row then 1 else 0 end) over (
                    partition by source_file order by line_number rows unbounded preceding
                ) as row_index
            from opened

        ),

        csv_rows as (

            select
                source_file,
                row_index,
                bool_or(line_error is not null) as is_invalid,
                list_transform(
                    regexp_extract_all(string_agg(raw_line, chr(10) order by line_number), '(?:^|,)("(?:[^"]|"")*"|[^,]*)', 1),
                    lambda cell: case
                        when length(cell) >= 2 and starts_with(cell, '"') and ends_with(cell, '"')
                            then replace(substr(cell, 2, length(cell) - 2), '""', '"')
                        else cell
                    end
                ) as cells
            from numbered
            group by source_file, row_index

        ),

        headers as (

            select
                source_file,
                is_invalid as header_is_invalid,
                list_transform(cells, lambda name: lower(trim(name))) as header
            from csv_rows
            where row_index = 1

        )

        select
            csv_rows.source_file,
            cast(csv_rows.row_index - 1 as bigint) as line_number,
            cast(0 as bigint) as record_index,
            case
                when csv_rows.is_invalid then 'invalid_encoding'
                when headers.header_is_invalid then 'unreadable_file'
            end as parse_error,
            case when not csv_rows.is_invalid and not headers.header_is_invalid then json(
                '{' || array_to_string(list_transform(
                    range(1, len(headers.header) + 1),
                    lambda position: to_json(headers.header[position]) || ':'
                        || coalesce(to_json(csv_rows.cells[position]), 'null')
                ), ',') || '}'
            ) end as document
        from csv_rows
        inner join headers on csv_rows.source_file = headers.source_file
        where csv_rows.row_index > 1
    ) as csv_records
{%- endmacro %}
