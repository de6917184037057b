"""Provider truth: the providers' own usage and cost reports against the logs (untracked usage in
the ledger, cost reports as invoiced amounts per day), price drift against a gateway's own cost,
and the pages landing whatever bytes they hold. Prices per million tokens; the arithmetic is
written beside each figure.

The world, January 2026 (gpt-4o: $2.50 in, $1.25 cached, $10 out; claude-sonnet-4-5: $3 in,
$0.30 cache read, $3.75 5-minute write, $6 1-hour write, $15 out, 10 % negotiated discount;
gpt-4o-mini $0.15 / $0.60; text-embedding-3-small $0.02):

* one gpt-4o call = 1,000 input (200 cached) + 100 output
  = 800 x 2.50 + 200 x 1.25 + 100 x 10 = $0.002 + $0.00025 + $0.001 = $0.00325
* one claude call = 2,000 input (500 cache reads, 300 cache writes of which 100 for 1 hour) + 200 output
  = (1,200 x 3 + 500 x 0.30 + 200 x 3.75 + 100 x 6 + 200 x 15) / 1e6 = $0.0081 list, x 0.9 = $0.00729
* the logs miss one gpt-4o call in five on the 11th and the 12th (the provider reports 5, the
  logs hold 4), log a claude call twice on the 10th under two request ids (the provider billed 2 of
  the 3), and log a failed gpt-4o call on the 13th the provider did not bill (an empty bucket);
  a script calls gpt-4o-mini directly on the 12th (10 requests, 10,000 in, 1,000 out), never logged.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ai_cost_attribution.provider_pages import (
    anthropic_bucket,
    anthropic_cost_result,
    anthropic_page,
    anthropic_usage_result,
    openai_bucket,
    openai_completions_result,
    openai_cost_result,
    openai_embeddings_result,
    openai_page,
    pretty,
)
from conftest import SOURCE_FILE_NAME, build_world, event, rate

RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25"),
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="0.15", output_usd_per_mtok="0.6"),
    rate("openai", "text-embedding-3-small", input_usd_per_mtok="0.02", output_usd_per_mtok="0", mode="embedding"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", cache_write_1h_usd_per_mtok="6"),
]  # fmt: skip
DISCOUNTS = (
    ["provider", "model", "effective_from", "effective_to", "discount_pct"],
    [{"provider": "anthropic", "model": "*", "effective_from": "2026-01-01", "discount_pct": "10"}],
)
# provider_invoices.csv covers anthropic's January: it wins over anthropic's cost report
INVOICES = (
    ["provider", "month", "invoiced_usd"],
    [{"provider": "anthropic", "month": "2026-01-01", "invoiced_usd": "0.02"}],
)
# the knowledge-search key's provider id is key_kb (the logs carry the alias kb-search)
API_KEYS = (["api_key_alias", "feature", "provider_key_id"], [{"api_key_alias": "kb-search", "feature": "search",
                                                                 "provider_key_id": "key_kb"}])  # fmt: skip

GPT4O = {"model": "gpt-4o", "input_tokens": 1000, "cache_read_tokens": 200, "output_tokens": 100,
         "api_key_alias": "key_support", "feature": "support"}  # fmt: skip
CLAUDE = {"provider": "anthropic", "model": "claude-sonnet-4-5", "input_tokens": 2000, "cache_read_tokens": 500,
          "cache_write_tokens": 300, "cache_write_1h_tokens": 100, "output_tokens": 200}  # fmt: skip


def calls() -> list[dict]:
    logged = []
    for day in ("10", "11", "12"):
        for n in range(4):
            # gpt-4o reports its own cost, as a gateway would: exactly our list price, except one
            # call of the 10th that carries none
            reported = {} if (day, n) == ("10", 3) else {"reported_cost_usd": "0.00325"}
            logged.append(event(f"g{day}_{n}", occurred_at=f"2026-01-{day}T1{n}:00:00Z", **GPT4O, **reported))
    # the 13th: a failed call the logs count as billed; the provider's bucket is empty
    logged.append(event("g13_failed", occurred_at="2026-01-13T09:00:00Z", status="error", **GPT4O))
    # the 14th: after the last day of the provider's reports (not reported yet)
    logged.append(event("g14", occurred_at="2026-01-14T09:00:00Z", **GPT4O))
    # claude reports 20 % above our rate card: 0.0081 x 1.2 = 0.00972; c3 is c2 logged a second time
    for request_id in ("c1", "c2", "c3"):
        logged.append(event(request_id, occurred_at="2026-01-10T08:00:00Z", reported_cost_usd="0.00972", **CLAUDE))
    # two embedding calls of 500 tokens, with no reported cost
    for request_id in ("e1", "e2"):
        logged.append(
            event(
                request_id,
                occurred_at="2026-01-10T07:00:00Z",
                model="text-embedding-3-small",
                operation="embeddings",
                input_tokens=500,
                output_tokens=0,
                api_key_alias="kb-search",
            )
        )
    return logged


def gpt4o_result(requests: int) -> dict:
    return openai_completions_result(
        "gpt-4o-2024-08-06", input_tokens=1000 * requests, cached=200 * requests, output_tokens=100 * requests,
        requests=requests, api_key_id="key_support",
    )  # fmt: skip


# OpenAI completions usage, two pages (has_more / next_page), the 13th an empty bucket
COMPLETIONS_PAGE_1 = openai_page(
    [openai_bucket("2026-01-10", [gpt4o_result(4)]), openai_bucket("2026-01-11", [gpt4o_result(5)])],
    next_page="page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=",
)
COMPLETIONS_PAGE_2 = openai_page([
    openai_bucket("2026-01-12", [
        gpt4o_result(5),
        openai_completions_result("gpt-4o-mini-2024-07-18", input_tokens=10_000, output_tokens=1_000, requests=10,
                                  api_key_id="key_script"),
    ]),
    openai_bucket("2026-01-13", []),
])  # fmt: skip
EMBEDDINGS_PAGE = openai_page(
    [
        openai_bucket(
            "2026-01-10",
            [openai_embeddings_result("text-embedding-3-small", input_tokens=1000, requests=2, api_key_id="key_kb")],
        )
    ]  # fmt: skip
)
CLAUDE_PAGE = anthropic_page([
    anthropic_bucket("2026-01-10", [anthropic_usage_result("claude-sonnet-4-5-20250929", uncached=2400, cache_read=1000,
                                                           cache_5m=400, cache_1h=200, output_tokens=400)]),
])  # fmt: skip

# OpenAI costs: the 10th as logged (4 x 0.00325 + 2 x 500 x 0.02 / 1e6 = 0.01302), the 11th with the
# missed call (5 x 0.00325 = 0.01625), the 12th 0.02 (0.01625 + the script's 0.0021 + $0.00165 the
# reports do not explain), the 13th an empty bucket ($0)
OPENAI_COSTS = openai_page([
    openai_bucket("2026-01-10", [openai_cost_result(0.013, line_item="gpt-4o-2024-08-06, input"),
                                 openai_cost_result(0.00002, line_item="text-embedding-3-small")]),
    openai_bucket("2026-01-11", [openai_cost_result(0.01625)]),
    openai_bucket("2026-01-12", [openai_cost_result(0.02)]),
    openai_bucket("2026-01-13", []),
])  # fmt: skip
# Anthropic's cost report in cents: 1.2 + 0.258 cents = $0.01458 (2 calls x 0.00729)
ANTHROPIC_COSTS = anthropic_page([
    anthropic_bucket("2026-01-10", [
        anthropic_cost_result("1.2", description="Claude Sonnet 4.5 Usage - Input Tokens", model="claude-sonnet-4-5",
                              token_type="uncached_input_tokens"),
        anthropic_cost_result("0.258", description="Claude Sonnet 4.5 Usage - Output Tokens", model="claude-sonnet-4-5",
                              token_type="output_tokens"),
    ]),
])  # fmt: skip

# what no build may fail on, each counted as a reject
IMAGES_PAGE = openai_page([openai_bucket("2026-01-10", [{"object": "organization.usage.images.result", "images": 2,
                                                         "num_model_requests": 2}])])  # fmt: skip
BAD_RESULTS_PAGE = openai_page([
    openai_bucket("2026-01-20", [openai_completions_result("gpt-4o", input_tokens=1, output_tokens=1, requests=1)
                                 | {"input_tokens": "lots"}]),
    7,  # a bucket that is not an object
])  # fmt: skip

FILES = {
    "provider_usage/openai_completions_1.json": pretty(COMPLETIONS_PAGE_1),
    "provider_usage/openai_completions_2.json": pretty(COMPLETIONS_PAGE_2),
    # a byte-order mark before a pretty-printed page
    "provider_usage/openai_embeddings.json": "\ufeff" + pretty(EMBEDDINGS_PAGE),
    "provider_usage/anthropic_messages.json": pretty(CLAUDE_PAGE),
    # the same page exported twice (overlapping windows): counted once
    "provider_usage/anthropic_messages_again.json": pretty(CLAUDE_PAGE),
    # JSON Lines: a page of an unsupported endpoint, a page with bad values, an array
    "provider_usage/more.jsonl": "\n".join([json.dumps(IMAGES_PAGE), json.dumps(BAD_RESULTS_PAGE), "[1, 2]"]) + "\n",
    "provider_usage/broken.json": b'{"object": "page", "data": [\xff\xfe',
    "provider_costs/openai_costs.json": pretty(OPENAI_COSTS),
    "provider_costs/anthropic_costs.json": pretty(ANTHROPIC_COSTS),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("provider_truth"), usage={"calls.jsonl": calls()}, files=FILES,
        csv_inputs={"price_adjustments": DISCOUNTS, "provider_invoices": INVOICES, "api_keys": API_KEYS},
        rate_card_rows=RATE_CARD, dbt_vars={"untracked_usage_warn_usd": 0.003, "price_drift_tolerance_pct": 1},
        artifacts=True,  # run_results.json: the warn tests' messages
    )  # fmt: skip


def reconciliation(world) -> dict[tuple[str, str, str], dict]:
    rows = world.dicts("select * from marts.mart_usage_reconciliation")
    return {(r["model"], str(r["usage_date"]), r["api_key_id"]): r for r in rows}


# -- usage reconciliation ----------------------------------------------------------------------------


def test_the_mart_finds_exactly_the_missed_calls(world) -> None:
    rows = reconciliation(world)
    # the 10th matches (4 logged, 4 reported); the dated snapshot reads as its family gpt-4o
    assert rows[("gpt-4o", "2026-01-10", "key_support")]["reconciliation_status"] == "matches"
    assert rows[("gpt-4o", "2026-01-10", "key_support")]["untracked_cost_usd"] == 0
    for day in ("2026-01-11", "2026-01-12"):
        missed = rows[("gpt-4o", day, "key_support")]
        assert (missed["logged_requests"], missed["reported_requests"], missed["requests_difference"]) == (4, 5, 1)
        # one call: 1,000 input, 200 cached, 100 output
        assert (missed["input_tokens_difference"], missed["cache_read_tokens_difference"],
                missed["output_tokens_difference"]) == (1000, 200, 100)  # fmt: skip
        # 800 x 2.50 + 200 x 1.25 + 100 x 10 = 0.002 + 0.00025 + 0.001
        assert missed["untracked_cost_usd"] == Decimal("0.00325")
        assert missed["reconciliation_status"] == "untracked"


def test_traffic_that_bypassed_the_gateway_is_priced(world) -> None:
    script = reconciliation(world)[("gpt-4o-mini", "2026-01-12", "key_script")]
    assert (script["logged_requests"], script["reported_requests"]) == (0, 10)
    # 10,000 x 0.15 + 1,000 x 0.60 = 0.0015 + 0.0006
    assert script["untracked_cost_usd"] == Decimal("0.0021")


def test_a_duplicated_logged_call_is_a_negative_difference(world) -> None:
    claude = reconciliation(world)[("claude-sonnet-4-5", "2026-01-10", "all")]
    # Anthropic reports uncached 2,400 + reads 1,000 + writes 400 (5 min) + 200 (1 h) = 4,000 prompt
    # tokens for two calls; the logs hold three
    assert (claude["logged_input_tokens"], claude["reported_input_tokens"]) == (6000, 4000)
    assert (claude["logged_cache_write_tokens"], claude["reported_cache_write_tokens"]) == (900, 600)
    assert (claude["reported_cache_write_1h_tokens"], claude["cache_write_1h_tokens_difference"]) == (200, -100)
    assert claude["reported_requests"] is None  # Anthropic's report counts no requests
    # one call less, after the 10 % discount: -0.0081 x 0.9
    assert claude["untracked_cost_usd"] == Decimal("-0.00729")
    assert claude["reconciliation_status"] == "not_billed"


def test_a_logged_call_on_a_day_the_provider_reports_empty_was_not_billed(world) -> None:
    failed = reconciliation(world)[("gpt-4o", "2026-01-13", "all")]
    assert (failed["logged_requests"], failed["reported_requests"]) == (1, None)
    assert failed["untracked_cost_usd"] == Decimal("-0.00325")


def test_a_key_alias_maps_to_the_providers_key_id(world) -> None:
    embeddings = reconciliation(world)[("text-embedding-3-small", "2026-01-10", "key_kb")]
    assert embeddings["usage_kind"] == "embeddings"
    assert (embeddings["logged_input_tokens"], embeddings["reported_input_tokens"]) == (1000, 1000)
    assert embeddings["reconciliation_status"] == "matches"


def test_no_row_for_days_no_report_covers(world) -> None:
    assert not [key for key in reconciliation(world) if key[1] == "2026-01-14"]


def test_the_warn_test_names_the_model_whose_untracked_usage_exceeds_the_threshold(world) -> None:
    # untracked above $0.003 a day: gpt-4o on the 11th and the 12th (0.00325 each); the script's
    # 0.0021 is below it
    result = run_result(world, "assert_untracked_usage_within_warn")
    assert (result["status"], result["failures"]) == ("warn", 1)


def run_result(world, test_name: str) -> dict:
    results = json.loads((world.project_dir / "target" / "run_results.json").read_text())["results"]
    return next(r for r in results if r["unique_id"].split(".")[2] == test_name)


# -- the ledger --------------------------------------------------------------------------------------


def test_untracked_usage_is_its_own_unallocated_cost_type(world) -> None:
    rows = world.rows(
        "select provider, model, is_allocated, customer_id, amount_usd from marts.fct_cost_ledger"
        " where cost_type = 'untracked_usage' order by provider, model"
    )
    assert rows == [
        ("anthropic", "claude-sonnet-4-5", False, "unallocated", Decimal("-0.00729")),
        # 0.00325 (11th) + 0.00325 (12th) - 0.00325 (13th)
        ("openai", "gpt-4o", False, "unallocated", Decimal("0.00325")),
        ("openai", "gpt-4o-mini", False, "unallocated", Decimal("0.0021")),
    ]


def test_cost_reports_supply_the_invoiced_amount_and_the_invoice_wins(world) -> None:
    recon = {r["provider"]: r for r in world.dicts("select * from marts.mart_invoice_reconciliation")}
    openai = recon["openai"]
    assert (openai["invoice_source"], openai["reported_days"]) == ("cost_report", 4)
    # cost report: 0.01302 + 0.01625 + 0.02 + 0 = 0.04927
    assert openai["invoiced_usd"] == Decimal("0.04927")
    # logged on the reported days: 0.01302 (10th) + 0.013 (11th) + 0.013 (12th) + 0.00325 (13th)
    assert openai["computed_usd"] == Decimal("0.04227")
    # untracked: 0.00325 + 0.00325 + 0.0021 - 0.00325
    assert openai["untracked_usage_usd"] == Decimal("0.00535")
    # what is left for the invoice adjustment: 0.04927 - 0.04227 - 0.00535
    assert openai["difference_usd"] == Decimal("0.00165")
    # the 14th is after the report: 0.00325 of usage not reported yet
    assert openai["unreported_usd"] == Decimal("0.00325")
    anthropic = recon["anthropic"]
    # the invoice (0.02), not the cost report (0.01458): 3 x 0.00729 = 0.02187 logged, -0.00729 untracked
    assert (anthropic["invoice_source"], anthropic["invoiced_usd"]) == ("invoice", Decimal("0.02"))
    assert (anthropic["computed_usd"], anthropic["untracked_usage_usd"]) == (Decimal("0.02187"), Decimal("-0.00729"))
    assert anthropic["difference_usd"] == Decimal("0.00542")  # 0.02 - 0.02187 + 0.00729


def test_the_ledger_still_equals_what_the_provider_bills(world) -> None:
    by_provider = dict(world.rows("select provider, sum(amount_usd) from marts.fct_cost_ledger group by 1"))
    # openai: the cost report's 0.04927 + the 14th's 0.00325 not reported yet; anthropic: its invoice
    assert by_provider == {"openai": Decimal("0.05252"), "anthropic": Decimal("0.02")}
    by_type = dict(world.rows("select cost_type, sum(amount_usd) from marts.fct_cost_ledger group by 1"))
    # usage list: 14 gpt-4o calls x 0.00325 + 2 embeddings x 0.00001 + 3 claude calls x 0.0081
    assert by_type["usage"] == Decimal("0.0455") + Decimal("0.00002") + Decimal("0.0243")
    assert by_type["negotiated_discount"] == Decimal("-0.00243")  # 10 % of 0.0243
    assert by_type["untracked_usage"] == Decimal("-0.00729") + Decimal("0.00325") + Decimal("0.0021")
    assert by_type["invoice_adjustment"] == Decimal("0.00165") + Decimal("0.00542")
    # ledger total = usage after discounts and pooling + untracked + invoice differences
    assert sum(by_type.values()) == Decimal("0.07252")


def test_the_daily_view_compares_each_cost_report_day(world) -> None:
    rows = world.dicts("select * from marts.mart_invoice_reconciliation_daily order by provider, cost_date")
    daily = {(r["provider"], str(r["cost_date"])): r for r in rows}
    assert daily[("openai", "2026-01-10")]["difference_usd"] == 0  # 0.01302 - 0.01302
    assert daily[("openai", "2026-01-11")]["difference_usd"] == 0  # 0.01625 - 0.013 - 0.00325
    twelfth = daily[("openai", "2026-01-12")]
    # 0.02 - 0.013 - (0.00325 + 0.0021)
    assert (twelfth["logged_cost_usd"], twelfth["untracked_usage_usd"], twelfth["difference_usd"]) == (
        Decimal("0.013"), Decimal("0.00535"), Decimal("0.00165"),
    )  # fmt: skip
    # the empty bucket of the 13th: $0 billed; the failed call's 0.00325 is untracked -0.00325
    assert daily[("openai", "2026-01-13")]["reported_cost_usd"] == 0
    assert daily[("openai", "2026-01-13")]["difference_usd"] == 0
    # anthropic's cents: (1.2 + 0.258) / 100 = 0.01458 = 0.02187 logged - 0.00729 not billed
    assert daily[("anthropic", "2026-01-10")]["reported_cost_usd"] == Decimal("0.01458")
    assert daily[("anthropic", "2026-01-10")]["difference_usd"] == 0


# -- price drift -------------------------------------------------------------------------------------


def test_price_drift_compares_each_call_with_our_rate_card(world) -> None:
    rows = {(r["model"], str(r["usage_date"])): r for r in world.dicts("select * from marts.mart_price_drift")}
    tenth = rows[("gpt-4o", "2026-01-10")]
    # three calls report 0.00325 each, as listed; the fourth reports nothing and is not compared
    assert (tenth["calls"], tenth["calls_without_reported_cost"], tenth["drifting_calls"]) == (3, 1, 0)
    assert (tenth["reported_cost_usd"], tenth["list_cost_usd"], tenth["difference_usd"]) == (
        Decimal("0.00975"), Decimal("0.00975"), Decimal("0"),
    )  # fmt: skip
    claude = rows[("claude-sonnet-4-5", "2026-01-10")]
    # 3 x 0.00972 reported against 3 x 0.0081 listed: +0.00486, +20 %
    assert (claude["reported_cost_usd"], claude["list_cost_usd"]) == (Decimal("0.02916"), Decimal("0.0243"))
    assert claude["difference_usd"] == Decimal("0.00486")
    assert claude["difference_pct"] == pytest.approx(20.0)
    assert (claude["drifting_calls"], claude["drifting_share"], claude["is_drifting"]) == (3, 1.0, True)
    # embeddings carry no reported cost: no row; the failed and late calls neither
    assert ("text-embedding-3-small", "2026-01-10") not in rows
    assert ("gpt-4o", "2026-01-13") not in rows


def test_the_warn_test_lists_the_drifting_model(world) -> None:
    result = run_result(world, "assert_no_price_drift")
    assert (result["status"], result["failures"]) == ("warn", 1)


# -- the landing ---------------------------------------------------------------------------------------


def test_pages_land_with_pagination_and_empty_buckets(world) -> None:
    pages = world.dicts(
        "select * from staging.stg_provider_reports__pages where page_error is null order by source_file, line_number"
    )
    first = next(p for p in pages if p["source_file"].endswith("openai_completions_1.json"))
    assert (first["buckets"], first["results"], first["has_more"], first["next_page"]) == (
        2, 2, True, "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=",
    )  # fmt: skip
    second = next(p for p in pages if p["source_file"].endswith("openai_completions_2.json"))
    assert (second["buckets"], second["results"], second["has_more"]) == (2, 2, False)
    # the byte-order mark does not stop the embeddings page
    assert any(p["source_file"].endswith("openai_embeddings.json") for p in pages)
    coverage = world.rows(
        "select usage_date from intermediate.int_provider_report_coverage"
        " where provider = 'openai' and usage_kind = 'completions' order by 1"
    )
    # four days covered, the empty 13th included
    assert [str(day) for (day,) in coverage] == ["2026-01-10", "2026-01-11", "2026-01-12", "2026-01-13"]


def test_every_unreadable_page_and_result_is_a_counted_reject(world) -> None:
    rejects = world.rows(
        f"select {SOURCE_FILE_NAME}, line_number, bucket_index, reject_reason, reject_detail"
        " from marts.fct_provider_report_rejects order by 1, 2, 3"
    )
    assert rejects == [
        # the second export of the same Anthropic page: its bucket is counted once
        ("anthropic_messages.json", 1, 1, "duplicate_bucket",
         "also in " + str(world.raw_path / "provider_usage" / "anthropic_messages_again.json") + "#1"),
        ("broken.json", 1, None, "invalid_encoding", None),
        ("more.jsonl", 1, None, "unsupported_report", None),
        ("more.jsonl", 2, 1, "invalid_value", "input_tokens:unreadable"),
        ("more.jsonl", 2, 2, "malformed_bucket", None),
        ("more.jsonl", 3, None, "not_a_page", None),
    ]  # fmt: skip


def test_focus_export_is_the_ledger(world) -> None:
    total = world.scalar('select sum("BilledCost") from marts.export_focus_costs')
    assert total == Decimal("0.07252") == world.scalar("select sum(amount_usd) from marts.fct_cost_ledger")
    untracked = world.dicts(
        """select "ChargeCategory", "ServiceName", "ConsumedQuantity", "BilledCost", "AllocatedMethodId"
           from marts.export_focus_costs
           where "x_CostPool" = 'provider_usage_report' and "ServiceName" = 'gpt-4o-mini'"""
    )
    # the script's 10,000 + 1,000 tokens, $0.0021, not a split allocation
    assert untracked == [{"ChargeCategory": "Usage", "ServiceName": "gpt-4o-mini", "ConsumedQuantity": Decimal("11000"),
                          "BilledCost": Decimal("0.0021"), "AllocatedMethodId": None}]  # fmt: skip


def test_the_summary_reports_provider_truth(world) -> None:
    from ai_cost_attribution.summary import format_summary, read_summary

    summary = read_summary(world.db_path)
    # 9 files, more.jsonl holding 3 pages: 11 pages; 6 rejects (test above)
    assert (summary.provider_report_pages, sum(n for _, n in summary.provider_report_rejects)) == (11, 6)
    assert summary.untracked_by_provider == [("anthropic", Decimal("-0.00729")), ("openai", Decimal("0.00535"))]
    assert summary.drifting_models == [("usage", "anthropic", "claude-sonnet-4-5", 1.0)]
    text = format_summary(summary)
    assert "Price drift: usage anthropic/claude-sonnet-4-5" in text and "untracked usage openai: $0.01" in text


def test_no_value_in_a_report_page_fails_a_build(tmp_path) -> None:
    good = openai_completions_result("gpt-4o", input_tokens=1, output_tokens=1, requests=1)
    evil_openai = [
        openai_page([openai_bucket("2026-01-10", [good]) | {"start_time": 10**15}]),  # far past any date
        openai_page([openai_bucket("2026-01-10", [good | {"input_tokens": 10**20}])]),  # past any bigint sum
        openai_page([openai_bucket("2026-01-10", [good | {"output_tokens": -5}])]),
        openai_page([openai_bucket("2026-01-10", [good]) | {"start_time": "monday"}]),
        openai_page([openai_bucket("2026-01-10", [good | {"model": None}])]),
        openai_page([openai_bucket("2026-01-10", 5)]),  # results is not an array
    ]
    evil_costs = [
        anthropic_page([anthropic_bucket("2026-01-10", [anthropic_cost_result("abc")])]),
        anthropic_page([anthropic_bucket("2026-01-10", [anthropic_cost_result("1.5") | {"currency": "EUR"}])]),
        anthropic_page([anthropic_bucket("2026-01-10", [anthropic_cost_result("1e400")])]),
    ]
    nan_line = '{"object": "page", "data": [{"object": "bucket", "start_time": 1768003200, "end_time": 1768089600,' \
               ' "results": [{"object": "organization.usage.completions.result", "model": "gpt-4o",' \
               ' "input_tokens": NaN, "output_tokens": 1, "num_model_requests": 1}]}], "has_more": false}'  # fmt: skip
    built = build_world(
        tmp_path, usage={"calls.jsonl": [event("one", occurred_at="2026-01-10T12:00:00Z")]}, rate_card_rows=RATE_CARD,
        files={
            "provider_usage/evil.jsonl": "\n".join(json.dumps(page) for page in evil_openai) + "\n" + nan_line + "\n",
            "provider_costs/evil.jsonl": "\n".join(json.dumps(page) for page in evil_costs) + "\n",
            "provider_costs/empty.json": "",
            "provider_usage/bom_only.json": b"\xef\xbb\xbf",
        },
    )  # fmt: skip
    rejects = built.rows(
        "select folder, line_number, reject_reason, reject_detail from marts.fct_provider_report_rejects order by 1, 2"
    )
    assert rejects == [
        ("provider_costs", 1, "invalid_value", "amount:unreadable"),
        ("provider_costs", 2, "unsupported_currency", "eur"),
        ("provider_costs", 3, "invalid_value", "amount:unreadable"),
        ("provider_usage", 1, "invalid_bucket_time", None),
        ("provider_usage", 2, "invalid_value", "input_tokens:unreadable"),
        ("provider_usage", 3, "invalid_value", "output_tokens:unreadable"),
        ("provider_usage", 4, "invalid_bucket_time", None),
        ("provider_usage", 5, "missing_model", None),
        ("provider_usage", 6, "malformed_bucket", None),
        ("provider_usage", 7, "invalid_value", "input_tokens:unreadable"),
    ]  # an empty file and a file holding only a byte-order mark hold no page
    # nothing was counted, so nothing is reconciled, and the one logged call is in the ledger as usage
    assert built.scalar("select count(*) from marts.mart_usage_reconciliation") == 0
    assert built.scalar("select sum(amount_usd) from marts.fct_cost_ledger") == Decimal("0.0035")
