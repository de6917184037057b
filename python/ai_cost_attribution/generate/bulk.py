"""``generate_events``: any number of clean usage events as chunked Parquet or JSON Lines files.

Vectorised (:mod:`.bulk_sessions`, :mod:`.bulk_calls`) and in bounded memory: one part is
generated while the previous one is written. The optional CSVs are sized to the customer count
and to the approximate cost of the events written. The bulk data has no bad lines, duplicates
or unpriced models (that mess is the demo world's, :mod:`.mess`)."""

from __future__ import annotations

import math
import re
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ai_cost_attribution import world as w
from ai_cost_attribution.contract import raw_csv_sources
from ai_cost_attribution.generate.arrow import UsageFile, outcome_bytes
from ai_cost_attribution.generate.bulk_calls import bulk_chunk
from ai_cost_attribution.generate.bulk_plan import SESSION_MARGIN_MS, BulkPlan
from ai_cost_attribution.generate.clock import DAY_MS, day_ms
from ai_cost_attribution.generate.writers import reference_tables, write_csv_inputs
from ai_cost_attribution.token_shapes import load_token_shapes

LATE_WINDOW_DAYS = 3  # late events fall in the 3 days before start_date
ROWS_PER_FILE = 1_000_000
PART_ROWS = 250_000  # rows generated at a time: one Parquet row group


@dataclass(frozen=True)
class GenerateSummary:
    """What :func:`generate_events` wrote."""

    out_dir: Path
    events: int
    late_events: int
    files: tuple[str, ...]  # usage files, relative to out_dir
    csv_files: tuple[str, ...]
    start_date: date
    days: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def generate_events(
    out_dir: Path,
    *,
    events: int,
    days: int,
    start_date: date,
    customers: int,
    seed: int,
    file_format: str = "parquet",
    late_fraction: float = 0.0,
    file_prefix: str = "events",
    progress: bool = True,
    rows_per_file: int = ROWS_PER_FILE,
    write_csvs: bool = True,
    traces_dir: Path | None = None,
    rate_card: Path | None = None,
) -> GenerateSummary:
    """Write ``events`` clean usage events to ``out_dir/usage/<file_prefix>-NNNN.<format>``.

    Files hold ``rows_per_file`` rows each, in parts of at most ``PART_ROWS`` rows (Parquet row
    groups), and cover consecutive time windows of ``[start_date, start_date + days)``;
    ``late_fraction`` of the sessions instead fall in the ``LATE_WINDOW_DAYS`` days before
    ``start_date``. One part is generated while the previous one is written, so memory stays at
    about two parts whatever ``events`` is. With ``write_csvs`` the optional CSVs (customers,
    revenue, budgets, invoices sized from the approximate cost of the events...) are written too;
    pass ``write_csvs=False`` for a second batch into the same folder. Ids embed a key derived
    from ``seed`` and ``file_prefix``, so batches with different prefixes never share request
    ids; files of an earlier run with the same prefix are replaced. The bulk data has no bad
    lines, duplicates or unpriced models.
    """
    if events < 0 or days < 1 or customers < 4 or rows_per_file < 1:
        raise ValueError("need events >= 0, days >= 1, customers >= 4 and rows_per_file >= 1")
    if file_format not in ("parquet", "jsonl"):
        raise ValueError(f"file_format must be parquet or jsonl, not {file_format!r}")
    if not 0.0 <= late_fraction <= 1.0:
        raise ValueError("late_fraction must be between 0 and 1")
    began = time.perf_counter()
    out_dir = Path(out_dir)
    usage_dir = out_dir / "usage"
    usage_dir.mkdir(parents=True, exist_ok=True)
    own_file = re.compile(rf"^{re.escape(file_prefix)}-\d{{4}}\.(parquet|jsonl)$")
    for stale in sorted(usage_dir.iterdir()):  # files of an earlier run with this prefix
        if own_file.match(stale.name):
            stale.unlink()
    shapes = load_token_shapes(traces_dir)
    people = w.build_customers(customers, seed, days)
    first_day = start_date - timedelta(days=LATE_WINDOW_DAYS) if late_fraction > 0 else start_date
    last_day = start_date + timedelta(days=days - 1)
    discounts = w.demo_discounts(start_date)
    plan = BulkPlan(shapes, people, seed, file_prefix, first_day, last_day, w.price_list(discounts, rate_card))
    totals = w.CostTotals.empty(first_day, last_day, len(people)) if write_csvs else None
    start_ms = day_ms(start_date)
    span = days * DAY_MS
    late = (start_ms - LATE_WINDOW_DAYS * DAY_MS, start_ms - SESSION_MARGIN_MS)
    # parts: (file index, rows, first event index)
    parts: list[tuple[int, int, int]] = []
    for f_index in range(math.ceil(events / rows_per_file)):
        file_rows = min(rows_per_file, events - f_index * rows_per_file)
        for p_start in range(0, file_rows, PART_ROWS):
            parts.append((f_index, min(PART_ROWS, file_rows - p_start), f_index * rows_per_file + p_start))
    files: list[str] = []
    late_events = 0
    inflight: list[tuple[Future, tuple | None]] = []

    def settle(keep: int) -> None:
        while len(inflight) > keep:
            future, info = inflight.pop(0)
            future.result()
            if info is not None and progress:
                name, rows, done = info
                elapsed = time.perf_counter() - began
                print(
                    f"[aicost generate] {name}: {rows:,} rows ({done:,}/{events:,} events, {elapsed:.1f} s elapsed)",
                    file=sys.stderr,
                    flush=True,
                )

    outcomes = (out_dir / "outcomes.csv").open("wb") if write_csvs else None
    try:
        if outcomes:
            outcomes.write((",".join(raw_csv_sources()["outcomes"]) + "\n").encode())
        with ThreadPoolExecutor(max_workers=1) as writer:
            current: UsageFile | None = None
            for p_index, (f_index, rows, first_event) in enumerate(parts):
                if current is None:
                    name = f"usage/{file_prefix}-{f_index:04d}.{file_format}"
                    current = UsageFile(out_dir / name, file_format)
                    files.append(name)
                window = (start_ms + span * first_event // events, start_ms + span * (first_event + rows) // events)
                chunk = bulk_chunk(
                    plan, p_index, rows, first_event, window, late, late_fraction, p_index == len(parts) - 1, totals
                )
                late_events += chunk.late
                if outcomes:
                    outcomes.write(outcome_bytes(chunk.outcomes))
                settle(keep=0)
                inflight.append((writer.submit(current.write, chunk.table), None))
                del chunk
                last_of_file = p_index == len(parts) - 1 or parts[p_index + 1][0] != f_index
                if last_of_file:
                    done = first_event + rows
                    file_rows = done - f_index * rows_per_file
                    inflight.append((writer.submit(current.close), (files[-1], file_rows, done)))
                    current = None
            settle(keep=0)
    finally:
        if outcomes:
            outcomes.close()
    csv_files: list[str] = []
    if totals is not None:
        fin = np.random.default_rng([seed, 505])
        tables = reference_tables(people, totals, customers / 200, discounts, fin)
        csv_files = sorted([*write_csv_inputs(out_dir, tables), "outcomes.csv"])
    seconds = time.perf_counter() - began
    if progress:
        print(
            f"[aicost generate] {events:,} events in {len(files)} files, {seconds:.1f} s "
            f"({events / max(seconds, 1e-9):,.0f} events/s) -> {out_dir}",
            file=sys.stderr,
            flush=True,
        )
    return GenerateSummary(out_dir, events, late_events, tuple(files), tuple(csv_files), start_date, days, seconds)
