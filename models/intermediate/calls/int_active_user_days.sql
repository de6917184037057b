{#- One row per day x provider x model x every dimension x end user with a product call (prod,
    external, a known user): the distinct users that active-user counts are taken from (cost per
    active user, the `active_users` shared-cost driver), without reading the calls again.

    Incremental by day, like int_usage_daily_rolled_up: a run recomputes the days of the calls
    rebuilt since its last run. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    partition_by=aicost_partition_by('usage_date'),
    on_schema_change='fail',
    pre_hook="{{ aicost_delete_changed_days(this, ref('int_calls_priced')) }}",
) }}
{%- set changed_days = aicost_changed_usage_dates(this, ref('int_calls_priced')) if is_incremental() else none %}

with

product_calls as (

    select * from {{ ref('int_calls_priced') }}
    where is_priced
        and user_id is not null
        and {{ aicost_is_product_usage() }}
    {%- if changed_days is not none %}
        and usage_date in ({{ changed_days }})
    {%- endif %}

),

final as (

    select
        usage_date,
        usage_month,
        provider,
        model,
        {{ dimension_columns() }},
        user_id,
        count(*) as calls,
        {{ aicost_run_timestamp() }} as processed_through

    from product_calls
    group by usage_date, usage_month, provider, model, {{ dimension_columns() }}, user_id

)

select * from final
