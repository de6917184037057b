"""Budgets and anomalies: will each scope stay within budget, and which days spiked?

Its URL is the contract alert messages link to (docs/app.md):
- `budgets?month=YYYY-MM-01&scope_type=<type>&scope_value=<v>`: that month, that scope type, that
  budget highlighted;
- `budgets?day=YYYY-MM-DD&dimension=<column>&value=<v>`: the anomaly view of that day and series."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, state, ui
from costapp.filters import add_months

QUESTION = "**Will each team, feature and customer stay within budget, and what spiked?**"
ALL_TYPES = "all"
STATUS_SCALE = alt.Scale(domain=list(ui.STATUS_COLOURS), range=list(ui.STATUS_COLOURS.values()))


def budget_chart(frame: pd.DataFrame, highlighted: str | None) -> alt.LayerChart:
    """Per budget, grouped by scope type: the actual as a share of the budget (bar, coloured by
    status), the month-end forecast (diamond) and the budget itself (the 100 % line)."""
    frame = frame.assign(highlight=frame["scope_value"] == highlighted)
    order = list(frame.sort_values(["scope_type", "pct_of_budget"], ascending=[True, False])["scope"])
    tooltip = [
        alt.Tooltip("scope:N", title="Scope"),
        alt.Tooltip("budget_usd:Q", title="Budget", format="$,.2f"),
        alt.Tooltip("actual_usd:Q", title="Actual", format="$,.2f"),
        alt.Tooltip("forecast_usd:Q", title="Forecast", format="$,.2f"),
        alt.Tooltip("pct_of_budget:Q", title="% of budget", format=".0f"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("forecast_status:N", title="Forecast status"),
    ]
    base = alt.Chart(frame).encode(
        y=alt.Y("scope:N", sort=order, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False))
    )
    actual = base.mark_bar(height=14).encode(
        x=alt.X("pct_of_budget:Q", title="% of budget (100 = the budget)"),
        color=alt.Color("status:N", scale=STATUS_SCALE, title="Status", legend=alt.Legend(orient="bottom")),
        stroke=alt.condition("datum.highlight", alt.value(ui.ink()), alt.value(None)),
        strokeWidth=alt.condition("datum.highlight", alt.value(2), alt.value(0)),
        tooltip=tooltip,
    )
    forecast = base.mark_point(shape="diamond", filled=True, size=110, color=ui.ink()).encode(
        x="forecast_pct_of_budget:Q", tooltip=tooltip
    )
    # the budget line, one segment per row (the rows' own data, so the rows keep their height)
    budget_line = base.mark_tick(color=ui.ink(), thickness=2, size=24).encode(x=alt.datum(100))
    # Streamlit fits the whole chart (axes and legend too) into the height: room for both below
    return (actual + forecast + budget_line).properties(height=26 * len(frame) + 150)


def budgets(context: ui.PageContext) -> None:
    with ui.section("Budget against actual"):
        months = queries.budget_months()
        if not months:
            st.info("No budgets: add a budgets.csv to the raw folder (see the README).")
            return
        default_month = context.span.current_month if context.span.current_month in months else max(months)
        left, right = st.columns([1, 1])
        with left:
            month = ui.month_picker(months, label="Budget month", name="month", default=default_month)
        frame = queries.budgets(context.rows, month)
        types = sorted(set(frame["scope_type"])) if not frame.empty else []
        type_key = state.bind(
            "scope_type",
            default=ALL_TYPES,
            parse=state.parse_one,
            dump=state.dump_one,
            valid=state.one_of([ALL_TYPES, *types]),
        )
        scope_type = right.selectbox(
            "Scope type",
            [ALL_TYPES, *types],
            key=type_key,
            format_func=lambda t: "every scope type" if t == ALL_TYPES else t,
        )
        value_key = state.bind("scope_value", default=None, parse=state.parse_one, dump=state.dump_one)
        highlighted = st.session_state[value_key]
        if frame.empty:
            st.info("No budget in your rows for this month.")
            return
        previous = queries.budgets(context.rows, add_months(month, -1))
        shown = frame if scope_type == ALL_TYPES else frame[frame["scope_type"] == scope_type]
        columns = queries.budget_scope_columns()
        shown = shown.assign(
            name=[
                context.label(columns.get(t, t), v)
                for t, v in zip(shown["scope_type"], shown["scope_value"], strict=True)
            ]
        )
        shown = shown.assign(scope=shown["scope_type"] + " · " + shown["name"])
        headline(shown, previous if scope_type == ALL_TYPES else previous[previous["scope_type"] == scope_type], month)
        basis = frame["cost_basis"].iloc[0]
        state_text = {"current": "current month", "closed": "closed month", "future": "future month"}
        st.caption(
            f"**Cost basis:** {ui.BASIS_TEXT.get(basis, basis)} (`budget_cost_basis: {basis}`). Actuals as of "
            f"{ui.day_label(frame['as_of_date'].iloc[0])} "
            f"({state_text.get(frame['month_state'].iloc[0], frame['month_state'].iloc[0])})."
        )
        if highlighted:
            focus = shown[shown["scope_value"] == highlighted]
            if not focus.empty:
                row = focus.iloc[0]
                st.markdown(
                    f"**{row['scope']}**: {ui.money(row['actual_usd'])} of {ui.money(row['budget_usd'])} "
                    f"({row['pct_of_budget']:.0f} %), forecast {ui.money(row['forecast_usd'])} "
                    f"({row['forecast_pct_of_budget']:.0f} %): **{row['status']}**, forecast "
                    f"**{row['forecast_status']}**."
                )
        ui.chart_and_table(
            budget_chart(shown, highlighted),
            shown,
            {
                "scope_type": "Scope",
                "name": "Name",
                "budget_usd": ui.money_column("Budget"),
                "actual_usd": ui.money_column("Actual"),
                "pct_of_budget": st.column_config.NumberColumn("% of budget", format="%.0f%%"),
                "forecast_usd": ui.money_column("Forecast"),
                "forecast_pct_of_budget": st.column_config.NumberColumn("Forecast % of budget", format="%.0f%%"),
                "status": "Status",
                "forecast_status": "Forecast status",
            },
        )
        st.caption(
            "Bar: actual as a share of the budget (colour = status). Diamond: month-end forecast. Line: the "
            "budget. A highlighted budget has an outline."
        )


def headline(frame: pd.DataFrame, previous: pd.DataFrame, month: date) -> None:
    def counts(rows: pd.DataFrame) -> dict[str, int]:
        return {
            "over": int((rows["status"] == "over").sum()),
            "warning": int((rows["status"] == "warning").sum()),
            "forecast_over": int(((rows["forecast_status"] == "over") & (rows["status"] != "over")).sum()),
            "forecast_warning": int(((rows["forecast_status"] == "warning") & (rows["status"] == "ok")).sum()),
        }

    now, before = counts(frame), counts(previous) if not previous.empty else {}
    label = f"{add_months(month, -1):%B}"
    cells = st.columns(5)
    ui.metric(cells[0], "Budgets", f"{len(frame)}")
    for cell, key, title, help_text in (
        (cells[1], "over", "Over budget", "Actual above the budget."),
        (cells[2], "warning", "At warning", "Actual above the warning share of the budget."),
        (cells[3], "forecast_over", "Forecast over", "Not over yet; the month-end forecast is."),
        (
            cells[4],
            "forecast_warning",
            "Forecast warning",
            "Ok today; the month-end forecast crosses the warning line.",
        ),
    ):
        ui.metric(
            cell,
            title,
            f"{now[key]}",
            current=now[key],
            previous=before.get(key),
            kind="count",
            previous_label=label,
            help=help_text,
        )


def anomalies(context: ui.PageContext) -> None:
    with ui.section("Cost spikes"):
        day_key = state.bind("day", default=None, parse=state.parse_day, dump=lambda d: [d.isoformat()] if d else [])
        dimension_key = state.bind("dimension", default=None, parse=state.parse_one, dump=state.dump_one)
        value_key = state.bind("value", default=None, parse=state.parse_one, dump=state.dump_one)
        flagged = queries.anomalies(context.rows)
        days = flagged["cost_date"].nunique()
        series_count = len(flagged[["dimension", "dimension_value"]].drop_duplicates())
        st.metric(
            f"Days with a cost spike, {ui.period_label(context.rows.start, context.rows.end)}",
            f"{days}",
            help="A day counts once however many series spiked on it.",
        )
        if not flagged.empty:
            st.caption(
                f"{len(flagged)} flagged series-days over {days} day{'s' if days != 1 else ''} "
                f"({series_count} series). Pick one to see its daily cost."
            )
            table = flagged.assign(
                what=[ui.dimension_label(d) for d in flagged["dimension"]],
                name=[
                    context.label(d, v) for d, v in zip(flagged["dimension"], flagged["dimension_value"], strict=True)
                ],
                sigmas=flagged["score"],
            )
            picked = ui.table(
                table,
                {
                    "cost_date": st.column_config.DateColumn("Day", format="D MMM YYYY"),
                    "what": "Dimension",
                    "name": "Value",
                    "cost_usd": ui.money_column("Cost"),
                    "expected_usd": ui.money_column("Expected"),
                    "excess_usd": ui.money_column("Excess"),
                    "sigmas": st.column_config.NumberColumn(
                        "How unusual", format="%.1f σ", help="Robust standard deviations above the trailing median."
                    ),
                },
                key="anomaly-table",
                select=True,
                height=None if len(table) <= 8 else 320,
            )
            if picked is not None:
                row = flagged.iloc[picked]
                st.session_state[day_key] = row["cost_date"]
                st.session_state[dimension_key] = row["dimension"]
                st.session_state[value_key] = row["dimension_value"]
        elif st.session_state[dimension_key] is None:
            st.success("No day's cost stood out from its trailing 28 days in this period.")
            return
        dimension, value, day = (st.session_state[key] for key in (dimension_key, value_key, day_key))
        if dimension is None or value is None:
            if flagged.empty:
                return
            # nothing picked: the newest spike, without writing it into the URL
            first = flagged.iloc[0]
            dimension, value, day = first["dimension"], first["dimension_value"], first["cost_date"]
        series(context, dimension, value, day)


def series(context: ui.PageContext, dimension: str, value: str, day: date | None) -> None:
    frame = queries.anomaly_series(context.rows, dimension, value)
    if frame.empty:
        st.info("That series is not in your rows.")
        return
    frame["is_anomaly"] = frame["is_anomaly"].astype(bool)
    label = context.label(dimension, value)
    st.markdown(f"**Daily cost of {ui.dimension_label(dimension).lower()} {label}**")
    if day is not None:
        chosen = frame[frame["cost_date"] == day]
        if not chosen.empty:
            row = chosen.iloc[0]
            cells = st.columns(4)
            ui.metric(cells[0], f"Cost on {ui.day_label(day)}", ui.money(row["cost_usd"]))
            ui.metric(cells[1], "Expected (trailing median)", ui.money(row["expected_usd"]))
            ui.metric(cells[2], "Excess", ui.money(row["excess_usd"]))
            score = f"{row['score']:.1f} σ" if pd.notna(row["score"]) else "—"
            ui.metric(
                cells[3],
                "How unusual",
                score,
                help="Robust z-score: (cost − expected) ÷ the window's robust standard deviation.",
            )
    chart = ui.band_chart(
        frame,
        day="cost_date",
        actual="cost_usd",
        expected="expected_usd",
        lower="expected_low_usd",
        upper="expected_high_usd",
        flag="is_anomaly",
    )
    if day is not None:
        marker = (
            alt.Chart(pd.DataFrame({"cost_date": [pd.Timestamp(day)]}))
            .mark_rule(color=ui.muted(), strokeDash=[2, 2])
            .encode(x="cost_date:T")
        )
        chart = chart + marker
    ui.chart_and_table(
        chart,
        frame,
        {
            "cost_date": st.column_config.DateColumn("Day"),
            "cost_usd": ui.money_column("Cost"),
            "expected_usd": ui.money_column("Expected (trailing median)"),
            "expected_low_usd": ui.money_column("Band low"),
            "expected_high_usd": ui.money_column("Band high"),
            "score": st.column_config.NumberColumn("Robust z-score", format="%.1f"),
            "is_anomaly": st.column_config.CheckboxColumn("Spike"),
        },
    )
    threshold = frame["anomaly_threshold"].dropna()
    excess = frame["anomaly_min_excess_usd"].dropna()
    if not threshold.empty:
        st.caption(
            f"Band: expected ± {threshold.iloc[0]:g} robust standard deviations of the trailing days; a day is "
            f"a spike above the band and at least {ui.money(excess.iloc[0])} over expected. Dashed line: "
            "expected; red points: spikes."
        )
    if day is not None:
        filter_param = {"customer_id": "customer"}.get(dimension, dimension)
        ui.link(
            "calls",
            f"The calls of {label} on {ui.day_label(day)}",
            icon=":material/list:",
            day=day.isoformat(),
            **{filter_param: [value]},
        )


def body(context: ui.PageContext) -> None:
    budgets(context)
    anomalies(context)


ui.run_page(body, title="Budgets and anomalies", question=QUESTION)
