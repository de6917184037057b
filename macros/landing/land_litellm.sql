{#- LiteLLM's records (README "Build on LiteLLM logs"), landed as raw.litellm_spend_logs and
    raw.litellm_payloads on DuckDB:
      - litellm_spend_logs/: rows of the proxy's LiteLLM_SpendLogs table, as JSON Lines, a JSON
        document (a /spend/logs array, or a page {"data": [...]}), CSV (psql `\copy ... csv
        header`) or Parquet;
      - litellm_payloads/: StandardLoggingPayload objects, one per file (S3/GCS bucket logging)
        or one per line (custom callbacks, batch files).

    Every format becomes one JSON document per line (or per file, or per CSV row, or per Parquet
    row), every document one row per record it holds (an array or a page holds many:
    record_index), and every record keeps only an allow-list: the top-level fields of
    aicost_litellm_formats() and, inside LiteLLM's metadata objects, the paths the mapping reads
    (token counts, the key hash, spend_logs_metadata without its text keys, and the metadata
    locations of var('litellm_dimensions')). Messages, responses, request bodies, error text and
    model parameters are never selected. The columns keep LiteLLM's names, so the staging models
    read the proxy's own PostgreSQL table the same way. -#}

{% macro aicost_litellm_formats() -%}
    {#- What is kept of each LiteLLM format: the top-level fields (as text), the JSON objects whose
        allow-listed paths are kept, where the usage objects are, which values are key hashes (a
        value that is not a SHA-256 is hashed again, so no key lands) and the free-form objects
        kept whole (text keys removed). `record_key` tells a record from a page of records. -#}
    {{ return({
        'spend_logs': {
            'record_key': 'request_id',
            'fields': ['request_id', 'call_type', 'api_key', 'spend', 'total_tokens', 'prompt_tokens',
                       'completion_tokens', 'startTime', 'endTime', 'completionStartTime', 'request_duration_ms',
                       'model', 'model_id', 'model_group', 'custom_llm_provider', 'api_base', 'user', 'cache_hit',
                       'team_id', 'organization_id', 'end_user', 'session_id', 'status', 'mcp_namespaced_tool_name',
                       'billing_agent_id', 'agent_id', 'litellm_call_id', 'created_at', 'updated_at'],
            'objects': ['metadata'],
            'usage_objects': [['metadata', 'additional_usage_values'], ['metadata', 'usage_object']],
            'hashes': [['api_key']],
            'free_form': [['metadata', 'spend_logs_metadata']],
        },
        'payloads': {
            'record_key': 'id',
            'fields': ['id', 'trace_id', 'session_id', 'litellm_call_id', 'call_type', 'stream', 'status',
                       'custom_llm_provider', 'model', 'model_id', 'model_group', 'api_base', 'prompt_tokens',
                       'completion_tokens', 'total_tokens', 'response_cost', 'startTime', 'endTime',
                       'completionStartTime', 'response_time', 'cache_hit', 'end_user'],
            'objects': ['metadata', 'hidden_params'],
            'usage_objects': [['metadata', 'usage_object'], ['hidden_params', 'usage_object']],
            'hashes': [['metadata', 'user_api_key_hash']],
            'free_form': [['metadata', 'spend_logs_metadata']],
        },
    }) }}
{%- endmacro %}

{% macro aicost_litellm_usage_paths() -%}
    {#- Where a LiteLLM usage object (litellm.Usage, dumped) keeps each token count the contract
        needs beyond prompt_tokens / completion_tokens, first path first. prompt_tokens already
        includes cache reads and writes for every provider (LiteLLM's Anthropic and Bedrock parsers
        add them); completion_tokens includes reasoning. -#}
    {{ return({
        'cache_read_tokens': [['cache_read_input_tokens'], ['prompt_tokens_details', 'cached_tokens']],
        'cache_write_tokens': [['cache_creation_input_tokens'], ['prompt_tokens_details', 'cache_creation_tokens'],
                               ['prompt_tokens_details', 'cache_write_tokens']],
        'cache_write_1h_tokens': [['prompt_tokens_details', 'cache_creation_token_details', 'ephemeral_1h_input_tokens']],
        'reasoning_tokens': [['completion_tokens_details', 'reasoning_tokens']],
    }) }}
{%- endmacro %}

{% macro aicost_litellm_kept_paths(format) -%}
    {#- Every path kept inside the format's objects, as lists of keys starting with the object. -#}
    {%- set spec = aicost_litellm_formats()[format] -%}
    {%- set paths = [] -%}
    {%- for container in spec.usage_objects -%}
        {%- for token_paths in aicost_litellm_usage_paths().values() -%}
            {%- for path in token_paths -%}{%- do paths.append(container + path) -%}{%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for path in spec.hashes + spec.free_form if path | length > 1 -%}
        {%- do paths.append(path) -%}
    {%- endfor -%}
    {%- for name, locations in aicost_litellm_dimension_locations().items() -%}
        {%- for location in locations if location.startswith('metadata.') -%}
            {%- do paths.append(location.split('.')) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(paths) }}
{%- endmacro %}

{% macro aicost_litellm_path_tree(paths) -%}
    {#- Paths as a nested dict (a leaf is none); a path that is a prefix of another keeps it all. -#}
    {%- set tree = {} -%}
    {%- for path in paths | sort(attribute='__len__') -%}
        {%- set ns = namespace(node=tree, covered=false) -%}
        {%- for key in path -%}
            {%- if not ns.covered -%}
                {%- if loop.last -%}
                    {%- do ns.node.update({key: none}) -%}
                {%- elif key in ns.node and ns.node[key] is none -%}
                    {%- set ns.covered = true -%}
                {%- else -%}
                    {%- if key not in ns.node -%}{%- do ns.node.update({key: {}}) -%}{%- endif -%}
                    {%- set ns.node = ns.node[key] -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(tree) }}
{%- endmacro %}

{% macro aicost_litellm_json_structure(tree) -%}
    {#- A json_transform structure for a path tree: branches are structs, leaves stay JSON. -#}
    {%- set structure = {} -%}
    {%- for key, child in tree.items() -%}
        {%- do structure.update({key: 'JSON' if child is none else aicost_litellm_json_structure(child)}) -%}
    {%- endfor -%}
    {{ return(structure) }}
{%- endmacro %}

{% macro aicost_litellm_leaf(value, path, spec) -%}
    {#- One kept JSON value: a key hash re-hashed unless it is a SHA-256, a free-form object without
        its text keys, any other object or array emptied (its shape tells staging it is not text);
        scalars as they are. -#}
    {%- if path in spec.hashes -%}
        case when json_type({{ value }}) not in ('NULL', 'OBJECT', 'ARRAY') then to_json({{ aicost_litellm_key_hash('json_extract_string(' ~ value ~ ", '$')") }}) end
    {%- elif path in spec.free_form -%}
        case json_type({{ value }})
            when 'OBJECT' then json({{ aicost_metadata_without_text(value) }})
            when 'ARRAY' then json('[]')
            when 'VARCHAR' then json('""')
            else {{ value }}
        end
    {%- else -%}
        case json_type({{ value }}) when 'OBJECT' then json('{}') when 'ARRAY' then json('[]') else {{ value }} end
    {%- endif -%}
{%- endmacro %}

{% macro aicost_litellm_key_hash(text) -%}
    {#- LiteLLM logs the SHA-256 of a virtual key; anything else is hashed so no key text lands. -#}
    case
        when nullif({{ text }}, '') is null then null
        when regexp_full_match({{ text }}, '[0-9a-f]{64}') then {{ text }}
        else sha256({{ text }})
    end
{%- endmacro %}

{% macro aicost_litellm_kept_object(struct, tree, path, spec) -%}
    {#- The allow-listed JSON object rebuilt from a json_transform struct of `tree`. -#}
    json_object(
        {%- for key, child in tree.items() %}
        '{{ key }}', {% if child is none %}{{ aicost_litellm_leaf(struct ~ '."' ~ key ~ '"', path + [key], spec) }}{% else %}{{ aicost_litellm_kept_object(struct ~ '."' ~ key ~ '"', child, path + [key], spec) }}{% endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro aicost_litellm_json_value(value) -%}
    {#- A JSON value that may be sent as a string holding JSON (SpendLogsPayload's `metadata: str`,
        a CSV cell), or as a string holding such a string (a JSON column that stored the text), as
        the JSON it holds. -#}
    {{ aicost_litellm_json_unwrapped(aicost_litellm_json_unwrapped(value)) }}
{%- endmacro %}

{% macro aicost_litellm_json_unwrapped(value) -%}
    case when json_type({{ value }}) = 'VARCHAR' then coalesce(try(json(json_extract_string({{ value }}, '$'))), {{ value }}) else {{ value }} end
{%- endmacro %}

{% macro aicost_litellm_field_text(value) -%}
    {#- A top-level field as text: strings unquoted, numbers and booleans as written, an object or
        array emptied to its shape (so staging warns, and no text it held lands). -#}
    case json_type({{ value }})
        when 'VARCHAR' then json_extract_string({{ value }}, '$')
        when 'OBJECT' then '{}'
        when 'ARRAY' then '[]'
        when 'NULL' then null
        else cast({{ value }} as varchar)
    end
{%- endmacro %}

{% macro aicost_land_litellm_spend_logs(files) -%}
    {{ aicost_land_litellm('spend_logs', files) }}
{%- endmacro %}

{% macro aicost_land_litellm_payloads(files) -%}
    {{ aicost_land_litellm('payloads', files) }}
{%- endmacro %}

{% macro aicost_land_litellm(format, files) -%}
    {#- One row per record of `files` (any list, [] included): source_file, line_number,
        record_index, parse_error, the kept fields under LiteLLM's names, the kept objects as JSON
        text with `<object>_is_sent`, request_tags as a JSON array of text with
        request_tags_is_sent. -#}
    {%- set spec = aicost_litellm_formats()[format] -%}
    {%- set tree = aicost_litellm_path_tree(aicost_litellm_kept_paths(format)) -%}
    {%- set top = {} -%}
    {%- for field in spec.fields + spec.objects + ['request_tags'] -%}{%- do top.update({field: 'JSON'}) -%}{%- endfor -%}
    with

    documents as (

        {{ aicost_litellm_documents(files, spec) | indent(8) }}

    ),

    records as (

        {{ aicost_litellm_records('documents', spec.record_key) | indent(8) }}

    ),

    parsed as (

        select
            *,
            case when parse_error is null then try(json_transform(record, {{ aicost_sql_string(tojson(top)) }})) end as fields
        from records

    ),

    objects as (

        select
            parsed.*,
            {%- for object in spec.objects %}
            {{ aicost_litellm_json_value('fields."' ~ object ~ '"') }} as {{ object }}_json,
            {%- endfor %}
            {{ aicost_litellm_json_value('fields.request_tags') }} as request_tags_json
        from parsed

    ),

    kept as (

        select
            objects.*,
            {%- for object in spec.objects %}
            {%- if tree.get(object) %}
            case when json_type({{ object }}_json) = 'OBJECT' then
                json_transform({{ object }}_json, {{ aicost_sql_string(tojson(aicost_litellm_json_structure(tree[object]))) }})
            end as {{ object }}_kept,
            {%- endif %}
            {%- endfor %}
            case when json_type(request_tags_json) = 'ARRAY' then json_transform(request_tags_json, '["JSON"]') end as request_tags_list
        from objects

    ),

    final as (

        select
            source_file,
            line_number,
            record_index,
            parse_error,
            parse_detail,
            {%- for field in spec.fields %}
            {%- if [field] in spec.hashes %}
            {{ aicost_litellm_key_hash(aicost_litellm_field_text('fields."' ~ field ~ '"')) }} as "{{ field }}",
            {%- else %}
            {{ aicost_litellm_field_text('fields."' ~ field ~ '"') }} as "{{ field }}",
            {%- endif %}
            {%- endfor %}
            {%- for object in spec.objects %}
            coalesce(json_type(fields."{{ object }}") not in ('NULL'), false) as {{ object }}_is_sent,
            {%- if tree.get(object) %}
            case when {{ object }}_kept is not null then
                cast({{ aicost_litellm_kept_object(object ~ '_kept', tree[object], [object], spec) | indent(16) }} as varchar)
            end as {{ object }},
            {%- else %}
            case when json_type({{ object }}_json) = 'OBJECT' then '{}' end as {{ object }},
            {%- endif %}
            {%- endfor %}
            coalesce(json_type(fields.request_tags) not in ('NULL'), false) as request_tags_is_sent,
            case when request_tags_list is not null then cast(to_json(list_transform(
                list_filter(request_tags_list, lambda tag: json_type(tag) not in ('OBJECT', 'ARRAY', 'NULL')),
                lambda tag: {{ aicost_litellm_field_text('tag') }}
            )) as varchar) end as request_tags
        from kept

    )

    select * from final
{%- endmacro %}

{% macro aicost_litellm_documents(files, spec) -%}
    {#- (source_file, line_number, document, document_error) for every file of any format; an
        empty relation for no files. -#}
    {%- set json_files = [] -%}
    {%- set csv_files = [] -%}
    {%- set parquet_files = [] -%}
    {%- for file in files -%}
        {%- if file.lower().endswith('.parquet') -%}{%- do parquet_files.append(file) -%}
        {%- elif file.lower().endswith('.csv') -%}{%- do csv_files.append(file) -%}
        {%- else -%}{%- do json_files.append(file) -%}{%- endif -%}
    {%- endfor -%}
    {%- set branches = [] -%}
    {%- if json_files -%}
        {%- do branches.append('select source_file, line_number, document, document_error from ('
            ~ aicost_read_json_documents(json_files, whole_file=true) ~ ') as json_documents') -%}
    {%- endif -%}
    {%- if csv_files -%}
        {%- do branches.append('select source_file, line_number, document, document_error from ('
            ~ aicost_litellm_csv_documents(csv_files, spec.fields + spec.objects + ['request_tags']) ~ ') as csv_documents') -%}
    {%- endif -%}
    {%- if parquet_files -%}
        {%- set checked = aicost_parquet_files_by_readability(parquet_files) -%}
        {%- if checked.readable -%}
            {%- do branches.append(
                "select filename as source_file, file_row_number + 1 as line_number, to_json(parquet_rows) as document,"
                ~ " cast(null as varchar) as document_error from read_parquet(" ~ aicost_sql_list(checked.readable)
                ~ ", union_by_name = true, filename = true, file_row_number = true) as parquet_rows") -%}
        {%- endif -%}
        {%- for file in checked.unreadable -%}
            {%- do branches.append("select " ~ aicost_sql_string(file) ~ " as source_file, cast(1 as bigint) as line_number,"
                ~ " cast(null as json) as document, 'unreadable_file' as document_error") -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not branches -%}
        {%- do branches.append("select cast(null as varchar) as source_file, cast(null as bigint) as line_number,"
            ~ " cast(null as json) as document, cast(null as varchar) as document_error where false") -%}
    {%- endif -%}
    {{ branches | join('\nunion all\n') }}
{%- endmacro %}

{% macro aicost_litellm_records(documents, record_key) -%}
    {#- One row per record: a document that is an object is one record; an array, or a page
        object ({"data": [...]} with no `record_key`), is one record per element (record_index),
        or one `no_records` row when empty; anything else is `malformed_json`. -#}
    with

    shaped as (

        select
            *,
            json_type(document) as document_type,
            case
                when json_type(document) = 'ARRAY' then json_transform(document, '["JSON"]')
                when json_type(document) = 'OBJECT' and json_type(document, '$.data') = 'ARRAY'
                    and json_type(document, '$.{{ record_key }}') is null then json_transform(json_extract(document, '$.data'), '["JSON"]')
            end as elements
        from {{ documents }}

    )

    select
        source_file,
        line_number,
        cast(0 as bigint) as record_index,
        case
            when document_error is not null then document_error
            when document_type = 'OBJECT' then null
            else 'malformed_json'
        end as parse_error,
        cast(null as varchar) as parse_detail,
        document as record
    from shaped
    where elements is null

    union all

    select
        source_file,
        line_number,
        cast(0 as bigint) as record_index,
        'no_records' as parse_error,
        case when document_type = 'ARRAY' then 'an empty JSON array' else 'a page whose data is empty' end as parse_detail,
        cast(null as json) as record
    from shaped
    where len(elements) = 0

    union all

    select
        source_file,
        line_number,
        cast(element_number - 1 as bigint) as record_index,
        case when json_type(element) <> 'OBJECT' then 'malformed_json' end as parse_error,
        cast(null as varchar) as parse_detail,
        element as record
    from (
        select source_file, line_number, unnest(elements) as element, generate_subscripts(elements, 1) as element_number
        from shaped
        where len(elements) > 0
    ) as listed
{%- endmacro %}

{% macro aicost_litellm_csv_documents(files, columns) -%}
    {#- CSV as psql's `\copy ... to ... csv header` writes it (RFC 4180; NULL is an empty cell):
        one JSON object of text per data row, keyed by the header's names (matched without case;
        missing columns NULL, extra cells ignored). Files are read as lines (aicost_read_lines:
        BOM, CRLF, a line that is not UTF-8 is one invalid_encoding row), and lines are joined
        back into rows while a quoted cell is open (a cell holding a line break). line_number is
        the data row (the header is not counted). -#}
    {%- set quoted_cell = "',(\"(?:[^\"]|\"\")*\"|[^,]*)'" -%}
    with

    csv_lines as (

        select
            *,
            coalesce(length(raw_line) - length(replace(raw_line, '"', '')), 0) as quote_count
        from ({{ aicost_read_lines(files) }}) as lines

    ),

    csv_line_states as (

        select
            *,
            coalesce(sum(quote_count) over (
                partition by source_file order by line_number rows between unbounded preceding and 1 preceding
            ), 0) % 2 = 1 as continues_row
        from csv_lines

    ),

    csv_line_rows as (

        select
            *,
            sum(case when continues_row then 0 else 1 end) over (
                partition by source_file order by line_number rows between unbounded preceding and current row
            ) as row_ordinal
        from csv_line_states

    ),

    csv_rows as (

        select
            source_file,
            row_ordinal,
            string_agg(raw_line, chr(10) order by line_number) as row_text,
            max(line_error) as row_error
        from csv_line_rows
        group by source_file, row_ordinal

    ),

    csv_cells as (

        select
            *,
            list_transform(
                regexp_extract_all(',' || coalesce(row_text, ''), {{ quoted_cell }}, 1),
                lambda cell: case
                    when cell = '' then null
                    when length(cell) >= 2 and starts_with(cell, '"') and ends_with(cell, '"')
                        then replace(cell[2:-2], '""', '"')
                    else cell
                end
            ) as cells
        from csv_rows

    ),

    csv_headers as (

        select source_file, list_transform(cells, lambda name: lower(trim(name))) as header
        from csv_cells
        where row_ordinal = 1

    )

    select
        csv_cells.source_file,
        csv_cells.row_ordinal - 1 as line_number,
        case when csv_cells.row_error is null then json_object(
            {%- for column in columns %}
            '{{ column }}', csv_cells.cells[nullif(list_position(csv_headers.header, '{{ column | lower }}'), 0)]{{ ',' if not loop.last }}
            {%- endfor %}
        ) end as document,
        csv_cells.row_error as document_error
    from csv_cells
    left join csv_headers on csv_cells.source_file = csv_headers.source_file
    where csv_cells.row_ordinal > 1
{%- endmacro %}
