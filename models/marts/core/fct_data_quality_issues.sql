{#- One row per problem with a field that does not change what a call costs (a latency that is
    not a number, a tag sent as an object, metadata that is not an object…), on a record that was
    otherwise accepted: the call is kept with the field empty, because dropping a billed call
    loses money, and the problem is counted here. Problems that change the cost reject the record
    instead (fct_rejected_events). -#}
with

validated_records as (

    select * from {{ ref('int_usage_events_validated') }}
    where reject_reason is null
        and field_warnings is not null

),

warnings as (

    select
        source_name,
        source_file,
        line_number,
        record_index,
        request_id,
        {{ aicost_unnest_list('field_warnings', ',') }} as warning

    from validated_records

),

final as (

    select
        source_name,
        source_file,
        line_number,
        record_index,
        request_id,
        {{ dbt.split_part('warning', "':'", 1) }} as field_name,
        {{ dbt.split_part('warning', "':'", 2) }} as problem

    from warnings
    where warning <> ''

)

select * from final
