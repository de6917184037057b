{#- Replacing the rows of the keys a run rebuilt (delete+insert) on every engine.

    DuckDB and PostgreSQL delete the keys and insert the new rows. Spark's Parquet tables take no
    DELETE (and MERGE needs Delta or Iceberg): there the same result is written by overwriting only
    the partitions the run touches. The rows to keep in those partitions (not of a replaced key)
    and the new rows are staged in a table (Spark refuses to overwrite a table the statement reads),
    then the touched partitions are overwritten from it (dynamic partition overwrite). A touched
    partition is one of a new row or one holding an existing row of a replaced key (a key may move,
    e.g. a late call moves a trace to an earlier month). A table without partition_by is
    overwritten whole, the same way. -#}

{% macro aicost_partition_by(column) -%}
    {#- The partition_by config of an incremental model: `column` on Spark, where the incremental
        runs overwrite partitions, none elsewhere (the other engines delete and insert). -#}
    {{ return(adapter.dispatch('aicost_partition_by', 'ai_cost_attribution')(column)) }}
{%- endmacro %}

{% macro default__aicost_partition_by(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__aicost_partition_by(column) -%}
    {{ return(column) }}
{%- endmacro %}

{% macro aicost_replace_keys_statements(target_relation, source_relation, unique_key) -%}
    {#- The statements that replace, in `target_relation`, the rows of every `unique_key` value
        (a column or a list of columns) of `source_relation` by the rows of `source_relation`,
        in order; the caller runs the last as its main statement. -#}
    {{ return(adapter.dispatch('aicost_replace_keys_statements', 'ai_cost_attribution')(
        target_relation, source_relation, unique_key)) }}
{%- endmacro %}

{% macro default__aicost_replace_keys_statements(target_relation, source_relation, unique_key) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set key_list = keys | join(', ') -%}
    {%- set delete -%}
        delete from {{ target_relation }}
        where ({{ key_list }}) in (select {{ key_list }} from {{ source_relation }})
    {%- endset -%}
    {%- set insert -%}
        insert into {{ target_relation }} select * from {{ source_relation }}
    {%- endset -%}
    {{ return([delete, insert]) }}
{%- endmacro %}

{% macro spark__aicost_replace_keys_statements(target_relation, source_relation, unique_key) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- set partitions = ([partition_by] if partition_by is string else partition_by) if partition_by else [] -%}
    {%- set columns = adapter.get_columns_in_relation(target_relation) | map(attribute='quoted') | join(', ') -%}
    {%- set stage = target_relation.incorporate(path={'identifier': target_relation.identifier ~ '__aicost_stage'}) -%}
    {%- set same_key -%}
        {%- for key in keys %}replacing.{{ key }} = existing.{{ key }}{% if not loop.last %} and {% endif %}{% endfor -%}
    {%- endset -%}
    {%- set statements = ['drop table if exists ' ~ stage] -%}
    {%- set staged -%}
        create table {{ stage }} using parquet as
        with

        touched_partitions as (

            select {{ partitions | join(', ') if partitions else '1 as whole_table' }}
            from {{ source_relation }}
            {%- if partitions %}
            union
            select {{ partitions | join(', ') }} from {{ target_relation }} as existing
            where exists (select 1 from {{ source_relation }} as replacing where {{ same_key }})
            {%- endif %}

        )

        select {{ columns }} from {{ target_relation }} as existing
        where not exists (select 1 from {{ source_relation }} as replacing where {{ same_key }})
        {%- if partitions %}
            and exists (
                select 1 from touched_partitions
                where {% for column in partitions %}touched_partitions.{{ column }} <=> existing.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
            )
        {%- endif %}
        union all
        select {{ columns }} from {{ source_relation }}
    {%- endset -%}
    {%- do statements.append(staged) -%}
    {%- if partitions -%}
        {%- do statements.append('set spark.sql.sources.partitionOverwriteMode = DYNAMIC') -%}
    {%- endif -%}
    {%- set overwrite -%}
        insert overwrite table {{ target_relation }}
        {%- if partitions %} partition ({{ partitions | join(', ') }}){% endif %}
        select {{ columns }} from {{ stage }}
    {%- endset -%}
    {%- do statements.append(overwrite) -%}
    {%- do statements.append('drop table if exists ' ~ stage) -%}
    {{ return(statements) }}
{%- endmacro %}

{#- dbt-spark's incremental materialization knows append, insert_overwrite and merge (Delta,
    Iceberg, Hudi). These two overrides of its macros (the root project's come first) add the
    project's delete+insert for every file format, written by aicost_replace_keys_statements, and
    hand every other strategy to dbt-spark unchanged. -#}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy == 'delete+insert' -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy != 'delete+insert' -%}
        {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
    {%- endif -%}
    {%- if incremental_predicates -%}
        {%- do exceptions.raise_compiler_error('delete+insert on Spark takes no incremental_predicates') -%}
    {%- endif -%}
    {%- set statements = aicost_replace_keys_statements(target, source, unique_key) -%}
    {%- for statement in statements[:-1] -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return(statements[-1]) }}
{%- endmacro %}
