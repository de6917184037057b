{#- The optional CSV inputs (customers, revenue, shared costs, budgets, invoices, discounts…) are
    configuration: they are landed as text views (DuckDB) and checked before anything is built, so
    a bad row fails the build with a message naming the file, the line and the problem instead of
    a bare conversion error deep in a model. The columns, types, allowed values and bounds are
    var('raw_contract').csv_inputs. -#}

{% macro aicost_config_csv_reader(file_path) -%}
    {#- Every cell as text; rows with missing cells padded with NULL, extra cells ignored (they land
        in unnamed columns), quoted line breaks and doubled quotes kept (RFC 4180; the sniffer
        alone misreads them without strict mode). One thread, so rows keep their file order. -#}
    read_csv({{ aicost_sql_string(file_path) }}, header = true, all_varchar = true, null_padding = true,
             strict_mode = false, parallel = false, quote = '"', escape = '"')
{%- endmacro %}

{% macro aicost_land_csv(raw_schema, table_name, columns) -%}
    {#- `create view` for one optional CSV: its contract columns (absent ones NULL) plus `row_number`
        (1 = the first data row); an empty relation when the file is absent. -#}
    {%- set file_path = aicost_raw_folder(table_name ~ '.csv') -%}
    {%- if aicost_list_files(aicost_raw_folder(''), [table_name ~ '.csv']) -%}
        {%- set undecodable = run_query(
            "select count(*) from read_blob(" ~ aicost_sql_string(file_path) ~ ") where try(decode(content)) is null"
        ).rows[0][0] -%}
        {%- if undecodable > 0 -%}
            {{ exceptions.raise_compiler_error(
                "Bad configuration in " ~ file_path ~ ": the file is not UTF-8 text. Save it as UTF-8 CSV.") }}
        {%- endif -%}
        {%- set reader = aicost_config_csv_reader(file_path) -%}
        {%- set present = [] -%}
        {%- for row in run_query("describe select * from " ~ reader).rows -%}
            {%- do present.append(row[0] | lower) -%}
        {%- endfor -%}
        {%- if not present | select('in', columns) | list -%}
            {{ exceptions.raise_compiler_error(
                "Bad configuration in " ~ file_path ~ ": the header names none of the expected columns ("
                ~ columns | join(', ') ~ "); found: " ~ present | join(', ')) }}
        {%- endif -%}
    create or replace view {{ raw_schema }}.{{ table_name }} as
    select
        {%- for column in columns %}
        {% if column in present %}nullif(trim("{{ column }}"), ''){% else %}cast(null as varchar){% endif %} as {{ column }},
        {%- endfor %}
        row_number() over () as row_number
    from {{ reader }}
    {%- else -%}
    create or replace view {{ raw_schema }}.{{ table_name }} as
    select
        {%- for column in columns %}
        cast(null as varchar) as {{ column }},
        {%- endfor %}
        cast(null as bigint) as row_number
    where false
    {%- endif -%}
{%- endmacro %}

{% macro aicost_check_config_csvs() -%}
    {#- on-run-start, after the landing: every optional CSV checked against the contract. Raises
        one error listing the problems (file, line, column, value, rule); returns a no-op query.
        Every file's checks are one query: a warehouse pays per statement (Spark about a second
        each), and there are a dozen files. -#}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set per_file = [] -%}
    {%- set checked = [] -%}
    {%- for table_name, columns in raw_csv_inputs().items() -%}
        {%- set relation = adapter.get_relation(database=target.database, schema=var('raw_schema'), identifier=table_name) -%}
        {%- if relation is not none -%}
            {#- Landed CSVs carry their row numbers; a warehouse table has none to give. -#}
            {%- set has_row_number = 'row_number' in adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
            {%- do per_file.append("select " ~ checked | length ~ " as file_order, row_number, column_name, problem from ("
                ~ aicost_config_problems_sql(relation, columns, has_row_number) ~ ") as problems_" ~ checked | length) -%}
            {%- do checked.append(table_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set problems = [] -%}
    {%- if per_file -%}
        {%- set found = run_query(per_file | join('\nunion all\n') ~ '\norder by file_order, row_number, column_name') -%}
        {%- for row in found.rows -%}
            {%- do problems.append(
                checked[row[0] | int] ~ ('.csv line ' ~ (row[1] + 1) if row[1] is not none else ' row') ~ ': '
                ~ row[2] ~ ' ' ~ row[3]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if problems -%}
        {%- set shown = problems[:20] -%}
        {{ exceptions.raise_compiler_error(
            "Bad configuration in raw_path '" ~ aicost_raw_folder('') ~ "' (" ~ problems | length
            ~ " problem" ~ ('s' if problems | length > 1 else '') ~ "; line 1 is the header):\n  "
            ~ shown | join('\n  ')
            ~ ('\n  … and ' ~ (problems | length - 20) ~ ' more' if problems | length > 20 else '')
            ~ "\nFix these rows (docs/CONTRACT.md lists each file's columns) and build again.") }}
    {%- endif -%}
    select 1 as configuration_is_valid
{%- endmacro %}

{% macro aicost_config_problems_sql(relation, columns, has_row_number=true) -%}
    {#- (row_number, column, problem) for every cell breaking its column's rule, first 50. -#}
    {%- set row_number = ('cast(row_number as ' if has_row_number else 'cast(null as ') ~ dbt.type_bigint() ~ ')' -%}
    {%- set checks = [] -%}
    {%- for column, rule in columns.items() -%}
        {%- set value = 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
        {%- set shown = dbt.concat(["''''", 'left(' ~ value ~ ', 40)', "''' '"]) -%}
        {%- if rule.get('required') -%}
            {%- do checks.append("select " ~ row_number ~ " as row_number, '" ~ column ~ "' as column_name, 'is required but empty' as problem from "
                ~ relation ~ " where " ~ value ~ " is null") -%}
        {%- endif -%}
        {%- set readable = aicost_config_value_is_readable(value, rule.get('type', 'text')) -%}
        {%- if readable -%}
            {%- do checks.append("select " ~ row_number ~ " as row_number, '" ~ column ~ "', " ~ dbt.concat([shown, "'is not a " ~ aicost_config_type_name(rule.type) ~ "'"])
                ~ " from " ~ relation ~ " where " ~ value ~ " is not null and not (" ~ readable ~ ")") -%}
        {%- endif -%}
        {%- set allowed = aicost_config_allowed_values(rule) -%}
        {%- if allowed -%}
            {%- do checks.append("select " ~ row_number ~ " as row_number, '" ~ column ~ "', " ~ dbt.concat([shown, "'is not one of " ~ allowed | join(', ') ~ "'"])
                ~ " from " ~ relation ~ " where " ~ value ~ " is not null and lower(" ~ value ~ ") not in ('"
                ~ allowed | join("', '") ~ "')") -%}
        {%- endif -%}
        {%- for bound, operator in [('min', '<'), ('max', '>')] -%}
            {%- if rule.get(bound) is not none -%}
                {%- do checks.append("select " ~ row_number ~ " as row_number, '" ~ column ~ "', " ~ dbt.concat([shown, "'is " ~ ('below ' if bound == 'min' else 'above ') ~ rule[bound] ~ "'"])
                    ~ " from " ~ relation ~ " where (" ~ readable ~ ") and " ~ dbt.safe_cast(value, 'decimal(38, 12)')
                    ~ " " ~ operator ~ " " ~ rule[bound]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if columns.get('period_end') and columns.get('period_start') -%}
        {%- do checks.append("select " ~ row_number ~ " as row_number, 'period_end', 'is not after period_start' from " ~ relation
            ~ " where " ~ dbt.safe_cast('period_end', 'date') ~ " <= " ~ dbt.safe_cast('period_start', 'date')) -%}
    {%- endif -%}
    {%- if columns.get('effective_to') and columns.get('effective_from') -%}
        {%- do checks.append("select " ~ row_number ~ " as row_number, 'effective_to', 'is not after effective_from' from " ~ relation
            ~ " where " ~ dbt.safe_cast('effective_to', 'date') ~ " <= " ~ dbt.safe_cast('effective_from', 'date')) -%}
    {%- endif -%}
    {%- for column, rule in columns.items() if rule.get('periods_per') and columns.get('effective_to') -%}
        {%- do checks.append(aicost_config_overlap_sql(relation, column, rule['periods_per'], row_number)) -%}
    {%- endfor %}
    select row_number, column_name, problem from (
        {{ checks | join('\n        union all\n        ') }}
    ) as problems
    order by row_number, column_name
    limit 50
{%- endmacro %}

{% macro aicost_config_allowed_values(rule) -%}
    {#- A column's allowed values: listed in the rule, or the keys of the var it names
        (`values_from: shared_cost_drivers`). [] when any value goes. -#}
    {%- if rule.get('values_from') -%}
        {{ return(var(rule['values_from']).keys() | list) }}
    {%- endif -%}
    {{ return(rule.get('values', [])) }}
{%- endmacro %}

{% macro aicost_config_type_name(type) -%}
    {{ return({'date': 'date (YYYY-MM-DD)', 'timestamp': 'timestamp (ISO 8601)', 'number': 'number',
               'boolean': 'boolean (true/false)'}.get(type, type)) }}
{%- endmacro %}

{% macro aicost_config_value_is_readable(value, type) -%}
    {#- SQL true when the text `value` reads as `type` (empty for text, which always reads). -#}
    {%- if type == 'date' -%}
        {{ dbt.safe_cast(value, 'date') }} is not null
    {%- elif type == 'timestamp' -%}
        {{ aicost_to_utc_timestamp(value) }} is not null
    {%- elif type == 'number' -%}
        {{ dbt.safe_cast(value, 'decimal(38, 12)') }} is not null
    {%- elif type == 'boolean' -%}
        {{ aicost_parse_boolean(value) }} is not null
    {%- endif -%}
{%- endmacro %}

{% macro aicost_config_overlap_sql(relation, from_column, keys, row_number) -%}
    {#- (row_number, column, problem) for each row whose period [from_column, effective_to) starts
        inside the period of an earlier-starting row with the same `keys` (compared as staging
        reads them: trimmed, lower-cased): both lines are named. `row_number` is the SQL of this
        row's number (NULL on a warehouse table, whose rows have none). -#}
    {%- set earlier_number = row_number | replace('row_number', 'earlier.row_number') -%}
    {%- set later_number = row_number | replace('row_number', 'later.row_number') -%}
    {%- set other_line = "coalesce(cast(" ~ earlier_number ~ " + 1 as " ~ dbt.type_string() ~ "), 'another row')" -%}
    {%- set same_keys = [] -%}
    {%- for key in keys -%}
        {%- do same_keys.append("coalesce(lower(trim(earlier." ~ key ~ ")), '') = coalesce(lower(trim(later." ~ key ~ ")), '')") -%}
    {%- endfor -%}
    {%- set earlier_from = dbt.safe_cast('earlier.' ~ from_column, 'date') -%}
    {%- set later_from = dbt.safe_cast('later.' ~ from_column, 'date') -%}
    {%- set earlier_to = dbt.safe_cast('earlier.effective_to', 'date') -%}
    select {{ later_number }} as row_number, '{{ from_column }}' as column_name,
        {{ dbt.concat(["'overlaps the period of line '", other_line, "' (same " ~ keys | join(', ') ~ "; periods may not overlap)'"]) }} as problem
    from {{ relation }} as earlier
    inner join {{ relation }} as later
        on {{ same_keys | join(' and ') }}
        and ({{ earlier_from }} < {{ later_from }}
             or ({{ earlier_from }} = {{ later_from }} and {{ earlier_number }} < {{ later_number }}))
    where {{ earlier_from }} is not null
        and {{ later_from }} is not null
        and (earlier.effective_to is null or {{ earlier_to }} > {{ later_from }})
{%- endmacro %}
