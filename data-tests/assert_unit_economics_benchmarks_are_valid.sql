-- seeds/unit_economics_benchmarks.csv is configuration a user extends: a row the scorecard
-- cannot use fails the build, naming the benchmark, the band and the problem.
{%- set metrics = aicost_scorecard_metrics() | map(attribute='metric') | list %}

with

bands as (

    select * from {{ ref('int_benchmark_bands_bounded') }}

),

benchmark_shape as (

    select
        benchmark,
        count(distinct metric) as metrics,
        count(distinct direction) as directions,
        max(band_order) as last_band_order

    from bands
    group by benchmark

),

problems as (

    select benchmark, band_order, band, 'metric is not one of {{ metrics | join(", ") }}' as problem
    from bands
    where metric is null or metric not in ('{{ metrics | join("', '") }}')

    union all

    select benchmark, band_order, band, 'direction is not lower_is_better or higher_is_better'
    from bands
    where direction is null or direction not in ('lower_is_better', 'higher_is_better')

    union all

    select benchmark, band_order, band, 'band or band_order is empty'
    from bands
    where band is null or band_order is null

    union all

    select bands.benchmark, bands.band_order, bands.band, 'the rows of one benchmark name different metrics or directions'
    from bands
    inner join benchmark_shape on bands.benchmark = benchmark_shape.benchmark
    where benchmark_shape.metrics > 1 or benchmark_shape.directions > 1

    union all

    select benchmark, band_order, band, 'band_order is repeated'
    from bands
    where band_order in (
        select repeated.band_order from bands as repeated
        where repeated.benchmark = bands.benchmark
        group by repeated.band_order having count(*) > 1
    )

    union all

    select benchmark, band_order, band, 'upper_bound is not above the previous band''s'
    from bands
    where upper_bound is not null and lower_bound is not null and upper_bound <= lower_bound

    union all

    select bands.benchmark, bands.band_order, bands.band,
        case when bands.upper_bound is null then 'only the last band may have an empty upper_bound'
             else 'the last band must have an empty upper_bound (it holds every value above)' end
    from bands
    inner join benchmark_shape on bands.benchmark = benchmark_shape.benchmark
    where (bands.upper_bound is null) <> (bands.band_order = benchmark_shape.last_band_order)

    union all

    select '{{ var("cogs_band_benchmark") }}', null, null,
        'var(''cogs_band_benchmark'') names no benchmark of the seed (it gives the marts'' cogs_band)'
    where not exists (
        select 1 from bands where bands.benchmark = '{{ var("cogs_band_benchmark") }}' and bands.metric = 'ai_cogs_ratio'
    )

)

select * from problems
