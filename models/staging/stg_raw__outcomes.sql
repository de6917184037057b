with

source as (

    select * from {{ source('raw', 'outcomes') }}

),

renamed as (

    select
        {{ aicost_text('outcome_id') }} as outcome_id,
        lower({{ aicost_text('outcome_type') }}) as outcome_type,
        {{ aicost_text('customer_id') }} as customer_id,
        {{ aicost_text('feature') }} as feature,
        {{ aicost_text('agent') }} as agent,
        {{ aicost_text('ticket_id') }} as ticket_id,
        {{ aicost_text('trace_id') }} as trace_id,
        {{ aicost_to_utc_timestamp(aicost_text('occurred_at')) }} as occurred_at

    from source

)

select * from renamed
