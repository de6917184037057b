"""One run of ``aicost bench``: generate, build, measure every step, judge the targets.

A history of ``events`` usage events spread over ``days`` days (Parquet, the bulk generator) is
built into one warehouse; a history a tenth of its size over the same days into a second one.
Each step runs in its own process, so its peak RSS is its own (docs/performance.md):

1. generate the history;
2. **full build**: ``dbt build`` on an empty warehouse;
3. **engine limit**: the core work in one DuckDB statement (``engine_limit.sql``);
4. **lean loop**: pricing.py one call at a time, on a sample, extrapolated to every event;
5. **LiteLLM loop**: ``litellm.cost_per_token`` one call at a time, as the gateways' callbacks do;
6. **incremental day**: one more day (``events / days`` events, 1 % of them late) lands, ``dbt build``;
7. **rebuild, nothing new**: ``dbt build`` again;
8. the tenth history: generated and built (its full build is reported too);
9. **incremental day on the tenth**: the same day file lands in it, ``dbt build``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ai_cost_attribution.bench.harness import Step, dbt_progress, machine_info, run_measured, say
from ai_cost_attribution.bench.targets import judge
from ai_cost_attribution.project import copy_project, dbt_environment, dbt_executable, project_root

DEFAULT_EVENTS = 10_000_000
QUICK_EVENTS = 200_000
DEFAULT_DAYS = 90  # three months of history
START_DATE = date(2026, 8, 1)
LATE_FRACTION = 0.01
SEED = 2026
LOOP_SAMPLE = 200_000
TENTH = 10  # the second history is this many times smaller


@dataclass
class Warehouse:
    """A private copy of the project, its raw folder and its DuckDB file, under ``root``."""

    root: Path
    dbt_threads: int

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def db_path(self) -> Path:
        return self.root / "bench.duckdb"

    def prepare(self) -> None:
        """A fresh copy of the project, no raw files, no warehouse."""
        for stale in (self.raw, self.project):
            if stale.exists():
                shutil.rmtree(stale)
        for stale in self.root.glob("bench.duckdb*"):
            stale.unlink()
        copy_project(self.project)

    def env(self) -> dict[str, str]:
        env = dbt_environment(self.db_path)
        env["AICOST_DBT_THREADS"] = str(self.dbt_threads)
        return env

    def dbt(self, *arguments: str) -> list[str]:
        return [dbt_executable(), *arguments, "--project-dir", str(self.project), "--profiles-dir", str(self.project),
                "--vars", json.dumps({"raw_path": str(self.raw)})]  # fmt: skip

    def parse(self) -> None:
        """``dbt parse`` (not timed), so the first timed build starts from a parsed project."""
        subprocess.run(self.dbt("parse"), cwd=self.project, env=self.env(), capture_output=True, check=True)

    def build(self, name: str, logs: Path) -> Step:
        """One timed ``dbt build``."""
        log = logs / (name.replace(" ", "_").replace(",", "") + ".log")
        step = run_measured(name, self.dbt("build"), cwd=self.project, env=self.env(), log_path=log,
                            progress=dbt_progress)  # fmt: skip
        say(f"    {name}: {step.wall_seconds:.1f} s, peak RSS {step.peak_rss_gib:.2f} GiB")
        return step

    def scalar(self, sql: str) -> Any:
        import duckdb

        with duckdb.connect(str(self.db_path), read_only=True) as connection:
            return connection.execute(sql).fetchone()[0]


@dataclass
class BenchResult:
    """Everything one run measured (written as JSON)."""

    events: int
    days: int
    tenth_events: int
    incremental_events: int
    late_events: int
    customers: int
    machine: dict[str, Any]
    generation_seconds: float
    steps: dict[str, dict[str, Any]]
    loops: dict[str, dict[str, Any]]
    checks: dict[str, Any]
    ratios: dict[str, float]
    targets: dict[str, dict[str, Any]]
    finished_at: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def _relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-9)


def _internal_step(kind: str, out: Path, files: list[Path], *extra: str) -> list[str]:
    return [sys.executable, "-m", "ai_cost_attribution.bench", "--internal-step", kind, "--out-json", str(out),
            *extra, *map(str, files)]  # fmt: skip


def _loop(
    pricer: str, files: list[Path], seeds: Path, discounts: Path, sample: int, events: int, workdir: Path
) -> dict:
    """One per-call loop in its own process; its figures, extrapolated to ``events``."""
    out = workdir / f"loop_{pricer}.json"
    command = _internal_step(pricer, out, files, "--seeds", str(seeds), "--discounts", str(discounts),
                             "--sample", str(sample))  # fmt: skip
    step = run_measured(f"{pricer} loop", command, cwd=workdir, env=dict(os.environ),
                        log_path=workdir / "logs" / f"loop_{pricer}.log")  # fmt: skip
    figures = json.loads(out.read_text())
    figures["extrapolated_seconds"] = figures["loop_seconds"] * events / max(figures["sample_events"], 1)
    figures["microseconds_per_event"] = 1e6 * figures["loop_seconds"] / max(figures["sample_events"], 1)
    figures["peak_rss_bytes_on_sample"] = step.peak_rss_bytes
    figures["process_wall_seconds"] = step.wall_seconds
    say(f"    {pricer} loop: {figures['loop_seconds']:.1f} s on {figures['sample_events']:,} events "
        f"({figures['microseconds_per_event']:.1f} us each) -> {figures['extrapolated_seconds']:.0f} s")  # fmt: skip
    return figures


def run_bench(
    events: int,
    workdir: Path,
    *,
    days: int = DEFAULT_DAYS,
    loop_sample: int = LOOP_SAMPLE,
    customers: int | None = None,
    dbt_threads: int = 1,
) -> BenchResult:
    """Generate, build, measure; return every figure."""
    import importlib.util

    from ai_cost_attribution.generate import generate_events

    customers = customers or max(200, events // 10_000)
    day_events = max(1, events // days)
    tenth_events = max(1, events // TENTH)
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    history = Warehouse(workdir / "history", dbt_threads)
    tenth = Warehouse(workdir / "tenth", dbt_threads)
    day_raw = workdir / "day"
    for warehouse in (history, tenth):
        warehouse.prepare()
    if day_raw.exists():
        shutil.rmtree(day_raw)
    began = time.perf_counter()

    def elapsed() -> str:
        return f"{time.perf_counter() - began:.0f} s elapsed"

    say(f"1/9 generating {events:,} events over {days} days from {START_DATE} ({customers:,} customers)")
    summary = generate_events(history.raw, events=events, days=days, start_date=START_DATE, customers=customers,
                              seed=SEED, file_format="parquet", progress=True)  # fmt: skip
    base_files = sorted(history.raw / name for name in summary.files)
    seeds = history.project / "seeds"
    discounts = history.raw / "price_adjustments.csv"

    history.parse()
    say(f"2/9 full dbt build ({elapsed()})")
    full = history.build("full build", logs)
    built_calls = history.scalar("select count(*) from marts.fct_llm_calls")
    built_cost = float(history.scalar("select sum(pooled_cost_usd) from marts.fct_llm_calls") or 0)

    say(f"3/9 engine limit: one DuckDB statement ({elapsed()})")
    engine_out = workdir / "engine.json"
    engine = run_measured(
        "engine limit",
        _internal_step("engine", engine_out, base_files, "--rate-card", str(seeds / "rate_card.csv"),
                       "--discounts", str(discounts)),
        cwd=workdir, env=dict(os.environ), log_path=logs / "engine.log",
    )  # fmt: skip
    engine.detail = json.loads(engine_out.read_text())
    say(f"    engine limit: {engine.wall_seconds:.1f} s")

    sample = min(loop_sample, events)
    say(f"4/9 lean per-call loop (pricing.py) on {sample:,} events ({elapsed()})")
    loops = {"lean": _loop("lean", base_files, seeds, discounts, sample, events, workdir)}
    if importlib.util.find_spec("litellm") is not None:
        say(f"5/9 LiteLLM per-call loop (cost_per_token) on {sample:,} events ({elapsed()})")
        loops["litellm"] = _loop("litellm", base_files, seeds, discounts, sample, events, workdir)
    else:
        say("5/9 LiteLLM is not installed (pip install -e '.[dev]'): its loop is skipped")

    say(f"6/9 one more day: {day_events:,} events, {LATE_FRACTION:.0%} late; incremental dbt build ({elapsed()})")
    day_start = START_DATE + timedelta(days=days)
    day = generate_events(day_raw, events=day_events, days=1, start_date=day_start, customers=customers, seed=SEED + 1,
                          file_format="parquet", late_fraction=LATE_FRACTION, file_prefix=f"day{days + 1}",
                          progress=False, write_csvs=False)  # fmt: skip
    for name in day.files:
        shutil.copy2(day_raw / name, history.raw / name)
    incremental = history.build("incremental day", logs)
    calls_after_day = history.scalar("select count(*) from marts.fct_llm_calls")

    say(f"7/9 rebuild with nothing new ({elapsed()})")
    rebuild = history.build("rebuild, nothing new", logs)
    calls_after_rebuild = history.scalar("select count(*) from marts.fct_llm_calls")

    say(f"8/9 a tenth of the history: {tenth_events:,} events over the same {days} days, built ({elapsed()})")
    generate_events(tenth.raw, events=tenth_events, days=days, start_date=START_DATE, customers=customers, seed=SEED,
                    file_format="parquet", progress=False)  # fmt: skip
    tenth.parse()
    tenth_full = tenth.build("full build, tenth history", logs)
    tenth_calls = tenth.scalar("select count(*) from marts.fct_llm_calls")

    say(f"9/9 the same day on the tenth history ({elapsed()})")
    for name in day.files:
        shutil.copy2(day_raw / name, tenth.raw / name)
    tenth_day = tenth.build("incremental day, tenth history", logs)
    tenth_calls_after_day = tenth.scalar("select count(*) from marts.fct_llm_calls")

    builds = (full, incremental, rebuild, tenth_full, tenth_day)
    steps = {step.name: {**asdict(step), "peak_rss_gib": step.peak_rss_gib} for step in (*builds, engine)}
    litellm_seconds = loops["litellm"]["extrapolated_seconds"] if "litellm" in loops else math.nan
    ratios = {
        "incremental_over_full_build": _ratio(incremental.wall_seconds, full.wall_seconds),
        "incremental_history_ratio": _ratio(incremental.wall_seconds, tenth_day.wall_seconds),
        "rebuild_over_full_build": _ratio(rebuild.wall_seconds, full.wall_seconds),
        "full_build_over_engine_limit": _ratio(full.wall_seconds, engine.wall_seconds),
        "litellm_loop_over_full_build": _ratio(litellm_seconds, full.wall_seconds),
        "peak_rss_gib": max(step.peak_rss_gib for step in builds),
        "full_build_minutes": full.wall_seconds / 60,
        "incremental_day_minutes": incremental.wall_seconds / 60,
        "lean_loop_over_full_build": _ratio(loops["lean"]["extrapolated_seconds"], full.wall_seconds),
        "full_build_over_engine_limit_cpu": _ratio(full.cpu_seconds, engine.cpu_seconds),
        "incremental_over_full_build_cpu": _ratio(incremental.cpu_seconds, full.cpu_seconds),
    }
    checks: dict[str, Any] = {
        "dbt_calls": built_calls,
        "dbt_pooled_cost_usd": built_cost,
        "engine_calls": engine.detail["calls"],
        "engine_cost_usd": engine.detail["cost_usd"],
        "engine_vs_dbt_cost_relative_difference": _relative(engine.detail["cost_usd"], built_cost),
        "calls_after_incremental": calls_after_day,
        "calls_after_rebuild": calls_after_rebuild,
        "tenth_calls": tenth_calls,
        "tenth_calls_after_incremental": tenth_calls_after_day,
    }
    if "litellm" in loops:
        checks["litellm_vs_lean_cost_relative_difference"] = _relative(loops["litellm"]["cost_usd"],
                                                                       loops["lean"]["cost_usd"])  # fmt: skip
    return BenchResult(
        events=summary.events, days=days, tenth_events=tenth_events, incremental_events=day.events,
        late_events=day.late_events, customers=customers, machine={**machine_info(), "dbt_threads": dbt_threads},
        generation_seconds=summary.seconds, steps=steps, loops=loops, checks=checks, ratios=ratios,
        targets=judge(ratios, summary.events), finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )  # fmt: skip


def format_table(result: BenchResult) -> str:
    """The human-readable table printed at the end of a run."""
    lines = [
        f"aicost bench: {result.events:,} events over {result.days} days ({result.customers:,} customers); "
        f"the day: +{result.incremental_events:,} events ({result.late_events:,} late); "
        f"the tenth history: {result.tenth_events:,} events",
        f"machine: {result.machine['cpu']}, {result.machine['cores']} cores, {result.machine['memory_gib']} GiB",
        "",
        f"{'step':<34}{'wall s':>10}{'cpu s':>10}{'peak RSS GiB':>14}{'load':>7}",
    ]
    for name, step in result.steps.items():
        lines.append(f"{name:<34}{step['wall_seconds']:>10.1f}{step['cpu_seconds']:>10.1f}"
                     f"{step['peak_rss_gib']:>14.2f}{step['load_before']:>7.1f}")  # fmt: skip
    for name, loop in result.loops.items():
        lines.append(f"{name + ' loop (extrapolated)':<34}{loop['extrapolated_seconds']:>10.0f}{'':>10}"
                     f"{loop['peak_rss_bytes_on_sample'] / 2**30:>14.2f}{'':>7}"
                     f"   {loop['loop_seconds']:.1f} s on {loop['sample_events']:,} events"
                     f" ({loop['microseconds_per_event']:.1f} us each)")  # fmt: skip
    lines += ["", f"{'ratio':<30}{'value':>10}  {'target':<8} {'':<6}  what"]
    for name, target in result.targets.items():
        mark = {True: "met", False: "MISSED", None: "-"}[target["met"]]
        what = target["description"]
        if target["met"] is None:
            what += f" (judged from {target['judged_from_events']:,} events)"
        lines.append(f"{name:<30}{target['value']:>10.2f}  {target['target']:<8} {mark:<6}  {what}")
    return "\n".join(lines)


def default_workdir(events: int, days: int) -> Path:
    """Where a run keeps its files unless told: ``bench_runs/<events>x<days>`` in the project."""
    return project_root() / "bench_runs" / f"{events}x{days}"
