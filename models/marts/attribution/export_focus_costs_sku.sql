{#- The FOCUS 1.3 export at SKU grain: export_focus_costs with each usage charge split into one
    row per model x token type (SkuMeter Input, Cached Input, Cache Write, Output), with
    ConsumedQuantity in tokens, PricingQuantity in millions of tokens and the average unit prices.
    `aicost export focus --grain sku` writes it. Shared pools, untracked usage and invoice
    differences are the rows of export_focus_costs as they are.

    Per usage group (month x provider x model x dimensions) and meter, exactly (each split is the
    difference of rounded cumulative shares, macros/marts/allocation.sql, so the meters add up to the
    group's ledger amounts):
      ListCost       the meter's list cost (the rate card, by token type)
      ContractedCost ListCost + the group's negotiated discount spread over its meters by list cost
      EffectiveCost  ContractedCost + the group's cache pooling adjustment spread over its prompt
                     meters by contracted cost (by tokens when those cost nothing); output keeps
                     its own cost, as pooling only blends prompt tokens -#}
{%- set group_key = 'ledger_month, provider, model, ' ~ dimension_columns() -%}
{%- set meters = [
    ('input', 'Input', 'uncached_input_tokens', 'uncached_input_list_cost_usd', 'input', 'none', 1),
    ('cached_input', 'Cached Input', 'cache_read_tokens', 'cache_read_list_cost_usd', 'input', 'read', 2),
    ('cache_write', 'Cache Write', 'cache_write_tokens', 'cache_write_list_cost_usd', 'input', 'write', 3),
    ('output', 'Output', 'output_tokens', 'output_list_cost_usd', 'output', 'none', 4),
] -%}

with

other_charges as (

    select * from {{ ref('export_focus_costs') }}
    where {{ adapter.quote('x_CostPool') }} <> 'usage'

),

usage_groups as (

    select * from {{ ref('int_usage_daily_pooled') }}

),

usage_by_month as (

    select
        usage_month as ledger_month,
        provider,
        model,
        {{ dimension_columns() }},
        sum(calls) as calls,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(output_tokens) as output_tokens,
        sum(uncached_input_list_cost_usd) as uncached_input_list_cost_usd,
        sum(cache_read_list_cost_usd) as cache_read_list_cost_usd,
        sum(cache_write_list_cost_usd) as cache_write_list_cost_usd,
        sum(output_list_cost_usd) as output_list_cost_usd,
        sum(effective_cost_usd - list_cost_usd) as discount_usd,
        sum(pooled_cost_usd - effective_cost_usd) as pooling_usd,
        sum(cache_savings_usd) as cache_savings_usd

    from usage_groups
    group by usage_month, provider, model, {{ dimension_columns() }}

),

meter_rows as (

    {%- for meter, meter_name, tokens, list_cost, direction, cache_action, position in meters %}
    select
        {{ group_key }},
        '{{ meter }}' as meter,
        '{{ meter_name }}' as meter_name,
        '{{ direction }}' as token_direction,
        '{{ cache_action }}' as cache_action,
        {{ position }} as meter_position,
        {{ tokens }} as tokens,
        {{ list_cost }} as list_cost,
        discount_usd,
        pooling_usd,
        {{ 'calls' if meter == 'input' else '0' }} as calls,
        {{ 'cache_savings_usd' if meter == 'input' else '0' }} as cache_savings_usd
    from usage_by_month
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

discounted as (

    select
        meter_rows.*,
        {{ cumulative_allocation('discount_usd', 'list_cost', group_key, 'meter_position') }} as cumulative_discount_usd

    from meter_rows

),

contracted as (

    select
        discounted.*,
        list_cost + coalesce({{ allocation_from_cumulative('cumulative_discount_usd', group_key, 'meter_position') }}, 0)
            as contracted_cost

    from discounted

),

pooling_weights as (

    select
        contracted.*,
        case
            when token_direction = 'output' then cast(0 as decimal(38, 12))
            when sum(case when token_direction = 'input' then contracted_cost else 0 end)
                over (partition by {{ group_key }}) > 0 then cast(contracted_cost as decimal(38, 12))
            else cast(tokens as decimal(38, 12))
        end as pooling_weight

    from contracted

),

pooled as (

    select
        pooling_weights.*,
        {{ cumulative_allocation('pooling_usd', 'pooling_weight', group_key, 'meter_position') }} as cumulative_pooling_usd

    from pooling_weights

),

charges as (

    select
        pooled.*,
        'usage' as charge_key,
        'Usage' as charge_category,
        true as is_allocated,
        cast(null as {{ dbt.type_string() }}) as allocation_method,
        cast(null as {{ aicost_type_ratio() }}) as allocated_ratio,
        contracted_cost
        + coalesce({{ allocation_from_cumulative('cumulative_pooling_usd', group_key, 'meter_position') }}, 0)
            as effective_cost

    from pooled

),

sku_rows as (

    select
        {{ aicost_focus_charge_columns() }}
        {{ dbt.concat(['provider', "'/'", 'model', "'/'", 'meter']) }} as {{ adapter.quote('SkuId') }},
        meter_name as {{ adapter.quote('SkuMeter') }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('SkuPriceId') }},
        {{ aicost_to_money('tokens') }} as {{ adapter.quote('ConsumedQuantity') }},
        'Tokens' as {{ adapter.quote('ConsumedUnit') }},
        {{ aicost_to_money('tokens * cast(0.000001 as decimal(7, 6))') }} as {{ adapter.quote('PricingQuantity') }},
        '1M Tokens' as {{ adapter.quote('PricingUnit') }},
        {{ aicost_to_money(safe_divide('list_cost * 1000000', 'tokens')) }} as {{ adapter.quote('ListUnitPrice') }},
        {{ aicost_to_money(safe_divide('contracted_cost * 1000000', 'tokens')) }} as {{ adapter.quote('ContractedUnitPrice') }},
        token_direction as {{ adapter.quote('x_TokenDirection') }},
        cache_action as {{ adapter.quote('x_CacheAction') }},
        cast(calls as {{ dbt.type_bigint() }}) as {{ adapter.quote('x_Calls') }},
        cast(case when token_direction = 'input' then tokens else 0 end as {{ dbt.type_bigint() }}) as {{ adapter.quote('x_InputTokens') }},
        cast(case when token_direction = 'output' then tokens else 0 end as {{ dbt.type_bigint() }}) as {{ adapter.quote('x_OutputTokens') }},
        {{ aicost_to_money('cache_savings_usd') }} as {{ adapter.quote('x_CacheSavings') }}

    from charges
    {#- a meter with no tokens, no calls and no cost says nothing #}
    where tokens <> 0 or calls <> 0 or list_cost <> 0 or effective_cost <> 0

),

final as (

    {#- both branches hold the columns of export_focus_costs in its order (aicost_focus_charge_columns) #}
    select * from other_charges
    union all
    select * from sku_rows

)

select * from final  -- noqa: AM04
