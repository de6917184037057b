{#- Priced calls summed to day x provider x model x operation x api key alias x batch: what the
    logs say, at the grain the providers' usage reports can be compared with (the attribution
    roll-up, int_usage_daily_rolled_up, carries neither the key, the batch flag nor 1-hour cache
    writes, and must not grow by them). Linear sums only.

    Incremental by day like the roll-up: a run recomputes the days of the calls rebuilt since its
    last run (and the days they left). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    partition_by=aicost_partition_by('usage_date'),
    on_schema_change='fail',
    pre_hook="{{ aicost_delete_changed_days(this, ref('int_calls_priced')) }}",
) }}
{%- set changed_days = aicost_changed_usage_dates(this, ref('int_calls_priced')) if is_incremental() else none %}

with

priced_calls as (

    select * from {{ ref('int_calls_priced') }}
    where is_priced
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
        operation,
        api_key_alias,
        is_batch,
        count(*) as calls,
        sum(input_tokens) as input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        sum(output_tokens) as output_tokens,
        {{ aicost_to_money('sum(list_cost_usd)') }} as list_cost_usd,
        {{ aicost_to_money('sum(effective_input_cost_usd + effective_output_cost_usd)') }} as effective_cost_usd,
        {{ aicost_run_timestamp() }} as processed_through

    from priced_calls
    group by usage_date, usage_month, provider, model, operation, api_key_alias, is_batch

)

select * from final
