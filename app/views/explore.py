"""Explore: any dimension by any time grain, filtered on the others."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from costapp import queries, ui

QUESTION = "**Where does the money go?** Pick a dimension, a time grain and filters; download what you see."

TOP_SERIES = 8  # the trend draws the largest values and folds the rest into "other"


def controls(span: queries.DataSpan) -> dict:
    left, middle, right, dates = st.columns([1.2, 0.8, 1.6, 1.6])
    dimension_key = left.selectbox(
        "Break down by",
        [dimension.key for dimension in queries.DIMENSIONS],
        format_func=lambda key: queries.DIMENSION_BY_KEY[key].label,
        key="explore-dimension",
    )
    grain = middle.selectbox("Time grain", list(queries.GRAINS), index=0, key="explore-grain")
    metric_label = right.selectbox("Measure", [metric.label for metric in queries.METRICS], key="explore-metric")
    chosen = dates.date_input(
        "Between",
        value=(span.first_day, span.last_day),
        min_value=span.first_day,
        max_value=span.last_day,
        key="explore-dates",
    )
    start, end = chosen if isinstance(chosen, tuple) and len(chosen) == 2 else (span.first_day, span.last_day)

    filters: dict[str, list[str]] = {}
    with st.expander("Filters on the other dimensions", expanded=False):
        columns = st.columns(3)
        others = [dimension for dimension in queries.DIMENSIONS if dimension.key != dimension_key]
        values = queries.dimension_values()
        for index, dimension in enumerate(others):
            filters[dimension.key] = columns[index % 3].multiselect(
                dimension.label,
                values[dimension.key],
                key=f"explore-filter-{dimension.key}",
                placeholder="all",
            )
    return {
        "dimension_key": dimension_key,
        "grain": grain,
        "metric_label": metric_label,
        "start": start,
        "end": end,
        "filters": filters,
    }


def body() -> None:
    span = queries.data_span()
    if span is None:
        st.info("The warehouse holds no priced calls yet: nothing to explore.")
        return
    chosen = controls(span)
    dimension = queries.DIMENSION_BY_KEY[chosen["dimension_key"]]
    metric = queries.METRIC_BY_LABEL[chosen["metric_label"]]
    frame = queries.explore(**chosen)
    if frame.empty:
        st.info("No calls match these filters.")
        return

    totals = frame.groupby("value", as_index=False)["amount"].sum().sort_values("amount", ascending=False)
    grand_total = float(totals["amount"].sum())
    shown_total = ui.money(grand_total) if metric.is_money else f"{grand_total:,.0f}"
    first, second = st.columns(2)
    first.metric(f"Total: {metric.label.lower()}", shown_total, border=True)
    second.metric(f"{dimension.label} values", f"{len(totals):,}", border=True)

    value_format = ui.MONEY_AXIS_FORMAT_SHORT if metric.is_money else ",.0f"
    amount_config = ui.money_column(metric.label) if metric.is_money else ui.count_column(metric.label)
    bars = ui.bar_chart(
        totals.head(25),
        category="value",
        value="amount",
        category_title=dimension.label,
        value_title=metric.label,
        value_format=value_format,
    )
    # the trend draws the largest values and folds the rest into "other" (never just one)
    top = list(totals["value"] if len(totals) <= TOP_SERIES + 1 else totals["value"].head(TOP_SERIES))
    trend = frame.assign(series=frame["value"].where(frame["value"].isin(top), "other"))
    trend = trend.groupby(["period", "series"], as_index=False)["amount"].sum()
    trend_chart = ui.stacked_trend(
        trend,
        period="period",
        value="amount",
        series="series",
        series_title=dimension.label,
        value_title=metric.label,
        time_unit_title=chosen["grain"],
        value_format=value_format,
    )
    left, right = st.columns([2, 3])
    with left:
        st.subheader(f"By {dimension.label.lower()}")
        ui.chart_and_table(bars, totals, {"value": dimension.label, "amount": amount_config})
    with right:
        st.subheader(f"By {chosen['grain'].lower()}")
        st.altair_chart(trend_chart, width="stretch")
        if len(top) < len(totals):
            st.caption(f"The {len(totals) - len(top)} smallest values are drawn together as *other*.")

    st.subheader("The numbers")
    shown = frame.rename(columns={"period": chosen["grain"].lower(), "value": dimension.key, "amount": "amount"})
    shown = shown.sort_values([chosen["grain"].lower(), "amount"], ascending=[False, False])
    amount_config = ui.money_column(metric.label) if metric.is_money else ui.count_column(metric.label)
    ui.table(
        shown,
        {
            chosen["grain"].lower(): st.column_config.DateColumn(chosen["grain"]),
            dimension.key: dimension.label,
            "amount": amount_config,
        },
        height=360,
    )
    export = shown.assign(**{chosen["grain"].lower(): pd.to_datetime(shown[chosen["grain"].lower()]).dt.date})
    ui.csv_download(
        export.rename(columns={"amount": metric.label}),
        label="Download these rows as CSV",
        file_name=f"ai_cost_by_{dimension.key}_{chosen['grain'].lower()}.csv",
        key="explore-download",
    )


ui.run_page(body, title="Explore", question=QUESTION)
