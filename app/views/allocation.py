"""Allocation and reconciliation: from list price to invoice, every shared pool and how it was
split, the unallocated amount, and each provider's invoice against what we computed."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, state, ui

QUESTION = "**Does every dollar on the invoices land somewhere, and how was the shared cost split?**"


def waterfall_steps(by_type: pd.DataFrame) -> pd.DataFrame:
    """The ledger's cost types in waterfall order, then the total."""
    amounts = dict(zip(by_type["cost_type"], by_type["amount_usd"], strict=True))
    # the list price is where the waterfall starts: drawn from zero like the total
    rows = [
        {"step": label, "amount_usd": amounts.pop(cost_type, 0.0), "is_total": cost_type == "usage"}
        for cost_type, label in queries.LEDGER_STEPS
    ]
    rows += [{"step": cost_type, "amount_usd": amount, "is_total": False} for cost_type, amount in amounts.items()]
    total = sum(row["amount_usd"] for row in rows)  # the list price counts once: it is the start
    rows.append({"step": "Total cost", "amount_usd": total, "is_total": True})
    return pd.DataFrame(rows)


def headline_and_waterfall(context: ui.PageContext) -> None:
    rows = context.rows
    by_type = queries.ledger_by_cost_type(rows)
    steps = waterfall_steps(by_type)
    before = waterfall_steps(queries.ledger_by_cost_type(rows.previous_months()))
    unallocated = float(by_type["unallocated_usd"].sum())
    total, list_price = float(steps.iloc[-1]["amount_usd"]), float(steps.iloc[0]["amount_usd"])
    label = "previous month" if len(rows.months()) == 1 else f"previous {len(rows.months())} months"
    first, second, third = st.columns(3)
    ui.metric(
        first,
        "List price of the usage",
        ui.money(list_price),
        current=list_price,
        previous=float(before.iloc[0]["amount_usd"]),
        previous_label=label,
    )
    ui.metric(
        second,
        "Total cost in the ledger",
        ui.money(total),
        current=total,
        previous=float(before.iloc[-1]["amount_usd"]),
        previous_label=label,
    )
    ui.metric(
        third,
        "Unallocated",
        ui.money(unallocated),
        help="Booked in the ledger but attributable to nobody: a shared pool with nothing in scope, or "
        "invoice differences when they are not spread.",
    )
    filtered = ui.filters_caption(context)
    ui.basis_caption(
        "fully_loaded",
        f"{ui.months_label(rows.first_month, rows.last_month)} in whole months (the "
        f"ledger is monthly){'; ' + filtered if filtered else ''}.",
    )
    st.subheader("From list price to what we pay")
    ui.chart_and_table(
        ui.waterfall(steps), steps[["step", "amount_usd"]], {"step": "Step", "amount_usd": ui.money_column("Amount")}
    )
    st.caption(
        "List price (rate card) → negotiated discounts → cache pooling (spreads cache savings across tenants; sums "
        "to zero per pool) → shared pools (GPU time, platform fees…) → the difference between provider invoices and "
        "our computation = the total in the ledger. Each bar is labelled with its amount, however small."
    )


def pools(context: ui.PageContext) -> None:
    st.subheader("Shared pools and how they were split")
    frame = queries.shared_pools(context.rows)
    if frame.empty:
        st.info("No shared pools in this period.")
        return
    ui.table(
        frame,
        {
            "cost_pool": "Pool",
            "amount_usd": ui.money_column("Amount"),
            "allocated_usd": ui.money_column("Allocated"),
            "unallocated_usd": ui.money_column("Not allocated"),
        },
    )
    columns = [column for column in queries.dimension_columns() if column != "provider"]
    key = state.bind(
        "split",
        default="feature" if "feature" in columns else columns[0],
        parse=state.parse_one,
        dump=state.dump_one,
        valid=state.one_of(columns),
    )
    by = st.selectbox("Split over", columns, format_func=ui.dimension_label, key=key)
    split = queries.shared_pool_split(context.rows, by)
    split["value"] = [context.label(by, value) if value != "not allocated" else value for value in split["value"]]
    # the largest values one by one, the rest as "other", so 200 customers stay readable
    totals = split.groupby("value")["amount_usd"].sum().sort_values(ascending=False)
    keep = set(totals.head(ui.TOP_N).index) | {"not allocated"}
    split["value"] = split["value"].where(split["value"].isin(keep), ui.OTHER)
    split = split.groupby(["cost_pool", "value"], as_index=False)["amount_usd"].sum()
    order = ui.series_order(list(split["value"]))
    split["rank"] = split["value"].map({value: rank for rank, value in enumerate(order)})
    domain = [context.label(by, value) for value in context.domain(by)]
    chart = (
        alt.Chart(split)
        .mark_bar()
        .encode(
            y=alt.Y("cost_pool:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            x=alt.X("sum(amount_usd):Q", title="USD", axis=alt.Axis(format=ui.MONEY_AXIS_FORMAT_SHORT)),
            color=alt.Color(
                "value:N",
                title=ui.dimension_label(by),
                sort=order,
                scale=ui.colour_scale(order, domain),
                legend=alt.Legend(orient="bottom", columns=4, labelLimit=220),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("cost_pool:N", title="Pool"),
                alt.Tooltip("value:N", title=ui.dimension_label(by)),
                alt.Tooltip("amount_usd:Q", title="Amount", format="$,.2f"),
            ],
        )
        .properties(height=max(40 * split["cost_pool"].nunique() + 90, 160))
    )
    ui.chart_and_table(
        chart,
        split.drop(columns="rank"),
        {"cost_pool": "Pool", "value": ui.dimension_label(by), "amount_usd": ui.money_column("Amount")},
    )
    st.caption(
        f"The {ui.TOP_N} largest values one by one, the rest as *other*; *not allocated*: the part of a pool "
        "with nothing in its scope (booked, attributed to nobody)."
    )


def reconciliation(context: ui.PageContext) -> None:
    with ui.section("Invoices against our computation"):
        frame = queries.invoice_reconciliation(context.rows)
        invoiced_months = set(frame["invoice_month"]) if not frame.empty else set()
        missing = [month for month in context.rows.months() if month not in invoiced_months]
        if missing:
            st.caption(
                f"No invoice yet for {', '.join(ui.month_label(month) for month in missing)}: its cost is our "
                "computation until the provider invoices it."
            )
        if frame.empty:
            st.info("No provider invoice for this period.")
            return
        outside = frame[~frame["is_within_tolerance"].astype(bool)]
        first, second = st.columns(2)
        ui.metric(first, "Invoice difference", ui.money(frame["difference_usd"].sum()))
        ui.metric(second, "Provider-months outside tolerance", f"{len(outside)} of {len(frame)}")
        ui.table(
            frame.assign(difference_share=frame["difference_pct"] / 100),
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


def body(context: ui.PageContext) -> None:
    with ui.section():
        headline_and_waterfall(context)
        pools(context)
    reconciliation(context)


ui.run_page(body, title="Allocation and reconciliation", question=QUESTION)
