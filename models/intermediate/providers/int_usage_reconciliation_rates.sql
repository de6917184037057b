{#- The rate card row and negotiated discount in force for each provider x model family x day the
    usage reconciliation compares (what a usage report names, and what the logs hold on the days a
    report covers), resolved by the same rule as the calls' (aicost_model_day_rate_ctes: exact
    model, then seeds/model_aliases.csv, then the model family), so traffic the logs never saw is
    still priced. No rate card row: the prices are NULL and the untracked tokens stay unpriced,
    never priced at zero. -#}
with

reported_usage as (

    select * from {{ ref('int_provider_usage_daily') }}

),

logged_usage as (

    select * from {{ ref('int_usage_daily_by_api_key') }}

),

coverage as (

    select * from {{ ref('int_provider_report_coverage') }}
    where report = 'usage'

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

    select provider, model, usage_date from reported_usage
    union
    select logged_usage.provider, {{ model_family('logged_usage.model') }} as model, logged_usage.usage_date
    from logged_usage
    inner join coverage
        on logged_usage.provider = coverage.provider
        and logged_usage.usage_date = coverage.usage_date
        and {{ aicost_usage_kind('logged_usage.provider', 'logged_usage.operation') }} = coverage.usage_kind

),

{{ aicost_model_day_rate_ctes('model_days') }},

final as (

    select
        provider,
        model,
        usage_date,
        priced_model,
        price_match,
        input_usd_per_mtok,
        output_usd_per_mtok,
        cache_read_usd_per_mtok,
        cache_write_usd_per_mtok,
        cache_write_1h_usd_per_mtok,
        batch_input_usd_per_mtok,
        batch_output_usd_per_mtok,
        discount_pct

    from with_discount
    where discount_rank = 1

)

select * from final
