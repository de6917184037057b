"""Property: whatever LiteLLM records hold, the build succeeds and every record lands once.

Each example is one dbt build (three in all: each costs a build, and hypothesis caps how much one
example may draw, hence a few dozen records) of a raw folder drawn by tests/strategies/litellm.py: spend-log rows
as JSON Lines (between lines that are not records at all: bytes, text, JSON of other shapes) and as
psql CSV, payloads as JSON Lines and one per file, with arbitrary values in every field. Then:
the build succeeds; per source, raw records = calls + rejects; every drawn record lands exactly
once; every reject has a reason; and no accepted call has a cost field that could not be read.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import litellm_exports as export
from conftest import build_world, rate
from strategies import litellm as drawn

RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25",
         batch_input_usd_per_mtok="1.25", batch_output_usd_per_mtok="5"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", cache_write_1h_usd_per_mtok="6"),
]  # fmt: skip
SPEND_LOGS, PAYLOADS = "litellm_spend_logs", "litellm_payloads"


def _jsonl(items: list) -> bytes:
    return b"".join((item if isinstance(item, bytes) else drawn.line_text(item).encode()) + b"\n" for item in items)


# no shrinking: each step would be another build; a failure reports the example as drawn
@settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # fmt: skip
@given(
    spend_log_lines=st.lists(st.one_of(drawn.spend_log_record(), drawn.spend_log_record(), drawn.raw_line()),
                             min_size=10, max_size=14),
    csv_rows=st.lists(drawn.spend_log_record(), min_size=6, max_size=10),
    payload_lines=st.lists(st.one_of(drawn.payload_record(), drawn.payload_record(), drawn.raw_line()),
                           min_size=10, max_size=14),
    payload_files=st.lists(drawn.payload_record(), min_size=1, max_size=2),
)  # fmt: skip
def test_any_litellm_records_land_once_and_no_unreadable_cost_is_accepted(
    spend_log_lines: list, csv_rows: list, payload_lines: list, payload_files: list
) -> None:
    csv_cells = [drawn.csv_record(row) for row in csv_rows]
    files: dict[str, bytes | str] = {
        "litellm_spend_logs/drawn.jsonl": _jsonl(spend_log_lines),
        "litellm_spend_logs/drawn.csv": export.psql_csv(csv_cells, typed=False),
        "litellm_payloads/drawn.jsonl": _jsonl(payload_lines),
    }
    for number, record in enumerate(payload_files):
        files[f"litellm_payloads/one/{number}.json"] = drawn.line_text(record)
    # what was drawn, by (file, line number): (source, the record; None for a line that is none)
    written: dict[tuple[str, str, int], dict | None] = {}
    for name, source, lines in [("drawn.jsonl", SPEND_LOGS, spend_log_lines), ("drawn.csv", SPEND_LOGS, csv_cells),
                                ("drawn.jsonl", PAYLOADS, payload_lines)]:  # fmt: skip
        written |= {(name, source, n + 1): None if isinstance(x, bytes) else x for n, x in enumerate(lines)}
    written |= {(f"{n}.json", PAYLOADS, 1): record for n, record in enumerate(payload_files)}

    with tempfile.TemporaryDirectory() as folder:
        # the build must succeed (its data tests include every raw record landing exactly once)
        built = build_world(
            Path(folder),
            files=files,
            rate_card_rows=RATE_CARD,
            dbt_vars={"unpriced_severity": "warn", "coverage_min_calls": 1_000_000},
        )
        raw = dict(built.rows("select source_name, count(*) from intermediate.int_usage_events_unioned group by 1"))
        landed = built.rows(
            "select regexp_extract(source_file, '[^/]+$'), source_name, line_number, is_call, reason from ("
            " select source_file, source_name, line_number, true as is_call, null as reason from marts.fct_llm_calls"
            " union all select source_file, source_name, line_number, false, reject_reason"
            " from marts.fct_rejected_events) as landed"
        )

    for source in [SPEND_LOGS, PAYLOADS]:
        assert raw.get(source, 0) == sum(1 for row in landed if row[1] == source), source
    assert [row for row in landed if not row[3] and row[4] is None] == [], "a reject without a reason"
    # every drawn record lands exactly once (a line that is no record may hold any number of them)
    for key, record in written.items():
        if record is not None:
            times = sum(1 for row in landed if tuple(row[:3]) == key)
            assert times == 1, (key, times, record)
    # no accepted call has a cost field that could not be read
    for name, source, line, is_call, _ in landed:
        if is_call:
            record = written.get((name, source, line))
            assert record is not None, (name, source, line)
            shown = json.dumps(record, default=repr)
            assert drawn.cost_fields_readable(source, record), f"{name}:{line} ({source}) {shown}"
