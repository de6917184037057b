{#- Spellings that matter at scale: each one dispatched, the fastest measured form per engine
    (docs/STYLE.md 7; docs/performance.md). -#}

{% macro aicost_first_row_per_group(relation, group_by, order_by, columns, where=none) -%}
    {#- One row per `group_by` value: the `columns` of its first row in `order_by` order (a list
        of ascending columns that orders a group's rows totally). -#}
    {{ return(adapter.dispatch('aicost_first_row_per_group', 'ai_cost_attribution')(
        relation, group_by, order_by, columns, where)) }}
{%- endmacro %}

{% macro default__aicost_first_row_per_group(relation, group_by, order_by, columns, where) -%}
    {#- A window. On DuckDB 2.0 it also beats arg_min over a struct of the columns (about 3x
        less CPU on 1M calls, measured for docs/performance.md), so no duckdb__ variant. -#}
    select {{ group_by }}, {{ columns | join(', ') }}
    from (
        select
            {{ group_by }},
            {{ columns | join(', ') }},
            row_number() over (partition by {{ group_by }} order by {{ order_by | join(', ') }}) as row_rank
        from {{ relation }}
        {%- if where %}
        where {{ where }}
        {%- endif %}
    ) as ranked
    where row_rank = 1
{%- endmacro %}

{% macro aicost_hash_key(expression) -%}
    {#- A compact grouping key for a long text id; equal ids give equal keys (collisions possible,
        so use it only to narrow a set that is then checked on the id itself). -#}
    {{ return(adapter.dispatch('aicost_hash_key', 'ai_cost_attribution')(expression)) }}
{%- endmacro %}

{% macro default__aicost_hash_key(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro duckdb__aicost_hash_key(expression) -%}
    hash({{ expression }})
{%- endmacro %}

{% macro aicost_inline_cte() -%}
    {#- Written after `name as` for a CTE read more than once that is cheaper to compute again than
        to materialise (a filtered scan of a wide table): `name as {{ aicost_inline_cte() }} (`. -#}
    {{ return(adapter.dispatch('aicost_inline_cte', 'ai_cost_attribution')()) }}
{%- endmacro %}

{% macro default__aicost_inline_cte() -%}{%- endmacro %}

{% macro duckdb__aicost_inline_cte() -%}not materialized{%- endmacro %}

{% macro postgres__aicost_inline_cte() -%}not materialized{%- endmacro %}

{% macro aicost_trace_batches(lines_relation) -%}
    {#- How many batches of traces the dimension join of a full build runs in: one per
        var('trace_batch_calls') lines (DuckDB, where memory is the machine's); 1 elsewhere. -#}
    {{ return(adapter.dispatch('aicost_trace_batches', 'ai_cost_attribution')(lines_relation)) }}
{%- endmacro %}

{% macro default__aicost_trace_batches(lines_relation) -%}
    {{ return(1) }}
{%- endmacro %}

{% macro duckdb__aicost_trace_batches(lines_relation) -%}
    {#- A dbt unit test hands the model its fixtures as CTEs: nothing to count, one batch. -#}
    {%- if not execute or (lines_relation | string).startswith('__dbt__cte__') -%}{{ return(1) }}{%- endif -%}
    {%- set lines = run_query("select count(*) from " ~ lines_relation).rows[0][0] -%}
    {%- set per_batch = var('trace_batch_calls') | int -%}
    {#- Rounded, not ceiled: 10.3M calls are one batch of about 10M, not two of 5M. -#}
    {{ return([1, ((lines + per_batch // 2) // per_batch) | int] | max) }}
{%- endmacro %}

{% macro aicost_hash_bucket(expression, bucket, buckets) -%}
    {#- The rows whose `expression` hashes into `bucket` of `buckets` (0-based). -#}
    {{ return(adapter.dispatch('aicost_hash_bucket', 'ai_cost_attribution')(expression, bucket, buckets)) }}
{%- endmacro %}

{% macro default__aicost_hash_bucket(expression, bucket, buckets) -%}
    {#- Only DuckDB splits the join (default__aicost_trace_batches is always 1). -#}
    {{ exceptions.raise_compiler_error("aicost_hash_bucket is not implemented for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__aicost_hash_bucket(expression, bucket, buckets) -%}
    hash({{ expression }}) % {{ buckets }} = {{ bucket }}
{%- endmacro %}
