"""One customer: its cost trend, features, margin, budgets and costliest traces."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, state, ui
from costapp.filters import add_months

QUESTION = "**What does this customer cost us, on what, and do they pay for it?**"


def pick_customer(context: ui.PageContext) -> str | None:
    options = [value for value in context.domain("customer_id") if value not in ("unattributed", "unallocated")]
    if not options:
        return None
    chosen = context.rows.active_filters().get("customer_id")
    default = chosen[0] if chosen and chosen[0] in options else None
    if default is None:
        ranked = queries.product_cost_by(
            context.rows.scope_only().with_period(context.rows.start, context.rows.end), "customer_id"
        )
        ranked = ranked[ranked["value"].isin(options)]
        default = ranked.groupby("value")["ai_cost_usd"].sum().idxmax() if not ranked.empty else options[0]
    key = state.bind("id", default=default, parse=state.parse_one, dump=state.dump_one, valid=state.one_of(options))
    return st.selectbox("Customer", options, format_func=context.customer, key=key)


def month_end(month: date) -> date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


def headline(context: ui.PageContext, history: pd.DataFrame) -> date | None:
    months = list(history["month"])
    in_period = [month for month in months if month in context.rows.months()] or months
    complete = [m for m in in_period if m < context.span.current_month or context.span.is_current_month_complete]
    month = ui.month_picker(months, label="Month", name="month", default=max(complete or in_period))
    row = history[history["month"] == month].iloc[0]
    before = history[history["month"] == add_months(month, -1)]
    previous = before.iloc[0] if not before.empty else None
    label = f"{add_months(month, -1):%B}"
    first, second, third, fourth = st.columns(4)
    ui.metric(
        first,
        "AI cost (product)",
        ui.money(row["ai_cost_usd"]),
        current=row["ai_cost_usd"],
        previous=None if previous is None else previous["ai_cost_usd"],
        previous_label=label,
        help="prod, external usage, fully loaded",
    )
    ui.metric(
        second,
        "Revenue",
        ui.money(row["revenue_usd"]),
        current=row["revenue_usd"],
        previous=None if previous is None else previous["revenue_usd"],
        previous_label=label,
        cost_up_is_bad=False,
    )
    margin = float(row["revenue_usd"]) - float(row["ai_cost_usd"])
    previous_margin = None if previous is None else float(previous["revenue_usd"]) - float(previous["ai_cost_usd"])
    ui.metric(
        third,
        "Gross margin after AI",
        ui.money(margin),
        current=margin,
        previous=previous_margin,
        previous_label=label,
        cost_up_is_bad=False,
    )
    band = row["band_label"] if pd.notna(row["band_label"]) else "no revenue"
    ui.metric(
        fourth,
        f"AI COGS / revenue ({band})",
        ui.percent(row["ai_cogs_ratio"]),
        current=row["ai_cogs_ratio"],
        previous=None if previous is None else previous["ai_cogs_ratio"],
        previous_label=label,
        kind="ratio",
    )
    if month == context.span.current_month and not context.span.is_current_month_complete:
        st.caption(f"{ui.month_label(month)} is still running: month-to-date cost against a whole month's revenue.")
    return month


def trend(context: ui.PageContext, history: pd.DataFrame) -> None:
    st.subheader("Revenue and AI cost by month")
    long = history.melt(
        id_vars=["month"], value_vars=["revenue_usd", "ai_cost_usd"], var_name="figure", value_name="usd"
    )
    long["figure"] = long["figure"].map({"revenue_usd": "Revenue", "ai_cost_usd": "AI cost (product)"})
    long = ui.period_axis(
        long, period="month", grain="Month", first_day=context.span.first_day, last_day=context.span.last_day
    )
    labels = list(dict.fromkeys(long.sort_values("month")["period_label"]))
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("period_label:O", sort=labels, title="Month", axis=alt.Axis(labelAngle=0)),
            xOffset="figure:N",
            y=alt.Y("usd:Q", title="USD", axis=alt.Axis(format=ui.MONEY_AXIS_FORMAT_SHORT)),
            color=alt.Color(
                "figure:N",
                title=None,
                scale=alt.Scale(range=[ui.PALETTE[0], ui.PALETTE[1]]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("period_label:N", title="Month"),
                alt.Tooltip("figure:N", title="Figure"),
                alt.Tooltip("usd:Q", title="USD", format=ui.MONEY_AXIS_FORMAT),
            ],
        )
        .properties(height=240)
    )
    ui.chart_and_table(
        chart,
        history,
        {
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            "revenue_usd": ui.money_column("Revenue"),
            "ai_cost_usd": ui.money_column("AI cost"),
            "ai_cogs_ratio": ui.percent_column("AI COGS / revenue"),
            "band_label": "Band",
        },
    )
    ui.partial_caption(long, context.span.first_day, context.span.last_day)


def features(context: ui.PageContext, rows, month: date) -> None:
    with ui.section(f"Features, {ui.month_label(month)}"):
        frame = queries.product_cost_by(rows.with_period(month, month_end(month)), "feature")
        if frame.empty:
            st.info("No product usage this month.")
            return
        domain = context.domain("feature")
        chart = ui.bar_chart(
            frame,
            category="value",
            value="ai_cost_usd",
            category_title="Feature",
            value_title="AI cost (product, fully loaded)",
            colour="value",
            colour_scale=ui.colour_scale(list(frame["value"]), domain),
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "value": "Feature",
                "ai_cost_usd": ui.money_column("AI cost"),
                "usage_cost_usd": ui.money_column("Usage only"),
                "shared_and_invoice_usd": ui.money_column("Shared pools and invoice"),
                "calls": ui.count_column("Calls"),
            },
        )


def daily(context: ui.PageContext, rows) -> None:
    with ui.section(f"Daily usage cost, {ui.period_label(rows.start, rows.end)}"):
        frame = queries.daily_usage_cost(rows, by="feature").rename(columns={"usage_date": "period_start"})
        if frame.empty:
            st.info("No calls in this period.")
            return
        chart = ui.stacked_trend(
            frame,
            value="cost_usd",
            series="value",
            series_title="Feature",
            value_title="Usage cost per day",
            domain=context.domain("feature"),
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "period_start": st.column_config.DateColumn("Day"),
                "value": "Feature",
                "cost_usd": ui.money_column("Usage cost"),
            },
        )
        ui.basis_caption("usage")


def budgets(context: ui.PageContext, customer: str, month: date) -> None:
    with ui.section("Budgets"):
        frame = queries.budgets(context.rows.scope_only().with_filters(customer_id=[customer]), month)
        if frame.empty:
            st.caption(f"No budget for this customer in {ui.month_label(month)}.")
            return
        ui.table(
            frame,
            {
                "budget_month": st.column_config.DateColumn("Month", format="MMM YYYY"),
                "budget_usd": ui.money_column("Budget"),
                "actual_usd": ui.money_column("Actual"),
                "forecast_usd": ui.money_column("Forecast"),
                "status": "Status",
                "forecast_status": "Forecast status",
                "cost_basis": "Cost basis",
            },
        )
        ui.link(
            "budgets",
            "This budget in Budgets",
            icon=":material/arrow_forward:",
            month=month.isoformat(),
            scope_type=frame["scope_type"].iloc[0],
            scope_value=customer,
        )


def top_traces(context: ui.PageContext, rows, customer: str) -> None:
    with ui.section(f"Costliest traces, {ui.period_label(rows.start, rows.end)}"):
        frame = queries.traces(rows, limit=15)
        if frame.empty:
            st.info("No traces in this period.")
            return
        ui.table(
            frame,
            {
                "trace_id": "Trace",
                "started_at": st.column_config.DatetimeColumn("Started"),
                "feature": "Feature",
                "agent": "Agent",
                "calls": ui.count_column("Calls"),
                "models_used": ui.count_column("Models"),
                "cost_usd": ui.money_column("Usage cost"),
                "overhead_cost_usd": ui.money_column("Routing, evaluation and tools"),
            },
        )
        ui.link("calls", "All the traces and calls of this customer", icon=":material/list:", customer=[customer])
        ui.link(
            "explore",
            "This customer in Explore",
            icon=":material/query_stats:",
            customer=[customer],
            dimension="feature",
        )


def body(context: ui.PageContext) -> None:
    customer = pick_customer(context)
    if customer is None:
        st.info("No customer in your rows.")
        return
    rows = context.rows.with_filters(customer_id=[customer])
    month = None
    with ui.section():
        history = queries.customer_history(rows)
        if history.empty:
            st.info("No unit economics for this customer (no product usage and no revenue).")
        else:
            history["month"] = pd.to_datetime(history["month"]).dt.date
            month = headline(context, history)
            trend(context, history)
    month = month or context.rows.last_month
    left, right = st.columns(2)
    with left:
        features(context, rows, month)
    with right:
        budgets(context, customer, month)
    daily(context, rows)
    top_traces(context, rows, customer)
    ui.basis_caption("product", "Figures per month; the traces are usage cost (per call).")


ui.run_page(body, title="One customer", question=QUESTION)
