"""The small company the app tests open: three customers, two months, a handful of calls.

January 2026 is "last month", February 2026 runs to the 10th ("today" for the app). Prices per
million tokens: gpt-4o 2.50 in / 10 out, gpt-4o-mini 0.15 / 0.60, claude-sonnet-4-5 3 / 15 with a
negotiated 10 % discount. The costs written beside the calls are list prices."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPOSITORY, BuiltWarehouse, build_world, event, rate, shared_world

__all__ = ["ANOMALY_VARS", "BUILD_COMMAND", "build_app_world", "event", "open_app", "shared_app_world"]

RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10"),
    rate("openai", "gpt-4o-mini", input_usd_per_mtok="0.15", output_usd_per_mtok="0.6"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15"),
]

PROD = {"environment": "prod", "usage_type": "external", "region": "us"}
SUPPORT = {"feature": "support_assistant", "team": "support", "agent": "support_agent", "product": "helpdesk"}
DOCS = {"feature": "doc_summarizer", "team": "knowledge", "agent": "none", "product": "docs"}
SEARCH = {"feature": "knowledge_search", "team": "knowledge", "product": "docs"}

FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2026, 2, 10)
SPIKE_DAY = date(2026, 2, 9)


def _at(day: date, hour: int = 12) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def steady_search_calls() -> list[dict[str, Any]]:
    """One knowledge_search call a day for acme (a baseline for the anomaly detector), with a
    spike of ten large calls on 9 February."""
    calls = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        tokens = 10_000 if day.toordinal() % 2 else 12_000
        calls.append(event(f"s_{day:%m%d}", occurred_at=_at(day, 9), model="gpt-4o-mini", customer_id="acme",
                           user_id="u_search", input_tokens=tokens, output_tokens=500, **SEARCH, **PROD))  # fmt: skip
        if day == SPIKE_DAY:
            calls += [event(f"spike_{n}", occurred_at=_at(day, 10), model="gpt-4o-mini", customer_id="acme",
                            user_id="u_search", input_tokens=1_000_000, output_tokens=10_000, **SEARCH, **PROD)
                      for n in range(10)]  # fmt: skip
        day += timedelta(days=1)
    return calls


CALLS = [
    # January
    # j1: 10,000 in, 1,000 out on gpt-4o = 0.025 + 0.010 = $0.035; its router call 0.0003 + 0.000006
    event("j1", trace_id="t_j1", occurred_at=_at(date(2026, 1, 12)), customer_id="acme", user_id="u1",
          input_tokens=10_000, output_tokens=1_000, **SUPPORT, **PROD),
    event("j1_router", trace_id="t_j1", call_role="router", occurred_at=_at(date(2026, 1, 12)),
          model="gpt-4o-mini", input_tokens=2_000, output_tokens=10),
    # j2: claude 20,000 / 2,000 = 0.06 + 0.03 = $0.09 list, $0.081 after the 10 % discount
    event("j2", occurred_at=_at(date(2026, 1, 14)), provider="anthropic", model="claude-sonnet-4-5",
          customer_id="beta", user_id="u2", input_tokens=20_000, output_tokens=2_000, **DOCS, **PROD),
    # j3: 4,000 / 500 on gpt-4o = 0.01 + 0.005 = $0.015
    event("j3", occurred_at=_at(date(2026, 1, 20)), customer_id="free_co", user_id="u3",
          input_tokens=4_000, output_tokens=500, **SUPPORT, **PROD),
    # j4: a developer's call (dev, internal): 0.0025 + 0.001 = $0.0035, never product COGS
    event("j4", occurred_at=_at(date(2026, 1, 21)), user_id="dev1", input_tokens=1_000, output_tokens=100,
          environment="dev", usage_type="internal", region="us", **SUPPORT),
    # February
    # f1: 20,000 / 2,000 on gpt-4o = 0.05 + 0.02 = $0.07; its evaluator on claude 5,000 / 200 =
    # 0.015 + 0.003 = $0.018 list, $0.0162 after discount
    event("f1", trace_id="t_f1", occurred_at=_at(date(2026, 2, 3)), customer_id="acme", user_id="u1",
          input_tokens=20_000, output_tokens=2_000, **SUPPORT, **PROD),
    event("f1_eval", trace_id="t_f1", call_role="evaluator", occurred_at=_at(date(2026, 2, 3), 13),
          provider="anthropic", model="claude-sonnet-4-5", input_tokens=5_000, output_tokens=200),
    # f2: gpt-4o-mini 100,000 / 5,000 = 0.015 + 0.003 = $0.018
    event("f2", occurred_at=_at(date(2026, 2, 5)), model="gpt-4o-mini", customer_id="beta", user_id="u2",
          input_tokens=100_000, output_tokens=5_000, **DOCS, **PROD),
    # f3: 8,000 / 800 on gpt-4o = 0.02 + 0.008 = $0.028
    event("f3", occurred_at=_at(date(2026, 2, 10)), customer_id="acme", user_id="u4",
          input_tokens=8_000, output_tokens=800, **SUPPORT, **PROD),
    # f4: an untagged call: 1,000 / 100 on gpt-4o-mini = 0.00015 + 0.00006 = $0.00021
    event("f4", occurred_at=_at(date(2026, 2, 6)), model="gpt-4o-mini", input_tokens=1_000, output_tokens=100),
    *steady_search_calls(),
]  # fmt: skip

CUSTOMERS = (
    ["customer_id", "customer_name", "plan_tier", "segment", "region", "is_internal"],
    [
        {"customer_id": "acme", "customer_name": "Acme Corp", "plan_tier": "enterprise", "segment": "sales_led",
         "region": "us", "is_internal": "false"},
        {"customer_id": "beta", "customer_name": "Beta Labs", "plan_tier": "pro", "segment": "self_serve",
         "region": "us", "is_internal": "false"},
        {"customer_id": "free_co", "customer_name": "Free Co", "plan_tier": "free", "segment": "self_serve",
         "region": "us", "is_internal": "false"},
    ],
)  # fmt: skip

REVENUE = (
    ["customer_id", "month", "revenue_usd"],
    [
        {"customer_id": "acme", "month": "2026-01-01", "revenue_usd": "2.00"},
        {"customer_id": "acme", "month": "2026-02-01", "revenue_usd": "2.00"},
        # beta pays 5 cents in January while its AI costs 8.1 cents plus shared costs
        {"customer_id": "beta", "month": "2026-01-01", "revenue_usd": "0.05"},
        {"customer_id": "beta", "month": "2026-02-01", "revenue_usd": "0.05"},
        {"customer_id": "free_co", "month": "2026-01-01", "revenue_usd": "0"},
    ],
)

OUTCOMES = (
    ["outcome_id", "outcome_type", "occurred_at", "customer_id", "feature", "agent", "ticket_id", "trace_id"],
    [
        {"outcome_id": "o1", "outcome_type": "ticket_resolved", "occurred_at": _at(date(2026, 1, 12), 14),
         "customer_id": "acme", "feature": "support_assistant", "agent": "support_agent", "ticket_id": "T1",
         "trace_id": "t_j1"},
        {"outcome_id": "o2", "outcome_type": "ticket_resolved", "occurred_at": _at(date(2026, 2, 3), 14),
         "customer_id": "acme", "feature": "support_assistant", "agent": "support_agent", "ticket_id": "T2",
         "trace_id": "t_f1"},
    ],
)  # fmt: skip

FEATURE_OWNERS = (
    ["feature", "team", "product"],
    [
        {"feature": "support_assistant", "team": "support", "product": "helpdesk"},
        {"feature": "doc_summarizer", "team": "knowledge", "product": "docs"},
        {"feature": "knowledge_search", "team": "knowledge", "product": "docs"},
    ],
)

SHARED_COSTS = (
    ["cost_pool", "period_start", "period_end", "amount_usd", "driver", "scope_provider", "scope_model",
     "scope_feature", "scope_environment"],
    [
        # split over January's calls by count
        {"cost_pool": "platform_fee", "period_start": "2026-01-01", "period_end": "2026-02-01",
         "amount_usd": "1.00", "driver": "requests"},
        # scoped to a model nobody called: booked as unallocated
        {"cost_pool": "legacy_hosting", "period_start": "2026-02-01", "period_end": "2026-03-01",
         "amount_usd": "0.50", "driver": "tokens", "scope_provider": "openai", "scope_model": "text-davinci-003"},
    ],
)  # fmt: skip

BUDGETS = (
    ["scope_type", "scope_value", "month", "budget_usd", "warn_at_pct"],
    [
        {"scope_type": "team", "scope_value": "support", "month": "2026-02-01", "budget_usd": "0.05",
         "warn_at_pct": "80"},
        {"scope_type": "feature", "scope_value": "doc_summarizer", "month": "2026-02-01", "budget_usd": "10.00",
         "warn_at_pct": "80"},
        # about $1.58 by the 10th (the spike), forecast about $4.43: under $5, above its $4 warning line
        {"scope_type": "feature", "scope_value": "knowledge_search", "month": "2026-02-01", "budget_usd": "5.00",
         "warn_at_pct": "80"},
    ],
)  # fmt: skip

INVOICES = (
    ["provider", "month", "invoiced_usd"],
    [{"provider": "openai", "month": "2026-01-01", "invoiced_usd": "0.20"}],
)

PRICE_ADJUSTMENTS = (
    ["provider", "model", "effective_from", "effective_to", "discount_pct"],
    [{"provider": "anthropic", "model": "*", "effective_from": "2026-01-01", "effective_to": "", "discount_pct": "10"}],
)

# a resolved ticket is worth what a human-handled one costs
OUTCOME_VALUES = (
    ["outcome_type", "value_usd", "effective_from", "effective_to", "basis"],
    [{"outcome_type": "ticket_resolved", "value_usd": "0.50", "effective_from": "2026-01-01",
      "basis": "cost of a human-handled ticket"}],
)  # fmt: skip

CSV_INPUTS = {
    "customers": CUSTOMERS,
    "outcome_values": OUTCOME_VALUES,
    "customer_revenue": REVENUE,
    "outcomes": OUTCOMES,
    "feature_owners": FEATURE_OWNERS,
    "shared_costs": SHARED_COSTS,
    "budgets": BUDGETS,
    "provider_invoices": INVOICES,
    "price_adjustments": PRICE_ADJUSTMENTS,
}

# Skip the data tests: these tests are about the app, and the models' own tests cover the data.
BUILD_COMMAND = ("build", "--exclude-resource-type", "test", "unit_test")
# Cents are large in this world: flag a spike from one cent above the expected cost (default $5).
ANOMALY_VARS = {"anomaly_min_excess_usd": 0.01}


def build_app_world(root: Path, extra_calls: list[dict[str, Any]] | None = None) -> BuiltWarehouse:
    """Write the raw folder and build the warehouse under `root`."""
    return build_world(
        root,
        usage={"calls.jsonl": [*CALLS, *(extra_calls or [])]},
        csv_inputs=CSV_INPUTS,
        rate_card_rows=RATE_CARD,
        dbt_vars=ANOMALY_VARS,
        command=BUILD_COMMAND,
    )


def shared_app_world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The app world, built once per test session and shared by the app test modules, which only
    read it (a test that rebuilds works on its own copy): conftest.shared_world."""
    return shared_world("app_world", tmp_path_factory, build_app_world)


# --- opening the app as a browser session would -----------------------------------------------------

APP = REPOSITORY / "app" / "streamlit_app.py"
if str(REPOSITORY / "app") not in sys.path:
    sys.path.insert(0, str(REPOSITORY / "app"))
from costapp.pages import PAGES  # noqa: E402

SCRIPTS = {page.name: page.script for page in PAGES}
TITLES = {page.name: page.title for page in PAGES}


def open_app(
    page: str = "overview",
    *,
    query: Mapping[str, str | list[str]] | None = None,
    user: Mapping[str, Any] | None = None,
    secrets: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> AppTest:
    """Run the app on `page` with the URL's query parameters, as a fresh session opening a link.

    The warehouse ($AICOST_DB_PATH) and the access file ($AICOST_APP_ACCESS) come from the
    environment; `user` is what `st.user` holds (Streamlit's AppTest support for a signed-in OIDC
    user), `secrets` what `st.secrets` holds."""
    app = AppTest.from_file(str(APP), default_timeout=60)
    if user is not None:
        app.user = dict(user)
    if secrets is not None:
        app.secrets = dict(secrets)
    if context is not None:
        app.context = dict(context)
    if page != "overview":
        app.switch_page(SCRIPTS[page])
    app.query_params = dict(query or {})
    return app.run()


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def notices(app: AppTest) -> str:
    return "\n".join(element.value for element in [*app.info, *app.warning, *app.error])


def texts(app: AppTest) -> str:
    """Every piece of text the page shows: headings, prose, notices, figures, table cells, choices."""
    parts = [
        element.value
        for element in [
            *app.title,
            *app.header,
            *app.subheader,
            *app.markdown,
            *app.caption,
            *app.info,
            *app.warning,
            *app.error,
            *app.success,
        ]
    ]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    parts += [link.value + " " + link.proto.query_string for link in app.get("page_link")]
    for frame in app.dataframe:
        parts.append(frame.value.to_csv(index=False))
    for box in [*app.selectbox, *app.multiselect]:
        parts += [str(option) for option in box.options]
    return "\n".join(str(part) for part in parts)
