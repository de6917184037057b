{#- Where the company stands on each published benchmark, month by month: one row per month x
    metric x benchmark judging it (a metric no benchmark judges has one row, benchmark NULL),
    every month from the first with data to the as-of month (an empty month has NULL values).
    Each metric is a ratio of two sums read from the marts (docs/ARCHITECTURE.md, "The
    scorecard"), so the scorecard equals them by construction; the bands and thresholds come
    from seeds/unit_economics_benchmarks.csv (int_benchmark_bands_bounded). -#}
{%- set metrics = aicost_scorecard_metrics() %}

with

customer_months as (select * from {{ ref('mart_customer_unit_economics') }}),

feature_months as (select * from {{ ref('mart_feature_unit_economics') }}),

routing_months as (select * from {{ ref('mart_feature_routing_coverage') }}),

bands as (select * from {{ ref('int_benchmark_bands_bounded') }}),

as_of as (select * from {{ ref('int_as_of_date') }}),

time_spine as (select * from {{ ref('metricflow_time_spine') }}),

metric_sums as (

    select month, 'ai_cogs_ratio' as metric, sum(ai_cost_usd) as numerator, sum(revenue_usd) as denominator
    from customer_months group by month
    union all
    select month, 'inference_cost_per_request' as metric, sum(usage_cost_usd) as numerator, sum(interactions) as denominator
    from feature_months group by month
    union all
    select month, 'routing_coverage' as metric, sum(routed_interactions) as numerator, sum(interactions) as denominator
    from routing_months group by month
    union all
    select month, 'cheapest_model_call_share' as metric, sum(calls_on_cheapest_model) as numerator, sum(calls) as denominator
    from routing_months group by month
    union all
    {#- an AI feature is a feature with product AI cost; untagged usage is not a feature #}
    select month, 'feature_profitability' as metric, sum(case when is_profitable then 1 else 0 end) as numerator,
        count(*) as denominator
    from feature_months where feature <> 'unattributed' group by month

),

months as (

    select distinct cast({{ dbt.date_trunc('month', 'time_spine.date_day') }} as date) as month
    from time_spine
    cross join as_of
    where time_spine.date_day >= (select min(metric_sums.month) from metric_sums)
        and time_spine.date_day <= as_of.as_of_date

),

metric_list as (

    {%- for metric in metrics %}
    select {{ loop.index }} as metric_order, '{{ metric.metric }}' as metric, '{{ metric.label }}' as metric_label,
        '{{ metric.unit }}' as unit
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

valued as (

    select
        months.month,
        metric_list.metric_order,
        metric_list.metric,
        metric_list.metric_label,
        metric_list.unit,
        {{ aicost_to_money('metric_sums.numerator') }} as numerator,
        {{ aicost_to_money('metric_sums.denominator') }} as denominator,
        {{ aicost_to_money(safe_divide('metric_sums.numerator', 'metric_sums.denominator')) }} as value,
        months.month < as_of.as_of_month
            or (months.month = as_of.as_of_month and as_of.days_elapsed = as_of.days_in_month) as is_month_complete

    from months
    cross join metric_list
    cross join as_of
    left join metric_sums
        on months.month = metric_sums.month
        and metric_list.metric = metric_sums.metric

),

benchmarks as (

    select distinct benchmark, metric, population, direction, bands_in_benchmark, publisher, report, published, url
    from bands

),

banded as (

    select
        valued.*,
        benchmarks.benchmark,
        benchmarks.population,
        benchmarks.direction,
        benchmarks.bands_in_benchmark,
        benchmarks.publisher,
        benchmarks.report,
        benchmarks.published,
        benchmarks.url,
        band.band,
        band.band_label,
        band.band_rank,
        band.lower_bound,
        band.lower_bound_included,
        band.upper_bound,
        band.upper_bound_included,
        lag(valued.value) over (partition by valued.metric, benchmarks.benchmark order by valued.month) as previous_value,
        lag(band.band) over (partition by valued.metric, benchmarks.benchmark order by valued.month) as previous_band

    from valued
    left join benchmarks
        on valued.metric = benchmarks.metric
    left join bands as band
        on benchmarks.benchmark = band.benchmark
        and {{ aicost_value_in_band('valued.value', 'band') }}

),

final as (

    select
        month,
        metric,
        benchmark,
        cast(metric_order as {{ dbt.type_int() }}) as metric_order,
        metric_label,
        unit,
        value,
        numerator,
        denominator,
        is_month_complete,
        previous_value,
        {{ aicost_to_money('value - previous_value') }} as change,
        case
            when direction is null or value is null or previous_value is null then null
            when value = previous_value then 'unchanged'
            when (value < previous_value) = (direction = 'lower_is_better') then 'better'
            else 'worse'
        end as trend,
        population,
        direction,
        band,
        band_label,
        band_rank,
        bands_in_benchmark,
        lower_bound as band_lower_bound,
        lower_bound_included as band_lower_bound_included,
        upper_bound as band_upper_bound,
        upper_bound_included as band_upper_bound_included,
        previous_band,
        publisher,
        report,
        published,
        url

    from banded

)

select * from final
