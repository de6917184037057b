-- Every attributed value of a recent call is found in at least one of the places it can come
-- from (own tag, the trace's primary call, the api key, the feature's owners): the app's
-- "how was this resolved" explanation agrees with the resolution in int_calls_priced. Checked on
-- the last 7 days of calls, which is enough to catch a rule that drifted; a warning, never a
-- failed build.
{{ config(severity='warn') }}

with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

sources as (

    select * from {{ ref('app_call_dimension_sources') }}

)

select
    sources.request_id,
    sources.dimension,
    sources.resolved_value,
    sources.own_tag,
    sources.trace_value,
    sources.api_key_value,
    sources.feature_owner_value
from sources
cross join as_of
where sources.usage_date > {{ dbt.dateadd('day', -7, 'as_of.as_of_date') }}
    and sources.resolved_value <> 'unattributed'
    and not (sources.is_own_tag or sources.is_from_trace or sources.is_from_api_key or sources.is_from_feature_owners)
