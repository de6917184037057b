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
            amount ~ ' * (' ~ aicost_divide(
                'sum(' ~ weight ~ ') over (partition by ' ~ partition_by ~ ' order by ' ~ order_by
                ~ ' rows between unbounded preceding and current row) * 1.0',
                'sum(' ~ weight ~ ') over (partition by ' ~ partition_by ~ ')') ~ ')') }}
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

{% macro aicost_in_pool_window(pool_months, usage) -%}
    {#- The usage rows (a call or a daily group, alias `usage`) a shared pool month may be spread
        over: inside the month's window and the pool's scope (an empty scope column = all). -#}
    {{ usage }}.usage_date >= {{ pool_months }}.window_start
        and {{ usage }}.usage_date < {{ pool_months }}.window_end
        and ({{ pool_months }}.scope_provider is null or {{ usage }}.provider = {{ pool_months }}.scope_provider)
        and ({{ pool_months }}.scope_model is null or {{ usage }}.model = {{ pool_months }}.scope_model)
        and ({{ pool_months }}.scope_feature is null or {{ usage }}.feature = {{ pool_months }}.scope_feature)
        and ({{ pool_months }}.scope_environment is null or {{ usage }}.environment = {{ pool_months }}.scope_environment)
{%- endmacro %}

{% macro aicost_shared_cost_drivers(family) -%}
    {#- The drivers var('shared_cost_drivers') gives to one allocating family, as a SQL list of literals. -#}
    {%- set drivers = [] -%}
    {%- for driver, driver_family in var('shared_cost_drivers').items() if driver_family == family -%}
        {%- do drivers.append("'" ~ driver ~ "'") -%}
    {%- endfor -%}
    ({{ drivers | join(', ') if drivers else 'null' }})
{%- endmacro %}
