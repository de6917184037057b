"""The Great Expectations suite run on raw landing files before any build.

The raw files are read into pandas frames by :mod:`ai_cost_attribution.validate`; this module
declares what each frame must satisfy (docs/CONTRACT.md section 1) and runs the expectations with an
ephemeral GX context and the pandas data source (the SQL data source fails on a DuckDB file).
Each result is reduced to a :class:`Check`, a plain record the report prints.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

REQUIRED_USAGE_FIELDS: tuple[str, ...] = (
    "request_id", "occurred_at", "provider", "model", "input_tokens", "output_tokens",
)  # fmt: skip
TOKEN_FIELDS: tuple[str, ...] = (
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
)  # fmt: skip
# Attribution tags any one of which lets a call be attributed (an api key maps through api_keys.csv).
ATTRIBUTION_TAGS: tuple[str, ...] = ("feature", "customer_id", "api_key_alias")
ENVIRONMENTS: tuple[str, ...] = ("prod", "staging", "dev")
USAGE_TYPES: tuple[str, ...] = ("external", "internal")
CALL_ROLES: tuple[str, ...] = ("primary", "router", "evaluator", "guardrail", "embedding", "rerank", "tool")
STATUSES: tuple[str, ...] = ("success", "error")
# ISO 8601 date-time with an optional offset (Z or +hh:mm); a value without one is taken as UTC.
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
NON_NEGATIVE_INTEGER = r"^\d+$"
BOOLEAN = r"^(?i:true|false|t|f|1|0|yes|no|y|n)$"

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "customer_name", "plan_tier", "segment", "region", "is_internal"),
    "customer_revenue": ("customer_id", "month", "revenue_usd"),
    "outcomes": ("outcome_id", "outcome_type", "occurred_at", "customer_id", "feature", "agent", "ticket_id",
                 "trace_id"),
    "feature_owners": ("feature", "team", "product"),
    "api_keys": ("api_key_alias", "feature", "team", "environment", "usage_type", "customer_id"),
    "shared_costs": ("cost_pool", "period_start", "period_end", "amount_usd", "driver", "scope_provider",
                     "scope_model", "scope_feature", "scope_environment"),
    "tenant_footprint": ("customer_id", "month", "footprint_units"),
    "budgets": ("scope_type", "scope_value", "month", "budget_usd", "warn_at_pct"),
    "provider_invoices": ("provider", "month", "invoiced_usd"),
    "price_adjustments": ("provider", "model", "effective_from", "effective_to", "discount_pct"),
}  # fmt: skip
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
DECIMAL = r"^-?\d+(?:\.\d+)?$"


@dataclass(frozen=True)
class Check:
    """One expectation's outcome, in words a person reads."""

    table: str
    expectation: str
    column: str
    success: bool
    observed: str
    examples: str = ""


@dataclass(frozen=True)
class Thresholds:
    """How strict the suite is."""

    tolerance_pct: float = 0.0  # share of rows allowed to fail a row-level expectation
    max_untagged_pct: float = 5.0  # share of calls allowed without any attribution tag
    max_input_tokens: int = 10_000_000  # a sanity ceiling: no model takes ten million prompt tokens
    max_output_tokens: int = 1_000_000


def _mostly(thresholds: Thresholds) -> float:
    return max(0.0, min(1.0, 1.0 - thresholds.tolerance_pct / 100.0))


def usage_expectations(frame: pd.DataFrame, thresholds: Thresholds) -> list[Any]:
    """The expectations for the usage events frame (see validate.usage_frame for its columns)."""
    import great_expectations.expectations as gxe

    mostly = _mostly(thresholds)
    expectations: list[Any] = [gxe.ExpectTableRowCountToBeBetween(min_value=1)]
    for field in REQUIRED_USAGE_FIELDS:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=field, mostly=mostly))
    expectations.append(gxe.ExpectColumnValuesToMatchRegex(column="occurred_at", regex=ISO_TIMESTAMP, mostly=mostly))
    expectations.append(gxe.ExpectColumnValuesToNotBeNull(column="occurred_at_utc", mostly=mostly))
    for field in TOKEN_FIELDS:
        if field in frame.columns:
            expectations.append(
                gxe.ExpectColumnValuesToMatchRegex(column=field, regex=NON_NEGATIVE_INTEGER, mostly=mostly)
            )
    expectations += [
        gxe.ExpectColumnValuesToBeBetween(
            column="input_tokens_value", min_value=0, max_value=thresholds.max_input_tokens, mostly=mostly
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="output_tokens_value", min_value=0, max_value=thresholds.max_output_tokens, mostly=mostly
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="input_tokens_value", column_B="cache_tokens_value", or_equal=True,
            ignore_row_if="either_value_is_missing", mostly=mostly,
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="output_tokens_value", column_B="reasoning_tokens_value", or_equal=True,
            ignore_row_if="either_value_is_missing", mostly=mostly,
        ),
        gxe.ExpectColumnValuesToMatchRegex(column="is_batch", regex=BOOLEAN, mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="environment", value_set=list(ENVIRONMENTS), mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="usage_type", value_set=list(USAGE_TYPES), mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="call_role", value_set=list(CALL_ROLES), mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES), mostly=mostly),
        gxe.ExpectColumnValuesToNotBeNull(
            column="attribution_tag", mostly=max(0.0, 1.0 - thresholds.max_untagged_pct / 100.0)
        ),
    ]  # fmt: skip
    return expectations


def csv_expectations(table: str, frame: pd.DataFrame, thresholds: Thresholds) -> list[Any]:
    """The expectations for one optional CSV input (all columns read as text)."""
    import great_expectations.expectations as gxe

    mostly = _mostly(thresholds)
    expectations: list[Any] = [gxe.ExpectColumnToExist(column=column) for column in CSV_COLUMNS[table]]
    present = set(frame.columns)

    def add(expectation: Any, column: str) -> None:
        if column in present:
            expectations.append(expectation)

    for column in ("month", "period_start", "period_end", "effective_from", "effective_to"):
        add(gxe.ExpectColumnValuesToMatchRegex(column=column, regex=ISO_DATE, mostly=mostly), column)
    for column in ("revenue_usd", "amount_usd", "budget_usd", "invoiced_usd", "footprint_units", "discount_pct",
                   "warn_at_pct"):  # fmt: skip
        add(gxe.ExpectColumnValuesToMatchRegex(column=column, regex=DECIMAL, mostly=mostly), column)
    keys = {"customers": "customer_id", "feature_owners": "feature", "api_keys": "api_key_alias",
            "outcomes": "outcome_id"}  # fmt: skip
    if table in keys:
        add(gxe.ExpectColumnValuesToNotBeNull(column=keys[table]), keys[table])
        add(gxe.ExpectColumnValuesToBeUnique(column=keys[table]), keys[table])
    if table == "budgets":
        add(gxe.ExpectColumnValuesToBeInSet(column="scope_type",
                                            value_set=["team", "feature", "customer", "agent", "model"]),
            "scope_type")  # fmt: skip
    if table == "shared_costs":
        add(gxe.ExpectColumnValuesToBeInSet(column="driver",
                                            value_set=["tokens", "requests", "cost", "active_users", "footprint",
                                                       "even"]),
            "driver")  # fmt: skip
    if table == "api_keys":
        add(gxe.ExpectColumnValuesToBeInSet(column="environment", value_set=list(ENVIRONMENTS)), "environment")
        add(gxe.ExpectColumnValuesToBeInSet(column="usage_type", value_set=list(USAGE_TYPES)), "usage_type")
    return expectations


def _describe(result: Any, table: str, location_column: str | None) -> Check:
    """A GX validation result as a Check."""
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    column = _column_of(kwargs)
    details = result.result or {}
    examples = ""
    if result.exception_info and result.exception_info.get("raised_exception"):
        observed = "could not run: " + str(result.exception_info.get("exception_message", "")).splitlines()[0]
    elif details.get("unexpected_count") is not None:
        missing = details.get("missing_count") or 0
        checked = (details.get("element_count") or 0) - missing  # empty values are not judged
        unexpected = details["unexpected_count"]
        percent = 100.0 * unexpected / checked if checked else 0.0
        observed = f"{unexpected:,} of {checked:,} rows unexpected ({percent:.2f} %)"
        if "mostly" in kwargs and kwargs["mostly"] < 1:
            observed += f", allowed {100 * (1 - kwargs['mostly']):.2f} %"
        if missing:
            observed += f"; {missing:,} empty"
        shown = details.get("partial_unexpected_list") or []
        where = details.get("partial_unexpected_index_list") or []
        values = [_plain(value) for value in shown[:3]]
        if any(value is not None for value in values):
            examples = "e.g. " + ", ".join(repr(value) for value in values)
        if where and location_column:
            places = [str(item.get(location_column, item)) if isinstance(item, dict) else str(item) for item in where]
            examples += (" at " if examples else "at ") + ", ".join(places[:3])
    elif "observed_value" in details:
        observed = f"observed {details['observed_value']!r}"
    else:
        observed = "column present" if result.success else "column missing"
    return Check(
        table=table,
        expectation=config.type,
        column=column,
        success=bool(result.success),
        observed=observed,
        examples=examples,
    )


def _plain(value: Any) -> Any:
    """numpy scalars, NaN / NaT and tuples of them as plain Python values, for a readable repr."""
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def run_suite(
    frames: dict[str, pd.DataFrame],
    thresholds: Thresholds,
    *,
    location_column: str = "location",
) -> list[Check]:
    """Validate each frame (usage_events and any CSV) with an ephemeral GX context."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="raw_landing")
    checks: list[Check] = []
    for table, frame in frames.items():
        if table == "usage_events":
            expectations: Sequence[Any] = usage_expectations(frame, thresholds)
        else:
            expectations = csv_expectations(table, frame, thresholds)
        asset = source.add_dataframe_asset(name=table)
        batch = asset.add_batch_definition_whole_dataframe(f"{table}_whole").get_batch(
            batch_parameters={"dataframe": frame}
        )
        suite = gx.ExpectationSuite(name=f"landing_{table}", expectations=list(expectations))
        index_columns = [location_column] if location_column in frame.columns else []
        result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 3}
        if index_columns:
            result_format["unexpected_index_column_names"] = index_columns
        validation = batch.validate(suite, result_format=result_format)
        described = [
            _describe(result, table, location_column if index_columns else None) for result in validation.results
        ]
        order = {(expectation.expectation_type, _column_of(_fields(expectation))): i
                 for i, expectation in enumerate(expectations)}  # fmt: skip
        checks += sorted(described, key=lambda check: order.get((check.expectation, check.column), len(order)))
    return checks


def _fields(expectation: Any) -> dict[str, Any]:
    """The column arguments of an expectation object."""
    return {name: getattr(expectation, name, None) for name in ("column", "column_A", "column_B")
            if getattr(expectation, name, None) is not None}  # fmt: skip


def _column_of(kwargs: dict[str, Any]) -> str:
    """The column an expectation is about, as the report names it."""
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} >= {kwargs['column_B']}"
    return str(kwargs.get("column") or "(table)")
