"""Writing the raw folder: usage lines as JSON, the demo's day files, and the optional CSVs.

Every CSV is written with its columns in contract order (``raw_csv_sources``, read from
``dbt_project.yml``), so a file the generator writes is one the landing reads."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ai_cost_attribution import world as w
from ai_cost_attribution.contract import raw_csv_sources

if TYPE_CHECKING:
    from ai_cost_attribution.generate.demo import Fact
    from ai_cost_attribution.generate.mess import ExtraLines

_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl$")


def dumps(event: Mapping) -> str:
    """One usage event as a JSON line (no spaces, UTF-8 text kept as it is)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    """A CSV with a header row; a column a row lacks is written empty."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])


def write_csv_inputs(out_dir: Path, tables: Mapping[str, Iterable[Mapping[str, str]]]) -> list[str]:
    """Write each optional CSV input (table name -> rows) as ``<table>.csv``; returns the file names."""
    columns = raw_csv_sources()
    names = []
    for table, rows in tables.items():
        write_csv(out_dir / f"{table}.csv", columns[table], rows)
        names.append(f"{table}.csv")
    return names


def reference_tables(
    people: list[w.Customer],
    totals: w.CostTotals,
    scale: float,
    discounts: list[w.Discount],
    rng: np.random.Generator,
    over: tuple[tuple[str, str, int], ...] = (),
) -> dict[str, list[dict[str, str]]]:
    """The optional CSVs of the demo company except outcomes: customers, keys and owners, the
    finance files sized from the usage written (``totals``), and what outcomes and the add-on earn
    (no draw, so the other files are the same with or without them). ``rng`` draws footprints,
    then budgets, then invoice drifts, in that order."""
    return {
        "customers": w.customer_rows(people),
        "customer_revenue": w.revenue_rows(people, totals),
        "feature_owners": w.feature_owner_rows(),
        "api_keys": w.api_key_rows(people),
        "shared_costs": w.shared_cost_rows(totals, scale),
        "tenant_footprint": w.footprint_rows(people, totals, rng),
        "budgets": w.budget_rows(totals, people, rng, over),
        "provider_invoices": w.invoice_rows(totals, rng),
        "price_adjustments": w.price_adjustment_rows(discounts),
        "outcome_values": w.outcome_value_rows(totals),
        "feature_revenue": w.feature_revenue_rows(people, totals),
    }


def write_day_files(out_dir: Path, first_day: date, by_day: list[list[Fact]], extra: ExtraLines) -> list[str]:
    """One ``usage/YYYY-MM-DD.jsonl`` per day: the day's calls in time order plus the extra lines."""
    usage_dir = out_dir / "usage"
    usage_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(usage_dir.iterdir()):  # day files of an earlier run (other files are left alone)
        if _DAY_FILE.match(stale.name):
            stale.unlink()
    files = []
    for d, day_facts in enumerate(by_day):
        pending = sorted(extra.inserts.get(d, []))
        lines: list[str] = []
        cursor = 0
        for i, fact in enumerate(day_facts):
            while cursor < len(pending) and pending[cursor][0] <= i:
                lines.append(pending[cursor][2])
                cursor += 1
            lines.append(dumps(fact.event))
        lines.extend(item[2] for item in pending[cursor:])
        if lines:
            name = f"usage/{(first_day + timedelta(days=d)).isoformat()}.jsonl"
            (out_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            files.append(name)
    return files
