{#- The usage sources: every format whose records become model calls. Each is a folder of
    var('raw_path') on DuckDB (a table of `table`'s name in var('raw_schema') on a warehouse), a
    landing macro (DuckDB: the files' SQL, given their paths; macros/landing/) and a staging model that maps it
    onto the canonical usage event (aicost_usage_event_interface()). int_usage_events_unioned
    stacks the staging models, so validation, de-duplication, dimensions, pricing and the ledger
    apply to every source unchanged. A new source is one entry here, one landing macro and one
    staging model (docs/developing.md). -#}

{% macro aicost_usage_sources() -%}
    {{ return([
        {'name': 'usage', 'folder': 'usage', 'table': 'usage_events', 'model': 'stg_raw__usage_events',
         'patterns': ['*.jsonl', '*.json', '*.parquet'], 'landing': aicost_land_usage},
        {'name': 'otel', 'folder': 'otel_spans', 'table': 'otel_spans', 'model': 'stg_otel__spans',
         'patterns': ['*.jsonl', '*.json'], 'landing': aicost_land_otel},
    ]) }}
{%- endmacro %}
