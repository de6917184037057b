"""`aicost alerts --webhook URL`: tell people about each new budget crossing and cost spike, once.

Each run reads the alerts the built warehouse raises now (`alert_rules`), compares them with
what was already raised to each webhook (`alert_state`), and POSTs every new one
(`alert_messages`, `webhooks`):

1. alerts owed from earlier runs (a webhook that failed) go first, in the order they were raised;
2. then the new ones: budgets (by month, scope), then flagged days (by day, series);
3. each attempt is written to the state file at once. A 2xx is delivered; anything else leaves
   the alert owed, retried on the next run and reported. After a failure of the webhook itself
   (no answer, 5xx, 408, 429) the rest of this run's alerts for it wait for the next run.

Exit status: 0 when nothing is owed, 1 when an alert is still owed to a webhook, 2 when the run
could not start (no webhook, no warehouse, a mart missing, an unreadable state file).
`--dry-run` prints what would be sent and writes nothing."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ai_cost_attribution.alert_messages import FORMATS, payload, title
from ai_cost_attribution.alert_rules import Alert, AlertSourceError, WarehouseAlerts, read_alerts
from ai_cost_attribution.alert_state import (
    DELIVERED,
    AlertState,
    AlertStateError,
    ChannelState,
    Delivery,
    default_state_path,
    now_utc,
    state_lock,
)
from ai_cost_attribution.app_links import DEFAULT_APP_URL
from ai_cost_attribution.project import warehouse_path
from ai_cost_attribution.webhooks import WebhookURLError, check_url, describe, fingerprint, mask, post_json

WEBHOOK_ENV = "AICOST_ALERT_WEBHOOK"
APP_URL_ENV = "AICOST_APP_URL"
DEFAULT_TIMEOUT_S = 10.0


@dataclass
class ChannelPlan:
    """What one run owes one webhook: earlier alerts to retry, new ones, and how many are done."""

    retries: list[Delivery]
    new: list[Alert]
    already_delivered: int


@dataclass
class ChannelReport:
    """What one run did for one webhook."""

    webhook: str
    sent: list[Delivery] = field(default_factory=list)
    owed: list[Delivery] = field(default_factory=list)
    already_delivered: int = 0


def plan_channel(channel: ChannelState, alerts: WarehouseAlerts) -> ChannelPlan:
    """Split the warehouse's alerts into new ones and those this webhook already has."""
    new = [alert for alert in alerts.all if channel.is_new(alert)]
    delivered = sum(
        1
        for alert in alerts.all
        if alert.alert_id in channel.deliveries and channel.deliveries[alert.alert_id].status == DELIVERED
    )
    return ChannelPlan(retries=channel.pending(), new=new, already_delivered=delivered)


def deliver(
    state: AlertState,
    url: str,
    alerts: WarehouseAlerts,
    *,
    message_format: str,
    app_url: str,
    timeout_s: float,
) -> ChannelReport:
    """Send one webhook what it is owed, recording every attempt in the state file as it happens."""
    channel = state.channel(fingerprint(url), mask(url))
    plan = plan_channel(channel, alerts)
    seen_at = now_utc()
    queue = [*plan.retries, *(channel.owe(alert, at=seen_at) for alert in plan.new)]
    state.save()  # every new alert is owed before the first POST: a crash cannot lose one

    report = ChannelReport(webhook=describe(url), already_delivered=plan.already_delivered)
    webhook_failure: str | None = None
    for delivery in queue:
        if webhook_failure is not None:
            delivery.last_error = f"not attempted: the webhook failed earlier in this run ({webhook_failure})"
            report.owed.append(delivery)
            continue
        result = post_json(url, payload(delivery.alert, message_format, app_url), timeout_s=timeout_s)
        delivery.attempts += 1
        delivery.last_attempt_at = now_utc()
        if result.ok:
            delivery.status, delivery.delivered_at, delivery.last_error = DELIVERED, delivery.last_attempt_at, None
            report.sent.append(delivery)
        else:
            delivery.last_error = result.error
            report.owed.append(delivery)
            if result.webhook_down:
                webhook_failure = result.error
        state.save()
    state.save()  # the alerts left for the next run, with the reason
    return report


def format_report(report: ChannelReport) -> str:
    """Lines a person reads in a cron mail or a CI log."""
    lines = [f"Webhook {report.webhook}:"]
    lines += [f"  sent      {title(delivery.alert)}" for delivery in report.sent]
    for delivery in report.owed:
        tries = f", {delivery.attempts} attempt{'s' if delivery.attempts != 1 else ''}" if delivery.attempts else ""
        lines.append(f"  NOT SENT  {title(delivery.alert)}: {delivery.last_error}{tries}")
    owed = f", {len(report.owed)} still owed (retried on the next run)" if report.owed else ""
    lines.append(f"  {len(report.sent)} sent{owed}, {report.already_delivered} sent by earlier runs.")
    return "\n".join(lines)


def format_dry_run(name: str, plan: ChannelPlan, *, message_format: str, app_url: str) -> str:
    """What a run would POST to one webhook, body by body."""
    lines = [f"Webhook {name}: would send {len(plan.retries) + len(plan.new)} ({len(plan.retries)} owed from earlier "
             f"runs), {plan.already_delivered} sent by earlier runs."]  # fmt: skip
    queue = [("retry", delivery.alert) for delivery in plan.retries] + [("new", alert) for alert in plan.new]
    for why, alert in queue:
        lines.append(f"--- {why}: {title(alert)}")
        lines.append(json.dumps(payload(alert, message_format, app_url), indent=2, ensure_ascii=False))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost alerts`."""
    parser.add_argument(
        "--webhook",
        action="append",
        default=None,
        metavar="URL",
        help=f"webhook to POST each alert to (repeatable; default: ${WEBHOOK_ENV}, which keeps it out of `ps`)",
    )
    parser.add_argument("--format", choices=FORMATS, default="slack", help="slack (default) or json (aicost.alert.v1)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send and record nothing")
    parser.add_argument(
        "--app-url",
        default=None,
        help=f"the app the links open (default: ${APP_URL_ENV}, else {DEFAULT_APP_URL})",
    )
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $AICOST_DB_PATH)")
    parser.add_argument(
        "--state", type=Path, default=None, help="state file (default: <warehouse>.alerts_state.json beside it)"
    )
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="leave out budgets of earlier months and spikes of earlier days (e.g. on a first run)",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help=f"seconds per POST (default {DEFAULT_TIMEOUT_S:g})"
    )


def _fail(message: str) -> int:
    print(f"aicost alerts: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Send the new alerts to every webhook; exit 1 while any is still owed."""
    db_path = (args.db or warehouse_path()).resolve()
    state_path = args.state or default_state_path(db_path)
    app_url = args.app_url or os.environ.get(APP_URL_ENV) or DEFAULT_APP_URL
    webhooks = args.webhook or ([os.environ[WEBHOOK_ENV]] if os.environ.get(WEBHOOK_ENV) else [])
    if not webhooks and not args.dry_run:
        return _fail(f"no webhook: pass --webhook URL or set ${WEBHOOK_ENV}")
    try:
        webhooks = [check_url(url.strip()) for url in webhooks]
        alerts = read_alerts(db_path, since=args.since)
        state = AlertState.load(state_path)
    except (WebhookURLError, AlertSourceError, AlertStateError) as error:
        return _fail(str(error))

    as_of = f" as of {alerts.all[0].as_of_date.isoformat()}" if alerts.all else ""
    print(
        f"Warehouse {db_path}{as_of}: {len(alerts.budgets)} budget alert(s), {len(alerts.anomalies)} cost spike(s). "
        f"State: {state_path}"
    )
    if args.dry_run:
        targets = [(describe(url), state.channel(fingerprint(url), mask(url))) for url in webhooks] or [
            ("(none given: what a new webhook would receive)", ChannelState(target=""))
        ]
        for name, channel in targets:
            print(format_dry_run(name, plan_channel(channel, alerts), message_format=args.format, app_url=app_url))
        print("Dry run: nothing was sent and the state file was not written.")
        return 0

    try:
        with state_lock(state_path):
            state = AlertState.load(state_path)  # again, under the lock: another run may have just written it
            reports = [
                deliver(state, url, alerts, message_format=args.format, app_url=app_url, timeout_s=args.timeout)
                for url in webhooks
            ]
    except AlertStateError as error:
        return _fail(str(error))
    for report in reports:
        print(format_report(report))
    return 1 if any(report.owed for report in reports) else 0
