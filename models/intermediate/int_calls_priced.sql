{#- One row per accepted call (the winning copy of each request_id), with every attribution
    dimension resolved and its list and effective cost (docs/CONTRACT.md sections 1 and 2).

    De-duplication: a retry or replay repeats a request_id; the latest occurred_at wins (a
    conflicting replay is a correction), then the first line read. `request_copies` counts the
    valid lines of the request; the others become `duplicate` rejects in fct_rejected_events.

    Dimensions, in the contract's order: the call's own tag -> its trace's primary call (the
    first primary call of the trace) -> its api key -> the feature's owners -> 'unattributed'.

    Price: the rate card row in force on the call's day for its model, matched exactly, else
    through seeds/model_aliases.csv, else through the model's family (gpt-4o-2024-08-06 ->
    gpt-4o), then the negotiated discount in force. Rate card and discount periods are whole
    days, so they are resolved once per provider x model x day and joined to the calls. A call
    with no row is kept with is_priced = false and becomes an `unpriced_model` reject.

    Incremental (delete+insert on request_id): a run rebuilds the calls of every request that
    has a new line and of every trace such a request belongs to, looking for their other lines
    at most var('lookback_days') before the earliest new line (macros/incremental_batches.sql). -#}
{{ config(
    materialized='incremental',
    unique_key='request_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set dimensions = var('attribution_dimensions') -%}
{%- set identifiers = var('call_identifiers') -%}
{%- set key_dimensions = var('api_key_dimensions') -%}
{%- set owner_dimensions = var('feature_owner_dimensions') -%}
{%- set line_columns = ['source_name', 'source_file', 'line_number', 'record_index', 'request_id', 'trace_id', 'parent_request_id',
                        'provider', 'model', 'call_role', 'operation', 'status', 'is_batch']
                       + usage_event_tag_fields()
                       + ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
                          'cache_write_1h_tokens', 'reasoning_tokens', 'latency_ms', 'reported_cost_usd', 'occurred_at',
                          'metadata'] -%}
{%- set reference_inputs = [ref('rate_card'), ref('model_aliases'), ref('stg_raw__price_adjustments'), ref('stg_raw__api_keys'), ref('stg_raw__feature_owners')] -%}
{%- if is_incremental() -%}
    {%- set batch = aicost_incremental_batch(this, ref('int_usage_events_validated'), reference_inputs) -%}
{%- endif %}
{%- set everything_in_scope = not is_incremental() or (batch.has_new_lines and batch.since is none) -%}
{%- set trace_buckets = aicost_trace_batches(ref('int_usage_events_validated')) if everything_in_scope else 1 -%}

with

valid_lines as {{ aicost_inline_cte() }} (

    select * from {{ ref('int_usage_events_validated') }}
    where reject_reason is null
    {%- if is_incremental() %}
        {%- if batch.has_new_lines %}
        {%- if batch.since is not none %}
        and occurred_at >= {{ batch.since }}
        {%- endif %}
        {%- else %}
        and 1 = 0
        {%- endif %}
    {%- endif %}

),

{%- if is_incremental() %}

new_lines as (

    select request_id from valid_lines
    where landed_at > coalesce({{ batch.processed_through }}, cast('1900-01-01' as {{ api.Column.translate_type('timestamp') }}))

),

touched_traces as (

    {#- Every trace a new line's request belongs to (through any of its copies). -#}
    select distinct trace_id from valid_lines
    where request_id in (select request_id from new_lines)

),

lines_in_scope as (

    {#- Every line of every request of a touched trace: the calls this run rebuilds. -#}
    select * from valid_lines
    where request_id in (
        select request_id from valid_lines
        where trace_id in (select trace_id from touched_traces)
    )

),

{%- else %}

lines_in_scope as (

    select * from valid_lines

),

{%- endif %}

repeated_request_keys as (

    {#- Requests sent more than once, found by a hash of the id (collisions only widen the set). -#}
    select {{ aicost_hash_key('request_id') }} as request_key
    from lines_in_scope
    group by {{ aicost_hash_key('request_id') }}
    having count(*) > 1

),

copies_of_repeated_requests as (

    select
        {%- for column in line_columns %}
        {{ column }},
        {%- endfor %}
        count(*) over (partition by request_id) as request_copies,
        row_number() over (
            partition by request_id
            order by occurred_at desc, source_file, line_number, record_index
        ) as copy_rank

    from lines_in_scope
    where {{ aicost_hash_key('request_id') }} in (select repeated_request_keys.request_key from repeated_request_keys)

),

calls as {{ aicost_inline_cte() }} (

    select
        {%- for column in line_columns %}
        {{ column }},
        {%- endfor %}
        1 as request_copies,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as usage_date
    from lines_in_scope
    where {{ aicost_hash_key('request_id') }} not in (select repeated_request_keys.request_key from repeated_request_keys)

    union all

    select
        {%- for column in line_columns %}
        {{ column }},
        {%- endfor %}
        request_copies,
        cast({{ dbt.date_trunc('day', 'occurred_at') }} as date) as usage_date
    from copies_of_repeated_requests
    where copy_rank = 1

),

-- dimensions ------------------------------------------------------------------------------------

api_keys as (

    select * from {{ ref('stg_raw__api_keys') }}

),

feature_owners as (

    select * from {{ ref('stg_raw__feature_owners') }}

),

{#- Dimension inheritance joins every call to its trace's first primary call. Past
    var('trace_batch_calls') lines in scope (a first build over tens of millions of events) the
    join runs in batches of traces, split by a hash of trace_id, so each batch's table of primary
    calls fits in memory instead of both sides spilling to disk (docs/performance.md). -#}
{%- for bucket in range(trace_buckets) %}
{%- set in_bucket = aicost_hash_bucket('trace_id', bucket, trace_buckets) if trace_buckets > 1 else none %}

trace_primary_calls_{{ bucket }} as {{ aicost_inline_cte() }} (

    {#- The first primary call of each trace speaks for the trace. -#}
    {{ aicost_first_row_per_group(
        relation='calls',
        group_by='trace_id',
        order_by=['occurred_at', 'request_id'],
        columns=['request_id'] + dimensions + identifiers + ['api_key_alias'],
        where="call_role = 'primary'" ~ ((' and ' ~ in_bucket) if in_bucket else ''),
    ) }}

),

trace_primaries_{{ bucket }} as {{ aicost_inline_cte() }} (

    select
        trace_primary_calls.trace_id,
        trace_primary_calls.request_id as primary_request_id,
        {%- for dimension in dimensions %}
        {%- if dimension in key_dimensions %}
        coalesce(trace_primary_calls.{{ dimension }}, primary_key.{{ dimension }}) as {{ dimension }},
        {%- else %}
        trace_primary_calls.{{ dimension }},
        {%- endif %}
        {%- endfor %}
        {%- for identifier in identifiers %}
        trace_primary_calls.{{ identifier }}{{ ',' if not loop.last }}
        {%- endfor %}

    from trace_primary_calls_{{ bucket }} as trace_primary_calls
    left join api_keys as primary_key
        on trace_primary_calls.api_key_alias = primary_key.api_key_alias

),

dimensioned_{{ bucket }} as {{ aicost_inline_cte() }} (

    select
        calls.*,
        {%- for dimension in dimensions %}
        coalesce(
            calls.{{ dimension }},
            trace_primary.{{ dimension }}
            {%- if dimension in key_dimensions %},
            call_key.{{ dimension }}
            {%- endif %}
        ) as resolved_{{ dimension }},
        {%- endfor %}
        {%- for identifier in identifiers %}
        coalesce(calls.{{ identifier }}, trace_primary.{{ identifier }}) as resolved_{{ identifier }},
        {%- endfor %}
        trace_primary.trace_id is not null as trace_has_primary,
        coalesce(calls.request_id = trace_primary.primary_request_id, false) as is_trace_primary

    from calls
    left join trace_primaries_{{ bucket }} as trace_primary
        on calls.trace_id = trace_primary.trace_id
    left join api_keys as call_key
        on calls.api_key_alias = call_key.api_key_alias
    {%- if in_bucket %}
    where {{ aicost_hash_bucket('calls.trace_id', bucket, trace_buckets) }}
    {%- endif %}

),
{%- endfor %}

dimensioned as (

    {%- for bucket in range(trace_buckets) %}
    select * from dimensioned_{{ bucket }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

),

-- prices -------------------------------------------------------------------------------------

day_prices as (

    select * from {{ ref('int_model_days_priced') }}

),

-- each call's prices and costs ------------------------------------------------------------------

unit_prices as (

    {#- The long-context tier reprices the whole call (cache reads too); batch prices replace the
        regular input and output prices; empty cache prices fall back to the input price. -#}
    select
        dimensioned.*,
        day_prices.priced_model,
        day_prices.price_match,
        day_prices.rate_effective_from,
        day_prices.input_usd_per_mtok,
        day_prices.output_usd_per_mtok,
        day_prices.cache_read_usd_per_mtok,
        day_prices.cache_write_usd_per_mtok,
        day_prices.cache_write_1h_usd_per_mtok,
        day_prices.batch_input_usd_per_mtok,
        day_prices.batch_output_usd_per_mtok,
        day_prices.discount_pct,
        {#- A call needing a price the card lacks (an output price for generated tokens) is unpriced. -#}
        day_prices.input_usd_per_mtok is not null
            and (day_prices.output_usd_per_mtok is not null or dimensioned.output_tokens = 0) as is_priced,
        coalesce(
            day_prices.long_context_threshold_tokens is not null
            and dimensioned.input_tokens > day_prices.long_context_threshold_tokens,
            false
        ) as is_long_context,
        case
            when day_prices.long_context_threshold_tokens is not null
                and dimensioned.input_tokens > day_prices.long_context_threshold_tokens
                and day_prices.input_usd_per_mtok_long is not null
                then day_prices.input_usd_per_mtok_long
            else day_prices.input_usd_per_mtok
        end as tier_input_usd_per_mtok,
        case
            when day_prices.long_context_threshold_tokens is not null
                and dimensioned.input_tokens > day_prices.long_context_threshold_tokens
                then day_prices.output_usd_per_mtok_long
        end as long_output_usd_per_mtok,
        case
            when day_prices.long_context_threshold_tokens is not null
                and dimensioned.input_tokens > day_prices.long_context_threshold_tokens
                then day_prices.cache_read_usd_per_mtok_long
        end as long_cache_read_usd_per_mtok,
        case
            when day_prices.long_context_threshold_tokens is not null
                and dimensioned.input_tokens > day_prices.long_context_threshold_tokens
                then day_prices.cache_write_usd_per_mtok_long
        end as long_cache_write_usd_per_mtok

    from dimensioned
    left join day_prices
        on dimensioned.provider = day_prices.provider
        and dimensioned.model = day_prices.model
        and dimensioned.usage_date = day_prices.usage_date

),

applied_prices as (

    select
        unit_prices.*,
        case
            when is_batch and batch_input_usd_per_mtok is not null then batch_input_usd_per_mtok
            else tier_input_usd_per_mtok
        end as applied_input_usd_per_mtok,
        case
            when not is_priced then null
            when is_batch and batch_output_usd_per_mtok is not null then batch_output_usd_per_mtok
            else coalesce(long_output_usd_per_mtok, output_usd_per_mtok, 0)
        end as applied_output_usd_per_mtok,
        coalesce(long_cache_read_usd_per_mtok, cache_read_usd_per_mtok, tier_input_usd_per_mtok)
            as applied_cache_read_usd_per_mtok,
        coalesce(long_cache_write_usd_per_mtok, cache_write_usd_per_mtok, tier_input_usd_per_mtok)
            as applied_cache_write_usd_per_mtok,
        coalesce(
            cache_write_1h_usd_per_mtok,
            long_cache_write_usd_per_mtok,
            cache_write_usd_per_mtok,
            tier_input_usd_per_mtok
        ) as applied_cache_write_1h_usd_per_mtok,
        cast(1 as decimal(9, 6)) - cast(discount_pct as decimal(9, 4)) / 100 as discount_factor

    from unit_prices

),

costed as (

    select
        applied_prices.*,
        input_tokens - cache_read_tokens - cache_write_tokens as uncached_input_tokens,
        {{ aicost_token_cost('input_tokens - cache_read_tokens - cache_write_tokens',
                         'applied_input_usd_per_mtok') }} as uncached_input_cost_usd,
        {{ aicost_token_cost('cache_read_tokens', 'applied_cache_read_usd_per_mtok') }} as cache_read_cost_usd,
        {{ aicost_token_cost('cache_write_tokens - cache_write_1h_tokens', 'applied_cache_write_usd_per_mtok') }}
        + {{ aicost_token_cost('cache_write_1h_tokens', 'applied_cache_write_1h_usd_per_mtok') }}
            as cache_write_cost_usd,
        {{ aicost_token_cost('output_tokens', 'applied_output_usd_per_mtok') }} as output_cost_usd,
        {#- What the call would have cost with no prompt cache: every input token at the input price. -#}
        {{ per_mtok_cost('input_tokens', 'applied_input_usd_per_mtok') }} as uncached_equivalent_input_cost_usd

    from applied_prices

),

owned as (

    {#- The last fallback: the feature's owning team and product. -#}
    select
        costed.*
        {%- for dimension in owner_dimensions %},
        owners.{{ dimension }} as owner_{{ dimension }}
        {%- endfor %}

    from costed
    left join feature_owners as owners
        on costed.resolved_feature = owners.feature

),

final as (

    select
        request_id,
        trace_id,
        parent_request_id,
        source_name,
        source_file,
        line_number,
        record_index,
        request_copies,
        is_priced,
        provider,
        model,
        priced_model,
        price_match,
        rate_effective_from,
        call_role,
        operation,
        status,
        is_batch,
        is_long_context,
        {%- for dimension in dimensions %}
        {%- if dimension in owner_dimensions %}
        coalesce(resolved_{{ dimension }}, owner_{{ dimension }}, 'unattributed') as {{ dimension }},
        {%- else %}
        coalesce(resolved_{{ dimension }}, 'unattributed') as {{ dimension }},
        {%- endif %}
        {%- endfor %}
        {%- for identifier in identifiers %}
        resolved_{{ identifier }} as {{ identifier }},
        {%- endfor %}
        coalesce(api_key_alias, 'none') as api_key_alias,
        trace_has_primary,
        is_trace_primary,
        input_tokens,
        output_tokens,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        reasoning_tokens,
        latency_ms,
        reported_cost_usd,
        applied_input_usd_per_mtok,
        applied_output_usd_per_mtok,
        applied_cache_read_usd_per_mtok,
        applied_cache_write_usd_per_mtok,
        discount_pct,
        uncached_input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        output_cost_usd,
        {{ aicost_to_money('uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd') }}
            as input_cost_usd,
        {{ aicost_to_money('uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + output_cost_usd') }}
            as list_cost_usd,
        {{ aicost_to_money('uncached_equivalent_input_cost_usd + output_cost_usd') }} as uncached_list_cost_usd,
        {{ aicost_to_money('(uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd) * discount_factor') }}
            as effective_input_cost_usd,
        {{ aicost_to_money('output_cost_usd * discount_factor') }} as effective_output_cost_usd,
        {{ aicost_to_money('uncached_equivalent_input_cost_usd * discount_factor') }}
            as uncached_effective_input_cost_usd,
        occurred_at,
        usage_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        metadata,
        {%- if is_incremental() %}
        {{ batch.landed_through }} as processed_through,
        {{ batch.fingerprint }} as reference_fingerprint
        {%- else %}
        (select max(landed_lines.landed_at) from {{ ref('int_usage_events_validated') }} as landed_lines)
            as processed_through,
        {{ aicost_reference_fingerprint(reference_inputs) }} as reference_fingerprint
        {%- endif %}

    from owned

)

select * from final
