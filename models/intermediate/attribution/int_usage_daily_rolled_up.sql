{#- Priced calls summed to day x provider x model x operation x every dimension: the grain shared costs,
    invoice differences and the ledger are computed over (every amount is additive, so working on
    these groups equals working on the calls in them, at a fraction of the rows). Only sums of
    per-call amounts that do not depend on other calls: the cache-pooled amount of a group is its
    uncached-equivalent input cost times its pool's ratio (int_usage_daily_pooled).

    Incremental by day: a run recomputes the days of the calls rebuilt since its last run (and
    the days they left), so a new day costs one day of calls whatever the history. -#}
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
        {{ dimension_columns() }},
        count(*) as calls,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        {{ aicost_to_money('sum(list_cost_usd)') }} as list_cost_usd,
        {#- the list cost by token type (the FOCUS export's SKU rows); they sum to list_cost_usd -#}
        {{ aicost_to_money('sum(uncached_input_cost_usd)') }} as uncached_input_list_cost_usd,
        {{ aicost_to_money('sum(cache_read_cost_usd)') }} as cache_read_list_cost_usd,
        {{ aicost_to_money('sum(cache_write_cost_usd)') }} as cache_write_list_cost_usd,
        {{ aicost_to_money('sum(output_cost_usd)') }} as output_list_cost_usd,
        {{ aicost_to_money('sum(effective_input_cost_usd)') }} as effective_input_cost_usd,
        {{ aicost_to_money('sum(effective_output_cost_usd)') }} as effective_output_cost_usd,
        {{ aicost_to_money('sum(uncached_effective_input_cost_usd)') }} as uncached_effective_input_cost_usd,
        {{ aicost_run_timestamp() }} as processed_through

    from priced_calls
    group by usage_date, usage_month, provider, model, operation, {{ dimension_columns() }}

)

select * from final
