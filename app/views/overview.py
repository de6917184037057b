"""Overview: how much, how fast is it growing, and is it under control?"""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui
from costapp.filters import add_months

QUESTION = "**How much do we spend on AI, how fast is it growing, and is it under control?**"
LINKS_SHOWN = 5


def headline(context: ui.PageContext) -> None:
    span, rows = context.span, context.rows
    totals = queries.monthly_cost(rows, period=False).set_index("month")["cost_usd"]
    usage = queries.monthly_usage_cost(rows, period=False).set_index("month")["usage_cost_usd"]
    current, previous = span.current_month, span.previous_month
    month_to_date = float(totals.get(current, 0.0))
    last_month = totals.get(previous)
    month_before = totals.get(add_months(previous, -1))
    forecast = month_to_date / span.days_elapsed * span.days_in_month
    not_per_call = float(last_month) - float(usage.get(previous, 0.0)) if last_month is not None else None

    filtered = ui.filters_caption(context)
    ui.basis_caption(
        "fully_loaded",
        f"Every environment{'; ' + filtered if filtered else ''}. The last day with calls, "
        f"{ui.day_label(span.last_day)}, is treated as today.",
    )
    first, second, third, fourth = st.columns(4)
    ui.metric(
        first,
        f"Month to date ({current:%b} 1–{span.days_elapsed})",
        ui.money(month_to_date),
        help="Fully loaded cost booked in the ledger for the current month so far.",
    )
    ui.metric(
        second,
        f"Last month ({previous:%B})",
        ui.money(last_month) if last_month is not None else "—",
        current=last_month,
        previous=month_before,
        previous_label=f"{add_months(previous, -1):%B}",
    )
    ui.metric(
        third,
        f"Forecast for {current:%B}",
        ui.money(forecast),
        current=forecast,
        previous=last_month,
        previous_label=f"{previous:%B}",
        help=f"Month to date ÷ {span.days_elapsed} elapsed days × {span.days_in_month} days; the change is "
        "against last month's total (month-over-month growth).",
    )
    ui.metric(
        fourth,
        f"Not per call, {previous:%B}",
        ui.money(not_per_call),
        help="Shared pools (GPU time, vector DB, monitoring…) and invoice differences: the part of the "
        "fully loaded cost that no single call carries. The rest is usage.",
    )


BAND_BADGES = ("green", "blue", "gray", "orange", "red")  # the best band first


def _threshold(value: float, unit: str) -> str:
    if unit == "usd":
        return f"${value:,.4f}".rstrip("0").rstrip(".") if value < 1 else ui.money(value)
    digits = 0 if round(value * 100, 6) == round(value * 100) else 1
    return ui.percent(value, digits=digits)


def band_range(row: pd.Series) -> str:
    """The band's thresholds in words, as the mart holds them ("25–40 %", "over 40 %")."""
    lower, upper = row["band_lower_bound"], row["band_upper_bound"]
    if pd.isna(lower) and pd.isna(upper):
        return "every value"
    if pd.isna(lower):
        return f"{'up to' if row['band_upper_bound_included'] else 'under'} {_threshold(upper, row['unit'])}"
    if pd.isna(upper):
        return f"{'from' if row['band_lower_bound_included'] else 'over'} {_threshold(lower, row['unit'])}"
    return f"{_threshold(lower, row['unit'])}–{_threshold(upper, row['unit'])}"


def _badge(row: pd.Series) -> str:
    if pd.isna(row["band"]):
        return "no value"
    steps = max(int(row["bands_in_benchmark"]) - 1, 1)
    colour = BAND_BADGES[round((int(row["band_rank"]) - 1) / steps * (len(BAND_BADGES) - 1))]
    return f":{colour}-badge[{row['band_label']}] {band_range(row)}"


def _shown(value: float | None, unit: str) -> str:
    return ui.unit_money(value) if unit == "usd" else ui.percent(value)


def scorecard(context: ui.PageContext) -> None:
    """Each metric of the last complete month, its band on every published benchmark and its trend."""
    with ui.section("Against the published benchmarks"):
        card = queries.scorecard(context.rows)
        if card.empty:
            st.info("No complete month with figures yet.")
            return
        month = card["month"].iloc[0]
        history = queries.scorecard_history(context.rows, month)
        st.caption(
            f"{ui.month_label(month)}, the last complete month of the period: product usage (prod, external); "
            "each metric's definition is in docs/ARCHITECTURE.md (the scorecard)."
        )
        metrics = card.drop_duplicates("metric")
        columns = st.columns(len(metrics))
        for column, (_, first) in zip(columns, metrics.iterrows(), strict=True):
            rows = card[card["metric"] == first["metric"]]
            direction = first["direction"]
            trend = history[history["metric"] == first["metric"]].dropna(subset=["value"])
            delta = ui.change(first["value"], first["previous_value"], "ratio" if first["unit"] == "ratio" else "money")
            previous = ui.month_label(month - pd.offsets.MonthBegin(1)).split()[0]
            column.metric(
                first["metric_label"],
                _shown(first["value"], first["unit"]),
                delta=delta.format(previous=previous) if delta else None,
                delta_color={"lower_is_better": "inverse", "higher_is_better": "normal"}.get(direction, "off"),
                chart_data=list(trend["value"]) if len(trend) > 1 else None,
                border=True,
            )
            for _, row in rows.iterrows():
                if pd.isna(row["benchmark"]):
                    column.caption("No published benchmark.")
                    continue
                # a benchmark published for no particular population reads "all" (NULL arrives as NaN)
                population = row["population"] if isinstance(row["population"], str) and row["population"] else "all"
                column.markdown(f"{row['publisher']} ({population}): {_badge(row)}")
        table = card.assign(band_range=[band_range(row) for _, row in card.iterrows()])
        with st.expander("The scorecard with its thresholds and sources"):
            ui.table(
                table,
                {
                    "metric_label": "Metric",
                    "value": st.column_config.NumberColumn("Value", format="%.4f"),
                    "numerator": st.column_config.NumberColumn("Numerator", format="%.4f"),
                    "denominator": st.column_config.NumberColumn("Denominator", format="%.4f"),
                    "change": st.column_config.NumberColumn("Change", format="%+.4f"),
                    "trend": "Trend",
                    "publisher": "Publisher",
                    "population": "For",
                    "band_label": "Band",
                    "band_range": "Band thresholds",
                    "previous_band": "Previous band",
                    "report": "Report",
                    "published": "Year",
                    "url": st.column_config.LinkColumn("Source"),
                },
            )
        st.caption(
            "A value exactly on a threshold falls in the band whose published range includes it: "
            '"under 10 %" excludes 10 %, "15–25 %" includes both ends. Ratios are shown as percentages; '
            "values and thresholds come from the scorecard mart and its benchmark seed."
        )


def monthly_trend(context: ui.PageContext) -> None:
    with ui.section("Cost by month and feature"):
        frame = queries.monthly_cost(context.rows, by="feature", period=False)
        if frame.empty:
            st.info("No cost in the ledger for these filters.")
            return
        frame = ui.fold_series(frame, series="value", value="cost_usd")
        frame = frame.groupby(["month", "value"], as_index=False)["cost_usd"].sum()
        frame = ui.period_axis(
            frame, period="month", grain="Month", first_day=context.span.first_day, last_day=context.span.last_day
        )
        chart = ui.stacked_trend(
            frame,
            value="cost_usd",
            series="value",
            series_title="Feature",
            value_title="Cost, fully loaded",
            domain=context.domain("feature"),
            grain="Month",
        )
        pivot = frame.pivot_table(index="month", columns="value", values="cost_usd", aggfunc="sum").fillna(0.0)
        pivot.insert(0, "total", pivot.sum(axis=1))
        pivot = pivot.sort_index(ascending=False).reset_index()
        config = {"month": st.column_config.DateColumn("Month", format="MMM YYYY")}
        config |= {column: ui.money_column(column) for column in pivot.columns if column != "month"}
        ui.chart_and_table(chart, pivot, config)
        ui.partial_caption(frame, context.span.first_day, context.span.last_day)


def daily_trend(context: ui.PageContext) -> None:
    rows = context.rows
    with ui.section(f"Daily usage cost by feature, {ui.period_label(rows.start, rows.end)}"):
        daily = queries.daily_usage_cost(rows, by="feature")
        if daily.empty:
            st.info("No calls in this period for these filters.")
            return
        daily = ui.fold_series(daily, series="value", value="cost_usd").rename(columns={"usage_date": "period_start"})
        daily = daily.groupby(["period_start", "value"], as_index=False)["cost_usd"].sum()
        chart = ui.stacked_trend(
            daily,
            value="cost_usd",
            series="value",
            series_title="Feature",
            value_title="Usage cost per day",
            domain=context.domain("feature"),
        )
        pivot = daily.pivot_table(index="period_start", columns="value", values="cost_usd", aggfunc="sum")
        pivot = pivot.fillna(0.0).sort_index(ascending=False)
        pivot.insert(0, "total", pivot.sum(axis=1))
        pivot = pivot.reset_index()
        config = {"period_start": st.column_config.DateColumn("Day")}
        config |= {column: ui.money_column(column) for column in pivot.columns if column != "period_start"}
        ui.chart_and_table(chart, pivot, config)
        ui.basis_caption("usage", "The shared pools are booked by month, so a day shows only what its calls cost.")


def cogs(context: ui.PageContext) -> None:
    with ui.section("AI COGS as a share of revenue"):
        history = queries.customer_history(context.rows)
        complete = history[
            history["is_month_complete"].astype(bool)
            & (pd.to_datetime(history["month"]).dt.date <= context.rows.last_month)
        ]
        if complete.empty:
            st.info("No complete month with revenue yet.")
            return
        latest = complete.iloc[-1]
        before = history[pd.to_datetime(history["month"]).dt.date == add_months(latest["month"], -1)]
        ratio = float(latest["ai_cogs_ratio"]) if pd.notna(latest["ai_cogs_ratio"]) else None
        left, right = st.columns([1, 2])
        ui.metric(
            left,
            f"AI COGS / revenue ({ui.month_label(latest['month'])})",
            ui.percent(ratio),
            current=ratio,
            previous=before["ai_cogs_ratio"].iloc[0] if not before.empty else None,
            kind="ratio",
            previous_label=f"{add_months(latest['month'], -1):%B}",
            help="Product AI cost (prod, external, fully loaded) of the customers ÷ their revenue, last "
            "complete month.",
        )
        left.markdown(f"Band: **{latest['band_label'] if pd.notna(latest['band_label']) else 'no revenue'}**")
        bands = queries.cogs_bands()
        scale_top = max(0.5, (ratio or 0) * 1.1)
        bands = bands.assign(high=bands["upper_bound"].fillna(scale_top).clip(upper=scale_top))
        colours = ["#9db4cf", "#4c9a6a", "#a3c46b", "#e0a43a", "#c8553d"]
        band_bar = (
            alt.Chart(bands)
            .mark_bar(height=28)
            .encode(
                x=alt.X(
                    "lower_bound:Q",
                    title="AI COGS / revenue",
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, scale_top]),
                ),
                x2="high:Q",
                color=alt.Color(
                    "band_label:N",
                    sort=list(bands["band_label"]),
                    scale=alt.Scale(domain=list(bands["band_label"]), range=colours[: len(bands)]),
                    legend=alt.Legend(orient="bottom", title=None),
                ),
                tooltip=[
                    alt.Tooltip("band_label:N", title="Band"),
                    alt.Tooltip("lower_bound:Q", format=".0%"),
                    alt.Tooltip("upper_bound:Q", format=".0%"),
                ],
            )
        )
        marker = (
            alt.Chart(pd.DataFrame({"ratio": [ratio or 0.0]}))
            .mark_tick(color=ui.ink(), thickness=3, size=44)
            .encode(x="ratio:Q", tooltip=[alt.Tooltip("ratio:Q", title="This month", format=".1%")])
        )
        config = {
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            "ai_cost_usd": ui.money_column("AI cost"),
            "revenue_usd": ui.money_column("Revenue"),
            "ai_cogs_ratio": ui.percent_column("AI COGS / revenue"),
            "band_label": st.column_config.TextColumn("Band"),
        }
        with right:
            ui.chart_and_table((band_bar + marker).properties(height=90), history, config)
        labels = ", ".join(
            f"{row.band_label} {ui.percent(row.lower_bound, digits=0)}–{ui.percent(row.upper_bound, digits=0)}"
            if pd.notna(row.upper_bound)
            else f"{row.band_label} above {ui.percent(row.lower_bound, digits=0)}"
            for row in bands.itertuples()
        )
        st.caption(f"Bands, as the unit-economics marts classify them: {labels}.")


def coverage(context: ui.PageContext) -> None:
    with ui.section("Attribution coverage"):
        frame = queries.attribution_coverage(context.rows, context.span.current_month)
        if frame.empty:
            st.info("No coverage figures for this month.")
            return
        judged_rows = frame["is_judged"].astype(bool) & frame["warn_pct"].notna()
        frame = frame.assign(
            label=frame["dimension"] + " (" + frame["scope"] + ")",
            coverage_share=frame["coverage_share"].astype(float),
            judgement=frame["coverage_status"].where(judged_rows, "not judged"),
        )
        judged = frame[frame["is_judged"].astype(bool) & frame["warn_pct"].notna()].sort_values("coverage_share")
        if judged.empty:
            st.caption("No dimension has enough calls this month to be judged against its threshold.")
        else:
            worst = judged.iloc[0]
            status = {
                "ok": "within its threshold",
                "warn": "above its warning threshold",
                "error": "above its error threshold",
            }.get(worst["coverage_status"], worst["coverage_status"])
            st.caption(
                f"Lowest of the dimensions with a threshold: **{worst['dimension']}** ({worst['scope']} usage), "
                f"{ui.percent(worst['coverage_share'])} of its cost attributed, {status} "
                f"({worst['warn_pct']:.0f} % unattributed at most)."
            )
        chart = ui.bar_chart(
            frame,
            category="label",
            value="coverage_share",
            category_title="Dimension (scope)",
            value_title="Share of usage cost attributed",
            value_format="%",
            colour="judgement",
            colour_scale=alt.Scale(
                domain=["ok", "warn", "error", "not judged"],
                range=[ui.STATUS_COLOURS["ok"], ui.STATUS_COLOURS["warning"], ui.STATUS_COLOURS["over"], "#8c8c8c"],
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
                "warn_pct": st.column_config.NumberColumn("Warn above % unattributed", format="%.0f"),
                "coverage_status": "Status",
                "top_untagged_sources": "Top untagged sources",
            },
        )
        st.caption("Grey: not judged (no threshold, or too few calls); agent is only set on agent features.")


def alerts(context: ui.PageContext) -> None:
    span = context.span
    left, right = st.columns(2)
    with left, ui.section("Budgets to watch"):
        budgets = queries.budgets(context.rows, span.current_month)
        watch = budgets[
            budgets["status"].isin(["warning", "over"]) | budgets["forecast_status"].isin(["warning", "over"])
        ]
        watch = watch.assign(
            rank=watch["status"].map({"over": 0, "warning": 1}).fillna(2),
            name=[
                context.label(queries.budget_scope_columns().get(t, t), v)
                for t, v in zip(watch["scope_type"], watch["scope_value"], strict=True)
            ],
        )
        watch = watch.sort_values(["rank", "forecast_pct_of_budget"], ascending=[True, False])
        over_or_warning = int(watch["status"].isin(["warning", "over"]).sum())
        st.metric(f"Budgets at warning or over ({span.current_month:%B})", f"{over_or_warning}")
        st.caption(f"and {len(watch) - over_or_warning} more forecast to cross their warning line by month end.")
        if not watch.empty:
            ui.table(
                watch,
                {
                    "scope_type": "Scope",
                    "name": "Name",
                    "budget_usd": ui.money_column("Budget"),
                    "actual_usd": ui.money_column("Actual"),
                    "forecast_usd": ui.money_column("Forecast"),
                    "status": "Status",
                    "forecast_status": "Forecast",
                },
            )
            for row in watch.head(LINKS_SHOWN).itertuples():
                ui.link(
                    "budgets",
                    f"{row.scope_type} {row.name} in Budgets",
                    icon=":material/arrow_forward:",
                    month=row.budget_month.isoformat(),
                    scope_type=row.scope_type,
                    scope_value=row.scope_value,
                )
    with right, ui.section("Cost spikes in the last 7 days"):
        recent = queries.anomalies(context.rows.with_period(span.last_day - timedelta(days=6), span.last_day))
        st.metric("Days with a cost spike", f"{recent['cost_date'].nunique()}")
        if not recent.empty:
            ui.table(
                recent.assign(
                    value=[
                        context.label(d, v) for d, v in zip(recent["dimension"], recent["dimension_value"], strict=True)
                    ]
                ),
                {
                    "cost_date": st.column_config.DateColumn("Day", format="D MMM YYYY"),
                    "dimension": "Dimension",
                    "value": "Value",
                    "cost_usd": ui.money_column("Cost"),
                    "expected_usd": ui.money_column("Expected"),
                },
            )
            for row in recent.head(LINKS_SHOWN).itertuples():
                ui.link(
                    "budgets",
                    f"{context.label(row.dimension, row.dimension_value)} on {ui.day_label(row.cost_date)}",
                    icon=":material/arrow_forward:",
                    day=row.cost_date.isoformat(),
                    dimension=row.dimension,
                    value=row.dimension_value,
                )


def body(context: ui.PageContext) -> None:
    headline(context)
    scorecard(context)
    monthly_trend(context)
    daily_trend(context)
    cogs(context)
    coverage(context)
    alerts(context)


ui.run_page(body, title="Overview", question=QUESTION)
