"""Measuring one step of the benchmark: a child process, its wall and CPU time, its peak memory."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Step:
    """One measured step: wall and CPU seconds, peak RSS of its process, machine load around it."""

    name: str
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    load_before: float
    load_after: float
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def peak_rss_gib(self) -> float:
        return self.peak_rss_bytes / 2**30


def say(message: str) -> None:
    """A progress line on stderr (the table and the summary go to stdout)."""
    print(f"[aicost bench] {message}", file=sys.stderr, flush=True)


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Linux/macOS
        return float("nan")


def run_measured(
    name: str,
    command: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    progress: Callable[[Path], str] | None = None,
    heartbeat: float = 10.0,
) -> Step:
    """Run `command` in a child process; return its wall and CPU time and its peak RSS.

    The child is reaped with wait4, whose rusage gives the child's own maximum resident set.
    While it runs, a progress line (elapsed time, and `progress(log_path)` when given) is
    printed every `heartbeat` seconds."""
    load_before = _load()
    started = time.perf_counter()
    with log_path.open("w") as log:
        child = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        next_beat = started + heartbeat
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid == child.pid:
                break
            now = time.perf_counter()
            if now >= next_beat:
                extra = f", {progress(log_path)}" if progress else ""
                say(f"{name}: {now - started:.0f} s elapsed{extra}")
                next_beat = now + heartbeat
            time.sleep(0.2)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        tail = log_path.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"{name} failed (exit {child.returncode}); log {log_path}:\n{tail}")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Step(name, wall, usage.ru_utime + usage.ru_stime, rss, load_before, _load())


def dbt_progress(log_path: Path) -> str:
    """'nodes done/total' read from a dbt log being written."""
    done = total = 0
    for match in re.finditer(r"(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP)", log_path.read_text(errors="replace")):
        done, total = max(done, int(match.group(1))), int(match.group(2))
    return f"{done}/{total} dbt nodes" if total else "starting dbt"


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""
    import duckdb

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        dbt_core = version("dbt-core")
    except PackageNotFoundError:  # pragma: no cover
        dbt_core = None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory, "os": platform.platform(),
        "python": platform.python_version(), "duckdb": duckdb.__version__,
        "dbt_core": dbt_core,
        "duckdb_memory_limit": os.environ.get("AICOST_DUCKDB_MEMORY_LIMIT", "3GB"),
    }  # fmt: skip
