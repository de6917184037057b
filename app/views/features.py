"""Features and agents: what one interaction, one resolved ticket, one task costs, and why."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui
from costapp.filters import add_months

QUESTION = "**What does one interaction, one resolved ticket, one agent task cost, and why?**"


def pick_month(context: ui.PageContext, months: list[date]) -> date:
    # every month is offered; the default is the period's last complete month
    in_period = [month for month in months if month in context.rows.months()] or months
    complete = [m for m in in_period if m < context.span.current_month or context.span.is_current_month_complete]
    month = ui.month_picker(months, label="Month", name="month", default=max(complete or in_period))
    if month == context.span.current_month and not context.span.is_current_month_complete:
        st.caption(
            f"{ui.month_label(month)} is still running (data to {ui.day_label(context.span.last_day)}): "
            "its figures are month to date."
        )
    return month


def headline(context: ui.PageContext, history: pd.DataFrame, month: date) -> None:
    this = history[history["month"] == month]
    before = history[history["month"] == add_months(month, -1)]
    label = f"{add_months(month, -1):%B}"

    def per_interaction(frame: pd.DataFrame) -> float | None:
        interactions = int(frame["interactions"].sum())
        return float(frame["ai_cost_usd"].sum()) / interactions if interactions else None

    cost = float(this["ai_cost_usd"].sum())
    first, second, third = st.columns(3)
    ui.metric(
        first,
        "Product AI cost",
        ui.money(cost),
        current=cost,
        previous=float(before["ai_cost_usd"].sum()) if not before.empty else None,
        previous_label=label,
    )
    ui.metric(
        second,
        "Average cost per interaction",
        ui.unit_money(per_interaction(this)),
        current=per_interaction(this),
        previous=per_interaction(before) if not before.empty else None,
        previous_label=label,
        help="Fully loaded product AI cost ÷ interactions (traces).",
    )
    with ui.section():
        outcomes = queries.outcome_economics(context.rows, month)
        tickets = outcomes[outcomes["outcome_type"] == "ticket_resolved"]
        if not tickets.empty:
            row = tickets.sort_values("outcomes", ascending=False).iloc[0]
            earlier = queries.outcome_economics(context.rows, add_months(month, -1))
            earlier = earlier[(earlier["feature"] == row["feature"]) & (earlier["outcome_type"] == "ticket_resolved")]
            ui.metric(
                third,
                f"Cost per resolved ticket ({row['feature']})",
                ui.unit_money(row["cost_per_outcome"]),
                current=row["cost_per_outcome"],
                previous=earlier["cost_per_outcome"].iloc[0] if not earlier.empty else None,
                previous_label=label,
                help="All the feature's AI cost ÷ tickets it resolved (unresolved work included).",
            )


def features(context: ui.PageContext, history: pd.DataFrame, month: date) -> None:
    with ui.section("Cost per interaction and per outcome, by feature"):
        frame = history[history["month"] == month].sort_values("ai_cost_usd", ascending=False)
        if frame.empty:
            st.info("No product usage this month.")
            return
        domain = context.domain("feature")
        measured = frame[frame["interactions"] > 0]
        chart = ui.bar_chart(
            measured,
            category="feature",
            value="cost_per_interaction",
            category_title="Feature",
            value_title="Cost per interaction (fully loaded)",
            value_format="$,.3f",
            colour="feature",
            colour_scale=ui.colour_scale(list(measured["feature"]), domain),
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "feature": "Feature",
                "team": "Team",
                "ai_cost_usd": ui.money_column("AI cost"),
                "usage_cost_usd": ui.money_column("Usage only"),
                "share_of_spend": ui.percent_column("Share of spend"),
                "interactions": ui.count_column("Interactions"),
                "cost_per_interaction": ui.money_column("Cost per interaction", unit=True),
                "outcomes": ui.count_column("Outcomes"),
                "cost_per_outcome": ui.money_column("Cost per outcome", unit=True),
            },
        )
        outcomes = queries.outcome_economics(context.rows, month)
        if not outcomes.empty:
            st.markdown("**Cost per outcome, by outcome type**")
            ui.table(
                outcomes,
                {
                    "feature": "Feature",
                    "outcome_type": "Outcome",
                    "outcomes": ui.count_column("Outcomes"),
                    "ai_cost_usd": ui.money_column("Feature AI cost"),
                    "cost_per_outcome": ui.money_column("Cost per outcome", unit=True),
                    "usage_cost_per_outcome": ui.money_column("Usage only, per outcome", unit=True),
                },
            )


def trend(context: ui.PageContext, history: pd.DataFrame) -> None:
    with ui.section("Product AI cost by feature and month"):
        frame = history.rename(columns={"feature": "value"})
        frame = ui.fold_series(frame, series="value", value="ai_cost_usd")
        frame = frame.groupby(["month", "value"], as_index=False)["ai_cost_usd"].sum()
        frame = ui.period_axis(
            frame, period="month", grain="Month", first_day=context.span.first_day, last_day=context.span.last_day
        )
        chart = ui.stacked_trend(
            frame,
            value="ai_cost_usd",
            series="value",
            series_title="Feature",
            value_title="AI cost (product, fully loaded)",
            domain=context.domain("feature"),
            grain="Month",
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
                "value": "Feature",
                "ai_cost_usd": ui.money_column("AI cost"),
            },
        )
        ui.partial_caption(frame, context.span.first_day, context.span.last_day)


def call_roles(context: ui.PageContext, month: date) -> None:
    with ui.section("What routing, evaluation and guardrails add per interaction"):
        frame = queries.cost_per_interaction_by_role(context.rows, month)
        if frame.empty:
            st.info("No product interactions this month.")
            return
        long = frame.melt(
            id_vars=["feature"],
            value_vars=[column for _, column in queries.ROLE_COLUMNS],
            var_name="role_column",
            value_name="cost_usd",
        )
        labels = {column: role for role, column in queries.ROLE_COLUMNS}
        long["call_role"] = long["role_column"].map(labels)
        long["order"] = long["role_column"].map({column: i for i, (_, column) in enumerate(queries.ROLE_COLUMNS)})
        roles = [role for role, _ in queries.ROLE_COLUMNS]
        chart = (
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y("feature:N", sort="-x", title="Feature", axis=alt.Axis(labelOverlap=False)),
                x=alt.X("sum(cost_usd):Q", title="Usage cost per interaction", axis=alt.Axis(format="$,.3f")),
                color=alt.Color(
                    "call_role:N",
                    title="Call role",
                    sort=roles,
                    scale=alt.Scale(
                        domain=roles, range=[ui.PALETTE[0], ui.PALETTE[1], ui.PALETTE[6], ui.PALETTE[3], ui.PALETTE[4]]
                    ),
                    legend=alt.Legend(orient="bottom"),
                ),
                order=alt.Order("order:Q"),
                tooltip=[
                    alt.Tooltip("feature:N", title="Feature"),
                    alt.Tooltip("call_role:N", title="Call role"),
                    alt.Tooltip("cost_usd:Q", title="Per interaction", format="$,.4f"),
                ],
            )
            .properties(height=max(30 * len(frame) + 80, 160))
        )
        config = {
            "feature": "Feature",
            "interactions": ui.count_column("Interactions"),
            "cost_per_interaction": ui.money_column("Usage cost per interaction", unit=True),
        }
        for role, column in queries.ROLE_COLUMNS:
            config[column] = ui.money_column(f"{role} per interaction", unit=True)
        config["overhead_share"] = ui.percent_column("Share that is not the primary call")
        ui.chart_and_table(chart, frame, config)
        ui.basis_caption(
            "usage",
            "Product interactions; the shared pools are not per call, so this chart's "
            "scale is below the fully loaded cost per interaction above.",
        )


def agents(context: ui.PageContext, month: date) -> None:
    with ui.section("Cost per task, by agent"):
        frame = queries.agent_economics(context.rows, month)
        if frame.empty:
            st.info("No agent usage this month.")
            return
        chart = ui.bar_chart(
            frame[frame["tasks"] > 0],
            category="agent",
            value="cost_per_task",
            category_title="Agent",
            value_title="Cost per task (fully loaded)",
            value_format="$,.3f",
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "agent": "Agent",
                "ai_cost_usd": ui.money_column("AI cost"),
                "runs": ui.count_column("Runs"),
                "tasks": ui.count_column("Tasks"),
                "cost_per_task": ui.money_column("Cost per task", unit=True),
                "calls_per_task": st.column_config.NumberColumn("Calls per task", format="%.1f"),
                "cost_per_run": ui.money_column("Cost per run", unit=True),
            },
        )


def model_label(provider: str, model: str) -> str:
    return "Shared pools (no single model)" if provider == "shared" and model == "shared" else f"{provider} / {model}"


def model_mix(context: ui.PageContext, month: date) -> None:
    with ui.section("Model mix and the routing opportunity"):
        try:
            frame = queries.model_mix(context.rows, month)
        except queries.NotInSlice:
            frame = None
        if frame is None:
            # the routing opportunity is company-wide; the cost by model can still be sliced
            cost = queries.product_cost_by(context.rows.with_period(month, month), "model")
            st.caption(
                "The routing opportunity is computed for the whole company; with filters or a scope only "
                "the cost by model is shown."
            )
            if not cost.empty:
                st.altair_chart(
                    ui.bar_chart(
                        cost,
                        category="value",
                        value="ai_cost_usd",
                        category_title="Model",
                        value_title="AI cost (product, fully loaded)",
                    ),
                    width="stretch",
                )
            return
        if frame.empty:
            st.info("No model usage this month.")
            return
        render_model_mix(frame, month)


def render_model_mix(frame: pd.DataFrame, month: date) -> None:
    """Where the spend goes by model, and what the same tokens would cost on the cheapest model."""
    frame = frame.assign(label=[model_label(p, m) for p, m in zip(frame["provider"], frame["model"], strict=True)])
    frame["routing_opportunity_usd"] = frame["routing_opportunity_usd"].fillna(0.0)
    frame["cheapest_model"] = frame["cheapest_model"].fillna("—")
    opportunity = float(frame["routing_opportunity_usd"].clip(lower=0).sum())
    st.metric(
        f"Routing opportunity, {ui.month_label(month)}",
        ui.money(opportunity),
        border=True,
        help="List cost of each model's tokens minus their list cost on the cheapest model of the same "
        "provider and operation in use that month: the ceiling of what routing could save.",
    )
    left, right = st.columns(2)
    with left:
        st.markdown("**AI cost by model** (product usage, fully loaded)")
        st.altair_chart(
            ui.bar_chart(frame, category="label", value="ai_cost_usd", category_title="Model", value_title="AI cost"),
            width="stretch",
        )
    with right:
        st.markdown("**Routing opportunity by model**")
        movable = frame[frame["routing_opportunity_usd"] > 0]
        if movable.empty:
            st.info("Every model in use is already the cheapest of its provider.")
        else:
            st.altair_chart(
                ui.bar_chart(
                    movable,
                    category="label",
                    value="routing_opportunity_usd",
                    category_title="Model",
                    value_title="Saving on the cheapest model",
                    value_format="$,.2f",
                ),
                width="stretch",
            )
    ui.table(
        frame,
        {
            "label": "Model",
            "ai_cost_usd": ui.money_column("AI cost"),
            "share_of_spend": ui.percent_column("Spend"),
            "share_of_requests": ui.percent_column("Calls"),
            "avg_cost_per_call": ui.money_column("Per call", unit=True),
            "cheapest_model": "Cheapest of the provider",
            "routing_opportunity_usd": ui.money_column("Opportunity"),
        },
    )


def body(context: ui.PageContext) -> None:
    history = queries.feature_economics(context.rows, period=False)
    if history.empty:
        st.info("No product usage for these filters.")
        return
    month = pick_month(context, sorted(set(history["month"])))
    headline(context, history, month)
    filtered = ui.filters_caption(context)
    ui.basis_caption("product", filtered + "." if filtered else "")
    features(context, history, month)
    trend(context, history)
    call_roles(context, month)
    agents(context, month)
    model_mix(context, month)


ui.run_page(body, title="Features and agents", question=QUESTION)
