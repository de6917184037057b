"""The optional CSV inputs are configuration: a bad row fails the build with a message naming the
file, the line and the problem, never a bare conversion error. Missing or extra columns are fine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import BuiltWarehouse, build_world, event, rate

RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]
USAGE = {"day.jsonl": [event("c1", customer_id="acme")]}
SHARED_COSTS = ["cost_pool", "period_start", "period_end", "amount_usd", "driver"]


def failed_build(tmp_path, **csv_inputs):
    built = build_world(tmp_path, usage=USAGE, rate_card_rows=RATE_CARD, csv_inputs=csv_inputs, expect_success=False)
    assert built.build.returncode != 0
    return built.build.stdout + built.build.stderr


def test_bad_cells_are_named_by_file_line_and_column(tmp_path) -> None:
    output = failed_build(
        tmp_path,
        shared_costs=(SHARED_COSTS, [
            {"cost_pool": "vector_db", "period_start": "2026-01-01", "period_end": "2026-02-01",
             "amount_usd": "100", "driver": "tokens"},
            {"cost_pool": "gpu", "period_start": "2026-01-01", "period_end": "2026-02-01",
             "amount_usd": "a lot", "driver": "tokens"},
            {"cost_pool": "", "period_start": "2026-13-01", "period_end": "2026-02-01",
             "amount_usd": "5", "driver": "seats"},
        ]),
        budgets=(["scope_type", "scope_value", "month", "budget_usd"], [
            {"scope_type": "team", "scope_value": "search", "month": "2026-01-01", "budget_usd": "-5"},
        ]),
    )  # fmt: skip
    assert "Bad configuration" in output
    assert "shared_costs.csv line 3: amount_usd 'a lot' is not a number" in output
    assert "shared_costs.csv line 4: cost_pool is required but empty" in output
    drivers = "tokens, requests, cost, active_users, footprint, even"
    assert f"shared_costs.csv line 4: driver 'seats' is not one of {drivers}" in output
    assert "shared_costs.csv line 4: period_start '2026-13-01' is not a date (YYYY-MM-DD)" in output
    assert "budgets.csv line 2: budget_usd '-5' is below 0" in output
    assert "Conversion Error" not in output


def test_a_period_that_ends_before_it_starts_is_named(tmp_path) -> None:
    output = failed_build(
        tmp_path,
        price_adjustments=(["provider", "model", "effective_from", "effective_to", "discount_pct"], [
            {"provider": "openai", "model": "*", "effective_from": "2026-02-01", "effective_to": "2026-01-01",
             "discount_pct": "10"},
            {"provider": "openai", "model": "*", "effective_from": "2026-03-01", "discount_pct": "120"},
        ]),
    )  # fmt: skip
    assert "price_adjustments.csv line 2: effective_to is not after effective_from" in output
    assert "price_adjustments.csv line 3: discount_pct '120' is above 100" in output


def test_a_csv_that_is_not_utf8_is_named(tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "customers.csv").write_bytes(b"customer_id,customer_name\nacme,Caf\xe9 Acme\n")
    built = build_world(tmp_path, usage=USAGE, rate_card_rows=RATE_CARD, expect_success=False)
    output = built.build.stdout + built.build.stderr
    assert built.build.returncode != 0
    assert "customers.csv: the file is not UTF-8 text" in output


def test_a_header_with_none_of_the_columns_is_named(tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "provider_invoices.csv").write_text("vendor;period;total\nopenai;2026-01;12\n", encoding="utf-8")
    built = build_world(tmp_path, usage=USAGE, rate_card_rows=RATE_CARD, expect_success=False)
    output = built.build.stdout + built.build.stderr
    expected = "provider_invoices.csv: the header names none of the expected columns (provider, month, invoiced_usd)"
    assert expected in output


@pytest.fixture(scope="module")
def good_configuration(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """One build of configuration that is good, however it is spelled: a customers file with
    missing and extra columns and ragged rows, and an invoice that matches the calls."""
    root = tmp_path_factory.mktemp("good_configuration")
    raw = root / "raw"
    # no segment/region/is_internal columns, an extra `notes` column, a short row and a long row
    raw.mkdir(parents=True)
    (raw / "customers.csv").write_text(
        "\ufeffcustomer_id,customer_name,plan_tier,notes\n"
        'acme,Acme,pro,"likes ""quotes"", and\nline breaks"\n'
        "zen,Zen\n"
        "kite,Kite,free,x,y,z\n",
        encoding="utf-8",
    )
    return build_world(
        root,
        usage=USAGE,
        rate_card_rows=RATE_CARD,
        csv_inputs={"provider_invoices": (["provider", "month", "invoiced_usd"], [
            {"provider": "openai", "month": "2026-01-01", "invoiced_usd": "0.0035"},
        ])},
    )  # fmt: skip


def test_missing_and_extra_columns_and_ragged_rows_are_read(good_configuration: BuiltWarehouse) -> None:
    customers = "select customer_id, customer_name, plan_tier, region from staging.stg_raw__customers order by 1"
    assert good_configuration.rows(customers) == [
        ("acme", "Acme", "pro", None),
        ("kite", "Kite", "free", None),
        ("zen", "Zen", None, None),
    ]


def test_good_configuration_still_builds(good_configuration: BuiltWarehouse) -> None:
    # 1,000 x $2.50/M + 100 x $10/M = $0.0035, the invoice exactly
    assert good_configuration.scalar("select invoiced_usd from marts.mart_invoice_reconciliation") == Decimal("0.0035")
