{#- One row per AI COGS / revenue band of the benchmark var('cogs_band_benchmark') names in
    seeds/unit_economics_benchmarks.csv (the bands the marts' cogs_band is classified with),
    lowest first, so a chart draws the same bands the marts name. -#}

with

bands as (

    select * from {{ ref('int_benchmark_bands_bounded') }}
    where benchmark = '{{ var("cogs_band_benchmark") }}'

),

final as (

    select
        cast(band as {{ dbt.type_string() }}) as cogs_band,
        cast(band_label as {{ dbt.type_string() }}) as band_label,
        cast(band_order as {{ dbt.type_int() }}) as band_order,
        {#- a ratio of cost to revenue starts at 0 -#}
        cast(coalesce(lower_bound, 0) as {{ aicost_type_ratio() }}) as lower_bound,
        cast(upper_bound as {{ aicost_type_ratio() }}) as upper_bound,
        upper_bound_included as is_upper_inclusive

    from bands

)

select * from final
