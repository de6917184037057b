"""The demo world's provider truth: what OpenAI's and Anthropic's admin APIs report about the demo
company's traffic, and the gateway's own cost of the Google calls.

* ``provider_usage/``: OpenAI completions and embeddings usage pages and Anthropic messages usage
  report pages, one daily bucket per day from the first day of the window to the day before its
  last (today is not reported yet), seven buckets a page (``has_more`` / ``next_page``).
* ``provider_costs/``: OpenAI costs pages and Anthropic cost report pages of the same days, the
  amounts the providers bill (the calls priced in Python, :mod:`ai_cost_attribution.world`).
* Untracked usage, the stories the reports tell beyond the logs: a ticket-triage worker that
  calls gpt-4o-mini with its own key, past the gateway, for the last two weeks (the provider sees
  one call in four more than the logs hold), and an offline evaluation job that re-sends one in
  ten of the day's claude-sonnet-4-5 calls every Sunday.
* One page the build cannot count: an export of OpenAI's images usage (counted in images, not
  tokens), a ``fct_provider_report_rejects`` row (``unsupported_report``).
* Price drift: the gateway (LiteLLM) records its cost of every Google call (``reported_cost_usd``);
  from the first day of the last month it prices gemini-2.5-flash 20 % above the rate card (Google
  changed the price; the rate card did not follow).

The pages are built field for field by :mod:`ai_cost_attribution.provider_pages`; everything is
deterministic (no draws: which calls the stories copy is fixed by their order).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ai_cost_attribution import provider_pages as pages

BUCKETS_PER_PAGE = 7  # `limit=7` on the export: a month is four or five pages
REPORTED_PROVIDERS = ("openai", "anthropic")

# The snapshot each logged model resolves to, as the providers' reports name it
REPORTED_MODEL_NAMES = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
}
ANTHROPIC_DESCRIPTIONS = {"claude-sonnet-4-5": "Claude Sonnet 4.5 Usage", "claude-haiku-4-5": "Claude Haiku 4.5 Usage"}


@dataclass(frozen=True)
class UntrackedStory:
    """Calls a provider saw that the logs do not hold: a copy of one in ``every`` logged calls
    (batch calls aside) of a model on each day the story runs: the last ``last_days`` reported
    days, or every ``weekday`` (ISO, 7 = Sunday)."""

    provider: str
    model: str
    every: int
    what: str
    last_days: int | None = None
    weekday: int | None = None

    def runs_on(self, day: date, last_reported_day: date) -> bool:
        if self.last_days is not None:
            return day > last_reported_day - timedelta(days=self.last_days)
        return day.isoweekday() == self.weekday


UNTRACKED_STORIES: tuple[UntrackedStory, ...] = (
    UntrackedStory("openai", "gpt-4o-mini", 4, "a ticket-triage worker calling the API past the gateway", last_days=14),
    UntrackedStory("anthropic", "claude-sonnet-4-5", 10, "an offline evaluation job re-sending sampled prompts",
                   weekday=7),
)  # fmt: skip

DRIFT_PROVIDER = "google"  # the provider whose calls the gateway prices itself
DRIFT_MODEL = "gemini-2.5-flash"
DRIFT_FACTOR = 1.2


@dataclass(frozen=True)
class LoggedCall:
    """One accepted call of the demo's logs, as far as a provider's report can see it."""

    day: date  # UTC
    provider: str
    model: str
    operation: str  # chat or embeddings
    input_tokens: int  # all prompt tokens
    cache_read_tokens: int
    cache_write_tokens: int  # of which cache_write_1h_tokens are 1-hour writes
    cache_write_1h_tokens: int
    output_tokens: int
    is_batch: bool
    cost_usd: float  # approximate effective cost: list price less negotiated discounts


@dataclass(frozen=True)
class ProviderTruthSummary:
    """What :func:`write_provider_reports` wrote and the untracked usage it holds."""

    files: tuple[str, ...]  # relative to the raw folder
    first_day: date
    last_day: date  # the last day the reports cover
    untracked_requests: dict[tuple[str, str], int]  # (provider, model) -> requests the logs miss
    untracked_days: dict[tuple[str, str], tuple[date, ...]]
    untracked_usd: dict[str, float]  # provider -> approximate cost of those requests


def gateway_reported_cost(provider: str, model: str, day: date, list_cost: float, drift_from: date) -> float | None:
    """The gateway's own cost of a call (``reported_cost_usd``), or None when it records none."""
    if provider != DRIFT_PROVIDER:
        return None
    factor = DRIFT_FACTOR if model == DRIFT_MODEL and day >= drift_from else 1.0
    return round(list_cost * factor, 10)


def drift_start(last_day: date) -> date:
    """The day the gateway starts pricing the drifting model above the rate card: the first of
    the last month of the window."""
    return last_day.replace(day=1)


def reported_calls(calls: Sequence[LoggedCall], first_day: date, last_day: date) -> tuple[list[LoggedCall], dict]:
    """The calls the providers saw on the reported days: the logged ones plus the stories' copies;
    and the copies per (provider, model)."""
    seen = [c for c in calls if c.provider in REPORTED_PROVIDERS and first_day <= c.day <= last_day]
    copies: dict[tuple[str, str], list[LoggedCall]] = defaultdict(list)
    for story in UNTRACKED_STORIES:
        count: dict[date, int] = defaultdict(int)
        for call in seen:
            if (call.provider, call.model) != (story.provider, story.model) or call.is_batch:
                continue
            if not story.runs_on(call.day, last_day):
                continue
            if count[call.day] % story.every == 0:
                copies[(story.provider, story.model)].append(call)
            count[call.day] += 1
    return seen + [c for extra in copies.values() for c in extra], copies


def _sum_tokens(calls: Iterable[LoggedCall]) -> dict[str, int]:
    total = {"requests": 0, "input": 0, "read": 0, "write": 0, "write_1h": 0, "output": 0}
    for c in calls:
        total["requests"] += 1
        total["input"] += c.input_tokens
        total["read"] += c.cache_read_tokens
        total["write"] += c.cache_write_tokens
        total["write_1h"] += c.cache_write_1h_tokens
        total["output"] += c.output_tokens
    return total


def _grouped(calls: Iterable[LoggedCall], key) -> dict[date, dict[tuple, list[LoggedCall]]]:
    out: dict[date, dict[tuple, list[LoggedCall]]] = defaultdict(lambda: defaultdict(list))
    for c in calls:
        out[c.day][key(c)].append(c)
    return out


def _days(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]


def _openai_usage_result(group: tuple, calls: list[LoggedCall]) -> dict:
    model, operation, batch = group
    t = _sum_tokens(calls)
    if operation == "embeddings":
        return pages.openai_embeddings_result(model, input_tokens=t["input"], requests=t["requests"])
    return pages.openai_completions_result(
        model,
        input_tokens=t["input"],
        cached=t["read"],
        cache_write=t["write"],
        output_tokens=t["output"],
        requests=t["requests"],
        batch=batch,
    )


def _anthropic_usage_result(group: tuple, calls: list[LoggedCall]) -> dict:
    model, tier = group
    t = _sum_tokens(calls)
    return pages.anthropic_usage_result(
        model,
        uncached=t["input"] - t["read"] - t["write"],
        cache_read=t["read"],
        cache_5m=t["write"] - t["write_1h"],
        cache_1h=t["write_1h"],
        output_tokens=t["output"],
        service_tier=tier,
    )


def _paged(name: str, buckets: list[dict], page, out_dir: Path) -> list[str]:
    """Save buckets as pages of BUCKETS_PER_PAGE, one file a page, each naming the next."""
    files = []
    chunks = [buckets[i : i + BUCKETS_PER_PAGE] for i in range(0, len(buckets), BUCKETS_PER_PAGE)]
    for n, chunk in enumerate(chunks, start=1):
        cursor = None
        if n < len(chunks):
            cursor = "page_" + hashlib.sha256(f"{name}/{n + 1}".encode()).hexdigest()[:24]
        relative = f"{name}_{n:02d}.json"
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages.pretty(page(chunk, next_page=cursor)), encoding="utf-8")
        files.append(relative)
    return files


def _remove_stale(out_dir: Path) -> None:
    """Pages of an earlier run (other files in the folders are left alone)."""
    for folder in ("provider_usage", "provider_costs"):
        for stale in sorted((out_dir / folder).glob("*_[0-9][0-9].json")):
            if stale.name.startswith(("openai_", "anthropic_")):
                stale.unlink()


def write_provider_reports(
    out_dir: Path, calls: Sequence[LoggedCall], *, first_day: date, last_day: date
) -> ProviderTruthSummary:
    """Write ``provider_usage/`` and ``provider_costs/`` for the demo's logged calls of
    ``first_day`` to ``last_day - 1`` (the last day is not reported yet), with the untracked usage
    of :data:`UNTRACKED_STORIES`."""
    out_dir = Path(out_dir)
    last_reported = last_day - timedelta(days=1)
    days = _days(first_day, last_reported)
    seen, copies = reported_calls(calls, first_day, last_reported)
    _remove_stale(out_dir)
    files: list[str] = []

    def name(c: LoggedCall) -> str:
        return REPORTED_MODEL_NAMES.get(c.model, c.model)

    openai = [c for c in seen if c.provider == "openai"]
    anthropic = [c for c in seen if c.provider == "anthropic"]

    def save(name: str, calls: Iterable[LoggedCall], key, result, bucket, page) -> None:
        """One bucket a day (empty when nothing was used), one result per group of the day's calls."""
        by_day = _grouped(calls, key)
        buckets = [bucket(day.isoformat(), [result(g, by_day[day][g]) for g in sorted(by_day[day])]) for day in days]
        files.extend(_paged(name, buckets, page, out_dir))

    for operation, endpoint in (("chat", "completions"), ("embeddings", "embeddings")):
        save(
            f"provider_usage/openai_{endpoint}",
            (c for c in openai if c.operation == operation),
            lambda c: (name(c), c.operation, c.is_batch),
            _openai_usage_result,
            pages.openai_bucket,
            pages.openai_page,
        )
    save(
        "provider_usage/anthropic_messages",
        anthropic,
        lambda c: (name(c), "batch" if c.is_batch else "standard"),
        _anthropic_usage_result,
        pages.anthropic_bucket,
        pages.anthropic_page,
    )
    # cost reports: what each model cost that day, as billed (OpenAI in dollars, Anthropic in cents)
    save(
        "provider_costs/openai_costs",
        openai,
        lambda c: (name(c),),
        lambda g, calls: pages.openai_cost_result(round(sum(c.cost_usd for c in calls), 8), line_item=g[0]),
        pages.openai_bucket,
        pages.openai_page,
    )
    save("provider_costs/anthropic_costs", anthropic, lambda c: (c.model,),
         lambda g, calls: pages.anthropic_cost_result(f"{sum(c.cost_usd for c in calls) * 100:.6f}",
                                                      description=ANTHROPIC_DESCRIPTIONS.get(g[0], g[0]), model=g[0]),
         pages.anthropic_bucket, pages.anthropic_page)  # fmt: skip

    # the marketing team's image generation, exported with the rest: not a token report
    images = [pages.openai_bucket(day.isoformat(), [pages.openai_images_result("gpt-image-1", images=12, requests=12)])
              for day in days[-BUCKETS_PER_PAGE:]]  # fmt: skip
    files.extend(_paged("provider_usage/openai_images", images, pages.openai_page, out_dir))

    untracked_usd: dict[str, float] = defaultdict(float)
    for (provider, _), extra in copies.items():
        untracked_usd[provider] += sum(c.cost_usd for c in extra)
    return ProviderTruthSummary(
        files=tuple(files),
        first_day=first_day,
        last_day=last_reported,
        untracked_requests={key: len(extra) for key, extra in copies.items()},
        untracked_days={key: tuple(sorted({c.day for c in extra})) for key, extra in copies.items()},
        untracked_usd=dict(untracked_usd),
    )
