"""The Great Expectations suite run on raw landing files before any build.

The raw files are read into pandas frames by :mod:`ai_cost_attribution.validate`; this module
declares what each frame must satisfy (docs/CONTRACT.md section 1), generated from the contract
itself (:mod:`ai_cost_attribution.contract`: the required fields, every token field, each CSV's
columns, types, allowed values and bounds), so the suite and the dbt landing cannot drift; it
runs the expectations with an ephemeral GX context and the pandas data source (the SQL data
source fails on a DuckDB file).
Each result is reduced to a :class:`Check`, a plain record the report prints.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ai_cost_attribution.contract import raw_csv_inputs, usage_event_required_fields, usage_event_token_fields

# Attribution tags any one of which lets a call be attributed (an api key maps through api_keys.csv).
ATTRIBUTION_TAGS: tuple[str, ...] = ("feature", "customer_id", "api_key_alias")
ENVIRONMENTS: tuple[str, ...] = ("prod", "staging", "dev")
CALL_ROLES: tuple[str, ...] = ("primary", "router", "evaluator", "guardrail", "embedding", "rerank", "tool")
STATUSES: tuple[str, ...] = ("success", "error")
# The token counts that must cover others, as int_usage_events_validated rejects a line otherwise
# (inconsistent_cache_tokens, inconsistent_reasoning_tokens): (count, name of the others, others).
# validate.usage_frame derives a `<name>_value` column for each; an empty optional count is 0.
TOKEN_CONSISTENCY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("input_tokens", "cache_tokens", ("cache_read_tokens", "cache_write_tokens")),
    ("cache_write_tokens", "cache_write_1h_tokens", ("cache_write_1h_tokens",)),
    ("output_tokens", "reasoning_tokens", ("reasoning_tokens",)),
)
# Columns that are each CSV's key (one row per value), where a CSV has one.
CSV_KEYS: dict[str, str] = {"customers": "customer_id", "feature_owners": "feature", "api_keys": "api_key_alias",
                            "outcomes": "outcome_id"}  # fmt: skip
# Date pairs the configuration check orders (macros/landing/land_config_csvs.sql): the end after the start.
DATE_ORDER: tuple[tuple[str, str], ...] = (("period_start", "period_end"), ("effective_from", "effective_to"))
# ISO 8601 date-time with an optional offset (Z or +hh:mm); a value without one is taken as UTC.
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
NON_NEGATIVE_INTEGER = r"^\d+$"
BOOLEAN = r"^(?i:true|false|t|f|1|0|yes|no|y|n)$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
DECIMAL = r"^-?\d+(?:\.\d+)?$"
# What a value of each contract type (raw_contract.csv_inputs.<table>.<column>.type) looks like.
TYPE_FORMATS: dict[str, str] = {"date": ISO_DATE, "timestamp": ISO_TIMESTAMP, "number": DECIMAL, "boolean": BOOLEAN}


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
    for field in usage_event_required_fields():
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=field, mostly=mostly))
    expectations.append(gxe.ExpectColumnValuesToMatchRegex(column="occurred_at", regex=ISO_TIMESTAMP, mostly=mostly))
    expectations.append(gxe.ExpectColumnValuesToNotBeNull(column="occurred_at_utc", mostly=mostly))
    for field in usage_event_token_fields():
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
    ]
    for count, others, _ in TOKEN_CONSISTENCY:
        expectations.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=f"{count}_value", column_B=f"{others}_value", or_equal=True,
            ignore_row_if="either_value_is_missing", mostly=mostly,
        ))  # fmt: skip
    expectations += [
        gxe.ExpectColumnValuesToMatchRegex(column="is_batch", regex=BOOLEAN, mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="environment", value_set=list(ENVIRONMENTS), mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="usage_type", value_set=list(_usage_types()), mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="call_role", value_set=list(CALL_ROLES), mostly=mostly),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES), mostly=mostly),
        gxe.ExpectColumnValuesToNotBeNull(
            column="attribution_tag", mostly=max(0.0, 1.0 - thresholds.max_untagged_pct / 100.0)
        ),
    ]  # fmt: skip
    return expectations


def _usage_types() -> tuple[str, ...]:
    """The usage types the contract allows (an api key's usage_type is the call's)."""
    values = raw_csv_inputs()["api_keys"]["usage_type"].values
    assert values, "raw_contract.csv_inputs.api_keys.usage_type lists no values"
    return values


def csv_expectations(table: str, frame: pd.DataFrame, thresholds: Thresholds) -> list[Any]:
    """The expectations for one optional CSV input (read as text; see validate.csv_frames), generated
    from its contract (raw_contract.csv_inputs.<table>): every column present, required columns
    filled, each value in its type's format, within its allowed values and bounds; keys unique,
    dates in order."""
    import great_expectations.expectations as gxe

    mostly = _mostly(thresholds)
    rules = raw_csv_inputs()[table]
    expectations: list[Any] = [gxe.ExpectColumnToExist(column=column) for column in rules]
    present = set(frame.columns)
    for column, rule in rules.items():
        if column not in present:
            continue
        if rule.required:
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=mostly))
        if rule.type in TYPE_FORMATS:
            expectations.append(
                gxe.ExpectColumnValuesToMatchRegex(column=column, regex=TYPE_FORMATS[rule.type], mostly=mostly)
            )
        if rule.values:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(rule.values), mostly=mostly)
            )
        if rule.min is not None or rule.max is not None:
            expectations.append(gxe.ExpectColumnValuesToBeBetween(
                column=f"{column}_value", min_value=rule.min, max_value=rule.max, mostly=mostly
            ))  # fmt: skip
    key = CSV_KEYS.get(table)
    if key in present:
        expectations.append(gxe.ExpectColumnValuesToBeUnique(column=key))
    for start, end in DATE_ORDER:
        if start in present and end in present:
            expectations.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=end, column_B=start, or_equal=False, ignore_row_if="either_value_is_missing", mostly=mostly,
            ))  # fmt: skip
    if table == "api_keys" and "environment" in present:
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column="environment", value_set=list(ENVIRONMENTS)))
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
