{#- One row per call with every attribution dimension and call identifier resolved, in the
    contract's order (docs/CONTRACT.md section 1, "Dimensions and how they resolve"):

      1. the call's own tag;
      2. its trace's primary call (the first `primary` call of the trace, with that call's api
         key), so router and evaluator calls inherit the customer and feature they served;
      3. its own api key (api_keys.csv, for var('api_key_dimensions'));
      4. the resolved feature's owners (feature_owners.csv, for var('feature_owner_dimensions'));
      5. the literal `unattributed`.
    Call identifiers (user, session, ticket) take steps 1 and 2 only and stay NULL when unknown.

    Incremental (delete+insert on request_id): the calls int_calls_deduplicated rebuilt since
    this model's last run (they include every call of each touched trace), or every call when
    the api keys or the feature owners changed. A full build past var('trace_batch_calls') calls
    runs in batches of traces (a hash of trace_id, the aicost_batched_incremental materialization),
    one statement each, so each batch's table of primary calls fits in memory. -#}
{{ config(
    materialized='aicost_batched_incremental',
    unique_key='request_id',
    batch_source='int_calls_deduplicated',
    partition_by=aicost_partition_by('usage_month'),
    on_schema_change='fail',
) }}
{%- set dimensions = var('attribution_dimensions') -%}
{%- set identifiers = var('call_identifiers') -%}
{%- set key_dimensions = var('api_key_dimensions') -%}
{%- set owner_dimensions = var('feature_owner_dimensions') -%}
{%- set rebuild = aicost_rows_to_rebuild(this, [ref('stg_raw__api_keys'), ref('stg_raw__feature_owners')]) %}

with

calls as {{ aicost_inline_cte() }} (

    select * from {{ ref('int_calls_deduplicated') }}
    where {{ rebuild.predicate }}
        and {{ aicost_batch_predicate('trace_id') }}

),

api_keys as (

    select * from {{ ref('stg_raw__api_keys') }}

),

feature_owners as (

    select * from {{ ref('stg_raw__feature_owners') }}

),

trace_primary_calls as (

    {#- The first primary call of each trace speaks for the trace. -#}
    {{ aicost_first_row_per_group(
        relation='calls',
        group_by='trace_id',
        order_by=['occurred_at', 'request_id'],
        columns=['request_id'] + dimensions + identifiers + ['api_key_alias'],
        where="call_role = 'primary'",
    ) }}

),

trace_primaries as (

    select
        trace_primary_calls.trace_id,
        trace_primary_calls.request_id as primary_request_id,
        {%- for dimension in dimensions %}
        {%- if dimension in key_dimensions %}
        coalesce(trace_primary_calls.{{ dimension }}, primary_key.{{ dimension }}) as {{ dimension }},
        {%- else %}
        trace_primary_calls.{{ dimension }},
        {%- endif %}
        {%- endfor %}
        {%- for identifier in identifiers %}
        trace_primary_calls.{{ identifier }}{{ ',' if not loop.last }}
        {%- endfor %}

    from trace_primary_calls
    left join api_keys as primary_key
        on trace_primary_calls.api_key_alias = primary_key.api_key_alias

),

inherited as (

    select
        calls.*,
        {%- for dimension in dimensions %}
        coalesce(
            calls.{{ dimension }},
            trace_primary.{{ dimension }}
            {%- if dimension in key_dimensions %},
            call_key.{{ dimension }}
            {%- endif %}
        ) as inherited_{{ dimension }},
        {%- endfor %}
        {%- for identifier in identifiers %}
        coalesce(calls.{{ identifier }}, trace_primary.{{ identifier }}) as inherited_{{ identifier }},
        {%- endfor %}
        trace_primary.trace_id is not null as trace_has_primary,
        coalesce(calls.request_id = trace_primary.primary_request_id, false) as is_trace_primary

    from calls
    left join trace_primaries as trace_primary
        on calls.trace_id = trace_primary.trace_id
    left join api_keys as call_key
        on calls.api_key_alias = call_key.api_key_alias

),

owned as (

    {#- The last fallback before `unattributed`: the resolved feature's owning team and product. -#}
    select
        inherited.*
        {%- for dimension in owner_dimensions %},
        owners.{{ dimension }} as owner_{{ dimension }}
        {%- endfor %}

    from inherited
    left join feature_owners as owners
        on inherited.inherited_feature = owners.feature

),

final as (

    select
        {%- for column in aicost_call_line_columns() if column not in dimensions + identifiers %}
        {{ column }},
        {%- endfor %}
        request_copies,
        usage_date,
        usage_month,
        previous_usage_date,
        {%- for dimension in dimensions %}
        {%- if dimension in owner_dimensions %}
        coalesce(inherited_{{ dimension }}, owner_{{ dimension }}, 'unattributed') as {{ dimension }},
        {%- else %}
        coalesce(inherited_{{ dimension }}, 'unattributed') as {{ dimension }},
        {%- endif %}
        {%- endfor %}
        {%- for identifier in identifiers %}
        inherited_{{ identifier }} as {{ identifier }},
        {%- endfor %}
        trace_has_primary,
        is_trace_primary,
        {{ aicost_run_timestamp() }} as processed_through,
        {{ rebuild.fingerprint }} as reference_fingerprint

    from owned

)

select * from final
