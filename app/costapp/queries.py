"""Every query the app runs, in one place.

Rules kept here so no page has to think about them:
- only marts are read (`marts.*`); the one exception is the customer → plan tier lookup, which
  falls back to the staging customers view until a customer dimension mart exists;
- user input never becomes SQL text: a chosen dimension, grain or metric selects one of the
  constant SQL fragments below (a whitelist), and every value (a date, a filter value) is a bound
  parameter;
- each query returns a small pandas DataFrame; money stays in USD as floats for display (the
  marts hold exact decimals; tests compare at the cent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from costapp.warehouse import fetch, has, require

CALLS = "marts.fct_llm_calls"
LEDGER = "marts.fct_cost_ledger"
TRACES = "marts.fct_traces"
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
# The anomaly band is expected ± threshold × scale; dbt's var('anomaly_threshold') default, used
# until the anomalies mart carries its own band.
ANOMALY_THRESHOLD = 3.5
MAD_TO_SIGMA = 1.4826
# Where a customer's plan tier is read, best first.
CUSTOMER_SOURCES = ("marts.dim_customers", "staging.stg_raw__customers")

# AI COGS / revenue bands, the same bounds as the marts' `cogs_band` (macro aicost_cogs_band):
# name, lower bound (inclusive), upper bound, colour. Only "attribution gaps" includes its upper
# bound (exactly 40 % is still a gap, not out of control), as in the macro.
COGS_BANDS: tuple[tuple[str, float, float, str], ...] = (
    ("under 3 %", 0.0, 0.03, "#9db4cf"),
    ("disciplined", 0.03, 0.08, "#4c9a6a"),
    ("typical", 0.08, 0.20, "#a3c46b"),
    ("attribution gaps", 0.20, 0.40, "#e0a43a"),
    ("out of control", 0.40, float("inf"), "#c8553d"),
)


def cogs_band(ratio: float | None) -> str:
    """The band of an AI COGS / revenue ratio, as the marts' `cogs_band` names it (spaced)."""
    if ratio is None or pd.isna(ratio):
        return "no revenue"
    if ratio < 0.03:
        return "under 3 %"
    if ratio < 0.08:
        return "disciplined"
    if ratio < 0.20:
        return "typical"
    if ratio <= 0.40:
        return "attribution gaps"
    return "out of control"


# --- dimensions, grains, metrics (the whitelist) --------------------------------------------


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    sql: str  # a column of fct_llm_calls, or of the tiers lookup


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("feature", "Feature", "calls.feature"),
    Dimension("team", "Team", "calls.team"),
    Dimension("customer_id", "Customer", "calls.customer_id"),
    Dimension("plan_tier", "Plan tier", "coalesce(tiers.plan_tier, 'unattributed')"),
    Dimension("agent", "Agent", "calls.agent"),
    Dimension("model", "Model", "calls.model"),
    Dimension("provider", "Provider", "calls.provider"),
    Dimension("environment", "Environment", "calls.environment"),
    Dimension("region", "Region", "calls.region"),
    Dimension("product", "Product", "calls.product"),
    Dimension("usage_type", "Usage type", "calls.usage_type"),
)
DIMENSION_BY_KEY = {dimension.key: dimension for dimension in DIMENSIONS}

GRAINS: Mapping[str, str] = {
    "Day": "calls.usage_date",
    "Week": "cast(date_trunc('week', calls.usage_date) as date)",
    "Month": "calls.usage_month",
}


@dataclass(frozen=True)
class Metric:
    label: str
    sql: str
    is_money: bool


METRICS: tuple[Metric, ...] = (
    Metric("Cost (after discounts and cache pooling)", "sum(calls.pooled_cost_usd)", True),
    Metric("List cost", "sum(calls.list_cost_usd)", True),
    Metric("Cache savings", "sum(calls.cache_savings_usd)", True),
    Metric("Calls", "count(*)", False),
    Metric("Tokens (input + output)", "sum(calls.input_tokens + calls.output_tokens)", False),
)
METRIC_BY_LABEL = {metric.label: metric for metric in METRICS}


def _customer_source() -> str:
    for relation in CUSTOMER_SOURCES:
        if has(relation):
            return relation
    return ""


def _tiers_join(needed: bool) -> str:
    """The plan tier lookup joined to the calls, only when a query groups or filters by it."""
    if not needed:
        return ""
    source = _customer_source()
    if not source:
        # No customer list at all: every call's tier is unattributed.
        return "left join (select null::varchar as customer_id, null::varchar as plan_tier) as tiers on false"
    return (
        "left join (select customer_id, max(plan_tier) as plan_tier from "
        f"{source} group by customer_id) as tiers on tiers.customer_id = calls.customer_id"
    )


# --- the span of the data ------------------------------------------------------------------


@dataclass(frozen=True)
class DataSpan:
    """First and last day with calls; the last day is the app's "today"."""

    first_day: date
    last_day: date

    @property
    def current_month(self) -> date:
        return self.last_day.replace(day=1)

    @property
    def previous_month(self) -> date:
        month = self.current_month
        if month.month == 1:
            return month.replace(year=month.year - 1, month=12)
        return month.replace(month=month.month - 1)

    @property
    def days_elapsed(self) -> int:
        return self.last_day.day

    @property
    def days_in_month(self) -> int:
        return pd.Timestamp(self.current_month).days_in_month


def data_span() -> DataSpan | None:
    """The first and last usage day (None when no call is priced)."""
    require()
    frame = fetch(f"select min(usage_date) as first_day, max(usage_date) as last_day from {CALLS}")
    first, last = frame.iloc[0]["first_day"], frame.iloc[0]["last_day"]
    if pd.isna(last):
        return None
    return DataSpan(pd.Timestamp(first).date(), pd.Timestamp(last).date())


# --- Overview -------------------------------------------------------------------------------


def uses_ledger() -> bool:
    """Totals come from the ledger (usage + shared pools + invoice differences) once it is built."""
    return has(LEDGER)


def monthly_totals() -> pd.DataFrame:
    """month, cost_usd: the fully loaded monthly cost (ledger), else billed usage (calls)."""
    if uses_ledger():
        sql = f"""
            select ledger_month as month, sum(amount_usd) as cost_usd
            from {LEDGER} group by ledger_month order by ledger_month
        """
    else:
        sql = f"""
            select usage_month as month, sum(pooled_cost_usd) as cost_usd
            from {CALLS} group by usage_month order by usage_month
        """
    frame = fetch(sql)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def daily_cost_by_feature(since: date) -> pd.DataFrame:
    """usage_date, feature, cost_usd: billed usage per day and feature from `since`."""
    return fetch(
        f"""
        select usage_date, feature, sum(pooled_cost_usd) as cost_usd
        from {CALLS}
        where usage_date >= ?
        group by usage_date, feature
        order by usage_date, feature
        """,
        [since],
    )


def monthly_cogs() -> pd.DataFrame:
    """month, ai_cost_usd, revenue_usd, ai_cogs_ratio: product AI COGS against revenue."""
    require(CUSTOMER_ECONOMICS)
    return fetch(
        f"""
        select month, sum(ai_cost_usd) as ai_cost_usd, sum(revenue_usd) as revenue_usd,
               sum(ai_cost_usd) / nullif(sum(revenue_usd), 0) as ai_cogs_ratio
        from {CUSTOMER_ECONOMICS}
        group by month order by month
        """
    )


def attribution_coverage(month: date) -> pd.DataFrame:
    """dimension, scope, coverage_share, coverage_status...: how much of the month's usage cost
    carries a real value of each dimension."""
    require(COVERAGE)
    return fetch(
        f"select * from {COVERAGE} where coverage_month = ? order by coverage_share, dimension, scope", [month]
    )


def budget_alerts(month: date) -> pd.DataFrame:
    """The month's budgets at warning or over, the worst first."""
    require(BUDGETS)
    return fetch(
        f"""
        select * from {BUDGETS}
        where budget_month = ? and status in ('warning', 'over')
        order by case status when 'over' then 0 else 1 end, pct_of_budget desc, scope_type, scope_value
        """,
        [month],
    )


def recent_anomalies(since: date) -> pd.DataFrame:
    """Anomalous days from `since` on, the newest and highest score first."""
    require(ANOMALIES)
    return fetch(
        f"""
        select * from {ANOMALIES}
        where is_anomaly and cost_date >= ?
        order by cost_date desc, score desc, dimension, dimension_value
        """,
        [since],
    )


# --- Explore --------------------------------------------------------------------------------


def dimension_values() -> dict[str, list[str]]:
    """The distinct values of every dimension, for the filter boxes (one query for all)."""
    branches = " union all ".join(
        f"select distinct '{dimension.key}' as dimension, {dimension.sql} as value "
        f"from {CALLS} as calls {_tiers_join(dimension.key == 'plan_tier')}"
        for dimension in DIMENSIONS
    )
    frame = fetch(f"select dimension, value from ({branches}) as all_values order by dimension, value")
    values: dict[str, list[str]] = {dimension.key: [] for dimension in DIMENSIONS}
    for dimension, value in zip(frame["dimension"], frame["value"], strict=True):
        values[dimension].append(str(value))
    return values


def explore(
    *,
    dimension_key: str,
    grain: str,
    metric_label: str,
    start: date,
    end: date,
    filters: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """period, value, amount: one metric by one dimension and time grain, filtered on others.

    The dimension, grain and metric pick whitelisted SQL; dates and filter values are bound."""
    dimension = DIMENSION_BY_KEY[dimension_key]
    period_sql = GRAINS[grain]
    metric = METRIC_BY_LABEL[metric_label]
    active = {key: list(values) for key, values in filters.items() if values}
    conditions = ["calls.usage_date between ? and ?"]
    parameters: list[object] = [start, end]
    for key, values in active.items():
        conditions.append(f"list_contains(?::varchar[], {DIMENSION_BY_KEY[key].sql})")
        parameters.append(values)
    needs_tiers = dimension_key == "plan_tier" or "plan_tier" in active
    frame = fetch(
        f"""
        select {period_sql} as period, {dimension.sql} as value, {metric.sql} as amount
        from {CALLS} as calls {_tiers_join(needs_tiers)}
        where {" and ".join(conditions)}
        group by all
        order by period, value
        """,
        parameters,
    )
    frame["amount"] = frame["amount"].astype(float)
    return frame


# --- Customers ------------------------------------------------------------------------------


def customer_months() -> list[date]:
    require(CUSTOMER_ECONOMICS)
    frame = fetch(f"select distinct month from {CUSTOMER_ECONOMICS} order by month")
    return [pd.Timestamp(value).date() for value in frame["month"]]


def customer_economics(month: date) -> pd.DataFrame:
    """One row per customer for the month (product usage, fully loaded cost), largest cost first."""
    require(CUSTOMER_ECONOMICS)
    return fetch(
        f"""
        select * from {CUSTOMER_ECONOMICS}
        where month = ?
        order by ai_cost_usd desc, customer_id
        """,
        [month],
    )


def tier_economics(month: date) -> pd.DataFrame:
    """One row per plan tier for the month."""
    require(TIER_ECONOMICS)
    return fetch(f"select * from {TIER_ECONOMICS} where month = ? order by ai_cost_usd desc, plan_tier", [month])


# --- Features and agents --------------------------------------------------------------------


def usage_months() -> list[date]:
    frame = fetch(f"select distinct usage_month from {CALLS} order by usage_month")
    return [pd.Timestamp(value).date() for value in frame["usage_month"]]


def feature_economics(month: date) -> pd.DataFrame:
    """Feature × month unit economics (product usage, fully loaded), largest cost first."""
    require(FEATURE_ECONOMICS)
    return fetch(f"select * from {FEATURE_ECONOMICS} where month = ? order by ai_cost_usd desc, feature", [month])


def outcome_economics(month: date) -> pd.DataFrame:
    """Feature × outcome type: outcomes and cost per outcome (cost per resolved ticket...)."""
    require(OUTCOME_ECONOMICS)
    return fetch(f"select * from {OUTCOME_ECONOMICS} where month = ? order by feature, outcome_type", [month])


def agent_economics(month: date) -> pd.DataFrame:
    """Agent × month: cost, runs, tasks, cost per task."""
    require(AGENT_ECONOMICS)
    return fetch(f"select * from {AGENT_ECONOMICS} where month = ? order by ai_cost_usd desc, agent", [month])


# fct_traces column of each call role's cost, in the order the chart stacks them.
ROLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("primary", "primary_cost_usd"),
    ("router", "router_cost_usd"),
    ("evaluator", "evaluator_cost_usd"),
    ("guardrail", "guardrail_cost_usd"),
    ("embedding, rerank, tool", "other_cost_usd"),
)


def cost_per_interaction_by_role(month: date) -> pd.DataFrame:
    """feature, interactions, usage cost per interaction, and what each call role adds to it.

    Product usage only (prod, external), as in the unit-economics marts; usage cost (after
    discounts and pooling) without shared pools, which are not per call."""
    require(TRACES)
    role_sums = ", ".join(f"sum({column}) / count(*) as {column}" for _, column in ROLE_COLUMNS)
    return fetch(
        f"""
        select feature, count(*) as interactions, sum(cost_usd) / count(*) as cost_per_interaction,
               {role_sums},
               sum(overhead_cost_usd) / nullif(sum(cost_usd), 0) as overhead_share
        from {TRACES}
        where trace_month = ? and environment = 'prod' and usage_type = 'external'
        group by feature
        order by cost_per_interaction desc, feature
        """,
        [month],
    )


def model_mix(month: date) -> pd.DataFrame:
    """Model × month on product usage: cost, shares, and the routing opportunity."""
    require(MODEL_MIX)
    return fetch(f"select * from {MODEL_MIX} where month = ? order by ai_cost_usd desc, provider, model", [month])


# --- Budgets and anomalies ------------------------------------------------------------------


def budget_months() -> list[date]:
    require(BUDGETS)
    frame = fetch(f"select distinct budget_month from {BUDGETS} order by budget_month")
    return [pd.Timestamp(value).date() for value in frame["budget_month"]]


def budgets(month: date) -> pd.DataFrame:
    """Every budget of the month: budget, actual, forecast, status."""
    require(BUDGETS)
    return fetch(
        f"select * from {BUDGETS} where budget_month = ? order by scope_type, scope_value",
        [month],
    )


def anomalies() -> pd.DataFrame:
    """Every flagged day, the newest first."""
    require(ANOMALIES)
    return fetch(
        f"""
        select * from {ANOMALIES}
        where is_anomaly
        order by cost_date desc, score desc, dimension, dimension_value
        """
    )


def anomaly_series(dimension: str, dimension_value: str) -> pd.DataFrame:
    """Every day of one dimension value: cost, expected cost, score, flag."""
    require(ANOMALIES)
    return fetch(
        f"""
        select * from {ANOMALIES}
        where dimension = ? and dimension_value = ?
        order by cost_date
        """,
        [dimension, dimension_value],
    )


# --- Allocation and reconciliation ----------------------------------------------------------

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


def ledger_by_cost_type(month: date | None) -> pd.DataFrame:
    """cost_type, amount_usd, unallocated_usd for one month (all months when None)."""
    require(LEDGER)
    return fetch(
        f"""
        select cost_type, sum(amount_usd) as amount_usd,
               coalesce(sum(amount_usd) filter (where not is_allocated), 0) as unallocated_usd
        from {LEDGER}
        where ? is null or ledger_month = ?
        group by cost_type
        """,
        [month, month],
    )


def shared_pools(month: date | None) -> pd.DataFrame:
    """cost_pool, ledger_month, amount_usd, allocated_usd, unallocated_usd."""
    require(LEDGER)
    return fetch(
        f"""
        select cost_pool, ledger_month,
               sum(amount_usd) as amount_usd,
               coalesce(sum(amount_usd) filter (where is_allocated), 0) as allocated_usd,
               coalesce(sum(amount_usd) filter (where not is_allocated), 0) as unallocated_usd
        from {LEDGER}
        where cost_type = 'shared_cost' and (? is null or ledger_month = ?)
        group by cost_pool, ledger_month
        order by ledger_month, cost_pool
        """,
        [month, month],
    )


def shared_pool_split(month: date | None, dimension_key: str) -> pd.DataFrame:
    """cost_pool, value, amount_usd: how each shared pool was split over one ledger dimension."""
    if dimension_key not in LEDGER_DIMENSIONS:
        raise ValueError(f"not a ledger dimension: {dimension_key}")
    require(LEDGER)
    return fetch(
        f"""
        select cost_pool,
               case when is_allocated then {dimension_key} else 'unallocated' end as value,
               sum(amount_usd) as amount_usd
        from {LEDGER}
        where cost_type = 'shared_cost' and (? is null or ledger_month = ?)
        group by all
        order by cost_pool, amount_usd desc
        """,
        [month, month],
    )


LEDGER_DIMENSIONS = ("customer_id", "feature", "team", "agent", "environment", "product", "model")


def invoice_reconciliation() -> pd.DataFrame:
    require(RECONCILIATION)
    return fetch(f"select * from {RECONCILIATION} order by invoice_month, provider")
