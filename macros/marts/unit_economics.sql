{#- Statistics and business rules shared by the unit-economics and monitoring models.
    Ordered-set aggregates are spelled differently on every warehouse: one dispatched macro
    each (docs/STYLE.md 7). -#}

{% macro aicost_percentile(expression, fraction) -%}
    {#- Continuous percentile (linear interpolation between the two nearest values) of a group. -#}
    {{ return(adapter.dispatch('aicost_percentile', 'ai_cost_attribution')(expression, fraction)) }}
{%- endmacro %}

{% macro default__aicost_percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__aicost_percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__aicost_percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro bigquery__aicost_percentile(expression, fraction) -%}
    {#- BigQuery has no exact percentile aggregate: the approximate one, 1,000 buckets. -#}
    approx_quantiles({{ expression }}, 1000)[offset({{ (fraction * 1000) | int }})]
{%- endmacro %}

{% macro aicost_median(expression) -%}
    {{ aicost_percentile(expression, 0.5) }}
{%- endmacro %}

{% macro aicost_value_in_band(value, band) -%}
    {#- SQL true when `value` falls in the band `band` (an alias of an int_benchmark_bands_bounded
        row): above its lower bound (or on it when lower_bound_included), below its upper bound
        (or on it when upper_bound_included); an empty bound is open. The seed says, per band,
        whether its upper bound is included, so each published range keeps its own boundary. -#}
    ({{ band }}.lower_bound is null
        or {{ value }} > {{ band }}.lower_bound
        or ({{ band }}.lower_bound_included and {{ value }} = {{ band }}.lower_bound))
    and ({{ band }}.upper_bound is null
        or {{ value }} < {{ band }}.upper_bound
        or ({{ band }}.upper_bound_included and {{ value }} = {{ band }}.upper_bound))
{%- endmacro %}

{% macro aicost_in_force(day, row) -%}
    {#- SQL true when a dated row (`row` an alias with effective_from and effective_to) is in force
        on `day`: from effective_from (included) to effective_to (excluded; NULL = still in force),
        the rule of the rate card and the negotiated discounts. -#}
    ({{ day }} >= {{ row }}.effective_from and ({{ row }}.effective_to is null or {{ day }} < {{ row }}.effective_to))
{%- endmacro %}

{% macro aicost_scorecard_metrics() -%}
    {#- The metrics of mart_unit_economics_scorecard, in the order it lists them: the one list the
        scorecard, the benchmark seed's check and the docs name. unit: ratio (0.25 = 25 %) or usd. -#}
    {{ return([
        {'metric': 'ai_cogs_ratio', 'label': 'AI COGS / revenue', 'unit': 'ratio'},
        {'metric': 'inference_cost_per_request', 'label': 'Inference cost per request', 'unit': 'usd'},
        {'metric': 'routing_coverage', 'label': 'Model routing coverage', 'unit': 'ratio'},
        {'metric': 'cheapest_model_call_share', 'label': 'Calls on the cheapest model of their provider', 'unit': 'ratio'},
        {'metric': 'feature_profitability', 'label': 'Profitable AI features', 'unit': 'ratio'},
    ]) }}
{%- endmacro %}

{% macro aicost_is_product_usage(prefix='') -%}
    {#- Product COGS counts prod, external usage only (docs/CONTRACT.md section 3). -#}
    ({{ prefix }}environment = 'prod' and {{ prefix }}usage_type = 'external')
{%- endmacro %}

{% macro aicost_anomaly_engine() -%}
    {#- Which model scores anomalies: var('anomaly_engine') (python | sql), or for `auto` the
        Python model on DuckDB and the SQL model elsewhere. -#}
    {%- set engine = var('anomaly_engine') -%}
    {%- if engine == 'auto' -%}
        {{ return('python' if target.type == 'duckdb' else 'sql') }}
    {%- endif -%}
    {%- if engine not in ['python', 'sql'] -%}
        {{ exceptions.raise_compiler_error("var('anomaly_engine') must be auto, python or sql, got '" ~ engine ~ "'") }}
    {%- endif -%}
    {{ return(engine) }}
{%- endmacro %}

{% macro aicost_as_of_date_literal() -%}
    {#- var('as_of_date') as a date literal, or none when unset. -#}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or (configured | string | trim) in ('', 'none', 'None', 'null') -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(aicost_date_literal(configured)) }}
{%- endmacro %}

{% macro aicost_built_as_of_date_literal() -%}
    {#- The date int_as_of_date holds, read when the caller runs, as a date literal: a constant
        reaches a scan where a bound taken from a joined row is applied after the joins. None
        before int_as_of_date is built (dbt compile on an empty warehouse). -#}
    {%- set relation = load_relation(ref('int_as_of_date')) if execute else none -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query('select max(as_of_date) from ' ~ relation).columns[0].values() -%}
    {{ return(aicost_date_literal(found[0]) if found | length > 0 and found[0] is not none else none) }}
{%- endmacro %}

{% macro aicost_date_literal(value) -%}
    {#- A date (or its ISO text) as a SQL date literal. -#}
    {{ return("cast('" ~ (value | string | trim) ~ "' as date)") }}
{%- endmacro %}

{% test unattributed_share_within_threshold(model, threshold_column) %}
    {#- Judged rows of mart_attribution_coverage whose unattributed share is above the threshold
        in `threshold_column` (warn_pct or error_pct), with the top untagged sources to fix. -#}
    select
        coverage_month,
        dimension,
        scope,
        unattributed_pct,
        {{ threshold_column }} as threshold_pct,
        unattributed_cost_usd,
        top_untagged_sources
    from {{ model }}
    where is_judged
        and {{ threshold_column }} is not null
        and unattributed_pct > {{ threshold_column }}
{% endtest %}

{% test no_budget_over(model) %}
    {#- Budget scopes whose month-to-date actual is over budget. -#}
    select
        scope_type,
        scope_value,
        budget_month,
        budget_usd,
        actual_usd,
        forecast_usd,
        pct_of_budget
    from {{ model }}
    where status = 'over'
{% endtest %}

{% macro aicost_type_ratio() -%}
    {#- Ratios, shares and scores: a double-precision float (dbt.type_float() is 4-byte on
        DuckDB). Money never uses it. -#}
    {{ return(adapter.dispatch('aicost_type_ratio', 'ai_cost_attribution')()) }}
{%- endmacro %}

{% macro default__aicost_type_ratio() -%}double precision{%- endmacro %}

{% macro bigquery__aicost_type_ratio() -%}float64{%- endmacro %}

{% macro spark__aicost_type_ratio() -%}double{%- endmacro %}

{% macro trino__aicost_type_ratio() -%}double{%- endmacro %}

{% test unique_grain(model, columns) %}
    {#- The listed columns identify a row: returns the repeated combinations. -#}
    select
        {{ columns | join(', ') }},
        count(*) as rows_in_group
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% test equal_total(model, column_name, to, to_column, to_where='1 = 1', tolerance=0) %}
    {#- sum(column_name) of this model equals sum(to_column) of `to` (filtered by to_where):
        an invariant that a mart neither drops nor double counts money. -#}
    with

    this_total as (
        select coalesce(sum({{ column_name }}), 0) as total from {{ model }}
    ),

    other_total as (
        select coalesce(sum({{ to_column }}), 0) as total from {{ to }} where {{ to_where }}
    )

    select
        this_total.total as model_total,
        other_total.total as compared_total
    from this_total
    cross join other_total
    where abs(this_total.total - other_total.total) > {{ tolerance }}
{% endtest %}
