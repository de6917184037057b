"""Customers: unit economics per customer and plan tier; who costs more in AI than they pay."""

from __future__ import annotations

import math
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui

QUESTION = "**Which customers and plans are profitable once AI is paid for?**"

CUSTOMER_COLUMNS = {
    "customer_id": "Customer",
    "customer_name": "Name",
    "plan_tier": "Plan tier",
    "revenue_usd": ui.money_column("Revenue"),
    "ai_cost_usd": ui.money_column("AI cost", help="Product usage, shared pools and invoice differences."),
    "ai_cogs_ratio": ui.percent_column("AI COGS / revenue"),
    "gross_margin_usd": ui.money_column("Gross margin after AI"),
    "active_users": ui.count_column("Active users"),
    "cost_per_active_user": ui.money_column("Cost per active user", unit=True),
}


def pick_month(span: queries.DataSpan) -> date:
    months = queries.customer_months()
    complete = [month for month in months if month < span.current_month]
    default = sorted(months, reverse=True).index(complete[-1]) if complete else 0
    month = ui.month_picker(months, label="Month", key="customers-month", default_index=default)
    if month == span.current_month:
        st.caption(
            f"{ui.month_label(month)} is still running (data to {ui.day_label(span.last_day)}): "
            "its cost is month to date against a full month of revenue."
        )
    return month


def headline(customers: pd.DataFrame) -> None:
    revenue = float(customers["revenue_usd"].sum())
    cost = float(customers["ai_cost_usd"].sum())
    over = customers[customers["is_ai_cost_over_revenue"].fillna(False).astype(bool)]
    paying_over = over[over["revenue_usd"].astype(float) > 0]
    unpaid = over[over["revenue_usd"].astype(float) <= 0]
    first, second, third, fourth = st.columns(4)
    first.metric("Revenue", ui.money(revenue), border=True)
    second.metric("AI cost (product)", ui.money(cost), border=True, help="prod, external usage, fully loaded")
    third.metric("AI COGS / revenue", ui.percent(cost / revenue if revenue else None), border=True)
    fourth.metric(
        "Paying customers costing more in AI",
        f"{len(paying_over):,}",
        help="Customers with revenue whose AI cost exceeds it.",
        border=True,
    )
    if not unpaid.empty:
        st.caption(
            f"Besides them, {len(unpaid):,} customer{'' if len(unpaid) == 1 else 's'} without revenue "
            "this month (free tier) cost "
            f"{ui.money(unpaid['ai_cost_usd'].astype(float).sum())} in AI."
        )


def tiers(month: date) -> None:
    with ui.section("Per plan tier"):
        frame = queries.tier_economics(month)
        chart = ui.bar_chart(
            frame,
            category="plan_tier",
            value="ai_cost_usd",
            category_title="Plan tier",
            value_title="AI cost",
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "plan_tier": "Plan tier",
                "customers": ui.count_column("Customers"),
                "revenue_usd": ui.money_column("Revenue"),
                "ai_cost_usd": ui.money_column("AI cost"),
                "ai_cogs_ratio": ui.percent_column("AI COGS / revenue"),
                "avg_cost_per_customer": ui.money_column("Average per customer"),
                "p90_cost_per_customer": ui.money_column("90th percentile per customer"),
                "cost_per_active_user": ui.money_column("Cost per active user", unit=True),
                "customers_over_revenue": ui.count_column("Costing more than they pay"),
            },
        )


def log_ticks(low: float, high: float) -> list[float]:
    """1, 2, 5 × powers of ten between low and high: round numbers on a log axis."""
    ticks = []
    power = math.floor(math.log10(low))
    while 10**power <= high * 10:
        ticks += [step * 10**power for step in (1, 2, 5) if low <= step * 10**power <= high]
        power += 1
    return ticks


def scatter(customers: pd.DataFrame) -> None:
    st.subheader("Revenue against AI cost")
    named = customers[customers["customer_id"] != "unattributed"].copy()
    named["revenue_usd"] = named["revenue_usd"].astype(float)
    named["ai_cost_usd"] = named["ai_cost_usd"].astype(float)
    positive = pd.concat([named["revenue_usd"], named["ai_cost_usd"]])
    positive = positive[positive > 0]
    if positive.empty:
        st.info("No revenue and no AI cost this month.")
        return
    # Log axes: a 10x customer is as far from a 1x one as a 100x from a 10x. Zero (no revenue,
    # no cost) has no place on a log axis: it is drawn on the floor, one decade under the smallest.
    floor = 10 ** math.floor(math.log10(float(positive.min())) - 1)
    top = float(positive.max()) * 1.5
    named["revenue_plotted"] = named["revenue_usd"].clip(lower=floor)
    named["cost_plotted"] = named["ai_cost_usd"].clip(lower=floor)
    scale = alt.Scale(type="log", domain=[floor, top])
    ticks = log_ticks(floor, top)
    points = (
        alt.Chart(named)
        .mark_circle(size=70, opacity=0.75)
        .encode(
            x=alt.X("revenue_plotted:Q", title="Revenue (log scale)", scale=scale,
                    axis=alt.Axis(format="$,.3~r", values=ticks)),
            y=alt.Y("cost_plotted:Q", title="AI cost (log scale)", scale=scale,
                    axis=alt.Axis(format="$,.3~r", values=ticks)),
            color=alt.Color("plan_tier:N", title="Plan tier"),
            tooltip=[
                alt.Tooltip("customer_id:N", title="Customer"),
                alt.Tooltip("customer_name:N", title="Name"),
                alt.Tooltip("plan_tier:N", title="Plan tier"),
                alt.Tooltip("revenue_usd:Q", title="Revenue", format="$,.2f"),
                alt.Tooltip("ai_cost_usd:Q", title="AI cost", format="$,.2f"),
            ],
        )
    )  # fmt: skip
    diagonal = (
        alt.Chart(pd.DataFrame({"revenue_plotted": [floor, top], "cost_plotted": [floor, top]}))
        .mark_line(strokeDash=[5, 4], color="#c8553d")
        .encode(x=alt.X("revenue_plotted:Q", scale=scale), y=alt.Y("cost_plotted:Q", scale=scale))
    )
    ui.chart_and_table((diagonal + points).properties(height=440), named, CUSTOMER_COLUMNS)
    st.caption(
        "Above the dashed line a customer costs more in AI than it pays. Customers with no revenue "
        f"are drawn on the left edge ({ui.unit_money(floor)})."
    )


def over_revenue(customers: pd.DataFrame) -> None:
    st.subheader("Customers whose AI cost exceeds their revenue")
    over = customers[customers["is_ai_cost_over_revenue"].fillna(False).astype(bool)]
    if over.empty:
        st.success("None this month.")
        return
    ui.table(over.sort_values("gross_margin_usd"), CUSTOMER_COLUMNS)


def top_spenders(customers: pd.DataFrame) -> None:
    st.subheader("Top customers by AI cost")
    top = customers[customers["customer_id"] != "unattributed"].head(15).copy()
    top["label"] = top["customer_name"].fillna(top["customer_id"]) + " (" + top["plan_tier"] + ")"
    chart = ui.bar_chart(top, category="label", value="ai_cost_usd", category_title="Customer", value_title="AI cost")
    ui.chart_and_table(chart, top, CUSTOMER_COLUMNS)


def body() -> None:
    span = queries.data_span()
    if span is None:
        st.info("The warehouse holds no priced calls yet.")
        return
    with ui.section():
        month = pick_month(span)
        customers = queries.customer_economics(month)
        if customers.empty:
            st.info("No customer figures for this month.")
            return
        headline(customers)
        tiers(month)
        scatter(customers)
        left, right = st.columns(2)
        with left:
            over_revenue(customers)
        with right:
            top_spenders(customers)


ui.run_page(body, title="Customers", question=QUESTION)
