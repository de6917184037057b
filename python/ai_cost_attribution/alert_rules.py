"""Which rows of the built marts are alerts, and what makes an alert the same one twice.

Sources of truth: `marts.mart_budget_vs_actual` and `marts.mart_cost_anomalies` (plus customer
names from `marts.dim_customers` when it is built). The warehouse is opened read-only, read in
one go and closed, so a build is never locked out for longer than a query (DuckDB refuses a
writer while any other process holds the file).

**Budgets.** One budget (scope type, scope value, month) is at one level of a ladder, from the
status of its month-to-date actual and, for the as-of month only, of its month-end forecast:

    over              the actual is over the budget
    forecast_over     the forecast is over the budget, the actual not yet
    warning           the actual is over the warning line (then the forecast is too)
    forecast_warning  the forecast is over the warning line, the actual not yet

(a forecast is never below its actual; a closed month's forecast is its actual, so only the
as-of month has forecast levels). An alert is `budget:<scope type>:<scope value>:<month>:<level>`:
a budget that climbs the ladder raises a new alert at each higher level, the same level again or a
lower one is not news.

**Anomalies.** One alert per flagged day and series: `anomaly:<day>:<dimension>:<value>`."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import duckdb

BUDGETS = "marts.mart_budget_vs_actual"
ANOMALIES = "marts.mart_cost_anomalies"
CUSTOMERS = "marts.dim_customers"

# Lowest to highest: a budget alert is new when its level is above every level already raised.
BUDGET_LEVELS = ("forecast_warning", "warning", "forecast_over", "over")
ANOMALY_LEVEL = "spike"

# The budget scope type and the anomaly dimension that name a customer (var('budget_scopes') maps
# the scope type `customer` to the ledger column `customer_id`): their messages carry its name.
CUSTOMER_SCOPE_TYPE = "customer"
CUSTOMER_DIMENSION = "customer_id"

BUILD_HINT = "build one with `aicost demo` (the demo company) or `aicost build --raw-path /your/folder`"


class AlertSourceError(RuntimeError):
    """The warehouse cannot give the alerts: the message says why and what to do."""


def budget_level(status: str, forecast_status: str, month_state: str) -> str | None:
    """The budget's rung on BUDGET_LEVELS, or None when it is within its warning line."""
    forecast = forecast_status if month_state == "current" else "ok"
    if status == "over":
        return "over"
    if forecast == "over":
        return "forecast_over"
    if status == "warning":
        return "warning"
    if forecast == "warning":
        return "forecast_warning"
    return None


def _id_part(value: object) -> str:
    # Percent-encoded so that a ':' inside a value cannot make two alerts share an id.
    return quote(str(value), safe="")


def money_text(amount: Decimal) -> str:
    """An exact amount as a decimal string, at least to the cent: `100.00`, `147.339337`."""
    text = format(amount.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


@dataclass(frozen=True)
class BudgetAlert:
    """A budget of one scope and month at a level of BUDGET_LEVELS."""

    kind: ClassVar[str] = "budget"

    scope_type: str
    scope_value: str
    month: date
    level: str
    month_state: str
    budget_usd: Decimal
    actual_usd: Decimal
    forecast_usd: Decimal
    warn_at_pct: Decimal
    pct_of_budget: float | None
    forecast_pct_of_budget: float | None
    status: str
    forecast_status: str
    cost_basis: str
    days_elapsed: int
    days_in_month: int
    as_of_date: date
    customer_name: str | None = None

    @property
    def subject(self) -> tuple[str, str, str]:
        """The budget itself (scope type, scope value, month), whatever its level."""
        return (self.scope_type, self.scope_value, self.month.isoformat())

    @property
    def alert_id(self) -> str:
        parts = (self.kind, self.scope_type, self.scope_value, self.month.isoformat(), self.level)
        return ":".join(_id_part(part) for part in parts)


@dataclass(frozen=True)
class AnomalyAlert:
    """One flagged day of one dimension value's daily cost."""

    kind: ClassVar[str] = "anomaly"

    cost_date: date
    dimension: str
    dimension_value: str
    cost_usd: Decimal
    expected_usd: Decimal
    excess_usd: Decimal
    score: float
    calls: int
    history_days: int
    as_of_date: date
    customer_name: str | None = None

    @property
    def level(self) -> str:
        return ANOMALY_LEVEL

    @property
    def alert_id(self) -> str:
        parts = (self.kind, self.cost_date.isoformat(), self.dimension, self.dimension_value)
        return ":".join(_id_part(part) for part in parts)


Alert = BudgetAlert | AnomalyAlert
ALERT_KINDS: dict[str, type[BudgetAlert] | type[AnomalyAlert]] = {"budget": BudgetAlert, "anomaly": AnomalyAlert}


def alert_record(alert: Alert) -> dict[str, Any]:
    """The alert's figures as JSON values: money as exact decimal strings, days as ISO dates."""
    record: dict[str, Any] = {}
    for field in dataclasses.fields(alert):
        value = getattr(alert, field.name)
        if isinstance(value, Decimal):
            value = money_text(value)
        elif isinstance(value, date):
            value = value.isoformat()
        record[field.name] = value
    return record


def alert_from_record(kind: str, record: dict[str, Any]) -> Alert:
    """The inverse of `alert_record` for an alert of a kind of ALERT_KINDS (read back from a state file)."""
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    cls = ALERT_KINDS[kind]
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        value = record.get(field.name)
        hint = hints[field.name]
        choices = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        if value is not None and Decimal in choices:
            value = Decimal(str(value))
        elif value is not None and date in choices:
            value = date.fromisoformat(value)
        values[field.name] = value
    return cls(**values)


BUDGET_SQL = f"""
select scope_type, scope_value, budget_month, status, forecast_status, month_state, budget_usd,
       actual_usd, forecast_usd, warn_at_pct, pct_of_budget, forecast_pct_of_budget, cost_basis,
       days_elapsed, days_in_month, as_of_date
from {BUDGETS}
where cast(? as date) is null or budget_month >= date_trunc('month', cast(? as date))
order by budget_month, scope_type, scope_value
"""

ANOMALY_SQL = f"""
select anomalies.cost_date, anomalies.dimension, anomalies.dimension_value, anomalies.cost_usd,
       anomalies.expected_usd, anomalies.excess_usd, anomalies.score, anomalies.calls,
       anomalies.history_days, as_of.as_of_date
from {ANOMALIES} as anomalies
-- the series run to the as-of day, so the last day scored is the as-of day
cross join (select max(cost_date) as as_of_date from {ANOMALIES}) as as_of
where anomalies.is_anomaly
  and (cast(? as date) is null or anomalies.cost_date >= cast(? as date))
order by anomalies.cost_date, anomalies.dimension, anomalies.dimension_value
"""

RELATIONS_SQL = """
select table_schema || '.' || table_name from information_schema.tables
where table_schema = 'marts'
"""


@dataclass(frozen=True)
class WarehouseAlerts:
    """Every alert the warehouse raises now, budgets first, each list in a stable order."""

    budgets: list[BudgetAlert]
    anomalies: list[AnomalyAlert]

    @property
    def all(self) -> list[Alert]:
        return [*self.budgets, *self.anomalies]


def _connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not db_path.exists():
        raise AlertSourceError(f"No warehouse at {db_path}: {BUILD_HINT}.")
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise AlertSourceError(
                f"{db_path} is held by a process writing it (a `dbt build` into the live file?): run "
                "`aicost alerts` after the build, or build with `aicost build`, which never holds the live file."
            ) from error
        raise AlertSourceError(f"{db_path} is not a readable DuckDB warehouse ({error}): {BUILD_HINT}.") from error


def _customer_names(connection: duckdb.DuckDBPyConnection, built: set[str], ids: set[str]) -> dict[str, str]:
    if CUSTOMERS not in built or not ids:
        return {}
    rows = connection.execute(
        f"select customer_id, customer_name from {CUSTOMERS} where customer_name is not null"
        f" and customer_id in (select unnest(?))",
        [sorted(ids)],
    ).fetchall()
    return {str(customer_id): str(name) for customer_id, name in rows}


def read_alerts(db_path: Path, *, since: date | None = None) -> WarehouseAlerts:
    """The budgets above a rung of BUDGET_LEVELS and the flagged days, read once from the marts.

    `since` leaves out budgets of earlier months and anomalies of earlier days."""
    connection = _connect(db_path)
    try:
        built = {row[0] for row in connection.execute(RELATIONS_SQL).fetchall()}
        missing = [name for name in (BUDGETS, ANOMALIES) if name not in built]
        if not built:
            raise AlertSourceError(f"The warehouse at {db_path} holds no built marts yet: {BUILD_HINT}.")
        if missing:
            raise AlertSourceError(
                f"The warehouse at {db_path} lacks {' and '.join(missing)}: rebuild it with this version of the "
                "project (`aicost build`, or `dbt build`) to add it."
            )
        try:
            budget_rows = connection.execute(BUDGET_SQL, [since, since]).fetchall()
            anomaly_rows = connection.execute(ANOMALY_SQL, [since, since]).fetchall()
        except duckdb.BinderException as error:
            raise AlertSourceError(
                f"A mart of {db_path} was built by an older version of the models ({str(error).splitlines()[0]}): "
                "rebuild the warehouse."
            ) from error
        customer_ids = {row[1] for row in budget_rows if row[0] == CUSTOMER_SCOPE_TYPE} | {
            row[2] for row in anomaly_rows if row[1] == CUSTOMER_DIMENSION
        }
        names = _customer_names(connection, built, customer_ids)
    finally:
        connection.close()

    budgets = []
    for scope_type, scope_value, month, status, forecast_status, month_state, *figures in budget_rows:
        level = budget_level(status, forecast_status, month_state)
        if level is None:
            continue
        budget_usd, actual_usd, forecast_usd, warn_at_pct, pct, forecast_pct, basis, elapsed, days, as_of = figures
        budgets.append(
            BudgetAlert(
                scope_type=scope_type,
                scope_value=scope_value,
                month=month,
                level=level,
                month_state=month_state,
                budget_usd=budget_usd,
                actual_usd=actual_usd,
                forecast_usd=forecast_usd,
                warn_at_pct=warn_at_pct,
                pct_of_budget=pct,
                forecast_pct_of_budget=forecast_pct,
                status=status,
                forecast_status=forecast_status,
                cost_basis=basis,
                days_elapsed=elapsed,
                days_in_month=days,
                as_of_date=as_of,
                customer_name=names.get(scope_value) if scope_type == CUSTOMER_SCOPE_TYPE else None,
            )
        )
    anomalies = [
        AnomalyAlert(
            cost_date=cost_date,
            dimension=dimension,
            dimension_value=value,
            cost_usd=cost_usd,
            expected_usd=expected_usd,
            excess_usd=excess_usd,
            score=score,
            calls=calls,
            history_days=history_days,
            as_of_date=as_of,
            customer_name=names.get(value) if dimension == CUSTOMER_DIMENSION else None,
        )
        for cost_date, dimension, value, cost_usd, expected_usd, excess_usd, score, calls, history_days, as_of in (
            anomaly_rows
        )
    ]
    return WarehouseAlerts(budgets=budgets, anomalies=anomalies)
