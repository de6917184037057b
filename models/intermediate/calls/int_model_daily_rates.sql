{#- One row per provider x model (as reported) x day with usage: the rate card row in force that
    day and the negotiated discount (docs/CONTRACT.md section 2). Rate card and discount periods are
    whole days, so resolving them once per model and day prices every call of that day with one
    join to a table of a few rows (int_calls_priced) instead of a range join and two windows over
    all calls (the dense daily rate table of dbt-snowflake-monitoring's daily_rates).

    The model is matched exactly, else through seeds/model_aliases.csv, else through its family
    (a dated version such as gpt-4o-2024-08-06 -> gpt-4o). No row: the prices are NULL and the
    calls become `unpriced_model` rejects, never priced at zero.

    Incremental (delete+insert on provider, model, usage_date): a run resolves the days of the
    newly landed records; an edited rate card, alias list or discount list changes the stored
    fingerprint and rebuilds every row (docs/performance.md). -#}
{{ config(
    materialized='incremental',
    unique_key=['provider', 'model', 'usage_date'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set reference_inputs = [ref('rate_card'), ref('model_aliases'), ref('stg_raw__price_adjustments')] -%}
{%- if is_incremental() -%}
    {%- set batch = aicost_incremental_batch(this, ref('int_usage_events_validated'), reference_inputs) -%}
{%- endif %}

with

valid_lines as (

    select * from {{ ref('int_usage_events_validated') }}
    where reject_reason is null
    {%- if is_incremental() %}
        {%- if batch.has_new_lines %}
        and landed_at > coalesce({{ batch.processed_through }}, cast('1900-01-01' as {{ api.Column.translate_type('timestamp') }}))
        {%- else %}
        and 1 = 0
        {%- endif %}
    {%- endif %}

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

model_days as (

    select distinct
        provider,
        model,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as usage_date

    from valid_lines

),

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

    from model_days
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

),

final as (

    select
        provider,
        model,
        usage_date,
        priced_model,
        price_match,
        rate_effective_from,
        input_usd_per_mtok,
        output_usd_per_mtok,
        cache_read_usd_per_mtok,
        cache_write_usd_per_mtok,
        cache_write_1h_usd_per_mtok,
        batch_input_usd_per_mtok,
        batch_output_usd_per_mtok,
        long_context_threshold_tokens,
        input_usd_per_mtok_long,
        output_usd_per_mtok_long,
        cache_read_usd_per_mtok_long,
        cache_write_usd_per_mtok_long,
        discount_pct,
        {%- if is_incremental() %}
        {{ batch.landed_through }} as processed_through,
        {{ batch.fingerprint }} as reference_fingerprint
        {%- else %}
        (select max(landed_lines.landed_at) from {{ ref('int_usage_events_validated') }} as landed_lines)
            as processed_through,
        {{ aicost_reference_fingerprint(reference_inputs) }} as reference_fingerprint
        {%- endif %}

    from with_discount
    where discount_rank = 1

)

select * from final
