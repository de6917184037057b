{#- One row per call x attribution dimension: the value the call was attributed to beside every
    place that value could have come from (CONTRACT.md: the call's own tag, its trace's primary
    call, its api key in api_keys.csv, its feature's owners in feature_owners.csv), each flagged
    when it holds the resolved value. Evidence, not a second resolution: the flags say which
    sources agree with the value int_calls_priced chose, and the test on this model fails if a
    resolved value is found in none of them.

    A view: the app reads it for one call or one trace at a time. -#}
{{ config(materialized='view') }}
{%- set dimensions = var('attribution_dimensions') -%}
{%- set key_dimensions = var('api_key_dimensions') -%}
{%- set owner_dimensions = var('feature_owner_dimensions') -%}

with

calls as (

    select * from {{ ref('fct_llm_calls') }}

),

lines as (

    {#- The kept raw line of each call, with its own tags (top level, else in metadata). -#}
    select * from {{ ref('int_usage_events_validated') }}
    where reject_reason is null

),

traces as (

    select * from {{ ref('fct_traces') }}

),

api_keys as (

    select
        api_key_alias
        {%- for dimension in key_dimensions %},
        max({{ dimension }}) as {{ dimension }}
        {%- endfor %}

    from {{ ref('stg_raw__api_keys') }}
    where api_key_alias is not null
    group by api_key_alias

),

feature_owners as (

    select
        feature
        {%- for dimension in owner_dimensions %},
        max({{ dimension }}) as {{ dimension }}
        {%- endfor %}

    from {{ ref('stg_raw__feature_owners') }}
    where feature is not null
    group by feature

),

candidates as (

    select
        calls.request_id,
        calls.trace_id,
        calls.usage_date,
        calls.api_key_alias,
        traces.speaker_request_id,
        coalesce(calls.request_id = traces.speaker_request_id, false) as is_trace_speaker
        {%- for dimension in dimensions %},
        calls.{{ dimension }} as resolved_{{ dimension }},
        lines.{{ dimension }} as own_{{ dimension }},
        {#- A call does not inherit from itself: the speaker's trace value is its own value. #}
        case when calls.request_id <> traces.speaker_request_id then traces.{{ dimension }} end
            as trace_{{ dimension }},
        {{ ('api_keys.' ~ dimension) if dimension in key_dimensions else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as key_{{ dimension }},
        {{ ('feature_owners.' ~ dimension) if dimension in owner_dimensions else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as owner_{{ dimension }}
        {%- endfor %}

    from calls
    left join lines
        on calls.source_name = lines.source_name
        and calls.source_file = lines.source_file
        and calls.line_number = lines.line_number
    left join traces
        on calls.trace_id = traces.trace_id
    left join api_keys
        on calls.api_key_alias = api_keys.api_key_alias
    left join feature_owners
        on calls.feature = feature_owners.feature

),

by_dimension as (

    {%- for dimension in dimensions %}
    select
        request_id,
        trace_id,
        usage_date,
        api_key_alias,
        speaker_request_id,
        is_trace_speaker,
        cast('{{ dimension }}' as {{ dbt.type_string() }}) as dimension,
        {{ loop.index }} as dimension_order,
        resolved_{{ dimension }} as resolved_value,
        own_{{ dimension }} as own_tag,
        trace_{{ dimension }} as trace_value,
        key_{{ dimension }} as api_key_value,
        owner_{{ dimension }} as feature_owner_value
    from candidates
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        request_id,
        trace_id,
        usage_date,
        dimension,
        cast(dimension_order as {{ dbt.type_int() }}) as dimension_order,
        resolved_value,
        own_tag,
        trace_value,
        speaker_request_id,
        is_trace_speaker,
        api_key_alias,
        api_key_value,
        feature_owner_value,
        coalesce(own_tag = resolved_value, false) as is_own_tag,
        coalesce(trace_value = resolved_value, false) as is_from_trace,
        coalesce(api_key_value = resolved_value, false) as is_from_api_key,
        coalesce(feature_owner_value = resolved_value, false) as is_from_feature_owners

    from by_dimension

)

select * from final
