with

source as (

    select * from {{ source('raw', 'price_adjustments') }}

),

renamed as (

    select
        lower({{ aicost_text('provider') }}) as provider,
        coalesce({{ aicost_text('model') }}, '*') as model,
        {{ dbt.safe_cast(aicost_text('discount_pct'), 'decimal(9, 4)') }} as discount_pct,
        {{ dbt.safe_cast(aicost_text('effective_from'), api.Column.translate_type('date')) }} as effective_from,
        {{ dbt.safe_cast(aicost_text('effective_to'), api.Column.translate_type('date')) }} as effective_to

    from source

)

select * from renamed
