"""Budgets and anomalies: will each scope stay within budget, and which days spiked?"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui

QUESTION = "**Will each team, feature and customer stay within budget, and what spiked?**"

STATUS_SCALE = alt.Scale(domain=list(ui.STATUS_COLOURS), range=list(ui.STATUS_COLOURS.values()))


def pick_budget_month(span: queries.DataSpan) -> date:
    months = queries.budget_months()
    ordered = sorted(months, reverse=True)
    default = ordered.index(span.current_month) if span.current_month in ordered else 0
    return ui.month_picker(months, label="Budget month", key="budgets-month", default_index=default)


def budget_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Actual as a bar coloured by status, the budget as a black tick, the forecast as a diamond."""
    order = list(frame.sort_values("actual_usd", ascending=False)["scope"])
    base = alt.Chart(frame).encode(y=alt.Y("scope:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)))
    tooltip = [
        alt.Tooltip("scope:N", title="Scope"),
        alt.Tooltip("budget_usd:Q", title="Budget", format="$,.2f"),
        alt.Tooltip("actual_usd:Q", title="Actual", format="$,.2f"),
        alt.Tooltip("forecast_usd:Q", title="Forecast", format="$,.2f"),
        alt.Tooltip("status:N", title="Status"),
    ]
    actual = base.mark_bar(height=16).encode(
        x=alt.X("actual_usd:Q", title="USD", axis=alt.Axis(format="$,.0f")),
        color=alt.Color("status:N", scale=STATUS_SCALE, title="Status"),
        tooltip=tooltip,
    )
    budget = base.mark_tick(color="black", thickness=3, size=26).encode(x="budget_usd:Q", tooltip=tooltip)
    forecast = base.mark_point(shape="diamond", filled=True, size=90, color="#555555").encode(
        x="forecast_usd:Q", tooltip=tooltip
    )
    return (actual + budget + forecast).properties(height=min(30 * len(frame) + 50, 600))


def budgets(span: queries.DataSpan) -> None:
    with ui.section("Budget against actual"):
        month = pick_budget_month(span)
        frame = queries.budgets(month)
        if frame.empty:
            st.info("No budget for this month.")
            return
        frame = frame.assign(scope=frame["scope_type"] + ": " + frame["scope_value"])
        for column in ("budget_usd", "actual_usd", "forecast_usd"):
            frame[column] = frame[column].astype(float)
        counts = frame["status"].value_counts()
        forecast_over = int((frame["forecast_status"] == "over").sum())
        first, second, third, fourth = st.columns(4)
        first.metric("Budgets", f"{len(frame)}", border=True)
        second.metric("Over budget", f"{int(counts.get('over', 0))}", border=True)
        third.metric("At warning", f"{int(counts.get('warning', 0))}", border=True)
        fourth.metric(
            "Forecast to end over", f"{forecast_over}", border=True, help="Month-end forecast above the budget."
        )
        state = frame["month_state"].iloc[0] if "month_state" in frame else ""
        if "as_of_date" in frame:
            st.caption(f"Actuals as of {ui.day_label(frame['as_of_date'].iloc[0])} ({state} month).")
        ui.chart_and_table(
            budget_chart(frame),
            frame,
            {
                "scope_type": "Scope",
                "scope_value": "Name",
                "budget_usd": ui.money_column("Budget"),
                "actual_usd": ui.money_column("Actual"),
                "pct_of_budget": st.column_config.NumberColumn("% of budget", format="%.0f%%"),
                "forecast_usd": ui.money_column("Forecast"),
                "forecast_pct_of_budget": st.column_config.NumberColumn("Forecast % of budget", format="%.0f%%"),
                "status": "Status",
                "forecast_status": "Forecast status",
            },
        )
        st.caption("Bar: actual (colour = status). Black tick: budget. Diamond: month-end forecast.")


def band(series: pd.DataFrame) -> pd.DataFrame:
    """Expected ± threshold × scale per day; the scale is the mart's when it carries one, else
    1.4826 × MAD (the detector's own scale when the MAD is not zero)."""
    frame = series.copy()
    for column in ("cost_usd", "expected_usd", "mad_usd"):
        frame[column] = frame[column].astype(float)
    if "scale_usd" in frame:
        scale = frame["scale_usd"].astype(float)
    else:
        scale = queries.MAD_TO_SIGMA * frame["mad_usd"]
    frame["lower_usd"] = (frame["expected_usd"] - queries.ANOMALY_THRESHOLD * scale).clip(lower=0)
    frame["upper_usd"] = frame["expected_usd"] + queries.ANOMALY_THRESHOLD * scale
    frame["is_anomaly"] = frame["is_anomaly"].astype(bool)
    return frame


def anomalies() -> None:
    with ui.section("Cost spikes"):
        flagged = queries.anomalies()
        st.metric("Days flagged as anomalies", f"{len(flagged)}")
        if flagged.empty:
            st.success("No day's cost stood out from its trailing 28 days.")
            return
        ui.table(
            flagged,
            {
                "cost_date": st.column_config.DateColumn("Day"),
                "dimension": "Dimension",
                "dimension_value": "Value",
                "cost_usd": ui.money_column("Cost"),
                "expected_usd": ui.money_column("Expected"),
                "excess_usd": ui.money_column("Excess"),
                "score": st.column_config.NumberColumn("Robust z-score", format="%.1f"),
            },
            height=None if len(flagged) <= 8 else 320,
        )
        options = list(dict.fromkeys(zip(flagged["dimension"], flagged["dimension_value"], strict=True)))
        dimension, value = st.selectbox(
            "Show the daily cost of",
            options,
            format_func=lambda pair: f"{pair[0]} = {pair[1]}",
            key="anomaly-series",
        )
        series = band(queries.anomaly_series(dimension, value))
        chart = ui.band_chart(
            series,
            day="cost_date",
            actual="cost_usd",
            expected="expected_usd",
            lower="lower_usd",
            upper="upper_usd",
            flag="is_anomaly",
        )
        ui.chart_and_table(
            chart,
            series,
            {
                "cost_date": st.column_config.DateColumn("Day"),
                "cost_usd": ui.money_column("Cost"),
                "expected_usd": ui.money_column("Expected (trailing median)"),
                "lower_usd": ui.money_column("Band low"),
                "upper_usd": ui.money_column("Band high"),
                "score": st.column_config.NumberColumn("Robust z-score", format="%.1f"),
                "is_anomaly": st.column_config.CheckboxColumn("Anomaly"),
            },
        )
        st.caption(
            f"Grey band: expected ± {queries.ANOMALY_THRESHOLD} robust standard deviations of the "
            "trailing 28 days; dashed line: expected (median); red points: flagged days."
        )


def body() -> None:
    span = queries.data_span()
    if span is None:
        st.info("The warehouse holds no priced calls yet.")
        return
    budgets(span)
    anomalies()


ui.run_page(body, title="Budgets and anomalies", question=QUESTION)
