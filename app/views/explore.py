"""Explore: any dimension by any time grain, on either cost basis, filtered on the others."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from costapp import chrome, queries, state, ui
from costapp.filters import GLOBAL_FILTERS, Slice

QUESTION = "**Where does the money go?** Pick a dimension, a time grain and filters; download what you see."
BASIS_LABELS = {"fully_loaded": "Fully loaded (with shared pools)", "usage": "Usage only (per call)"}


def controls(context: ui.PageContext) -> dict:
    basis_key = state.bind(
        "basis", default="fully_loaded", parse=state.parse_one, dump=state.dump_one, valid=state.one_of(queries.BASES)
    )
    left, middle, right, far = st.columns([1.3, 1.1, 0.7, 1.5])
    basis = left.radio(
        "Cost basis",
        list(queries.BASES),
        format_func=BASIS_LABELS.get,
        key=basis_key,
        help="Fully loaded adds the shared pools and invoice differences, which the ledger books "
        "by month; usage only is what the calls are billed, down to the day.",
    )
    columns = queries.explore_columns()
    dimension_key = state.bind(
        "dimension", default="feature", parse=state.parse_one, dump=state.dump_one, valid=state.one_of(columns)
    )
    dimension = middle.selectbox("Break down by", columns, format_func=ui.dimension_label, key=dimension_key)
    grains = queries.grains(basis)
    grain_key = state.bind(
        "grain", default="Month", parse=state.parse_one, dump=state.dump_one, valid=state.one_of(grains)
    )
    grain = right.selectbox("Time grain", grains, key=grain_key)
    measures = queries.measures(basis)
    measure_key = state.bind(
        "measure",
        default="cost",
        parse=state.parse_one,
        dump=state.dump_one,
        valid=state.one_of([item.key for item in measures]),
    )
    labels = {item.key: item.label for item in measures}
    measure = far.selectbox("Measure", list(labels), format_func=labels.get, key=measure_key)
    if basis == "fully_loaded":
        st.caption(
            "Fully loaded cost is monthly (shared pools are booked by month): the period covers "
            f"{ui.months_label(context.rows.first_month, context.rows.last_month)} in whole months."
        )
    extra = chrome.dimension_filters(
        context, [column for column in columns if column not in GLOBAL_FILTERS], title="Filters on more dimensions"
    )
    return {"basis": basis, "dimension": dimension, "grain": grain, "measure": measure, "filters": extra}


def previous_rows(rows: Slice, basis: str) -> Slice:
    """The period just before: the same number of whole months (fully loaded) or days (usage)."""
    return rows.previous_months() if basis == "fully_loaded" else rows.previous_period()


def body(context: ui.PageContext) -> None:
    chosen = controls(context)
    rows = context.rows.with_filters(**chosen["filters"])
    dimension = chosen["dimension"]
    measure = {item.key: item for item in queries.measures(chosen["basis"])}[chosen["measure"]]
    args = {"basis": chosen["basis"], "dimension": dimension, "grain": chosen["grain"], "measure": measure.key}
    frame = queries.explore(rows, **args)
    if frame.empty:
        st.info("No cost matches these filters in this period.")
        return
    previous = queries.explore(previous_rows(rows, chosen["basis"]), **args)
    frame["label"] = [context.label(dimension, value) for value in frame["value"]]

    total = float(frame["amount"].sum())
    shown = (lambda amount: ui.money(amount)) if measure.is_money else (lambda amount: f"{amount:,.0f}")
    first, second = st.columns(2)
    ui.metric(
        first,
        f"Total: {measure.label.lower()}",
        shown(total),
        current=total,
        previous=float(previous["amount"].sum()) if not previous.empty else None,
        previous_label="previous period",
        cost_up_is_bad=measure.is_money,
    )
    ui.metric(second, f"{ui.dimension_label(dimension)} values", f"{frame['value'].nunique():,}")
    filtered = ui.filters_caption(ui.PageContext(rows, context.viewer, context.span, context.names))
    period = (
        ui.months_label(rows.first_month, rows.last_month)
        if chosen["basis"] == "fully_loaded"
        else ui.period_label(rows.start, rows.end)
    )
    ui.basis_caption(chosen["basis"], f"{period}{'; ' + filtered if filtered else ''}.")

    value_format = ui.MONEY_AXIS_FORMAT_SHORT if measure.is_money else ",.0f"
    amount_config = ui.money_column(measure.label) if measure.is_money else ui.count_column(measure.label)
    totals, folded = ui.top_with_other(frame, category="label", value="amount", top=15)
    domain = [context.label(dimension, value) for value in context.domain(dimension)]
    bars = ui.bar_chart(
        totals,
        category="label",
        value="amount",
        category_title=ui.dimension_label(dimension),
        value_title=measure.label,
        value_format=value_format,
        sort=list(totals["label"]),
        colour="label",
        colour_scale=ui.colour_scale(list(totals["label"]), domain),
    )
    left, right = st.columns([2, 3])
    with left:
        st.subheader(f"By {ui.dimension_label(dimension).lower()}")
        ui.chart_and_table(bars, totals, {"label": ui.dimension_label(dimension), "amount": amount_config})
        if folded:
            st.caption(f"The {folded} smallest values are one *other* bar.")
    with right:
        st.subheader(f"By {chosen['grain'].lower()}")
        trend = ui.fold_series(frame.assign(series=frame["label"]), series="series", value="amount", top=8)
        trend = trend.groupby(["period", "series"], as_index=False)["amount"].sum()
        trend = ui.period_axis(trend, period="period", grain=chosen["grain"], first_day=rows.start, last_day=rows.end)
        st.altair_chart(
            ui.stacked_trend(
                trend,
                value="amount",
                series="series",
                series_title=ui.dimension_label(dimension),
                value_title=measure.label,
                domain=domain,
                grain=chosen["grain"],
                value_format=value_format,
            ),
            width="stretch",
        )
        ui.partial_caption(trend, rows.start, rows.end)

    st.subheader("The numbers")
    grain_column = chosen["grain"].lower()
    table = frame.rename(columns={"period": grain_column, "value": dimension})
    table = table.sort_values([grain_column, "amount"], ascending=[False, False])
    date_format = {"Month": "MMM YYYY", "Week": "[w/c] D MMM YYYY"}.get(chosen["grain"], "D MMM YYYY")
    config = {
        grain_column: st.column_config.DateColumn(chosen["grain"], format=date_format),
        dimension: ui.dimension_label(dimension),
    }
    if dimension == "customer_id":
        table["customer_name"] = [context.names.get(value) for value in table[dimension]]
        config["customer_name"] = "Name"
    config["amount"] = amount_config
    ui.table(table, config, height=360)
    export = table[list(config)].assign(**{grain_column: pd.to_datetime(table[grain_column]).dt.date})
    ui.csv_download(
        export.rename(columns={"amount": measure.label}),
        label="Download these rows as CSV",
        file_name=f"ai_cost_by_{dimension}_{grain_column}.csv",
        key="explore-download",
    )

    st.subheader("Drill down")
    carried = {column: list(values) for column, values in chosen["filters"].items()}
    ui.link("calls", "The traces and calls behind these figures", icon=":material/list:", **carried)
    top_values = list(totals.loc[totals["label"] != ui.OTHER, "label"])
    values_by_label = dict(zip(frame["label"], frame["value"], strict=False))
    if top_values:
        picked = st.selectbox(f"Or one {ui.dimension_label(dimension).lower()}", top_values, key="explore-drill")
        value = values_by_label[picked]
        target = {chrome.FILTER_PARAMS.get(dimension, dimension): [value]}
        ui.link("calls", f"Calls of {picked}", icon=":material/list:", **{**carried, **target})
        if dimension == "customer_id":
            ui.link("customer", f"{picked}: the customer's page", icon=":material/person:", id=value)


ui.run_page(body, title="Explore", question=QUESTION)
