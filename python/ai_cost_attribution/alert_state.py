"""What `aicost alerts` has sent, and what it still owes, per webhook: a small JSON file.

    {
      "format": "aicost.alerts_state.v1",
      "webhooks": {
        "<webhook id>": {                              # sha256 of the URL, 16 hex digits
          "target": "https://hooks.slack.com/…",       # the URL masked: never its secret path
          "alerts": {
            "budget:team:developer_tools:2026-11-01:over": {
              "kind": "budget",
              "status": "delivered",                   # or "pending": owed, retried on the next run
              "alert": {...},                          # the alert's figures when it was raised
              "first_seen_at": "2026-11-16T06:00:02+00:00",
              "attempts": 1,
              "last_attempt_at": "2026-11-16T06:00:02+00:00",
              "last_error": null,                      # why the last attempt failed
              "delivered_at": "2026-11-16T06:00:02+00:00"
            }
          }
        }
      }
    }

Nothing is ever removed: a pending alert stays owed until a webhook accepts it. The file is
replaced atomically (a temporary file in the same folder, then `os.replace`), and a run holds
`<file>.lock` so two runs never send the same alert twice."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai_cost_attribution.alert_rules import BUDGET_LEVELS, Alert, BudgetAlert, alert_from_record, alert_record

STATE_FORMAT = "aicost.alerts_state.v1"
DELIVERED = "delivered"
PENDING = "pending"


class AlertStateError(RuntimeError):
    """The state file cannot be read, written or locked; the message names it."""


def default_state_path(db_path: Path) -> Path:
    """`<warehouse folder>/<warehouse name>.alerts_state.json`: one state per warehouse file."""
    return db_path.with_name(f"{db_path.stem}.alerts_state.json")


def now_utc() -> str:
    """The wall-clock time of an attempt (the only wall-clock value the alerts keep)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Delivery:
    """One alert owed to, or delivered to, one webhook."""

    alert: Alert
    status: str
    first_seen_at: str
    attempts: int = 0
    last_attempt_at: str | None = None
    last_error: str | None = None
    delivered_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.alert.kind,
            "status": self.status,
            "alert": alert_record(self.alert),
            "first_seen_at": self.first_seen_at,
            "attempts": self.attempts,
            "last_attempt_at": self.last_attempt_at,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at,
        }

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> Delivery:
        return cls(
            alert=alert_from_record(entry["kind"], entry["alert"]),
            status=entry["status"],
            first_seen_at=entry["first_seen_at"],
            attempts=int(entry.get("attempts", 0)),
            last_attempt_at=entry.get("last_attempt_at"),
            last_error=entry.get("last_error"),
            delivered_at=entry.get("delivered_at"),
        )


@dataclass
class ChannelState:
    """The deliveries of one webhook, by alert id, in the order the alerts were first seen."""

    target: str
    deliveries: dict[str, Delivery] = field(default_factory=dict)

    def pending(self) -> list[Delivery]:
        """Alerts owed to this webhook, oldest first."""
        return [delivery for delivery in self.deliveries.values() if delivery.status == PENDING]

    def is_new(self, alert: Alert) -> bool:
        """Not raised to this webhook before; a budget also not at or below a level already raised."""
        if alert.alert_id in self.deliveries:
            return False
        if isinstance(alert, BudgetAlert):
            raised = [
                BUDGET_LEVELS.index(known.alert.level)
                for known in self.deliveries.values()
                if isinstance(known.alert, BudgetAlert) and known.alert.subject == alert.subject
            ]
            return not raised or BUDGET_LEVELS.index(alert.level) > max(raised)
        return True

    def owe(self, alert: Alert, *, at: str) -> Delivery:
        """Record a new alert as owed (pending) to this webhook."""
        delivery = Delivery(alert=alert, status=PENDING, first_seen_at=at)
        self.deliveries[alert.alert_id] = delivery
        return delivery


@dataclass
class AlertState:
    """Every webhook's deliveries, read from and written to one JSON file."""

    path: Path
    channels: dict[str, ChannelState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> AlertState:
        """The state in `path`, or an empty one when the file does not exist yet."""
        if not path.exists():
            return cls(path=path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != STATE_FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {STATE_FORMAT!r}")
            channels = {
                webhook_id: ChannelState(
                    target=channel["target"],
                    deliveries={
                        alert_id: Delivery.from_json(entry) for alert_id, entry in channel.get("alerts", {}).items()
                    },
                )
                for webhook_id, channel in data.get("webhooks", {}).items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise AlertStateError(
                f"Cannot read the alert state {path} ({error}). Fix or move the file; without it every alert "
                "still in the warehouse would be sent again."
            ) from error
        return cls(path=path, channels=channels)

    def channel(self, webhook_id: str, target: str) -> ChannelState:
        """The deliveries of one webhook (created empty the first time it is used)."""
        channel = self.channels.setdefault(webhook_id, ChannelState(target=target))
        channel.target = target
        return channel

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "webhooks": {
                webhook_id: {
                    "target": channel.target,
                    "alerts": {alert_id: delivery.to_json() for alert_id, delivery in channel.deliveries.items()},
                }
                for webhook_id, channel in self.channels.items()
            },
        }

    def save(self) -> None:
        """Replace the file atomically: a reader sees the old state or the new one, never half of it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise


@contextlib.contextmanager
def state_lock(path: Path, *, timeout_s: float = 120) -> Iterator[None]:
    """Hold `<state file>.lock`: one `aicost alerts` run per state file at a time."""
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise AlertStateError(
                        f"another `aicost alerts` run has held {lock_path} for over {timeout_s:.0f} s"
                    ) from error
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
