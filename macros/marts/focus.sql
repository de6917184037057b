{#- The FinOps FOCUS 1.3 columns both exports share (export_focus_costs at charge grain,
    export_focus_costs_sku at SKU grain), from one row carrying ledger_month, provider, model,
    charge_key, charge_category, is_allocated, allocated_ratio, allocation_method, the amounts
    (list_cost, contracted_cost, effective_cost) and every attribution dimension. FOCUS 1.3
    (ratified December 2025): the columns of its Cost and Usage dataset; what FOCUS does not name
    is an `x_` column. README "FOCUS 1.3" lists each column and where its value comes from. -#}

{% macro aicost_focus_pascal(name) -%}
    {#- customer_id -> CustomerId, for the x_ columns of the attribution dimensions. -#}
    {{ return(name.split('_') | map('capitalize') | join('')) }}
{%- endmacro %}

{% macro aicost_focus_charge_columns() -%}
        -- costs (FOCUS: Decimal)
        {{ aicost_to_money('effective_cost') }} as {{ adapter.quote('BilledCost') }},
        {{ aicost_to_money('effective_cost') }} as {{ adapter.quote('EffectiveCost') }},
        {{ aicost_to_money('list_cost') }} as {{ adapter.quote('ListCost') }},
        {{ aicost_to_money('contracted_cost') }} as {{ adapter.quote('ContractedCost') }},
        'USD' as {{ adapter.quote('BillingCurrency') }},
        -- the account and the periods (a ledger month)
        provider as {{ adapter.quote('BillingAccountId') }},
        provider as {{ adapter.quote('BillingAccountName') }},
        cast(ledger_month as {{ api.Column.translate_type('timestamp') }}) as {{ adapter.quote('BillingPeriodStart') }},
        cast({{ dbt.dateadd('month', 1, 'ledger_month') }} as {{ api.Column.translate_type('timestamp') }}) as {{ adapter.quote('BillingPeriodEnd') }},
        cast(ledger_month as {{ api.Column.translate_type('timestamp') }}) as {{ adapter.quote('ChargePeriodStart') }},
        cast({{ dbt.dateadd('month', 1, 'ledger_month') }} as {{ api.Column.translate_type('timestamp') }}) as {{ adapter.quote('ChargePeriodEnd') }},
        -- the charge
        charge_category as {{ adapter.quote('ChargeCategory') }},
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('ChargeClass') }},
        case
            when charge_key = 'usage' then {{ dbt.concat(["'LLM usage: '", 'provider', "' '", 'model']) }}
            when charge_key = 'provider_usage_report'
                then {{ dbt.concat(["'Untracked usage (provider usage report): '", 'provider', "' '", 'model']) }}
            when charge_key = 'provider_invoice' then {{ dbt.concat(["'Invoice difference: '", 'provider']) }}
            else {{ dbt.concat(["'Shared cost pool: '", 'charge_key']) }}
        end as {{ adapter.quote('ChargeDescription') }},
        case when charge_category = 'Adjustment' then 'One-Time' else 'Usage-Based' end as {{ adapter.quote('ChargeFrequency') }},
        case when charge_category = 'Usage' then 'Standard' end as {{ adapter.quote('PricingCategory') }},
        -- who: FOCUS 1.3 names the service and host providers (ProviderName and PublisherName are
        -- deprecated and kept for FOCUS 1.2 readers)
        provider as {{ adapter.quote('ServiceProviderName') }},
        provider as {{ adapter.quote('HostProviderName') }},
        provider as {{ adapter.quote('InvoiceIssuerName') }},
        provider as {{ adapter.quote('ProviderName') }},
        provider as {{ adapter.quote('PublisherName') }},
        case when charge_key in ('usage', 'provider_usage_report') then model else charge_key end as {{ adapter.quote('ServiceName') }},
        'AI and Machine Learning' as {{ adapter.quote('ServiceCategory') }},
        'Generative AI' as {{ adapter.quote('ServiceSubcategory') }},
        -- split cost allocation (FOCUS 1.3): a shared pool or an invoice difference spread over
        -- usage; NULL for usage itself and for what stayed unallocated
        case when allocation_method is not null then
            {{ dbt.concat(["'aicost:'", 'allocation_method']) }}
        end as {{ adapter.quote('AllocatedMethodId') }},
        {#- the ratio through a decimal: engines write a float as text differently (1.0, 1) -#}
        case when allocation_method is not null then
            {{ dbt.concat(["'{\"Elements\":[{\"AllocatedRatio\":'", dbt.cast(dbt.cast('allocated_ratio', 'decimal(18, 12)'), dbt.type_string()),
                           "',\"UsageUnit\":\"'", 'allocation_method', "'\"}]}'"]) }}
        end as {{ adapter.quote('AllocatedMethodDetails') }},
        case when allocation_method is not null then
            {{ aicost_json_object(var('attribution_dimensions')) }}
        end as {{ adapter.quote('AllocatedResourceId') }},
        case when allocation_method is not null then
            {{ aicost_focus_resource_name() }}
        end as {{ adapter.quote('AllocatedResourceName') }},
        case when allocation_method is not null then
            {{ aicost_json_object(var('attribution_dimensions')) }}
        end as {{ adapter.quote('AllocatedTags') }},
        case when allocation_method is null then {{ aicost_json_object(var('attribution_dimensions')) }}
            else {{ dbt.concat(["'{\"cost_pool\":\"'", 'charge_key', "'\"}'"]) }}
        end as {{ adapter.quote('Tags') }},
        -- what FOCUS does not name yet
        charge_key as {{ adapter.quote('x_CostPool') }},
        is_allocated as {{ adapter.quote('x_IsAllocated') }},
        model as {{ adapter.quote('x_Model') }},
        {%- for dimension in var('attribution_dimensions') %}
        {{ dimension }} as {{ adapter.quote('x_' ~ aicost_focus_pascal(dimension)) }},
        {%- endfor %}
{%- endmacro %}

{% macro aicost_focus_resource_name() -%}
    {#- What an allocated charge went to, readable: `customer_id=acme, feature=chat, …`. -#}
    {%- set parts = [] -%}
    {%- for dimension in var('attribution_dimensions') -%}
        {%- do parts.append("'" ~ (', ' if not loop.first else '') ~ dimension ~ "='") -%}
        {%- do parts.append(dimension) -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
