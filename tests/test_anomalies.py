"""Cost anomalies: a robust z-score of each day's cost against the trailing 28 days (median and
MAD), from the dbt Python model and from the portable SQL model, which must agree.

January 2026, gpt-4o at $1,000 per million input tokens (1,000 tokens = $1):
  - feature `search` (customer cust_a) costs $9 on odd days and $11 on even days from Jan 1 to
    Jan 29, $100 on Jan 30 (the spike) and $9 on Jan 31 (a normal day after it);
  - feature `reports` (customer cust_b) costs $2 every seventh day from Jan 3: a sparse series
    whose MAD is 0, scored with the mean absolute deviation instead.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest

from conftest import BuiltWarehouse, build_world, event, rate

MAD_TO_SIGMA = 1.4826
MEAN_ABSOLUTE_DEVIATION_TO_SIGMA = 1.2533
JANUARY = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(31)]


def search_cost(day: date) -> int:
    if day == date(2026, 1, 30):
        return 100
    return 11 if day.day % 2 == 0 else 9


def reports_cost(day: date) -> int:
    return 2 if day.day in (3, 10, 17, 24, 31) else 0


CALLS = [
    event(f"search-{day.isoformat()}", occurred_at=f"{day.isoformat()}T12:00:00Z", feature="search",
          customer_id="cust_a", input_tokens=search_cost(day) * 1_000, output_tokens=0)
    for day in JANUARY
] + [
    event(f"reports-{day.isoformat()}", occurred_at=f"{day.isoformat()}T09:00:00Z", feature="reports",
          customer_id="cust_b", input_tokens=reports_cost(day) * 1_000, output_tokens=0)
    for day in JANUARY if reports_cost(day)
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_world(
        tmp_path_factory.mktemp("anomalies"),
        usage={"calls.jsonl": CALLS},
        rate_card_rows=[rate("openai", "gpt-4o", input_usd_per_mtok="1000", output_usd_per_mtok="0")],
        command=(
            "build",
            "--select",
            "+mart_cost_anomalies",
            "+int_daily_cost_anomaly_scores_sql",
            "--indirect-selection",
            "cautious",
        ),
    )


def anomaly(warehouse: BuiltWarehouse, dimension: str, value: str, day: str) -> dict:
    found = warehouse.dicts(
        "select * from marts.mart_cost_anomalies where dimension = ? and dimension_value = ? and cost_date = ?",
        [dimension, value, day],
    )
    assert len(found) == 1
    return found[0]


def test_the_spike_is_flagged(warehouse) -> None:
    spike = anomaly(warehouse, "feature", "search", "2026-01-30")
    # window Jan 2..29: fourteen $9 days and fourteen $11 days -> median $10, every deviation $1,
    # MAD $1, scale 1.4826 x 1 -> score (100 - 10) / 1.4826
    window = [search_cost(day) for day in JANUARY[1:29]]
    assert statistics.median(window) == 10
    assert spike["expected_usd"] == Decimal("10")
    assert spike["mad_usd"] == 1.0
    assert spike["score"] == pytest.approx(90 / MAD_TO_SIGMA)  # 60.70
    assert (spike["excess_usd"], spike["is_anomaly"]) == (Decimal("90"), True)
    # the same day for the customer behind it
    assert anomaly(warehouse, "customer_id", "cust_a", "2026-01-30")["is_anomaly"] is True
    flagged = warehouse.rows(
        "select dimension, dimension_value, cost_date from marts.mart_cost_anomalies where is_anomaly order by 1"
    )
    assert flagged == [("customer_id", "cust_a", date(2026, 1, 30)), ("feature", "search", date(2026, 1, 30))]


def test_a_normal_day_after_the_spike_is_not(warehouse) -> None:
    normal = anomaly(warehouse, "feature", "search", "2026-01-31")
    # window Jan 3..30: fourteen $9, thirteen $11 and the $100 spike; the median is still $10
    # ((9 + 11) / 2, the 14th and 15th values) and the MAD still $1: the spike barely moves them
    window = [search_cost(day) for day in JANUARY[2:30]]
    assert statistics.median(window) == 10
    assert statistics.median(abs(cost - 10) for cost in window) == 1
    assert normal["cost_usd"] == Decimal("9")
    assert normal["score"] == pytest.approx((9 - 10) / MAD_TO_SIGMA)  # -0.67
    assert normal["is_anomaly"] is False


def test_a_sparse_series_uses_the_mean_absolute_deviation(warehouse) -> None:
    day = anomaly(warehouse, "feature", "reports", "2026-01-31")
    # window Jan 3..30 (the series starts Jan 3): $2 on 4 days, $0 on 24 -> median 0 and MAD 0;
    # mean absolute deviation 4 x 2 / 28; score 2 / (1.2533 x 8 / 28)
    assert (day["expected_usd"], day["mad_usd"], day["history_days"]) == (Decimal("0"), 0.0, 28)
    assert day["score"] == pytest.approx(2 / (MEAN_ABSOLUTE_DEVIATION_TO_SIGMA * 8 / 28))  # 5.59
    # above the 3.5 threshold, but $2 over the expected cost is below anomaly_min_excess_usd ($5)
    assert day["is_anomaly"] is False


def test_no_score_without_three_weeks_of_history(warehouse) -> None:
    # anomaly_min_history_days = 21: three of each weekday before a day is judged
    assert anomaly(warehouse, "feature", "search", "2026-01-21")["history_days"] == 20
    assert anomaly(warehouse, "feature", "search", "2026-01-21")["score"] is None
    first = anomaly(warehouse, "feature", "search", "2026-01-22")
    # window Jan 1..21: eleven $9 days and ten $11 days -> median $9, deviations 0 (x11) and 2 (x10):
    # MAD 0, so the scale is 1.2533 x the mean absolute deviation 20 / 21; Jan 22 costs $11
    window = [search_cost(day) for day in JANUARY[0:21]]
    assert (statistics.median(window), statistics.median(abs(cost - 9) for cost in window)) == (9, 0)
    assert first["score"] == pytest.approx((11 - 9) / (MEAN_ABSOLUTE_DEVIATION_TO_SIGMA * 20 / 21))  # 1.68


def test_the_series_is_dense_from_its_first_day(warehouse) -> None:
    # search: Jan 1..31; reports: Jan 3..31, $0 on the days without calls
    counts = warehouse.rows(
        "select dimension_value, count(*), sum(cost_usd) from marts.mart_cost_anomalies"
        " where dimension = 'feature' group by 1 order by 1"
    )
    assert counts == [("reports", 29, Decimal("10")), ("search", 31, Decimal(sum(map(search_cost, JANUARY))))]


def test_python_and_sql_models_agree(warehouse) -> None:
    assert warehouse.scalar("select distinct scored_by from marts.mart_cost_anomalies") == "python"
    compared = warehouse.rows(
        """
        select count(*),
               count(*) filter (where (py.score is null) <> (sql.score is null)),
               max(abs(py.score - sql.score)),
               max(abs(py.expected_usd - sql.expected_usd)),
               max(abs(py.mad_usd - sql.mad_usd)),
               count(*) filter (where py.history_days <> sql.history_days)
        from intermediate.int_daily_cost_anomaly_scores_py as py
        full outer join intermediate.int_daily_cost_anomaly_scores_sql as sql
            using (cost_date, dimension, dimension_value)
        """
    )[0]
    rows, null_mismatches, score_gap, expected_gap, mad_gap, history_mismatches = compared
    assert rows == 2 * (31 + 29)  # feature and customer_id series
    assert (null_mismatches, history_mismatches) == (0, 0)
    assert max(score_gap, expected_gap, mad_gap) < 1e-9
