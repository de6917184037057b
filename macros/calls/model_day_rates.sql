{#- Resolving the price of a provider x model x day (docs/CONTRACT.md section 2), shared by
    int_model_daily_rates (the days of the calls) and int_usage_reconciliation_rates (the days of
    the providers' usage reports), so a model is priced by one rule wherever it is seen. -#}

{% macro aicost_model_day_rate_ctes(model_days) -%}
    {#- CTEs matched_to_a_model, with_rate and with_discount over the CTE named `model_days`
        (provider, model, usage_date), reading the CTEs rate_card, model_aliases,
        price_adjustments and priced_models of the calling model. Select the resolved rows from
        with_discount where discount_rank = 1. -#}
matched_to_a_model as (

    select
        model_days.*,
        case
            when exact_match.model is not null then model_days.model
            when alias_match.model is not null then alias_match.model
            when family_match.model is not null then family_match.model
        end as priced_model,
        case
            when exact_match.model is not null then 'exact'
            when alias_match.model is not null then 'alias'
            when family_match.model is not null then 'family'
        end as price_match

    from {{ model_days }} as model_days
    left join priced_models as exact_match
        on model_days.provider = exact_match.provider
        and model_days.model = exact_match.model
    left join model_aliases
        on model_days.provider = model_aliases.provider
        and model_days.model = model_aliases.model
    left join priced_models as alias_match
        on model_aliases.provider = alias_match.provider
        and model_aliases.priced_as_model = alias_match.model
    left join priced_models as family_match
        on model_days.provider = family_match.provider
        and {{ model_family('model_days.model') }} = family_match.model

),

with_rate as (

    {#- Overlapping rate rows are a failing test on the seed; the rank keeps one row regardless,
        so a bad seed can never duplicate a call. -#}
    select
        model_days.*,
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
            partition by model_days.provider, model_days.model, model_days.usage_date
            order by rate_card.effective_from desc
        ) as rate_rank

    from matched_to_a_model as model_days
    left join rate_card
        on model_days.provider = rate_card.provider
        and model_days.priced_model = rate_card.model
        and model_days.usage_date >= rate_card.effective_from
        and (rate_card.effective_to is null or model_days.usage_date < rate_card.effective_to)

),

with_discount as (

    {#- A model-specific adjustment beats a provider-wide `*` one; then the latest start. -#}
    select
        model_days.*,
        coalesce(price_adjustments.discount_pct, 0) as discount_pct,
        row_number() over (
            partition by model_days.provider, model_days.model, model_days.usage_date
            order by
                case when price_adjustments.model = '*' then 1 else 0 end,
                price_adjustments.effective_from desc
        ) as discount_rank

    from with_rate as model_days
    left join price_adjustments
        on model_days.provider = price_adjustments.provider
        and (
            price_adjustments.model = '*'
            or price_adjustments.model = model_days.priced_model
            or price_adjustments.model = model_days.model
        )
        and model_days.usage_date >= price_adjustments.effective_from
        and (price_adjustments.effective_to is null or model_days.usage_date < price_adjustments.effective_to)
    where model_days.rate_rank = 1

)
{%- endmacro %}
