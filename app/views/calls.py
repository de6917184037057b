"""Calls and traces: the rows behind every figure. From a day, a customer, a feature or a spike to
its traces; a trace to its calls (role, model, tokens, cost); a call to its price row and how
each of its dimensions was resolved."""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import PurePath

import pandas as pd
import streamlit as st

from costapp import chrome, queries, state, ui
from costapp.filters import GLOBAL_FILTERS

QUESTION = "**Which calls make up this cost?** Pick a trace to see its calls, and a call to see how it was priced."
TRACES_SHOWN = 200
SOURCE_WORDS = {
    "is_own_tag": "its own tag",
    "is_from_trace": "its trace's primary call",
    "is_from_api_key": "its api key",
    "is_from_feature_owners": "the feature's owners",
}


def _key(prefix: str, values: pd.Series) -> str:
    """A widget key that changes with the rows shown, so a selection never points at another row."""
    return f"{prefix}-{zlib.crc32('|'.join(map(str, values)).encode()):08x}"


def period(context: ui.PageContext) -> tuple[date, date]:
    day_key = state.bind(
        "day",
        default=None,
        parse=state.parse_day,
        dump=lambda d: [d.isoformat()] if d else [],
        valid=lambda d: d is None or context.span.first_day <= d <= context.span.last_day,
    )
    day = st.session_state[day_key]
    if day is None:
        return context.rows.start, context.rows.end
    left, right = st.columns([3, 1])
    left.caption(f"Showing **{ui.day_label(day)}** only (from the link), not the sidebar's period.")
    if right.button("Use the sidebar's period", key="calls-clear-day"):
        st.session_state[day_key] = None
        st.rerun()
    return day, day


def headline(rows) -> None:
    totals = queries.call_totals(rows)
    before = queries.call_totals(rows.previous_period())
    cells = st.columns(4)
    ui.metric(
        cells[0],
        "Usage cost of these calls",
        ui.money(totals["usage_cost_usd"]),
        current=totals["usage_cost_usd"],
        previous=before["usage_cost_usd"],
        previous_label="previous period",
        help="After discounts and cache pooling; shared pools are booked by month and not per call.",
    )
    ui.metric(
        cells[1],
        "Calls",
        f"{int(totals['calls']):,}",
        current=totals["calls"] or None,
        previous=before["calls"] or None,
        previous_label="previous period",
        cost_up_is_bad=False,
    )
    ui.metric(cells[2], "Traces (interactions)", f"{int(totals['traces']):,}")
    ui.metric(cells[3], "List cost", ui.money(totals["list_cost_usd"]))


def by_model(context: ui.PageContext, rows) -> None:
    with ui.section():
        frame = queries.daily_usage_cost(rows, by="model").rename(columns={"usage_date": "period_start"})
        if frame.empty:
            return
        config = {
            "period_start": st.column_config.DateColumn("Day", format="D MMM YYYY"),
            "value": "Model",
            "cost_usd": ui.money_column("Usage cost"),
        }
        domain = context.domain("model")
        if rows.start == rows.end:  # one day: the models side by side
            totals = frame.groupby("value", as_index=False)["cost_usd"].sum()
            chart = ui.bar_chart(
                totals,
                category="value",
                value="cost_usd",
                category_title="Model",
                value_title="Usage cost",
                colour="value",
                colour_scale=ui.colour_scale(list(totals["value"]), domain),
            )
        else:
            frame = ui.fold_series(frame, series="value", value="cost_usd", top=8)
            frame = frame.groupby(["period_start", "value"], as_index=False)["cost_usd"].sum()
            chart = ui.stacked_trend(
                frame,
                value="cost_usd",
                series="value",
                series_title="Model",
                value_title="Usage cost per day",
                domain=domain,
            ).properties(height=220)
        ui.chart_and_table(chart, frame, config)


def trace_list(context: ui.PageContext, rows) -> str | None:
    st.subheader("Costliest traces")
    frame = queries.traces(rows, limit=TRACES_SHOWN)
    trace_key = state.bind("trace", default=None, parse=state.parse_one, dump=state.dump_one)
    if frame.empty:
        st.info("No trace started in this period for these filters.")
        return st.session_state[trace_key]
    frame["customer"] = [context.customer(value) for value in frame["customer_id"]]
    config = {
        "trace_id": "Trace",
        "started_at": st.column_config.DatetimeColumn("Started", format="D MMM HH:mm"),
        "customer": "Customer",
        "feature": "Feature",
        "agent": "Agent",
        "calls": ui.count_column("Calls"),
        "models_used": ui.count_column("Models"),
        "cost_usd": ui.money_column("Usage cost"),
        "overhead_cost_usd": ui.money_column("Routing, evaluation, tools"),
    }
    picked = ui.table(frame, config, key=_key("traces", frame["trace_id"]), select=True, height=320)
    if picked is not None:
        chosen = frame.iloc[picked]["trace_id"]
        if chosen != st.session_state[trace_key]:
            st.session_state[trace_key] = chosen
            state.set_value("call", None)
    st.caption(
        f"The {min(len(frame), TRACES_SHOWN)} costliest traces that started in the period; pick one (the "
        "box at the left of a row) to see its calls."
    )
    ui.csv_download(
        frame[list(config)], label="Download these traces as CSV", file_name="traces.csv", key="traces-download"
    )
    return st.session_state[trace_key]


def trace_detail(context: ui.PageContext, trace_id: str) -> None:
    found = queries.trace(context.rows, trace_id)
    if found is None:
        st.info("That trace is not in your rows.")
        return
    st.subheader(f"Trace {trace_id}")
    st.caption(
        f"{context.customer(found['customer_id'])} · feature {found['feature']} · agent {found['agent']} · "
        f"started {pd.Timestamp(found['started_at']):%-d %b %Y %H:%M:%S} UTC"
    )
    calls = queries.trace_calls(context.rows, trace_id)
    cells = st.columns(3)
    ui.metric(cells[0], "Trace cost (usage)", ui.money(found["cost_usd"]))
    ui.metric(cells[1], "Calls", f"{len(calls):,}")
    ui.metric(cells[2], "Routing, evaluation and tools", ui.money(found["overhead_cost_usd"]))
    config = {
        "occurred_at": st.column_config.DatetimeColumn("At", format="HH:mm:ss"),
        "request_id": "Call",
        "call_role": "Role",
        "provider": "Provider",
        "model": "Model",
        "input_tokens": ui.count_column("Input tokens"),
        "output_tokens": ui.count_column("Output tokens"),
        "cache_read_tokens": ui.count_column("Cache reads"),
        "latency_ms": ui.count_column("Latency ms"),
        "status": "Status",
        "pooled_cost_usd": ui.money_column("Cost", unit=True),
    }
    picked = ui.table(calls, config, key=_key("calls", calls["request_id"]), select=True)
    call_key = state.bind("call", default=None, parse=state.parse_one, dump=state.dump_one)
    if picked is not None:
        st.session_state[call_key] = calls.iloc[picked]["request_id"]
    ui.csv_download(
        calls[list(config)],
        label="Download these calls as CSV",
        file_name=f"trace_{trace_id}.csv",
        key="trace-download",
    )
    if st.session_state[call_key]:
        call_detail(context, st.session_state[call_key])


def _price(value) -> str:
    return "—" if pd.isna(value) else f"${float(value):,.4f} / M tokens"


def call_detail(context: ui.PageContext, request_id: str) -> None:
    found = queries.call(context.rows, request_id)
    if found is None:
        st.info("That call is not in your rows.")
        return
    st.subheader(f"Call {request_id}")
    left, right = st.columns(2)
    with left:
        st.markdown("**How it was priced**")
        match = {"exact": "matched exactly", "alias": "through model_aliases.csv", "family": "through its model family"}
        lines = [
            f"- {found['provider']} / {found['model']} priced as **{found['priced_model']}** "
            f"({match.get(found['price_match'], found['price_match'])}), rate card row in force from "
            f"{ui.day_label(found['rate_effective_from'])}"
            + (" (long-context tier)" if found["is_long_context"] else "")
            + (" (batch prices)" if found["is_batch"] else ""),
            f"- input {_price(found['applied_input_usd_per_mtok'])}, "
            f"output {_price(found['applied_output_usd_per_mtok'])}, "
            f"cache read {_price(found['applied_cache_read_usd_per_mtok'])}, "
            f"cache write {_price(found['applied_cache_write_usd_per_mtok'])}",
            f"- tokens: {int(found['uncached_input_tokens']):,} uncached input + {int(found['cache_read_tokens']):,} "
            f"cache reads + {int(found['cache_write_tokens']):,} cache writes, {int(found['output_tokens']):,} output",
            f"- list cost {ui.unit_money(found['list_cost_usd'])} (input {ui.unit_money(found['input_cost_usd'])} + "
            f"output {ui.unit_money(found['output_cost_usd'])})",
            f"- after the negotiated discount ({float(found['discount_pct'] or 0):g} %): "
            f"{ui.unit_money(found['effective_cost_usd'])}",
            f"- after cache pooling (what it is billed): **{ui.unit_money(found['pooled_cost_usd'])}**; cache savings "
            f"{ui.unit_money(found['cache_savings_usd'])}",
            f"- from {found['source_name']} file {PurePath(str(found['source_file'])).name}, "
            f"line {found['line_number']}",
        ]
        st.markdown("\n".join(lines))
    with right:
        st.markdown("**How each dimension was resolved**")
        with ui.section():
            sources = queries.call_dimension_sources(context.rows, request_id)
            if sources.empty:
                st.info("No resolution details for this call.")
                return
            sources["supplied_by"] = [
                ", ".join(words for column, words in SOURCE_WORDS.items() if row[column])
                or ("nothing: untagged" if row["resolved_value"] == "unattributed" else "—")
                for _, row in sources.iterrows()
            ]
            ui.table(
                sources,
                {
                    "dimension": "Dimension",
                    "resolved_value": "Value",
                    "supplied_by": "Found in",
                    "own_tag": "Own tag",
                    "trace_value": "Trace's primary call",
                    "api_key_value": "Api key",
                    "feature_owner_value": "Feature owners",
                },
            )
            speaker = sources["speaker_request_id"].iloc[0]
            st.caption(
                f"Api key alias: {found['api_key_alias']}. The trace's primary call is "
                f"{'this call' if speaker == request_id else speaker}. The order the sources are tried in is "
                "the contract's: own tag, the trace's primary call, the api key, the feature's owners."
            )


def body(context: ui.PageContext) -> None:
    start, end = period(context)
    extra = chrome.dimension_filters(
        context, [c for c in queries.explore_columns() if c not in GLOBAL_FILTERS], title="Filters on more dimensions"
    )
    rows = context.rows.with_period(start, end).with_filters(**extra)
    filtered = ui.filters_caption(ui.PageContext(rows, context.viewer, context.span, context.names))
    headline(rows)
    ui.basis_caption("usage", f"{ui.period_label(start, end)}{'; ' + filtered if filtered else ''}.")
    by_model(context, rows)
    trace_id = trace_list(context, rows)
    if trace_id:
        trace_detail(context, trace_id)


ui.run_page(body, title="Calls and traces", question=QUESTION)
