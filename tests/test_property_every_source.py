"""Property: whatever the raw lines of every usage source hold, one `dbt build` of them all
succeeds, every record lands exactly once per source (records = calls + rejects), every reject has
a reason, no accepted call comes from a record whose cost fields could not be read exactly, and no
prompt text reaches any relation.

Each example is one raw folder holding every source at once (usage/, litellm_spend_logs/,
litellm_payloads/, langfuse_observations/ and langfuse_traces/, otel_spans/), drawn by the
strategies of tests/strategies/ (one module per source, each with the oracle that tells whether a
record's cost fields can be read), and one real dbt build of it: the sources are unioned before
validation, so one build proves they live together too (a request id two sources share is a
`duplicate` reject, still landed once). No shrinking: each step would be another build."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import litellm_exports as export
from conftest import SOURCE_FILE_NAME, BuiltWarehouse, build_world, rate
from strategies import langfuse, litellm, otel, usage

# in force over every time the strategies draw (2020 to 2030)
RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25",
         batch_input_usd_per_mtok="1.25", batch_output_usd_per_mtok="5", effective_from="2000-01-01"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15",
         cache_read_usd_per_mtok="0.3", cache_write_usd_per_mtok="3.75", cache_write_1h_usd_per_mtok="6",
         effective_from="2000-01-01"),
    rate("openai", "o3", input_usd_per_mtok="2", output_usd_per_mtok="8", effective_from="2000-01-01"),
]  # fmt: skip
SECRETS = ["SECRET-PROPERTY-PROMPT", "LF-PROPERTY-SECRET", otel.SECRET]


@st.composite
def raw_folder(draw: st.DrawFn) -> dict[str, Any]:
    """What each source's folder holds, as drawn."""
    spend_logs = st.one_of(litellm.spend_log_record(), litellm.spend_log_record(), litellm.raw_line())
    payloads = st.one_of(litellm.payload_record(), litellm.payload_record(), litellm.raw_line())
    return {
        "usage": [draw(usage.usage_line(index)) for index in range(draw(st.integers(8, 16)))],
        "spend_log_lines": draw(st.lists(spend_logs, min_size=4, max_size=8)),
        "spend_log_csv": draw(st.lists(litellm.spend_log_record(), min_size=2, max_size=5)),
        "payload_lines": draw(st.lists(payloads, min_size=4, max_size=8)),
        "payload_file": draw(litellm.payload_record()),
        "observations": draw(st.lists(langfuse.observation_line(), min_size=6, max_size=14)),
        "traces": draw(st.lists(langfuse.trace_line(), max_size=4)),
        "otel": draw(st.lists(otel.otel_line(), min_size=4, max_size=10)),
    }


def _jsonl(items: list[Any]) -> bytes:
    return b"".join((item if isinstance(item, bytes) else litellm.line_text(item).encode()) + b"\n" for item in items)


def _files(drawn: dict[str, Any], csv_cells: list[dict[str, Any]]) -> dict[str, bytes | str]:
    return {
        "usage/drawn.jsonl": "\n".join(drawn["usage"]) + "\n",
        "litellm_spend_logs/drawn.jsonl": _jsonl(drawn["spend_log_lines"]),
        "litellm_spend_logs/drawn.csv": export.psql_csv(csv_cells, typed=False),
        "litellm_payloads/drawn.jsonl": _jsonl(drawn["payload_lines"]),
        "litellm_payloads/one/0.json": litellm.line_text(drawn["payload_file"]),
        "langfuse_observations/drawn.jsonl": "\n".join(drawn["observations"]) + "\n",
        "langfuse_traces/drawn.jsonl": "\n".join(drawn["traces"]) + "\n",
        "otel_spans/drawn.jsonl": "\n".join(drawn["otel"]) + "\n",
    }


def _landed(built: BuiltWarehouse) -> list[tuple[str, str, int, int, bool, str | None]]:
    """(source, file name, line, record index, is a call, reject reason) of every landed row."""
    return built.rows(
        f"select source_name, {SOURCE_FILE_NAME}, line_number, record_index, is_call, reason"
        " from (select source_name, source_file, line_number, record_index, true as is_call, null as reason"
        " from marts.fct_llm_calls union all select source_name, source_file, line_number, record_index, false,"
        " reject_reason from marts.fct_rejected_events) as landed"
    )


def _check_usage(lines: list[str], rows: list[tuple]) -> None:
    non_blank = [number for number, line in enumerate(lines, start=1) if line.strip()]
    assert sorted(row[2] for row in rows) == non_blank
    accepted = [row[2] for row in rows if row[4]]
    assert [lines[n - 1] for n in accepted if not usage.cost_fields_valid(lines[n - 1])] == []


def _check_litellm(drawn: dict[str, Any], csv_cells: list[dict[str, Any]], rows: list[tuple]) -> None:
    written: dict[tuple[str, str, int], dict | None] = {}
    for name, source, items in [("drawn.jsonl", "litellm_spend_logs", drawn["spend_log_lines"]),
                                ("drawn.csv", "litellm_spend_logs", csv_cells),
                                ("drawn.jsonl", "litellm_payloads", drawn["payload_lines"])]:  # fmt: skip
        written |= {(source, name, n + 1): None if isinstance(x, bytes) else x for n, x in enumerate(items)}
    written[("litellm_payloads", "0.json", 1)] = drawn["payload_file"]
    times = Counter((row[0], row[1], row[2]) for row in rows)
    # a line that is no record may hold any number of them; a drawn record lands exactly once
    assert {key: times[key] for key, record in written.items() if record is not None and times[key] != 1} == {}
    for source, name, line, _, is_call, _ in rows:
        if is_call:
            record = written.get((source, name, line))
            assert record is not None and litellm.cost_fields_readable(source, record), (
                name, line, source, json.dumps(record, default=repr))  # fmt: skip


def _check_langfuse(observations: list[str], rows: list[tuple]) -> None:
    assert sorted(row[2] for row in rows) == list(range(1, len(observations) + 1))
    unreadable = {n for n, line in enumerate(observations, start=1) if langfuse.sends_unreadable_cost_field(line)}
    assert unreadable.isdisjoint(row[2] for row in rows if row[4])


def _check_otel(lines: list[str], rows: list[tuple]) -> None:
    records = {(n, index): record for n, line in enumerate(lines, start=1)
               for index, record in enumerate(otel.records_of(line))}  # fmt: skip
    assert sorted((row[2], row[3]) for row in rows) == sorted(records)
    for _, _, line, index, is_call, _ in rows:
        if is_call:
            assert otel.unreadable_cost_fields(records[(line, index)]) == [], (line, index, records[(line, index)])


@settings(max_examples=3, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(drawn=raw_folder())
def test_any_records_of_every_source_land_once_and_no_unreadable_cost_is_accepted(drawn: dict[str, Any]) -> None:
    csv_cells = [litellm.csv_record(row) for row in drawn["spend_log_csv"]]
    with tempfile.TemporaryDirectory() as folder:
        # the build must succeed: its data tests include every raw record landing exactly once
        built = build_world(
            Path(folder),
            files=_files(drawn, csv_cells),
            rate_card_rows=RATE_CARD,
            dbt_vars={"unpriced_severity": "warn", "coverage_min_calls": 1_000_000},
        )
        raw = dict(built.rows("select source_name, count(*) from intermediate.int_usage_events_unioned group by 1"))
        landed = _landed(built)
        secrets_found = built.relations_holding(SECRETS)

    by_source = {source: [row for row in landed if row[0] == source] for source in raw}
    assert {source: len(rows) for source, rows in by_source.items()} == raw
    assert [row for row in landed if not row[4] and row[5] is None] == [], "a reject without a reason"
    _check_usage(drawn["usage"], by_source.get("usage", []))
    _check_litellm(drawn, csv_cells, [row for row in landed if row[0].startswith("litellm")])
    _check_langfuse(drawn["observations"], by_source.get("langfuse", []))
    _check_otel(drawn["otel"], by_source.get("otel", []))
    assert secrets_found == []
