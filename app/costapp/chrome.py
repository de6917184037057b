"""What surrounds every page: who is looking (and the gate that shows nothing to nobody), the
period and filters in the sidebar, and where the figures come from (build time, sources, demo)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from ai_cost_attribution import app_access
from ai_cost_attribution.app_access import AccessConfigError, Viewer
from costapp import queries, state, ui, warehouse
from costapp.filters import GLOBAL_FILTERS, Slice, add_months

# sidebar filter column -> its URL parameter
FILTER_PARAMS = {"team": "team", "feature": "feature", "customer_id": "customer"}
CUSTOM = "Custom dates"


# --- who is looking --------------------------------------------------------------------------------


def _stop(message: str, *, icon: str = ":material/lock:") -> None:
    st.title("AI cost attribution")
    st.error(message, icon=icon)
    st.stop()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def client_address() -> str | None:
    """The connection's peer: None for the loopback (Streamlit's st.context.ip_address), and None
    in AppTest, whose runtime is a stand-in without a network peer."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def identify() -> Viewer:
    """The viewer, or a page that says why there is nothing to see (then the run stops)."""
    try:
        config = app_access.load()
    except AccessConfigError as problem:
        _stop(f"The app's access file cannot be used: {problem}. Ask whoever runs the app to fix it.")
    if config is None:
        if client_address() is not None:
            _stop(
                "This app runs in single-user mode and only serves the machine it runs on. To share "
                "it, its administrator starts it with an access file (see docs/app.md)."
            )
        return Viewer(email=None, mode="single_user", grants=None)
    if config.identity == "oidc":
        if not _oidc_configured():
            _stop("The access file asks for OIDC login, but the app's secrets hold no [auth] section.")
        email, groups = app_access.oidc_identity(config, st.user.to_dict())
        if email is None:
            st.title("AI cost attribution")
            st.info("Sign in to see the figures you have access to.", icon=":material/login:")
            if st.button("Sign in", key="login", type="primary"):
                st.login(config.oidc_provider) if config.oidc_provider else st.login()
            st.stop()
    else:
        email, groups = app_access.header_identity(config, dict(st.context.headers), client_address())
        if email is None:
            _stop("No identity: this app is only reachable through its sign-in proxy.")
    viewer = app_access.viewer_for(config, email, groups)
    if not viewer.grants:
        if config.identity == "oidc" and st.button("Sign out", key="logout-denied"):
            st.logout()
        _stop(f"{email} has no access to this app. Ask its administrator for a grant.")
    return viewer


def identity_panel(viewer: Viewer) -> None:
    with st.sidebar:
        if viewer.mode == "single_user":
            st.caption(
                ":material/person: **Single-user mode**: every figure, for this machine only "
                "(127.0.0.1). Start the app with an access file to share it."
            )
            return
        st.caption(f":material/person: Signed in as **{viewer.email}**. You see {viewer.scope_summary()}.")
        if viewer.mode == "oidc" and st.button("Sign out", key="logout"):
            st.logout()


# --- the period and the filters ------------------------------------------------------------------


def presets(span: queries.DataSpan) -> dict[str, tuple[date, date]]:
    """Named periods, relative to the last day with data (the app's "today")."""
    last = span.last_day
    complete = span.current_month if span.is_current_month_complete else add_months(span.current_month, -1)
    complete_end = (pd.Timestamp(complete) + pd.offsets.MonthEnd(0)).date()

    def clamp(start: date, end: date) -> tuple[date, date]:
        return max(start, span.first_day), min(max(end, span.first_day), last)

    named = {
        "Last complete month": clamp(complete, complete_end),
        "Month to date": clamp(span.current_month, last),
        "Last 7 days": clamp(last - timedelta(days=6), last),
        "Last 30 days": clamp(last - timedelta(days=29), last),
        "Last 3 months": clamp(add_months(span.current_month, -2), last),
        "All data": (span.first_day, last),
    }
    if complete_end < span.first_day:  # no complete month yet
        named["Last complete month"] = named["Month to date"]
    return named


def _period(span: queries.DataSpan) -> tuple[date, date]:
    named = presets(span)
    default_start, default_end = named["Last complete month"]
    in_span = state.within(span.first_day, span.last_day)
    start_key = state.bind(
        "start", default=default_start, parse=state.parse_day, dump=state.dump_day, valid=in_span, always=True
    )
    end_key = state.bind(
        "end", default=default_end, parse=state.parse_day, dump=state.dump_day, valid=in_span, always=True
    )
    start, end = st.session_state[start_key], st.session_state[end_key]
    if start > end:  # a hand-edited URL: swap rather than show nothing
        start, end = end, start
        st.session_state[start_key], st.session_state[end_key] = start, end
    matching = next((name for name, bounds in named.items() if bounds == (start, end)), CUSTOM)
    st.session_state["period-preset"] = matching

    def apply_preset() -> None:
        chosen = st.session_state["period-preset"]
        if chosen in named:
            state.set_value("start", named[chosen][0])
            state.set_value("end", named[chosen][1])

    st.selectbox("Period", [*named, CUSTOM], key="period-preset", on_change=apply_preset)
    common = {"min_value": span.first_day, "max_value": span.last_day, "format": "YYYY-MM-DD"}
    start = st.date_input("From", key=start_key, **common)
    end = st.date_input("To", key=end_key, **common)
    if start > end:
        st.caption("From is after To: the two dates are read the other way round.")
        start, end = end, start
    return start, end


def _filter(column: str, options: list[str], format_func: Callable[[str], str]) -> tuple[str, ...]:
    key = state.bind(
        FILTER_PARAMS[column], default=[], parse=state.parse_many, dump=state.dump_many, valid=state.all_of(options)
    )
    chosen = st.multiselect(ui.dimension_label(column), options, key=key, format_func=format_func, placeholder="all")
    return tuple(chosen)


def sidebar(viewer: Viewer) -> ui.PageContext | warehouse.MartMissing | None:
    """Draw the period and filters and return what the page may show (None without data)."""
    try:
        warehouse.require(queries.PROVENANCE, queries.DIMENSIONS)
        span = queries.data_span()
    except warehouse.MartMissing as missing:
        return missing  # built before the app's marts existed: the page says to rebuild
    except warehouse.WarehouseUnavailable:
        return None
    if span is None:
        return None
    scope = Slice(span.first_day, span.last_day, grants=viewer.row_grants())
    try:
        values = queries.dimension_values(scope, queries.explore_columns())
        names = queries.customer_names(scope)
    except queries.OutOfScope:
        values, names = {}, {}
    context = ui.PageContext(rows=scope, viewer=viewer, span=span, names=names, values=values)
    with st.sidebar:
        st.markdown("**Period and filters**")
        start, end = _period(span)
        filters = {}
        for column in GLOBAL_FILTERS:
            format_func = context.customer if column == "customer_id" else str
            filters[column] = _filter(column, values.get(column, []), format_func)
    context.rows = Slice(start, end, filters={k: v for k, v in filters.items() if v}, grants=viewer.row_grants())
    return context


# --- where the figures come from -----------------------------------------------------------------


def provenance(viewer: Viewer) -> None:
    """The build time, the sources and a banner on the demo company: on every page."""
    try:
        built = queries.provenance()
        sources = queries.source_counts()
    except (warehouse.WarehouseUnavailable, queries.NotInSlice):
        return
    if not built:
        return
    if bool(built.get("is_demo_company")):
        st.info(
            "**Demo company.** These figures are synthetic: a made-up company generated by "
            "`aicost demo`, not anyone's real spend.",
            icon=":material/theater_comedy:",
        )
    built_at = pd.Timestamp(built["built_at"])
    first, last = (pd.Timestamp(built[column]).date() for column in ("first_usage_date", "last_usage_date"))
    lines = [
        f"Built {built_at:%-d %b %Y %H:%M} UTC with dbt {built['dbt_version']}",
        f"Data {ui.period_label(first, last)}",
    ]
    if viewer.is_restricted:
        lines.append("Sources: " + ", ".join(sources["source_name"]))
    else:
        for row in sources.itertuples():
            lines.append(f"Source **{row.source_name}**: {row.calls:,} calls, {row.rejected_lines:,} rejected lines")
    with st.sidebar:
        st.divider()
        st.caption("  \n".join(lines))


def dimension_filters(context: ui.PageContext, columns: list[str], *, title: str) -> dict[str, tuple[str, ...]]:
    """Filters on more dimensions than the sidebar's, in an expander that says which are on; each
    bound to the URL parameter of its column name (`environment=prod`)."""
    keys = {}
    for column in columns:
        options = list(context.values.get(column, []))
        keys[column] = state.bind(
            column, default=[], parse=state.parse_many, dump=state.dump_many, valid=state.all_of(options)
        )
    active = [column for column in columns if st.session_state.get(keys[column])]
    label = (
        f"{title} ({len(active)} on: {', '.join(ui.dimension_label(c).lower() for c in active)})" if active else title
    )
    chosen: dict[str, tuple[str, ...]] = {}
    with st.expander(label, expanded=False):
        boxes = st.columns(3)
        for index, column in enumerate(columns):
            format_func = context.customer if column == "customer_id" else str
            picked = boxes[index % 3].multiselect(
                ui.dimension_label(column),
                list(context.values.get(column, [])),
                key=keys[column],
                format_func=format_func,
                placeholder="all",
            )
            if picked:
                chosen[column] = tuple(picked)
    return chosen
