{#- What the providers' cost reports invoice per provider and day: the accepted results summed
    (every line item, workspace and key), and 0 for a covered day with an empty bucket. -#}
with

accepted_rows as (

    select * from {{ ref('int_provider_report_rows_validated') }}
    where report = 'costs'
        and reject_reason is null

),

final as (

    select
        provider,
        usage_date as cost_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as cost_month,
        {{ aicost_to_money('coalesce(sum(amount_usd), 0)') }} as reported_cost_usd,
        count(result_index) as line_items

    from accepted_rows
    group by provider, usage_date

)

select * from final
