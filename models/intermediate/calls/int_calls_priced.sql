{#- One row per call with its list cost and its cost after negotiated discounts (docs/CONTRACT.md
    section 2): the rate card row and discount in force on the call's day for its model
    (int_model_daily_rates), then

      list cost = (uncached input x input price + cache reads x cache-read price
                   + 5-minute cache writes x cache-write price + 1-hour writes x 1-hour price
                   + output x output price) / 1,000,000,  uncached input = input - reads - writes
      effective cost = list cost x (1 - discount_pct / 100)

    A call above the model's long-context threshold is priced entirely at the long-context prices
    (cache reads and writes too); a batch call at the batch input and output prices; an empty
    cache price falls back to the input price. A call with no rate card row, or with output tokens
    and no output price, keeps is_priced = false and becomes an `unpriced_model` reject: never
    priced at zero.

    Incremental (delete+insert on request_id): the calls int_calls_dimensioned rebuilt since this
    model's last run, or every call when the rate card, the aliases or the discounts changed (an
    edited price list reprices the past). -#}
{{ config(
    materialized='incremental',
    unique_key='request_id',
    incremental_strategy='delete+insert',
    partition_by=aicost_partition_by('usage_month'),
    on_schema_change='fail',
) }}
{%- set rebuild = aicost_rows_to_rebuild(this, [ref('rate_card'), ref('model_aliases'), ref('stg_raw__price_adjustments')]) %}

with

calls as (

    select * from {{ ref('int_calls_dimensioned') }}
    where {{ rebuild.predicate }}

),

daily_rates as (

    select * from {{ ref('int_model_daily_rates') }}

),

with_rates as (

    select
        calls.*,
        daily_rates.priced_model,
        daily_rates.price_match,
        daily_rates.rate_effective_from,
        daily_rates.discount_pct,
        {#- output tokens need an output price; a call without one is unpriced -#}
        daily_rates.input_usd_per_mtok is not null
            and (daily_rates.output_usd_per_mtok is not null or calls.output_tokens = 0) as is_priced,
        coalesce(
            daily_rates.long_context_threshold_tokens is not null
            and calls.input_tokens > daily_rates.long_context_threshold_tokens,
            false
        ) as is_long_context,
        daily_rates.input_usd_per_mtok,
        daily_rates.output_usd_per_mtok,
        daily_rates.cache_read_usd_per_mtok,
        daily_rates.cache_write_usd_per_mtok,
        daily_rates.cache_write_1h_usd_per_mtok,
        daily_rates.batch_input_usd_per_mtok,
        daily_rates.batch_output_usd_per_mtok,
        daily_rates.input_usd_per_mtok_long,
        daily_rates.output_usd_per_mtok_long,
        daily_rates.cache_read_usd_per_mtok_long,
        daily_rates.cache_write_usd_per_mtok_long

    from calls
    left join daily_rates
        on calls.provider = daily_rates.provider
        and calls.model = daily_rates.model
        and calls.usage_date = daily_rates.usage_date

),

tier_prices as (

    {#- The long-context tier replaces every price it has; the others keep the regular ones. -#}
    select
        with_rates.*,
        case when is_long_context then coalesce(input_usd_per_mtok_long, input_usd_per_mtok)
            else input_usd_per_mtok end as tier_input_usd_per_mtok,
        case when is_long_context then coalesce(output_usd_per_mtok_long, output_usd_per_mtok)
            else output_usd_per_mtok end as tier_output_usd_per_mtok,
        case when is_long_context then cache_read_usd_per_mtok_long end as long_cache_read_usd_per_mtok,
        case when is_long_context then cache_write_usd_per_mtok_long end as long_cache_write_usd_per_mtok

    from with_rates

),

applied_prices as (

    select
        tier_prices.*,
        case
            when is_batch and batch_input_usd_per_mtok is not null then batch_input_usd_per_mtok
            else tier_input_usd_per_mtok
        end as applied_input_usd_per_mtok,
        case
            when not is_priced then null
            when is_batch and batch_output_usd_per_mtok is not null then batch_output_usd_per_mtok
            else coalesce(tier_output_usd_per_mtok, 0)
        end as applied_output_usd_per_mtok,
        coalesce(long_cache_read_usd_per_mtok, cache_read_usd_per_mtok, tier_input_usd_per_mtok)
            as applied_cache_read_usd_per_mtok,
        coalesce(long_cache_write_usd_per_mtok, cache_write_usd_per_mtok, tier_input_usd_per_mtok)
            as applied_cache_write_usd_per_mtok,
        coalesce(
            cache_write_1h_usd_per_mtok, long_cache_write_usd_per_mtok, cache_write_usd_per_mtok,
            tier_input_usd_per_mtok
        ) as applied_cache_write_1h_usd_per_mtok,
        {#- decimal x decimal stays exact; dividing by 100 would make it a double on DuckDB -#}
        cast(1 as decimal(9, 6)) - cast(discount_pct as decimal(9, 4)) * cast(0.01 as decimal(3, 2)) as discount_factor

    from tier_prices

),

costed as (

    select
        applied_prices.*,
        input_tokens - cache_read_tokens - cache_write_tokens as uncached_input_tokens,
        {{ aicost_token_cost('input_tokens - cache_read_tokens - cache_write_tokens', 'applied_input_usd_per_mtok') }}
            as uncached_input_cost_usd,
        {{ aicost_token_cost('cache_read_tokens', 'applied_cache_read_usd_per_mtok') }} as cache_read_cost_usd,
        {{ aicost_token_cost('cache_write_tokens - cache_write_1h_tokens', 'applied_cache_write_usd_per_mtok') }}
        + {{ aicost_token_cost('cache_write_1h_tokens', 'applied_cache_write_1h_usd_per_mtok') }}
            as cache_write_cost_usd,
        {{ aicost_token_cost('output_tokens', 'applied_output_usd_per_mtok') }} as output_cost_usd,
        {#- what the call would have cost with no prompt cache: every input token at the input price -#}
        {{ aicost_token_cost('input_tokens', 'applied_input_usd_per_mtok') }} as uncached_equivalent_input_cost_usd

    from applied_prices

),

final as (

    select
        -- ids and lineage
        request_id,
        trace_id,
        parent_request_id,
        source_name,
        source_file,
        line_number,
        record_index,
        request_copies,

        -- what was called and how it was priced
        provider,
        model,
        priced_model,
        price_match,
        rate_effective_from,
        is_priced,
        call_role,
        operation,
        status,
        is_batch,
        is_long_context,

        -- attribution
        {%- for column in var('attribution_dimensions') + var('call_identifiers') %}
        {{ column }},
        {%- endfor %}
        coalesce(api_key_alias, 'none') as api_key_alias,
        trace_has_primary,
        is_trace_primary,

        -- tokens
        input_tokens,
        output_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        reasoning_tokens,
        latency_ms,

        -- prices applied (USD per million tokens) and the discount
        applied_input_usd_per_mtok,
        applied_output_usd_per_mtok,
        applied_cache_read_usd_per_mtok,
        applied_cache_write_usd_per_mtok,
        discount_pct,

        -- money: list, then after the negotiated discount
        uncached_input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        output_cost_usd,
        {{ aicost_to_money('uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd') }} as input_cost_usd,
        {{ aicost_to_money('uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + output_cost_usd') }}
            as list_cost_usd,
        {{ aicost_to_money('uncached_equivalent_input_cost_usd + output_cost_usd') }} as uncached_list_cost_usd,
        {{ aicost_to_money('(uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd) * discount_factor') }}
            as effective_input_cost_usd,
        {{ aicost_to_money('output_cost_usd * discount_factor') }} as effective_output_cost_usd,
        {{ aicost_to_money('uncached_equivalent_input_cost_usd * discount_factor') }}
            as uncached_effective_input_cost_usd,
        reported_cost_usd,

        -- time
        occurred_at,
        usage_date,
        usage_month,
        previous_usage_date,

        -- free-form tags and bookkeeping
        metadata,
        {{ aicost_run_timestamp() }} as processed_through,
        {{ rebuild.fingerprint }} as reference_fingerprint

    from costed

)

select * from final
