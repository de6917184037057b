"""Links into the stakeholder app: the URL contract its pages read back from the query string.

One home for the shape of a link, so that whatever writes one (the alerts, a page linking to
another) and the page that reads it agree:

    <app>/budgets?month=YYYY-MM-01&scope_type=<t>&scope_value=<v>    a budget of one scope and month
    <app>/budgets?day=YYYY-MM-DD&dimension=<d>&value=<v>             one flagged day of one series

`scope_type` is the `scope_type` of `marts.mart_budget_vs_actual` (team, feature, customer,
agent, model) and `dimension` the `dimension` of `marts.mart_cost_anomalies` (feature,
customer_id): the values are the marts' own, percent-encoded."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

DEFAULT_APP_URL = "http://127.0.0.1:8501"
BUDGETS_PAGE = "budgets"


def _page_link(app_url: str, page: str, parameters: dict[str, str]) -> str:
    # quote (not quote_plus): a space is %20, which every URL parser reads the same way.
    return f"{app_url.rstrip('/')}/{page}?{urlencode(parameters, quote_via=quote)}"


def budget_link(app_url: str, *, month: date, scope_type: str, scope_value: str) -> str:
    """The Budgets page on one scope's budget of one month."""
    return _page_link(
        app_url,
        BUDGETS_PAGE,
        {"month": month.replace(day=1).isoformat(), "scope_type": scope_type, "scope_value": scope_value},
    )


def anomaly_link(app_url: str, *, day: date, dimension: str, value: str) -> str:
    """The Budgets page on one flagged day of one dimension value's daily cost."""
    return _page_link(app_url, BUDGETS_PAGE, {"day": day.isoformat(), "dimension": dimension, "value": value})
