{#- What the provider's usage report saw against what the logs hold, per provider x model family x
    day (x api key when both sides can say it), on the days a usage report covers: requests and
    tokens as logged and as reported, the differences (reported - logged), and untracked_cost_usd,
    the differing tokens priced at the rate card row in force that day after negotiated discounts
    (int_usage_reconciliation_rates):

        uncached difference = (input - cache reads - cache writes) reported - the same logged
        untracked cost = (uncached diff x input + cache read diff x cache read
                          + 5-minute write diff x cache write + 1-hour write diff x 1-hour write
                          + output diff x output) / 1,000,000 x (1 - discount_pct / 100)

    at the batch prices when every reported token of the row is batch, with the calls' fallbacks
    (an empty cache price is the input price). Positive: usage that bypassed the logs; negative:
    logged calls the provider did not bill.

    The api key: a call's key is the provider key id its alias maps to (api_keys.csv
    provider_key_id), else its alias when the provider's report names a key by that id. A row is
    kept per key only when every reported row of its provider x model x day names a key and every
    logged call maps to one; otherwise the keys are summed to `all`, so the two sides always
    compare like with like. -#}
{%- set tokens = ['input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'output_tokens'] -%}
{%- set grain = 'provider, usage_kind, model, usage_date' -%}

with

coverage as (

    select * from {{ ref('int_provider_report_coverage') }}
    where report = 'usage'

),

reported_usage as (

    select * from {{ ref('int_provider_usage_daily') }}

),

logged_usage as (

    select * from {{ ref('int_usage_daily_by_api_key') }}

),

api_keys as (

    select * from {{ ref('stg_raw__api_keys') }}

),

rates as (

    select * from {{ ref('int_usage_reconciliation_rates') }}

),

reported_keys as (

    select distinct provider, usage_kind, usage_date, api_key_id
    from reported_usage
    where api_key_id is not null

),

logged_on_covered_days as (

    select
        logged_usage.provider,
        coverage.usage_kind,
        {{ model_family('logged_usage.model') }} as model,
        logged_usage.usage_date,
        coalesce(api_keys.provider_key_id, reported_keys.api_key_id) as api_key_id,
        logged_usage.calls,
        {%- for token in tokens %}
        logged_usage.{{ token }}{{ ',' if not loop.last }}
        {%- endfor %}

    from logged_usage
    inner join coverage
        on logged_usage.provider = coverage.provider
        and logged_usage.usage_date = coverage.usage_date
        and {{ aicost_usage_kind('logged_usage.provider', 'logged_usage.operation') }} = coverage.usage_kind
    left join api_keys
        on logged_usage.api_key_alias = api_keys.api_key_alias
    left join reported_keys
        on logged_usage.provider = reported_keys.provider
        and coverage.usage_kind = reported_keys.usage_kind
        and logged_usage.usage_date = reported_keys.usage_date
        and logged_usage.api_key_alias = reported_keys.api_key_id

),

sides as (

    select
        {{ grain }}, api_key_id, workspace_id, is_batch, 'reported' as side,
        requests, {{ tokens | join(', ') }}
    from reported_usage
    union all
    select
        {{ grain }}, api_key_id, cast(null as {{ dbt.type_string() }}) as workspace_id, false as is_batch,
        'logged' as side, calls as requests, {{ tokens | join(', ') }}
    from logged_on_covered_days

),

keyed as (

    {#- by key only when both sides can name the key of every row -#}
    select
        sides.*,
        {{ dbt.bool_or('api_key_id is null') }} over (partition by {{ grain }}) as has_unkeyed_rows

    from sides

),

summed as (

    select
        {{ grain }},
        case when has_unkeyed_rows then 'all' else api_key_id end as api_key_id,
        case when has_unkeyed_rows then 'all' else coalesce(max(workspace_id), 'all') end as workspace_id,
        sum(case when side = 'logged' then requests else 0 end) as logged_requests,
        sum(case when side = 'reported' then requests end) as reported_requests,
        {%- for token in tokens %}
        sum(case when side = 'logged' then {{ token }} else 0 end) as logged_{{ token }},
        sum(case when side = 'reported' then {{ token }} else 0 end) as reported_{{ token }},
        {%- endfor %}
        {#- batch prices only when every reported token of the row is batch -#}
        coalesce(min(case when side = 'reported' then case when is_batch then 1 else 0 end end), 0) = 1
            as is_batch

    from keyed
    group by {{ grain }}, case when has_unkeyed_rows then 'all' else api_key_id end, has_unkeyed_rows

),

differences as (

    select
        summed.*,
        reported_requests - logged_requests as requests_difference,
        {%- for token in tokens %}
        reported_{{ token }} - logged_{{ token }} as {{ token | replace('_tokens', '') }}_difference,
        {%- endfor %}
        (reported_input_tokens - reported_cache_read_tokens - reported_cache_write_tokens)
        - (logged_input_tokens - logged_cache_read_tokens - logged_cache_write_tokens) as uncached_input_difference

    from summed

),

priced as (

    select
        differences.*,
        rates.priced_model,
        rates.discount_pct,
        rates.input_usd_per_mtok is not null
            and (rates.output_usd_per_mtok is not null or differences.output_difference = 0) as is_priced,
        case when differences.is_batch then coalesce(rates.batch_input_usd_per_mtok, rates.input_usd_per_mtok)
            else rates.input_usd_per_mtok end as input_price,
        case when differences.is_batch then coalesce(rates.batch_output_usd_per_mtok, rates.output_usd_per_mtok)
            else coalesce(rates.output_usd_per_mtok, 0) end as output_price,
        coalesce(rates.cache_read_usd_per_mtok, rates.input_usd_per_mtok) as cache_read_price,
        coalesce(rates.cache_write_usd_per_mtok, rates.input_usd_per_mtok) as cache_write_price,
        coalesce(rates.cache_write_1h_usd_per_mtok, rates.cache_write_usd_per_mtok, rates.input_usd_per_mtok)
            as cache_write_1h_price

    from differences
    left join rates
        on differences.provider = rates.provider
        and differences.model = rates.model
        and differences.usage_date = rates.usage_date

),

final as (

    select
        provider,
        usage_kind,
        model,
        usage_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        api_key_id,
        workspace_id,
        priced_model,
        is_priced,
        is_batch,
        cast(logged_requests as {{ dbt.type_bigint() }}) as logged_requests,
        cast(reported_requests as {{ dbt.type_bigint() }}) as reported_requests,
        cast(requests_difference as {{ dbt.type_bigint() }}) as requests_difference,
        {%- for token in tokens %}
        cast(logged_{{ token }} as {{ dbt.type_bigint() }}) as logged_{{ token }},
        cast(reported_{{ token }} as {{ dbt.type_bigint() }}) as reported_{{ token }},
        cast({{ token | replace('_tokens', '') }}_difference as {{ dbt.type_bigint() }}) as {{ token | replace('_tokens', '') }}_difference,
        {%- endfor %}
        case when is_priced then
            {{ aicost_to_money(
                '(' ~ aicost_token_cost('uncached_input_difference', 'input_price')
                ~ ' + ' ~ aicost_token_cost('cache_read_difference', 'cache_read_price')
                ~ ' + ' ~ aicost_token_cost('cache_write_difference - cache_write_1h_difference', 'cache_write_price')
                ~ ' + ' ~ aicost_token_cost('cache_write_1h_difference', 'cache_write_1h_price')
                ~ ' + ' ~ aicost_token_cost('output_difference', 'output_price')
                ~ ') * ' ~ aicost_discount_factor('discount_pct')) }}
        end as untracked_cost_usd

    from priced

)

select * from final
