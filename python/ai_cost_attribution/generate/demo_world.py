"""``write_demo_world``: the demo company's complete raw folder (docs/demo_world.md).

The traffic is simulated call by call (:mod:`.demo`), the stories added (:mod:`.stories`), the
mess mixed in (:mod:`.mess`), then the day files and the optional CSVs are written
(:mod:`.writers`), the finance files sized from the approximate cost of what was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ai_cost_attribution import demo_provider_truth as pt
from ai_cost_attribution import world as w
from ai_cost_attribution.generate.clock import DAY_MS, day_factor
from ai_cost_attribution.generate.demo import BATCH_PER_NIGHT, DemoSimulator, Fact
from ai_cost_attribution.generate.mess import extra_lines
from ai_cost_attribution.generate.stories import (
    SPIKE_FEATURE,
    SpikeInfo,
    add_long_context_calls,
    add_unpriced_calls,
    inject_spike,
)
from ai_cost_attribution.generate.writers import reference_tables, write_csv_inputs, write_day_files
from ai_cost_attribution.project import project_root
from ai_cost_attribution.token_shapes import load_token_shapes

DEFAULT_END_DATE = date(2026, 11, 15)
# the demo company: three months of traffic from 200 customers (about 240,000 usage lines)
DEFAULT_DAYS = 92
DEFAULT_CUSTOMERS = 200
_EPOCH_DATE = date(1970, 1, 1)


@dataclass(frozen=True)
class DemoWorldSummary:
    """What :func:`write_demo_world` wrote."""

    out_dir: Path
    start_date: date
    end_date: date
    customers: int
    events: int  # distinct well-formed calls (each counted once), unpriced ones included
    unpriced_events: int  # calls of a model with no price (future ``unpriced_model`` rejects)
    traces: int  # distinct trace_id values + calls without trace_id, over the ``events``
    lines: int  # every line of every usage file
    bad_lines: dict[str, int]  # deliberately broken lines by the reject reason they should get
    duplicates_exact: int  # extra lines replaying a call byte for byte
    duplicates_conflicting: int  # extra lines with a call's request_id and a later occurred_at
    files: tuple[str, ...]  # every file written, relative to out_dir
    spike: SpikeInfo
    price_source: str  # where the approximate prices for invoices and budgets came from
    provider_truth: pt.ProviderTruthSummary | None = None  # provider_usage/ and provider_costs/

    @property
    def duplicates(self) -> int:
        return self.duplicates_exact + self.duplicates_conflicting

    @property
    def events_written(self) -> int:
        """Usage lines written (good, bad and duplicate): the same as ``lines``."""
        return self.lines

    @property
    def bad_lines_written(self) -> int:
        return sum(self.bad_lines.values())

    @property
    def files_written(self) -> int:
        return len(self.files)

    @property
    def expected_accepted_calls(self) -> int:
        """Rows ``fct_llm_calls`` should hold."""
        return self.events - self.unpriced_events

    @property
    def expected_rejected_lines(self) -> int:
        """Rows ``fct_rejected_events`` should hold (lines = accepted + rejected)."""
        return sum(self.bad_lines.values()) + self.duplicates + self.unpriced_events


def demo_scale(customers: int, events: int | None, first_day: date, days: int) -> float:
    """Traffic multiplier: customers / 200, or whatever gives about ``events`` calls."""
    if events is None:
        return customers / 200
    per_day = sum(f.traces_per_day * f.expected_calls_per_trace() for f in w.FEATURES) + BATCH_PER_NIGHT
    expected = sum(day_factor(first_day + timedelta(days=i), i, days) * per_day for i in range(days))
    return max(events, 1) / expected


def write_demo_world(
    out_dir: Path,
    *,
    seed: int = 42,
    end_date: date = DEFAULT_END_DATE,
    days: int = DEFAULT_DAYS,
    customers: int = DEFAULT_CUSTOMERS,
    events: int | None = None,
    traces_dir: Path | None = None,
    rate_card: Path | None = None,
) -> DemoWorldSummary:
    """Write the demo raw folder (docs/CONTRACT.md §1) into ``out_dir``; deterministic for its arguments.

    ``events`` sets the approximate number of calls (default: proportional to ``customers``,
    about 235k lines for 200 customers over 92 days). ``traces_dir`` derives the token sizes from
    the original public trace files in that folder instead of the packaged sample; ``rate_card``
    the price list used to size invoices, budgets and revenue (default the project's
    ``seeds/rate_card.csv``, priced by :mod:`ai_cost_attribution.pricing`).
    Day files of an earlier run in ``out_dir/usage`` are replaced; other files there are kept.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    out_dir = Path(out_dir)
    start = end_date - timedelta(days=days - 1)
    shapes = load_token_shapes(traces_dir)
    people = w.build_customers(customers, seed, days)
    all_days = [start + timedelta(days=i) for i in range(days)]
    discounts = w.demo_discounts(start)
    prices = w.unit_prices(w.price_list(discounts, rate_card), all_days)
    scale = demo_scale(customers, events, start, days)

    sim = DemoSimulator(shapes, people, start, days, seed, scale, prices)
    sim.simulate_traffic()
    unpriced = add_unpriced_calls(sim)
    add_long_context_calls(sim)
    spike = inject_spike(sim)

    facts = sorted(sim.facts, key=lambda f: (f.ts, f.seq))
    day_of = [min(days - 1, (f.ts - sim.start_ms) // DAY_MS) for f in facts]
    by_day: list[list[Fact]] = [[] for _ in range(days)]
    for fact, d in zip(facts, day_of, strict=True):
        by_day[d].append(fact)
    costs = sim.costs(facts)
    _add_gateway_costs(facts, sim.costs(facts, discounted=False), pt.drift_start(end_date))
    extra = extra_lines(by_day, seed)
    files = write_day_files(out_dir, start, by_day, extra)

    totals = w.CostTotals.empty(start, end_date, len(people))
    month_of_day = np.array([totals.months.index(d.replace(day=1)) for d in all_days])
    totals.add(
        month_of_day[np.array(day_of, dtype=np.int64)],
        np.array([f.model for f in facts], dtype=np.int64),
        np.array([f.feature for f in facts], dtype=np.int64),
        np.array([f.customer for f in facts], dtype=np.int64),
        np.array([f.cogs for f in facts]),
        costs,
    )
    last = len(totals.months) - 1
    top_customer = people[int(np.argmax(totals.customer.sum(axis=0)))].customer_id
    over = (
        ("feature", SPIKE_FEATURE, totals.months.index(spike.day.replace(day=1))),
        ("team", "developer_tools", last),
        ("customer", top_customer, last),
    )
    fin = np.random.default_rng([seed, 505])
    tables = reference_tables(people, totals, scale, discounts, fin, over)
    files += write_csv_inputs(out_dir, {**tables, "outcomes": sim.outcomes})
    logged = [_logged_call(f, float(c)) for f, c in zip(facts, costs, strict=True) if not f.unpriced]
    truth = pt.write_provider_reports(out_dir, logged, first_day=start, last_day=end_date)
    files += truth.files

    trace_ids = {f.event["trace_id"] for f in facts if "trace_id" in f.event}
    return DemoWorldSummary(
        out_dir=out_dir,
        start_date=start,
        end_date=end_date,
        customers=len(people),
        events=len(facts),
        unpriced_events=unpriced,
        traces=len(trace_ids) + sum("trace_id" not in f.event for f in facts),
        lines=len(facts) + extra.exact + extra.conflicting + sum(extra.bad.values()),
        bad_lines=extra.bad,
        duplicates_exact=extra.exact,
        duplicates_conflicting=extra.conflicting,
        files=tuple(sorted(files)),
        spike=spike,
        price_source=str(rate_card or project_root() / "seeds" / "rate_card.csv"),
        provider_truth=truth,
    )


def _utc_day(fact: Fact) -> date:
    return _EPOCH_DATE + timedelta(days=fact.ts // DAY_MS)


def _add_gateway_costs(facts: list[Fact], list_costs: np.ndarray, drift_from: date) -> None:
    """The gateway's own cost of the calls it prices (``reported_cost_usd``, see demo_provider_truth)."""
    for fact, cost in zip(facts, list_costs, strict=True):
        spec = w.MODELS[fact.model]
        if fact.unpriced or np.isnan(cost):
            continue
        reported = pt.gateway_reported_cost(spec.provider, spec.model, _utc_day(fact), float(cost), drift_from)
        if reported is not None:
            fact.event["reported_cost_usd"] = reported


def _logged_call(fact: Fact, cost: float) -> pt.LoggedCall:
    """An accepted call as the providers' reports see it."""
    spec, event = w.MODELS[fact.model], fact.event
    return pt.LoggedCall(
        day=_utc_day(fact),
        provider=spec.provider,
        model=spec.model,
        operation=spec.operation,
        input_tokens=event["input_tokens"],
        cache_read_tokens=event.get("cache_read_tokens", 0),
        cache_write_tokens=event.get("cache_write_tokens", 0),
        cache_write_1h_tokens=event.get("cache_write_1h_tokens", 0),
        output_tokens=event["output_tokens"],
        is_batch=fact.is_batch,
        cost_usd=cost,
    )
