"""`aicost validate RAW_PATH`: the Great Expectations landing suite on a good and a bad folder.

No dbt build: the suite reads the raw files themselves, before any build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_cost_attribution.cli import main
from ai_cost_attribution.contract import raw_csv_sources
from conftest import event, write_csv, write_jsonl

PROD = {"environment": "prod", "usage_type": "external", "feature": "search", "customer_id": "acme"}

GOOD_CALLS = [
    event("g1", **PROD),
    event("g2", input_tokens=5_000, cache_read_tokens=4_000, output_tokens=10, **PROD),
    event("g3", occurred_at="2026-01-10T14:00:00+02:00", is_batch=True, status="error", **PROD),
    event("g4", api_key_alias="key-search-dev", environment="dev", usage_type="internal"),
]

BAD_LINES = [
    event("b1", **PROD),
    '{"request_id": "b2", "occurred_at": ',  # line 2: malformed JSON
    event("b3", input_tokens=-5, **PROD),  # negative tokens
    event("b4", input_tokens=1_000, cache_read_tokens=900, cache_write_tokens=200, **PROD),  # cache > input
    event("b5", environment="qa", usage_type="external", feature="search"),  # unknown environment
    {k: v for k, v in event("b6", **PROD).items() if k != "model"},  # required field missing
    event("b7", occurred_at="yesterday", **PROD),  # not a timestamp
    event("b8"),  # no tag at all
    event("b9"),  # no tag at all
    "[1, 2, 3]",  # line 10: JSON, but not an object
]


def write_folder(root: Path, lines: list, *, budgets_scope: str = "team") -> Path:
    write_jsonl(root / "usage" / "calls.jsonl", lines)
    write_csv(
        root / "budgets.csv",
        [{"scope_type": budgets_scope, "scope_value": "search", "month": "2026-01-01", "budget_usd": "100",
          "warn_at_pct": "80"}],
        raw_csv_sources()["budgets"],
    )  # fmt: skip
    return root


@pytest.fixture(scope="module")
def good_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    return run_validate(write_folder(tmp_path_factory.mktemp("good"), GOOD_CALLS))


@pytest.fixture(scope="module")
def bad_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    return run_validate(write_folder(tmp_path_factory.mktemp("bad"), BAD_LINES, budgets_scope="galaxy"))


def run_validate(folder: Path, *extra: str) -> tuple[int, str]:
    import contextlib
    import io

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = main(["validate", str(folder), *extra])
    return code, output.getvalue()


def line_of(report: str, *fragments: str) -> str:
    """The report line holding every fragment (exactly one)."""
    found = [line for line in report.splitlines() if all(fragment in line for fragment in fragments)]
    assert len(found) == 1, f"expected one line with {fragments}, found {found}\n{report}"
    return found[0]


def test_good_folder_passes_with_exit_code_zero(good_report) -> None:
    code, report = good_report
    assert code == 0, report
    assert "Result: PASSED" in report
    assert "FAIL" not in report
    assert "1 usage file(s), 4 lines" in report
    # every line of the report names the expectation, the column and what was observed
    assert line_of(report, "PASS", "expect_column_values_to_be_in_set", "environment").endswith(
        "0 of 4 rows unexpected (0.00 %)"
    )
    assert line_of(report, "PASS", "budgets", "checks")


def test_bad_folder_fails_with_exit_code_one(bad_report) -> None:
    code, report = bad_report
    assert code == 1
    assert "Result: FAILED" in report


def test_malformed_lines_are_findings_not_a_crash(bad_report) -> None:
    _, report = bad_report
    # 10 lines: 2 could not be read as JSON objects, 8 were validated
    assert "1 usage file(s), 10 lines" in report
    assert "FAIL  usage_events  JSON lines parse  2 malformed line(s) (20.00 %, allowed 0.00 %)" in report
    assert "usage/calls.jsonl:2: Expecting value" in report
    assert "usage/calls.jsonl:10: not a JSON object" in report


@pytest.mark.parametrize(
    ("expectation", "column", "observed", "where"),
    [
        # b6 has no model
        ("expect_column_values_to_not_be_null", "model", "1 of 8 rows", "at usage/calls.jsonl:6"),
        # b3: -5 prompt tokens is neither an integer >= 0 nor in range
        ("expect_column_values_to_match_regex", "input_tokens", "1 of 8 rows", "e.g. '-5'"),
        ("expect_column_values_to_be_between", "input_tokens_value", "1 of 8 rows", "usage/calls.jsonl:3"),
        # b4: 900 cache reads + 200 cache writes > 1,000 prompt tokens (and b3: -5 < 0)
        ("expect_column_pair_values_a_to_be_greater_than_b", "input_tokens_value >= cache_tokens_value",
         "2 of 8 rows", "(1000, 1100.0)"),
        ("expect_column_values_to_be_in_set", "environment", "1 of 6 rows", "e.g. 'qa'"),
        ("expect_column_values_to_match_regex", "occurred_at", "1 of 8 rows", "e.g. 'yesterday'"),
        # b8, b9: 2 of 8 calls carry no feature, customer_id or api_key_alias: 25 % > 5 %
        ("expect_column_values_to_not_be_null", "attribution_tag", "2 of 8 rows unexpected (25.00 %), allowed 5.00 %",
         ""),
    ],
)  # fmt: skip
def test_each_broken_rule_is_reported(bad_report, expectation: str, column: str, observed: str, where: str) -> None:
    _, report = bad_report
    line = line_of(report, "FAIL", f" {expectation} ", f" {column} ")
    assert observed in line
    if where:
        details = report.splitlines()[report.splitlines().index(line) + 1]
        assert where in details


def test_optional_csvs_are_checked_too(bad_report) -> None:
    _, report = bad_report
    assert "galaxy" in report.splitlines()[report.splitlines().index(
        line_of(report, "FAIL", "budgets", "expect_column_values_to_be_in_set", "scope_type")) + 1]  # fmt: skip


def test_tolerance_lets_a_few_bad_rows_pass(tmp_path: Path) -> None:
    # 1 bad line (negative output) in 40: 2.5 % is within a 5 % tolerance
    calls = [event(f"c{i}", **PROD) for i in range(39)] + [event("neg", output_tokens=-1, **PROD)]
    folder = write_folder(tmp_path, calls)
    assert run_validate(folder)[0] == 1
    code, report = run_validate(folder, "--tolerance-pct", "5")
    assert code == 0, report
    assert "1 of 40 rows unexpected (2.50 %), allowed 5.00 %" in line_of(report, "be_between", " output_tokens_value ")


def test_a_folder_without_usage_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, report = run_validate(tmp_path / "empty")
    assert code == 2
    assert "no usage files" in report
    assert json.dumps(report)  # printable
