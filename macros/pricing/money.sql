{#- Repeated arithmetic lives here, named, never copy-pasted (docs/STYLE.md 9). -#}

{% macro aicost_token_cost(tokens, usd_per_mtok) -%}
    {#- USD for `tokens` at a price per million tokens, kept exact: decimal times decimal. Most
        calls have no cache reads or writes, so no tokens skip the decimal arithmetic: the result
        is the same 0, and a NULL price stays NULL. -#}
    case
        when {{ tokens }} = 0 and {{ usd_per_mtok }} is not null then {{ aicost_to_money('0') }}
        else cast(
            cast({{ tokens }} as decimal(38, 0)) * {{ usd_per_mtok }} * cast(0.000001 as decimal(7, 6))
            as {{ aicost_type_money() }}
        )
    end
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else {{ aicost_divide('(' ~ numerator ~ ')', '(' ~ denominator ~ ')') }} end
{%- endmacro %}

{% macro aicost_divide(numerator, denominator) -%}
    {#- numerator / denominator as DuckDB divides decimals: in double precision (the callers cast
        the result back to money). -#}
    {{ return(adapter.dispatch('aicost_divide', 'ai_cost_attribution')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__aicost_divide(numerator, denominator) -%}
    {{ numerator }} / {{ denominator }}
{%- endmacro %}

{% macro spark__aicost_divide(numerator, denominator) -%}
    {#- Spark divides two decimal(38, 12) into a decimal of 6 places (its precision-loss rule),
        which moves cents: divide in double precision, as DuckDB does. -#}
    cast({{ numerator }} as double) / {{ denominator }}
{%- endmacro %}

{% macro aicost_pooled_input_cost(uncached_input, actual_input, pools) -%}
    {#- The input cost after cache pooling of a call or a group of calls of one pool: its
        uncached-equivalent input cost times the pool's ratio of actual to uncached input cost
        (`pools` is the alias of an int_cache_pools row). With var('cache_pooling') = 'off' every
        call keeps its own cache luck (its actual input cost). -#}
    {%- set pooling = var('cache_pooling') -%}
    {%- if pooling not in ['pooled', 'off'] -%}
        {{ exceptions.raise_compiler_error("var('cache_pooling') must be 'pooled' or 'off', got '" ~ pooling ~ "'") }}
    {%- endif -%}
    {%- if pooling == 'off' -%}
        {{ actual_input }}
    {%- else -%}
    case
        when {{ pools }}.pool_uncached_input_usd = 0 then {{ actual_input }}
        else {{ aicost_to_money(uncached_input ~ ' * (' ~ aicost_divide(pools ~ '.pool_actual_input_usd',
                                                                    pools ~ '.pool_uncached_input_usd') ~ ')') }}
    end
    {%- endif -%}
{%- endmacro %}

{% macro aicost_discount_factor(discount_pct) -%}
    {#- 1 - discount_pct / 100 as an exact decimal (a decimal divided by an integer is a float on
        DuckDB): (100 - discount_pct) x 0.01. A NULL discount is none. -#}
    ((cast(100 as decimal(9, 4)) - cast(coalesce({{ discount_pct }}, 0) as decimal(9, 4))) * cast(0.01 as decimal(3, 2)))
{%- endmacro %}
