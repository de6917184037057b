"""`aicost bench --quick` runs end to end and its JSON holds every figure.

The figures themselves are measured, never asserted: timings belong to the machine. What is
asserted is that each step ran on the same events and that the engine limit and the per-call loop
did the same work as the build (the same calls, the same total cost)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_cost_attribution.bench import QUICK_EVENTS, TARGETS


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    workdir = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [sys.executable, "-m", "ai_cost_attribution.cli", "bench", "--quick", "--workdir", str(workdir),
         "--loop-sample", "50000", "--dbt-threads", "4"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )  # fmt: skip
    assert result.returncode == 0, f"aicost bench failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return json.loads((Path(workdir) / "bench.json").read_text()), result.stdout + result.stderr


def test_every_step_is_measured(bench_run) -> None:
    figures, _ = bench_run
    for step in ("full build", "incremental build", "engine limit", "per-call loop"):
        measured = figures["steps"][step]
        assert measured["wall_seconds"] > 0
        assert measured["cpu_seconds"] > 0
        assert measured["peak_rss_bytes"] > 0
    assert figures["loop"]["sample_events"] == 50_000
    assert figures["loop"]["extrapolated_seconds"] >= figures["loop"]["loop_seconds"]
    assert figures["generation_seconds"] > 0
    for key in ("cpu", "cores", "memory_gib", "duckdb", "dbt_core"):
        assert figures["machine"][key]


def test_ratios_are_reported_against_their_targets(bench_run) -> None:
    figures, output = bench_run
    assert set(figures["targets"]) == set(TARGETS)
    for name, target in figures["targets"].items():
        assert math.isfinite(target["value"]) and target["value"] > 0
        assert isinstance(target["met"], bool)
        assert name in output  # the printed table carries every ratio


def test_the_same_events_went_through_every_step(bench_run) -> None:
    figures, _ = bench_run
    assert figures["events"] == QUICK_EVENTS
    assert figures["incremental_events"] == QUICK_EVENTS // 30
    checks = figures["checks"]
    # the bulk generator writes clean events: every one is a priced call
    assert checks["dbt_calls"] == checks["engine_calls"] == QUICK_EVENTS
    assert checks["calls_after_incremental"] == QUICK_EVENTS + QUICK_EVENTS // 30
    # the engine limit (doubles) prices like the warehouse (exact decimals)
    assert checks["engine_vs_dbt_cost_relative_difference"] < 1e-9
