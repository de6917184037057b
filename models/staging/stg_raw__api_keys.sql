with

source as (

    select * from {{ source('raw', 'api_keys') }}

),

renamed as (

    select
        {{ aicost_text('api_key_alias') }} as api_key_alias,
        {{ aicost_text('feature') }} as feature,
        {{ aicost_text('team') }} as team,
        lower({{ aicost_text('environment') }}) as environment,
        lower({{ aicost_text('usage_type') }}) as usage_type,
        {{ aicost_text('customer_id') }} as customer_id,
        {#- the id the provider's usage report names the key by (OpenAI key_…, Anthropic apikey_…) -#}
        {{ aicost_text('provider_key_id') }} as provider_key_id

    from source

)

select * from renamed
