with

source as (

    select * from {{ source('raw', 'provider_invoices') }}

),

renamed as (

    select
        lower({{ aicost_text('provider') }}) as provider,
        {{ dbt.safe_cast(aicost_text('month'), api.Column.translate_type('date')) }} as invoice_month,
        {{ dbt.safe_cast(aicost_text('invoiced_usd'), aicost_type_money()) }} as invoiced_usd

    from source

)

select * from renamed
