"""Print what a built warehouse holds: calls priced, rejects by reason and by source, cost by provider."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ai_cost_attribution.targets import TargetError, Warehouse, connect


@dataclass(frozen=True)
class WarehouseSummary:
    """The headline figures of a built warehouse."""

    raw_lines: int
    calls: int
    records_by_source: list[tuple[str, int, int]]
    field_problems: list[tuple[str, str, str, int]]
    rejects_by_reason: list[tuple[str, int]]
    cost_by_provider: list[tuple[str, int, Decimal, Decimal]]
    total_list_cost_usd: Decimal
    total_pooled_cost_usd: Decimal
    unpriced_models: list[tuple[str, str, int]]
    first_call: str
    last_call: str
    ledger_by_cost_type: list[tuple[str, Decimal]]
    ledger_total_usd: Decimal
    unallocated_usd: Decimal
    largest_invoice_difference: tuple[str, str, Decimal, float] | None
    # provider truth: report pages read and rejected, untracked usage, models whose reported cost drifts
    provider_report_pages: int = 0
    provider_report_rejects: list[tuple[str, int]] = field(default_factory=list)
    untracked_by_provider: list[tuple[str, Decimal]] = field(default_factory=list)
    drifting_models: list[tuple[str, str, str, float]] = field(default_factory=list)


def read_summary(db_path: Path | None = None, target: str | None = None) -> WarehouseSummary:
    """Read the summary figures from the marts of the DuckDB file `db_path` (default
    $AICOST_DB_PATH), or of any profiles.yml `target` (read-only, connection closed on return)."""
    with connect(target, db_path) as warehouse:
        return _summary(warehouse)


def _summary(warehouse: Warehouse) -> WarehouseSummary:
    """The figures, in SQL every engine reads the same way (formatting is done here)."""

    def scalar(sql: str) -> object:
        rows = warehouse.rows(sql)
        return rows[0][0] if rows else None

    calls = int(scalar("select count(*) from marts.fct_llm_calls") or 0)
    rejects = warehouse.rows(
        "select reject_reason, count(*) from marts.fct_rejected_events group by 1 order by 2 desc, 1"
    )
    by_source = warehouse.rows(
        """
        select source_name, sum(calls), sum(rejects) from (
            select source_name, 1 as calls, 0 as rejects from marts.fct_llm_calls
            union all
            select source_name, 0, 1 from marts.fct_rejected_events
        ) as records group by 1 order by 2 desc, 1
        """
    )
    problems = warehouse.rows(
        """
        select source_name, field_name, problem, count(*) from marts.fct_data_quality_issues
        group by 1, 2, 3 order by 4 desc, 1, 2, 3
        """
    )
    by_provider = warehouse.rows(
        """
        select provider, count(*), sum(list_cost_usd), sum(pooled_cost_usd)
        from marts.fct_llm_calls group by 1 order by 4 desc, 1
        """
    )
    unpriced = warehouse.rows(
        """
        select provider, model, count(*) from marts.fct_rejected_events
        where reject_reason = 'unpriced_model' group by 1, 2 order by 3 desc, 1, 2
        """
    )
    span = warehouse.rows("select min(occurred_at), max(occurred_at) from marts.fct_llm_calls")[0]
    ledger = warehouse.rows(
        """
        select cost_type, sum(amount_usd) from marts.fct_cost_ledger
        group by 1 order by case cost_type when 'usage' then 1 when 'negotiated_discount' then 2
            when 'cache_pooling' then 3 when 'untracked_usage' then 4 when 'shared_cost' then 5 else 6 end
        """
    )
    unallocated = scalar("select coalesce(sum(amount_usd), 0) from marts.fct_cost_ledger where not is_allocated")
    invoices = warehouse.rows(
        """
        select provider, invoice_month, difference_usd, difference_pct
        from marts.mart_invoice_reconciliation order by abs(difference_usd) desc, provider limit 1
        """
    )
    invoice = invoices[0] if invoices else None
    pages = int(scalar("select count(*) from staging.stg_provider_reports__pages") or 0)
    report_rejects = warehouse.rows(
        "select reject_reason, count(*) from marts.fct_provider_report_rejects group by 1 order by 2 desc, 1"
    )
    untracked = warehouse.rows(
        "select provider, sum(untracked_cost_usd) from marts.mart_usage_reconciliation"
        " where untracked_cost_usd is not null group by 1 order by 1"
    )
    drifting = warehouse.rows(
        """
        select source_name, provider, model, sum(drifting_calls) * 1.0 / sum(calls)
        from marts.mart_price_drift group by 1, 2, 3
        having max(case when is_drifting then 1 else 0 end) = 1 order by 1, 2, 3
        """
    )
    reject_total = sum(count for _, count in rejects)
    return WarehouseSummary(
        raw_lines=calls + reject_total,
        calls=calls,
        records_by_source=[(str(source), int(n_calls), int(n_rejects)) for source, n_calls, n_rejects in by_source],
        field_problems=[(str(source), str(field), str(problem), int(n)) for source, field, problem, n in problems],
        rejects_by_reason=[(str(reason), int(count)) for reason, count in rejects],
        cost_by_provider=[
            (str(provider), int(count), Decimal(list_cost), Decimal(pooled))
            for provider, count, list_cost, pooled in by_provider
        ],
        total_list_cost_usd=sum((row[2] for row in by_provider), Decimal(0)),
        total_pooled_cost_usd=sum((row[3] for row in by_provider), Decimal(0)),
        unpriced_models=[(str(p), str(m), int(n)) for p, m, n in unpriced],
        first_call=_moment(span[0]),
        last_call=_moment(span[1]),
        ledger_by_cost_type=[(str(cost_type), Decimal(amount)) for cost_type, amount in ledger],
        ledger_total_usd=sum((Decimal(amount) for _, amount in ledger), Decimal(0)),
        unallocated_usd=Decimal(unallocated or 0),
        largest_invoice_difference=(
            (str(invoice[0]), invoice[1].strftime("%Y-%m"), Decimal(invoice[2]), float(invoice[3] or 0))
            if invoice
            else None
        ),
        provider_report_pages=pages,
        provider_report_rejects=[(str(reason), int(count)) for reason, count in report_rejects],
        untracked_by_provider=[(str(provider), Decimal(amount)) for provider, amount in untracked],
        drifting_models=[(str(src), str(p), str(m), float(share or 0)) for src, p, m, share in drifting],
    )


def _moment(value: object) -> str:
    """A timestamp as the summary prints it, whatever driver returned it."""
    return "" if value is None else value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value)


def money(amount: Decimal) -> str:
    """$1,234.56 / -$12.30 style, rounded half-even to the cent for display only."""
    cents = amount.quantize(Decimal("0.01"))
    return f"-${-cents:,}" if cents < 0 else f"${abs(cents):,}"


def format_summary(summary: WarehouseSummary) -> str:
    """A plain-text report a person reads in a terminal."""
    lines = [
        f"Raw lines read:    {summary.raw_lines:,}",
        f"Calls priced:      {summary.calls:,}  ({summary.first_call} .. {summary.last_call} UTC)",
        f"Lines rejected:    {summary.raw_lines - summary.calls:,}",
    ]
    for reason, count in summary.rejects_by_reason:
        lines.append(f"  {reason:<32}{count:>8,}")
    lines.append("By source (records = calls + rejects):")
    for source, n_calls, n_rejects in summary.records_by_source:
        records = n_calls + n_rejects
        lines.append(f"  {source:<22}{records:>10,} records  {n_calls:>10,} calls  {n_rejects:>8,} rejected")
    if summary.field_problems:
        lines.append("Calls kept with a field left empty (marts.fct_data_quality_issues):")
        for source, field, problem, count in summary.field_problems:
            lines.append(f"  {source}: {field} {problem}: {count:,}")
    lines.append("Cost by provider (list → billed after discounts and cache pooling):")
    for provider, count, list_cost, pooled in summary.cost_by_provider:
        lines.append(f"  {provider:<14}{count:>10,} calls  {money(list_cost):>14}  → {money(pooled):>14}")
    lines.append(
        f"  {'total':<14}{summary.calls:>10,} calls  {money(summary.total_list_cost_usd):>14}"
        f"  → {money(summary.total_pooled_cost_usd):>14}"
    )
    lines.append("Cost ledger (every dollar, by cost type):")
    for cost_type, amount in summary.ledger_by_cost_type:
        lines.append(f"  {cost_type:<22}{money(amount):>16}")
    lines.append(
        f"  {'total':<22}{money(summary.ledger_total_usd):>16}   of which unallocated {money(summary.unallocated_usd)}"
    )
    if summary.largest_invoice_difference:
        provider, month, difference, pct = summary.largest_invoice_difference
        lines.append(f"Largest invoice difference: {provider} {month}: {money(difference)} ({pct:+.2f} % of computed)")
    if summary.provider_report_pages:
        rejected = sum(count for _, count in summary.provider_report_rejects)
        lines.append(
            f"Provider reports:  {summary.provider_report_pages:,} pages read, {rejected:,} pages or results rejected"
            " (marts.fct_provider_report_rejects)"
        )
        for reason, count in summary.provider_report_rejects:
            lines.append(f"  {reason:<32}{count:>8,}")
        for provider, amount in summary.untracked_by_provider:
            lines.append(f"  untracked usage {provider}: {money(amount)} (marts.mart_usage_reconciliation)")
    for source, provider, model, share in summary.drifting_models:
        lines.append(
            f"Price drift: {source} {provider}/{model}: reported cost differs from the rate card"
            f" ({share:.0%} of its calls; marts.mart_price_drift)"
        )
    if summary.unpriced_models:
        lines.append("Unpriced models (rejected as unpriced_model; add rows to seeds/rate_card.csv):")
        for provider, model, count in summary.unpriced_models:
            lines.append(f"  {provider}/{model}: {count:,} calls")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost summary`."""
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $AICOST_DB_PATH)")
    parser.add_argument("--target", default=None, help="read a profiles.yml target instead (e.g. postgres)")


def run(args: argparse.Namespace) -> int:
    """Print the summary of the built warehouse."""
    try:
        summary = read_summary(args.db, args.target)
    except FileNotFoundError as error:
        print(f"No warehouse: {error}.")
        return 1
    except TargetError as error:
        print(f"aicost summary: {error}")
        return 2
    print(format_summary(summary))
    return 0
