"""The raw input contract and the rate card's columns, read from their one home: ``dbt_project.yml``.

The fields of a usage event and the columns of every optional CSV (with type, whether a row needs
it, allowed values and bounds) are ``vars.raw_contract``; the rate card's columns and their types
are the seed config ``seeds: rate_card: +column_types``. The dbt landing, the staging models and
the configuration checks read them there (``macros/landing/raw_contract.sql``); every Python
reader (the generators, the landing suite, the benchmark, the tests) reads them through this
module, so no list is written twice. The function names mirror the macros'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_cost_attribution.project import dbt_project, dbt_project_vars

# The tag that names the api key a call was made with (an api key is hashed or aliased upstream).
API_KEY_TAG = "api_key_alias"
# The free-form object a usage event may carry (tags inside it count as tags).
METADATA_FIELD = "metadata"


@dataclass(frozen=True)
class ColumnRule:
    """One column of an optional CSV input: its type (text, date, timestamp, number, boolean),
    whether a row needs it, the values it may take (compared lower-cased) and its bounds."""

    name: str
    type: str = "text"
    required: bool = False
    values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None


def raw_contract(root: Path | None = None) -> Mapping[str, Any]:
    """``vars.raw_contract`` of ``dbt_project.yml``."""
    return dbt_project_vars(root)["raw_contract"]


def usage_event_token_fields(root: Path | None = None) -> tuple[str, ...]:
    """Token counts of a usage event: each one changes what the call costs."""
    return tuple(raw_contract(root)["usage_event"]["token_fields"])


def usage_event_required_fields(root: Path | None = None) -> tuple[str, ...]:
    """Fields without which a usage event is rejected (``missing_required_field``)."""
    return tuple(raw_contract(root)["usage_event"]["required"])


def usage_event_text_fields(root: Path | None = None) -> tuple[str, ...]:
    """The scalar fields of a usage event (ids, the call, tokens, the rest), in contract order."""
    event = raw_contract(root)["usage_event"]
    return (*event["ids"], *event["call"], *event["token_fields"], *event["other"])


def usage_event_tag_fields(root: Path | None = None) -> tuple[str, ...]:
    """Tags: the attribution dimensions, the call identifiers, then the api key alias (each once)."""
    project_vars = dbt_project_vars(root)
    names = [*project_vars["attribution_dimensions"], *project_vars["call_identifiers"], API_KEY_TAG]
    return tuple(dict.fromkeys(names))


def usage_event_fields(root: Path | None = None) -> tuple[str, ...]:
    """Every field a usage event may carry: its scalar fields, its tags and ``metadata``."""
    return (*usage_event_text_fields(root), *usage_event_tag_fields(root), METADATA_FIELD)


def raw_csv_inputs(root: Path | None = None) -> dict[str, dict[str, ColumnRule]]:
    """Optional CSV inputs: table name -> {column: its rule}, in contract order."""
    tables: dict[str, dict[str, ColumnRule]] = {}
    project_vars = dbt_project_vars(root)
    for table, columns in raw_contract(root)["csv_inputs"].items():
        tables[table] = {}
        for name, rule in columns.items():
            rule = rule or {}
            # `values_from: <var>`: the allowed values are that var's keys (the driver list is
            # vars.shared_cost_drivers, which also names each driver's allocating model family)
            values = list(project_vars[rule["values_from"]]) if rule.get("values_from") else rule.get("values")
            tables[table][name] = ColumnRule(
                name=name,
                type=rule.get("type", "text"),
                required=bool(rule.get("required", False)),
                values=tuple(str(value) for value in values) if values else None,
                min=rule.get("min"),
                max=rule.get("max"),
            )
    return tables


def raw_csv_sources(root: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Optional CSV inputs: table name -> its columns, in contract order (``<table>.csv``)."""
    return {table: tuple(columns) for table, columns in raw_csv_inputs(root).items()}


def shared_cost_drivers(root: Path | None = None) -> tuple[str, ...]:
    """How a shared cost pool may be split (``shared_costs.csv`` column ``driver``)."""
    values = raw_csv_inputs(root)["shared_costs"]["driver"].values
    assert values, "raw_contract.csv_inputs.shared_costs.driver lists no values"
    return values


def seed_column_types(seed: str, root: Path | None = None) -> dict[str, str]:
    """A seed's columns, in file order, with their SQL types (``seeds: <seed>: +column_types``)."""
    project = dbt_project(root)
    return dict(project["seeds"][project["name"]][seed]["+column_types"])


def rate_card_column_types(root: Path | None = None) -> dict[str, str]:
    """The rate card seed's columns, in file order, with their SQL types (the seed config)."""
    return seed_column_types("rate_card", root)


def rate_card_columns(root: Path | None = None) -> tuple[str, ...]:
    """The rate card's columns, in file order (``seeds/rate_card.csv``)."""
    return tuple(rate_card_column_types(root))


def rate_card_price_columns(root: Path | None = None) -> tuple[str, ...]:
    """The rate card columns that hold a price in USD per million tokens."""
    return tuple(column for column in rate_card_columns(root) if "_usd_per_mtok" in column)
