"""`aicost alerts`: each new budget crossing and cost spike reaches a webhook once, with its scope,
figures and a link to the app; a failing webhook is retried on the next run, never dropped.

The webhook is a real HTTP server on 127.0.0.1 (`http.server` in a thread) that records every
request and answers with the statuses a test queues (200 when none is queued).

The world: gpt-4o at $1,000 per million input tokens (1,000 tokens = $1), every day from
1 Dec 2025 to 15 Jan 2026 (the as-of day: 15 of January's 31 days elapsed):

    feature search  (team search_team,   customer cust_a "Alpha Foods")    $2 a day
    feature chat    (team chat_team,     customer cust_b "Bravo Bank")     $3 a day
    feature reports (team insights_team, customer cust_c "Charlie Health") $1 on odd days, $2 on even
                                                                           days, $20 on 15 Jan (the spike)

so December: search 31 x $2 = $62, chat 31 x $3 = $93; January to date: search 15 x $2 = $30,
chat 15 x $3 = $45, reports 7 x $1 + 7 x $2 + $20 = $41, each forecast at actual / 15 x 31
(search $62, chat $93, reports $84.73).

The later world adds 16-20 January (same daily costs) and one $25 call of a new feature search_v2
of team search_team on 18 January: the as-of day is 20 January, 20 of 31 days elapsed.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ai_cost_attribution.alert_rules import BUDGET_LEVELS, budget_level
from ai_cost_attribution.app_links import anomaly_link, budget_link
from ai_cost_attribution.cli import main
from conftest import BuiltWarehouse, build_world, event, rate

APP = "https://costs.example.com/app/"  # a trailing slash and a path prefix: links must still be right
SPIKE_DAY = date(2026, 1, 15)
MAD_TO_SIGMA = 1.4826


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def reports_cost(day: date) -> int:
    if day == SPIKE_DAY:
        return 20
    return 2 if day.day % 2 == 0 else 1


def daily_calls(first: date, last: date) -> list[dict[str, Any]]:
    calls = []
    for day in days(first, last):
        for feature, customer, dollars in (
            ("search", "cust_a", 2),
            ("chat", "cust_b", 3),
            ("reports", "cust_c", reports_cost(day)),
        ):
            calls.append(
                event(f"{feature}-{day.isoformat()}", occurred_at=f"{day.isoformat()}T12:00:00Z", feature=feature,
                      customer_id=customer, environment="prod", usage_type="external",
                      input_tokens=dollars * 1_000, output_tokens=0)
            )  # fmt: skip
    return calls


OWNERS = (
    ["feature", "team", "product"],
    [{"feature": "search", "team": "search_team", "product": "finder"},
     {"feature": "search_v2", "team": "search_team", "product": "finder"},
     {"feature": "chat", "team": "chat_team", "product": "finder"},
     {"feature": "reports", "team": "insights_team", "product": "finder"}],
)  # fmt: skip
CUSTOMERS = (
    ["customer_id", "customer_name", "plan_tier"],
    [{"customer_id": "cust_a", "customer_name": "Alpha Foods", "plan_tier": "pro"},
     {"customer_id": "cust_b", "customer_name": "Bravo Bank", "plan_tier": "pro"},
     {"customer_id": "cust_c", "customer_name": "Charlie Health", "plan_tier": "pro"}],
)  # fmt: skip


def budget(scope_type: str, scope_value: str, month: str, amount: str) -> dict[str, str]:
    return {"scope_type": scope_type, "scope_value": scope_value, "month": month, "budget_usd": amount,
            "warn_at_pct": "80"}  # fmt: skip


BUDGETS = (
    ["scope_type", "scope_value", "month", "budget_usd", "warn_at_pct"],
    [
        budget("feature", "search", "2025-12-01", "60"),
        budget("team", "chat_team", "2025-12-01", "100"),
        budget("feature", "chat", "2026-01-01", "40"),
        budget("team", "search_team", "2026-01-01", "50"),
        budget("team", "insights_team", "2026-01-01", "82"),
        budget("customer", "cust_a", "2026-01-01", "75"),
        budget("model", "gpt-4o", "2026-01-01", "1000"),
    ],
)
SELECTION = ("build", "--select", "+mart_budget_vs_actual", "+mart_cost_anomalies", "+dim_customers",
             "--indirect-selection", "cautious")  # fmt: skip


def build(root: Path, calls: list[dict[str, Any]]) -> BuiltWarehouse:
    return build_world(
        root,
        usage={"calls.jsonl": calls},
        csv_inputs={"budgets": BUDGETS, "feature_owners": OWNERS, "customers": CUSTOMERS},
        rate_card_rows=[rate("openai", "gpt-4o", input_usd_per_mtok="1000", output_usd_per_mtok="0")],
        command=SELECTION,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build(tmp_path_factory.mktemp("alerts"), daily_calls(date(2025, 12, 1), SPIKE_DAY))


@pytest.fixture(scope="module")
def later_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    search_v2 = event("search_v2-2026-01-18", occurred_at="2026-01-18T12:00:00Z", feature="search_v2",
                      customer_id="cust_d", environment="prod", usage_type="external", input_tokens=25_000,
                      output_tokens=0)  # fmt: skip
    calls = [*daily_calls(date(2025, 12, 1), date(2026, 1, 20)), search_v2]
    return build(tmp_path_factory.mktemp("alerts_later"), calls)


# --- the webhook -------------------------------------------------------------------------------


class Webhook:
    """A real HTTP server on 127.0.0.1 that records each POST and answers with queued statuses."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = webhook.statuses.pop(0) if webhook.statuses else 200
                webhook.requests.append(
                    {"path": self.path, "content_type": self.headers["Content-Type"], "status": status,
                     "body": json.loads(body)}
                )  # fmt: skip
                answer = b"ok" if status < 300 else b"boom: try again later"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T0001/B0002/s3cr3tT0k3n"

    def accepted(self) -> list[dict[str, Any]]:
        return [request["body"] for request in self.requests if request["status"] < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook()
    yield server
    server.stop()


def alerts(capsys: pytest.CaptureFixture[str], warehouse: BuiltWarehouse, *args: str) -> tuple[int, str, str]:
    """Run `aicost alerts --db <warehouse> ARGS` in this process; return the exit code, stdout, stderr."""
    code = main(["alerts", "--db", str(warehouse.db_path), "--app-url", APP, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def state_of(path: Path) -> dict[str, Any]:
    (channel,) = json.loads(path.read_text())["webhooks"].values()
    return channel


# --- the messages ------------------------------------------------------------------------------

EXPECTED = [
    # (id, title, text, link), budgets by month then scope, then the spikes by day and series
    (
        "budget:feature:search:2025-12-01:over",
        "Over budget: feature search, December 2025",
        # 31 days x $2 = $62 of $60 = 103.3 %
        "$62.00 spent of $60.00 budgeted (103.3%) in December 2025 (closed month). Warning line: 80%.",
        APP + "budgets?month=2025-12-01&scope_type=feature&scope_value=search",
    ),
    (
        "budget:team:chat_team:2025-12-01:warning",
        "Past the budget's warning line: team chat_team, December 2025",
        # 31 days x $3 = $93 of $100: over the 80 % line, under the budget
        "$93.00 spent of $100.00 budgeted (93.0%) in December 2025 (closed month). Warning line: 80%.",
        APP + "budgets?month=2025-12-01&scope_type=team&scope_value=chat_team",
    ),
    (
        "budget:customer:cust_a:2026-01-01:forecast_warning",
        "Forecast to pass the budget's warning line: customer Alpha Foods (cust_a), January 2026",
        # 15 x $2 = $30 of $75 (40 %); forecast 30 / 15 x 31 = $62 = 82.7 % of $75, past the 80 % line
        "$30.00 spent of $75.00 budgeted (40.0%) by 15 Jan 2026, day 15 of 31; month-end forecast $62.00 (82.7%). "
        "Warning line: 80%.",
        APP + "budgets?month=2026-01-01&scope_type=customer&scope_value=cust_a",
    ),
    (
        "budget:feature:chat:2026-01-01:over",
        "Over budget: feature chat, January 2026",
        # 15 x $3 = $45 of $40 (112.5 %); forecast 45 / 15 x 31 = $93 (232.5 %)
        "$45.00 spent of $40.00 budgeted (112.5%) by 15 Jan 2026, day 15 of 31; month-end forecast $93.00 (232.5%). "
        "Warning line: 80%.",
        APP + "budgets?month=2026-01-01&scope_type=feature&scope_value=chat",
    ),
    (
        "budget:team:insights_team:2026-01-01:forecast_over",
        "Forecast to go over budget: team insights_team, January 2026",
        # $41 of $82 (50 %); forecast 41 / 15 x 31 = $84.73 = 103.3 % of $82
        "$41.00 spent of $82.00 budgeted (50.0%) by 15 Jan 2026, day 15 of 31; month-end forecast $84.73 (103.3%). "
        "Warning line: 80%.",
        APP + "budgets?month=2026-01-01&scope_type=team&scope_value=insights_team",
    ),
    (
        "budget:team:search_team:2026-01-01:forecast_over",
        "Forecast to go over budget: team search_team, January 2026",
        # $30 of $50 (60 %, under the line); forecast $62 = 124 % of $50
        "$30.00 spent of $50.00 budgeted (60.0%) by 15 Jan 2026, day 15 of 31; month-end forecast $62.00 (124.0%). "
        "Warning line: 80%.",
        APP + "budgets?month=2026-01-01&scope_type=team&scope_value=search_team",
    ),
    (
        "anomaly:2026-01-15:customer_id:cust_c",
        "Cost spike: customer Charlie Health (cust_c) on 15 Jan 2026",
        # window 18 Dec - 14 Jan: fourteen $1 and fourteen $2 days -> median $1.50, MAD $0.50;
        # score (20 - 1.5) / (1.4826 x 0.5) = 24.96
        "$20.00 of usage cost against an expected $1.50 ($18.50 over), robust z-score 25.0; 1 call that day. "
        "Expected: the median day of the 28 days before.",
        APP + "budgets?day=2026-01-15&dimension=customer_id&value=cust_c",
    ),
    (
        "anomaly:2026-01-15:feature:reports",
        "Cost spike: feature reports on 15 Jan 2026",
        "$20.00 of usage cost against an expected $1.50 ($18.50 over), robust z-score 25.0; 1 call that day. "
        "Expected: the median day of the 28 days before.",
        APP + "budgets?day=2026-01-15&dimension=feature&value=reports",
    ),
]
EXPECTED_IDS = [expected[0] for expected in EXPECTED]


def summary_of(message: dict[str, Any]) -> tuple[str, str, str, str]:
    return (message["id"], message["title"], message["text"], message["link"])


def test_each_alert_is_sent_once_with_its_scope_figures_and_link(capsys, warehouse, webhook) -> None:
    code, out, err = alerts(capsys, warehouse, "--webhook", webhook.url, "--format", "json")
    assert (code, err) == (0, "")
    assert [summary_of(message) for message in webhook.accepted()] == EXPECTED
    assert {request["content_type"] for request in webhook.requests} == {"application/json; charset=utf-8"}
    assert {request["path"] for request in webhook.requests} == {"/services/T0001/B0002/s3cr3tT0k3n"}
    # the model budget ($116 of $1,000, forecast $239.73) is within its line: no alert
    assert not any("gpt-4o" in message["id"] for message in webhook.accepted())
    assert "8 sent, 0 sent by earlier runs." in out

    by_id = {message["id"]: message for message in webhook.accepted()}
    team = by_id["budget:team:search_team:2026-01-01:forecast_over"]
    assert (team["schema"], team["kind"], team["level"], team["as_of_date"]) == (
        "aicost.alert.v1", "budget", "forecast_over", "2026-01-15",
    )  # fmt: skip
    assert team["budget"] == {
        "scope_type": "team", "scope_value": "search_team", "month": "2026-01-01", "level": "forecast_over",
        "month_state": "current", "budget_usd": "50.00", "actual_usd": "30.00", "forecast_usd": "62.00",
        "warn_at_pct": "80.00", "pct_of_budget": 60.0, "forecast_pct_of_budget": 124.0, "status": "ok",
        "forecast_status": "over", "cost_basis": "usage", "days_elapsed": 15, "days_in_month": 31,
        "as_of_date": "2026-01-15", "customer_name": None,
    }  # fmt: skip
    spike = by_id["anomaly:2026-01-15:customer_id:cust_c"]
    assert (spike["kind"], spike["level"]) == ("anomaly", "spike")
    assert spike["anomaly"]["score"] == pytest.approx((20 - 1.5) / (MAD_TO_SIGMA * 0.5))
    assert {key: value for key, value in spike["anomaly"].items() if key != "score"} == {
        "cost_date": "2026-01-15", "dimension": "customer_id", "dimension_value": "cust_c", "cost_usd": "20.00",
        "expected_usd": "1.50", "excess_usd": "18.50", "calls": 1, "history_days": 28, "as_of_date": "2026-01-15",
        "customer_name": "Charlie Health",
    }  # fmt: skip


def test_a_second_run_sends_nothing_new(capsys, warehouse, webhook, tmp_path) -> None:
    state = tmp_path / "state.json"
    assert alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))[0] == 0
    assert len(webhook.requests) == 8

    code, out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))
    assert code == 0
    assert len(webhook.requests) == 8  # nothing more was POSTed
    assert "0 sent, 8 sent by earlier runs." in out
    channel = state_of(state)
    assert list(channel["alerts"]) == EXPECTED_IDS
    assert {(entry["status"], entry["attempts"], entry["last_error"]) for entry in channel["alerts"].values()} == {
        ("delivered", 1, None)
    }


def test_a_budget_climbing_the_ladder_is_news_the_same_level_again_is_not(
    capsys, warehouse, later_warehouse, webhook, tmp_path
) -> None:
    state = tmp_path / "state.json"
    assert alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state), "--format", "json")[0] == 0
    code, out, _ = alerts(capsys, later_warehouse, "--webhook", webhook.url, "--state", str(state), "--format", "json")
    assert code == 0
    # as of 20 Jan: search_team spent 20 x $2 + $25 (search_v2) = $65 of $50 (130 %), forecast 65 / 20 x 31 =
    # $100.75: over, above the forecast_over already sent. chat ($60 of $40) is over again, cust_a (forecast
    # 40 / 20 x 31 = $62 of $75) at forecast_warning again, the 15 Jan spike still flagged: none is news.
    # insights_team dropped a rung: $41 + $2 + $1 + $2 + $1 + $2 = $49, forecast 49 / 20 x 31 = $75.95, under
    # its $82 but over the 80 % line ($65.60): forecast_warning, below the forecast_over sent, is not news.
    assert [summary_of(message) for message in webhook.accepted()[8:]] == [
        (
            "budget:team:search_team:2026-01-01:over",
            "Over budget: team search_team, January 2026",
            "$65.00 spent of $50.00 budgeted (130.0%) by 20 Jan 2026, day 20 of 31; month-end forecast $100.75 "
            "(201.5%). Warning line: 80%.",
            APP + "budgets?month=2026-01-01&scope_type=team&scope_value=search_team",
        )
    ]
    assert "1 sent, 6 sent by earlier runs." in out


def test_a_failing_webhook_is_reported_then_retried_and_delivered_exactly_once(capsys, warehouse, webhook, tmp_path):
    state = tmp_path / "state.json"
    webhook.statuses = [200, 500]  # the first alert is accepted, then the server fails
    code, out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))
    assert code == 1
    # after the 500 the webhook is down for this run: the six alerts behind it are not attempted
    assert [request["status"] for request in webhook.requests] == [200, 500]
    second = EXPECTED[1][1]
    assert f"NOT SENT  {second}: HTTP 500 Internal Server Error: boom: try again later, 1 attempt" in out
    assert out.count("not attempted: the webhook failed earlier in this run (HTTP 500") == 6
    assert "1 sent, 7 still owed (retried on the next run), 0 sent by earlier runs." in out
    channel = state_of(state)
    assert [(alert_id, entry["status"], entry["attempts"]) for alert_id, entry in channel["alerts"].items()] == [
        (EXPECTED_IDS[0], "delivered", 1),
        (EXPECTED_IDS[1], "pending", 1),
        *((alert_id, "pending", 0) for alert_id in EXPECTED_IDS[2:]),
    ]
    assert channel["alerts"][EXPECTED_IDS[1]]["last_error"] == "HTTP 500 Internal Server Error: boom: try again later"

    # the server recovers: the seven owed alerts go out, in the order they were raised
    code, out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))
    assert code == 0
    assert "7 sent, 1 sent by earlier runs." in out
    assert [message["text"] for message in webhook.accepted()] == [
        f"{title}: {text} <{link.replace('&', '&amp;')}|Open in the app>" for _, title, text, link in EXPECTED
    ]
    assert {(entry["status"], entry["last_error"]) for entry in state_of(state)["alerts"].values()} == {
        ("delivered", None)
    }
    assert state_of(state)["alerts"][EXPECTED_IDS[1]]["attempts"] == 2

    # and never again
    assert alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))[0] == 0
    assert len(webhook.accepted()) == 8


def test_a_refused_message_does_not_hold_back_the_others(capsys, warehouse, webhook, tmp_path) -> None:
    state = tmp_path / "state.json"
    webhook.statuses = [400]  # Slack answers 400 to a payload it cannot read: that message only
    code, out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))
    assert code == 1
    assert [request["status"] for request in webhook.requests] == [400, *[200] * 7]
    assert f"NOT SENT  {EXPECTED[0][1]}: HTTP 400 Bad Request" in out
    # the next run retries the refused one only
    assert alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))[0] == 0
    assert [message["blocks"][0]["text"]["text"] for message in webhook.accepted()[7:]] == [EXPECTED[0][1]]


def test_a_webhook_that_does_not_answer_keeps_every_alert_owed(capsys, warehouse, tmp_path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = tmp_path / "state.json"
    code, out, _ = alerts(capsys, warehouse, "--webhook", f"http://127.0.0.1:{port}/hook", "--state", str(state))
    assert code == 1
    assert "0 sent, 8 still owed (retried on the next run)" in out
    assert "no answer: [Errno 111] Connection refused" in out
    assert [entry["attempts"] for entry in state_of(state)["alerts"].values()] == [1, 0, 0, 0, 0, 0, 0, 0]


def test_dry_run_sends_and_records_nothing(capsys, warehouse, webhook, tmp_path) -> None:
    state = tmp_path / "state.json"
    code, out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state), "--dry-run")
    assert code == 0
    assert (webhook.requests, state.exists()) == ([], False)
    assert "would send 8 (0 owed from earlier runs), 0 sent by earlier runs." in out
    assert out.count('"header"') == 8  # the Slack bodies it would POST
    assert "Dry run: nothing was sent and the state file was not written." in out

    # after a failed run, a dry run shows the owed alerts as retries and still writes nothing
    webhook.statuses = [500]
    assert alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))[0] == 1
    written = state.read_text()
    code, out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state), "--dry-run")
    assert "would send 8 (8 owed from earlier runs), 0 sent by earlier runs." in out
    assert (len(webhook.requests), state.read_text()) == (1, written)
    # without a webhook, a dry run previews what a new one would receive
    code, out, _ = alerts(capsys, warehouse, "--dry-run", "--format", "json")
    assert (code, out.count('"schema": "aicost.alert.v1"')) == (0, 8)


def test_slack_format(capsys, warehouse, webhook, tmp_path) -> None:
    assert alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(tmp_path / "state.json"))[0] == 0
    messages = webhook.accepted()
    # the customer budget: a header, the figures, and a context line with the as-of day and the link
    link = "https://costs.example.com/app/budgets?month=2026-01-01&amp;scope_type=customer&amp;scope_value=cust_a"
    figures = ("$30.00 spent of $75.00 budgeted (40.0%) by 15 Jan 2026, day 15 of 31; month-end forecast $62.00 "
               "(82.7%). Warning line: 80%.")  # fmt: skip
    heading = "Forecast to pass the budget's warning line: customer Alpha Foods (cust_a), January 2026"
    assert messages[2] == {
        "text": f"{heading}: {figures} <{link}|Open in the app>",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": heading}},
            {"type": "section", "text": {"type": "mrkdwn", "text": figures}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"As of 15 Jan 2026 · usage cost · <{link}|Open in the app>"}],
            },
        ],
    }
    assert messages[7]["blocks"][0]["text"]["text"] == "Cost spike: feature reports on 15 Jan 2026"
    assert messages[7]["blocks"][2]["elements"][0]["text"] == (
        "As of 15 Jan 2026 · usage cost · "
        "<https://costs.example.com/app/budgets?day=2026-01-15&amp;dimension=feature&amp;value=reports|Open in the app>"
    )


def test_the_webhook_secret_is_never_shown_or_stored(capsys, warehouse, webhook, tmp_path) -> None:
    state = tmp_path / "state.json"
    webhook.statuses = [500]
    _, out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state))
    _, dry_out, _ = alerts(capsys, warehouse, "--webhook", webhook.url, "--state", str(state), "--dry-run")
    masked = f"http://127.0.0.1:{webhook.server.server_port}/…"
    for text in (out, dry_out, state.read_text()):
        assert "s3cr3tT0k3n" not in text and "/services/" not in text
        assert masked in text
    assert f"Webhook {masked} (id " in out


def test_since_leaves_out_older_months_and_days(capsys, warehouse) -> None:
    _, out, _ = alerts(capsys, warehouse, "--dry-run", "--format", "json", "--since", "2026-01-10")
    # budgets from January (the month of 10 Jan), spikes from 10 Jan: the two December budgets are left out
    assert "would send 6 (0 owed from earlier runs)" in out
    assert '"id": "budget:feature:search:2025-12-01:over"' not in out


def test_clear_errors(capsys, warehouse, tmp_path) -> None:
    code, _, err = alerts(capsys, warehouse)
    assert (code, err) == (2, "aicost alerts: no webhook: pass --webhook URL or set $AICOST_ALERT_WEBHOOK\n")

    missing = tmp_path / "nowhere.duckdb"
    code = main(["alerts", "--db", str(missing), "--webhook", "https://hooks.example.com/x"])
    assert code == 2
    assert capsys.readouterr().err == (
        f"aicost alerts: No warehouse at {missing}: build one with `aicost demo` (the demo company) or "
        "`aicost build --raw-path /your/folder`.\n"
    )

    partial = tmp_path / "partial.duckdb"
    with duckdb.connect(str(partial)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.mart_budget_vs_actual as select 1 as scope_type")
    assert main(["alerts", "--db", str(partial), "--webhook", "https://hooks.example.com/x"]) == 2
    assert "lacks marts.mart_cost_anomalies: rebuild it" in capsys.readouterr().err

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert main(["alerts", "--db", str(empty), "--dry-run"]) == 2
    assert "holds no built marts yet: build one with `aicost demo`" in capsys.readouterr().err

    code, _, err = alerts(capsys, warehouse, "--webhook", "file:///etc/passwd")
    assert code == 2
    assert err == "aicost alerts: a webhook must be an http:// or https:// URL with a host, got <not a URL>\n"

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _, err = alerts(capsys, warehouse, "--webhook", "https://hooks.example.com/x", "--state", str(broken))
    assert code == 2 and f"Cannot read the alert state {broken}" in err


def test_the_budget_ladder() -> None:
    # (status, forecast status, month) -> level; a forecast only counts in the as-of month
    assert [
        budget_level("ok", "ok", "current"),
        budget_level("ok", "warning", "current"),
        budget_level("warning", "warning", "current"),
        budget_level("ok", "over", "current"),
        budget_level("warning", "over", "current"),
        budget_level("over", "over", "current"),
        budget_level("warning", "warning", "closed"),
        budget_level("ok", "over", "future"),
    ] == [None, "forecast_warning", "warning", "forecast_over", "forecast_over", "over", "warning", None]
    assert BUDGET_LEVELS == ("forecast_warning", "warning", "forecast_over", "over")


def test_links_encode_their_values() -> None:
    link = budget_link("http://127.0.0.1:8501", month=date(2026, 11, 15), scope_type="team", scope_value="R&D tools")
    assert link == ("http://127.0.0.1:8501/budgets?month=2026-11-01&scope_type=team&scope_value=R%26D%20tools")
    assert anomaly_link("http://x/", day=date(2026, 10, 26), dimension="customer_id", value="a/b?c") == (
        "http://x/budgets?day=2026-10-26&dimension=customer_id&value=a%2Fb%3Fc"
    )
