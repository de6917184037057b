"""Property: whatever values the fields of Langfuse records hold, the build succeeds, every record
lands once (calls + rejects = records), every reject has a reason, and no call comes from a record
whose cost field could not be read. Each example is one dbt build of many generated lines."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import build_world, rate
from strategies.langfuse import observation_line, sends_unreadable_cost_field, trace_line

# one call that is always valid: a build in which no record at all becomes a call has no as-of date
VALID = (
    '{"id": "always-valid", "traceId": "t-1", "type": "GENERATION", "startTime": "2026-01-10T12:00:00Z",'
    ' "model": "gpt-4o", "usageDetails": {"input": 1000, "output": 100}}'
)
RATE_CARD = [
    rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10", cache_read_usd_per_mtok="1.25"),
    rate("anthropic", "claude-sonnet-4-5", input_usd_per_mtok="3", output_usd_per_mtok="15"),
    rate("openai", "o3", input_usd_per_mtok="2", output_usd_per_mtok="8"),
]


# a few builds, each of many lines; no shrinking (each step would be another build): a failure
# reports the whole example
@settings(
    max_examples=3,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    observations=st.lists(observation_line(), min_size=20, max_size=40),
    traces=st.lists(trace_line(), max_size=8),
)
def test_no_langfuse_record_breaks_a_build(tmp_path_factory, observations: list[str], traces: list[str]) -> None:
    observations = [VALID, *observations]
    built = build_world(
        tmp_path_factory.mktemp("langfuse_property"),
        files={"langfuse_observations/o.jsonl": observations, "langfuse_traces/t.jsonl": traces},
        rate_card_rows=RATE_CARD,
        dbt_vars={"unpriced_severity": "warn"},
    )
    assert built.build.returncode == 0
    calls = [line for (line,) in built.rows("select line_number from marts.fct_llm_calls")]
    rejects = built.rows("select line_number, reject_reason from marts.fct_rejected_events")
    # one record per line: every line lands exactly once
    assert sorted(calls + [line for line, _ in rejects]) == list(range(1, len(observations) + 1))
    assert all(reason for _, reason in rejects)
    unreadable = {number for number, line in enumerate(observations, start=1) if sends_unreadable_cost_field(line)}
    assert unreadable.isdisjoint(calls)
    text = str(built.rows("select * from raw.langfuse_observations")) + str(
        built.rows("select * from marts.fct_llm_calls")
    )
    assert "LF-PROPERTY-SECRET" not in text
