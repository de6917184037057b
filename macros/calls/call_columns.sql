{#- The columns a call carries from its raw record through de-duplication: one list, so the call
    models cannot drift apart. -#}

{% macro aicost_call_line_columns() -%}
    {{ return(
        ['source_name', 'source_file', 'line_number', 'record_index',
         'request_id', 'trace_id', 'parent_request_id',
         'provider', 'model', 'call_role', 'operation', 'status', 'is_batch']
        + usage_event_tag_fields()
        + usage_event_token_fields()
        + ['latency_ms', 'reported_cost_usd', 'occurred_at', 'metadata']
    ) }}
{%- endmacro %}

{% macro aicost_rows_to_rebuild(this_relation, reference_relations=[]) -%}
    {#- For an incremental model fed by another call model, whose rows both stamp
        `processed_through` with the run that (re)built them: which upstream rows to rebuild.
        Returns a dict:
          predicate    a predicate on the upstream's processed_through: the rows rebuilt after this
                       model's last run (every row on a full build, or when a reference input of
                       this model changed since);
          fingerprint  SQL for the fingerprint of `reference_relations`, to stamp on the rows. -#}
    {%- set fingerprint = aicost_reference_fingerprint(reference_relations) if reference_relations
                          else "cast(null as " ~ dbt.type_string() ~ ")" -%}
    {%- if not is_incremental() or not execute -%}
        {{ return({'predicate': '1 = 1', 'fingerprint': fingerprint}) }}
    {%- endif -%}
    {%- set stored = aicost_stored_stamps(this_relation, fingerprint if reference_relations else none) -%}
    {%- if stored.processed_through is none or stored.reference_changed -%}
        {{ return({'predicate': '1 = 1', 'fingerprint': fingerprint}) }}
    {%- endif -%}
    {{ return({
        'predicate': "processed_through > cast(" ~ aicost_sql_string(stored.processed_through) ~ " as "
                     ~ api.Column.translate_type('timestamp') ~ ")",
        'fingerprint': fingerprint,
    }) }}
{%- endmacro %}

{% macro aicost_changed_usage_dates(this_relation, priced_relation) -%}
    {#- The days a model built from int_calls_priced must recompute: the usage dates (and the
        previous dates of calls a later copy moved) of the calls rebuilt since this model's last
        run; every day on a full build. Returns SQL for a one-column subquery (usage_date), or
        none on a full build. -#}
    {%- set rebuild = aicost_rows_to_rebuild(this_relation) -%}
    {%- if rebuild.predicate == '1 = 1' -%}{{ return(none) }}{%- endif -%}
    {{ return(
        "select usage_date from " ~ priced_relation ~ " where " ~ rebuild.predicate
        ~ " union select previous_usage_date from " ~ priced_relation ~ " where " ~ rebuild.predicate
        ~ " and previous_usage_date is not null"
    ) }}
{%- endmacro %}

{% macro aicost_delete_changed_days(this_relation, priced_relation) -%}
    {#- pre-hook of a model incremental by usage_date (append): removes the days it is about to
        recompute, including days whose calls all moved away (a delete+insert keyed on the new
        rows would keep those). Renders to nothing on a full build. -#}
    {{ return(adapter.dispatch('aicost_delete_changed_days', 'ai_cost_attribution')(this_relation, priced_relation)) }}
{%- endmacro %}

{% macro default__aicost_delete_changed_days(this_relation, priced_relation) -%}
    {%- if execute and is_incremental() -%}
        {%- set changed = aicost_changed_usage_dates(this_relation, priced_relation) -%}
        {%- if changed is not none -%}
            delete from {{ this_relation }} where usage_date in ({{ changed }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro spark__aicost_delete_changed_days(this_relation, priced_relation) -%}
    {#- Spark's Parquet tables take no DELETE: these models are partitioned by usage_date on
        Spark (aicost_partition_by), and the changed days' partitions are dropped. -#}
    {%- if execute and is_incremental() -%}
        {%- set changed = aicost_changed_usage_dates(this_relation, priced_relation) -%}
        {%- if changed is not none -%}
            {%- set days = run_query('select distinct cast(usage_date as string) from (' ~ changed ~ ') as changed_days'
                                     ~ ' where usage_date is not null').columns[0].values() -%}
            {%- if days | length > 0 -%}
                alter table {{ this_relation }} drop if exists
                {%- for day in days | sort %} partition (usage_date = date '{{ day }}'){{ ',' if not loop.last }}{% endfor %}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
