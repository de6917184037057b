"""Property: whatever OTLP JSON lines an otel_spans/ folder holds (tests/strategies/otel.py
generates arbitrary values in every field), the build succeeds, every record (each span of a
line, or the line itself when it holds none) lands exactly once as a call or a reject, every
reject has a reason, no accepted call has a cost field that could not be read exactly, and no
prompt text reaches any relation. Each example is one dbt build of many generated lines."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import build_world, rate
from strategies.otel import SECRET, otel_line, records_of, unreadable_cost_fields

# in force over every time the strategy draws (2020 to 2030)
RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", cache_read_usd_per_mtok="1.25", output_usd_per_mtok="10",
         effective_from="2000-01-01"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", cache_read_usd_per_mtok="0.3",
         cache_write_usd_per_mtok="3.75", output_usd_per_mtok="15", effective_from="2000-01-01"),
]  # fmt: skip


@settings(
    max_examples=3,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(lines=st.lists(otel_line(), min_size=12, max_size=24))
def test_any_otel_lines_land_once_and_no_unreadable_cost_is_accepted(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as root:
        built = build_world(
            Path(root),
            files={"otel_spans/generated.jsonl": "\n".join(lines) + "\n"},
            rate_card_rows=RATE_CARD,
            dbt_vars={"unpriced_severity": "warn"},
        )
        records = {
            (line_number, record_index): record
            for line_number, line in enumerate(lines, start=1)
            for record_index, record in enumerate(records_of(line))
        }
        calls = built.rows("select line_number, record_index from marts.fct_llm_calls")
        rejects = built.rows("select line_number, record_index, reject_reason from marts.fct_rejected_events")
        assert sorted(calls + [(line, index) for line, index, _ in rejects]) == sorted(records)
        assert all(reason for _, _, reason in rejects)
        for line_number, record_index in calls:
            span = records[(line_number, record_index)]
            assert unreadable_cost_fields(span) == [], (line_number, record_index, span)
        relations = built.rows(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema not in ('information_schema', 'pg_catalog')"
        )
        for schema, table in relations:
            text = json.dumps(built.rows(f'select * from "{schema}"."{table}"'), default=str)
            assert SECRET not in text, f"prompt text found in {schema}.{table}"
