"""Allocation and reconciliation: from list price to invoice, every shared pool and how it was
split, the unallocated amount, and each provider's invoice against what we computed."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui

QUESTION = "**Does every dollar on the invoices land somewhere, and how was the shared cost split?**"

ALL_MONTHS = "All months"


def pick_month() -> date | None:
    months = queries.ledger_months()
    options: list[object] = [ALL_MONTHS, *sorted(months, reverse=True)]
    chosen = st.selectbox(
        "Period",
        options,
        index=0,
        format_func=lambda value: value if value == ALL_MONTHS else ui.month_label(value),
        key="allocation-month",
    )
    return None if chosen == ALL_MONTHS else chosen


def waterfall_steps(by_type: pd.DataFrame) -> pd.DataFrame:
    """The ledger's cost types in waterfall order, then the total."""
    amounts = dict(zip(by_type["cost_type"], by_type["amount_usd"].astype(float), strict=True))
    # the list price is where the waterfall starts: drawn from zero like the total
    rows = [{"step": label, "amount_usd": amounts.pop(cost_type, 0.0), "is_total": cost_type == "usage"}
            for cost_type, label in queries.LEDGER_STEPS]  # fmt: skip
    rows += [{"step": cost_type, "amount_usd": amount, "is_total": False} for cost_type, amount in amounts.items()]
    total = sum(row["amount_usd"] for row in rows)  # the list price counts once: it is the start
    rows.append({"step": "Total cost", "amount_usd": total, "is_total": True})
    return pd.DataFrame(rows)


def headline_and_waterfall(month: date | None) -> None:
    by_type = queries.ledger_by_cost_type(month)
    steps = waterfall_steps(by_type)
    unallocated = float(by_type["unallocated_usd"].astype(float).sum())
    total = float(steps.iloc[-1]["amount_usd"])
    list_price = float(steps.iloc[0]["amount_usd"])
    first, second, third = st.columns(3)
    first.metric("List price of the usage", ui.money(list_price), border=True)
    second.metric("Total cost in the ledger", ui.money(total), border=True)
    third.metric(
        "Unallocated",
        ui.money(unallocated),
        help="Booked in the ledger but attributable to nobody: a shared pool with nothing in scope, "
        "or invoice differences when they are not spread.",
        border=True,
    )
    st.subheader("From list price to what we pay")
    config = {"step": "Step", "amount_usd": ui.money_column("Amount")}
    ui.chart_and_table(ui.waterfall(steps), steps[["step", "amount_usd"]], config)
    st.caption(
        "List price (rate card) → negotiated discounts → cache pooling (spreads cache savings across "
        "tenants; sums to zero per pool) → shared pools (GPU time, platform fees…) → the difference "
        "between provider invoices and our computation = the total in the ledger."
    )


def pools(month: date | None) -> None:
    st.subheader("Shared pools and how they were split")
    frame = queries.shared_pools(month)
    if frame.empty:
        st.info("No shared pools in this period.")
        return
    summary = frame.groupby("cost_pool", as_index=False)[["amount_usd", "allocated_usd", "unallocated_usd"]].sum()
    summary = summary.sort_values("amount_usd", ascending=False)
    ui.table(
        summary,
        {
            "cost_pool": "Pool",
            "amount_usd": ui.money_column("Amount"),
            "allocated_usd": ui.money_column("Allocated"),
            "unallocated_usd": ui.money_column("Unallocated"),
        },
    )
    dimension_key = st.selectbox(
        "Split over",
        list(queries.LEDGER_DIMENSIONS),
        index=1,
        format_func=lambda key: queries.DIMENSION_BY_KEY[key].label,
        key="allocation-split",
    )
    split = queries.shared_pool_split(month, dimension_key)
    split["amount_usd"] = split["amount_usd"].astype(float)
    label = queries.DIMENSION_BY_KEY[dimension_key].label
    chart = (
        alt.Chart(split)
        .mark_bar()
        .encode(
            y=alt.Y("cost_pool:N", sort="-x", title="Pool", axis=alt.Axis(labelLimit=260)),
            x=alt.X("sum(amount_usd):Q", title="USD", axis=alt.Axis(format="$,.0f")),
            color=alt.Color("value:N", title=label),
            tooltip=[
                alt.Tooltip("cost_pool:N", title="Pool"),
                alt.Tooltip("value:N", title=label),
                alt.Tooltip("amount_usd:Q", title="Amount", format="$,.2f"),
            ],
        )
        .properties(height=min(40 * split["cost_pool"].nunique() + 60, 420))
    )
    ui.chart_and_table(chart, split, {"cost_pool": "Pool", "value": label, "amount_usd": ui.money_column("Amount")})


def reconciliation(month: date | None) -> None:
    with ui.section("Invoices against our computation"):
        frame = queries.invoice_reconciliation()
        if month is not None:
            frame = frame[pd.to_datetime(frame["invoice_month"]).dt.date == month]
        if frame.empty:
            st.info("No provider invoice for this period.")
            return
        outside = frame[~frame["is_within_tolerance"].astype(bool)]
        first, second = st.columns(2)
        first.metric("Invoice difference", ui.money(frame["difference_usd"].astype(float).sum()), border=True)
        second.metric("Provider-months outside tolerance", f"{len(outside)} of {len(frame)}", border=True)
        ui.table(
            frame.assign(difference_share=frame["difference_pct"].astype(float) / 100),
            {
                "provider": "Provider",
                "invoice_month": st.column_config.DateColumn("Month", format="MMM YYYY"),
                "computed_usd": ui.money_column("Computed"),
                "invoiced_usd": ui.money_column("Invoiced"),
                "difference_usd": ui.money_column("Difference"),
                "difference_share": ui.percent_column("Difference / computed"),
                "is_within_tolerance": st.column_config.CheckboxColumn("Within tolerance"),
                "difference_booked_as": "Booked as",
            },
        )


def body() -> None:
    month = None
    with ui.section():
        month = pick_month()
        headline_and_waterfall(month)
        pools(month)
    reconciliation(month)


ui.run_page(body, title="Allocation and reconciliation", question=QUESTION)
