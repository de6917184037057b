{#- Provider x month: computed cost and untracked usage against what the provider invoiced (its
    invoice, else its cost report days), and whether the difference is within
    var('invoice_tolerance_pct'). The daily view is mart_invoice_reconciliation_daily. -#}
with

differences as (

    select * from {{ ref('int_invoice_differences') }}

),

final as (

    select
        provider,
        invoice_month,
        invoice_source,
        reported_days,
        computed_usd,
        untracked_usage_usd,
        invoiced_usd,
        difference_usd,
        difference_pct,
        unreported_usd,
        coalesce(
            difference_pct between -{{ var('invoice_tolerance_pct') }} and {{ var('invoice_tolerance_pct') }},
            difference_usd = 0
        ) as is_within_tolerance,
        '{{ var('invoice_difference') }}' as difference_booked_as

    from differences

)

select * from final
