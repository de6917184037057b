with

source as (

    select * from {{ source('raw', 'customers') }}

),

renamed as (

    select
        {{ aicost_text('customer_id') }} as customer_id,
        {{ aicost_text('customer_name') }} as customer_name,
        lower({{ aicost_text('plan_tier') }}) as plan_tier,
        {{ aicost_text('segment') }} as segment,
        {{ aicost_text('region') }} as region,
        coalesce({{ aicost_parse_boolean('is_internal') }}, false) as is_internal

    from source

)

select * from renamed
