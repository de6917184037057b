"""Dimension resolution: own tag -> the trace's primary call -> api key -> owners -> unattributed."""

from __future__ import annotations

import pytest

from conftest import CALL_PIPELINE_BUILD, build_world, event, rate

RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10"),
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="0.15", output_usd_per_mtok="0.6"),
]

LINES = [
    # a trace: the primary call is tagged, its router and evaluator are not
    event("primary", trace_id="t1", call_role="primary", customer_id="acme", feature="support_assistant",
          user_id="u-1", environment="prod", usage_type="external", region="eu", agent="support_agent"),
    event("router", trace_id="t1", parent_request_id="primary", call_role="router", model="gpt-4o-mini"),
    # the evaluator has a feature of its own: its own tag wins over the trace's
    event("evaluator", trace_id="t1", call_role="evaluator", model="gpt-4o-mini", feature="quality_eval"),
    # untagged but sent with a known api key
    event("by_key", api_key_alias="key-search-prod"),
    # a tag in metadata counts as a tag
    event("by_metadata", feature="code_review", metadata={"region": "us"}),
    # nothing at all
    event("untagged"),
    # a router whose trace has no primary call: nothing to inherit
    event("orphan_router", trace_id="t2", call_role="router", model="gpt-4o-mini"),
    # no primary call at all: the trace speaks with its first call (the router, before the evaluator)
    event("t3_evaluator", trace_id="t3", call_role="evaluator", occurred_at="2026-01-10T12:00:05Z",
          customer_id="hooli", model="gpt-4o-mini"),
    event("t3_router", trace_id="t3", call_role="router", occurred_at="2026-01-10T12:00:01Z",
          customer_id="initech", model="gpt-4o-mini"),
    # the first primary call is on a model with no price: the trace speaks with its first priced primary
    event("t4_unpriced", trace_id="t4", call_role="primary", occurred_at="2026-01-10T11:00:00Z",
          customer_id="umbrella", model="mystery-model"),
    event("t4_router", trace_id="t4", call_role="router", occurred_at="2026-01-10T11:00:02Z",
          model="gpt-4o-mini"),
    event("t4_retry", trace_id="t4", call_role="primary", occurred_at="2026-01-10T11:00:04Z",
          customer_id="wayne"),
]  # fmt: skip

API_KEYS = (
    ["api_key_alias", "feature", "team", "environment", "usage_type", "customer_id"],
    [{"api_key_alias": "key-search-prod", "feature": "knowledge_search", "environment": "prod",
      "usage_type": "external", "customer_id": "globex"}],
)  # fmt: skip

OWNERS = (
    ["feature", "team", "product"],
    [
        {"feature": "support_assistant", "team": "support_ai", "product": "helpdesk"},
        {"feature": "knowledge_search", "team": "search", "product": "helpdesk"},
        {"feature": "code_review", "team": "devtools", "product": "code"},
    ],
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("dimensions"),
        usage={"calls.jsonl": LINES},
        csv_inputs={"api_keys": API_KEYS, "feature_owners": OWNERS},
        rate_card_rows=RATE_CARD,
        # t4's first primary call is unpriced on purpose
        dbt_vars={"unpriced_severity": "warn"},
        command=CALL_PIPELINE_BUILD,
    )


DIMENSIONS = ["customer_id", "feature", "team", "agent", "environment", "region", "product", "usage_type"]


def dims(warehouse, request_id: str) -> dict[str, str]:
    call = warehouse.call(request_id)
    return {name: call[name] for name in DIMENSIONS}


def test_router_inherits_every_dimension_of_the_primary_call(warehouse) -> None:
    assert dims(warehouse, "router") == dims(warehouse, "primary") == {
        "customer_id": "acme", "feature": "support_assistant", "team": "support_ai", "agent": "support_agent",
        "environment": "prod", "region": "eu", "product": "helpdesk", "usage_type": "external",
    }  # fmt: skip
    assert warehouse.call("router")["user_id"] == "u-1"


def test_own_tag_wins_over_the_trace(warehouse) -> None:
    evaluator = dims(warehouse, "evaluator")
    assert evaluator["feature"] == "quality_eval"
    assert evaluator["customer_id"] == "acme"
    # quality_eval has no owner row, and the trace's primary call has no team tag of its own
    assert evaluator["team"] == "unattributed"


def test_api_key_supplies_what_the_event_lacks(warehouse) -> None:
    assert dims(warehouse, "by_key") == {
        "customer_id": "globex", "feature": "knowledge_search", "team": "search", "agent": "unattributed",
        "environment": "prod", "region": "unattributed", "product": "helpdesk", "usage_type": "external",
    }  # fmt: skip


def test_feature_owners_supply_team_and_product(warehouse) -> None:
    resolved = dims(warehouse, "by_metadata")
    assert (resolved["team"], resolved["product"], resolved["region"]) == ("devtools", "code", "us")


def test_untagged_calls_are_unattributed_never_null(warehouse) -> None:
    assert set(dims(warehouse, "untagged").values()) == {"unattributed"}
    assert set(dims(warehouse, "orphan_router").values()) == {"unattributed"}
    assert warehouse.call("untagged")["trace_id"] == "untagged"


def test_a_trace_speaks_with_its_first_priced_primary_call_else_its_first_call(warehouse) -> None:
    speakers = dict(warehouse.rows("select trace_id, customer_id from marts.fct_traces order by trace_id"))
    assert speakers["t1"] == "acme"
    # no primary call: the router came first (12:00:01, the evaluator 12:00:05)
    assert speakers["t3"] == "initech"
    # the unpriced first primary call is not in the priced facts; its router inherited from it
    assert speakers["t4"] == "wayne"
    assert warehouse.call("t4_router")["customer_id"] == "umbrella"
    t4 = warehouse.dicts("select calls, primary_calls, router_calls from marts.fct_traces where trace_id = 't4'")[0]
    assert (t4["calls"], t4["primary_calls"], t4["router_calls"]) == (2, 1, 1)
