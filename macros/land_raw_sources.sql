{#- The raw landing: the only place that knows raw inputs are files.

    On DuckDB it (re)creates one view per source table of the `raw` source in
    `var('raw_schema')`, reading the files in `var('raw_path')`:
      - usage/*.jsonl is read as text and split into lines, so a malformed line keeps its file
        and line number and becomes a reject downstream instead of being skipped by a reader;
      - usage/*.parquet is read by column, missing optional columns landing as NULL;
      - each optional CSV is read as text, or, when the file is absent, is an empty relation
        with the contract's columns.
    JSON Lines columns are text (plus line_number); Parquet columns keep their own types unless
    JSON Lines land beside them. Staging casts with portable macros, by the type it finds.
    Prompt, response and message fields are never selected; an `api_key` is kept only as a hash.

    On a warehouse the raw tables already exist (loaded by the user's pipeline) and this macro
    does nothing. -#}

{% macro land_raw_sources() -%}
    {{ return(adapter.dispatch('land_raw_sources', 'ai_cost_attribution')()) }}
{%- endmacro %}

{% macro default__land_raw_sources() -%}
    select 1 as raw_tables_are_loaded_by_the_warehouse
{%- endmacro %}

{% macro duckdb__land_raw_sources() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set raw_path = (var('raw_path') | string).rstrip('/') -%}
    {%- set raw_schema = var('raw_schema') -%}
    {%- set usage_dir = raw_path ~ '/usage' -%}

    {%- set found = run_query(
        "select count(*) filter (where file ilike '%.jsonl' or file ilike '%.json'),"
        ~ " count(*) filter (where file ilike '%.parquet')"
        ~ " from glob(" ~ aicost_sql_string(usage_dir ~ '/*') ~ ")"
    ) -%}
    {%- set jsonl_files = found.rows[0][0] -%}
    {%- set parquet_files = found.rows[0][1] -%}
    {%- if jsonl_files + parquet_files == 0 -%}
        {{ exceptions.raise_compiler_error(
            "No usage events found: expected usage/*.jsonl or usage/*.parquet under raw_path '"
            ~ raw_path ~ "' (looked in '" ~ usage_dir ~ "', relative to the directory dbt runs in)."
            ~ " Generate the demo with `aicost demo`, or pass --vars '{raw_path: /path/to/your/folder}'."
        ) }}
    {%- endif -%}

    {#- With both formats present the Parquet columns are cast to text so the branches line up;
        with Parquet alone they keep their own types (staging reads them without text casts). -#}
    {%- set branches = [] -%}
    {%- if jsonl_files > 0 -%}
        {%- do branches.append(aicost_land_usage_jsonl(usage_dir)) -%}
    {%- endif -%}
    {%- if parquet_files > 0 -%}
        {%- do branches.append(aicost_land_usage_parquet(usage_dir, as_text=jsonl_files > 0)) -%}
    {%- endif -%}

    create schema if not exists {{ raw_schema }};
    create or replace view {{ raw_schema }}.usage_events as
    {{ branches | join('\nunion all\n') }};
    {% for table_name, columns in raw_csv_sources().items() %}
    {{ aicost_land_csv(raw_schema, raw_path, table_name, columns) }};
    {% endfor %}
{%- endmacro %}

{% macro aicost_usage_file_globs() -%}
    {#- The usage files the landing reads, as DuckDB glob patterns (JSON Lines, then Parquet). -#}
    {%- set usage_dir = (var('raw_path') | string).rstrip('/') ~ '/usage' -%}
    {{ return([usage_dir ~ '/*.json*', usage_dir ~ '/*.parquet']) }}
{%- endmacro %}

{% macro aicost_sql_string(value) -%}
    '{{ (value | string).replace("'", "''") }}'
{%- endmacro %}

{% macro aicost_text_keys_to_drop() -%}
    {#- Keys removed from `metadata` as well: free text never travels past the landing. -#}
    {{ return(['prompt', 'prompts', 'response', 'responses', 'messages', 'completion', 'input',
               'output', 'content', 'text', 'system_prompt', 'api_key']) }}
{%- endmacro %}

{% macro aicost_json_structure(fields, json_fields=[]) -%}
    {#- A json_transform structure reading `fields` as text and `json_fields` as JSON. -#}
    {%- set structure = {} -%}
    {%- for field in fields -%}{%- do structure.update({field: 'VARCHAR'}) -%}{%- endfor -%}
    {%- for field in json_fields -%}{%- do structure.update({field: 'JSON'}) -%}{%- endfor -%}
    {{ aicost_sql_string(tojson(structure)) }}
{%- endmacro %}

{% macro aicost_metadata_without_text(json_text) -%}
    {#- The metadata object as JSON text with the free-text keys removed; NULL unless an object.
        `json_text` must already be valid JSON. The patch (which re-serialises the object) only
        runs when one of the keys may be present, so most rows keep their text untouched. -#}
    {%- set patch = {} -%}
    {%- for key in aicost_text_keys_to_drop() -%}{%- do patch.update({key: none}) -%}{%- endfor -%}
    case
        when left(ltrim({{ json_text }}), 1) <> '{' then null
        when regexp_matches({{ json_text }}, '"({{ aicost_text_keys_to_drop() | join('|') }})"')
            then cast(json_merge_patch({{ json_text }}, {{ aicost_sql_string(tojson(patch)) }}) as varchar)
        else cast({{ json_text }} as varchar)
    end
{%- endmacro %}

{% macro aicost_land_usage_jsonl(usage_dir) -%}
    {#- One row per non-blank line of every JSON Lines file; line numbers are 1-based (blank lines
        count, as an editor counts them). Each line is parsed once, by json_transform into a
        struct of text fields; a line that is not a JSON object lands with parse_error set. -#}
    {%- set tags = usage_event_tag_fields() -%}
    select
        lines.source_file,
        lines.line_number,
        case when lines.event is null then 'malformed_json' end as parse_error,
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
                case when left(ltrim(raw_line), 1) = '{' then
                    try(json_transform(raw_line, {{ aicost_json_structure(
                        usage_event_text_fields() + tags + ['api_key'], ['metadata']) }}))
                end as event
            from (
                select
                    filename as source_file,
                    rtrim(unnest(lines), chr(13)) as raw_line,
                    generate_subscripts(lines, 1) as line_number
                from (
                    select filename, string_split(content, chr(10)) as lines
                    from read_text({{ aicost_sql_string(usage_dir ~ '/*.json*') }})
                )
            )
            where trim(raw_line) <> ''
        ) as parsed
    ) as lines
{%- endmacro %}

{% macro aicost_land_usage_parquet(usage_dir, as_text=false) -%}
    {#- Parquet carries its own types: each known column is read as it is (as text only when
        JSON Lines files land beside it); absent columns are NULL; a tag missing as a column is
        read from `metadata` (a JSON object as text, or a struct). -#}
    {%- set reader = "read_parquet(" ~ aicost_sql_string(usage_dir ~ '/*.parquet')
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
    )
{%- endmacro %}

{% macro aicost_land_csv(raw_schema, raw_path, table_name, columns) -%}
    {%- set file_path = raw_path ~ '/' ~ table_name ~ '.csv' -%}
    {%- set exists = run_query("select count(*) from glob(" ~ aicost_sql_string(file_path) ~ ")").rows[0][0] > 0 -%}
    {%- if exists -%}
        {%- set reader = "read_csv(" ~ aicost_sql_string(file_path) ~ ", header = true, all_varchar = true)" -%}
        {%- set present = [] -%}
        {%- for row in run_query("describe select * from " ~ reader).rows -%}
            {%- do present.append(row[0] | lower) -%}
        {%- endfor -%}
    create or replace view {{ raw_schema }}.{{ table_name }} as
    select
        {%- for column in columns %}
        {% if column in present %}nullif(trim("{{ column }}"), ''){% else %}cast(null as varchar){% endif %} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ reader }}
    {%- else -%}
    create or replace view {{ raw_schema }}.{{ table_name }} as
    select
        {%- for column in columns %}
        cast(null as varchar) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where false
    {%- endif -%}
{%- endmacro %}
