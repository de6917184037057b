"""`aicost bench` runs end to end on a small history and its JSON holds every figure.

The figures themselves are measured, never asserted: timings belong to the machine. What is
asserted is that each step ran on the events it should have (the history, the day, the tenth
history), that the engine limit did the same work as the build (the same calls, the same total
cost), and that the two per-call loops priced the same sample."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_cost_attribution.bench import TARGETS

# a small history (the figures of a real run come from `aicost bench`, never from the suite)
EVENTS = 30_000
DAYS = 30
LOOP_SAMPLE = 5_000
STEPS = (
    "full build",
    "engine limit",
    "incremental day",
    "rebuild, nothing new",
    "full build, tenth history",
    "incremental day, tenth history",
)


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    workdir = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [sys.executable, "-m", "ai_cost_attribution.cli", "bench", "--events", str(EVENTS), "--days", str(DAYS),
         "--workdir", str(workdir), "--loop-sample", str(LOOP_SAMPLE), "--dbt-threads", "4"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )  # fmt: skip
    assert result.returncode == 0, f"aicost bench failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return json.loads((Path(workdir) / "bench.json").read_text()), result.stdout + result.stderr


def test_every_step_is_measured(bench_run) -> None:
    figures, output = bench_run
    assert set(figures["steps"]) == set(STEPS)
    for step in STEPS:
        measured = figures["steps"][step]
        assert measured["wall_seconds"] > 0
        assert measured["cpu_seconds"] > 0
        assert measured["peak_rss_bytes"] > 0
        assert step in output  # the printed table has a line per step
    for loop in ("lean", "litellm"):
        measured = figures["loops"][loop]
        assert measured["sample_events"] == LOOP_SAMPLE
        assert measured["extrapolated_seconds"] >= measured["loop_seconds"] > 0
    assert figures["generation_seconds"] > 0
    for key in ("cpu", "cores", "memory_gib", "duckdb", "dbt_core"):
        assert figures["machine"][key]


def test_ratios_are_reported_against_their_targets(bench_run) -> None:
    figures, output = bench_run
    assert set(figures["targets"]) == {target.name for target in TARGETS}
    for target in TARGETS:
        judged = figures["targets"][target.name]
        assert math.isfinite(judged["value"]) and judged["value"] > 0
        # the 100M targets are not judged on a quick run; every other one is
        assert judged["met"] is None if target.min_events > EVENTS else isinstance(judged["met"], bool)
        assert target.name in output  # the printed table carries every ratio


def test_the_same_events_went_through_every_step(bench_run) -> None:
    figures, _ = bench_run
    day = EVENTS // DAYS
    assert (figures["events"], figures["days"], figures["incremental_events"]) == (EVENTS, DAYS, day)
    assert figures["tenth_events"] == EVENTS // 10
    checks = figures["checks"]
    # the bulk generator writes clean events: every one is a priced call
    assert checks["dbt_calls"] == checks["engine_calls"] == EVENTS
    assert checks["calls_after_incremental"] == checks["calls_after_rebuild"] == EVENTS + day
    assert checks["tenth_calls"] == EVENTS // 10
    assert checks["tenth_calls_after_incremental"] == EVENTS // 10 + day
    # the engine limit (doubles) prices like the warehouse (exact decimals)
    assert checks["engine_vs_dbt_cost_relative_difference"] < 1e-9
    # both loops priced every event of the same sample
    lean, litellm = figures["loops"]["lean"], figures["loops"]["litellm"]
    assert lean["calls"] == litellm["calls"] == LOOP_SAMPLE
    assert lean["unpriced"] == litellm["unpriced"] == 0
