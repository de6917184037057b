"""`aicost validate RAW_PATH`: check raw landing files with Great Expectations before a build.

Reads the usage events (``usage/*.jsonl`` line by line, ``usage/*.parquet`` by column) and every
optional CSV of the raw folder (docs/CONTRACT.md section 1), runs the landing suite
(:mod:`ai_cost_attribution.landing_suite`): required fields present, types, token ranges,
cache tokens within the prompt, known environments, the share of untagged calls; and prints a
report a person reads: one line per expectation with the column, what was observed and whether
it passed. A malformed JSON line is a finding in the report, never a crash. The exit code is 0
when everything passed, 1 otherwise (2 when there is nothing to validate).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ai_cost_attribution.contract import (
    raw_csv_inputs,
    usage_event_required_fields,
    usage_event_tag_fields,
    usage_event_text_fields,
    usage_event_token_fields,
)
from ai_cost_attribution.landing_suite import ATTRIBUTION_TAGS, TOKEN_CONSISTENCY, Check, Thresholds, run_suite


def usage_columns() -> tuple[str, ...]:
    """The fields of a usage event the suite reads as text: its scalar fields and its tags."""
    return (*usage_event_text_fields(), *usage_event_tag_fields())


@dataclass
class UsageRead:
    """The usage events of a raw folder as one frame, with what could not be read."""

    frame: pd.DataFrame
    files: list[str] = field(default_factory=list)
    lines: int = 0
    malformed: list[str] = field(default_factory=list)  # "file:line: reason"


def _text(value: Any) -> str | None:
    """A JSON value as the text the landing reads (None, '' and containers are no value)."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def _jsonl_records(path: Path, relative: str, read: UsageRead) -> Iterator[dict[str, Any]]:
    columns = usage_columns()
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            read.lines += 1
            try:
                event = json.loads(line)
            except json.JSONDecodeError as error:
                read.malformed.append(f"{relative}:{number}: {error.msg}")
                continue
            if not isinstance(event, dict):
                read.malformed.append(f"{relative}:{number}: not a JSON object")
                continue
            metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
            record = {name: _text(event.get(name, metadata.get(name))) for name in columns}
            if record["api_key_alias"] is None and _text(event.get("api_key")):
                record["api_key_alias"] = "hashed api key"
            record["location"] = f"{relative}:{number}"
            yield record


def _parquet_records(path: Path, relative: str, read: UsageRead) -> Iterator[dict[str, Any]]:
    columns = usage_columns()
    table = pd.read_parquet(path)
    read.lines += len(table)
    for number, row in enumerate(table.to_dict("records"), start=1):
        record = {name: _text(row.get(name)) for name in columns}
        record["location"] = f"{relative}:row {number}"
        yield record


def usage_frame(raw_path: Path) -> UsageRead:
    """Every usage event of ``raw_path/usage`` as text columns plus the derived columns the suite
    checks: ``*_value`` (tokens as numbers, and the sums of landing_suite.TOKEN_CONSISTENCY),
    ``occurred_at_utc`` and
    ``attribution_tag`` (the first attribution tag the call carries, NULL when none)."""
    read = UsageRead(frame=pd.DataFrame())
    usage_dir = raw_path / "usage"
    paths = sorted(usage_dir.glob("*.jsonl")) + sorted(usage_dir.glob("*.json")) + sorted(usage_dir.glob("*.parquet"))
    records: list[dict[str, Any]] = []
    for path in paths:
        relative = str(path.relative_to(raw_path))
        read.files.append(relative)
        reader = _parquet_records if path.suffix == ".parquet" else _jsonl_records
        records.extend(reader(path, relative, read))
    frame = pd.DataFrame.from_records(records, columns=[*usage_columns(), "location"])
    required = usage_event_required_fields()
    for name in usage_event_token_fields():
        value = pd.to_numeric(frame[name], errors="coerce")
        # an optional count left empty is 0, as the landing reads it
        frame[f"{name}_value"] = value if name in required else value.fillna(0)
    for _, others, fields in TOKEN_CONSISTENCY:
        if len(fields) > 1:
            frame[f"{others}_value"] = sum(frame[f"{field}_value"] for field in fields)
    frame["occurred_at_utc"] = pd.to_datetime(frame["occurred_at"], errors="coerce", utc=True, format="ISO8601")
    # occurred_at missing is reported by the required-field check, not twice
    frame.loc[frame["occurred_at"].isna(), "occurred_at_utc"] = pd.Timestamp(0, tz="UTC")
    tags = frame[list(ATTRIBUTION_TAGS)]
    frame["attribution_tag"] = tags.notna().idxmax(axis=1).where(tags.notna().any(axis=1))
    read.frame = frame
    return read


def csv_frames(raw_path: Path) -> dict[str, pd.DataFrame]:
    """Every optional CSV present in ``raw_path``, read as text (empty cells as NULL), the way the
    configuration check reads it: a column with allowed values lower-cased, and a ``<column>_value``
    number beside each column with bounds."""
    frames = {}
    for table, rules in raw_csv_inputs().items():
        path = raw_path / f"{table}.csv"
        if not path.is_file():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.apply(lambda column: column.str.strip()).replace("", None)
        for column, rule in rules.items():
            if column not in frame.columns:
                continue
            if rule.values:
                frame[column] = frame[column].str.lower()
            if rule.min is not None or rule.max is not None:
                frame[f"{column}_value"] = pd.to_numeric(frame[column], errors="coerce")
        frames[table] = frame
    return frames


@dataclass(frozen=True)
class ValidationReport:
    """Everything `aicost validate` found."""

    raw_path: Path
    files: list[str]
    lines: int
    malformed: list[str]
    checks: list[Check]
    tolerance_pct: float

    @property
    def malformed_pct(self) -> float:
        return 100.0 * len(self.malformed) / self.lines if self.lines else 0.0

    @property
    def malformed_ok(self) -> bool:
        return self.malformed_pct <= self.tolerance_pct

    @property
    def success(self) -> bool:
        return bool(self.files) and self.malformed_ok and all(check.success for check in self.checks)


def validate_raw_folder(raw_path: Path, thresholds: Thresholds | None = None) -> ValidationReport:
    """Read the raw folder and run the landing suite on it."""
    thresholds = thresholds or Thresholds()
    usage = usage_frame(raw_path)
    checks: list[Check] = []
    if usage.files:
        checks = run_suite({"usage_events": usage.frame, **csv_frames(raw_path)}, thresholds)
    return ValidationReport(
        raw_path=raw_path,
        files=usage.files,
        lines=usage.lines,
        malformed=usage.malformed,
        checks=checks,
        tolerance_pct=thresholds.tolerance_pct,
    )


def format_report(report: ValidationReport, *, verbose: bool = False) -> str:
    """The report as plain text: a header, one line per check of the usage events (and, for the
    optional CSVs, their failures and a count of what passed, or every check when verbose),
    failures explained with examples and where they are, a verdict."""
    lines = [f"Landing validation of {report.raw_path}"]
    if not report.files:
        lines.append("  FAIL  no usage files: expected usage/*.jsonl or usage/*.parquet")
        lines.append("\nResult: FAILED")
        return "\n".join(lines)
    lines.append(f"  {len(report.files)} usage file(s), {report.lines:,} lines")
    status = "PASS" if report.malformed_ok else "FAIL"
    lines.append(
        f"\n  {status}  usage_events  JSON lines parse  {len(report.malformed):,} malformed line(s)"
        f" ({report.malformed_pct:.2f} %, allowed {report.tolerance_pct:.2f} %)"
    )
    for finding in report.malformed[:5]:
        lines.append(f"          {finding}")
    if len(report.malformed) > 5:
        lines.append(f"          … and {len(report.malformed) - 5:,} more")
    shown = [check for check in report.checks if verbose or check.table == "usage_events" or not check.success]
    widths = [
        max(len("table"), *(len(check.table) for check in report.checks)),
        max(len("expectation"), *(len(check.expectation) for check in shown)),
        max(len("column"), *(len(check.column) for check in shown)),
    ]
    lines.append(f"\n  {'':4}  {'table':<{widths[0]}}  {'expectation':<{widths[1]}}  {'column':<{widths[2]}}  observed")
    for check in shown:
        status = "PASS" if check.success else "FAIL"
        lines.append(
            f"  {status}  {check.table:<{widths[0]}}  {check.expectation:<{widths[1]}}"
            f"  {check.column:<{widths[2]}}  {check.observed}"
        )
        if not check.success and check.examples:
            lines.append(f"        {'':<{widths[0]}}  {check.examples}")
    hidden: dict[str, int] = {}
    for check in report.checks:
        if check not in shown:
            hidden[check.table] = hidden.get(check.table, 0) + 1
    for table, count in hidden.items():
        lines.append(f"  PASS  {table:<{widths[0]}}  {count} checks (columns present, formats, keys, values)")
    failed = sum(not check.success for check in report.checks) + (0 if report.malformed_ok else 1)
    total = len(report.checks) + 1
    lines.append(f"\n{total - failed} of {total} checks passed.")
    lines.append("Result: PASSED" if report.success else "Result: FAILED")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost validate`."""
    parser.add_argument("raw_path", type=Path, help="the raw folder (usage/*.jsonl or *.parquet, optional CSVs)")
    parser.add_argument(
        "--tolerance-pct", type=float, default=0.0,
        help="share of rows allowed to fail each row-level check, and of malformed lines (default 0)",
    )  # fmt: skip
    parser.add_argument(
        "--max-untagged-pct", type=float, default=5.0,
        help="share of calls allowed with no feature, customer_id or api_key_alias (default 5)",
    )  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="list every check of the optional CSVs too")


def run(args: argparse.Namespace) -> int:
    """Validate the folder, print the report; 0 when everything passed."""
    raw_path = args.raw_path.expanduser().resolve()
    if not raw_path.is_dir():
        print(f"No such folder: {raw_path}")
        return 2
    thresholds = Thresholds(tolerance_pct=args.tolerance_pct, max_untagged_pct=args.max_untagged_pct)
    report = validate_raw_folder(raw_path, thresholds)
    print(format_report(report, verbose=args.verbose))
    if not report.files:
        return 2
    return 0 if report.success else 1
