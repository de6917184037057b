"""The benchmark's targets (issue 13, "The core reshaped"): their one home. Checked on every run,
never asserted; the ratios are measured in one run of ``aicost bench``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One figure and the bound it should meet (``sense`` is ``<=`` or ``>=``)."""

    name: str
    description: str
    sense: str
    bound: float
    min_events: int = 0  # judged only on a run of at least this many events

    def met(self, value: float) -> bool:
        return value <= self.bound if self.sense == "<=" else value >= self.bound


# The ratios are set for 10M events over 90 days; the minutes for 100M.
TARGETS: tuple[Target, ...] = (
    Target("incremental_over_full_build", "incremental day / full build", "<=", 0.15),
    Target("incremental_history_ratio", "incremental day / the same day on a tenth of the history", "<=", 1.5),
    Target("rebuild_over_full_build", "rebuild with nothing new / full build", "<=", 0.10),
    Target("full_build_over_engine_limit", "full build / engine limit", "<=", 6.0),
    Target("litellm_loop_over_full_build", "LiteLLM cost_per_token loop / full build", ">=", 15.0),
    Target("peak_rss_gib", "peak RSS of a build (GiB)", "<=", 4.0),
    Target("full_build_minutes", "full build (minutes)", "<=", 15.0, min_events=100_000_000),
    Target("incremental_day_minutes", "incremental day (minutes)", "<=", 2.0, min_events=100_000_000),
)


def judge(ratios: dict[str, float], events: int) -> dict[str, dict[str, object]]:
    """Every target with its measured value and whether it is met (None: not judged at this size)."""
    judged: dict[str, dict[str, object]] = {}
    for target in TARGETS:
        value = ratios[target.name]
        applies = events >= target.min_events
        judged[target.name] = {
            "description": target.description,
            "value": value,
            "target": f"{target.sense} {target.bound:g}",
            "met": target.met(value) if applies else None,
            "judged_from_events": target.min_events,
        }
    return judged
