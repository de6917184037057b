with

source as (

    select * from {{ source('raw', 'feature_revenue') }}

),

renamed as (

    select
        {{ aicost_text('feature') }} as feature,
        {{ dbt.safe_cast(aicost_text('month'), api.Column.translate_type('date')) }} as revenue_month,
        {{ dbt.safe_cast(aicost_text('revenue_usd'), aicost_type_money()) }} as revenue_usd

    from source

)

select * from renamed
