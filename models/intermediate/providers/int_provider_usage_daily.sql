{#- What the providers' usage reports say per provider x usage kind x model family x day x api key
    x workspace x batch: the accepted results summed over the day's buckets (1-minute, 1-hour or
    1-day buckets alike). The model is its family (gpt-4o-2024-08-06 -> gpt-4o, macro
    model_family): providers report dated snapshots where logs often carry the alias. -#}
with

accepted_results as (

    select * from {{ ref('int_provider_report_rows_validated') }}
    where report = 'usage'
        and reject_reason is null
        and result_index is not null

),

final as (

    select
        provider,
        usage_kind,
        usage_date,
        {{ model_family('model') }} as model,
        api_key_id,
        workspace_id,
        is_batch,
        cast(sum(requests) as {{ dbt.type_bigint() }}) as requests,
        cast(sum(input_tokens) as {{ dbt.type_bigint() }}) as input_tokens,
        cast(sum(cache_read_tokens) as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(sum(cache_write_tokens) as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(sum(cache_write_1h_tokens) as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        cast(sum(output_tokens) as {{ dbt.type_bigint() }}) as output_tokens,
        count(*) as results

    from accepted_results
    group by provider, usage_kind, usage_date, {{ model_family('model') }}, api_key_id, workspace_id, is_batch

)

select * from final
