{#- Repeated arithmetic lives here, named, never copy-pasted (docs/STYLE.md 9). -#}

{% macro per_mtok_cost(tokens, usd_per_mtok) -%}
    {#- USD for `tokens` at a price per million tokens, kept exact: decimal times decimal. -#}
    cast(
        cast({{ tokens }} as decimal(38, 0)) * {{ usd_per_mtok }} * cast(0.000001 as decimal(7, 6))
        as {{ aicost_type_money() }}
    )
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else ({{ numerator }}) / ({{ denominator }}) end
{%- endmacro %}
