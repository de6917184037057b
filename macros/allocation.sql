{#- Exact allocation: split an amount over rows in proportion to a weight so that the parts sum
    to the amount exactly, to the last decimal.

    Each row gets (cumulative share up to and including it) - (cumulative share before it), with
    the last row's cumulative share being the whole amount by definition, so rounding never leaks:
    the parts telescope to the amount. Use in two steps:

        cumulative_allocation(...) as cumulative_allocated_usd      -- in one CTE
        cumulative_allocated_usd - lag(cumulative_allocated_usd) ... -- via allocation_from_cumulative

    `order_by` must order the rows of a partition totally (list every grain column). -#}

{% macro cumulative_allocation(amount, weight, partition_by, order_by) -%}
    case
        when sum({{ weight }}) over (partition by {{ partition_by }}) = 0 then null
        when sum({{ weight }}) over (
            partition by {{ partition_by }} order by {{ order_by }}
            rows between unbounded preceding and current row
        ) = sum({{ weight }}) over (partition by {{ partition_by }})
            then {{ aicost_to_money(amount) }}
        else {{ aicost_to_money(
            amount ~ ' * (sum(' ~ weight ~ ') over (partition by ' ~ partition_by ~ ' order by ' ~ order_by
            ~ ' rows between unbounded preceding and current row) * 1.0 / sum(' ~ weight
            ~ ') over (partition by ' ~ partition_by ~ '))') }}
    end
{%- endmacro %}

{% macro allocation_from_cumulative(cumulative, partition_by, order_by) -%}
    {{ aicost_to_money(
        cumulative ~ ' - coalesce(lag(' ~ cumulative ~ ') over (partition by ' ~ partition_by
        ~ ' order by ' ~ order_by ~ '), 0)') }}
{%- endmacro %}

{% macro dimension_columns(prefix='') -%}
    {#- The attribution dimensions as a comma-separated column list, optionally qualified. -#}
    {%- for dimension in var('attribution_dimensions') -%}
        {{ prefix }}{{ dimension }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
