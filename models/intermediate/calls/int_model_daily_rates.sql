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

{{ aicost_model_day_rate_ctes('model_days') }},

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
