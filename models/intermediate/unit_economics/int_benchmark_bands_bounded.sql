{#- The bands of seeds/unit_economics_benchmarks.csv with both bounds: a band holds the values
    from the previous band's upper bound to its own (the first band has no lower bound, the last
    no upper bound), so the bands of a benchmark tile the line with no gap and no overlap. A value
    on a bound falls in the band that includes it: the seed says per band whether its upper bound
    is included, and the next band includes it as its lower bound when that one does not. -#}

with

benchmarks as (

    select * from {{ ref('unit_economics_benchmarks') }}

),

bounded as (

    select
        benchmarks.*,
        lag(upper_bound) over (partition by benchmark order by band_order) as lower_bound,
        lag(upper_bound_included) over (partition by benchmark order by band_order) as previous_upper_included,
        count(*) over (partition by benchmark) as bands_in_benchmark

    from benchmarks

),

final as (

    select
        benchmark,
        metric,
        population,
        direction,
        cast(band_order as {{ dbt.type_int() }}) as band_order,
        cast(bands_in_benchmark as {{ dbt.type_int() }}) as bands_in_benchmark,
        {#- 1 = the best band: the lowest values when lower is better, the highest otherwise -#}
        cast(case when direction = 'lower_is_better' then band_order else bands_in_benchmark + 1 - band_order end
             as {{ dbt.type_int() }}) as band_rank,
        band,
        band_label,
        lower_bound,
        coalesce(not previous_upper_included, false) as lower_bound_included,
        upper_bound,
        coalesce(upper_bound_included, false) as upper_bound_included,
        publisher,
        report,
        published,
        url

    from bounded

)

select * from final
