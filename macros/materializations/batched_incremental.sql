{#- An incremental model (delete+insert on `unique_key`) whose first build, past a size, runs in
    batches: the model marks where its rows are read with aicost_batch_predicate(key), and a full
    build runs the model once per batch, with that predicate keeping the rows whose key hashes into
    the batch, one statement each, so memory holds one batch (a single statement over tens of
    millions of traces, or a union of the batches in one plan, runs out of a 3 GB memory limit;
    docs/performance.md). An incremental run is one statement with the predicate always true
    (the model already reads only what changed), whose rows replace those of their keys as
    aicost_replace_keys_statements writes it for the engine (on Spark, a partition overwrite).

    Config: unique_key (required), batch_source (the model whose row count sizes the batches,
    one per var('trace_batch_calls') rows). -#}

{% materialization aicost_batched_incremental, default %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set unique_key = config.require('unique_key') -%}
    {%- set full_build = existing_relation is none or existing_relation.is_view or should_full_refresh() -%}
    {%- set batches = aicost_trace_batches(ref(config.require('batch_source'))) if full_build else 1 -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if full_build %}
        {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
        {%- set backup_relation = make_backup_relation(target_relation, 'table') -%}
        {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
        {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
        {%- if batches > 1 %}
            {%- do log(this.identifier ~ ": batch 1 of " ~ batches ~ " (var('trace_batch_calls') rows a batch)", info=True) -%}
        {%- endif %}
        {% call statement('main') -%}
            {{ get_create_table_as_sql(False, intermediate_relation, aicost_with_batch(sql, 0, batches)) }}
        {%- endcall %}
        {%- for batch in range(1, batches) %}
            {%- do log(this.identifier ~ ": batch " ~ (batch + 1) ~ " of " ~ batches, info=True) -%}
            {% call statement('batch_' ~ batch) -%}
                {#- by name: Spark stores partition columns last -#}
                insert into {{ intermediate_relation }}
                select {{ adapter.get_columns_in_relation(intermediate_relation) | map(attribute='quoted') | join(', ') }}
                from ({{ aicost_with_batch(sql, batch, batches) }}) as batch_rows
            {%- endcall %}
        {%- endfor %}
        {%- if existing_relation is not none %}
            {% do adapter.rename_relation(existing_relation, backup_relation) %}
        {%- endif %}
        {% do adapter.rename_relation(intermediate_relation, target_relation) %}
        {{ drop_relation_if_exists(backup_relation) }}
    {%- else %}
        {%- set temp_relation = make_intermediate_relation(target_relation, suffix='__dbt_changed') -%}
        {{ drop_relation_if_exists(load_cached_relation(temp_relation)) }}
        {% do run_query(get_create_table_as_sql(False, temp_relation, aicost_with_batch(sql, 0, 1))) %}
        {%- set statements = aicost_replace_keys_statements(target_relation, temp_relation, unique_key) -%}
        {%- for statement in statements[:-1] %}
            {% do run_query(statement) %}
        {%- endfor %}
        {% call statement('main') -%}
            {{ statements[-1] }}
        {%- endcall %}
        {{ drop_relation_if_exists(temp_relation) }}
    {%- endif %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {% do persist_docs(target_relation, model) %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro aicost_batch_predicate(key) -%}
    {#- Where a model of the aicost_batched_incremental materialization reads the rows it splits:
        renders as a predicate that is always true, which the materialization replaces with the
        batch's hash predicate on `key` when it builds in batches. -#}
    (1 = 1 /* aicost:batch:{{ key }} */)
{%- endmacro %}

{% macro aicost_with_batch(sql, batch, batches) -%}
    {#- The model SQL with every aicost_batch_predicate keeping batch `batch` of `batches`. -#}
    {%- if batches <= 1 -%}{{ return(sql) }}{%- endif -%}
    {%- set marker = modules.re.compile('\\(1 = 1 /\\* aicost:batch:([^*]+) \\*/\\)') -%}
    {%- set keys = marker.findall(sql) -%}
    {%- set batched = namespace(sql=sql) -%}
    {%- for key in keys | unique -%}
        {%- set batched.sql = batched.sql.replace(
            '(1 = 1 /* aicost:batch:' ~ key ~ ' */)',
            '(' ~ aicost_hash_bucket(key, batch, batches) ~ ')') -%}
    {%- endfor -%}
    {{ return(batched.sql) }}
{%- endmacro %}

{% macro is_incremental() -%}
    {#- dbt's is_incremental(), also true for the project's aicost_batched_incremental models
        (defined here, the root project's macro is used before dbt's own). -#}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.table) -%}
    {{ return(relation is not none
              and relation.type == 'table'
              and model.config.materialized in ('incremental', 'aicost_batched_incremental')
              and not should_full_refresh()) }}
{%- endmacro %}
