{#- Reading raw files as lines and JSON documents, whatever bytes they hold (DuckDB landing).

    A file is read as bytes (read_blob), never as text: read_text stops the whole build on one byte
    that is not UTF-8. A file that decodes is split into lines; a file that does not is split on
    its newline bytes and each line is decoded on its own, so only the lines that are not UTF-8 are
    lost to an `invalid_encoding` reject and the others still land. A byte-order mark and CR line
    ends are removed; blank lines are not records (they still count in line numbers, as an editor
    counts them). -#}

{% macro aicost_list_files(folder, patterns) -%}
    {#- The files in `folder` matching any of `patterns` (glob), sorted; [] while dbt parses. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set globs = [] -%}
    {%- for pattern in patterns -%}
        {%- do globs.append("select file from glob(" ~ aicost_sql_string(folder ~ '/' ~ pattern) ~ ")") -%}
    {%- endfor -%}
    {%- set found = run_query("select distinct file from (" ~ globs | join(' union all ') ~ ") as files order by file") -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}

{% macro aicost_parquet_files_by_readability(files) -%}
    {#- {readable: [...], unreadable: [...]}: a file is readable Parquet when it starts and ends
        with the `PAR1` magic; any other file (truncated, another format) would stop the reader,
        so each source lands it as one `unreadable_file` reject instead. -#}
    {%- set checked = run_query(
        "select filename, coalesce(content[1:4] = 'PAR1'::blob and content[-4:] = 'PAR1'::blob, false)"
        ~ " from read_blob(" ~ aicost_sql_list(files) ~ ") order by filename") -%}
    {%- set found = {'readable': [], 'unreadable': []} -%}
    {%- for row in checked.rows -%}
        {%- do found['readable' if row[1] else 'unreadable'].append(row[0]) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{% macro aicost_sql_string(value) -%}
    '{{ (value | string).replace("'", "''") }}'
{%- endmacro %}

{% macro aicost_sql_list(values) -%}
    [{%- for value in values %}{{ aicost_sql_string(value) }}{{ ', ' if not loop.last }}{% endfor -%}]
{%- endmacro %}

{% macro aicost_invalid_line_marker() -%}
    {#- Stands in for a line whose bytes are not UTF-8 (a NUL cannot start a line of JSON or CSV). -#}
    chr(0) || 'aicost:invalid-utf-8'
{%- endmacro %}

{% macro aicost_read_lines(files) -%}
    {#- One row per non-blank line of `files`: source_file, line_number (1-based), raw_line (text,
        NULL when the line is not UTF-8) and line_error (`invalid_encoding` or NULL). -#}
    {%- set marker = aicost_invalid_line_marker() -%}
    select
        source_file,
        line_number,
        case when raw_line <> {{ marker }} then raw_line end as raw_line,
        case when raw_line = {{ marker }} then 'invalid_encoding' end as line_error
    from (
        select
            source_file,
            line_number,
            {#- the byte-order mark only ever starts a file's first line -#}
            case
                when line_number = 1 and starts_with(split_line, chr(65279)) then rtrim(substr(split_line, 2), chr(13))
                else rtrim(split_line, chr(13))
            end as raw_line
        from (
            select
                filename as source_file,
                unnest(lines) as split_line,
                generate_subscripts(lines, 1) as line_number
            from (
                select
                    filename,
                    case
                        when try(decode(content)) is not null then string_split(try(decode(content)), chr(10))
                        else list_transform(
                            regexp_extract_all(hex(content), '((?:[0-9A-F]{2})*?)(?:0A|$)', 1),
                            lambda line_hex: coalesce(try(decode(unhex(line_hex))), {{ marker }})
                        )
                    end as lines
                from read_blob({{ aicost_sql_list(files) }})
            ) as files
        ) as split
    ) as lines
    where raw_line is null or trim(raw_line) <> ''
{%- endmacro %}

{% macro aicost_quote_non_finite_numbers(json_text) -%}
    {#- JSON has no NaN or Infinity, but Python's json module writes them: as quoted strings they
        parse, and the field holding one is then "sent but unreadable" like any other bad value
        (a token count becomes a reject, a latency a warning) instead of the whole line being lost.
        Run twice because matches share the separators between them ([NaN,NaN]). -#}
    {%- set pattern = "'([\\[:,]\\s*)(-?(?:NaN|Infinity))(\\s*[,\\]}])'" -%}
    regexp_replace(regexp_replace({{ json_text }}, {{ pattern }}, '\1"\2"\3', 'g'), {{ pattern }}, '\1"\2"\3', 'g')
{%- endmacro %}

{% macro aicost_read_json_documents(files, whole_file=false) -%}
    {#- One row per JSON document: source_file, line_number, document (JSON, NULL when unreadable)
        and document_error (`invalid_encoding`, `malformed_json` or NULL). JSON Lines: one document
        per non-blank line. With whole_file, a file that is one JSON document (pretty-printed or
        not, e.g. an API response page) is one document at line 1, and any other file is read as
        JSON Lines. -#}
    {%- if whole_file %}
    with

    whole_files as (

        {#- a byte-order mark before a whole-file document is removed, as on a first line -#}
        select
            source_file,
            case when starts_with(decoded, chr(65279)) then substr(decoded, 2) else decoded end as content
        from (
            select filename as source_file, try(decode(content)) as decoded
            from read_blob({{ aicost_sql_list(files) }})
        ) as decoded_files

    ),

    single_documents as (

        select source_file from whole_files
        where json_valid(content) and json_type(try(json(content))) in ('OBJECT', 'ARRAY')
            and position(chr(10) in rtrim(content, chr(10) || chr(13) || ' ')) > 0

    )

    select
        whole_files.source_file,
        cast(1 as bigint) as line_number,
        try(json(whole_files.content)) as document,
        cast(null as varchar) as document_error
    from whole_files
    inner join single_documents on whole_files.source_file = single_documents.source_file

    union all

    select
        lines.source_file,
        lines.line_number,
        lines.document,
        lines.document_error
    from ({{ aicost_read_json_lines(files) }}) as lines
    where lines.source_file not in (select source_file from single_documents)
    {%- else %}
    {{ aicost_read_json_lines(files) }}
    {%- endif %}
{%- endmacro %}

{% macro aicost_read_json_lines(files) -%}
    select
        source_file,
        line_number,
        parsed as document,
        case
            when line_error is not null then line_error
            when parsed is null then 'malformed_json'
        end as document_error
    from (
        select
            source_file,
            line_number,
            line_error,
            coalesce(
                try(json(raw_line)),
                case when regexp_matches(raw_line, 'NaN|Infinity') then try(json({{ aicost_quote_non_finite_numbers('raw_line') }})) end
            ) as parsed
        from ({{ aicost_read_lines(files) }}) as lines
    ) as parsed_lines
{%- endmacro %}
