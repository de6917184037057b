{#- The raw landing: the only place that knows raw inputs are files.

    On DuckDB it (re)creates one view per raw table in var('raw_schema'), reading the folders of
    var('raw_path'):
      - each usage source of aicost_usage_sources() (the canonical `usage/` folder, the gateway
        and telemetry exports) through its own landing macro, given the files found, and each
        of its lookups (records that are not calls, such as Langfuse traces) the same way;
        a source whose folder is absent or empty is an empty relation with its columns, and a build
        needs at least one usage source with files;
      - the providers' usage and cost report pages (`provider_usage/`, `provider_costs/`) through
        aicost_land_provider_reports (macros/landing/land_provider_reports.sql), never as calls;
      - each optional CSV is read as text (macros/landing/land_config_csvs.sql), or, when the file
        is absent, is an empty relation with the contract's columns.
    Prompt, response and message text is never selected; an `api_key` is kept only as a hash.

    On a warehouse the raw tables already exist (loaded by the user's pipeline) and the landing
    does nothing; the configuration checks run on every adapter. -#}

{% macro land_raw_sources() -%}
    {{ return(adapter.dispatch('land_raw_sources', 'ai_cost_attribution')()) }}
{%- endmacro %}

{% macro default__land_raw_sources() -%}
    select 1 as raw_tables_are_loaded_by_the_warehouse
{%- endmacro %}

{% macro duckdb__land_raw_sources() -%}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set raw_schema = var('raw_schema') -%}
    {%- set statements = ['create schema if not exists ' ~ raw_schema] -%}
    {%- set looked_in = [] -%}
    {%- set files_found = [] -%}
    {%- for source in aicost_usage_sources() -%}
        {%- set folder = aicost_raw_folder(source.folder) -%}
        {%- set files = aicost_list_files(folder, source.patterns) -%}
        {%- do looked_in.append(folder ~ '/' ~ ('{' ~ source.patterns | join(',') ~ '}')) -%}
        {%- do files_found.extend(files) -%}
        {%- do statements.append(
            'create or replace view ' ~ raw_schema ~ '.' ~ source.table ~ ' as\n'
            ~ source.landing(files)) -%}
        {#- A source's lookups (e.g. Langfuse traces) are not calls: they land the same way but
            never count as the usage logs a build needs. -#}
        {%- for lookup in source.get('lookups', []) -%}
            {%- set lookup_files = aicost_list_files(aicost_raw_folder(lookup.folder), lookup.patterns) -%}
            {%- do statements.append(
                'create or replace view ' ~ raw_schema ~ '.' ~ lookup.table ~ ' as\n'
                ~ lookup.landing(lookup_files)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if files_found | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "No usage logs found under raw_path '" ~ aicost_raw_folder('') ~ "' (relative paths resolve"
            ~ " against the directory dbt runs in). A build needs at least one of: "
            ~ looked_in | join(', ') ~ ". Generate the demo with `aicost demo`, or pass"
            ~ " --vars '{raw_path: /path/to/your/folder}'."
        ) }}
    {%- endif -%}
    {%- do statements.extend(aicost_land_provider_reports(raw_schema)) -%}
    {%- for table_name, columns in raw_csv_sources().items() -%}
        {%- do statements.append(aicost_land_csv(raw_schema, table_name, columns)) -%}
    {%- endfor -%}
    {{ statements | join(';\n') }}
{%- endmacro %}

{% macro aicost_land_raw_files() -%}
    {#- The landing alone, for `dbt run-operation` (aicost load lands a raw folder on a scratch
        DuckDB file this way, then copies the landed relations to a warehouse's raw schema). -#}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error("aicost_land_raw_files lands files on a duckdb target, not " ~ target.type) }}
    {%- endif -%}
    {%- do run_query(land_raw_sources()) -%}
{%- endmacro %}

{% macro aicost_raw_folder(folder) -%}
    {#- A folder of the raw folder (the raw folder itself for ''): var('raw_path'), else the
        AICOST_RAW_PATH environment variable, else demo/raw. Read only while dbt runs (the landing
        hook returns before this while dbt parses), so a new folder never costs a new parse. -#}
    {%- set raw_path = ((var('raw_path') or env_var('AICOST_RAW_PATH', 'demo/raw')) | string).rstrip('/') -%}
    {{ return(raw_path ~ ('/' ~ folder if folder else '')) }}
{%- endmacro %}

{% macro aicost_usage_file_globs() -%}
    {#- Every file pattern of every usage source, as DuckDB glob patterns. -#}
    {%- set globs = [] -%}
    {%- for source in aicost_usage_sources() -%}
        {%- for pattern in source.patterns -%}
            {%- do globs.append(aicost_raw_folder(source.folder) ~ '/' ~ pattern) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(globs) }}
{%- endmacro %}

{% macro aicost_text_keys_to_drop() -%}
    {#- Keys removed from free-form metadata objects: free text never travels past the landing. -#}
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
    {#- A metadata object as JSON text with the free-text keys removed; NULL unless an object.
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

{% macro aicost_json_kind(json_text) -%}
    {#- What a JSON value sent as text is: `object`, `array`, or NULL (absent, or a scalar). A
        JSON column (LiteLLM's own jsonb request_tags) is read as its text. -#}
    case
        when left(ltrim(cast({{ json_text }} as {{ dbt.type_string() }})), 1) = '{' then 'object'
        when left(ltrim(cast({{ json_text }} as {{ dbt.type_string() }})), 1) = '[' then 'array'
    end
{%- endmacro %}
