with

source as (

    select * from {{ source('raw', 'feature_owners') }}

),

renamed as (

    select
        {{ aicost_text('feature') }} as feature,
        {{ aicost_text('team') }} as team,
        {{ aicost_text('product') }} as product

    from source

)

select * from renamed
