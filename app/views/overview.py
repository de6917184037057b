"""Overview: how much, how fast is it growing, and is it under control?"""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui

QUESTION = "**How much do we spend on AI, how fast is it growing, and is it under control?**"


def headline() -> queries.DataSpan | None:
    span = queries.data_span()
    if span is None:
        st.info("The warehouse holds no priced calls yet: nothing to show.")
        return None
    totals = queries.monthly_totals().set_index("month")["cost_usd"].astype(float)
    month_to_date = float(totals.get(span.current_month, 0.0))
    last_month = totals.get(span.previous_month)
    forecast = month_to_date / span.days_elapsed * span.days_in_month
    growth = forecast / float(last_month) - 1 if last_month else None

    source = (
        "all costs in the ledger: usage after discounts and cache pooling, shared pools and invoice differences"
        if queries.uses_ledger()
        else "billed usage (after discounts and cache pooling); shared pools and invoice differences "
        "appear once `fct_cost_ledger` is built"
    )
    st.caption(
        f"Data from {ui.day_label(span.first_day)} to **{ui.day_label(span.last_day)}** (the last day "
        f"with calls is treated as today). Totals are {source}."
    )
    first, second, third, fourth = st.columns(4)
    first.metric(
        f"Month to date ({span.current_month:%b} 1–{span.days_elapsed})",
        ui.money(month_to_date),
        border=True,
    )
    second.metric(
        f"Last month ({span.previous_month:%B})",
        ui.money(last_month) if last_month is not None else "—",
        border=True,
    )
    third.metric(
        "Month-over-month growth",
        ui.percent(growth, signed=True) if growth is not None else "—",
        help="Month-end forecast against last month's total.",
        border=True,
    )
    fourth.metric(
        f"Forecast for {span.current_month:%B}",
        ui.money(forecast),
        help=f"Month to date ÷ {span.days_elapsed} elapsed days × {span.days_in_month} days.",
        border=True,
    )
    return span


def daily_trend(span: queries.DataSpan) -> None:
    with ui.section("Daily cost by feature"):
        since = max(span.first_day, span.last_day - timedelta(days=89))
        daily = queries.daily_cost_by_feature(since)
        daily["cost_usd"] = daily["cost_usd"].astype(float)
        chart = ui.stacked_trend(
            daily,
            period="usage_date",
            value="cost_usd",
            series="feature",
            series_title="Feature",
            value_title="Cost per day",
        )
        pivot = daily.pivot_table(index="usage_date", columns="feature", values="cost_usd", aggfunc="sum")
        pivot = pivot.fillna(0.0).sort_index(ascending=False).reset_index()
        pivot.insert(1, "total", pivot.drop(columns="usage_date").sum(axis=1))
        config = {"usage_date": st.column_config.DateColumn("Day")}
        config |= {column: ui.money_column(column) for column in pivot.columns if column != "usage_date"}
        ui.chart_and_table(chart, pivot, config)
        st.caption("Usage per call after discounts and cache pooling; shared pools are booked monthly.")


def cogs(span: queries.DataSpan) -> None:
    with ui.section("AI COGS as a share of revenue"):
        frame = queries.monthly_cogs()
        frame = frame[pd.to_datetime(frame["month"]).dt.date < span.current_month]
        if frame.empty:
            st.info("No complete month with revenue yet.")
            return
        latest = frame.iloc[-1]
        ratio = float(latest["ai_cogs_ratio"]) if pd.notna(latest["ai_cogs_ratio"]) else None
        band = queries.cogs_band(ratio)
        left, right = st.columns([1, 2])
        left.metric(
            f"AI COGS / revenue ({ui.month_label(latest['month'])})",
            ui.percent(ratio),
            help="Production, external AI cost of every customer ÷ their revenue (last complete month).",
            border=True,
        )
        left.markdown(f"Band: **{band}**")
        bands = pd.DataFrame(
            [
                {"band": name, "low": low, "high": high, "colour": colour}
                for name, low, high, colour in queries.COGS_BANDS
            ]
        )
        scale_top = max(0.5, (ratio or 0) * 1.1)
        bands.loc[bands.index[-1], "high"] = scale_top
        band_bar = (
            alt.Chart(bands)
            .mark_bar(height=28)
            .encode(
                x=alt.X("low:Q", title="AI COGS / revenue", axis=alt.Axis(format="%"),
                        scale=alt.Scale(domain=[0, scale_top])),
                x2="high:Q",
                color=alt.Color("band:N", scale=alt.Scale(domain=list(bands["band"]), range=list(bands["colour"])),
                                legend=alt.Legend(orient="bottom", title=None)),
                tooltip=["band:N", alt.Tooltip("low:Q", format=".0%"), alt.Tooltip("high:Q", format=".0%")],
            )
        )  # fmt: skip
        marker = (
            alt.Chart(pd.DataFrame({"ratio": [ratio or 0.0]}))
            .mark_tick(color="black", thickness=3, size=44)
            .encode(x="ratio:Q", tooltip=[alt.Tooltip("ratio:Q", title="This month", format=".1%")])
        )
        history = frame.assign(band=[queries.cogs_band(value) for value in frame["ai_cogs_ratio"]])
        config = {
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            "ai_cost_usd": ui.money_column("AI cost"),
            "revenue_usd": ui.money_column("Revenue"),
            "ai_cogs_ratio": ui.percent_column("AI COGS / revenue"),
            "band": st.column_config.TextColumn("Band"),
        }
        with right:
            ui.chart_and_table((band_bar + marker).properties(height=90), history, config)
        st.caption(
            "Bands, as in the unit-economics marts: under 3 %, 3–8 % disciplined, 8–20 % typical, "
            "20–40 % attribution gaps (cost likely missing somewhere), over 40 % out of control."
        )


def coverage(span: queries.DataSpan) -> None:
    with ui.section("Attribution coverage"):
        frame = queries.attribution_coverage(span.current_month)
        if frame.empty:
            st.info("No coverage figures for this month.")
            return
        frame = frame.assign(
            label=frame["dimension"] + " (" + frame["scope"] + ")",
            coverage_share=frame["coverage_share"].astype(float),
        )
        worst = frame.sort_values("coverage_share").iloc[0]
        st.caption(
            f"Lowest this month: **{worst['dimension']}** ({worst['scope']} usage), "
            f"{ui.percent(worst['coverage_share'])} of its cost attributed."
        )
        chart = ui.bar_chart(
            frame,
            category="label",
            value="coverage_share",
            category_title="Dimension (scope)",
            value_title="Share of usage cost attributed",
            value_format="%",
            colour="coverage_status",
            colour_scale=alt.Scale(
                domain=["ok", "warn", "error"],
                range=[ui.STATUS_COLOURS["ok"], ui.STATUS_COLOURS["warning"], ui.STATUS_COLOURS["over"]],
            ),
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "dimension": "Dimension",
                "scope": "Scope",
                "coverage_share": ui.percent_column("Attributed"),
                "unattributed_cost_usd": ui.money_column("Unattributed cost"),
                "coverage_status": "Status",
                "top_untagged_sources": "Top untagged sources",
            },
        )


def alerts(span: queries.DataSpan) -> None:
    left, right = st.columns(2)
    with left, ui.section("Open budget warnings"):
        budget = queries.budget_alerts(span.current_month)
        st.metric(f"Budgets at warning or over ({span.current_month:%B})", f"{len(budget)}")
        if not budget.empty:
            ui.table(
                budget,
                {
                    "scope_type": "Scope",
                    "scope_value": "Name",
                    "budget_usd": ui.money_column("Budget"),
                    "actual_usd": ui.money_column("Actual"),
                    "forecast_usd": ui.money_column("Forecast"),
                    "status": "Status",
                },
            )
    with right, ui.section("Anomalies in the last 7 days"):
        anomalies = queries.recent_anomalies(span.last_day - timedelta(days=6))
        st.metric("Cost spikes flagged", f"{len(anomalies)}")
        if not anomalies.empty:
            ui.table(
                anomalies,
                {
                    "cost_date": st.column_config.DateColumn("Day"),
                    "dimension": "Dimension",
                    "dimension_value": "Value",
                    "cost_usd": ui.money_column("Cost"),
                    "expected_usd": ui.money_column("Expected"),
                    "score": st.column_config.NumberColumn("Score", format="%.1f"),
                },
            )


def body() -> None:
    span = headline()
    if span is None:
        return
    daily_trend(span)
    cogs(span)
    coverage(span)
    alerts(span)


ui.run_page(body, title="Overview", question=QUESTION)
