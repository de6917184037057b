"""`aicost bench`: how fast the project prices usage, against its targets.

One run measures, on the same generated history (``--events`` over ``--days``, 90 by default):
the full build, an incremental day, a rebuild with nothing new, the same day on a history a
tenth of the size, the engine limit (one DuckDB statement) and two per-call loops (pricing.py,
and LiteLLM's own ``cost_per_token`` as the gateways' callbacks run it). It prints the ratios
against the targets and writes JSON. Absolute seconds vary between machines; the ratios, taken
in one run, are the headline (docs/performance.md).

The modules: :mod:`.run` (the steps, in order), :mod:`.harness` (a measured child process),
:mod:`.engine` and ``engine_limit.sql`` (the engine limit), :mod:`.loops` (the per-call loops),
:mod:`.targets` (the targets, their one home), :mod:`.cli` (the command line).
"""

from ai_cost_attribution.bench.cli import add_arguments, run
from ai_cost_attribution.bench.run import QUICK_EVENTS
from ai_cost_attribution.bench.targets import TARGETS

__all__ = ["QUICK_EVENTS", "TARGETS", "add_arguments", "run"]
