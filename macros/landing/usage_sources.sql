{#- The usage sources: every format whose records become model calls. Each is a folder of
    var('raw_path') on DuckDB (a table of `table`'s name in var('raw_schema') on a warehouse), a
    landing macro (DuckDB: the files' SQL, given their paths; macros/landing/) and a staging model that maps it
    onto the canonical usage event (aicost_usage_event_interface()). int_usage_events_unioned
    stacks the staging models, so validation, de-duplication, dimensions, pricing and the ledger
    apply to every source unchanged. A new source is one entry here, one landing macro and one
    staging model (docs/developing.md). The LiteLLM folders are read with their subfolders (`**`):
    bucket logging writes one object per file under date folders. `lookups` are a source's other
    folders, landed the same way but holding no calls (Langfuse traces, which give their observations dimensions). -#}

{% macro aicost_usage_sources() -%}
    {{ return([
        {'name': 'usage', 'folder': 'usage', 'table': 'usage_events', 'model': 'stg_raw__usage_events',
         'patterns': ['*.jsonl', '*.json', '*.parquet'], 'landing': aicost_land_usage},
        {'name': 'litellm_spend_logs', 'folder': 'litellm_spend_logs', 'table': var('litellm_spend_logs_table'),
         'model': 'stg_litellm__spend_logs', 'patterns': ['**/*.jsonl', '**/*.json', '**/*.csv', '**/*.parquet'],
         'landing': aicost_land_litellm_spend_logs},
        {'name': 'litellm_payloads', 'folder': 'litellm_payloads', 'table': var('litellm_payloads_table'),
         'model': 'stg_litellm__payloads', 'patterns': ['**/*.jsonl', '**/*.json'],
         'landing': aicost_land_litellm_payloads},
        {'name': 'langfuse', 'folder': 'langfuse_observations', 'table': 'langfuse_observations',
         'model': 'stg_langfuse__observations', 'patterns': ['*.jsonl', '*.json', '*.csv'],
         'landing': aicost_land_langfuse_observations,
         'lookups': [{'folder': 'langfuse_traces', 'table': 'langfuse_traces', 'patterns': ['*.jsonl', '*.json', '*.csv'],
                      'landing': aicost_land_langfuse_traces}]},
        {'name': 'otel', 'folder': 'otel_spans', 'table': 'otel_spans', 'model': 'stg_otel__spans',
         'patterns': ['*.jsonl', '*.json'], 'landing': aicost_land_otel},
    ]) }}
{%- endmacro %}
