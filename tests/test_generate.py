"""The demo world and bulk event generators: determinism, contract shape, counts, invariants."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ai_cost_attribution import generate as g
from ai_cost_attribution import world as w
from ai_cost_attribution.contract import (
    raw_csv_sources,
    shared_cost_drivers,
    usage_event_fields,
    usage_event_required_fields,
    usage_event_tag_fields,
    usage_event_token_fields,
)
from ai_cost_attribution.generate import bulk as bulk_module
from ai_cost_attribution.pricing import model_family
from ai_cost_attribution.token_shapes import load_token_shapes, prefix_shares, scale_tokens

REQUIRED = usage_event_required_fields()
TOKENS = usage_event_token_fields()
FIELDS = usage_event_fields()
CSV_INPUTS = raw_csv_sources()
SMALL = {"seed": 7, "days": 35, "customers": 30}
END = g.DEFAULT_END_DATE
ROLES = {"primary", "router", "evaluator", "guardrail", "embedding", "rerank", "tool"}
PAIRS = {(m.provider, m.model) for m in w.MODELS}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> g.DemoWorldSummary:
    return g.write_demo_world(tmp_path_factory.mktemp("demo"), **SMALL)


@pytest.fixture(scope="module")
def lines(demo: g.DemoWorldSummary) -> list[tuple[str, int, str]]:
    """(file, line number, text) of every usage line."""
    out = []
    for path in sorted((demo.out_dir / "usage").glob("*.jsonl")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            out.append((path.name, number, text))
    return out


@pytest.fixture(scope="module")
def events(lines: list[tuple[str, int, str]]) -> list[dict]:
    return valid_events(lines)


def classify(text: str) -> tuple[str, dict | None]:
    """The reject reason a line deserves before de-duplication and pricing ('' = well formed)."""
    try:
        event = json.loads(text)
    except json.JSONDecodeError:
        return "malformed_json", None
    if any(event.get(k) is None for k in REQUIRED):
        return "missing_required_field", event
    try:
        stamp = datetime.fromisoformat(event["occurred_at"])
    except ValueError:
        return "invalid_timestamp", event
    if stamp.tzinfo is None:
        return "invalid_timestamp", event
    if any(event.get(k, 0) < 0 for k in TOKENS):
        return "negative_tokens", event
    if event.get("cache_read_tokens", 0) + event.get("cache_write_tokens", 0) > event["input_tokens"]:
        return "inconsistent_cache_tokens", event
    return "", event


def valid_events(lines: list[tuple[str, int, str]]) -> list[dict]:
    """Well-formed lines, first occurrence of each request_id only."""
    seen: set[str] = set()
    out = []
    for _, _, text in lines:
        reason, event = classify(text)
        if reason or event["request_id"] in seen:
            continue
        seen.add(event["request_id"])
        out.append(event)
    return out


def utc(event: dict) -> datetime:
    return datetime.fromisoformat(event["occurred_at"]).astimezone(UTC)


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---- the demo world -----------------------------------------------------------------------------


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    args = {"seed": 3, "days": 10, "customers": 12}
    g.write_demo_world(tmp_path / "a", **args)
    g.write_demo_world(tmp_path / "b", **args)
    g.write_demo_world(tmp_path / "c", **{**args, "seed": 4})
    first, second, other = (file_hashes(tmp_path / k) for k in "abc")
    assert first == second
    assert first.keys() == other.keys()
    assert first != other


def test_every_contract_file_is_written_with_its_header(demo: g.DemoWorldSummary) -> None:
    for table, columns in CSV_INPUTS.items():
        name = f"{table}.csv"
        with (demo.out_dir / name).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == columns, name
        assert len(rows) > 1, f"{name} has no rows"
        assert all(len(r) == len(columns) for r in rows), name
    days = [demo.start_date + timedelta(days=i) for i in range(SMALL["days"])]
    assert [f"usage/{d.isoformat()}.jsonl" for d in days] == [f for f in demo.files if f.startswith("usage/")]
    assert demo.start_date == END - timedelta(days=SMALL["days"] - 1)
    assert demo.end_date == END


def test_summary_counts_match_the_files(demo: g.DemoWorldSummary, lines: list[tuple[str, int, str]]) -> None:
    reasons: Counter[str] = Counter()
    first_text: dict[str, str] = {}
    bad_ids: list[str] = []
    exact = conflicting = 0
    for _, _, text in lines:
        reason, event = classify(text)
        if reason:
            reasons[reason] += 1
            if event and "request_id" in event:
                bad_ids.append(event["request_id"])
            continue
        rid = event["request_id"]
        if rid not in first_text:
            first_text[rid] = text
        elif first_text[rid] == text:
            exact += 1
        else:
            conflicting += 1
            assert classify(first_text[rid])[1]["occurred_at"] != event["occurred_at"]
    assert len(lines) == demo.lines
    assert len(set(bad_ids)) == len(bad_ids) and not set(bad_ids) & set(first_text)
    assert dict(reasons) == demo.bad_lines
    assert set(demo.bad_lines) == set(g.BAD_LINE_KINDS)
    assert all(count >= 2 for count in demo.bad_lines.values())
    assert (exact, conflicting) == (demo.duplicates_exact, demo.duplicates_conflicting)
    assert exact >= 2 and conflicting >= 1
    events = valid_events(lines)  # first occurrences of well-formed lines
    assert len(events) == demo.events
    unpriced = [e for e in events if e["model"] == "gpt-internal-experimental"]
    assert len(unpriced) == demo.unpriced_events >= 2
    traces = {e["trace_id"] for e in events if "trace_id" in e}
    assert demo.traces == len(traces) + sum("trace_id" not in e for e in events)
    assert demo.lines == demo.events_written == demo.events + demo.bad_lines_written + demo.duplicates
    assert demo.files_written == SMALL["days"] + len(CSV_INPUTS) + len(demo.provider_truth.files)
    assert demo.expected_accepted_calls + demo.expected_rejected_lines == demo.lines


def test_well_formed_lines_keep_the_contract(demo: g.DemoWorldSummary, events: list[dict]) -> None:
    window = (
        datetime.combine(demo.start_date, datetime.min.time(), UTC),
        datetime.combine(demo.end_date + timedelta(days=1), datetime.min.time(), UTC),
    )
    for event in events:
        assert all(k in event for k in REQUIRED)
        assert set(event) - {"prompt", "response", "messages"} <= set(FIELDS)
        assert None not in event.values()
        for k in TOKENS:
            assert isinstance(event.get(k, 0), int) and event.get(k, 0) >= 0
        assert event.get("cache_read_tokens", 0) + event.get("cache_write_tokens", 0) <= event["input_tokens"]
        assert event.get("cache_write_1h_tokens", 0) <= event.get("cache_write_tokens", 0)
        assert event.get("reasoning_tokens", 0) <= event["output_tokens"]
        assert (event["provider"], event["model"]) in PAIRS
        assert event.get("call_role", "primary") in ROLES
        assert event.get("operation", "chat") in ("chat", "embeddings")
        assert event.get("status", "success") in ("success", "error")
        assert event.get("environment", "prod") in w.ENVIRONMENTS
        assert event.get("usage_type", "external") in ("external", "internal")
        assert isinstance(event.get("is_batch", False), bool)
        assert isinstance(event.get("metadata", {}), dict)
        assert window[0] <= utc(event) < window[1] + timedelta(minutes=3)


def test_the_demo_tells_its_stories(demo: g.DemoWorldSummary, events: list[dict]) -> None:
    by_id = {e["request_id"]: e for e in events}
    keys = {r["api_key_alias"]: r for r in csv.DictReader((demo.out_dir / "api_keys.csv").open())}
    primaries = [e for e in events if e.get("call_role", "primary") == "primary"]
    children = [e for e in events if e.get("call_role") in ("router", "evaluator", "guardrail", "embedding")]
    # router / evaluator calls point at their trace and parent and mostly lack the business tags
    assert children and all(
        "trace_id" in e and by_id[e["parent_request_id"]]["trace_id"] == e["trace_id"] for e in children
    )
    assert sum("customer_id" not in e for e in children) > 0.7 * len(children)
    # untagged primaries resolve through api_keys.csv; a few carry nothing at all
    key_only = [e for e in primaries if "feature" not in e and "api_key_alias" in e]
    assert key_only and all(keys[e["api_key_alias"]]["feature"] for e in key_only)
    assert any(keys[e["api_key_alias"]]["customer_id"] for e in key_only if "customer_id" not in e)
    bare = [e for e in events if not set(usage_event_tag_fields()) & set(e) and "trace_id" not in e]
    assert bare
    # time zones, raw text, batch, environments, errors, prompt caching, models
    assert {e["occurred_at"][-6:] for e in events} >= {"+00:00", "-05:00", "+02:00", "+09:00"}
    assert any(e["occurred_at"].endswith("Z") for e in events)
    assert any("messages" in e for e in events) and any("prompt" in e for e in events)
    assert any(e.get("is_batch") and e["feature"] == "doc_summarizer" for e in events)
    assert {e.get("environment") for e in events} >= {"prod", "staging", "dev"}
    assert any(e.get("usage_type") == "internal" for e in events)
    assert any(e.get("status") == "error" and e["input_tokens"] > 0 for e in events)
    assert any(e.get("cache_write_1h_tokens") for e in events)
    sessions: dict[str, list[dict]] = {}
    for e in sorted(events, key=utc):
        if e["provider"] == "anthropic" and "session_id" in e:
            sessions.setdefault(e["session_id"], []).append(e)
    assert any(
        s[0].get("cache_write_tokens", 0) > 0 and any(x.get("cache_read_tokens", 0) > 0 for x in s[1:])
        for s in sessions.values()
    )
    assert any(e["provider"] == "openai" and e.get("cache_read_tokens", 0) > 0 for e in events)
    assert any(e["model"] == "gemini-2.5-pro" and e["input_tokens"] > 200_000 for e in events)
    assert any(e["model"] == "gpt-4o-2024-08-06" for e in events)
    assert {(e["provider"], e["model"]) for e in events} == PAIRS


def report_buckets(demo: g.DemoWorldSummary, name: str) -> list[dict]:
    """The buckets of one export's pages, following next_page from the first page."""
    paths = sorted((demo.out_dir / name.split("/")[0]).glob(f"{name.split('/')[1]}_*.json"))
    pages = [json.loads(path.read_text()) for path in paths]
    assert [p["has_more"] for p in pages] == [True] * (len(pages) - 1) + [False]
    assert len({p["next_page"] for p in pages[:-1]}) == len(pages) - 1
    return [bucket for page in pages for bucket in page["data"]]


def test_the_provider_reports_see_the_logs_and_the_untracked_calls(
    demo: g.DemoWorldSummary, events: list[dict]
) -> None:
    truth = demo.provider_truth
    last_reported = demo.end_date - timedelta(days=1)  # today is not reported yet
    days = [demo.start_date + timedelta(days=i) for i in range((last_reported - demo.start_date).days + 1)]
    logged: Counter[tuple[str, str, date]] = Counter()
    tokens: Counter[tuple[str, date]] = Counter()
    for e in events:
        day = utc(e).date()
        if e["provider"] in ("openai", "anthropic") and e["model"] != "gpt-internal-experimental" and day <= days[-1]:
            family = model_family(e["model"])
            logged[(e["provider"], family, day)] += 1
            if family == "claude-sonnet-4-5":
                tokens[("input", day)] += e["input_tokens"]
    # OpenAI counts requests: the logs', plus one in four of the day's non-batch gpt-4o-mini calls
    # on the last 14 days (the triage worker past the gateway)
    completions = report_buckets(demo, "provider_usage/openai_completions")
    embeddings = report_buckets(demo, "provider_usage/openai_embeddings")
    assert [datetime.fromtimestamp(b["start_time"], UTC).date() for b in completions] == days
    reported: Counter[tuple[str, str, date]] = Counter()
    for bucket in completions + embeddings:
        day = datetime.fromtimestamp(bucket["start_time"], UTC).date()
        for result in bucket["results"]:
            reported[("openai", model_family(result["model"]), day)] += result["num_model_requests"]
    mini_batch = Counter(utc(e).date() for e in events if e["model"] == "gpt-4o-mini" and e.get("is_batch"))
    expected_copies = {}
    for day in days[-14:]:
        unbatched = logged[("openai", "gpt-4o-mini", day)] - mini_batch[day]
        expected_copies[day] = (unbatched + 3) // 4  # calls 0, 4, 8, … of the day
    for key in set(reported) | {k for k in logged if k[0] == "openai"}:
        assert reported[key] - logged[key] == expected_copies.get(key[2], 0) * (key[1] == "gpt-4o-mini"), key
    assert truth.untracked_requests[("openai", "gpt-4o-mini")] == sum(expected_copies.values()) > 0
    assert truth.untracked_days[("openai", "gpt-4o-mini")] == tuple(days[-14:])
    # Anthropic counts tokens: every day but Sunday holds exactly the logs' claude-sonnet-4-5 prompt tokens
    messages = report_buckets(demo, "provider_usage/anthropic_messages")
    for bucket in messages:
        day = datetime.fromisoformat(bucket["starting_at"]).date()
        prompt = sum(
            r["uncached_input_tokens"] + r["cache_read_input_tokens"] + sum(r["cache_creation"].values())
            for r in bucket["results"]
            if r["model"].startswith("claude-sonnet-4-5")
        )
        assert (prompt > tokens[("input", day)]) == (day.isoweekday() == 7), day
        assert prompt >= tokens[("input", day)]
    assert set(truth.untracked_days[("anthropic", "claude-sonnet-4-5")]) == {d for d in days if d.isoweekday() == 7}
    # cost reports of the same days; one images page the build cannot count
    assert len(report_buckets(demo, "provider_costs/openai_costs")) == len(days)
    assert len(report_buckets(demo, "provider_costs/anthropic_costs")) == len(days)
    assert report_buckets(demo, "provider_usage/openai_images")[0]["results"][0]["object"].endswith("images.result")
    # the gateway records its own cost of every Google call, and of no other
    assert all(("reported_cost_usd" in e) == (e["provider"] == "google") for e in events)


def test_the_cost_spike_is_one_recent_day(demo: g.DemoWorldSummary, events: list[dict]) -> None:
    spike = demo.spike
    assert demo.end_date - timedelta(days=30) <= spike.day <= demo.end_date
    assert spike.cost_multiple >= 4
    calls = Counter(
        utc(e).date() for e in events if e.get("feature") == spike.feature and e.get("customer_id") == spike.customer_id
    )
    assert calls[spike.day] >= spike.extra_calls
    assert calls[spike.day] > 3 * np.median([calls[d] for d in calls if d != spike.day])


def test_token_sizes_come_from_the_traces(events: list[dict]) -> None:
    shapes = load_token_shapes()
    checked = 0
    for name, source in (("support_assistant", "conv"), ("code_review", "code")):
        spec = w.FEATURES[w.FEATURE_INDEX[name]]
        inputs = set(scale_tokens(shapes.inputs[source], spec.input_scale).tolist())
        outputs = set(scale_tokens(shapes.outputs[source], spec.output_scale).tolist())
        for e in events:
            if e.get("feature") == name and e.get("call_role", "primary") == "primary" and e.get("status") != "error":
                assert e["input_tokens"] in inputs
                assert e["output_tokens"] in outputs
                checked += 1
    assert checked > 200


def test_finance_files_tell_their_story(demo: g.DemoWorldSummary) -> None:
    def read(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader((demo.out_dir / name).open(newline="", encoding="utf-8")))

    pools = read("shared_costs.csv")
    assert {p["driver"] for p in pools} == set(shared_cost_drivers())  # every driver the contract knows
    assert any(p["scope_provider"] == "self_hosted" and p["driver"] == "tokens" for p in pools)
    assert any(p["scope_model"] == "text-davinci-003" for p in pools)
    assert {r["scope_type"] for r in read("budgets.csv")} == {"team", "feature", "customer", "agent", "model"}
    invoices = read("provider_invoices.csv")
    assert {r["provider"] for r in invoices} == {"openai", "anthropic", "google"}
    assert read("price_adjustments.csv") == [
        {
            "provider": "anthropic",
            "model": "*",
            "effective_from": "2026-10-01",
            "effective_to": "",
            "discount_pct": "10",
        }
    ]
    tiers = Counter(r["plan_tier"] for r in read("customers.csv"))
    assert set(tiers) == {"free", "pro", "enterprise", "internal"}
    revenue = read("customer_revenue.csv")
    free = {r["customer_id"] for r in read("customers.csv") if r["plan_tier"] == "free"}
    assert all(float(r["revenue_usd"]) == 0 for r in revenue if r["customer_id"] in free)
    outcomes = read("outcomes.csv")
    assert {o["outcome_type"] for o in outcomes} == {"ticket_resolved", "task_completed"}
    per_ticket = Counter(o["ticket_id"] for o in outcomes if o["ticket_id"])
    assert max(per_ticket.values()) == 1  # a ticket resolves once, even when it spans several traces


def test_every_demo_outcome_has_a_value(demo: g.DemoWorldSummary) -> None:
    def read(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader((demo.out_dir / name).open(newline="", encoding="utf-8")))

    values = read("outcome_values.csv")
    # minutes x loaded hourly rate: 15 x $36 / 60 = $9.00; 3 x $36 / 60 = $1.80; 15 x $90 / 60 = $22.50;
    # 15 x $60 / 60 = $15.00. The window (Oct 12 - Nov 15) has two months: no raise yet.
    assert [
        (v["outcome_type"], v["feature"], v["value_usd"], v["effective_from"], v["effective_to"]) for v in values
    ] == [
        ("ticket_resolved", "", "9.00", "2026-10-01", ""),
        ("task_completed", "ticket_triage", "1.80", "2026-10-01", ""),
        ("task_completed", "code_review", "22.50", "2026-10-01", ""),
        ("task_completed", "sales_insights", "15.00", "2026-10-01", ""),
    ]
    assert values[2]["basis"] == "a pull-request review by an engineer: 15 minutes at a loaded $90.00 an hour"

    def in_force(row: dict[str, str], day: str) -> bool:
        return row["effective_from"] <= day and (not row["effective_to"] or day < row["effective_to"])

    # each outcome meets one row: its feature's, else the row for every feature
    outcomes = read("outcomes.csv")
    for o in outcomes:
        day = o["occurred_at"][:10]
        of_type = [v for v in values if v["outcome_type"] == o["outcome_type"] and in_force(v, day)]
        own = [v for v in of_type if v["feature"] == o["feature"]]
        assert len(own or [v for v in of_type if v["feature"] == ""]) == 1, o
    # sales_insights, the add-on: $20 a month on each enterprise plan
    enterprise = sum(r["plan_tier"] == "enterprise" for r in read("customers.csv"))
    assert [(r["feature"], r["month"], r["revenue_usd"]) for r in read("feature_revenue.csv")] == [
        ("sales_insights", "2026-10-01", f"{20 * enterprise:.2f}"),
        ("sales_insights", "2026-11-01", f"{20 * enterprise:.2f}"),
    ]


def test_the_support_rate_rises_in_the_last_complete_month() -> None:
    totals = w.CostTotals.empty(date(2026, 8, 16), date(2026, 11, 15), n_customers=1)  # Aug, Sep, Oct, Nov
    tickets = [v for v in w.outcome_value_rows(totals) if v["outcome_type"] == "ticket_resolved"]
    # 15 minutes at $36 = $9.00 until October; at $38.40 = $9.60 from October 1 (the periods meet)
    assert [(v["value_usd"], v["effective_from"], v["effective_to"]) for v in tickets] == [
        ("9.00", "2026-08-01", "2026-10-01"),
        ("9.60", "2026-10-01", ""),
    ]
    assert tickets[1]["basis"] == (
        "a tier-1 ticket handled by a support agent after the team's raise: 15 minutes at a loaded $38.40 an hour"
    )


def test_missing_reference_traces_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="Reference traces missing in .*nowhere"):
        g.write_demo_world(tmp_path / "out", days=3, customers=8, traces_dir=tmp_path / "nowhere")
    parser = argparse.ArgumentParser()
    g.add_arguments(parser)
    args = parser.parse_args(["--out", str(tmp_path / "out"), "--traces-dir", str(tmp_path / "nowhere"), "--quiet"])
    assert g.run(args) == 2  # the CLI prints the message, no traceback


def test_vectorised_timestamps_match_the_scalar_formatter() -> None:
    rng = np.random.default_rng(1)
    ts = 1_780_000_000_000 + rng.integers(0, 400 * 86_400_000, 2_000)
    offsets = rng.choice([0, -300, 120, 540, 330, -570], 2_000)
    zulu = rng.random(2_000) < 0.5
    expected = [g.format_occurred_at(int(t), None if z else int(o)) for t, o, z in zip(ts, offsets, zulu, strict=True)]
    assert g.iso_timestamps(ts, np.where(zulu, 0, offsets), zulu).to_pylist() == expected
    for text, t in zip(expected, ts, strict=True):
        assert datetime.fromisoformat(text).timestamp() * 1000 == t


def test_prefix_shares_count_reused_leading_blocks() -> None:
    records = [
        {"input_length": 1024, "hash_ids": [1, 2]},
        {"input_length": 2048, "hash_ids": [1, 2, 3, 4]},
        {"input_length": 1000, "hash_ids": [5, 2]},
    ]
    assert prefix_shares(records).tolist() == [0.0, 0.5, 0.0]


# ---- bulk events --------------------------------------------------------------------------------


def bulk(folder: Path, **overrides: object) -> g.GenerateSummary:
    args = {
        "events": 30_000,
        "days": 6,
        "start_date": date(2026, 10, 1),
        "customers": 20,
        "seed": 5,
        "late_fraction": 0.1,
        "rows_per_file": 12_000,
        "progress": False,
    }
    args.update(overrides)
    return g.generate_events(folder, **args)


def test_bulk_writes_chunked_parquet_with_the_contract_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_module, "PART_ROWS", 5_000)
    summary = bulk(tmp_path)
    assert summary.files == ("usage/events-0000.parquet", "usage/events-0001.parquet", "usage/events-0002.parquet")
    sizes = [pq.read_metadata(tmp_path / f).num_rows for f in summary.files]
    assert sizes == [12_000, 12_000, 6_000]
    assert pq.read_metadata(tmp_path / summary.files[0]).num_row_groups == 3
    schemas = [pq.read_schema(tmp_path / f) for f in summary.files]
    assert all(schema == schemas[0] for schema in schemas)
    # every field of the contract but a gateway's own cost estimate, typed as the landing reads it
    assert set(schemas[0].names) == set(FIELDS) - {"reported_cost_usd"}
    for field in schemas[0]:
        if field.name in (*TOKENS, "latency_ms"):
            assert field.type == pa.int64(), field
        elif field.name == "is_batch":
            assert field.type == pa.bool_()
        else:
            assert pa.types.is_string(field.type) or field.type.value_type == pa.string(), field
    table = pq.read_table(tmp_path / "usage").to_pydict()
    assert len(table["request_id"]) == 30_000 == len(set(table["request_id"]))
    start = datetime(2026, 10, 1, tzinfo=UTC)
    stamps = [datetime.fromisoformat(t) for t in table["occurred_at"]]
    late = sum(s < start for s in stamps)
    assert late == summary.late_events
    assert 0.06 < late / 30_000 < 0.14
    assert min(stamps) >= start - timedelta(days=g.LATE_WINDOW_DAYS)
    assert max(stamps) < start + timedelta(days=6)
    reads, writes, inputs = (np.array(table[k]) for k in ("cache_read_tokens", "cache_write_tokens", "input_tokens"))
    assert (reads + writes <= inputs).all() and (inputs >= 0).all()
    parents = {p for p in table["parent_request_id"] if p}
    assert parents <= set(table["request_id"])
    for table, columns in CSV_INPUTS.items():
        with (tmp_path / f"{table}.csv").open(newline="") as handle:
            assert tuple(next(csv.reader(handle))) == columns


def test_bulk_is_deterministic_and_batches_do_not_share_ids(tmp_path: Path) -> None:
    bulk(tmp_path / "a", events=8_000)
    bulk(tmp_path / "b", events=8_000)
    assert file_hashes(tmp_path / "a") == file_hashes(tmp_path / "b")
    bulk(tmp_path / "a", events=8_000, file_prefix="late", write_csvs=False)
    first = set(pq.read_table(tmp_path / "a" / "usage" / "events-0000.parquet").column("request_id").to_pylist())
    second = set(pq.read_table(tmp_path / "a" / "usage" / "late-0000.parquet").column("request_id").to_pylist())
    assert len(first) == len(second) == 8_000 and not first & second
    bulk(tmp_path / "a", events=3_000, rows_per_file=1_000, write_csvs=False)
    bulk(tmp_path / "a", events=1_500, rows_per_file=1_000, write_csvs=False)  # a rerun replaces its files
    names = sorted(p.name for p in (tmp_path / "a" / "usage").iterdir())
    assert names == ["events-0000.parquet", "events-0001.parquet", "late-0000.parquet"]


def test_bulk_jsonl_leaves_out_absent_fields(tmp_path: Path) -> None:
    summary = bulk(tmp_path, events=5_000, file_format="jsonl", write_csvs=False)
    assert summary.files == ("usage/events-0000.jsonl",)
    events = [json.loads(x) for x in (tmp_path / summary.files[0]).read_text().splitlines()]
    assert len(events) == 5_000
    assert all(None not in e.values() and set(e) <= set(FIELDS) for e in events)
    assert all(isinstance(e.get("metadata", {}), dict) for e in events)
    assert any("customer_id" not in e for e in events) and any("reasoning_tokens" in e for e in events)


def test_cli_writes_the_demo_or_bulk_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    g.add_arguments(parser)
    assert g.run(parser.parse_args(["--out", str(tmp_path / "demo"), "--days", "5", "--customers", "10"])) == 0
    assert (tmp_path / "demo" / "usage" / f"{END.isoformat()}.jsonl").is_file()
    assert "cost spike" in capsys.readouterr().out
    argv = [
        "--out",
        str(tmp_path / "bulk"),
        "--events",
        "2000",
        "--days",
        "3",
        "--customers",
        "10",
        "--start-date",
        "2026-09-01",
        "--format",
        "jsonl",
        "--late-fraction",
        "0.2",
    ]
    assert g.run(parser.parse_args(argv)) == 0
    assert (tmp_path / "bulk" / "usage" / "events-0000.jsonl").is_file()
    assert "events/s" in capsys.readouterr().err


def test_the_generator_prices_calls_with_pricing_py() -> None:
    """The finance files are sized with the warehouse's rule: the generator's float tables give
    pricing.py's cost of each call (long context, batch, cache reads, 5-minute and 1-hour writes,
    the discount), to float precision."""
    from ai_cost_attribution import pricing

    days = [date(2026, 10, 1), date(2026, 10, 2)]
    prices = w.price_list(w.demo_discounts(days[0]))
    units = w.unit_prices(prices, days)
    calls = [  # model, day, input, output, cache read, cache write, 1-hour writes, batch
        ("claude-sonnet-4-5", 0, 10_000, 500, 1_000, 4_000, 1_500, False),
        ("gemini-2.5-pro", 1, 250_000, 1_000, 50_000, 0, 0, False),
        ("gpt-4o", 1, 3_000, 100, 2_000, 0, 0, True),
        ("gpt-4o-2024-08-06", 0, 1_000, 10, 0, 0, 0, False),
        ("claude-haiku-4-5", 1, 5_000, 100, 0, 2_000, 2_000, False),
    ]
    columns = list(zip(*calls, strict=True))
    model = np.array([w.MODEL_INDEX[name] for name in columns[0]])
    floats = w.effective_costs(units, model, np.array(columns[1]), *(np.array(c) for c in columns[2:7]),
                               np.array(columns[7]))  # fmt: skip
    for (name, day, inp, out, read, write, write_1h, batch), cost in zip(calls, floats, strict=True):
        spec = w.MODELS[w.MODEL_INDEX[name]]
        exact = pricing.price_call(
            prices, provider=spec.provider, model=name, day=days[day], input_tokens=inp, output_tokens=out,
            cache_read_tokens=read, cache_write_tokens=write, cache_write_1h_tokens=write_1h, is_batch=batch,
        ).cost.effective_cost_usd  # fmt: skip
        assert cost == pytest.approx(float(exact), rel=1e-12), name
