"""The mess a real log has: replays, conflicting duplicates and lines that must be rejected.

Each bad line breaks exactly one rule, so the demo's rejects can be counted by reason; a replay
repeats a call byte for byte, a conflicting duplicate repeats its request_id with a later
occurred_at (a correction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ai_cost_attribution.generate.clock import format_occurred_at
from ai_cost_attribution.generate.draws import Draws
from ai_cost_attribution.generate.ids import id_text, namespace
from ai_cost_attribution.generate.writers import dumps

if TYPE_CHECKING:
    from ai_cost_attribution.generate.demo import Fact

# The reject reasons the bad lines are written to get (fct_rejected_events.reject_reason).
BAD_LINE_KINDS: tuple[str, ...] = (
    "malformed_json", "missing_required_field", "invalid_timestamp", "negative_tokens", "inconsistent_cache_tokens",
)  # fmt: skip


def bad_line(kind: str, template: dict, request_id: str, r: Draws) -> str:
    """A line that must be rejected for exactly one reason."""
    event = {k: v for k, v in template.items() if k not in ("trace_id", "parent_request_id")}
    event["request_id"] = request_id
    event["call_role"] = "primary"
    event["status"] = "success"
    if kind == "malformed_json":
        text = dumps(event)
        return text[: 10 + r.below(len(text) - 12)]
    if kind == "missing_required_field":
        del event["model" if r.chance(0.5) else "request_id"]
    elif kind == "invalid_timestamp":
        event["occurred_at"] = ("yesterday", "2026-13-45T25:61:00Z", "not a timestamp")[
            r.below(3) if r.chance(0.4) else 0
        ]
    elif kind == "negative_tokens":
        event.pop("reasoning_tokens", None)
        if r.chance(0.5):
            event["output_tokens"] = -r.between(1, 500)
        else:
            event["input_tokens"] = -r.between(1, 5000)
            event["cache_read_tokens"] = 0
            event["cache_write_tokens"] = 0
            event.pop("cache_write_1h_tokens", None)
    elif kind == "inconsistent_cache_tokens":
        event["cache_read_tokens"] = event["input_tokens"]
        event["cache_write_tokens"] = 128 * r.between(1, 40)
        event.pop("cache_write_1h_tokens", None)
    return dumps(event)


@dataclass
class ExtraLines:
    """Lines added to the day files on purpose: replays, conflicting duplicates and bad lines."""

    inserts: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # day -> (before line, seq, text)
    exact: int = 0
    conflicting: int = 0
    bad: dict[str, int] = field(default_factory=dict)
    placed: int = 0

    def place(self, day: int, position: int, text: str) -> None:
        self.placed += 1
        self.inserts.setdefault(day, []).append((position, self.placed, text))


def extra_lines(by_day: list[list[Fact]], seed: int) -> ExtraLines:
    """Choose the duplicate and bad lines (a handful of each, fewer in a small world)."""
    r = Draws(np.random.default_rng([seed, 404]))
    rng = np.random.default_rng([seed, 405])
    where = {fact.seq: (d, i) for d, day_facts in enumerate(by_day) for i, fact in enumerate(day_facts)}
    eligible = [f for day_facts in by_day for f in day_facts if not f.unpriced and not f.is_batch]
    size = min(1.0, len(where) / 150_000)
    extra = ExtraLines()
    n_exact = max(2, round(r.between(20, 40) * size))
    n_conflicting = max(1, round(r.between(10, 20) * size))
    picks = rng.choice(len(eligible), size=min(len(eligible), n_exact + n_conflicting), replace=False).tolist()
    for k, index in enumerate(picks):
        fact = eligible[index]
        d, i = where[fact.seq]
        if k < n_exact:  # a replay, later the same day or in the next day's file
            extra.exact += 1
            if d + 1 < len(by_day) and r.chance(0.3):
                extra.place(d + 1, r.below(len(by_day[d + 1]) + 1), dumps(fact.event))
            else:
                extra.place(d, min(len(by_day[d]), i + 1 + r.below(50)), dumps(fact.event))
        else:  # the same request_id logged again a little later
            extra.conflicting += 1
            later = dict(fact.event)
            later["occurred_at"] = format_occurred_at(fact.ts + r.between(1_000, 120_000), fact.offset)
            extra.place(d, min(len(by_day[d]), i + 1 + r.below(20)), dumps(later))
    templates = [f for f in eligible if f.event["input_tokens"] > 0 and f.event.get("call_role") in (None, "primary")]
    bad_key = namespace(seed, "demo-bad")
    for kind in BAD_LINE_KINDS:
        extra.bad[kind] = max(2, round(r.between(12, 40) * size))
        for _ in range(extra.bad[kind]):
            request_id = id_text("req_", bad_key, extra.placed)
            line = bad_line(kind, templates[r.below(len(templates))].event, request_id, r)
            d = r.below(len(by_day))
            extra.place(d, r.below(len(by_day[d]) + 1), line)
    return extra
