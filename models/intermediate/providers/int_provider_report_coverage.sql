{#- The days each provider report covers: provider x report (usage, costs) x usage kind x day with
    at least one accepted bucket, empty buckets included (an empty bucket says "nothing that day",
    so logged calls of that day are calls the provider did not bill). Usage reports cover a kind
    of usage: OpenAI's completions and embeddings endpoints are separate reports, Anthropic's
    messages report covers every call. A page with no result at all cannot say which OpenAI
    endpoint it came from and covers nothing. -#}
with

accepted_rows as (

    select * from {{ ref('int_provider_report_rows_validated') }}
    where reject_reason is null

),

final as (

    select distinct
        provider,
        report,
        coalesce(usage_kind, 'costs') as usage_kind,
        usage_date

    from accepted_rows
    where report = 'costs' or usage_kind is not null

)

select * from final
