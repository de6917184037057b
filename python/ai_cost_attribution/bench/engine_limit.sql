-- The engine limit: the core work of the warehouse in one hand-written DuckDB statement, the
-- floor `aicost bench` compares the full build with (docs/performance.md). Read the usage files,
-- validate, de-duplicate (the latest occurred_at wins), price with the effective-dated rate card
-- (the model exactly or its family) and the negotiated discounts, pool the prompt cache per
-- provider x model x month, aggregate per customer x feature x month. Doubles, not decimals: a
-- floor, checked against the warehouse's total to 1e-9.
--
-- ai_cost_attribution.bench.engine fills in the four placeholders in braces: files (a list of
-- Parquet files), rate_card and discounts (CSV paths), family_suffix (pricing.py's pattern of a
-- dated model version, the rule of macros/pricing/model_family.sql).
with
raw_events as (
    select filename as source_file, file_row_number as line_number, request_id, occurred_at, provider, model,
           input_tokens, output_tokens, coalesce(cache_read_tokens, 0) as cache_read_tokens,
           coalesce(cache_write_tokens, 0) as cache_write_tokens,
           coalesce(cache_write_1h_tokens, 0) as cache_write_1h_tokens, coalesce(is_batch, false) as is_batch,
           customer_id, feature
    from read_parquet({files}, filename = true, file_row_number = true, union_by_name = true)
),
valid_events as (
    select * replace (timezone('UTC', try_cast(occurred_at as timestamptz)) as occurred_at)
    from raw_events
    where request_id is not null and provider is not null and model is not null
      and input_tokens >= 0 and output_tokens >= 0 and cache_read_tokens >= 0 and cache_write_tokens >= 0
      and cache_read_tokens + cache_write_tokens <= input_tokens and cache_write_1h_tokens <= cache_write_tokens
),
repeated_requests as (
    select request_id from valid_events where occurred_at is not null group by request_id having count(*) > 1
),
calls as (
    select * from valid_events
    where occurred_at is not null and request_id not in (select request_id from repeated_requests)
    union all
    select * from valid_events
    where request_id in (select request_id from repeated_requests)
    qualify row_number() over (partition by request_id order by occurred_at desc, source_file, line_number) = 1
),
rates as (
    select * replace (cast(effective_from as date) as effective_from, cast(effective_to as date) as effective_to)
    from read_csv({rate_card}, header = true, all_varchar = true)
),
discounts as (
    select provider, coalesce(nullif(model, ''), '*') as model, cast(effective_from as date) as effective_from,
           cast(nullif(effective_to, '') as date) as effective_to, cast(discount_pct as double) as discount_pct
    from read_csv({discounts}, header = true, all_varchar = true)
),
model_days as (
    select distinct provider, model, cast(occurred_at as date) as day from calls
),
day_rates as (
    select model_days.*, rates.* exclude (provider, model, effective_from, effective_to)
    from model_days
    join rates
      on model_days.provider = rates.provider
     and rates.model in (model_days.model,
                         regexp_replace(model_days.model, {family_suffix}, ''))
     and model_days.day >= rates.effective_from
     and (rates.effective_to is null or model_days.day < rates.effective_to)
    qualify row_number() over (
        partition by model_days.provider, model_days.model, model_days.day
        order by rates.model = model_days.model desc, rates.effective_from desc) = 1
),
day_prices as (
    select day_rates.*, 1 - coalesce(discounts.discount_pct, 0) / 100 as discount_factor
    from day_rates
    left join discounts
      on day_rates.provider = discounts.provider and discounts.model in ('*', day_rates.model)
     and day_rates.day >= discounts.effective_from
     and (discounts.effective_to is null or day_rates.day < discounts.effective_to)
    qualify row_number() over (
        partition by day_rates.provider, day_rates.model, day_rates.day
        order by discounts.model = '*', discounts.effective_from desc) = 1
),
tiered as (
    select
        calls.provider, calls.model, calls.customer_id, calls.feature, calls.is_batch,
        date_trunc('month', calls.occurred_at) as month,
        calls.input_tokens, calls.output_tokens, calls.cache_read_tokens, calls.cache_write_tokens,
        calls.cache_write_1h_tokens, p.discount_factor,
        calls.input_tokens > coalesce(cast(p.long_context_threshold_tokens as bigint), 9e18) as is_long,
        cast(p.input_usd_per_mtok as double) as input_price,
        cast(p.output_usd_per_mtok as double) as output_price,
        cast(p.cache_read_usd_per_mtok as double) as cache_read_price,
        cast(p.cache_write_usd_per_mtok as double) as cache_write_price,
        cast(p.cache_write_1h_usd_per_mtok as double) as cache_write_1h_price,
        cast(p.batch_input_usd_per_mtok as double) as batch_input_price,
        cast(p.batch_output_usd_per_mtok as double) as batch_output_price,
        cast(p.input_usd_per_mtok_long as double) as input_price_long,
        cast(p.output_usd_per_mtok_long as double) as output_price_long,
        cast(p.cache_read_usd_per_mtok_long as double) as cache_read_price_long,
        cast(p.cache_write_usd_per_mtok_long as double) as cache_write_price_long
    from calls
    join day_prices as p
      on calls.provider = p.provider and calls.model = p.model and cast(calls.occurred_at as date) = p.day
    where p.input_usd_per_mtok is not null
),
applied as (
    select *,
        case when is_long then coalesce(input_price_long, input_price) else input_price end as tier_input,
        case when is_batch and batch_input_price is not null then batch_input_price
             when is_long then coalesce(input_price_long, input_price) else input_price end as applied_input,
        case when is_batch and batch_output_price is not null then batch_output_price
             else coalesce(case when is_long then output_price_long end, output_price, 0) end as applied_output
    from tiered
),
costed as (
    select *,
        ((input_tokens - cache_read_tokens - cache_write_tokens) * applied_input
          + cache_read_tokens * coalesce(case when is_long then cache_read_price_long end, cache_read_price, tier_input)
          + (cache_write_tokens - cache_write_1h_tokens)
            * coalesce(case when is_long then cache_write_price_long end, cache_write_price, tier_input)
          + cache_write_1h_tokens * coalesce(cache_write_1h_price, case when is_long then cache_write_price_long end,
                                             cache_write_price, tier_input)
        ) / 1e6 * discount_factor as input_cost,
        input_tokens * applied_input / 1e6 * discount_factor as uncached_input_cost,
        output_tokens * applied_output / 1e6 * discount_factor as output_cost
    from applied
),
pools as (
    select provider, model, month, sum(input_cost) / nullif(sum(uncached_input_cost), 0) as ratio
    from costed group by all
)
select costed.customer_id, costed.feature, costed.month, count(*) as calls,
       sum(coalesce(costed.uncached_input_cost * pools.ratio, costed.input_cost) + costed.output_cost) as cost_usd
from costed join pools using (provider, model, month)
group by all
