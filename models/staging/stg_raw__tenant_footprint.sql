with

source as (

    select * from {{ source('raw', 'tenant_footprint') }}

),

renamed as (

    select
        {{ aicost_text('customer_id') }} as customer_id,
        {{ dbt.safe_cast(aicost_text('month'), api.Column.translate_type('date')) }} as footprint_month,
        {{ dbt.safe_cast(aicost_text('footprint_units'), 'decimal(38, 6)') }} as footprint_units

    from source

)

select * from renamed
