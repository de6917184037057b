{#- One row per AI COGS / revenue band of aicost_cogs_bands() (the bounds aicost_cogs_band
    classifies with), lowest first, so a chart draws the same bands the marts' cogs_band names. -#}
{%- set bands = aicost_cogs_bands() -%}

with

bands as (

    {%- for band in bands %}
    {%- set lower = 0 if loop.first else bands[loop.index0 - 1].upper %}
    select
        cast('{{ band.band }}' as {{ dbt.type_string() }}) as cogs_band,
        cast('{{ band.label }}' as {{ dbt.type_string() }}) as band_label,
        {{ loop.index }} as band_order,
        cast({{ lower }} as {{ aicost_type_ratio() }}) as lower_bound,
        cast({{ 'null' if band.upper is none else band.upper }} as {{ aicost_type_ratio() }}) as upper_bound,
        {{ 'true' if band.upper_inclusive else 'false' }} as is_upper_inclusive
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        cogs_band,
        band_label,
        cast(band_order as {{ dbt.type_int() }}) as band_order,
        lower_bound,
        upper_bound,
        is_upper_inclusive

    from bands

)

select * from final
