{#- Every usage source's records on one interface (macros/staging/usage_event_interface.sql): the
    canonical usage events and each gateway or telemetry export, stacked so that validation,
    de-duplication, dimensions, pricing and the ledger apply to all of them unchanged.

    A view: the filter int_usage_events_validated puts on source_file reaches each source's
    landing, so files already landed are not parsed again. -#}
{{ config(materialized='view') }}

with

{% for source in aicost_usage_sources() %}
{{ source.name }}_records as (

    select * from {{ ref(source.model) }}

),

{% endfor %}
final as (

    {%- for source in aicost_usage_sources() %}
    select {{ aicost_usage_interface_columns(source.name ~ '_records') }}
    from {{ source.name }}_records
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

)

select * from final
