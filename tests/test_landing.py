"""The raw landing: JSON Lines and Parquet, absent optional inputs, a missing usage folder.

The tests of a landing that succeeds share one world (`landed`), each reading its own files of
usage/ (by file name); the missing folder is a world of its own, whose build fails."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import build_world, event, in_files, rate

RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]

# a Parquet file with only some of the optional columns, one row malformed (negative tokens)
SIDE_BY_SIDE_PARQUET = pa.table({
    "request_id": ["p1", "p2"],
    "occurred_at": ["2026-01-10T12:00:00-05:00", "2026-01-10T13:00:00Z"],
    "provider": ["openai", "openai"],
    "model": ["gpt-4o", "gpt-4o"],
    "input_tokens": pa.array([1_000, -1], type=pa.int64()),
    "output_tokens": pa.array([200, 5], type=pa.int64()),
    "is_batch": [False, False],
    "metadata": ['{"feature": "sql_copilot"}', None],
})  # fmt: skip
SIDE_BY_SIDE_JSONL = [event("j1", input_tokens=2_000, output_tokens=0)]
CRLF_LINES = (
    b'{"request_id":"w1","occurred_at":"2026-01-10T12:00:00Z","provider":"openai","model":"gpt-4o",'
    b'"input_tokens":1000,"output_tokens":0}\r\n\r\n'
    b'{"request_id":"w2","occurred_at":"2026-01-10T12:00:00Z","provider":"openai","model":"gpt-4o",'
    b'"input_tokens":1000,"output_tokens":0}\r\n'
)


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory):
    """One usage folder: Parquet beside JSON Lines (export.parquet, day.jsonl), one event alone
    (only.jsonl), blank lines and Windows line endings (crlf.jsonl); no optional input."""
    root = tmp_path_factory.mktemp("landed")
    usage_dir = root / "raw" / "usage"
    usage_dir.mkdir(parents=True)
    pq.write_table(SIDE_BY_SIDE_PARQUET, usage_dir / "export.parquet")
    (usage_dir / "crlf.jsonl").write_bytes(CRLF_LINES)
    return build_world(
        root,
        usage={"day.jsonl": SIDE_BY_SIDE_JSONL, "only.jsonl": [event("only")]},
        rate_card_rows=RATE_CARD,
    )


def test_parquet_and_jsonl_land_side_by_side(landed) -> None:
    p1 = landed.call("p1")
    # 1,000 x 2.50 + 200 x 10.00 = 0.0025 + 0.0020; 12:00-05:00 is 17:00 UTC; the tag came from metadata
    assert p1["list_cost_usd"] == Decimal("0.0045")
    assert p1["occurred_at"].isoformat() == "2026-01-10T17:00:00"
    assert p1["feature"] == "sql_copilot"
    # 2,000 x 2.50 = 0.005
    assert landed.call("j1")["list_cost_usd"] == Decimal("0.005")
    assert landed.rows(
        f"select line_number, reject_reason from marts.fct_rejected_events"
        f" where {in_files(['export.parquet', 'day.jsonl'])}"
    ) == [(2, "negative_tokens")]


def test_absent_optional_inputs_are_empty_relations(landed) -> None:
    for table in ["customers", "api_keys", "shared_costs", "provider_invoices", "price_adjustments"]:
        assert landed.scalar(f"select count(*) from staging.stg_raw__{table}") == 0
    assert landed.scalar(f"select count(*) from marts.fct_llm_calls where {in_files(['only.jsonl'])}") == 1


def test_a_missing_usage_folder_is_a_clear_error(tmp_path) -> None:
    (tmp_path / "raw").mkdir()
    built = build_world(tmp_path, rate_card_rows=RATE_CARD, expect_success=False)
    assert built.build.returncode != 0
    output = built.build.stdout + built.build.stderr
    assert "No usage logs found" in output
    assert f"{built.dbt_vars['raw_path']}/usage" in output  # the folder, as the user named it


def test_blank_lines_and_windows_line_endings(landed) -> None:
    # blank lines are not events; line numbers still count them, as an editor does
    assert landed.rows(
        f"select request_id, line_number from marts.fct_llm_calls where {in_files(['crlf.jsonl'])} order by 1"
    ) == [
        ("w1", 1),
        ("w2", 3),
    ]
