{#- How the incremental models find their work (docs/performance.md, "How incremental works").

    1. int_usage_events_validated appends the lines of usage files it has not landed yet, each
       stamped `landed_at` = the start of the dbt run. A landed file is never read again.
    2. A model downstream keeps the `landed_at` it has processed through. On an incremental run
       its new lines are those landed after that; their relatives (other copies of the same
       request, other calls of the same trace, calls of the same month) are looked up among
       lines whose occurred_at is at most var('lookback_days') before the earliest new line.
    3. Nothing new: the model selects nothing and keeps its rows.
    4. A reference input changed (the rate card, the aliases, the discounts, the api keys, the
       feature owners): the model's fingerprint of them differs from the one stored with its rows,
       and it rebuilds every row (as --full-refresh would), so an edited price list reprices the
       past.

    These macros run small queries while the model executes; while dbt parses they return
    placeholders. -#}

{% macro aicost_run_timestamp() -%}
    {#- The start of this dbt invocation as a SQL timestamp literal (UTC). -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ api.Column.translate_type('timestamp') }})
{%- endmacro %}

{% macro aicost_unlanded_lines_filter(source_file_column, landed_relation) -%}
    {#- A predicate keeping the raw lines of files that `landed_relation` does not hold yet. -#}
    {{ return(adapter.dispatch('aicost_unlanded_lines_filter', 'ai_cost_attribution')(
        source_file_column, landed_relation)) }}
{%- endmacro %}

{% macro default__aicost_unlanded_lines_filter(source_file_column, landed_relation) -%}
    {{ source_file_column }} not in (select distinct source_file from {{ landed_relation }})
{%- endmacro %}

{% macro duckdb__aicost_unlanded_lines_filter(source_file_column, landed_relation) -%}
    {#- On DuckDB the files are listed (glob) and the new ones named as constants: the filter then
        reaches the Parquet reader, which opens only those files, and JSON Lines files already
        landed are dropped before any line is split or parsed. -#}
    {%- if not execute -%}{{ return('1 = 0') }}{%- endif -%}
    {%- set listed = [] -%}
    {%- for pattern in aicost_usage_file_globs() -%}
        {%- do listed.append("select file from glob(" ~ aicost_sql_string(pattern) ~ ")") -%}
    {%- endfor -%}
    {%- set new_files = run_query(
        "select file from (" ~ listed | join(' union all ') ~ ") as listed"
        ~ " where file not in (select distinct source_file from " ~ landed_relation ~ ") order by file"
    ).columns[0].values() -%}
    {%- if new_files | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ source_file_column }} in (
            {%- for file in new_files %}{{ aicost_sql_string(file) }}{{ ', ' if not loop.last }}{% endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{% macro aicost_reference_fingerprint(relations) -%}
    {#- SQL for one text value that changes when the content of any of `relations` changes. -#}
    {%- set parts = [] -%}
    {%- for relation in relations -%}
        {%- do parts.append(
            "(select " ~ dbt.hash("coalesce(" ~ dbt.listagg(aicost_row_as_text('reference_row'), "'|'",
                                                            "order by " ~ aicost_row_as_text('reference_row'))
                                  ~ ", '')")
            ~ " from (select * from " ~ relation ~ ") as reference_row)") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro aicost_row_as_text(alias) -%}
    {#- One text value holding every column of the row of the table alias `alias`. -#}
    {{ return(adapter.dispatch('aicost_row_as_text', 'ai_cost_attribution')(alias)) }}
{%- endmacro %}

{% macro default__aicost_row_as_text(alias) -%}
    cast({{ alias }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__aicost_row_as_text(alias) -%}
    {#- Spark reads a table alias as no value: the row's columns as a struct, cast. -#}
    cast(struct({{ alias }}.*) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro aicost_stored_stamps(this_relation, fingerprint) -%}
    {#- What an incremental model's own rows say (run while the model executes): the latest
        processed_through they stamp (none when there are no rows), and whether `fingerprint` (SQL
        of the reference inputs' fingerprint, none when the model has no reference inputs) differs
        from the one stamped on any row. A row stamped with no fingerprint counts as changed: its
        references are unknown, so rebuilding is the safe answer. Returns a dict. -#}
    {%- set stored = run_query(
        "select cast(max(processed_through) as " ~ dbt.type_string() ~ ")"
        ~ (", max(reference_fingerprint), min(reference_fingerprint), (select " ~ fingerprint ~ ")"
           ~ ", count(*) - count(reference_fingerprint)" if fingerprint is not none else "")
        ~ " from " ~ this_relation).rows[0] -%}
    {%- set changed = fingerprint is not none and stored[0] is not none
        and (stored[1] != stored[3] or stored[2] != stored[3] or stored[4] > 0) -%}
    {%- if changed -%}
        {{ log("aicost: a reference input of " ~ this_relation ~ " changed; rebuilding all of its rows", info=true) }}
    {%- endif -%}
    {{ return({'processed_through': stored[0], 'reference_changed': changed}) }}
{%- endmacro %}

{% macro aicost_incremental_batch(this_relation, lines_relation, reference_relations=[]) -%}
    {#- For an incremental model fed by int_usage_events_validated (`lines_relation`): what it has
        processed through, what is new and how far back relatives are looked up. Returns a dict:
          has_new_lines       true when valid lines landed after processed_through;
          processed_through   SQL literal: the latest landed_at this model already processed
                              (NULL when a reference input changed: everything is new again);
          landed_through      SQL literal: the latest landed_at in lines_relation (stamp it);
          since               SQL literal: earliest occurred_at of the new lines - lookback_days
                              (none: no lower bound, every line is in scope);
          fingerprint         SQL: the fingerprint of `reference_relations` (stamp it). -#}
    {%- set timestamp_type = api.Column.translate_type('timestamp') -%}
    {%- set placeholder = "cast(null as " ~ timestamp_type ~ ")" -%}
    {%- set fingerprint = aicost_reference_fingerprint(reference_relations) if reference_relations
                          else "cast(null as " ~ dbt.type_string() ~ ")" -%}
    {%- if not execute -%}
        {{ return({'has_new_lines': false, 'processed_through': placeholder,
                   'landed_through': placeholder, 'since': placeholder, 'fingerprint': fingerprint}) }}
    {%- endif -%}
    {%- set stored = aicost_stored_stamps(this_relation, fingerprint if reference_relations else none) -%}
    {%- set processed = none if stored.reference_changed else stored.processed_through -%}
    {%- set processed_through = "cast(" ~ (aicost_sql_string(processed) if processed is not none else 'null')
        ~ " as " ~ timestamp_type ~ ")" -%}
    {%- set new_filter = (" and landed_at > " ~ processed_through) if processed is not none else '' -%}
    {%- set found = run_query(
        "select cast(max(landed_at) as " ~ dbt.type_string() ~ "),"
        ~ " cast(min(case when reject_reason is null" ~ new_filter ~ " then occurred_at end) as "
        ~ dbt.type_string() ~ ")"
        ~ " from " ~ lines_relation
    ).rows[0] -%}
    {%- set landed_through = "cast(" ~ aicost_sql_string(found[0]) ~ " as " ~ timestamp_type ~ ")"
        if found[0] is not none else placeholder -%}
    {%- if found[1] is none -%}
        {{ return({'has_new_lines': false, 'processed_through': processed_through,
                   'landed_through': landed_through, 'since': placeholder, 'fingerprint': fingerprint}) }}
    {%- endif -%}
    {%- if processed is none -%}
        {%- set since = none -%}
    {%- else -%}
        {%- set since_sql = dbt.dateadd('day', -1 * (var('lookback_days') | int),
                                        "cast(" ~ aicost_sql_string(found[1]) ~ " as " ~ timestamp_type ~ ")") -%}
        {%- set since_value = run_query("select cast(" ~ since_sql ~ " as " ~ dbt.type_string() ~ ")").rows[0][0] -%}
        {%- set since = "cast(" ~ aicost_sql_string(since_value) ~ " as " ~ timestamp_type ~ ")" -%}
    {%- endif -%}
    {{ return({
        'has_new_lines': true,
        'processed_through': processed_through,
        'landed_through': landed_through,
        'since': since,
        'fingerprint': fingerprint,
    }) }}
{%- endmacro %}
