"""Every rule with a home in both languages gives the same answer in SQL and in Python.

* **Pricing**: a table of calls covering every rule of docs/CONTRACT.md section 2 is priced by a
  real dbt build of the project and by ``pricing.py``; every price and cost is identical to the
  last decimal.
* **Model family**: the ``model_family`` macro, run by dbt on a list of names, and
  ``pricing.model_family``.
* **The contract's fields**: the columns the built warehouse lands and stages, and the
  expectations of the Great Expectations suite, are the contract's (``contract.py``); lines that
  break a token rule are rejected by dbt and flagged by the suite.

Prices are USD per million tokens: ``tokens x price / 1e6`` is written ``tokens x price``."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from ai_cost_attribution import contract, pricing
from ai_cost_attribution.landing_suite import TOKEN_CONSISTENCY, Thresholds, csv_expectations, usage_expectations
from ai_cost_attribution.validate import csv_frames, usage_frame, validate_raw_folder
from conftest import BuiltWarehouse, build_world, event, rate

D = Decimal
ODD = {"input_usd_per_mtok": "0.123456789", "output_usd_per_mtok": "0.987654321"}  # nine decimals
RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25",
         batch_input_usd_per_mtok="1.25", batch_output_usd_per_mtok="5"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", cache_write_1h_usd_per_mtok="6",
         batch_input_usd_per_mtok="1.5", batch_output_usd_per_mtok="7.5", long_context_threshold_tokens="200000",
         input_usd_per_mtok_long="6", output_usd_per_mtok_long="22.5", cache_read_usd_per_mtok_long="0.6",
         cache_write_usd_per_mtok_long="7.5"),
    # no cache prices at all, a long tier with only an input price
    rate("anthropic", "claude-haiku-4-5", input_usd_per_mtok="1", output_usd_per_mtok="5",
         long_context_threshold_tokens="100000", input_usd_per_mtok_long="2"),
    # no cache write and no batch prices
    rate("google", "gemini-2.5-pro", input_usd_per_mtok="1.25", output_usd_per_mtok="10",
         cache_read_usd_per_mtok="0.125", long_context_threshold_tokens="200000", input_usd_per_mtok_long="2.5",
         output_usd_per_mtok_long="15", cache_read_usd_per_mtok_long="0.25"),
    rate("openai", "text-embedding-3-small", input_usd_per_mtok="0.02"),  # no output price
    rate("acme", "m-hist", effective_to="2026-01-15", input_usd_per_mtok="1", output_usd_per_mtok="2"),
    rate("acme", "m-hist", effective_from="2026-01-15", input_usd_per_mtok="1.5", output_usd_per_mtok="3"),
    rate("acme", "m-future", effective_from="2026-06-01", input_usd_per_mtok="1", output_usd_per_mtok="1"),
    rate("acme", "m-noinput", output_usd_per_mtok="1"),
    rate("acme", "odd-price", **ODD),
    rate("acme", "odd-discounted", **ODD),
]  # fmt: skip
MODEL_ALIASES = [
    {"provider": "acme", "model": "house-model", "priced_as_model": "odd-price"},
    {"provider": "acme", "model": "ghost-alias", "priced_as_model": "not-in-the-card"},
]
DISCOUNTS = (
    ["provider", "model", "effective_from", "effective_to", "discount_pct"],
    [
        {"provider": "anthropic", "model": "*", "effective_from": "2026-01-01", "discount_pct": "10"},
        # a model-specific row beats the provider-wide one
        {"provider": "anthropic", "model": "claude-haiku-4-5", "effective_from": "2026-01-01", "discount_pct": "12.5"},
        # a window of two days; the dated model's own row starts later and wins on its day
        {"provider": "openai", "model": "gpt-4o", "effective_from": "2026-01-10", "effective_to": "2026-01-12",
         "discount_pct": "5"},
        {"provider": "openai", "model": "gpt-4o-2024-08-06", "effective_from": "2026-01-11", "discount_pct": "20"},
        {"provider": "acme", "model": "odd-discounted", "effective_from": "2026-01-01", "discount_pct": "12.5"},
    ],
)  # fmt: skip
DAY = "2026-01-05T10:00:00Z"


def call(request_id: str, provider: str, model: str, input_tokens: int, output_tokens: int, **fields) -> dict:
    return event(request_id, provider=provider, model=model, input_tokens=input_tokens, output_tokens=output_tokens,
                 **{"occurred_at": DAY, **fields})  # fmt: skip


CALLS = [
    call("plain", "openai", "gpt-4o", 1_000, 100),
    call("cache_read", "openai", "gpt-4o", 3_000, 500, cache_read_tokens=2_000),
    call("batch", "openai", "gpt-4o", 1_000, 100, is_batch=True),
    call("batch_cached", "openai", "gpt-4o", 3_000, 100, cache_read_tokens=2_000, is_batch=True),
    call("discount_window", "openai", "gpt-4o", 1_000, 100, occurred_at="2026-01-10T08:00:00Z"),
    call("family_dash_date", "openai", "gpt-4o-2024-08-06", 1_000, 100, occurred_at="2026-01-11T08:00:00Z"),
    call("writes_1h", "anthropic", "claude-sonnet-4-5", 10_000, 500, cache_read_tokens=1_000,
         cache_write_tokens=4_000, cache_write_1h_tokens=1_500),
    call("long_context", "anthropic", "claude-sonnet-4-5", 250_000, 1_000, cache_read_tokens=50_000,
         cache_write_tokens=20_000, cache_write_1h_tokens=5_000),
    call("long_batch", "anthropic", "claude-sonnet-4-5", 250_000, 1_000, is_batch=True),
    call("family_at_date", "anthropic", "claude-sonnet-4-5@20250929", 1_000, 10),
    call("family_compact_date", "anthropic", "claude-sonnet-4-5-20250929", 1_000, 10),
    call("cache_fallbacks", "anthropic", "claude-haiku-4-5", 5_000, 100, cache_read_tokens=1_000,
         cache_write_tokens=2_000, cache_write_1h_tokens=500),
    call("long_fallbacks", "anthropic", "claude-haiku-4-5", 150_000, 100, cache_read_tokens=10_000,
         cache_write_tokens=10_000, cache_write_1h_tokens=2_000),
    call("gemini_long", "google", "gemini-2.5-pro", 250_000, 1_000, cache_read_tokens=50_000),
    call("gemini_writes", "google", "gemini-2.5-pro", 10_000, 100, cache_write_tokens=2_000,
         cache_write_1h_tokens=1_000),
    call("gemini_batch", "google", "gemini-2.5-pro", 10_000, 100, is_batch=True),
    call("embedding", "openai", "text-embedding-3-small", 1_000, 0),
    call("history_before", "acme", "m-hist", 1_000, 100, occurred_at="2026-01-14T23:59:59Z"),
    call("history_after", "acme", "m-hist", 1_000, 100, occurred_at="2026-01-15T00:00:00Z"),
    call("rounding", "acme", "odd-price", 1_234, 567),
    call("alias", "acme", "house-model", 1_000, 100),
    call("no_tokens", "openai", "gpt-4o", 0, 0, status="error"),
]  # fmt: skip
UNPRICED = [
    call("embedding_with_output", "openai", "text-embedding-3-small", 1_000, 5),
    call("not_yet_in_force", "acme", "m-future", 1_000, 100),
    call("no_input_price", "acme", "m-noinput", 1_000, 100),
    call("alias_to_nothing", "acme", "ghost-alias", 1_000, 100),
    call("suffix_not_at_the_end", "anthropic", "claude-sonnet-4-5-20250929-v1:0", 1_000, 10),
]
# A discount on amounts with many decimals: the exact product is a half at the 13th decimal
# (36 x 0.123456789 = 0.000004444444 rounded; x 0.875 = 0.0000038888885 -> 0.000003888889).
DISCOUNT_ROUNDING = [call(f"tie_{tokens}", "acme", "odd-discounted", tokens, 0) for tokens in (36, 137, 167)]
# Lines breaking a token rule: the dbt landing rejects them, the landing suite flags them.
BROKEN = [
    call("more_1h_than_writes", "openai", "gpt-4o", 1_000, 10, cache_write_tokens=100, cache_write_1h_tokens=200),
    call("1h_without_writes", "openai", "gpt-4o", 1_000, 10, cache_write_1h_tokens=50),
    call("more_cache_than_input", "openai", "gpt-4o", 1_000, 10, cache_read_tokens=900, cache_write_tokens=200),
    call("more_reasoning_than_output", "openai", "gpt-4o", 1_000, 10, reasoning_tokens=11),
]
REASONS = {"more_1h_than_writes": "inconsistent_cache_tokens", "1h_without_writes": "inconsistent_cache_tokens",
           "more_cache_than_input": "inconsistent_cache_tokens",
           "more_reasoning_than_output": "inconsistent_reasoning_tokens"}  # fmt: skip

# fct_llm_calls column -> what pricing.py says (a PricedCall)
PRICE_COLUMNS = {
    "priced_model": lambda p: p.day_price.priced_model,
    "price_match": lambda p: p.day_price.price_match,
    "rate_effective_from": lambda p: p.day_price.rate.effective_from,
    "discount_pct": lambda p: p.day_price.discount_pct,
    "is_long_context": lambda p: p.is_long_context,
    "applied_input_usd_per_mtok": lambda p: p.prices.input,
    "applied_output_usd_per_mtok": lambda p: p.prices.output,
    "applied_cache_read_usd_per_mtok": lambda p: p.prices.cache_read,
    "applied_cache_write_usd_per_mtok": lambda p: p.prices.cache_write,
}
LIST_COLUMNS = ("uncached_input_tokens", "uncached_input_cost_usd", "cache_read_cost_usd", "cache_write_cost_usd",
                "output_cost_usd", "input_cost_usd", "list_cost_usd", "uncached_list_cost_usd")  # fmt: skip
EFFECTIVE_COLUMNS = ("effective_input_cost_usd", "effective_output_cost_usd", "uncached_effective_input_cost_usd",
                     "effective_cost_usd")  # fmt: skip
FAMILY_NAMES = [
    "gpt-4o-2024-08-06", "claude-3-5-haiku-20241022", "claude-3-5-sonnet@20240620", "claude-sonnet-4-5-20250929",
    "o3-mini-2025-01-31", "gpt-4o", "gemini-2.5-pro", "text-embedding-3-small", "llama-3.1-70b-instruct",
    "mistral-large-2407", "model-2024-13-45", "twice-2024-08-06-2024-08-06",
    "us.anthropic.claude-3-5-haiku-20241022-v1:0", "ends-with-20241022x", "at@sign", "dated@2024-08-06",
    "short-202410", "-20241022", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_world(
        tmp_path_factory.mktemp("agree"),
        usage={"calls.jsonl": [*CALLS, *UNPRICED, *DISCOUNT_ROUNDING, *BROKEN]},
        csv_inputs={"price_adjustments": DISCOUNTS},
        rate_card_rows=RATE_CARD,
        model_alias_rows=MODEL_ALIASES,
        dbt_vars={"unpriced_severity": "warn"},
    )


@pytest.fixture(scope="module")
def price_list(warehouse: BuiltWarehouse) -> pricing.PriceList:
    """pricing.py reading the same seeds and discounts the build read."""
    return pricing.PriceList.of_project(warehouse.project_dir / "seeds", warehouse.raw_path / "price_adjustments.csv")


def price(price_list: pricing.PriceList, line: dict, day: date) -> pricing.PricedCall:
    return pricing.price_call(
        price_list, provider=line["provider"], model=line["model"], day=day, input_tokens=line["input_tokens"],
        output_tokens=line["output_tokens"], cache_read_tokens=line.get("cache_read_tokens", 0),
        cache_write_tokens=line.get("cache_write_tokens", 0),
        cache_write_1h_tokens=line.get("cache_write_1h_tokens", 0), is_batch=line.get("is_batch", False),
    )  # fmt: skip


def priced_calls(warehouse: BuiltWarehouse) -> dict[str, dict]:
    """Every priced call: the columns of fct_llm_calls, and the per-token-class and discounted
    amounts of the priced-calls model behind it (int_calls_priced)."""
    calls = {row["request_id"]: row for row in warehouse.dicts("select * from marts.fct_llm_calls")}
    for row in warehouse.dicts("select * from intermediate.int_calls_priced where is_priced"):
        calls[row["request_id"]] = {**row, **calls[row["request_id"]]}
    return calls


def differences(built: dict, priced: pricing.PricedCall, columns: tuple[str, ...]) -> dict:
    """column -> (SQL, Python) where they differ."""
    python = {name: value(priced) for name, value in PRICE_COLUMNS.items()}
    python.update({name: getattr(priced.cost, name) for name in columns})
    return {name: (built[name], value) for name, value in python.items() if built[name] != value}


# ---- pricing ----------------------------------------------------------------------------------


def test_the_table_covers_every_pricing_rule(warehouse: BuiltWarehouse) -> None:
    calls = priced_calls(warehouse)
    assert set(calls) == {line["request_id"] for line in CALLS + DISCOUNT_ROUNDING}
    assert {row["price_match"] for row in calls.values()} == {"exact", "alias", "family"}
    assert any(row["is_long_context"] and row["is_batch"] for row in calls.values())
    assert any(row["cache_write_1h_tokens"] for row in calls.values())
    assert {row["discount_pct"] for row in calls.values()} == {D(0), D(5), D(10), D("12.5"), D(20)}
    unpriced = warehouse.rows("select request_id from marts.fct_rejected_events where reject_reason = 'unpriced_model'")
    assert {request_id for (request_id,) in unpriced} == {line["request_id"] for line in UNPRICED}
    # one call worked by hand: above 200,000 input tokens the whole call takes the long prices,
    # the 1-hour writes their own price: (250,000 - 50,000 - 20,000) = 180,000 uncached x 6
    # + 50,000 reads x 0.6 + 15,000 5-minute writes x 7.5 + 5,000 1-hour writes x 6 + 1,000 output x 22.5
    # = 1.08 + 0.03 + 0.1125 + 0.03 + 0.0225 = 1.275; less 10 %: 1.1475
    assert calls["long_context"]["list_cost_usd"] == D("1.275")
    assert calls["long_context"]["effective_cost_usd"] == D("1.1475")


def test_pricing_py_prices_every_call_as_the_warehouse(warehouse: BuiltWarehouse, price_list) -> None:
    built = priced_calls(warehouse)
    for line in CALLS:
        row = built[line["request_id"]]
        priced = price(price_list, line, row["usage_date"])
        assert priced.is_priced, line["request_id"]
        assert differences(row, priced, LIST_COLUMNS + EFFECTIVE_COLUMNS) == {}, line["request_id"]


def test_pricing_py_leaves_the_same_calls_unpriced(warehouse: BuiltWarehouse, price_list) -> None:
    for line in UNPRICED:
        assert not price(price_list, line, date(2026, 1, 5)).is_priced, line["request_id"]


def test_the_discounted_list_cost_agrees(warehouse: BuiltWarehouse, price_list) -> None:
    built = priced_calls(warehouse)
    for line in DISCOUNT_ROUNDING:
        row = built[line["request_id"]]
        assert differences(row, price(price_list, line, row["usage_date"]), LIST_COLUMNS) == {}, line["request_id"]


def test_the_discounted_cost_is_exact_in_both(warehouse: BuiltWarehouse, price_list) -> None:
    built = priced_calls(warehouse)
    # 36 x 0.123456789 = 0.000004444444404 -> 0.000004444444; x (1 - 12.5 / 100) = 0.0000038888885 -> 0.000003888889
    assert built["tie_36"]["list_cost_usd"] == D("0.000004444444")
    assert built["tie_36"]["effective_cost_usd"] == D("0.000003888889")
    for line in DISCOUNT_ROUNDING:
        row = built[line["request_id"]]
        assert differences(row, price(price_list, line, row["usage_date"]), EFFECTIVE_COLUMNS) == {}


# ---- model family -----------------------------------------------------------------------------


def test_the_model_family_rule_agrees(warehouse: BuiltWarehouse) -> None:
    names = ", ".join("('" + name + "')" for name in FAMILY_NAMES)
    inline = f"select name, {{{{ model_family('name') }}}} as family from (values {names}) as models(name)"
    shown = warehouse.dbt(
        ["show", "--inline", inline, "--limit", str(len(FAMILY_NAMES)), "--output", "json", "--log-format", "json"]
    )
    assert shown.returncode == 0, shown.stdout[-3000:]
    preview = next(
        json.loads(line)["data"]["preview"] for line in shown.stdout.splitlines()
        if line.startswith("{") and "preview" in json.loads(line).get("data", {})
    )  # fmt: skip
    sql = {row["name"]: row["family"] for row in json.loads(preview)}
    assert sql == {name: pricing.model_family(name) for name in FAMILY_NAMES}
    assert sql["claude-3-5-sonnet@20240620"] == "claude-3-5-sonnet"  # the form world.py had lost


# ---- the contract's fields --------------------------------------------------------------------


def columns_of(warehouse: BuiltWarehouse, schema: str, table: str) -> list[str]:
    return [name for (name,) in warehouse.rows(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
        " order by ordinal_position", [schema, table])]  # fmt: skip


def test_the_warehouse_lands_and_stages_the_contract_columns(warehouse: BuiltWarehouse) -> None:
    # every optional CSV lands as exactly its contract columns (and its line numbers)
    for table, columns in contract.raw_csv_sources().items():
        assert columns_of(warehouse, "raw", table) == [*columns, "row_number"], table
    # a usage event lands with every contract field, in contract order, beside the landing's own
    fields = contract.usage_event_fields()
    landed = columns_of(warehouse, "raw", "usage_events")
    assert [column for column in landed if column in fields] == list(fields)
    assert set(fields) <= set(columns_of(warehouse, "staging", "stg_raw__usage_events"))
    validated = set(columns_of(warehouse, "intermediate", "int_usage_events_validated"))
    assert set(contract.usage_event_token_fields()) | set(contract.usage_event_tag_fields()) <= validated
    assert columns_of(warehouse, "seeds", "rate_card") == list(contract.rate_card_columns())
    assert columns_of(warehouse, "seeds", "model_aliases") == list(contract.seed_column_types("model_aliases"))


def test_the_landing_suite_is_the_contract(warehouse: BuiltWarehouse) -> None:
    usage = usage_expectations(usage_frame(warehouse.raw_path).frame, Thresholds())
    not_null = {e.column for e in usage if type(e).__name__ == "ExpectColumnValuesToNotBeNull"}
    integers = {e.column for e in usage if type(e).__name__ == "ExpectColumnValuesToMatchRegex" and e.regex == r"^\d+$"}
    pairs = {(e.column_A, e.column_B) for e in usage if type(e).__name__ == "ExpectColumnPairValuesAToBeGreaterThanB"}
    assert set(contract.usage_event_required_fields()) <= not_null
    present_tokens = set(contract.usage_event_token_fields()) - {"reasoning_tokens"}  # no line here sends reasoning
    assert present_tokens <= integers and "cache_write_1h_tokens" in integers
    assert ("cache_write_tokens_value", "cache_write_1h_tokens_value") in pairs
    assert pairs == {(f"{count}_value", f"{others}_value") for count, others, _ in TOKEN_CONSISTENCY}
    every_column = {table: pd.DataFrame(columns=list(columns))
                    for table, columns in contract.raw_csv_sources().items()}  # fmt: skip
    for table, rules in contract.raw_csv_inputs().items():
        frame = every_column[table].assign(**{f"{c}_value": [] for c, r in rules.items() if r.min is not None
                                               or r.max is not None})  # fmt: skip
        expectations = csv_expectations(table, frame, Thresholds())
        kinds: dict[str, list] = {}
        for expectation in expectations:
            kinds.setdefault(type(expectation).__name__, []).append(expectation)
        assert [e.column for e in kinds["ExpectColumnToExist"]] == list(rules), table
        assert {e.column for e in kinds.get("ExpectColumnValuesToNotBeNull", [])} == {
            c for c, r in rules.items() if r.required}, table  # fmt: skip
        values = {e.column: tuple(e.value_set) for e in kinds.get("ExpectColumnValuesToBeInSet", [])}
        assert {c: v for c, v in values.items() if c in rules and rules[c].values} == {
            c: r.values for c, r in rules.items() if r.values}, table  # fmt: skip
        bounds = {e.column: (e.min_value, e.max_value) for e in kinds.get("ExpectColumnValuesToBeBetween", [])}
        assert bounds == {f"{c}_value": (r.min, r.max) for c, r in rules.items()
                          if r.min is not None or r.max is not None}, table  # fmt: skip
    drivers = {
        e.column: tuple(e.value_set)
        for e in csv_expectations("shared_costs", every_column["shared_costs"], Thresholds())
        if type(e).__name__ == "ExpectColumnValuesToBeInSet"
    }
    assert drivers["driver"] == contract.shared_cost_drivers()


def test_a_line_dbt_rejects_for_its_tokens_the_suite_flags(warehouse: BuiltWarehouse) -> None:
    rejected = dict(warehouse.rows(
        "select request_id, reject_reason from marts.fct_rejected_events where request_id in ({})".format(
            ", ".join("?" * len(BROKEN))), [line["request_id"] for line in BROKEN]))  # fmt: skip
    assert rejected == REASONS
    report = validate_raw_folder(warehouse.raw_path)
    failed = [check for check in report.checks if not check.success and "_value >= " in check.column]
    flagged_lines = {line for check in failed for line in check.examples.split(" at ")[-1].split(", ")}
    lines = {line["request_id"]: number for number, line in enumerate(
        [*CALLS, *UNPRICED, *DISCOUNT_ROUNDING, *BROKEN], start=1)}  # fmt: skip
    assert {f"usage/calls.jsonl:{lines[request_id]}" for request_id in REASONS} <= flagged_lines
    assert csv_frames(Path(warehouse.raw_path))  # the discounts were read
