"""Generate raw input folders: the seeded demo world and bulk events for benchmarks.

Two entry points, both deterministic for a given set of arguments (seeded numpy Generators, no
wall-clock time, no unordered iteration):

* :func:`write_demo_world` (:mod:`.demo_world`) writes a complete raw folder (docs/CONTRACT.md §1)
  for a fictional SaaS company: about 250k usage lines over 92 days in one JSONL file per day,
  with multi-call traces, prompt caching, batch jobs, untagged calls, deliberately bad lines and
  duplicates, one injected cost spike, and every optional CSV. See ``docs/demo_world.md``.
* :func:`generate_events` (:mod:`.bulk`) writes any number of clean usage events as chunked
  Parquet (or JSONL) files, vectorised and in bounded memory, plus the optional CSVs sized to the
  customer count.

The modules, one job each: :mod:`.traffic` (the rules both simulators share), :mod:`.demo` and
:mod:`.stories` (the demo's call-by-call simulation and its injected stories), :mod:`.mess`
(bad lines and replays), :mod:`.bulk_plan`, :mod:`.bulk_sessions` and :mod:`.bulk_calls` (the
vectorised simulation), :mod:`.arrow` and :mod:`.writers` (encoding and files), :mod:`.clock`,
:mod:`.ids` and :mod:`.draws` (time, identifiers, randomness), :mod:`.cli` (``aicost generate``).
Token sizes come from public LLM traces (:mod:`ai_cost_attribution.token_shapes`); the company
(features, models, customers, prices, finance files) is :mod:`ai_cost_attribution.world`; the
fields and columns written are the contract's (:mod:`ai_cost_attribution.contract`).
"""

from ai_cost_attribution.generate.arrow import iso_timestamps
from ai_cost_attribution.generate.bulk import LATE_WINDOW_DAYS, GenerateSummary, generate_events
from ai_cost_attribution.generate.cli import add_arguments, run
from ai_cost_attribution.generate.clock import format_occurred_at
from ai_cost_attribution.generate.demo_world import DEFAULT_END_DATE, DemoWorldSummary, write_demo_world
from ai_cost_attribution.generate.mess import BAD_LINE_KINDS
from ai_cost_attribution.generate.stories import SpikeInfo

__all__ = [
    "BAD_LINE_KINDS",
    "DEFAULT_END_DATE",
    "LATE_WINDOW_DAYS",
    "DemoWorldSummary",
    "GenerateSummary",
    "SpikeInfo",
    "add_arguments",
    "format_occurred_at",
    "generate_events",
    "iso_timestamps",
    "run",
    "write_demo_world",
]
