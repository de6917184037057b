{#- One row per accepted call with its list and effective cost (CONTRACT.md section 2).
    The rate card row is the one in force at occurred_at for the call's model, matched exactly,
    else through seeds/model_aliases.csv, else through the model's family (a dated version such
    as gpt-4o-2024-08-06 -> gpt-4o). A call with no row is kept with is_priced = false and
    becomes an `unpriced_model` reject: never priced at zero silently. -#}
with

calls as (

    select * from {{ ref('int_calls_dimensioned') }}

),

rate_card as (

    select * from {{ ref('rate_card') }}

),

model_aliases as (

    select * from {{ ref('model_aliases') }}

),

price_adjustments as (

    select * from {{ ref('stg_raw__price_adjustments') }}

),

priced_models as (

    select distinct provider, model from rate_card

),

calls_matched_to_a_model as (

    select
        calls.*,
        case
            when exact_match.model is not null then calls.model
            when alias_match.model is not null then alias_match.model
            when family_match.model is not null then family_match.model
        end as priced_model,
        case
            when exact_match.model is not null then 'exact'
            when alias_match.model is not null then 'alias'
            when family_match.model is not null then 'family'
        end as price_match

    from calls
    left join priced_models as exact_match
        on calls.provider = exact_match.provider
        and calls.model = exact_match.model
    left join model_aliases
        on calls.provider = model_aliases.provider
        and calls.model = model_aliases.model
    left join priced_models as alias_match
        on model_aliases.provider = alias_match.provider
        and model_aliases.priced_as_model = alias_match.model
    left join priced_models as family_match
        on calls.provider = family_match.provider
        and {{ model_family('calls.model') }} = family_match.model

),

calls_with_rate as (

    {#- Overlapping rate rows are a failing test on the seed; the rank keeps one row regardless,
        so a bad seed can never duplicate a call. -#}
    select
        calls.*,
        rate_card.effective_from as rate_effective_from,
        rate_card.input_usd_per_mtok,
        rate_card.output_usd_per_mtok,
        rate_card.cache_read_usd_per_mtok,
        rate_card.cache_write_usd_per_mtok,
        rate_card.cache_write_1h_usd_per_mtok,
        rate_card.batch_input_usd_per_mtok,
        rate_card.batch_output_usd_per_mtok,
        rate_card.long_context_threshold_tokens,
        rate_card.input_usd_per_mtok_long,
        rate_card.output_usd_per_mtok_long,
        rate_card.cache_read_usd_per_mtok_long,
        rate_card.cache_write_usd_per_mtok_long,
        row_number() over (
            partition by calls.request_id
            order by rate_card.effective_from desc
        ) as rate_rank

    from calls_matched_to_a_model as calls
    left join rate_card
        on calls.provider = rate_card.provider
        and calls.priced_model = rate_card.model
        and calls.occurred_at >= rate_card.effective_from
        and (rate_card.effective_to is null or calls.occurred_at < rate_card.effective_to)

),

calls_with_discount as (

    {#- A model-specific adjustment beats a provider-wide `*` one; then the latest start. -#}
    select
        calls.*,
        coalesce(price_adjustments.discount_pct, 0) as discount_pct,
        row_number() over (
            partition by calls.request_id
            order by
                case when price_adjustments.model = '*' then 1 else 0 end,
                price_adjustments.effective_from desc
        ) as discount_rank

    from calls_with_rate as calls
    left join price_adjustments
        on calls.provider = price_adjustments.provider
        and (
            price_adjustments.model = '*'
            or price_adjustments.model = calls.priced_model
            or price_adjustments.model = calls.model
        )
        and calls.occurred_at >= price_adjustments.effective_from
        and (price_adjustments.effective_to is null or calls.occurred_at < price_adjustments.effective_to)
    where calls.rate_rank = 1

),

unit_prices as (

    {#- The long-context tier reprices the whole call (cache reads too); batch prices replace the
        regular input and output prices; empty cache prices fall back to the input price. -#}
    select
        calls.*,
        {#- A call needing a price the card lacks (an output price for generated tokens) is unpriced. -#}
        calls.input_usd_per_mtok is not null
            and (calls.output_usd_per_mtok is not null or calls.output_tokens = 0) as is_priced,
        coalesce(
            calls.long_context_threshold_tokens is not null
            and calls.input_tokens > calls.long_context_threshold_tokens,
            false
        ) as is_long_context,
        case
            when calls.long_context_threshold_tokens is not null
                and calls.input_tokens > calls.long_context_threshold_tokens
                and calls.input_usd_per_mtok_long is not null
                then calls.input_usd_per_mtok_long
            else calls.input_usd_per_mtok
        end as tier_input_usd_per_mtok,
        case
            when calls.long_context_threshold_tokens is not null
                and calls.input_tokens > calls.long_context_threshold_tokens
                then calls.output_usd_per_mtok_long
        end as long_output_usd_per_mtok,
        case
            when calls.long_context_threshold_tokens is not null
                and calls.input_tokens > calls.long_context_threshold_tokens
                then calls.cache_read_usd_per_mtok_long
        end as long_cache_read_usd_per_mtok,
        case
            when calls.long_context_threshold_tokens is not null
                and calls.input_tokens > calls.long_context_threshold_tokens
                then calls.cache_write_usd_per_mtok_long
        end as long_cache_write_usd_per_mtok

    from calls_with_discount as calls
    where calls.discount_rank = 1

),

applied_prices as (

    select
        unit_prices.*,
        case
            when is_batch and batch_input_usd_per_mtok is not null then batch_input_usd_per_mtok
            else tier_input_usd_per_mtok
        end as applied_input_usd_per_mtok,
        case
            when not is_priced then null
            when is_batch and batch_output_usd_per_mtok is not null then batch_output_usd_per_mtok
            else coalesce(long_output_usd_per_mtok, output_usd_per_mtok, 0)
        end as applied_output_usd_per_mtok,
        coalesce(long_cache_read_usd_per_mtok, cache_read_usd_per_mtok, tier_input_usd_per_mtok)
            as applied_cache_read_usd_per_mtok,
        coalesce(long_cache_write_usd_per_mtok, cache_write_usd_per_mtok, tier_input_usd_per_mtok)
            as applied_cache_write_usd_per_mtok,
        coalesce(
            cache_write_1h_usd_per_mtok,
            long_cache_write_usd_per_mtok,
            cache_write_usd_per_mtok,
            tier_input_usd_per_mtok
        ) as applied_cache_write_1h_usd_per_mtok,
        cast(1 as decimal(9, 6)) - cast(discount_pct as decimal(9, 4)) / 100 as discount_factor

    from unit_prices

),

costed as (

    select
        applied_prices.*,
        input_tokens - cache_read_tokens - cache_write_tokens as uncached_input_tokens,
        {{ per_mtok_cost('input_tokens - cache_read_tokens - cache_write_tokens',
                         'applied_input_usd_per_mtok') }} as uncached_input_cost_usd,
        {{ per_mtok_cost('cache_read_tokens', 'applied_cache_read_usd_per_mtok') }} as cache_read_cost_usd,
        {{ per_mtok_cost('cache_write_tokens - cache_write_1h_tokens', 'applied_cache_write_usd_per_mtok') }}
        + {{ per_mtok_cost('cache_write_1h_tokens', 'applied_cache_write_1h_usd_per_mtok') }}
            as cache_write_cost_usd,
        {{ per_mtok_cost('output_tokens', 'applied_output_usd_per_mtok') }} as output_cost_usd,
        {#- What the call would have cost with no prompt cache: every input token at the input price. -#}
        {{ per_mtok_cost('input_tokens', 'applied_input_usd_per_mtok') }} as uncached_equivalent_input_cost_usd

    from applied_prices

),

final as (

    select
        request_id,
        trace_id,
        parent_request_id,
        source_file,
        line_number,
        is_priced,
        provider,
        model,
        priced_model,
        price_match,
        rate_effective_from,
        call_role,
        operation,
        status,
        is_batch,
        is_long_context,
        {%- for dimension in var('attribution_dimensions') + var('call_identifiers') %}
        {{ dimension }},
        {%- endfor %}
        api_key_alias,
        input_tokens,
        output_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        reasoning_tokens,
        latency_ms,
        applied_input_usd_per_mtok,
        applied_output_usd_per_mtok,
        applied_cache_read_usd_per_mtok,
        applied_cache_write_usd_per_mtok,
        discount_pct,
        uncached_input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        output_cost_usd,
        {{ aicost_to_money('uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd') }}
            as input_cost_usd,
        {{ aicost_to_money('uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + output_cost_usd') }}
            as list_cost_usd,
        {{ aicost_to_money('uncached_equivalent_input_cost_usd + output_cost_usd') }} as uncached_list_cost_usd,
        {{ aicost_to_money('(uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd) * discount_factor') }}
            as effective_input_cost_usd,
        {{ aicost_to_money('output_cost_usd * discount_factor') }} as effective_output_cost_usd,
        {{ aicost_to_money('uncached_equivalent_input_cost_usd * discount_factor') }}
            as uncached_effective_input_cost_usd,
        occurred_at,
        metadata

    from costed

)

select * from final
