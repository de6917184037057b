{#- Casts whose spelling differs between warehouses. Each is one dispatched macro (docs/STYLE.md 7). -#}

{% macro aicost_to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('aicost_to_utc_timestamp', 'ai_cost_attribution')(expression)) }}
{%- endmacro %}

{% macro default__aicost_to_utc_timestamp(expression) -%}
    {{ dbt.safe_cast(expression, api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{% macro duckdb__aicost_to_utc_timestamp(expression) -%}
    {#- An offset is applied (10:00+02:00 -> 08:00); a value without offset is taken as UTC
        (the profile pins the session TimeZone to UTC). -#}
    timezone('UTC', try_cast({{ expression }} as timestamptz))
{%- endmacro %}

{% macro aicost_parse_boolean(expression) -%}
    case
        when lower(trim({{ expression }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ expression }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{% macro aicost_type_money() -%}
    {#- Money: exact decimals, 12 places so a single cached token ($0.0375/M) is still exact. -#}
    {{ return(adapter.dispatch('aicost_type_money', 'ai_cost_attribution')()) }}
{%- endmacro %}

{% macro default__aicost_type_money() -%}decimal(38, 12){%- endmacro %}

{% macro bigquery__aicost_type_money() -%}bignumeric{%- endmacro %}

{% macro aicost_type_double() -%}
    {#- A 64-bit float (dbt's type_float is 32-bit on DuckDB). -#}
    {{ return(adapter.dispatch('aicost_type_double', 'ai_cost_attribution')()) }}
{%- endmacro %}

{% macro default__aicost_type_double() -%}double precision{%- endmacro %}

{% macro duckdb__aicost_type_double() -%}double{%- endmacro %}

{% macro spark__aicost_type_double() -%}double{%- endmacro %}

{% macro bigquery__aicost_type_double() -%}float64{%- endmacro %}

{% macro aicost_type_price() -%}decimal(18, 9){%- endmacro %}

{% macro aicost_type_token_count() -%}{{ dbt.type_bigint() }}{%- endmacro %}

{% macro aicost_to_money(expression) -%}
    cast({{ expression }} as {{ aicost_type_money() }})
{%- endmacro %}

{% macro aicost_text(expression) -%}
    {#- Trimmed text, with empty strings as NULL: an empty tag is no tag. -#}
    {{ return(adapter.dispatch('aicost_text', 'ai_cost_attribution')(expression)) }}
{%- endmacro %}

{% macro default__aicost_text(expression) -%}
    nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{% macro duckdb__aicost_text(expression) -%}
    {#- trim copies the string: on DuckDB it only runs when an edge is a space (most values have
        none), which is a third of the wide staging models' text work. That test spells the value
        four times, so it is kept for a column; an expression (a JSON path, a tag lookup) is
        spelled once, since four copies of it quadruple the SQL every downstream query plans. -#}
    {%- set text = 'cast(' ~ expression ~ ' as varchar)' -%}
    {%- if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_.]*|"[^"]+"|[A-Za-z_][A-Za-z0-9_]*\\."[^"]+"', expression | trim) -%}
    case
        when starts_with({{ text }}, ' ') or ends_with({{ text }}, ' ') then nullif(trim({{ text }}), '')
        else nullif({{ text }}, '')
    end
    {%- else -%}
    nullif(trim({{ text }}), '')
    {%- endif -%}
{%- endmacro %}

{% macro postgres__aicost_to_utc_timestamp(expression) -%}
    {#- PostgreSQL casts raise on bad input (and read words such as 'yesterday' as dates): cast
        only what looks like an ISO 8601 timestamp; apply an offset when there is one, else UTC. -#}
    case
        when {{ expression }} ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)$'
            then cast({{ expression }} as timestamptz) at time zone 'UTC'
        when {{ expression }} ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?)?$'
            then cast({{ expression }} as timestamp)
    end
{%- endmacro %}

{% macro duckdb__safe_cast(field, type) -%}
    {#- dbt's default safe_cast is a plain cast, which stops the build on one unreadable value. -#}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro postgres__safe_cast(field, type) -%}
    {#- dbt's safe_cast is a plain cast on PostgreSQL, which raises on unreadable text: guard the
        numeric and date casts the staging models rely on (dispatched ahead of dbt's own, see
        `dispatch` in dbt_project.yml). -#}
    {%- set type_name = (type | string | lower) -%}
    {%- if type_name.startswith(('decimal', 'numeric', 'int', 'bigint', 'smallint', 'double', 'float', 'real')) -%}
        {#- a number that fits decimal(38, 6) (as DuckDB's try_cast reads it); an absurd one is
            unreadable (NULL) rather than an overflow error -#}
        case when trim(cast({{ field }} as text)) ~ '^[+-]?(\d{1,32}(\.\d*)?|\.\d+)([eE][+-]?\d{1,2})?$' then
            case when abs(cast(trim(cast({{ field }} as text)) as double precision)) < 1e31
                then cast(trim(cast({{ field }} as text)) as {{ type }}) end
        end
    {%- elif type_name == 'date' -%}
        {#- a date, or a timestamp whose date part is kept (as dbt's unit-test fixtures send) -#}
        case when trim(cast({{ field }} as text)) ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([T ][0-9:.+-]*)?$'
            then cast(trim(cast({{ field }} as text)) as date) end
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{% macro aicost_integer_divide(numerator, denominator) -%}
    {#- floor(numerator / denominator), exact for integers up to 38 digits (DuckDB divides decimals
        as doubles, which loses the last digits of a 19-digit nanosecond count). -#}
    {{ return(adapter.dispatch('aicost_integer_divide', 'ai_cost_attribution')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__aicost_integer_divide(numerator, denominator) -%}
    floor(({{ numerator }}) / ({{ denominator }}))
{%- endmacro %}

{% macro duckdb__aicost_integer_divide(numerator, denominator) -%}
    (cast({{ numerator }} as hugeint) // cast({{ denominator }} as hugeint))
{%- endmacro %}
