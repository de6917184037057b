{#- One row per shared cost pool and calendar month it covers. A pool spanning several months
    is split across them by days first (period_end is exclusive), exactly: the month parts sum to
    the pool amount. `window_start` / `window_end` bound the calls the month part is spread over. -#}
with

shared_costs as (

    select * from {{ ref('stg_raw__shared_costs') }}

),

pools as (

    select
        shared_costs.*,
        {{ dbt.datediff('period_start', 'period_end', 'day') }} as period_days,
        row_number() over (
            order by cost_pool, period_start, period_end, amount_usd, driver,
                scope_provider, scope_model, scope_feature, scope_environment
        ) as pool_id

    from shared_costs
    where period_end > period_start and amount_usd is not null

),

month_offsets as (

    {#- 0..119: a pool may span up to ten years. -#}
    select tens.digit * 10 + units.digit as month_offset
    from (
        {% for digit in range(12) %}select {{ digit }} as digit{{ ' union all ' if not loop.last }}{% endfor %}
    ) as tens
    cross join (
        {% for digit in range(10) %}select {{ digit }} as digit{{ ' union all ' if not loop.last }}{% endfor %}
    ) as units

),

pool_months as (

    select
        pools.*,
        cast({{ dbt.dateadd('month', 'month_offsets.month_offset',
                            dbt.date_trunc('month', 'pools.period_start')) }} as date) as pool_month

    from pools
    cross join month_offsets
    where {{ dbt.dateadd('month', 'month_offsets.month_offset', dbt.date_trunc('month', 'pools.period_start')) }}
        < pools.period_end

),

windows as (

    select
        pool_months.*,
        case when period_start > pool_month then period_start else pool_month end as window_start,
        case
            when period_end < cast({{ dbt.dateadd('month', 1, 'pool_month') }} as date) then period_end
            else cast({{ dbt.dateadd('month', 1, 'pool_month') }} as date)
        end as window_end

    from pool_months

),

month_parts as (

    select
        windows.*,
        {{ dbt.datediff('window_start', 'window_end', 'day') }} as window_days,
        {{ cumulative_allocation('amount_usd', dbt.datediff('window_start', 'window_end', 'day'),
                                 'pool_id', 'pool_month') }} as cumulative_month_amount_usd

    from windows

),

final as (

    select
        pool_id,
        cost_pool,
        driver,
        scope_provider,
        scope_model,
        scope_feature,
        scope_environment,
        period_start,
        period_end,
        period_days,
        amount_usd as pool_amount_usd,
        pool_month,
        window_start,
        window_end,
        window_days,
        {{ allocation_from_cumulative('cumulative_month_amount_usd', 'pool_id', 'pool_month') }}
            as month_amount_usd

    from month_parts

)

select * from final
