with

source as (

    select * from {{ source('raw', 'shared_costs') }}

),

renamed as (

    select
        {{ aicost_text('cost_pool') }} as cost_pool,
        lower({{ aicost_text('driver') }}) as driver,
        lower({{ aicost_text('scope_provider') }}) as scope_provider,
        {{ aicost_text('scope_model') }} as scope_model,
        {{ aicost_text('scope_feature') }} as scope_feature,
        lower({{ aicost_text('scope_environment') }}) as scope_environment,
        {{ dbt.safe_cast(aicost_text('amount_usd'), aicost_type_money()) }} as amount_usd,
        {{ dbt.safe_cast(aicost_text('period_start'), api.Column.translate_type('date')) }} as period_start,
        {{ dbt.safe_cast(aicost_text('period_end'), api.Column.translate_type('date')) }} as period_end

    from source

)

select * from renamed
