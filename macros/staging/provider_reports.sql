{#- Reading the fields of the providers' usage and cost reports in staging: each number is sent as
    text by the landing (or typed by a warehouse loader), and one that is sent but unreadable is
    named, so validation can reject the result for it instead of counting it as zero. -#}

{% macro aicost_report_number(expression) -%}
    {#- A count or an amount as an exact decimal; NULL when absent or unreadable. -#}
    {{ dbt.safe_cast(aicost_text(expression), 'decimal(38, 12)') }}
{%- endmacro %}

{% macro aicost_report_problems(fields, required=[]) -%}
    {#- Comma-separated `field:unreadable` (sent but not a non-negative number) and
        `field:missing` (a required field absent) problems of one result; NULL when none. -#}
    {%- set checks = [] -%}
    {#- a count past 10^15 in one result is a unit mix-up or an overflow, not usage (and would not
        fit the bigint sums downstream) -#}
    {%- for field in fields -%}
        {%- do checks.append((
            aicost_text(field) ~ ' is not null and coalesce(' ~ aicost_report_number(field) ~ ' < 0 or '
            ~ aicost_report_number(field) ~ ' > 1000000000000000, true)',
            field ~ ':unreadable')) -%}
    {%- endfor -%}
    {%- for field in required -%}
        {%- do checks.append((aicost_text(field) ~ ' is null', field ~ ':missing')) -%}
    {%- endfor -%}
    {{ aicost_report_problem_list(checks) }}
{%- endmacro %}

{% macro aicost_report_problem_list(checks) -%}
    {#- The problems of (condition, 'field:problem') pairs whose condition holds, comma-separated
        without a trailing comma; NULL when none. -#}
    nullif(rtrim({{ aicost_field_warnings(checks) }}, ','), '')
{%- endmacro %}

{% macro aicost_timestamp_from_epoch_seconds(expression) -%}
    {#- A Unix time in seconds (OpenAI's bucket start_time) as a UTC timestamp; NULL when unreadable
        or outside 1970-2100 (an absurd value must not overflow the date arithmetic). -#}
    {%- set seconds = dbt.safe_cast(aicost_text(expression), dbt.type_bigint()) -%}
    case when {{ seconds }} between 0 and 4102444800 then
        {{ dbt.dateadd('second', seconds, "cast('1970-01-01 00:00:00' as " ~ api.Column.translate_type('timestamp') ~ ")") }}
    end
{%- endmacro %}

{% macro aicost_cents_to_usd(expression) -%}
    {#- Anthropic's cost report gives amounts in cents as decimal strings ("123.45" = $1.2345):
        divided by 100 exactly (a decimal times 0.01, never a float division). -#}
    {{ aicost_to_money(aicost_report_number(expression) ~ ' * cast(0.01 as decimal(3, 2))') }}
{%- endmacro %}

{% macro aicost_usage_kind(provider, operation) -%}
    {#- Which provider usage report covers a logged call: OpenAI reports completions and
        embeddings on separate endpoints, Anthropic's messages report covers every call; NULL for
        a provider without a usage report. -#}
    case
        when {{ provider }} = 'openai' and {{ operation }} in ('embeddings', 'embedding') then 'embeddings'
        when {{ provider }} = 'openai' then 'completions'
        when {{ provider }} = 'anthropic' then 'messages'
    end
{%- endmacro %}
