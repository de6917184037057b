with

source as (

    select * from {{ source('raw', 'budgets') }}

),

renamed as (

    select
        lower({{ aicost_text('scope_type') }}) as scope_type,
        {{ aicost_text('scope_value') }} as scope_value,
        {{ dbt.safe_cast(aicost_text('month'), api.Column.translate_type('date')) }} as budget_month,
        {{ dbt.safe_cast(aicost_text('budget_usd'), aicost_type_money()) }} as budget_usd,
        {{ dbt.safe_cast(aicost_text('warn_at_pct'), 'decimal(9, 4)') }} as warn_at_pct

    from source

)

select * from renamed
