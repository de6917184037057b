{#- One row per provider x model family x day a provider usage report covers (x api key and
    workspace when both the report and the logs can say it, else `all`): requests, input, cache
    read, cache write and output tokens as logged and as reported, the differences (reported -
    logged) and untracked_cost_usd, the differing tokens priced at the rate card in force that day
    after negotiated discounts (int_usage_reconciled). Positive: usage that bypassed the gateway
    or was never logged; negative: logged calls the provider did not bill (duplicates, failed
    calls counted as billed). The ledger books untracked_cost_usd as cost_type untracked_usage. -#}
with

reconciled as (

    select * from {{ ref('int_usage_reconciled') }}

),

final as (

    select
        provider,
        model,
        usage_date,
        usage_month,
        usage_kind,
        api_key_id,
        workspace_id,
        logged_requests,
        reported_requests,
        requests_difference,
        logged_input_tokens,
        reported_input_tokens,
        input_difference as input_tokens_difference,
        logged_cache_read_tokens,
        reported_cache_read_tokens,
        cache_read_difference as cache_read_tokens_difference,
        logged_cache_write_tokens,
        reported_cache_write_tokens,
        cache_write_difference as cache_write_tokens_difference,
        logged_cache_write_1h_tokens,
        reported_cache_write_1h_tokens,
        cache_write_1h_difference as cache_write_1h_tokens_difference,
        logged_output_tokens,
        reported_output_tokens,
        output_difference as output_tokens_difference,
        priced_model,
        is_priced,
        is_batch,
        untracked_cost_usd,
        case
            when input_difference = 0 and output_difference = 0 and cache_read_difference = 0
                and cache_write_difference = 0 then 'matches'
            when input_difference >= 0 and output_difference >= 0 then 'untracked'
            when input_difference <= 0 and output_difference <= 0 then 'not_billed'
            else 'mixed'
        end as reconciliation_status

    from reconciled

)

select * from final
