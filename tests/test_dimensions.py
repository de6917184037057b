"""Dimension resolution: own tag -> the trace's primary call -> api key -> owners -> unattributed."""

from __future__ import annotations

import pytest

from conftest import build_world, event, rate

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
