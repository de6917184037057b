{#- One row per usage source x provider x model x day where calls carry the sender's own cost
    (`reported_cost_usd`: a gateway's or observability tool's price of the call): the calls, their
    reported cost, their list cost on our rate card, the difference, and the share of calls whose
    two costs differ by more than var('price_drift_tolerance_pct') percent of the list cost (a
    call listed at $0 drifts when it reports anything). Catches a stale rate card (a price changed
    upstream), a gateway pricing bug and a model mapped to the wrong price row. Calls without a
    reported cost are counted beside, never compared.

    Reads the priced calls: the comparison is per call, which no roll-up keeps. -#}
{%- set tolerance = var('price_drift_tolerance_pct') -%}

with

priced_calls as (

    select * from {{ ref('int_calls_priced') }}
    where is_priced

),

compared as (

    select
        source_name,
        provider,
        model,
        usage_date,
        reported_cost_usd,
        list_cost_usd,
        reported_cost_usd is not null as has_reported_cost,
        reported_cost_usd is not null
            and abs(reported_cost_usd - list_cost_usd) * 100 > {{ tolerance }} * abs(list_cost_usd)
            as is_drifting_call

    from priced_calls

),

per_day as (

    select
        source_name,
        provider,
        model,
        usage_date,
        sum(case when has_reported_cost then 1 else 0 end) as calls,
        sum(case when has_reported_cost then 0 else 1 end) as calls_without_reported_cost,
        sum(case when has_reported_cost then reported_cost_usd else 0 end) as reported_cost_usd,
        sum(case when has_reported_cost then list_cost_usd else 0 end) as list_cost_usd,
        sum(case when is_drifting_call then 1 else 0 end) as drifting_calls

    from compared
    group by source_name, provider, model, usage_date

),

final as (

    select
        source_name,
        provider,
        model,
        usage_date,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(calls_without_reported_cost as {{ dbt.type_bigint() }}) as calls_without_reported_cost,
        {{ aicost_to_money('reported_cost_usd') }} as reported_cost_usd,
        {{ aicost_to_money('list_cost_usd') }} as list_cost_usd,
        {{ aicost_to_money('reported_cost_usd - list_cost_usd') }} as difference_usd,
        cast({{ safe_divide('(reported_cost_usd - list_cost_usd) * 100.0', 'list_cost_usd') }}
            as {{ aicost_type_ratio() }}) as difference_pct,
        cast(drifting_calls as {{ dbt.type_bigint() }}) as drifting_calls,
        cast({{ safe_divide('drifting_calls * 1.0', 'calls') }} as {{ aicost_type_ratio() }}) as drifting_share,
        abs(reported_cost_usd - list_cost_usd) * 100 > {{ tolerance }} * abs(list_cost_usd) as is_drifting

    from per_day
    where calls > 0

)

select * from final
