with

source as (

    select * from {{ source('raw', 'outcome_values') }}

),

renamed as (

    select
        lower({{ aicost_text('outcome_type') }}) as outcome_type,
        {{ aicost_text('feature') }} as feature,
        {{ dbt.safe_cast(aicost_text('value_usd'), aicost_type_money()) }} as value_usd,
        {{ dbt.safe_cast(aicost_text('effective_from'), api.Column.translate_type('date')) }} as effective_from,
        {{ dbt.safe_cast(aicost_text('effective_to'), api.Column.translate_type('date')) }} as effective_to,
        {{ aicost_text('basis') }} as basis

    from source

)

select * from renamed
