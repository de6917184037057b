"""The unit-economics scorecard: outcome values, feature profitability, routing coverage and the
benchmark bands, on a small company whose figures land on the published thresholds.

Prices: gpt-4o $100 per million input tokens (1,000 tokens = $0.10), gpt-4o-mini $10 (1,000
tokens = $0.01), no output price. No shared pool, no invoice: AI cost = usage cost. Every call is
prod, external; a router call carries only its trace and inherits the rest from the primary.

    January (revenue acme $0.60 + beta $0.40 = $1.00)
      support_assistant (acme)  t1 router mini $0.01 + 4o $0.10; t2 the same; t3 4o $0.04    $0.26
                                tickets resolved on t1 and t2, worth $0.20 each in January
      code_review (beta)        t4 router mini $0.01 + 4o $0.05; t5 mini $0.01               $0.07
                                a task completed on t4: task_completed has no value until March
      knowledge_search (acme)   t6 router mini $0.01 + mini $0.01; t7 4o $0.03; t8 4o $0.02   $0.07
                                no outcome; $0.07 of feature revenue (feature_revenue.csv)
    February (revenue $1.00 + $1.00): no router call
      support_assistant         t9 4o $0.10 (ticket on Feb 10: $0.20), t10 4o $0.10 (ticket on
                                Feb 20: $0.30, the value row in force from Feb 15)            $0.20
      code_review               t11 mini $0.01                                                $0.01
    March: nothing at all (an empty month)
    April (the as-of month, not over; no revenue row)
      support_assistant         t12 4o $0.10 on April 10 (ticket: $0.30, and a task: $0.50)   $0.10
      code_review               t13 mini $0.01 (a task: $0.90, the row for code_review wins)  $0.01
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import (
    REPOSITORY,
    BuiltWarehouse,
    build_world,
    copy_project,
    event,
    rate,
    run_world_dbt,
    shared_world,
    write_jsonl,
)
from parse_cache import start_from_saved_parse

D = Decimal
PROD = {"environment": "prod", "usage_type": "external"}
RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="100", output_usd_per_mtok="0"),
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="10", output_usd_per_mtok="0"),
]


def primary(request_id: str, trace: str, day: str, cents: int, *, mini: bool = False, **tags: str) -> dict:
    """A primary call costing `cents` cents (4o: 10 tokens a cent x 100; mini: 1,000 tokens a cent)."""
    tokens = cents * (1_000 if mini else 100)
    return event(request_id, trace_id=trace, occurred_at=f"{day}T10:00:00Z", model="gpt-4o-mini" if mini else "gpt-4o",
                 input_tokens=tokens, output_tokens=0, **PROD, **tags)  # fmt: skip


def router(request_id: str, trace: str, day: str) -> dict:
    """A router call on gpt-4o-mini, 1,000 tokens = $0.01, before its trace's primary call."""
    return event(request_id, trace_id=trace, call_role="router", occurred_at=f"{day}T09:59:00Z", model="gpt-4o-mini",
                 input_tokens=1_000, output_tokens=0)  # fmt: skip


SUPPORT = {"feature": "support_assistant", "customer_id": "acme"}
CODE = {"feature": "code_review", "customer_id": "beta"}
SEARCH = {"feature": "knowledge_search", "customer_id": "acme"}
JAN, FEB, APR = "2026-01-12", "2026-02-10", "2026-04-10"

CALLS = [
    router("r1", "t1", JAN), primary("p1", "t1", JAN, 10, **SUPPORT),
    router("r2", "t2", JAN), primary("p2", "t2", JAN, 10, **SUPPORT),
    primary("p3", "t3", JAN, 4, **SUPPORT),
    router("r4", "t4", JAN), primary("p4", "t4", JAN, 5, **CODE),
    primary("p5", "t5", JAN, 1, mini=True, **CODE),
    router("r6", "t6", JAN), primary("p6", "t6", JAN, 1, mini=True, **SEARCH),
    primary("p7", "t7", JAN, 3, **SEARCH),
    primary("p8", "t8", JAN, 2, **SEARCH),
    primary("p9", "t9", FEB, 10, **SUPPORT),
    primary("p10", "t10", "2026-02-20", 10, **SUPPORT),
    primary("p11", "t11", FEB, 1, mini=True, **CODE),
    primary("p12", "t12", APR, 10, **SUPPORT),
    primary("p13", "t13", APR, 1, mini=True, **CODE),
]  # fmt: skip

OUTCOME_COLUMNS = ["outcome_id", "outcome_type", "occurred_at", "customer_id", "feature", "agent", "ticket_id",
                   "trace_id"]  # fmt: skip


def outcome(outcome_id: str, outcome_type: str, day: str, trace: str) -> dict[str, str]:
    return {
        "outcome_id": outcome_id,
        "outcome_type": outcome_type,
        "occurred_at": f"{day}T11:00:00Z",
        "trace_id": trace,
    }


OUTCOMES = (
    OUTCOME_COLUMNS,
    [
        outcome("o1", "ticket_resolved", JAN, "t1"),
        outcome("o2", "ticket_resolved", JAN, "t2"),
        outcome("o4", "task_completed", JAN, "t4"),
        outcome("o9", "ticket_resolved", FEB, "t9"),
        outcome("o10", "ticket_resolved", "2026-02-20", "t10"),
        outcome("o12", "ticket_resolved", APR, "t12"),
        outcome("o13", "task_completed", APR, "t13"),
        outcome("o14", "task_completed", APR, "t12"),
    ],
)
VALUE_COLUMNS = ["outcome_type", "feature", "value_usd", "effective_from", "effective_to", "basis"]
OUTCOME_VALUES = (
    VALUE_COLUMNS,
    [
        {"outcome_type": "ticket_resolved", "value_usd": "0.20", "effective_from": "2026-01-01",
         "effective_to": "2026-02-15", "basis": "cost of a human-handled ticket"},
        {"outcome_type": "ticket_resolved", "value_usd": "0.30", "effective_from": "2026-02-15",
         "basis": "cost of a human-handled ticket after the pay rise"},
        {"outcome_type": "task_completed", "value_usd": "0.50", "effective_from": "2026-03-01",
         "basis": "a task a person would do"},
        {"outcome_type": "task_completed", "feature": "code_review", "value_usd": "0.90",
         "effective_from": "2026-04-01", "basis": "a review an engineer would do"},
    ],
)  # fmt: skip
REVENUE = (
    ["customer_id", "month", "revenue_usd"],
    [
        {"customer_id": "acme", "month": "2026-01-01", "revenue_usd": "0.60"},
        {"customer_id": "beta", "month": "2026-01-01", "revenue_usd": "0.40"},
        {"customer_id": "acme", "month": "2026-02-01", "revenue_usd": "1.00"},
        {"customer_id": "beta", "month": "2026-02-01", "revenue_usd": "1.00"},
    ],
)
FEATURE_REVENUE = (
    ["feature", "month", "revenue_usd"],
    [{"feature": "knowledge_search", "month": "2026-01-01", "revenue_usd": "0.07"}],
)
CUSTOMERS = (
    ["customer_id", "customer_name", "plan_tier"],
    [{"customer_id": "acme", "plan_tier": "pro"}, {"customer_id": "beta", "plan_tier": "enterprise"}],
)


def scorecard_world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The fixture world, built once per test session (test_semantic_layer queries it too, perhaps
    from another worker): conftest.shared_world."""
    return shared_world("scorecard_world", tmp_path_factory, _build_world)


def _build_world(root: Path) -> BuiltWarehouse:
    return build_world(
        root,
        artifacts=True,  # MetricFlow reads target/semantic_manifest.json (test_semantic_layer)
        usage={"calls.jsonl": CALLS},
        csv_inputs={
            "customers": CUSTOMERS,
            "customer_revenue": REVENUE,
            "outcomes": OUTCOMES,
            "outcome_values": OUTCOME_VALUES,
            "feature_revenue": FEATURE_REVENUE,
        },
        rate_card_rows=RATE_CARD,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return scorecard_world(tmp_path_factory)


def one(warehouse: BuiltWarehouse, mart: str, **keys: str) -> dict:
    where = " and ".join(f"{column} = ?" for column in keys)
    found = warehouse.dicts(f"select * from marts.{mart} where {where}", list(keys.values()))
    assert len(found) == 1, f"expected one row of {mart} for {keys}, found {len(found)}"
    return found[0]


def card(warehouse: BuiltWarehouse, month: str, metric: str, benchmark: str | None = None) -> dict:
    found = warehouse.dicts(
        "select * from marts.mart_unit_economics_scorecard where month = ? and metric = ?"
        " and benchmark is not distinct from ?",
        [month, metric, benchmark],
    )
    assert len(found) == 1, f"expected one scorecard row for {month} {metric} {benchmark}, found {len(found)}"
    return found[0]


EXOGRAM_COGS = "exogram_ai_cogs_ratio"
KNOWMBA = "knowmba_ai_cost_share_of_revenue"
EXOGRAM_REQUEST = "exogram_inference_cost_per_request"
EXOGRAM_ROUTING = "exogram_routing_coverage"
EXOGRAM_PROFIT = "exogram_feature_profitability"


# --- outcome values -------------------------------------------------------------------------------


def test_an_outcome_is_valued_at_the_row_in_force_on_its_day(warehouse) -> None:
    values = dict(warehouse.rows("select outcome_id, value_usd from marts.fct_outcomes"))
    assert values["o1"] == D("0.20") and values["o9"] == D("0.20")  # before Feb 15
    assert values["o10"] == D("0.30") and values["o12"] == D("0.30")  # from Feb 15 on
    assert values["o4"] is None  # task_completed has a value only from March 1
    # a row naming the feature wins over the row for every feature
    assert (values["o13"], values["o14"]) == (D("0.90"), D("0.50"))
    o10 = one(warehouse, "fct_outcomes", outcome_id="o10")
    assert (o10["value_basis"], o10["is_valued"]) == ("cost of a human-handled ticket after the pay rise", True)


def test_feature_value_net_value_roi_and_profitability(warehouse) -> None:
    support = one(warehouse, "mart_feature_unit_economics", feature="support_assistant", month="2026-01-01")
    # cost $0.11 + $0.11 + $0.04; two tickets at $0.20
    assert support["ai_cost_usd"] == D("0.26")
    assert (support["valued_outcomes"], support["unvalued_outcomes"]) == (2, 0)
    assert support["outcome_value_usd"] == support["value_usd"] == D("0.40")
    assert support["net_value_usd"] == D("0.14")  # 0.40 - 0.26
    assert support["roi"] == pytest.approx(0.14 / 0.26)
    assert support["is_profitable"] is True

    # a feature with outcomes but no value: its value is unknown, so it does not pay for itself
    code = one(warehouse, "mart_feature_unit_economics", feature="code_review", month="2026-01-01")
    assert code["ai_cost_usd"] == D("0.07")  # 0.01 + 0.05 + 0.01
    assert (code["outcomes"], code["valued_outcomes"], code["unvalued_outcomes"]) == (1, 0, 1)
    assert (code["value_usd"], code["net_value_usd"], code["roi"], code["is_profitable"]) == (None, None, None, False)

    # revenue mapped to a feature counts as what it earns; earning exactly its cost is not a profit
    search = one(warehouse, "mart_feature_unit_economics", feature="knowledge_search", month="2026-01-01")
    assert search["ai_cost_usd"] == D("0.07")  # 0.02 + 0.03 + 0.02
    assert (search["outcome_value_usd"], search["revenue_usd"], search["value_usd"]) == (None, D("0.07"), D("0.07"))
    assert (search["net_value_usd"], search["roi"], search["is_profitable"]) == (D("0"), 0.0, False)

    february = one(warehouse, "mart_feature_unit_economics", feature="support_assistant", month="2026-02-01")
    assert february["value_usd"] == D("0.50")  # $0.20 (Feb 10) + $0.30 (Feb 20)
    assert february["net_value_usd"] == D("0.30")  # 0.50 - 0.20


def test_cost_of_an_ai_resolved_ticket_beside_a_human_one(warehouse) -> None:
    tickets = one(
        warehouse, "mart_feature_outcome_economics", feature="support_assistant", month="2026-02-01",
        outcome_type="ticket_resolved",
    )  # fmt: skip
    assert tickets["cost_per_outcome"] == D("0.10")  # $0.20 / 2 tickets
    assert tickets["value_per_outcome"] == D("0.25")  # ($0.20 + $0.30) / 2
    assert (tickets["outcome_value_usd"], tickets["net_value_usd"]) == (D("0.50"), D("0.30"))
    assert tickets["roi"] == pytest.approx(1.5)  # 0.30 / 0.20
    unvalued = one(
        warehouse, "mart_feature_outcome_economics", feature="code_review", month="2026-01-01",
        outcome_type="task_completed",
    )  # fmt: skip
    assert (unvalued["valued_outcomes"], unvalued["value_per_outcome"], unvalued["net_value_usd"]) == (0, None, None)


# --- routing coverage -------------------------------------------------------------------------------


def test_routing_coverage_per_feature_and_month(warehouse) -> None:
    support = one(warehouse, "mart_feature_routing_coverage", feature="support_assistant", month="2026-01-01")
    # t1 and t2 of t1-t3 had a router; 5 calls, the 2 routers on gpt-4o-mini (the cheapest)
    assert (support["interactions"], support["routed_interactions"]) == (3, 2)
    assert support["routing_coverage"] == pytest.approx(2 / 3)
    assert (support["calls"], support["calls_on_cheapest_model"]) == (5, 2)
    search = one(warehouse, "mart_feature_routing_coverage", feature="knowledge_search", month="2026-01-01")
    # t6 routed; r6 and p6 on mini, p7 and p8 on gpt-4o
    assert (search["routed_interactions"], search["interactions"], search["calls_on_cheapest_model"]) == (1, 3, 2)
    # a month with no router call
    february = one(warehouse, "mart_feature_routing_coverage", feature="support_assistant", month="2026-02-01")
    assert (february["routed_interactions"], february["routing_coverage"]) == (0, 0.0)
    mix = dict(warehouse.rows("select model, is_cheapest_model from marts.mart_model_mix where month = '2026-01-01'"))
    assert mix == {"gpt-4o": False, "gpt-4o-mini": True}


# --- the scorecard ------------------------------------------------------------------------------------


def test_january_lands_on_the_thresholds(warehouse) -> None:
    # AI COGS / revenue: $0.40 / $1.00 = 40 %, on the upper bound both publishers include
    cogs = card(warehouse, "2026-01-01", "ai_cogs_ratio", EXOGRAM_COGS)
    assert (cogs["numerator"], cogs["denominator"], cogs["value"]) == (D("0.40"), D("1.00"), D("0.40"))
    assert cogs["band"] == "worse_than_median"  # Exogram: "low" is over 40 %
    assert (cogs["band_lower_bound"], cogs["band_upper_bound"]) == (D("0.25"), D("0.40"))
    assert (cogs["band_lower_bound_included"], cogs["band_upper_bound_included"]) == (False, True)
    assert card(warehouse, "2026-01-01", "ai_cogs_ratio", KNOWMBA)["band"] == "attribution_gaps"  # 20-40 %

    # inference cost per request: $0.40 usage over 8 interactions = $0.05, the top of the median range
    request = card(warehouse, "2026-01-01", "inference_cost_per_request", EXOGRAM_REQUEST)
    assert (request["numerator"], request["denominator"], request["value"]) == (D("0.40"), D("8"), D("0.05"))
    assert (request["band"], request["band_upper_bound"], request["band_upper_bound_included"]) == (
        "median", D("0.05"), True,
    )  # fmt: skip

    # routing coverage: t1, t2, t4, t6 of 8 interactions = 50 %, the bottom of the median range
    routing = card(warehouse, "2026-01-01", "routing_coverage", EXOGRAM_ROUTING)
    assert (routing["numerator"], routing["denominator"], routing["value"]) == (D("4"), D("8"), D("0.5"))
    assert (routing["band"], routing["band_lower_bound"], routing["band_lower_bound_included"]) == (
        "median", D("0.5"), True,
    )  # fmt: skip

    # calls on the cheapest model: r1 r2 r4 r6 p5 p6 of 12 calls; no benchmark judges it
    cheapest = card(warehouse, "2026-01-01", "cheapest_model_call_share")
    assert (cheapest["numerator"], cheapest["denominator"], cheapest["value"]) == (D("6"), D("12"), D("0.5"))
    assert (cheapest["benchmark"], cheapest["band"]) == (None, None)

    # profitable AI features: support only, of 3 -> 33 %
    profit = card(warehouse, "2026-01-01", "feature_profitability", EXOGRAM_PROFIT)
    assert (profit["numerator"], profit["denominator"]) == (D("1"), D("3"))
    assert profit["value"] == D("0.333333333333")
    assert profit["band"] == "worse_than_median"  # 30-50 %
    assert (profit["band_rank"], profit["bands_in_benchmark"]) == (4, 5)


def test_february_changes_against_january(warehouse) -> None:
    cogs = card(warehouse, "2026-02-01", "ai_cogs_ratio", EXOGRAM_COGS)
    # $0.21 / $2.00 = 10.5 % (down 29.5 points: better, as lower is better)
    assert (cogs["value"], cogs["previous_value"], cogs["change"]) == (D("0.105"), D("0.40"), D("-0.295"))
    assert (cogs["band"], cogs["previous_band"], cogs["trend"]) == ("better_than_median", "worse_than_median", "better")
    assert card(warehouse, "2026-02-01", "ai_cogs_ratio", KNOWMBA)["band"] == "typical"
    request = card(warehouse, "2026-02-01", "inference_cost_per_request", EXOGRAM_REQUEST)
    assert (request["value"], request["change"], request["trend"]) == (D("0.07"), D("0.02"), "worse")  # $0.21 / 3
    # a month with no router call: 0 %, the low band
    routing = card(warehouse, "2026-02-01", "routing_coverage", EXOGRAM_ROUTING)
    assert (routing["value"], routing["band"], routing["trend"]) == (D("0"), "low", "worse")
    # support profitable ($0.50 > $0.20), code review without a valued outcome: 1 of 2 = 50 %, median
    profit = card(warehouse, "2026-02-01", "feature_profitability", EXOGRAM_PROFIT)
    assert (profit["value"], profit["band"], profit["trend"]) == (D("0.5"), "median", "better")


def test_an_empty_month_has_rows_and_no_values(warehouse) -> None:
    march = warehouse.dicts("select * from marts.mart_unit_economics_scorecard where month = '2026-03-01'")
    # five metrics: AI COGS twice (Exogram, KnowMBA), three with one benchmark, one with none
    assert len(march) == 6
    assert all(row["value"] is None and row["band"] is None and row["change"] is None for row in march)
    april = card(warehouse, "2026-04-01", "feature_profitability", EXOGRAM_PROFIT)
    # support ($0.80 > $0.10) and code review ($0.90 > $0.01): 2 of 2. The month after an empty
    # one has nothing to change against; April is month to date
    assert (april["value"], april["band"], april["previous_value"], april["trend"]) == (D("1"), "elite", None, None)
    assert april["is_month_complete"] is False
    assert card(warehouse, "2026-01-01", "routing_coverage", EXOGRAM_ROUTING)["is_month_complete"] is True
    # no revenue row in April: no AI COGS ratio
    assert card(warehouse, "2026-04-01", "ai_cogs_ratio", KNOWMBA)["value"] is None


def test_the_scorecard_equals_the_marts(warehouse) -> None:
    """Each value is recomputed from the marts it reads, for every month with data."""
    from_marts = {
        "ai_cogs_ratio": "select month, sum(ai_cost_usd), sum(revenue_usd)"
        " from marts.mart_customer_unit_economics group by 1",
        "inference_cost_per_request": "select month, sum(usage_cost_usd), sum(interactions)"
        " from marts.mart_feature_unit_economics group by 1",
        "routing_coverage": "select month, sum(routed_interactions), sum(interactions)"
        " from marts.mart_feature_routing_coverage group by 1",
        "cheapest_model_call_share": "select month, sum(calls_on_cheapest_model), sum(calls)"
        " from marts.mart_feature_routing_coverage group by 1",
        "feature_profitability": "select month, count(*) filter (where is_profitable), count(*)"
        " from marts.mart_feature_unit_economics where feature <> 'unattributed' group by 1",
    }
    compared = 0
    for metric, sql in from_marts.items():
        for month, numerator, denominator in warehouse.rows(sql):
            for row in warehouse.dicts(
                "select * from marts.mart_unit_economics_scorecard where month = ? and metric = ?", [month, metric]
            ):
                assert (row["numerator"], row["denominator"]) == (D(numerator), D(denominator)), (metric, month)
                expected = D(numerator) / D(denominator) if denominator else None
                assert (row["value"] is None) == (expected is None)
                if expected is not None:
                    assert abs(row["value"] - expected) < D("1e-12"), (metric, month)
                compared += 1
    assert compared == 3 * 6  # January, February, April: 6 rows each


def test_benchmark_sources_are_in_every_row(warehouse) -> None:
    rows = warehouse.dicts("select distinct benchmark, publisher, url from marts.mart_unit_economics_scorecard")
    sources = {row["benchmark"]: (row["publisher"], row["url"]) for row in rows}
    assert sources[EXOGRAM_COGS] == ("Exogram", "https://exogram.tech")
    assert sources[KNOWMBA] == ("KnowMBA", "https://knowmba.com")
    assert sources[None] == (None, None)


# --- each boundary of each published benchmark ------------------------------------------------------

# On each threshold, the band the published range puts the value in: a strict bound (< 10 %,
# > 40 %) leaves it to the next band, a closed range (15-25 %) keeps both ends, and where two of
# KnowMBA's ranges share an end (8 %, 20 %) the value goes to the higher one.
ON_THE_THRESHOLD = {
    EXOGRAM_COGS: [("0.10", "better_than_median"), ("0.15", "median"), ("0.25", "median"),
                   ("0.40", "worse_than_median")],
    EXOGRAM_REQUEST: [("0.005", "better_than_median"), ("0.01", "median"), ("0.05", "median"),
                      ("0.10", "worse_than_median")],
    EXOGRAM_ROUTING: [("0.30", "worse_than_median"), ("0.50", "median"), ("0.70", "median"),
                      ("0.85", "better_than_median")],
    EXOGRAM_PROFIT: [("0.30", "worse_than_median"), ("0.50", "median"), ("0.60", "median"),
                     ("0.80", "better_than_median")],
    KNOWMBA: [("0.03", "disciplined"), ("0.08", "typical"), ("0.20", "attribution_gaps"),
              ("0.40", "attribution_gaps")],
}  # fmt: skip
JUST_ABOVE = D("0.000001")


@pytest.fixture(scope="module")
def band_condition(warehouse: BuiltWarehouse) -> str:
    """The SQL condition the marts classify a value into a band with (aicost_value_in_band),
    compiled by dbt in the fixture project."""
    result = run_world_dbt(
        ["compile", "--quiet", "--output", "json", "--inline", "{{ aicost_value_in_band('probe.value', 'band') }}"],
        warehouse.dbt_vars, warehouse.project_dir, warehouse.db_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout[result.stdout.index("{") :])["compiled"]


def classified(
    warehouse: BuiltWarehouse, condition: str, values: list[tuple[str, Decimal]]
) -> dict[tuple[str, Decimal], list[str]]:
    """The bands of int_benchmark_bands_bounded each (benchmark, value) falls in, by the marts'
    band `condition`."""
    probes = " union all ".join(
        f"select '{benchmark}' as benchmark, cast('{value}' as decimal(38, 12)) as value" for benchmark, value in values
    )
    found: dict[tuple[str, Decimal], list[str]] = {(benchmark, value): [] for benchmark, value in values}
    for benchmark, value, band in warehouse.rows(
        f"select probe.benchmark, probe.value, band.band from ({probes}) as probe"
        f" inner join intermediate.int_benchmark_bands_bounded as band on band.benchmark = probe.benchmark"
        f" and {condition} order by band.band_order"
    ):
        found[(benchmark, value)].append(band)
    return found


def test_a_value_on_each_threshold_falls_in_exactly_one_published_band(warehouse, band_condition) -> None:
    on = [(benchmark, D(value)) for benchmark, points in ON_THE_THRESHOLD.items() for value, _ in points]
    above = [(benchmark, value + JUST_ABOVE) for benchmark, value in on]
    bands = classified(warehouse, band_condition, on + above)
    ordered = {
        benchmark: [band for (band,) in warehouse.rows(
            "select band from intermediate.int_benchmark_bands_bounded where benchmark = ? order by band_order",
            [benchmark])]
        for benchmark in ON_THE_THRESHOLD
    }  # fmt: skip
    for benchmark, points in ON_THE_THRESHOLD.items():
        for index, (value, expected) in enumerate(points):
            assert bands[(benchmark, D(value))] == [expected], (benchmark, value)
            # just above a threshold a value is in the band above it
            assert bands[(benchmark, D(value) + JUST_ABOVE)] == [ordered[benchmark][index + 1]], (benchmark, value)
    # below the first threshold and far above the last: the first and the last band
    end_values = [(EXOGRAM_COGS, D("0")), (EXOGRAM_COGS, D("7")), (EXOGRAM_ROUTING, D("1"))]
    ends = classified(warehouse, band_condition, end_values)
    assert ends == {(EXOGRAM_COGS, D("0")): ["elite"], (EXOGRAM_COGS, D("7")): ["low"],
                    (EXOGRAM_ROUTING, D("1")): ["elite"]}  # fmt: skip


def test_the_published_rows_of_the_seed() -> None:
    with (REPOSITORY / "seeds" / "unit_economics_benchmarks.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    benchmarks = {row["benchmark"] for row in rows}
    assert benchmarks == {EXOGRAM_COGS, EXOGRAM_REQUEST, EXOGRAM_ROUTING, EXOGRAM_PROFIT, KNOWMBA}
    assert all(row["publisher"] and row["url"] for row in rows)
    thresholds = {b: [row["upper_bound"] for row in rows if row["benchmark"] == b] for b in benchmarks}
    assert thresholds[EXOGRAM_COGS] == ["0.10", "0.15", "0.25", "0.40", ""]
    assert thresholds[EXOGRAM_REQUEST] == ["0.005", "0.01", "0.05", "0.10", ""]
    assert thresholds[EXOGRAM_ROUTING] == ["0.30", "0.50", "0.70", "0.85", ""]
    assert thresholds[EXOGRAM_PROFIT] == ["0.30", "0.50", "0.60", "0.80", ""]
    assert thresholds[KNOWMBA] == ["0.03", "0.08", "0.20", "0.40", ""]


# --- configuration errors ---------------------------------------------------------------------------


def test_overlapping_outcome_values_are_named_by_line(tmp_path) -> None:
    built = build_world(
        tmp_path,
        usage={"calls.jsonl": [primary("p1", "t1", JAN, 10, **SUPPORT)]},
        csv_inputs={"outcome_values": (VALUE_COLUMNS, [
            {"outcome_type": "ticket_resolved", "value_usd": "4", "effective_from": "2026-01-01"},
            {"outcome_type": "task_completed", "value_usd": "9", "effective_from": "2026-01-01"},
            {"outcome_type": "Ticket_Resolved", "value_usd": "5", "effective_from": "2026-03-01",
             "effective_to": "2026-06-01"},
            {"outcome_type": "task_completed", "value_usd": "-1", "effective_from": "2027-01-01"},
            {"outcome_type": "ticket_resolved", "feature": "support_assistant", "value_usd": "6",
             "effective_from": "2026-03-01"},
        ])},
        rate_card_rows=RATE_CARD,
        expect_success=False,
    )  # fmt: skip
    output = built.build.stdout + built.build.stderr
    assert built.build.returncode != 0
    # line 2 is open-ended, so line 4 starts inside it; line 3 and 5 share task_completed too
    assert (
        "outcome_values.csv line 4: effective_from overlaps the period of line 2 "
        "(same outcome_type, feature; periods may not overlap)" in output
    )
    assert "outcome_values.csv line 5: effective_from overlaps the period of line 3" in output
    assert "outcome_values.csv line 5: value_usd '-1' is below 0" in output
    # a row for one feature may sit beside the row for every feature
    assert "line 6" not in output


def test_a_benchmark_row_the_scorecard_cannot_use_fails_the_build(tmp_path) -> None:
    """A user's row naming a metric the scorecard does not compute, with a last band that stops."""
    project = copy_project(tmp_path / "project", RATE_CARD)
    seed = project / "seeds" / "unit_economics_benchmarks.csv"
    seed.write_text(
        seed.read_text(encoding="utf-8")
        + "mine,cost_per_widget,my industry,lower_is_better,1,good,good,1,false,Me,My notes,2026,https://example.com\n",
        encoding="utf-8",
    )
    raw = tmp_path / "raw"
    write_jsonl(raw / "usage" / "calls.jsonl", [primary("p1", "t1", JAN, 10, **SUPPORT)])
    db_path = tmp_path / "warehouse.duckdb"
    start_from_saved_parse(project, {"raw_path": str(raw)}, REPOSITORY)
    result = run_world_dbt(
        ["build", "--select", "unit_economics_benchmarks", "int_benchmark_bands_bounded",
         "assert_unit_economics_benchmarks_are_valid"],
        {"raw_path": str(raw)}, project, db_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Failure in test assert_unit_economics_benchmarks_are_valid" in result.stdout
    compiled = next((project / "target" / "compiled").rglob("assert_unit_economics_benchmarks_are_valid.sql"))
    problems = BuiltWarehouse(db_path, tmp_path, project, result).rows(
        f"select benchmark, problem from ({compiled.read_text(encoding='utf-8')}) as problems"
    )
    metrics = (
        "ai_cogs_ratio, inference_cost_per_request, routing_coverage, cheapest_model_call_share, feature_profitability"
    )
    assert sorted(problems) == [
        ("mine", f"metric is not one of {metrics}"),
        ("mine", "the last band must have an empty upper_bound (it holds every value above)"),
    ]
