{#- What the product tokens of each model would have cost on every other model of the same
    provider and operation in use that month: one row per month x provider x operation x model x
    candidate model. The tokens of each day are repriced at the candidate's rate card row in force
    that day, at regular list prices (no batch or long-context tier, no discount): uncached prompt
    tokens at the input price, cache reads and writes at the cache prices (the input price where
    the candidate has none), output tokens at the output price. mart_model_mix picks the cheapest
    candidate: the routing opportunity. -#}

with

daily_groups as (

    select * from {{ ref('int_usage_daily_rolled_up') }}

),

daily_rates as (

    select * from {{ ref('int_model_daily_rates') }}

),

rate_card as (

    select * from {{ ref('rate_card') }}

),

product_tokens_by_day as (

    select
        cast(usage_date as date) as usage_date,
        cast(usage_month as date) as month,
        provider,
        operation,
        model,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(output_tokens) as output_tokens

    from daily_groups
    where {{ aicost_is_product_usage() }}
    group by cast(usage_date as date), cast(usage_month as date), provider, operation, model

),

candidate_models as (

    {#- Any model the company called that month (any environment), as the rate card names it. -#}
    select distinct
        cast(daily_groups.usage_month as date) as month,
        daily_groups.provider,
        daily_groups.operation,
        daily_rates.priced_model as candidate_model

    from daily_groups
    inner join daily_rates
        on daily_groups.provider = daily_rates.provider
        and daily_groups.model = daily_rates.model
        and daily_groups.usage_date = daily_rates.usage_date

),

repriced as (

    select
        tokens.month,
        tokens.provider,
        tokens.operation,
        tokens.model,
        candidates.candidate_model,
        {{ aicost_token_cost('tokens.uncached_input_tokens', 'prices.input_usd_per_mtok') }}
        + {{ aicost_token_cost('tokens.cache_read_tokens',
                           'coalesce(prices.cache_read_usd_per_mtok, prices.input_usd_per_mtok)') }}
        + {{ aicost_token_cost('tokens.cache_write_tokens',
                           'coalesce(prices.cache_write_usd_per_mtok, prices.input_usd_per_mtok)') }}
        + {{ aicost_token_cost('tokens.output_tokens', 'prices.output_usd_per_mtok') }} as repriced_cost_usd

    from product_tokens_by_day as tokens
    inner join candidate_models as candidates
        on tokens.month = candidates.month
        and tokens.provider = candidates.provider
        and tokens.operation = candidates.operation
    inner join rate_card as prices
        on candidates.provider = prices.provider
        and candidates.candidate_model = prices.model
        and tokens.usage_date >= prices.effective_from
        and (prices.effective_to is null or tokens.usage_date < prices.effective_to)

),

final as (

    select
        month,
        provider,
        operation,
        model,
        candidate_model,
        {{ aicost_to_money('sum(repriced_cost_usd)') }} as repriced_cost_usd

    from repriced
    group by month, provider, operation, model, candidate_model

)

select * from final
