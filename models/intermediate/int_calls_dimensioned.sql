{#- One row per accepted call with every attribution dimension resolved, in the contract's order:
    the call's own tag -> its trace's primary call -> its api key -> the feature's owners ->
    'unattributed'. Router, evaluator and guardrail calls so inherit the customer and feature of
    the request they served. The dimensions come from var('attribution_dimensions'). -#}
{%- set dimensions = var('attribution_dimensions') -%}
{%- set identifiers = var('call_identifiers') -%}
{%- set key_dimensions = var('api_key_dimensions') -%}
{%- set owner_dimensions = var('feature_owner_dimensions') -%}

with

calls as (

    select * from {{ ref('int_usage_events_deduplicated') }}
    where is_kept

),

api_keys as (

    select * from {{ ref('stg_raw__api_keys') }}

),

feature_owners as (

    select * from {{ ref('stg_raw__feature_owners') }}

),

trace_primary_calls as (

    {#- The first primary call of each trace speaks for the trace. -#}
    select
        trace_id,
        {%- for dimension in dimensions %}
        {%- if dimension in key_dimensions %}
        coalesce(primary_calls.{{ dimension }}, primary_key.{{ dimension }}) as {{ dimension }},
        {%- else %}
        primary_calls.{{ dimension }},
        {%- endif %}
        {%- endfor %}
        {%- for identifier in identifiers %}
        primary_calls.{{ identifier }}{{ ',' if not loop.last }}
        {%- endfor %}

    from (
        select
            calls.*,
            row_number() over (partition by trace_id order by occurred_at, request_id) as primary_rank
        from calls
        where call_role = 'primary'
    ) as primary_calls
    left join api_keys as primary_key
        on primary_calls.api_key_alias = primary_key.api_key_alias
    where primary_calls.primary_rank = 1

),

resolved_before_owners as (

    select
        calls.request_id,
        {%- for dimension in dimensions %}
        coalesce(
            calls.{{ dimension }},
            trace_primary.{{ dimension }}
            {%- if dimension in key_dimensions %},
            call_key.{{ dimension }}
            {%- endif %}
        ) as {{ dimension }},
        {%- endfor %}
        {%- for identifier in identifiers %}
        coalesce(calls.{{ identifier }}, trace_primary.{{ identifier }}) as {{ identifier }},
        {%- endfor %}
        trace_primary.trace_id is not null as trace_has_primary

    from calls
    left join trace_primary_calls as trace_primary
        on calls.trace_id = trace_primary.trace_id
    left join api_keys as call_key
        on calls.api_key_alias = call_key.api_key_alias

),

resolved as (

    select
        resolved_before_owners.request_id,
        {%- for dimension in dimensions %}
        coalesce(
            resolved_before_owners.{{ dimension }},
            {%- if dimension in owner_dimensions %}
            owners.{{ dimension }},
            {%- endif %}
            'unattributed'
        ) as {{ dimension }},
        {%- endfor %}
        {%- for identifier in identifiers %}
        resolved_before_owners.{{ identifier }},
        {%- endfor %}
        resolved_before_owners.trace_has_primary

    from resolved_before_owners
    left join feature_owners as owners
        on resolved_before_owners.feature = owners.feature

),

final as (

    select
        calls.request_id,
        calls.trace_id,
        calls.parent_request_id,
        calls.source_file,
        calls.line_number,
        calls.provider,
        calls.model,
        calls.call_role,
        calls.operation,
        calls.status,
        calls.is_batch,
        {%- for dimension in dimensions %}
        resolved.{{ dimension }},
        {%- endfor %}
        {%- for identifier in identifiers %}
        resolved.{{ identifier }},
        {%- endfor %}
        coalesce(calls.api_key_alias, 'none') as api_key_alias,
        resolved.trace_has_primary,
        calls.input_tokens,
        calls.output_tokens,
        calls.cache_read_tokens,
        calls.cache_write_tokens,
        calls.cache_write_1h_tokens,
        calls.reasoning_tokens,
        calls.latency_ms,
        calls.occurred_at,
        calls.metadata

    from calls
    inner join resolved
        on calls.request_id = resolved.request_id

)

select * from final
