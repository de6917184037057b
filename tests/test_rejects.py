"""Every raw line lands exactly once: as a call, or as a reject with its reason."""

from __future__ import annotations

import json

import pytest

from conftest import build_world, event, needles_found, rate, run_world_dbt

RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]

SECRET_PROMPT = "Summarise the secret merger memo for ACME-7731"
SECRET_RESPONSE = "The merger closes on Friday ZX-99"

LINES = [
    # line 1: kept, carries prompt and response text and a raw api key that must never land
    event("good", prompt=SECRET_PROMPT, response=SECRET_RESPONSE,
          messages=[{"role": "user", "content": SECRET_PROMPT}], api_key="sk-live-1234567890",
          metadata={"experiment": "b", "prompt": SECRET_PROMPT}),
    # line 2
    '{"request_id": "broken", "occurred_at": "2026-01-10T12:00:00Z", "provider": "openai"',
    # line 3: no model
    {k: v for k, v in event("no_model").items() if k != "model"},
    # line 4
    event("bad_time", occurred_at="yesterday"),
    # line 5
    event("fractional", input_tokens="12.5"),
    # line 6
    event("negative", output_tokens=-3),
    # line 7: 600 cache reads + 500 cache writes > 1,000 input tokens
    event("too_much_cache", input_tokens=1_000, cache_read_tokens=600, cache_write_tokens=500),
    # line 8
    event("unknown_model", model="gpt-internal-experimental"),
    # lines 9 and 10: an identical replay of `replayed` -> the first line is kept
    event("replayed", input_tokens=2_000),
    event("replayed", input_tokens=2_000),
    # lines 11 and 12: a conflicting copy with a later occurred_at -> the later one (line 12) wins
    event("corrected", occurred_at="2026-01-10T12:00:00Z", output_tokens=100),
    event("corrected", occurred_at="2026-01-10T12:05:00Z", output_tokens=150),
    # line 13: a JSON value that is not an object
    "[1, 2, 3]",
    # line 14
    event("bad_batch", is_batch="sometimes"),
]  # fmt: skip


# Built with unpriced_severity: warn so that the unpriced line (8) lands as a reject and the build
# goes on; test_unpriced_usage_fails_the_build_by_default builds the same world without the var.
@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    return build_world(
        tmp_path_factory.mktemp("rejects"),
        usage={"day1.jsonl": LINES},
        rate_card_rows=RATE_CARD,
        dbt_vars={"unpriced_severity": "warn"},
    )


def rejects_by_line(warehouse) -> dict[int, str]:
    return dict(warehouse.rows("select line_number, reject_reason from marts.fct_rejected_events"))


@pytest.mark.parametrize(
    ("line_number", "reason"),
    [
        (2, "malformed_json"),
        (3, "missing_required_field"),
        (4, "invalid_timestamp"),
        (5, "invalid_token_count"),
        (6, "negative_tokens"),
        (7, "inconsistent_cache_tokens"),
        (8, "unpriced_model"),
        (10, "duplicate"),
        (11, "duplicate"),
        (13, "malformed_json"),
        (14, "invalid_is_batch"),
    ],
)
def test_each_reject_reason(warehouse, line_number: int, reason: str) -> None:
    assert rejects_by_line(warehouse)[line_number] == reason


def test_raw_lines_equal_calls_plus_rejects(warehouse) -> None:
    calls = warehouse.scalar("select count(*) from marts.fct_llm_calls")
    rejects = warehouse.scalar("select count(*) from marts.fct_rejected_events")
    # 14 lines: good, replayed (line 9), corrected (line 12) are calls; 11 rejects
    assert (calls, rejects) == (3, 11)
    assert calls + rejects == len(LINES)


def test_duplicates_keep_a_deterministic_winner(warehouse) -> None:
    assert warehouse.call("replayed")["line_number"] == 9
    corrected = warehouse.call("corrected")
    assert (corrected["line_number"], corrected["output_tokens"]) == (12, 150)
    details = dict(warehouse.rows(
        "select line_number, reject_detail from marts.fct_rejected_events where reject_reason = 'duplicate'"
    ))  # fmt: skip
    assert details[10].endswith("day1.jsonl:9")
    assert details[11].endswith("day1.jsonl:12")


def test_missing_field_is_named(warehouse) -> None:
    detail = warehouse.scalar("select reject_detail from marts.fct_rejected_events where line_number = 3")
    assert "model" in detail


def test_unpriced_usage_fails_the_build_by_default(warehouse) -> None:
    # this world without unpriced_severity: its unpriced line (8) fails the check, and so the build
    default_vars = {name: value for name, value in warehouse.dbt_vars.items() if name != "unpriced_severity"}
    built = run_world_dbt(
        ["build", "--select", "assert_no_unpriced_usage"], default_vars, warehouse.project_dir, warehouse.db_path
    )
    assert built.returncode != 0
    assert "assert_no_unpriced_usage" in built.stdout
    # the test lists the offending provider/model with its volume (stored failures)
    listed = warehouse.rows(
        "select provider, model, unpriced_calls, unpriced_tokens from audit.assert_no_unpriced_usage"
    )
    assert listed == [("openai", "gpt-internal-experimental", 1, 1_100)]


def test_no_prompt_response_or_key_text_in_any_relation(warehouse) -> None:
    texts = warehouse.relation_texts()
    assert texts, "the build produced no relations"
    assert needles_found(texts, [SECRET_PROMPT, "ACME-7731", SECRET_RESPONSE, "ZX-99", "sk-live-1234567890"]) == []


def test_api_key_is_hashed_and_metadata_kept_without_text(warehouse) -> None:
    call = warehouse.call("good")
    assert call["api_key_alias"].startswith("sha256:")
    assert len(call["api_key_alias"]) == len("sha256:") + 16
    assert json.loads(call["metadata"]) == {"experiment": "b"}
