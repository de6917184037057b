"""`aicost bench`: how fast the project prices usage, against the engine limit and a per-call loop.

One run generates ``--events`` usage events (Parquet, 30 days) with the bulk generator, then
measures on the same files, each step in its own process (so its peak RSS is its own):

1. **full build**: ``dbt build`` (every model and test) on an empty warehouse;
2. **engine limit**: one hand-written DuckDB statement doing the core work (read, validate,
   de-duplicate, price with the effective-dated rate card and the discounts, pool the prompt
   cache, aggregate per customer x feature x month): the floor for this machine;
3. **per-call loop**: the same core work one event at a time in pure Python, as a gateway's cost
   callback does it, timed on a sample and extrapolated to every event;
4. **incremental build**: one more day of events (``events / 30``, 1 % of them late, dated in
   the three days before) lands and ``dbt build`` runs again.

It prints a table and writes JSON (every figure, the machine, the ratios against the targets of
docs/performance.md). Absolute seconds vary between machines; the ratios are the headline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from ai_cost_attribution.project import dbt_environment, dbt_executable, project_root

DEFAULT_EVENTS = 10_000_000
QUICK_EVENTS = 200_000
DAYS = 30
START_DATE = date(2026, 8, 1)
LATE_FRACTION = 0.01
SEED = 2026
LOOP_SAMPLE = 200_000
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "data-tests", "seeds", "analyses")

# The targets of issue 6, checked (never asserted) on every run.
TARGETS = {
    "full_build_over_engine_limit": ("<=", 3.0),
    "incremental_over_full_build": ("<=", 0.10),
    "loop_over_full_build": (">=", 50.0),
    "peak_rss_gib": ("<=", 4.0),
}


# --------------------------------------------------------------------------------------------
# Measuring a step
# --------------------------------------------------------------------------------------------


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


def _say(message: str) -> None:
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
                _say(f"{name}: {now - started:.0f} s elapsed{extra}")
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


# --------------------------------------------------------------------------------------------
# The engine limit: one DuckDB statement
# --------------------------------------------------------------------------------------------

ENGINE_SQL = """
with
raw_events as (
    select filename as source_file, file_row_number as line_number, request_id, occurred_at, provider, model,
           input_tokens, output_tokens, coalesce(cache_read_tokens, 0) as cache_read_tokens,
           coalesce(cache_write_tokens, 0) as cache_write_tokens,
           coalesce(cache_write_1h_tokens, 0) as cache_write_1h_tokens, coalesce(is_batch, false) as is_batch,
           customer_id, feature
    from read_parquet({files}, filename = true, file_row_number = true, union_by_name = true)
),
valid_events as (
    select * replace (timezone('UTC', try_cast(occurred_at as timestamptz)) as occurred_at)
    from raw_events
    where request_id is not null and provider is not null and model is not null
      and input_tokens >= 0 and output_tokens >= 0 and cache_read_tokens >= 0 and cache_write_tokens >= 0
      and cache_read_tokens + cache_write_tokens <= input_tokens and cache_write_1h_tokens <= cache_write_tokens
),
repeated_requests as (
    select request_id from valid_events where occurred_at is not null group by request_id having count(*) > 1
),
calls as (
    select * from valid_events
    where occurred_at is not null and request_id not in (select request_id from repeated_requests)
    union all
    select * from valid_events
    where request_id in (select request_id from repeated_requests)
    qualify row_number() over (partition by request_id order by occurred_at desc, source_file, line_number) = 1
),
rates as (
    select * replace (cast(effective_from as date) as effective_from, cast(effective_to as date) as effective_to)
    from read_csv({rate_card}, header = true, all_varchar = true)
),
discounts as (
    select provider, coalesce(nullif(model, ''), '*') as model, cast(effective_from as date) as effective_from,
           cast(nullif(effective_to, '') as date) as effective_to, cast(discount_pct as double) as discount_pct
    from read_csv({discounts}, header = true, all_varchar = true)
),
model_days as (
    select distinct provider, model, cast(occurred_at as date) as day from calls
),
day_rates as (
    select model_days.*, rates.* exclude (provider, model, effective_from, effective_to)
    from model_days
    join rates
      on model_days.provider = rates.provider
     and rates.model in (model_days.model,
                         regexp_replace(model_days.model, '[-@]([0-9]{{8}}|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})$', ''))
     and model_days.day >= rates.effective_from
     and (rates.effective_to is null or model_days.day < rates.effective_to)
    qualify row_number() over (
        partition by model_days.provider, model_days.model, model_days.day
        order by rates.model = model_days.model desc, rates.effective_from desc) = 1
),
day_prices as (
    select day_rates.*, 1 - coalesce(discounts.discount_pct, 0) / 100 as discount_factor
    from day_rates
    left join discounts
      on day_rates.provider = discounts.provider and discounts.model in ('*', day_rates.model)
     and day_rates.day >= discounts.effective_from
     and (discounts.effective_to is null or day_rates.day < discounts.effective_to)
    qualify row_number() over (
        partition by day_rates.provider, day_rates.model, day_rates.day
        order by discounts.model = '*', discounts.effective_from desc) = 1
),
tiered as (
    select
        calls.provider, calls.model, calls.customer_id, calls.feature, calls.is_batch,
        date_trunc('month', calls.occurred_at) as month,
        calls.input_tokens, calls.output_tokens, calls.cache_read_tokens, calls.cache_write_tokens,
        calls.cache_write_1h_tokens, p.discount_factor,
        calls.input_tokens > coalesce(cast(p.long_context_threshold_tokens as bigint), 9e18) as is_long,
        cast(p.input_usd_per_mtok as double) as input_price,
        cast(p.output_usd_per_mtok as double) as output_price,
        cast(p.cache_read_usd_per_mtok as double) as cache_read_price,
        cast(p.cache_write_usd_per_mtok as double) as cache_write_price,
        cast(p.cache_write_1h_usd_per_mtok as double) as cache_write_1h_price,
        cast(p.batch_input_usd_per_mtok as double) as batch_input_price,
        cast(p.batch_output_usd_per_mtok as double) as batch_output_price,
        cast(p.input_usd_per_mtok_long as double) as input_price_long,
        cast(p.output_usd_per_mtok_long as double) as output_price_long,
        cast(p.cache_read_usd_per_mtok_long as double) as cache_read_price_long,
        cast(p.cache_write_usd_per_mtok_long as double) as cache_write_price_long
    from calls
    join day_prices as p
      on calls.provider = p.provider and calls.model = p.model and cast(calls.occurred_at as date) = p.day
    where p.input_usd_per_mtok is not null
),
applied as (
    select *,
        case when is_long then coalesce(input_price_long, input_price) else input_price end as tier_input,
        case when is_batch and batch_input_price is not null then batch_input_price
             when is_long then coalesce(input_price_long, input_price) else input_price end as applied_input,
        case when is_batch and batch_output_price is not null then batch_output_price
             else coalesce(case when is_long then output_price_long end, output_price, 0) end as applied_output
    from tiered
),
costed as (
    select *,
        ((input_tokens - cache_read_tokens - cache_write_tokens) * applied_input
          + cache_read_tokens * coalesce(case when is_long then cache_read_price_long end, cache_read_price, tier_input)
          + (cache_write_tokens - cache_write_1h_tokens)
            * coalesce(case when is_long then cache_write_price_long end, cache_write_price, tier_input)
          + cache_write_1h_tokens * coalesce(cache_write_1h_price, case when is_long then cache_write_price_long end,
                                             cache_write_price, tier_input)
        ) / 1e6 * discount_factor as input_cost,
        input_tokens * applied_input / 1e6 * discount_factor as uncached_input_cost,
        output_tokens * applied_output / 1e6 * discount_factor as output_cost
    from applied
),
pools as (
    select provider, model, month, sum(input_cost) / nullif(sum(uncached_input_cost), 0) as ratio
    from costed group by all
)
select costed.customer_id, costed.feature, costed.month, count(*) as calls,
       sum(coalesce(costed.uncached_input_cost * pools.ratio, costed.input_cost) + costed.output_cost) as cost_usd
from costed join pools using (provider, model, month)
group by all
"""


def _sql_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _sql_string(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def engine_sql(files: Sequence[Path], rate_card: Path, discounts: Path) -> str:
    """The engine-limit statement over `files`."""
    return ENGINE_SQL.format(files=_sql_list(files), rate_card=_sql_string(rate_card),
                             discounts=_sql_string(discounts))  # fmt: skip


def run_engine_limit(files: Sequence[Path], rate_card: Path, discounts: Path, result_path: Path) -> None:
    """Run the engine-limit statement (in this process) and write its headline figures as JSON."""
    import duckdb

    connection = duckdb.connect()
    connection.execute("set timezone = 'UTC'")
    rows = connection.execute(engine_sql(files, rate_card, discounts)).fetchall()
    result = {"groups": len(rows), "calls": sum(r[3] for r in rows), "cost_usd": sum(r[4] for r in rows)}
    result_path.write_text(json.dumps(result))


# --------------------------------------------------------------------------------------------
# The per-call loop: one event at a time, in pure Python
# --------------------------------------------------------------------------------------------


def _family(model: str) -> str:
    return _FAMILY.sub("", model)


_FAMILY = re.compile(r"[-@]([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2})$")
_CENT_FRACTION = Decimal("1e-12")  # money is exact to 12 decimal places, as in the warehouse
_MILLION = Decimal(1_000_000)
_PRICE_COLUMNS = (
    "input_usd_per_mtok", "output_usd_per_mtok", "cache_read_usd_per_mtok", "cache_write_usd_per_mtok",
    "cache_write_1h_usd_per_mtok", "batch_input_usd_per_mtok", "batch_output_usd_per_mtok",
    "input_usd_per_mtok_long", "output_usd_per_mtok_long", "cache_read_usd_per_mtok_long",
    "cache_write_usd_per_mtok_long",
)  # fmt: skip


def load_rate_book(rate_card: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(provider, model) -> rate rows, newest first, with Decimal prices and date bounds."""
    import csv

    book: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with rate_card.open(newline="") as handle:
        for row in csv.DictReader(handle):
            rate: dict[str, Any] = {name: Decimal(row[name]) if row.get(name) else None for name in _PRICE_COLUMNS}
            rate["from"] = date.fromisoformat(row["effective_from"])
            rate["to"] = date.fromisoformat(row["effective_to"]) if row["effective_to"] else None
            threshold = row.get("long_context_threshold_tokens")
            rate["long_threshold"] = int(threshold) if threshold else None
            book.setdefault((row["provider"], row["model"]), []).append(rate)
    for rows in book.values():
        rows.sort(key=lambda r: r["from"], reverse=True)
    return book


def load_discounts(path: Path) -> list[dict[str, Any]]:
    """The negotiated discounts (price_adjustments.csv), most specific first."""
    import csv

    if not path.exists():
        return []
    with path.open(newline="") as handle:
        rows = [
            {"provider": row["provider"], "model": row.get("model") or "*", "pct": Decimal(row["discount_pct"]),
             "from": date.fromisoformat(row["effective_from"]),
             "to": date.fromisoformat(row["effective_to"]) if row.get("effective_to") else None}
            for row in csv.DictReader(handle)
        ]  # fmt: skip
    return sorted(rows, key=lambda r: (r["model"] == "*", -r["from"].toordinal()))


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT_FRACTION, rounding=ROUND_HALF_UP)


def _first(*values: Decimal | None) -> Decimal | None:
    return next((value for value in values if value is not None), None)


def price_events_one_by_one(
    events: Sequence[dict[str, Any]],
    book: dict[tuple[str, str], list[dict[str, Any]]],
    discounts: list[dict[str, Any]],
) -> dict[tuple[str, str, date], list[Any]]:
    """Validate, de-duplicate, price and aggregate one event at a time, with exact decimals and
    the warehouse's pricing rules (docs/CONTRACT.md section 2); then pool the prompt cache.

    Returns (customer, feature, month) -> [calls, cost]. Pooling runs once over per-pool totals
    at the end (a callback sees one call at a time and cannot pool)."""
    kept: dict[str, tuple[datetime, dict[str, Any]]] = {}
    for event in events:
        request_id, provider, model = event.get("request_id"), event.get("provider"), event.get("model")
        input_tokens, output_tokens = event.get("input_tokens"), event.get("output_tokens")
        if not request_id or not provider or not model or input_tokens is None or output_tokens is None:
            continue
        try:
            occurred_at = datetime.fromisoformat(event["occurred_at"]).astimezone(UTC)
        except (TypeError, ValueError):
            continue
        cache_read = event.get("cache_read_tokens") or 0
        cache_write = event.get("cache_write_tokens") or 0
        cache_write_1h = event.get("cache_write_1h_tokens") or 0
        if (min(input_tokens, output_tokens, cache_read, cache_write) < 0 or cache_read + cache_write > input_tokens
                or cache_write_1h > cache_write):  # fmt: skip
            continue
        previous = kept.get(request_id)
        if previous is None or occurred_at > previous[0]:  # a later copy is a correction
            kept[request_id] = (occurred_at, event)

    pools: dict[tuple[str, str, date], list[Decimal]] = {}
    groups: dict[tuple[str, str, date, str, str], list[Any]] = {}
    for occurred_at, event in kept.values():
        provider, model, day = event["provider"], event["model"], occurred_at.date()
        rate = None
        for candidate in (model, _family(model)):
            rate = next((row for row in book.get((provider, candidate), ())
                         if row["from"] <= day and (row["to"] is None or day < row["to"])), None)  # fmt: skip
            if rate:
                break
        if rate is None or rate["input_usd_per_mtok"] is None:
            continue
        input_tokens, output_tokens = event["input_tokens"], event["output_tokens"]
        cache_read = event.get("cache_read_tokens") or 0
        cache_write = event.get("cache_write_tokens") or 0
        cache_write_1h = event.get("cache_write_1h_tokens") or 0
        is_long = rate["long_threshold"] is not None and input_tokens > rate["long_threshold"]
        batch = bool(event.get("is_batch"))
        tier_input = _first(rate["input_usd_per_mtok_long"] if is_long else None, rate["input_usd_per_mtok"])
        batch_input = rate["batch_input_usd_per_mtok"] if batch else None
        input_price = batch_input if batch_input is not None else tier_input
        if batch and rate["batch_output_usd_per_mtok"] is not None:
            output_price = rate["batch_output_usd_per_mtok"]
        else:
            output_price = _first(rate["output_usd_per_mtok_long"] if is_long else None, rate["output_usd_per_mtok"],
                                  Decimal(0))  # fmt: skip
        long_read = rate["cache_read_usd_per_mtok_long"] if is_long else None
        long_write = rate["cache_write_usd_per_mtok_long"] if is_long else None
        read_price = _first(long_read, rate["cache_read_usd_per_mtok"], tier_input)
        write_price = _first(long_write, rate["cache_write_usd_per_mtok"], tier_input)
        write_1h_price = _first(rate["cache_write_1h_usd_per_mtok"], long_write, rate["cache_write_usd_per_mtok"],
                                tier_input)  # fmt: skip
        factor = Decimal(1)
        for discount in discounts:
            if (discount["provider"] == provider and discount["model"] in ("*", model)
                    and discount["from"] <= day and (discount["to"] is None or day < discount["to"])):  # fmt: skip
                factor = 1 - discount["pct"] / 100
                break
        input_cost = (_money((input_tokens - cache_read - cache_write) * input_price / _MILLION)
                      + _money(cache_read * read_price / _MILLION)
                      + _money((cache_write - cache_write_1h) * write_price / _MILLION)
                      + _money(cache_write_1h * write_1h_price / _MILLION))  # fmt: skip
        effective_input = _money(input_cost * factor)
        uncached_input = _money(_money(input_tokens * input_price / _MILLION) * factor)
        effective_output = _money(_money(output_tokens * output_price / _MILLION) * factor)
        month = day.replace(day=1)
        pool = pools.setdefault((provider, model, month), [Decimal(0), Decimal(0)])
        pool[0] += effective_input
        pool[1] += uncached_input
        key = (event.get("customer_id") or "", event.get("feature") or "", month, provider, model)
        group = groups.setdefault(key, [0, Decimal(0), Decimal(0), Decimal(0)])
        group[0] += 1
        group[1] += uncached_input
        group[2] += effective_input
        group[3] += effective_output
    result: dict[tuple[str, str, date], list[Any]] = {}
    for (customer, feature, month, provider, model), (calls, uncached, actual, output) in groups.items():
        actual_total, uncached_total = pools[(provider, model, month)]
        pooled_input = uncached * actual_total / uncached_total if uncached_total else actual
        entry = result.setdefault((customer, feature, month), [0, Decimal(0)])
        entry[0] += calls
        entry[1] += pooled_input + output
    return result


def run_loop(files: Sequence[Path], rate_card: Path, discounts: Path, sample: int, result_path: Path) -> None:
    """Read `sample` events as Python dicts (not timed), then time the per-call loop over them."""
    import pyarrow.parquet as pq

    events: list[dict[str, Any]] = []
    for path in files:
        table = pq.read_table(path)
        events.extend(table.slice(0, sample - len(events)).to_pylist())
        if len(events) >= sample:
            break
    book = load_rate_book(rate_card)
    offers = load_discounts(discounts)
    started = time.perf_counter()
    result = price_events_one_by_one(events, book, offers)
    seconds = time.perf_counter() - started
    result_path.write_text(json.dumps({
        "sample_events": len(events), "loop_seconds": seconds,
        "calls": sum(v[0] for v in result.values()), "cost_usd": float(sum(v[1] for v in result.values())),
    }))  # fmt: skip


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------


@dataclass
class BenchResult:
    """Everything one run measured (written as JSON)."""

    events: int
    incremental_events: int
    late_events: int
    customers: int
    machine: dict[str, Any]
    generation_seconds: float
    steps: dict[str, dict[str, Any]]
    loop: dict[str, Any]
    checks: dict[str, Any]
    ratios: dict[str, float]
    targets: dict[str, dict[str, Any]]
    finished_at: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


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


def copy_project(destination: Path) -> Path:
    """A private copy of the dbt project, so the benchmark never touches the working tree's target/."""
    root = project_root()
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, destination / part, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, destination / part)
    return destination


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def run_bench(
    events: int,
    workdir: Path,
    *,
    loop_sample: int = LOOP_SAMPLE,
    customers: int | None = None,
    dbt_threads: int = 1,
) -> BenchResult:
    """Generate, build, measure; return every figure."""
    from ai_cost_attribution.generate import generate_events

    customers = customers or max(200, events // 10_000)
    raw = workdir / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    project = copy_project(workdir / "project")
    db_path = workdir / "bench.duckdb"
    for stale in workdir.glob("bench.duckdb*"):
        stale.unlink()
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    env = dbt_environment(db_path)
    env["AICOST_DBT_THREADS"] = str(dbt_threads)
    dbt_vars = json.dumps({"raw_path": str(raw)})

    def dbt(*arguments: str) -> list[str]:
        return [dbt_executable(), *arguments, "--project-dir", str(project), "--profiles-dir", str(project),
                "--vars", dbt_vars]  # fmt: skip

    began = time.perf_counter()
    _say(f"1/6 generating {events:,} events over {DAYS} days ({customers:,} customers) in {raw}")
    summary = generate_events(raw, events=events, days=DAYS, start_date=START_DATE, customers=customers, seed=SEED,
                              file_format="parquet", progress=True)  # fmt: skip
    base_files = sorted(raw / name for name in summary.files)
    rate_card = project / "seeds" / "rate_card.csv"
    discounts = raw / "price_adjustments.csv"

    subprocess.run(dbt("parse"), cwd=project, env=env, capture_output=True, check=True)
    _say(f"2/6 full dbt build ({time.perf_counter() - began:.0f} s elapsed)")
    full = run_measured("full build", dbt("build"), cwd=project, env=env, log_path=logs / "full_build.log",
                        progress=dbt_progress)  # fmt: skip
    _say(f"    full build: {full.wall_seconds:.1f} s")
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as connection:
        built_calls, built_cost = connection.execute(
            "select count(*), sum(pooled_cost_usd) from marts.fct_llm_calls"
        ).fetchone()

    _say(f"3/6 engine limit: one DuckDB statement ({time.perf_counter() - began:.0f} s elapsed)")
    engine_out = workdir / "engine.json"
    engine = run_measured(
        "engine limit",
        [sys.executable, "-m", "ai_cost_attribution.bench", "--internal-step", "engine", "--out-json", str(engine_out),
         "--rate-card", str(rate_card), "--discounts", str(discounts), *map(str, base_files)],
        cwd=workdir, env=dict(os.environ), log_path=logs / "engine.log",
    )  # fmt: skip
    engine.detail = json.loads(engine_out.read_text())
    _say(f"    engine limit: {engine.wall_seconds:.1f} s")

    sample = min(loop_sample, events)
    _say(f"4/6 per-call Python loop on {sample:,} events ({time.perf_counter() - began:.0f} s elapsed)")
    loop_out = workdir / "loop.json"
    loop_step = run_measured(
        "per-call loop",
        [sys.executable, "-m", "ai_cost_attribution.bench", "--internal-step", "loop", "--out-json", str(loop_out),
         "--rate-card", str(rate_card), "--discounts", str(discounts), "--sample", str(sample), *map(str, base_files)],
        cwd=workdir, env=dict(os.environ), log_path=logs / "loop.log",
    )  # fmt: skip
    loop = json.loads(loop_out.read_text())
    loop["extrapolated_seconds"] = loop["loop_seconds"] * events / max(loop["sample_events"], 1)
    loop["peak_rss_bytes_on_sample"] = loop_step.peak_rss_bytes
    _say(f"    per-call loop: {loop['loop_seconds']:.1f} s on the sample -> {loop['extrapolated_seconds']:.0f} s")

    day_events = max(1, events // DAYS)
    _say(f"5/6 one more day: {day_events:,} events, {LATE_FRACTION:.0%} late ({time.perf_counter() - began:.0f} s)")
    day = generate_events(raw, events=day_events, days=1, start_date=START_DATE + timedelta(days=DAYS),
                          customers=customers, seed=SEED + 1, file_format="parquet", late_fraction=LATE_FRACTION,
                          file_prefix="day31", progress=False, write_csvs=False)  # fmt: skip
    _say(f"6/6 incremental dbt build ({time.perf_counter() - began:.0f} s elapsed)")
    incremental = run_measured("incremental build", dbt("build"), cwd=project, env=env,
                               log_path=logs / "incremental_build.log", progress=dbt_progress)  # fmt: skip
    _say(f"    incremental build: {incremental.wall_seconds:.1f} s")
    with duckdb.connect(str(db_path), read_only=True) as connection:
        calls_after = connection.execute("select count(*) from marts.fct_llm_calls").fetchone()[0]

    steps = {step.name: {**asdict(step), "peak_rss_gib": step.peak_rss_gib}
             for step in (full, engine, incremental, loop_step)}  # fmt: skip
    ratios = {
        "full_build_over_engine_limit": _ratio(full.wall_seconds, engine.wall_seconds),
        "incremental_over_full_build": _ratio(incremental.wall_seconds, full.wall_seconds),
        "loop_over_full_build": _ratio(loop["extrapolated_seconds"], full.wall_seconds),
        "peak_rss_gib": max(full.peak_rss_gib, incremental.peak_rss_gib),
        "full_build_over_engine_limit_cpu": _ratio(full.cpu_seconds, engine.cpu_seconds),
        "incremental_over_full_build_cpu": _ratio(incremental.cpu_seconds, full.cpu_seconds),
    }
    targets = {}
    for name, (sense, bound) in TARGETS.items():
        value = ratios[name]
        met = value <= bound if sense == "<=" else value >= bound
        targets[name] = {"value": value, "target": f"{sense} {bound:g}", "met": met}
    checks = {
        "dbt_calls": built_calls,
        "dbt_pooled_cost_usd": float(built_cost or 0),
        "engine_calls": engine.detail["calls"],
        "engine_cost_usd": engine.detail["cost_usd"],
        "engine_vs_dbt_cost_relative_difference": abs(engine.detail["cost_usd"] - float(built_cost or 0))
        / max(float(built_cost or 0), 1e-9),
        "calls_after_incremental": calls_after,
    }
    return BenchResult(
        events=summary.events, incremental_events=day.events, late_events=day.late_events, customers=customers,
        machine={**machine_info(), "dbt_threads": dbt_threads}, generation_seconds=summary.seconds, steps=steps,
        loop=loop, checks=checks,
        ratios=ratios, targets=targets, finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )  # fmt: skip


def format_table(result: BenchResult) -> str:
    """The human-readable table printed at the end of a run."""
    steps = result.steps
    lines = [
        f"aicost bench: {result.events:,} events ({result.customers:,} customers), "
        f"+{result.incremental_events:,} incremental ({result.late_events:,} late)",
        f"machine: {result.machine['cpu']}, {result.machine['cores']} cores, {result.machine['memory_gib']} GiB",
        "",
        f"{'step':<22}{'wall s':>10}{'cpu s':>10}{'peak RSS GiB':>14}{'load':>7}",
    ]
    for name in ("full build", "incremental build", "engine limit"):
        step = steps[name]
        lines.append(f"{name:<22}{step['wall_seconds']:>10.1f}{step['cpu_seconds']:>10.1f}"
                     f"{step['peak_rss_gib']:>14.2f}{step['load_before']:>7.1f}")  # fmt: skip
    loop = result.loop
    lines.append(f"{'per-call loop':<22}{loop['extrapolated_seconds']:>10.0f}{'':>10}"
                 f"{loop['peak_rss_bytes_on_sample'] / 2**30:>14.2f}{'':>7}"
                 f"   ({loop['loop_seconds']:.1f} s on {loop['sample_events']:,} events, extrapolated)")  # fmt: skip
    lines += ["", f"{'ratio':<34}{'value':>10}  target"]
    for name, target in result.targets.items():
        mark = "met" if target["met"] else "MISSED"
        lines.append(f"{name:<34}{target['value']:>10.2f}  {target['target']:<8} {mark}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `aicost bench`."""
    parser.add_argument("--events", type=int, default=None, help=f"events to generate (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events: a smoke run")
    parser.add_argument("--customers", type=int, default=None, help="customers (default events / 10,000, >= 200)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the raw files, the project copy and the warehouse go (default bench_runs/<N>)",
    )
    parser.add_argument("--json", type=Path, default=None, help="results file (default <workdir>/bench.json)")
    parser.add_argument("--loop-sample", type=int, default=LOOP_SAMPLE, help="events the per-call loop is timed on")
    parser.add_argument(
        "--dbt-threads",
        type=int,
        default=1,
        help="dbt threads (default 1: at millions of calls, side-by-side models spill to disk)",
    )
    # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run `aicost bench`."""
    events = QUICK_EVENTS if args.quick else args.events or DEFAULT_EVENTS
    workdir = (args.workdir or project_root() / "bench_runs" / f"{events}").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        result = run_bench(events, workdir, loop_sample=args.loop_sample, customers=args.customers,
                           dbt_threads=args.dbt_threads)  # fmt: skip
    except RuntimeError as error:
        print(f"aicost bench: {error}", file=sys.stderr)
        return 1
    json_path = args.json or workdir / "bench.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(result.to_json())
    print(format_table(result))
    print(f"\n{time.perf_counter() - started:.0f} s in all; figures in {json_path}")
    return 0


def _internal_step(argv: Sequence[str]) -> int:
    """`python -m ai_cost_attribution.bench --internal-step engine|loop ...`: one measured step."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--internal-step", choices=("engine", "loop"), required=True)
    parser.add_argument("--out-json", type=Path, required=True)
    parser.add_argument("--rate-card", type=Path, required=True)
    parser.add_argument("--discounts", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=LOOP_SAMPLE)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.internal_step == "engine":
        run_engine_limit(args.files, args.rate_card, args.discounts, args.out_json)
    else:
        run_loop(args.files, args.rate_card, args.discounts, args.sample, args.out_json)
    return 0


if __name__ == "__main__":
    sys.exit(_internal_step(sys.argv[1:]))
