"""Features and agents: what one interaction, one resolved ticket, one task costs, and why."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from costapp import queries, ui

QUESTION = "**What does one interaction, one resolved ticket, one agent task cost, and why?**"


def pick_month(span: queries.DataSpan) -> date:
    months = queries.usage_months()
    complete = [month for month in months if month < span.current_month]
    default = sorted(months, reverse=True).index(complete[-1]) if complete else 0
    return ui.month_picker(months, label="Month", key="features-month", default_index=default)


def features(month: date) -> None:
    with ui.section("Cost per interaction and per outcome, by feature"):
        frame = queries.feature_economics(month)
        if frame.empty:
            st.info("No product usage this month.")
            return
        outcomes = queries.outcome_economics(month)
        tickets = outcomes[outcomes["outcome_type"] == "ticket_resolved"]
        cost = float(frame["ai_cost_usd"].sum())
        interactions = int(frame["interactions"].sum())
        first, second, third = st.columns(3)
        first.metric("Product AI cost", ui.money(cost), border=True)
        second.metric(
            "Average cost per interaction",
            ui.unit_money(cost / interactions if interactions else None),
            help="Fully loaded product AI cost ÷ interactions (traces).",
            border=True,
        )
        if not tickets.empty:
            row = tickets.sort_values("outcomes", ascending=False).iloc[0]
            third.metric(
                f"Cost per resolved ticket ({row['feature']})",
                ui.unit_money(row["cost_per_outcome"]),
                help="All the feature's AI cost ÷ tickets it resolved (unresolved work included).",
                border=True,
            )
        chart = ui.bar_chart(
            frame[frame["interactions"] > 0],
            category="feature",
            value="cost_per_interaction",
            category_title="Feature",
            value_title="Cost per interaction",
            value_format="$,.3f",
        )
        ui.chart_and_table(
            chart,
            frame,
            {
                "feature": "Feature",
                "team": "Team",
                "ai_cost_usd": ui.money_column("AI cost"),
                "share_of_spend": ui.percent_column("Share of product spend"),
                "interactions": ui.count_column("Interactions"),
                "cost_per_interaction": ui.money_column("Cost per interaction", unit=True),
                "outcomes": ui.count_column("Outcomes"),
                "cost_per_outcome": ui.money_column("Cost per outcome", unit=True),
            },
        )
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
                },
            )


def call_roles(month: date) -> None:
    with ui.section("What routing, evaluation and guardrails add per interaction"):
        frame = queries.cost_per_interaction_by_role(month)
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
        chart = (
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y("feature:N", sort="-x", title="Feature"),
                x=alt.X("sum(cost_usd):Q", title="Usage cost per interaction", axis=alt.Axis(format="$,.3f")),
                color=alt.Color("call_role:N", title="Call role", sort=[role for role, _ in queries.ROLE_COLUMNS]),
                order=alt.Order("order:Q"),
                tooltip=[
                    alt.Tooltip("feature:N", title="Feature"),
                    alt.Tooltip("call_role:N", title="Call role"),
                    alt.Tooltip("cost_usd:Q", title="Per interaction", format="$,.4f"),
                ],
            )
            .properties(height=min(34 * len(frame) + 60, 460))
        )  # fmt: skip
        config = {"feature": "Feature", "interactions": ui.count_column("Interactions"),
                  "cost_per_interaction": ui.money_column("Usage cost per interaction", unit=True)}  # fmt: skip
        for role, column in queries.ROLE_COLUMNS:
            config[column] = ui.money_column(f"{role} per interaction", unit=True)
        config["overhead_share"] = ui.percent_column("Share that is not the primary call")
        ui.chart_and_table(chart, frame, config)
        st.caption(
            "Product usage (prod, external), usage cost after discounts and cache pooling; shared "
            "pools are not per call and are left out here."
        )


def agents(month: date) -> None:
    with ui.section("Cost per task, by agent"):
        frame = queries.agent_economics(month)
        if frame.empty:
            st.info("No agent usage this month.")
            return
        chart = ui.bar_chart(
            frame[frame["tasks"] > 0],
            category="agent",
            value="cost_per_task",
            category_title="Agent",
            value_title="Cost per task",
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


def model_mix(month: date) -> None:
    with ui.section("Model mix and the routing opportunity"):
        frame = queries.model_mix(month)
        if frame.empty:
            st.info("No model usage this month.")
            return
        render_model_mix(frame)


def render_model_mix(frame: pd.DataFrame) -> None:
    """Where the spend goes by model, and what the same tokens would cost on the cheapest model."""
    frame = frame.assign(label=frame["provider"] + " / " + frame["model"])
    for column in ("ai_cost_usd", "routing_opportunity_usd"):
        frame[column] = frame[column].astype(float).fillna(0.0)
    opportunity = float(frame["routing_opportunity_usd"].clip(lower=0).sum())
    st.metric(
        "Routing opportunity this month",
        ui.money(opportunity),
        help="List cost of each model's tokens minus their list cost on the cheapest model of the same "
        "provider and operation in use that month: the ceiling of what routing could save.",
        border=True,
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
                ui.bar_chart(movable, category="label", value="routing_opportunity_usd", category_title="Model",
                             value_title="Saving on the cheapest model", value_format="$,.2f"),
                width="stretch",
            )  # fmt: skip
    ui.table(
        frame,
        {
            "provider": "Provider",
            "model": "Model",
            "ai_cost_usd": ui.money_column("AI cost"),
            "share_of_spend": ui.percent_column("Share of spend"),
            "share_of_requests": ui.percent_column("Share of calls"),
            "calls": ui.count_column("Calls"),
            "avg_cost_per_call": ui.money_column("Cost per call", unit=True),
            "cheapest_model": "Cheapest model of the provider",
            "cost_at_list_usd": ui.money_column("List cost"),
            "cost_on_cheapest_model_usd": ui.money_column("List cost on the cheapest"),
            "routing_opportunity_usd": ui.money_column("Routing opportunity"),
        },
    )


def body() -> None:
    span = queries.data_span()
    if span is None:
        st.info("The warehouse holds no priced calls yet.")
        return
    month = pick_month(span)
    features(month)
    call_roles(month)
    agents(month)
    model_mix(month)


ui.run_page(body, title="Features and agents", question=QUESTION)
