{#- Provider x month: computed cost against the provider's invoice, and whether the difference is
    within var('invoice_tolerance_pct'). -#}
with

differences as (

    select * from {{ ref('int_invoice_differences') }}

),

final as (

    select
        provider,
        invoice_month,
        computed_usd,
        invoiced_usd,
        difference_usd,
        difference_pct,
        coalesce(
            difference_pct between -{{ var('invoice_tolerance_pct') }} and {{ var('invoice_tolerance_pct') }},
            difference_usd = 0
        ) as is_within_tolerance,
        '{{ var('invoice_difference') }}' as difference_booked_as

    from differences

)

select * from final
