"""Every query the app runs, in one place.

Rules kept here so no page has to think about them:
- only marts are read (`marts.*`), and every business rule comes from them: the COGS bands
  (`app_cogs_bands`), the benchmark bands and thresholds (`mart_unit_economics_scorecard`), the
  anomaly band (`mart_cost_anomalies`), the dimensions (`app_dimensions`), what counts as product
  usage (the unit-economics marts, `app_product_costs`);
- every query takes a `Slice` and applies its period, its filters and the viewer's access grants
  in SQL with bound parameters. A relation that does not carry a restricted column returns no
  rows: `OutOfScope` for an access grant, `FilterNotApplicable` for a filter, which the pages
  turn into a notice. CSV downloads are built from these same results;
- user input never becomes SQL text: a chosen dimension, grain or measure selects one of the
  constant fragments below (a whitelist), every value is a bound parameter;
- each query returns a small pandas DataFrame; money stays in USD as floats for display (the
  marts hold exact decimals; tests compare at the cent)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from costapp.filters import Slice, month_of
from costapp.warehouse import fetch, require

CALLS = "marts.fct_llm_calls"
LEDGER = "marts.fct_cost_ledger"
TRACES = "marts.fct_traces"
CUSTOMERS = "marts.dim_customers"
RECONCILIATION = "marts.mart_invoice_reconciliation"
CUSTOMER_ECONOMICS = "marts.mart_customer_unit_economics"
TIER_ECONOMICS = "marts.mart_plan_tier_unit_economics"
FEATURE_ECONOMICS = "marts.mart_feature_unit_economics"
AGENT_ECONOMICS = "marts.mart_agent_unit_economics"
OUTCOME_ECONOMICS = "marts.mart_feature_outcome_economics"
MODEL_MIX = "marts.mart_model_mix"
BUDGETS = "marts.mart_budget_vs_actual"
ANOMALIES = "marts.mart_cost_anomalies"
COVERAGE = "marts.mart_attribution_coverage"
PRODUCT_COSTS = "marts.app_product_costs"
PROVENANCE = "marts.app_build_provenance"
SOURCES = "marts.app_source_counts"
DIMENSIONS = "marts.app_dimensions"
COGS_BANDS = "marts.app_cogs_bands"
CALL_SOURCES = "marts.app_call_dimension_sources"
SCORECARD = "marts.mart_unit_economics_scorecard"

# Every relation the app reads (the dbt exposure in models/marts/app/_app__exposures.yml lists them).
RELATIONS_READ = (
    CALLS,
    LEDGER,
    TRACES,
    CUSTOMERS,
    RECONCILIATION,
    CUSTOMER_ECONOMICS,
    TIER_ECONOMICS,
    FEATURE_ECONOMICS,
    AGENT_ECONOMICS,
    OUTCOME_ECONOMICS,
    MODEL_MIX,
    BUDGETS,
    ANOMALIES,
    COVERAGE,
    PRODUCT_COSTS,
    PROVENANCE,
    SOURCES,
    DIMENSIONS,
    COGS_BANDS,
    CALL_SOURCES,
    SCORECARD,
)

PLAN_TIER = "plan_tier"  # a customer attribute (dim_customers), sliceable wherever customer_id is


class NotInSlice(Exception):
    """A section's relation cannot honour the slice: it shows a notice instead of rows."""


class OutOfScope(NotInSlice):
    """The viewer's access grants restrict a column this relation does not carry."""


class FilterNotApplicable(NotInSlice):
    """A filter names a column this relation does not carry."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        super().__init__(", ".join(self.columns))


# --- relations and the slice as SQL ---------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """A mart, the slice columns it carries (None: every dimension of app_dimensions) and its
    period column (a day, else a month)."""

    name: str
    columns: frozenset[str] | None
    day: str | None = None
    month: str | None = None
    attribution_only: bool = False  # carries the attribution dimensions but not provider / model


CALLS_REL = Relation(CALLS, None, day="usage_date")
LEDGER_REL = Relation(LEDGER, None, month="ledger_month")
PRODUCT_REL = Relation(PRODUCT_COSTS, None, month="ledger_month")
TRACES_REL = Relation(TRACES, None, day="trace_date", attribution_only=True)
CUSTOMER_REL = Relation(CUSTOMER_ECONOMICS, frozenset({"customer_id"}), month="month")
TIER_REL = Relation(TIER_ECONOMICS, frozenset(), month="month")
FEATURE_REL = Relation(FEATURE_ECONOMICS, frozenset({"feature", "team", "product"}), month="month")
OUTCOME_REL = Relation(OUTCOME_ECONOMICS, frozenset({"feature", "team", "product"}), month="month")
AGENT_REL = Relation(AGENT_ECONOMICS, frozenset(), month="month")
MODEL_MIX_REL = Relation(MODEL_MIX, frozenset(), month="month")
COVERAGE_REL = Relation(COVERAGE, frozenset(), month="coverage_month")
RECONCILIATION_REL = Relation(RECONCILIATION, frozenset(), month="invoice_month")
CUSTOMERS_REL = Relation(CUSTOMERS, frozenset({"customer_id"}))
SCORECARD_REL = Relation(SCORECARD, frozenset(), month="month")  # company-wide: no slice column


def _carries(relation: Relation, column: str) -> bool:
    if column == PLAN_TIER:
        return _carries(relation, "customer_id")
    if relation.columns is not None:
        return column in relation.columns
    if relation.attribution_only:
        return column in attribution_columns()
    return column in dimension_columns()


def _column_sql(relation: Relation, alias: str, column: str) -> str:
    """The SQL of a slice column in `relation` (a whitelisted name, never user text)."""
    if column == PLAN_TIER:
        return (
            f"coalesce((select max(tiers.plan_tier) from {CUSTOMERS} as tiers "
            f"where tiers.customer_id = {alias}.customer_id), 'unattributed')"
        )
    return f"{alias}.{column}"


def _in_list(expression: str) -> str:
    return f"list_contains(?::varchar[], cast({expression} as varchar))"


@dataclass
class Where:
    """Conditions and their bound parameters, in order."""

    parts: list[str]
    parameters: list[object]

    @property
    def sql(self) -> str:
        return " and ".join(f"({part})" for part in self.parts) or "true"

    def add(self, part: str, *parameters: object) -> Where:
        self.parts.append(part)
        self.parameters.extend(parameters)
        return self


def _grants_sql(relation: Relation, alias: str, rows: Slice) -> Where:
    """OR over the viewer's grants of AND over each grant's columns; OutOfScope when no grant can
    be applied to this relation (it lacks a column every grant restricts)."""
    where = Where([], [])
    if rows.grants is None:
        return where
    alternatives, parameters = [], []
    for grant in rows.grants:
        if not all(_carries(relation, column) for column in grant.rows):
            continue  # this grant opens nothing here
        alternatives.append(" and ".join(_in_list(_column_sql(relation, alias, column)) for column in grant.rows))
        parameters += [list(values) for values in grant.rows.values()]
    if not alternatives:
        raise OutOfScope(relation.name)
    return where.add(" or ".join(f"({alternative})" for alternative in alternatives), *parameters)


def slice_where(relation: Relation, alias: str, rows: Slice, *, period: bool = True) -> Where:
    """The slice as SQL on `relation`: period, filters and access grants."""
    where = Where([], [])
    if period and relation.day:
        where.add(f"{alias}.{relation.day} between ? and ?", rows.start, rows.end)
    elif period and relation.month:
        where.add(f"{alias}.{relation.month} between ? and ?", rows.first_month, rows.last_month)
    filters = rows.active_filters()
    missing = [column for column in filters if not _carries(relation, column)]
    if missing:
        raise FilterNotApplicable(missing)
    for column, values in filters.items():
        where.add(_in_list(_column_sql(relation, alias, column)), list(values))
    grants = _grants_sql(relation, alias, rows)
    return where.add(grants.sql, *grants.parameters) if grants.parts else where


def _scope_typed_where(rows: Slice, type_column: str, value_column: str, column_of_type: dict[str, str]) -> Where:
    """Rows named by a (scope type, value) pair, such as budgets and anomaly series: a filter keeps
    the rows whose own column is filtered to their value; a grant opens a row only when it
    restricts that one column alone (a team's budget spends across customers, so a customer's
    grant never opens it)."""
    type_of_column: dict[str, list[str]] = {}
    for scope_type, column in column_of_type.items():
        type_of_column.setdefault(column, []).append(scope_type)
    where = Where([], [])
    filters = rows.active_filters()
    if filters:
        usable = {column: values for column, values in filters.items() if column in type_of_column}
        if not usable:
            raise FilterNotApplicable(list(filters))
        alternatives, parameters = [], []
        for column, values in usable.items():
            alternatives.append(f"list_contains(?::varchar[], {type_column}) and {_in_list(value_column)}")
            parameters += [type_of_column[column], list(values)]
        where.add(" or ".join(f"({alternative})" for alternative in alternatives), *parameters)
    if rows.grants is not None:
        alternatives, parameters = [], []
        for grant in rows.grants:
            if len(grant.rows) != 1:
                continue
            ((column, values),) = grant.rows.items()
            if column not in type_of_column:
                continue
            alternatives.append(f"list_contains(?::varchar[], {type_column}) and {_in_list(value_column)}")
            parameters += [type_of_column[column], list(values)]
        if not alternatives:
            raise OutOfScope(type_column)
        where.add(" or ".join(f"({alternative})" for alternative in alternatives), *parameters)
    return where


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _floats(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = frame[column].astype(float)
    return frame


# --- what the warehouse is ------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSpan:
    """First and last day with calls; the last day is the app's "today"."""

    first_day: date
    last_day: date

    @property
    def current_month(self) -> date:
        return month_of(self.last_day)

    @property
    def previous_month(self) -> date:
        month = self.current_month
        return (
            month.replace(year=month.year - 1, month=12) if month.month == 1 else month.replace(month=month.month - 1)
        )

    @property
    def days_elapsed(self) -> int:
        return self.last_day.day

    @property
    def days_in_month(self) -> int:
        return pd.Timestamp(self.current_month).days_in_month

    @property
    def is_current_month_complete(self) -> bool:
        return self.days_elapsed == self.days_in_month


def data_span() -> DataSpan | None:
    """The first and last usage day (None when no call is priced), from the calls themselves: a
    build of the facts alone leaves the provenance mart as it was."""
    require()
    frame = fetch(f"select min(usage_date) as first_day, max(usage_date) as last_day from {CALLS}")
    first, last = frame.iloc[0]["first_day"], frame.iloc[0]["last_day"]
    if pd.isna(last):
        return None
    return DataSpan(pd.Timestamp(first).date(), pd.Timestamp(last).date())


def provenance() -> dict:
    """When the warehouse was built, by which dbt, whether it is the demo company."""
    require(PROVENANCE)
    frame = fetch(f"select * from {PROVENANCE}")
    return frame.iloc[0].to_dict() if not frame.empty else {}


def source_counts() -> pd.DataFrame:
    """source_name, calls, rejected_lines, raw_lines, first/last usage date."""
    require(SOURCES)
    return _dates(fetch(f"select * from {SOURCES} order by source_name"), "first_usage_date", "last_usage_date")


def dimensions() -> pd.DataFrame:
    """The columns cost is broken down by (app_dimensions), in order."""
    require(DIMENSIONS)
    return fetch(f"select * from {DIMENSIONS} order by dimension_order")


def dimension_columns() -> list[str]:
    return list(dimensions()["dimension"])


def attribution_columns() -> list[str]:
    frame = dimensions()
    return list(frame.loc[frame["is_attribution_dimension"].astype(bool), "dimension"])


def budget_scope_columns() -> dict[str, str]:
    """budgets.csv scope_type -> the column it is measured on."""
    frame = dimensions().dropna(subset=["budget_scope_type"])
    return dict(zip(frame["budget_scope_type"], frame["dimension"], strict=True))


def explore_columns() -> list[str]:
    """What Explore breaks down by: every dimension, and the customer's plan tier after customer_id."""
    columns = dimension_columns()
    position = columns.index("customer_id") + 1 if "customer_id" in columns else len(columns)
    return [*columns[:position], PLAN_TIER, *columns[position:]]


def cogs_bands() -> pd.DataFrame:
    """cogs_band, band_label, band_order, lower_bound, upper_bound, is_upper_inclusive."""
    require(COGS_BANDS)
    return fetch(f"select * from {COGS_BANDS} order by band_order")


def _band_join(ratio: str) -> str:
    """The band of a computed ratio, by the bounds the marts classify with (app_cogs_bands)."""
    return (
        f"left join {COGS_BANDS} as bands on {ratio} >= bands.lower_bound and (bands.upper_bound is null "
        f"or {ratio} < bands.upper_bound or (bands.is_upper_inclusive and {ratio} = bands.upper_bound))"
    )


def dimension_values(rows: Slice, columns: Iterable[str]) -> dict[str, list[str]]:
    """The values of each column the viewer may see (the ledger, access grants only), for the
    filter boxes and the colour of each value."""
    rows = rows.scope_only()
    wanted = [column for column in columns if column == PLAN_TIER or column in dimension_columns()]
    branches, parameters = [], []
    for column in wanted:
        where = slice_where(LEDGER_REL, "ledger", rows, period=False)
        branches.append(
            f"select distinct '{column}' as dimension, cast({_column_sql(LEDGER_REL, 'ledger', column)} as varchar) "
            f"as value from {LEDGER} as ledger where {where.sql}"
        )
        parameters += where.parameters
    values: dict[str, list[str]] = {column: [] for column in wanted}
    if not branches:
        return values
    frame = fetch(f"select dimension, value from ({' union all '.join(branches)}) as v order by 1, 2", parameters)
    for dimension, value in zip(frame["dimension"], frame["value"], strict=True):
        values[dimension].append(str(value))
    return values


def customer_names(rows: Slice) -> dict[str, str]:
    """customer_id -> name of the customers the viewer's rows reach (unnamed ones left out)."""
    where = slice_where(LEDGER_REL, "ledger", rows.scope_only(), period=False)
    frame = fetch(
        f"""
        select customers.customer_id, customers.customer_name
        from {CUSTOMERS} as customers
        where customers.customer_name is not null
            and customers.customer_id in (select distinct ledger.customer_id from {LEDGER} as ledger where {where.sql})
        """,
        where.parameters,
    )
    return dict(zip(frame["customer_id"], frame["customer_name"], strict=True))


# --- the ledger: fully loaded cost -------------------------------------------------------------------


def monthly_cost(rows: Slice, *, by: str | None = None, period: bool = True) -> pd.DataFrame:
    """month, [by,] cost_usd: the fully loaded cost (the ledger) per month."""
    where = slice_where(LEDGER_REL, "ledger", rows, period=period)
    group = f", {_column_sql(LEDGER_REL, 'ledger', by)}" if by else ""
    select = f", {_column_sql(LEDGER_REL, 'ledger', by)} as value" if by else ""
    frame = fetch(
        f"""
        select ledger.ledger_month as month{select}, sum(ledger.amount_usd) as cost_usd
        from {LEDGER} as ledger where {where.sql}
        group by ledger.ledger_month{group} order by 1
        """,
        where.parameters,
    )
    return _floats(_dates(frame, "month"), "cost_usd")


def ledger_total(rows: Slice) -> float:
    """The ledger's total over the months of the slice."""
    return float(monthly_cost(rows)["cost_usd"].sum())


def monthly_usage_cost(rows: Slice, *, period: bool = True) -> pd.DataFrame:
    """month, usage_cost_usd: what the calls are billed (after discounts and cache pooling)."""
    relation = Relation(CALLS, None, month="usage_month")
    where = slice_where(relation, "calls", rows, period=period)
    frame = fetch(
        f"""
        select calls.usage_month as month, sum(calls.pooled_cost_usd) as usage_cost_usd
        from {CALLS} as calls where {where.sql} group by 1 order by 1
        """,
        where.parameters,
    )
    return _floats(_dates(frame, "month"), "usage_cost_usd")


def daily_usage_cost(rows: Slice, *, by: str) -> pd.DataFrame:
    """usage_date, value, cost_usd: the calls' cost per day (usage basis) by one dimension."""
    where = slice_where(CALLS_REL, "calls", rows)
    frame = fetch(
        f"""
        select calls.usage_date, {_column_sql(CALLS_REL, "calls", by)} as value, sum(calls.pooled_cost_usd) as cost_usd
        from {CALLS} as calls where {where.sql}
        group by all order by 1, 2
        """,
        where.parameters,
    )
    return _floats(_dates(frame, "usage_date"), "cost_usd")


# --- Explore -------------------------------------------------------------------------------------------

GRAINS = ("Day", "Week", "Month")
_GRAIN_SQL = {
    "Day": "calls.usage_date",
    "Week": "cast(date_trunc('week', calls.usage_date) as date)",
    "Month": "calls.usage_month",
}
BASES = ("fully_loaded", "usage")


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    sql: str
    is_money: bool


USAGE_MEASURES: tuple[Measure, ...] = (
    Measure("cost", "Usage cost (after discounts and cache pooling)", "sum(calls.pooled_cost_usd)", True),
    Measure("list_cost", "List cost (rate card)", "sum(calls.list_cost_usd)", True),
    Measure("cache_savings", "Cache savings", "sum(calls.cache_savings_usd)", True),
    Measure("calls", "Calls", "count(*)", False),
    Measure("tokens", "Tokens (input + output)", "sum(calls.input_tokens + calls.output_tokens)", False),
)
FULLY_LOADED_MEASURES: tuple[Measure, ...] = (Measure("cost", "Cost, fully loaded", "sum(ledger.amount_usd)", True),)


def measures(basis: str) -> tuple[Measure, ...]:
    return FULLY_LOADED_MEASURES if basis == "fully_loaded" else USAGE_MEASURES


def grains(basis: str) -> tuple[str, ...]:
    """The ledger is monthly: the fully loaded cost has no day or week."""
    return ("Month",) if basis == "fully_loaded" else GRAINS


def explore(rows: Slice, *, basis: str, dimension: str, grain: str, measure: str) -> pd.DataFrame:
    """period, value, amount: one measure by one dimension and time grain, on the slice.

    The basis, dimension, grain and measure pick whitelisted SQL; dates and values are bound."""
    if dimension not in explore_columns():
        raise ValueError(f"not a dimension: {dimension}")
    chosen = {item.key: item for item in measures(basis)}[measure]
    if basis == "fully_loaded":
        where = slice_where(LEDGER_REL, "ledger", rows)
        sql = f"""
            select ledger.ledger_month as period, {_column_sql(LEDGER_REL, "ledger", dimension)} as value,
                   {chosen.sql} as amount
            from {LEDGER} as ledger where {where.sql}
            group by all order by 1, 2
        """
    else:
        where = slice_where(CALLS_REL, "calls", rows)
        sql = f"""
            select {_GRAIN_SQL[grain]} as period, {_column_sql(CALLS_REL, "calls", dimension)} as value,
                   {chosen.sql} as amount
            from {CALLS} as calls where {where.sql}
            group by all order by 1, 2
        """
    frame = fetch(sql, where.parameters)
    frame["value"] = frame["value"].astype(str)
    return _floats(_dates(frame, "period"), "amount")


# --- Customers ---------------------------------------------------------------------------------------


def customer_economics(rows: Slice, month: date) -> pd.DataFrame:
    """One row per customer for the month (product usage, fully loaded), largest cost first."""
    require(CUSTOMER_ECONOMICS)
    where = slice_where(CUSTOMER_REL, "economics", rows, period=False)
    frame = fetch(
        f"""
        select economics.* from {CUSTOMER_ECONOMICS} as economics
        where economics.month = ? and {where.sql}
        order by economics.ai_cost_usd desc, economics.customer_id
        """,
        [month, *where.parameters],
    )
    return _floats(_dates(frame, "month"), "ai_cost_usd", "usage_cost_usd", "revenue_usd", "gross_margin_usd")


def customer_history(rows: Slice) -> pd.DataFrame:
    """month, revenue_usd, ai_cost_usd, ai_cogs_ratio, cogs_band: every month, the customers of
    the slice together, with the band of their combined ratio."""
    require(CUSTOMER_ECONOMICS, COGS_BANDS)
    where = slice_where(CUSTOMER_REL, "economics", rows, period=False)
    frame = fetch(
        f"""
        with monthly as (
            select economics.month, sum(economics.revenue_usd) as revenue_usd,
                   sum(economics.ai_cost_usd) as ai_cost_usd, sum(economics.usage_cost_usd) as usage_cost_usd,
                   bool_and(economics.is_month_complete) as is_month_complete
            from {CUSTOMER_ECONOMICS} as economics where {where.sql}
            group by economics.month
        ), ratios as (
            select monthly.*, cast(ai_cost_usd as double) / nullif(cast(revenue_usd as double), 0) as ai_cogs_ratio
            from monthly
        )
        select ratios.*, coalesce(bands.cogs_band, 'no_revenue') as cogs_band, bands.band_label
        from ratios {_band_join("ratios.ai_cogs_ratio")}
        order by ratios.month
        """,
        where.parameters,
    )
    return _floats(_dates(frame, "month"), "revenue_usd", "ai_cost_usd", "usage_cost_usd", "ai_cogs_ratio")


def scorecard(rows: Slice) -> pd.DataFrame:
    """The unit-economics scorecard of the last complete month of the period with a value: one row
    per metric and benchmark (bands, thresholds, change and sources as the mart holds them), and
    the same metric's value in each of the months before it (`history`: month, metric, value)."""
    require(SCORECARD)
    where = slice_where(SCORECARD_REL, "card", rows, period=False)
    frame = fetch(
        f"""
        select card.* from {SCORECARD} as card
        where card.month = (
            select max(latest.month) from {SCORECARD} as latest
            where latest.is_month_complete and latest.value is not null and latest.month <= ?
        ) and {where.sql}
        order by card.metric_order, card.publisher, card.benchmark
        """,
        [rows.last_month, *where.parameters],
    )
    return _floats(
        _dates(frame, "month"),
        "value", "previous_value", "change", "band_lower_bound", "band_upper_bound", "numerator", "denominator",
    )  # fmt: skip


def scorecard_history(rows: Slice, last_month: date) -> pd.DataFrame:
    """month, metric, value: every metric of the scorecard by month up to `last_month` (a metric's
    value is the same on each of its benchmark rows)."""
    require(SCORECARD)
    where = slice_where(SCORECARD_REL, "card", rows, period=False)
    frame = fetch(
        f"""
        select card.month, card.metric, max(card.value) as value from {SCORECARD} as card
        where card.month <= ? and {where.sql}
        group by card.month, card.metric order by card.month
        """,
        [last_month, *where.parameters],
    )
    return _floats(_dates(frame, "month"), "value")


def tier_economics(rows: Slice, month: date) -> pd.DataFrame:
    """One row per plan tier for the month (every customer: no slice column)."""
    require(TIER_ECONOMICS)
    where = slice_where(TIER_REL, "tiers", rows, period=False)
    frame = fetch(
        f"select tiers.* from {TIER_ECONOMICS} as tiers where tiers.month = ? and {where.sql}"
        " order by tiers.ai_cost_usd desc, tiers.plan_tier",
        [month, *where.parameters],
    )
    return _floats(frame, "ai_cost_usd", "revenue_usd", "ai_cogs_ratio")


def product_cost_by(rows: Slice, by: str) -> pd.DataFrame:
    """month, value, ai_cost_usd, usage_cost_usd: product AI cost (fully loaded) by a dimension."""
    require(PRODUCT_COSTS)
    where = slice_where(PRODUCT_REL, "product", rows)
    frame = fetch(
        f"""
        select product.ledger_month as month, {_column_sql(PRODUCT_REL, "product", by)} as value,
               sum(product.ai_cost_usd) as ai_cost_usd, sum(product.usage_cost_usd) as usage_cost_usd,
               sum(product.shared_cost_usd + product.invoice_adjustment_usd) as shared_and_invoice_usd,
               sum(product.calls) as calls
        from {PRODUCT_COSTS} as product where {where.sql}
        group by all order by 1, 3 desc
        """,
        where.parameters,
    )
    return _floats(_dates(frame, "month"), "ai_cost_usd", "usage_cost_usd", "shared_and_invoice_usd")


# --- Features and agents -------------------------------------------------------------------------


def feature_economics(rows: Slice, *, period: bool = True) -> pd.DataFrame:
    """Feature x month unit economics (product usage, fully loaded), largest cost first."""
    require(FEATURE_ECONOMICS)
    where = slice_where(FEATURE_REL, "features", rows, period=period)
    frame = fetch(
        f"select features.* from {FEATURE_ECONOMICS} as features where {where.sql}"
        " order by features.month, features.ai_cost_usd desc, features.feature",
        where.parameters,
    )
    return _floats(_dates(frame, "month"), "ai_cost_usd", "usage_cost_usd", "cost_per_interaction", "cost_per_outcome")


def outcome_economics(rows: Slice, month: date) -> pd.DataFrame:
    """Feature x outcome type: outcomes and cost per outcome (cost per resolved ticket...)."""
    require(OUTCOME_ECONOMICS)
    where = slice_where(OUTCOME_REL, "outcomes", rows, period=False)
    frame = fetch(
        f"select outcomes.* from {OUTCOME_ECONOMICS} as outcomes where outcomes.month = ? and {where.sql}"
        " order by outcomes.feature, outcomes.outcome_type",
        [month, *where.parameters],
    )
    return _floats(frame, "ai_cost_usd", "cost_per_outcome")


def agent_economics(rows: Slice, month: date) -> pd.DataFrame:
    """Agent x month: cost, runs, tasks, cost per task (every team: no slice column)."""
    require(AGENT_ECONOMICS)
    where = slice_where(AGENT_REL, "agents", rows, period=False)
    frame = fetch(
        f"select agents.* from {AGENT_ECONOMICS} as agents where agents.month = ? and {where.sql}"
        " order by agents.ai_cost_usd desc, agents.agent",
        [month, *where.parameters],
    )
    return _floats(frame, "ai_cost_usd", "cost_per_task", "cost_per_run")


# fct_traces column of each call role's cost, in the order the chart stacks them.
ROLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("primary", "primary_cost_usd"),
    ("router", "router_cost_usd"),
    ("evaluator", "evaluator_cost_usd"),
    ("guardrail", "guardrail_cost_usd"),
    ("embedding, rerank, tool", "other_cost_usd"),
)


def cost_per_interaction_by_role(rows: Slice, month: date) -> pd.DataFrame:
    """Per feature: product interactions (traces) of the month and the usage cost each call role
    adds per interaction: product usage (fct_traces.is_product_usage), usage cost without the
    shared pools, which are not per call."""
    require(TRACES)
    where = slice_where(TRACES_REL, "traces", rows, period=False)
    role_sums = ", ".join(f"sum(traces.{column}) / count(*) as {column}" for _, column in ROLE_COLUMNS)
    frame = fetch(
        f"""
        select traces.feature, count(*) as interactions, sum(traces.cost_usd) / count(*) as cost_per_interaction,
               {role_sums}, sum(traces.overhead_cost_usd) / nullif(sum(traces.cost_usd), 0) as overhead_share
        from {TRACES} as traces
        where traces.trace_month = ? and traces.is_product_usage and {where.sql}
        group by traces.feature
        order by cost_per_interaction desc
        """,
        [month, *where.parameters],
    )
    return _floats(frame, "cost_per_interaction", "overhead_share", *[column for _, column in ROLE_COLUMNS])


def model_mix(rows: Slice, month: date) -> pd.DataFrame:
    """Model x month on product usage: cost, shares, and the routing opportunity (company-wide)."""
    require(MODEL_MIX)
    where = slice_where(MODEL_MIX_REL, "mix", rows, period=False)
    frame = fetch(
        f"select mix.* from {MODEL_MIX} as mix where mix.month = ? and {where.sql}"
        " order by mix.ai_cost_usd desc, mix.provider, mix.model",
        [month, *where.parameters],
    )
    return _floats(
        frame,
        "ai_cost_usd",
        "routing_opportunity_usd",
        "cost_at_list_usd",
        "cost_on_cheapest_model_usd",
        "avg_cost_per_call",
        "share_of_spend",
        "share_of_requests",
    )


# --- Budgets and anomalies ---------------------------------------------------------------------------


def budget_months() -> list[date]:
    require(BUDGETS)
    frame = fetch(f"select distinct budget_month from {BUDGETS} order by budget_month")
    return [pd.Timestamp(value).date() for value in frame["budget_month"]]


def budgets(rows: Slice, month: date) -> pd.DataFrame:
    """Every budget of the month the slice reaches: budget, actual, forecast, status."""
    require(BUDGETS)
    where = _scope_typed_where(rows, "budgets.scope_type", "budgets.scope_value", budget_scope_columns())
    frame = fetch(
        f"select budgets.* from {BUDGETS} as budgets where budgets.budget_month = ? and {where.sql}"
        " order by budgets.scope_type, budgets.scope_value",
        [month, *where.parameters],
    )
    return _floats(
        _dates(frame, "budget_month", "as_of_date"),
        "budget_usd",
        "actual_usd",
        "forecast_usd",
        "pct_of_budget",
        "forecast_pct_of_budget",
    )


def _anomaly_scopes() -> dict[str, str]:
    frame = dimensions()
    columns = frame.loc[frame["is_anomaly_dimension"].astype(bool), "dimension"]
    return {column: column for column in columns}


def anomalies(rows: Slice) -> pd.DataFrame:
    """Every flagged day of the period the slice reaches, the newest and highest score first."""
    require(ANOMALIES)
    where = _scope_typed_where(rows, "anomalies.dimension", "anomalies.dimension_value", _anomaly_scopes())
    frame = fetch(
        f"""
        select anomalies.* from {ANOMALIES} as anomalies
        where anomalies.is_anomaly and anomalies.cost_date between ? and ? and {where.sql}
        order by anomalies.cost_date desc, anomalies.score desc, anomalies.dimension, anomalies.dimension_value
        """,
        [rows.start, rows.end, *where.parameters],
    )
    return _floats(_dates(frame, "cost_date"), "cost_usd", "expected_usd", "excess_usd", "score")


def anomaly_series(rows: Slice, dimension: str, value: str) -> pd.DataFrame:
    """Every day of one series: cost, expected cost and its band, score, flag."""
    require(ANOMALIES)
    where = _scope_typed_where(rows.scope_only(), "anomalies.dimension", "anomalies.dimension_value", _anomaly_scopes())
    frame = fetch(
        f"""
        select anomalies.* from {ANOMALIES} as anomalies
        where anomalies.dimension = ? and anomalies.dimension_value = ? and {where.sql}
        order by anomalies.cost_date
        """,
        [dimension, value, *where.parameters],
    )
    return _floats(
        _dates(frame, "cost_date"),
        "cost_usd",
        "expected_usd",
        "expected_low_usd",
        "expected_high_usd",
        "excess_usd",
        "score",
    )


# --- Allocation and reconciliation -----------------------------------------------------------------

LEDGER_STEPS: tuple[tuple[str, str], ...] = (
    ("usage", "List price"),
    ("negotiated_discount", "Negotiated discounts"),
    ("cache_pooling", "Cache pooling"),
    ("untracked_usage", "Untracked usage (provider reports)"),
    ("shared_cost", "Shared pools"),
    ("invoice_adjustment", "Invoice difference"),
)


def ledger_months() -> list[date]:
    require(LEDGER)
    frame = fetch(f"select distinct ledger_month from {LEDGER} order by ledger_month")
    return [pd.Timestamp(value).date() for value in frame["ledger_month"]]


def ledger_by_cost_type(rows: Slice) -> pd.DataFrame:
    """cost_type, amount_usd, unallocated_usd over the months of the slice."""
    where = slice_where(LEDGER_REL, "ledger", rows)
    frame = fetch(
        f"""
        select ledger.cost_type, sum(ledger.amount_usd) as amount_usd,
               coalesce(sum(ledger.amount_usd) filter (where not ledger.is_allocated), 0) as unallocated_usd
        from {LEDGER} as ledger where {where.sql}
        group by ledger.cost_type
        """,
        where.parameters,
    )
    return _floats(frame, "amount_usd", "unallocated_usd")


def shared_pools(rows: Slice) -> pd.DataFrame:
    """cost_pool, amount_usd, allocated_usd, unallocated_usd over the months of the slice."""
    where = slice_where(LEDGER_REL, "ledger", rows)
    frame = fetch(
        f"""
        select ledger.cost_pool, sum(ledger.amount_usd) as amount_usd,
               coalesce(sum(ledger.amount_usd) filter (where ledger.is_allocated), 0) as allocated_usd,
               coalesce(sum(ledger.amount_usd) filter (where not ledger.is_allocated), 0) as unallocated_usd
        from {LEDGER} as ledger where ledger.cost_type = 'shared_cost' and {where.sql}
        group by ledger.cost_pool order by amount_usd desc, ledger.cost_pool
        """,
        where.parameters,
    )
    return _floats(frame, "amount_usd", "allocated_usd", "unallocated_usd")


def shared_pool_split(rows: Slice, by: str) -> pd.DataFrame:
    """cost_pool, value, amount_usd: how each shared pool was split over one ledger column; the
    part nobody could carry is `not allocated`."""
    if by not in dimension_columns():
        raise ValueError(f"not a ledger column: {by}")
    where = slice_where(LEDGER_REL, "ledger", rows)
    frame = fetch(
        f"""
        select ledger.cost_pool,
               case when ledger.is_allocated then cast(ledger.{by} as varchar) else 'not allocated' end as value,
               sum(ledger.amount_usd) as amount_usd
        from {LEDGER} as ledger where ledger.cost_type = 'shared_cost' and {where.sql}
        group by all order by 1, 3 desc
        """,
        where.parameters,
    )
    return _floats(frame, "amount_usd")


def invoice_reconciliation(rows: Slice) -> pd.DataFrame:
    """Provider x month with an invoice, in the months of the slice (company-wide)."""
    require(RECONCILIATION)
    where = slice_where(RECONCILIATION_REL, "invoices", rows)
    frame = fetch(
        f"select invoices.* from {RECONCILIATION} as invoices where {where.sql}"
        " order by invoices.invoice_month, invoices.provider",
        where.parameters,
    )
    return _floats(_dates(frame, "invoice_month"), "computed_usd", "invoiced_usd", "difference_usd", "difference_pct")


# --- Coverage ----------------------------------------------------------------------------------------


def attribution_coverage(rows: Slice, month: date) -> pd.DataFrame:
    """dimension, scope, coverage_share, coverage_status...: how much of the month's usage cost
    carries a real value of each dimension (company-wide)."""
    require(COVERAGE)
    where = slice_where(COVERAGE_REL, "coverage", rows, period=False)
    return fetch(
        f"select coverage.* from {COVERAGE} as coverage where coverage.coverage_month = ? and {where.sql}"
        " order by coverage.coverage_share, coverage.dimension",
        [month, *where.parameters],
    )


# --- Calls and traces ----------------------------------------------------------------------------------


def call_totals(rows: Slice) -> dict:
    """calls, usage_cost_usd, list_cost_usd, traces of the slice (usage basis)."""
    where = slice_where(CALLS_REL, "calls", rows)
    frame = fetch(
        f"""
        select count(*) as calls, coalesce(sum(calls.pooled_cost_usd), 0) as usage_cost_usd,
               coalesce(sum(calls.list_cost_usd), 0) as list_cost_usd, count(distinct calls.trace_id) as traces
        from {CALLS} as calls where {where.sql}
        """,
        where.parameters,
    )
    return frame.iloc[0].to_dict()


def traces(rows: Slice, limit: int = 200) -> pd.DataFrame:
    """The costliest traces that started in the period, with their dimensions and cost by role."""
    where = slice_where(TRACES_REL, "traces", rows)
    frame = fetch(
        f"""
        select traces.* from {TRACES} as traces where {where.sql}
        order by traces.cost_usd desc, traces.trace_id limit {int(limit)}
        """,
        where.parameters,
    )
    return _floats(frame, "cost_usd", "list_cost_usd", "overhead_cost_usd")


def trace(rows: Slice, trace_id: str) -> dict | None:
    """One trace the viewer may see."""
    where = slice_where(TRACES_REL, "traces", rows.scope_only(), period=False)
    frame = fetch(
        f"select traces.* from {TRACES} as traces where traces.trace_id = ? and {where.sql}",
        [trace_id, *where.parameters],
    )
    return frame.iloc[0].to_dict() if not frame.empty else None


def trace_calls(rows: Slice, trace_id: str) -> pd.DataFrame:
    """The calls of one trace, in the order they were made."""
    where = slice_where(CALLS_REL, "calls", rows.scope_only(), period=False)
    frame = fetch(
        f"""
        select calls.request_id, calls.parent_request_id, calls.occurred_at, calls.call_role, calls.provider,
               calls.model, calls.input_tokens, calls.output_tokens, calls.cache_read_tokens, calls.latency_ms,
               calls.status, calls.pooled_cost_usd, calls.list_cost_usd
        from {CALLS} as calls where calls.trace_id = ? and {where.sql}
        order by calls.occurred_at, calls.request_id
        """,
        [trace_id, *where.parameters],
    )
    return _floats(frame, "pooled_cost_usd", "list_cost_usd")


def call(rows: Slice, request_id: str) -> dict | None:
    """Every column of one call the viewer may see (its price row and resolved dimensions)."""
    where = slice_where(CALLS_REL, "calls", rows.scope_only(), period=False)
    frame = fetch(
        f"select calls.* from {CALLS} as calls where calls.request_id = ? and {where.sql}",
        [request_id, *where.parameters],
    )
    return frame.iloc[0].to_dict() if not frame.empty else None


def call_dimension_sources(rows: Slice, request_id: str) -> pd.DataFrame:
    """How each dimension of one call was resolved (app_call_dimension_sources)."""
    require(CALL_SOURCES)
    if call(rows, request_id) is None:  # the grants are the call's: no call, no explanation
        return pd.DataFrame()
    return fetch(f"select * from {CALL_SOURCES} where request_id = ? order by dimension_order", [request_id])
