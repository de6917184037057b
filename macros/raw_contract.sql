{#- The raw input contract (CONTRACT.md section 1) as data, so the landing, the staging models
    and the docs agree on one list. -#}

{% macro usage_event_text_fields() -%}
    {#- Scalar fields of a usage event, read as text and cast in staging. -#}
    {{ return([
        'request_id', 'trace_id', 'parent_request_id', 'call_role', 'occurred_at',
        'provider', 'model', 'operation',
        'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
        'cache_write_1h_tokens', 'reasoning_tokens',
        'is_batch', 'status', 'latency_ms',
    ]) }}
{%- endmacro %}

{% macro usage_event_tag_fields() -%}
    {#- Tags: the configured attribution dimensions and call identifiers, then the api key alias.
        A tag is read from the top level of the event, else from its `metadata` object. -#}
    {%- set tags = [] -%}
    {%- for name in var('attribution_dimensions') + var('call_identifiers') + ['api_key_alias'] -%}
        {%- if name not in tags -%}{%- do tags.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(tags) }}
{%- endmacro %}

{% macro raw_csv_sources() -%}
    {#- Optional CSV inputs: file name -> columns (all landed as text, cast in staging). -#}
    {{ return({
        'customers': ['customer_id', 'customer_name', 'plan_tier', 'segment', 'region', 'is_internal'],
        'customer_revenue': ['customer_id', 'month', 'revenue_usd'],
        'outcomes': ['outcome_id', 'outcome_type', 'occurred_at', 'customer_id', 'feature', 'agent',
                     'ticket_id', 'trace_id'],
        'feature_owners': ['feature', 'team', 'product'],
        'api_keys': ['api_key_alias', 'feature', 'team', 'environment', 'usage_type', 'customer_id'],
        'shared_costs': ['cost_pool', 'period_start', 'period_end', 'amount_usd', 'driver',
                         'scope_provider', 'scope_model', 'scope_feature', 'scope_environment'],
        'tenant_footprint': ['customer_id', 'month', 'footprint_units'],
        'budgets': ['scope_type', 'scope_value', 'month', 'budget_usd', 'warn_at_pct'],
        'provider_invoices': ['provider', 'month', 'invoiced_usd'],
        'price_adjustments': ['provider', 'model', 'effective_from', 'effective_to', 'discount_pct'],
    }) }}
{%- endmacro %}
