"""The words and payloads of an alert: a title, a one-paragraph summary with the figures, a link
to the app view, and the body POSTed to a webhook in one of FORMATS.

`json` (schema `aicost.alert.v1`, documented in the README):

    {"schema": "aicost.alert.v1", "id": "...", "kind": "budget" | "anomaly", "level": "...",
     "title": "...", "text": "...", "link": "http://…/budgets?…", "as_of_date": "YYYY-MM-DD",
     "budget": {...} | "anomaly": {...}}     # the alert's figures, money as exact decimal strings

`slack`: a Slack incoming-webhook message, `text` (the notification) plus `blocks` (a header,
the summary, and a context line with the as-of day and the link).

Messages carry scopes, figures and links only: never a prompt, a response or a credential."""

from __future__ import annotations

from datetime import date
from typing import Any

from ai_cost_attribution.alert_rules import CUSTOMER_DIMENSION, Alert, AnomalyAlert, BudgetAlert, alert_record
from ai_cost_attribution.app_links import anomaly_link, budget_link
from ai_cost_attribution.summary import money

JSON_SCHEMA = "aicost.alert.v1"
FORMATS = ("slack", "json")
SLACK_HEADER_CHARS = 150  # Slack's limit on a header block's text

BUDGET_TITLES = {
    "over": "Over budget",
    "forecast_over": "Forecast to go over budget",
    "warning": "Past the budget's warning line",
    "forecast_warning": "Forecast to pass the budget's warning line",
}


def day_label(day: date) -> str:
    """`15 Nov 2026`."""
    return f"{day.day} {day:%b %Y}"


def month_label(month: date) -> str:
    """`November 2026`."""
    return f"{month:%B %Y}"


def percent(value: float | None) -> str:
    """`147.3%` (a percentage already; `n/a` without a budget to divide by)."""
    return "n/a" if value is None else f"{value:.1f}%"


def _named(kind: str, value: str, customer_name: str | None) -> str:
    return f"{kind} {customer_name} ({value})" if customer_name else f"{kind} {value}"


def scope_label(alert: Alert) -> str:
    """`team developer_tools`, `customer Ridge Labs (cust_0185)`."""
    if isinstance(alert, BudgetAlert):
        return _named(alert.scope_type, alert.scope_value, alert.customer_name)
    # the anomaly dimension is a column name (customer_id): say what it is
    kind = "customer" if alert.dimension == CUSTOMER_DIMENSION else alert.dimension.replace("_", " ")
    return _named(kind, alert.dimension_value, alert.customer_name)


def title(alert: Alert) -> str:
    """`Over budget: team developer_tools, November 2026` / `Cost spike: feature search on 15 Jan 2026`."""
    if isinstance(alert, BudgetAlert):
        return f"{BUDGET_TITLES[alert.level]}: {scope_label(alert)}, {month_label(alert.month)}"
    return f"Cost spike: {scope_label(alert)} on {day_label(alert.cost_date)}"


def summary(alert: Alert) -> str:
    """The figures in one paragraph of plain text."""
    if isinstance(alert, AnomalyAlert):
        return (
            f"{money(alert.cost_usd)} of usage cost against an expected {money(alert.expected_usd)} "
            f"({money(alert.excess_usd)} over), robust z-score {alert.score:.1f}; {alert.calls:,} "
            f"call{'' if alert.calls == 1 else 's'} that day. "
            f"Expected: the median day of the {alert.history_days} days before."
        )
    spent = f"{money(alert.actual_usd)} spent of {money(alert.budget_usd)} budgeted ({percent(alert.pct_of_budget)})"
    warning_line = f"Warning line: {alert.warn_at_pct.normalize():f}%."
    if alert.month_state == "current":
        return (
            f"{spent} by {day_label(alert.as_of_date)}, day {alert.days_elapsed} of {alert.days_in_month}; "
            f"month-end forecast {money(alert.forecast_usd)} ({percent(alert.forecast_pct_of_budget)}). {warning_line}"
        )
    return f"{spent} in {month_label(alert.month)} (closed month). {warning_line}"


def link(alert: Alert, app_url: str) -> str:
    """The app view of the alert (the URL contract of `app_links`)."""
    if isinstance(alert, BudgetAlert):
        return budget_link(app_url, month=alert.month, scope_type=alert.scope_type, scope_value=alert.scope_value)
    return anomaly_link(app_url, day=alert.cost_date, dimension=alert.dimension, value=alert.dimension_value)


def _context(alert: Alert) -> str:
    basis = f" · {alert.cost_basis} cost" if isinstance(alert, BudgetAlert) else " · usage cost"
    return f"As of {day_label(alert.as_of_date)}{basis}"


def json_payload(alert: Alert, app_url: str) -> dict[str, Any]:
    """The `json` format: schema aicost.alert.v1."""
    return {
        "schema": JSON_SCHEMA,
        "id": alert.alert_id,
        "kind": alert.kind,
        "level": alert.level,
        "title": title(alert),
        "text": summary(alert),
        "link": link(alert, app_url),
        "as_of_date": alert.as_of_date.isoformat(),
        alert.kind: alert_record(alert),
    }


def slack_escape(text: str) -> str:
    """Slack's three control characters as the entities Slack decodes (and nothing else)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: Alert, app_url: str) -> dict[str, Any]:
    """The `slack` format: an incoming-webhook message with `text` and `blocks`."""
    heading, body, url = title(alert), summary(alert), link(alert, app_url)
    header = heading if len(heading) <= SLACK_HEADER_CHARS else heading[: SLACK_HEADER_CHARS - 1] + "…"
    open_link = f"<{slack_escape(url)}|Open in the app>"
    return {
        "text": f"{slack_escape(heading)}: {slack_escape(body)} {open_link}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": header}},
            {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(body)}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"{slack_escape(_context(alert))} · {open_link}"}],
            },
        ],
    }


def payload(alert: Alert, message_format: str, app_url: str) -> dict[str, Any]:
    """The body POSTed for one alert in one of FORMATS."""
    if message_format == "slack":
        return slack_payload(alert, app_url)
    if message_format == "json":
        return json_payload(alert, app_url)
    raise ValueError(f"unknown alert format {message_format!r}: use one of {', '.join(FORMATS)}")
