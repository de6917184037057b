"""Customers: unit economics per customer and plan tier; who costs more in AI than they pay."""

from __future__ import annotations

import math
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui
from costapp.filters import add_months

QUESTION = "**Which customers and plans are profitable once AI is paid for?**"

CUSTOMER_COLUMNS = {
    "customer_name": "Name",
    "customer_id": "Customer",
    "plan_tier": "Plan tier",
    "revenue_usd": ui.money_column("Revenue"),
    "ai_cost_usd": ui.money_column(
        "AI cost", help="Product usage, fully loaded: shared pools and invoice differences included."
    ),
    "ai_cogs_ratio": ui.percent_column("AI COGS / revenue"),
    "gross_margin_usd": ui.money_column("Gross margin after AI"),
    "active_users": ui.count_column("Active users"),
    "cost_per_active_user": ui.money_column("Cost per active user", unit=True),
}
BAND_COLOURS = ["#9db4cf", "#4c9a6a", "#a3c46b", "#e0a43a", "#c8553d"]


def pick_month(context: ui.PageContext, history: pd.DataFrame) -> date:
    months = list(pd.to_datetime(history["month"]).dt.date)
    in_period = [month for month in months if month in context.rows.months()] or months
    complete = [m for m in in_period if m < context.span.current_month or context.span.is_current_month_complete]
    default = max(complete or in_period)
    month = ui.month_picker(months, label="Month", name="month", default=default)
    if month == context.span.current_month and not context.span.is_current_month_complete:
        st.caption(
            f"{ui.month_label(month)} is still running (data to {ui.day_label(context.span.last_day)}): its cost "
            "is month to date against a full month of revenue, so its ratios look better than they will be."
        )
    return month


def headline(customers: pd.DataFrame, previous: pd.DataFrame, month: date) -> None:
    def figures(frame: pd.DataFrame) -> tuple[float, float, int]:
        paying = frame[frame["revenue_usd"] > 0]
        over = paying[paying["is_ai_cost_over_revenue"].fillna(False).astype(bool)]
        return float(frame["revenue_usd"].sum()), float(frame["ai_cost_usd"].sum()), len(over)

    revenue, cost, over = figures(customers)
    before = figures(previous) if not previous.empty else (None, None, None)
    label = f"{add_months(month, -1):%B}"
    first, second, third, fourth = st.columns(4)
    ui.metric(
        first,
        "Revenue",
        ui.money(revenue),
        current=revenue,
        previous=before[0],
        previous_label=label,
        cost_up_is_bad=False,
    )
    ui.metric(
        second,
        "AI cost (product)",
        ui.money(cost),
        current=cost,
        previous=before[1],
        previous_label=label,
        help="prod, external usage, fully loaded",
    )
    ratio = cost / revenue if revenue else None
    before_ratio = before[1] / before[0] if before[0] else None
    ui.metric(
        third,
        "AI COGS / revenue",
        ui.percent(ratio),
        current=ratio,
        previous=before_ratio,
        previous_label=label,
        kind="ratio",
    )
    ui.metric(
        fourth,
        "Paying customers costing more in AI",
        f"{over:,}",
        current=over,
        previous=before[2],
        previous_label=label,
        kind="count",
        help="Customers with revenue whose AI cost exceeds it.",
    )


def tiers(context: ui.PageContext, month: date) -> None:
    with ui.section("Per plan tier"):
        frame = queries.tier_economics(context.rows, month)
        if frame.empty:
            st.info("No plan tier figures for this month.")
            return
        bands = queries.cogs_bands()
        band_scale = alt.Scale(
            domain=[*bands["cogs_band"], "no_revenue"], range=[*BAND_COLOURS[: len(bands)], "#8c8c8c"]
        )
        chart = ui.bar_chart(
            frame.fillna({"ai_cogs_ratio": 0.0}),
            category="plan_tier",
            value="ai_cogs_ratio",
            category_title="Plan tier",
            value_title="AI COGS / revenue",
            value_format="%",
            colour="cogs_band",
            colour_scale=band_scale,
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
                "cogs_band": "Band",
                "avg_cost_per_customer": ui.money_column("Average per customer"),
                "p90_cost_per_customer": ui.money_column("90th percentile per customer"),
                "cost_per_active_user": ui.money_column("Cost per active user", unit=True),
                "customers_over_revenue": ui.count_column("Costing more than they pay"),
            },
        )
        st.caption(
            "Bar: AI cost as a share of the tier's revenue, coloured by its band. A tier without revenue "
            "(free) has no ratio and no bar: its cost is in the Numbers tab."
        )


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
            xOffset=alt.XOffset("figure:N"),
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
        .properties(height=260)
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


def log_ticks(low: float, high: float) -> list[float]:
    """1, 2, 5 × powers of ten between low and high: round numbers on a log axis."""
    ticks = []
    power = math.floor(math.log10(low))
    while 10**power <= high * 10:
        ticks += [step * 10**power for step in (1, 2, 5) if low <= step * 10**power <= high]
        power += 1
    return ticks


def scatter(context: ui.PageContext, customers: pd.DataFrame) -> None:
    st.subheader("Revenue against AI cost")
    named = customers[customers["customer_id"] != "unattributed"].copy()
    named["name"] = [context.customer(value) for value in named["customer_id"]]
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
    tiers = sorted(named["plan_tier"].dropna().unique())
    points = (
        alt.Chart(named)
        .mark_circle(size=70, opacity=0.8)
        .encode(
            x=alt.X(
                "revenue_plotted:Q",
                title="Revenue (log scale)",
                scale=scale,
                axis=alt.Axis(format="$,.3~r", values=ticks),
            ),
            y=alt.Y(
                "cost_plotted:Q", title="AI cost (log scale)", scale=scale, axis=alt.Axis(format="$,.3~r", values=ticks)
            ),
            color=alt.Color(
                "plan_tier:N",
                title="Plan tier",
                scale=alt.Scale(domain=tiers, range=[ui.PALETTE[i] for i in (0, 4, 6, 5, 8)][: len(tiers)]),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Customer"),
                alt.Tooltip("plan_tier:N", title="Plan tier"),
                alt.Tooltip("revenue_usd:Q", title="Revenue", format="$,.2f"),
                alt.Tooltip("ai_cost_usd:Q", title="AI cost", format="$,.2f"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"revenue_plotted": [floor, top], "cost_plotted": [floor, top]}))
        .mark_line(strokeDash=[5, 4], color=ui.STATUS_COLOURS["over"])
        .encode(x=alt.X("revenue_plotted:Q", scale=scale), y=alt.Y("cost_plotted:Q", scale=scale))
    )
    ui.chart_and_table((diagonal + points).properties(height=440), named, CUSTOMER_COLUMNS)
    st.caption(
        "Above the dashed line a customer costs more in AI than it pays. Customers with no revenue are "
        f"drawn on the left edge ({ui.unit_money(floor)})."
    )


def over_revenue(context: ui.PageContext, customers: pd.DataFrame) -> None:
    st.subheader("Paying customers whose AI cost exceeds their revenue")
    flagged = customers[customers["is_ai_cost_over_revenue"].fillna(False).astype(bool)]
    paying = flagged[flagged["revenue_usd"] > 0].sort_values("gross_margin_usd")
    if paying.empty:
        st.success("None this month.")
    else:
        ui.table(paying, CUSTOMER_COLUMNS)
    free = customers[(customers["revenue_usd"] <= 0) & (customers["customer_id"] != "unattributed")]
    free = free[free["ai_cost_usd"] > 0].sort_values("ai_cost_usd", ascending=False)
    if not free.empty:
        with st.expander(
            f"{len(free):,} customer{'' if len(free) == 1 else 's'} without revenue this month "
            f"(free tier) cost {ui.money(free['ai_cost_usd'].sum())} in AI"
        ):
            ui.table(free, CUSTOMER_COLUMNS, height=min(38 * len(free) + 40, 400))


def top_spenders(context: ui.PageContext, customers: pd.DataFrame) -> None:
    st.subheader("Top customers by AI cost")
    top = customers[customers["customer_id"] != "unattributed"].head(15).copy()
    top["label"] = [
        f"{context.customer(value)} · {tier}" for value, tier in zip(top["customer_id"], top["plan_tier"], strict=True)
    ]
    chart = ui.bar_chart(top, category="label", value="ai_cost_usd", category_title="Customer", value_title="AI cost")
    ui.chart_and_table(chart, top, CUSTOMER_COLUMNS)
    if not top.empty:
        picked = st.selectbox(
            "Open one customer", list(top["customer_id"]), format_func=context.customer, key="customers-open"
        )
        ui.link("customer", f"{context.customer(picked)}: its page", icon=":material/person:", id=picked)


def body(context: ui.PageContext) -> None:
    history = queries.customer_history(context.rows)
    if history.empty:
        st.info("No customer figures for these filters.")
        return
    month = pick_month(context, history)
    customers = queries.customer_economics(context.rows, month)
    previous = queries.customer_economics(context.rows, add_months(month, -1))
    if customers.empty:
        st.info("No customer figures for this month.")
        return
    headline(customers, previous, month)
    filtered = ui.filters_caption(context)
    ui.basis_caption("product", filtered + "." if filtered else "")
    tiers(context, month)
    trend(context, history)
    scatter(context, customers)
    over_revenue(context, customers)
    top_spenders(context, customers)


ui.run_page(body, title="Customers", question=QUESTION)
