"""What every page shares: money formatting, the chart builders (one colour per value on every
page, axes that match their grain, legible in both themes), the notices shown instead of a stack
trace, and the page frame."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ai_cost_attribution.app_access import Viewer
from costapp import pages, queries, state, warehouse
from costapp.filters import Slice

# Colour of each status, reused by every chart so that red always means the same thing.
STATUS_COLOURS = {"ok": "#4c9a6a", "warning": "#e0a43a", "over": "#c8553d"}
MONEY_AXIS_FORMAT = "$,.2f"
MONEY_AXIS_FORMAT_SHORT = "$,.2~f"  # $1,250 and $0.25 alike: cents only when there are some

# Series colours (Tableau 10: ten hues apart, readable on a light and a dark background). A value
# keeps its colour on every page: colours go to the values of a dimension in name order.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6")
OTHER = "other"
FIXED_COLOURS = {OTHER: "#8c8c8c", "unattributed": "#b5b5b5", "unallocated": "#6f6f6f", "not allocated": "#6f6f6f"}
TOP_N = 10  # bars and series drawn one by one; the rest are folded into "other"

DIMENSION_LABELS = {
    "customer_id": "Customer",
    "feature": "Feature",
    "team": "Team",
    "agent": "Agent",
    "environment": "Environment",
    "region": "Region",
    "product": "Product",
    "usage_type": "Usage type",
    "provider": "Provider",
    "model": "Model",
    "plan_tier": "Plan tier",
}

BASIS_TEXT = {
    "fully_loaded": "fully loaded: usage after discounts and cache pooling, plus shared pools and invoice differences",
    "usage": "usage only: what the calls are billed after discounts and cache pooling, without the shared pools "
    "(booked by month) and invoice differences",
    "product": "product usage (prod, external), fully loaded: usage plus shared pools and invoice differences",
}


def dimension_label(column: str) -> str:
    return DIMENSION_LABELS.get(column, column.replace("_", " ").capitalize())


# --- numbers as text --------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def money(value: Any) -> str:
    """`$1,234.56`; negative amounts as `-$12.34`; a missing amount as an em dash."""
    if _is_missing(value):
        return "—"
    amount = float(value)
    sign = "-" if amount < -0.005 else ""
    return f"{sign}${abs(amount):,.2f}"


def unit_money(value: Any) -> str:
    """A unit cost: four decimals below a dollar (`$0.0123`), cents above."""
    if _is_missing(value):
        return "—"
    amount = float(value)
    if abs(amount) < 1:
        sign = "-" if amount < 0 else ""
        return f"{sign}${abs(amount):.4f}"
    return money(amount)


def percent(value: Any, *, signed: bool = False, digits: int = 1) -> str:
    """A fraction as a percentage: 0.123 → `12.3%` (`+12.3%` when signed)."""
    if _is_missing(value):
        return "—"
    return f"{float(value) * 100:{'+' if signed else ''}.{digits}f}%"


def month_label(value: Any) -> str:
    """`November 2026`."""
    return pd.Timestamp(value).strftime("%B %Y")


def short_month(value: Any) -> str:
    """`Nov 2026`."""
    return pd.Timestamp(value).strftime("%b %Y")


def day_label(value: Any) -> str:
    """`15 Nov 2026`."""
    return pd.Timestamp(value).strftime("%-d %b %Y")


def period_label(start: date, end: date) -> str:
    """`1–31 Oct 2026`, `16 Aug – 15 Nov 2026`."""
    if start == end:
        return day_label(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{day_label(end)}"
    if start.year == end.year:
        return f"{start:%-d %b} – {day_label(end)}"
    return f"{day_label(start)} – {day_label(end)}"


def months_label(first: date, last: date) -> str:
    return month_label(first) if first == last else f"{short_month(first)} – {short_month(last)}"


def change(current: Any, previous: Any, kind: str = "money") -> str | None:
    """The change of a headline against its previous period, as st.metric's delta: a relative
    change for money, percentage points for a ratio, a difference for a count."""
    if _is_missing(current) or _is_missing(previous):
        return None
    now, before = float(current), float(previous)
    if kind == "ratio":
        return f"{(now - before) * 100:+.1f} pp vs {{previous}}"
    if kind == "count":
        return f"{now - before:+,.0f} vs {{previous}}"
    if before == 0:
        return None
    return f"{(now / before - 1) * 100:+.1f}% vs {{previous}}"


def metric(
    column: Any,
    label: str,
    value: str,
    *,
    current: Any = None,
    previous: Any = None,
    previous_label: str = "previous month",
    kind: str = "money",
    help: str | None = None,
    cost_up_is_bad: bool = True,
) -> None:
    """A bordered headline with its change against the previous period (red when cost grows)."""
    delta = change(current, previous, kind)
    column.metric(
        label,
        value,
        delta=delta.format(previous=previous_label) if delta else None,
        delta_color="inverse" if cost_up_is_bad else "normal",
        help=help,
        border=True,
    )


# --- table formatting -------------------------------------------------------------------------


def money_column(label: str, *, unit: bool = False, help: str | None = None) -> Any:
    """A dataframe column shown as dollars (unit costs with four decimals)."""
    return st.column_config.NumberColumn(label, format="$%.4f" if unit else "dollar", help=help)


def percent_column(label: str, help: str | None = None) -> Any:
    """A fraction shown as a percentage."""
    return st.column_config.NumberColumn(label, format="percent", help=help)


def count_column(label: str, help: str | None = None) -> Any:
    return st.column_config.NumberColumn(label, format="localized", help=help)


def table(
    frame: pd.DataFrame,
    config: Mapping[str, Any] | None = None,
    *,
    height: int | None = None,
    key: str | None = None,
    select: bool = False,
) -> Any:
    """A table of exactly the columns in `config` order (all columns when None); with `select`,
    one row can be picked (returns the picked row's position, or None)."""
    order = list(config) if config else None
    kwargs: dict[str, Any] = {"hide_index": True, "column_order": order, "column_config": dict(config or {})}
    if height:
        kwargs["height"] = height
    if select:
        event = st.dataframe(frame, width="stretch", on_select="rerun", selection_mode="single-row", key=key, **kwargs)
        rows = event.selection.rows if event else []
        return rows[0] if rows else None
    st.dataframe(frame, width="stretch", key=key, **kwargs)
    return None


def chart_and_table(chart: alt.TopLevelMixin, frame: pd.DataFrame, config: Mapping[str, Any] | None = None) -> None:
    """A chart with its numbers one click away (every chart has its table)."""
    chart_tab, table_tab = st.tabs(["Chart", "Numbers"])
    with chart_tab:
        st.altair_chart(chart, width="stretch")
    with table_tab:
        table(frame, config)


def csv_download(frame: pd.DataFrame, *, label: str, file_name: str, key: str) -> None:
    """Download exactly the rows and columns of `frame` as CSV (rows of the viewer's slice)."""
    st.download_button(
        label,
        frame.to_csv(index=False).encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


# --- theme and colours ----------------------------------------------------------------------------


def is_dark() -> bool:
    theme = getattr(st.context, "theme", None)
    return getattr(theme, "type", None) == "dark"


def ink() -> str:
    """Text and reference marks drawn in the page's own text colour (legible in either theme)."""
    return "#fafafa" if is_dark() else "#262730"


def muted() -> str:
    return "#b0b4bd" if is_dark() else "#5f6470"


def colour_of(value: str, domain: Sequence[str]) -> str:
    """The colour of one value: fixed for other / unattributed, else by its place in `domain`."""
    if value in FIXED_COLOURS:
        return FIXED_COLOURS[value]
    ordered = sorted(item for item in domain if item not in FIXED_COLOURS)
    position = ordered.index(value) if value in ordered else zlib.crc32(value.encode())
    return PALETTE[position % len(PALETTE)]


def colour_scale(values: Sequence[str], domain: Sequence[str]) -> alt.Scale:
    """A scale giving each of `values` its page-independent colour (`domain`: every value of the
    dimension the viewer may see)."""
    shown = list(dict.fromkeys(values))
    return alt.Scale(domain=shown, range=[colour_of(value, domain) for value in shown])


def series_order(values: Sequence[str]) -> list[str]:
    """Stack and legend order: by name, with other / unattributed last (the same on every bar)."""
    named = sorted(value for value in set(values) if value not in FIXED_COLOURS)
    return named + [value for value in FIXED_COLOURS if value in set(values)]


def top_with_other(frame: pd.DataFrame, *, category: str, value: str, top: int = TOP_N) -> tuple[pd.DataFrame, int]:
    """The `top` largest categories and one `other` row summing the rest; how many were folded."""
    totals = frame.groupby(category, as_index=False)[value].sum().sort_values(value, ascending=False)
    if len(totals) <= top + 1:
        return totals, 0
    kept, rest = totals.head(top), totals.iloc[top:]
    other = pd.DataFrame({category: [OTHER], value: [rest[value].sum()]})
    return pd.concat([kept, other], ignore_index=True), len(rest)


def fold_series(frame: pd.DataFrame, *, series: str, value: str, top: int = TOP_N) -> pd.DataFrame:
    """The same rows with the values outside the `top` largest renamed `other`."""
    totals = frame.groupby(series)[value].sum().sort_values(ascending=False)
    if len(totals) <= top + 1:
        return frame
    keep = set(totals.head(top).index)
    return frame.assign(**{series: frame[series].where(frame[series].isin(keep), OTHER)})


# --- time axes ------------------------------------------------------------------------------------


def period_axis(frame: pd.DataFrame, *, period: str, grain: str, first_day: date, last_day: date) -> pd.DataFrame:
    """Label each period as its grain reads (`Oct 2026`, `w/c 12 Oct`, a day) and mark the
    partial first and last periods, so a month is a month on the axis and not a hairline."""
    frame = frame.copy()
    periods = pd.to_datetime(frame[period]).dt.date
    labels, partial = [], []
    for start in periods:
        if grain == "Month":
            end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
            text = short_month(start)
        elif grain == "Week":
            end = start + timedelta(days=6)
            text = f"w/c {start:%-d %b %Y}"
        else:
            end = start
            text = day_label(start)
        is_partial = start < first_day or end > last_day
        labels.append(f"{text} *" if is_partial else text)
        partial.append(is_partial)
    frame["period_label"] = labels
    frame["is_partial"] = partial
    frame["period_start"] = periods
    return frame


def partial_caption(frame: pd.DataFrame, first_day: date, last_day: date) -> None:
    if "is_partial" in frame and frame["is_partial"].any():
        st.caption(f"\\* partial period: the data runs from {day_label(first_day)} to {day_label(last_day)}.")


# --- charts -----------------------------------------------------------------------------------


def _money_tooltip(field: str, title: str) -> alt.Tooltip:
    return alt.Tooltip(field, title=title, format=MONEY_AXIS_FORMAT)


def bar_chart(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    value_format: str = MONEY_AXIS_FORMAT_SHORT,
    colour: str | None = None,
    colour_scale: alt.Scale | None = None,
    sort: Sequence[str] | str = "-x",
    height: int | None = None,
) -> alt.Chart:
    """Horizontal bars sorted from the largest value down; every bar keeps its label (the chart
    grows with the bars instead of dropping every second one)."""
    encoding: dict[str, Any] = {
        "y": alt.Y(
            f"{category}:N",
            sort=list(sort) if not isinstance(sort, str) else sort,
            title=category_title,
            axis=alt.Axis(labelLimit=280, labelOverlap=False),
        ),
        "x": alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format)),
        "tooltip": [
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format.replace(".0f", ".2f")),
        ],
    }
    if colour:
        encoding["color"] = alt.Color(f"{colour}:N", scale=colour_scale or alt.Undefined, legend=None)
    rows = max(frame[category].nunique() if len(frame) else 1, 1)
    marked = alt.Chart(frame).mark_bar() if colour else alt.Chart(frame).mark_bar(color=PALETTE[0])
    return marked.encode(**encoding).properties(height=height or max(24 * rows + 50, 140))


def stacked_trend(
    frame: pd.DataFrame,
    *,
    value: str,
    series: str,
    series_title: str,
    value_title: str,
    domain: Sequence[str],
    grain: str = "Day",
    value_format: str = MONEY_AXIS_FORMAT_SHORT,
    period: str = "period_start",
) -> alt.Chart:
    """Amount over time stacked by a dimension, in a stable order and page-independent colours.
    Days on a time axis; weeks and months as one labelled bar each (`period_axis` first)."""
    order = series_order(frame[series])
    frame = frame.assign(series_rank=frame[series].map({name: rank for rank, name in enumerate(order)}))
    if grain == "Day":
        x = alt.X(f"{period}:T", title="Day", axis=alt.Axis(format="%-d %b"))
        period_tooltip = alt.Tooltip(f"{period}:T", title="Day", format="%-d %b %Y")
    else:
        labels = list(dict.fromkeys(frame.sort_values(period)["period_label"]))
        x = alt.X("period_label:O", sort=labels, title=grain, axis=alt.Axis(labelAngle=0, labelOverlap=False))
        period_tooltip = alt.Tooltip("period_label:N", title=grain)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(f"sum({value}):Q", title=value_title, axis=alt.Axis(format=value_format)),
            color=alt.Color(
                f"{series}:N",
                title=series_title,
                scale=colour_scale(order, domain),
                sort=order,
                legend=alt.Legend(orient="bottom", columns=4, labelLimit=200),
            ),
            order=alt.Order("series_rank:Q", sort="ascending"),
            tooltip=[
                period_tooltip,
                alt.Tooltip(f"{series}:N", title=series_title),
                alt.Tooltip(
                    f"sum({value}):Q",
                    title=value_title,
                    format=MONEY_AXIS_FORMAT if value_format == MONEY_AXIS_FORMAT_SHORT else value_format,
                ),
            ],
        )
        .properties(height=340)
    )


def waterfall(steps: pd.DataFrame, *, label: str = "step", amount: str = "amount_usd") -> alt.LayerChart:
    """A waterfall: each step floats from the running total before it; the last bar is the total.

    `steps` holds the steps in order; a row whose `is_total` is true is drawn from zero. Every
    bar carries its amount as a label in the page's text colour."""
    frame = steps.copy()
    running = 0.0
    starts, ends, kinds = [], [], []
    for _, row in frame.iterrows():
        value = float(row[amount])
        if bool(row.get("is_total", False)):
            starts.append(0.0)
            ends.append(value)
            kinds.append("total")
            running = value
        else:
            starts.append(running)
            running += value
            ends.append(running)
            kinds.append("increase" if value >= 0 else "decrease")
    frame["start"], frame["end"], frame["kind"] = starts, ends, kinds
    frame["top"] = frame[["start", "end"]].max(axis=1)
    frame["order"] = range(len(frame))
    frame["amount_text"] = [money(value) for value in frame[amount]]
    colours = alt.Scale(
        domain=["total", "increase", "decrease"], range=[PALETTE[0], STATUS_COLOURS["over"], STATUS_COLOURS["ok"]]
    )
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{label}:N",
            sort=alt.EncodingSortField(field="order"),
            title=None,
            axis=alt.Axis(labelAngle=0, labelLimit=220),
        ),
    )
    bars = base.mark_bar(size=60, minBandSize=3).encode(
        y=alt.Y("start:Q", title="USD", axis=alt.Axis(format=MONEY_AXIS_FORMAT_SHORT)),
        y2="end:Q",
        color=alt.Color("kind:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip(f"{label}:N", title="Step"), alt.Tooltip("amount_text:N", title="Amount")],
    )
    text = base.mark_text(dy=-9, color=ink(), fontWeight="bold").encode(y=alt.Y("top:Q"), text="amount_text:N")
    return (bars + text).properties(height=380)


def band_chart(
    frame: pd.DataFrame, *, day: str, actual: str, expected: str, lower: str, upper: str, flag: str
) -> alt.LayerChart:
    """Daily cost against its expected band (from the anomalies mart); flagged days as red points."""
    base = alt.Chart(frame).encode(x=alt.X(f"{day}:T", title="Day", axis=alt.Axis(format="%-d %b")))
    band = base.mark_area(opacity=0.3, color="#7aa6d6").encode(
        y=alt.Y(f"{lower}:Q", title="USD per day", axis=alt.Axis(format=MONEY_AXIS_FORMAT_SHORT)),
        y2=f"{upper}:Q",
    )
    expected_line = base.mark_line(strokeDash=[4, 3], color="#7aa6d6").encode(y=f"{expected}:Q")
    actual_line = base.mark_line(color=ink()).encode(
        y=f"{actual}:Q",
        tooltip=[
            alt.Tooltip(f"{day}:T", title="Day", format="%-d %b %Y"),
            _money_tooltip(f"{actual}:Q", "Cost"),
            _money_tooltip(f"{expected}:Q", "Expected"),
            _money_tooltip(f"{upper}:Q", "Band high"),
        ],
    )
    flagged = (
        base.transform_filter(alt.datum[flag])
        .mark_point(color=STATUS_COLOURS["over"], size=110, filled=True)
        .encode(y=f"{actual}:Q")
    )
    return (band + expected_line + actual_line + flagged).properties(height=300)


# --- the page frame ---------------------------------------------------------------------------------


@dataclass
class PageContext:
    """What a page body needs: the rows it may show, who is looking, the data's span."""

    rows: Slice
    viewer: Viewer
    span: queries.DataSpan
    names: Mapping[str, str] = field(default_factory=dict)  # customer_id -> name
    values: Mapping[str, Sequence[str]] = field(default_factory=dict)  # column -> every value in scope

    def customer(self, customer_id: Any) -> str:
        """`Oak Analytics (cust_0185)`, or the id when the customer has no name."""
        text = str(customer_id)
        name = self.names.get(text)
        return f"{name} ({text})" if name else text

    def label(self, column: str, value: Any) -> str:
        return self.customer(value) if column == "customer_id" else str(value)

    def domain(self, column: str) -> list[str]:
        return list(self.values.get(column, []))


CONTEXT = "_aicost_page_context"


def link(page: str, label: str, *, icon: str | None = None, carry: bool = True, **params: Any) -> None:
    """A link to another page of the app carrying the sidebar's period and filters (unless
    `carry` is false) and `params` (None drops one)."""
    spec = pages.BY_NAME[page]
    context = st.session_state.get(CONTEXT)
    if context is not None and not context.viewer.may_open(page):
        return  # a page the viewer may not open is not in the navigation
    query = state.current_params(GLOBAL_PARAMS) if carry else {}
    for name, value in params.items():
        if value is None or value == []:
            query.pop(name, None)
        else:
            query[name] = [str(item) for item in value] if isinstance(value, list | tuple) else str(value)
    st.page_link(spec.script, label=label, icon=icon, query_params=query)


GLOBAL_PARAMS = ("start", "end", "team", "feature", "customer")


@contextlib.contextmanager
def section(title: str | None = None) -> Iterator[None]:
    """A page section: a warehouse problem or a slice the section cannot show becomes a notice,
    never a stack trace; the rest of the page still answers."""
    if title:
        st.subheader(title)
    try:
        yield
    except queries.OutOfScope:
        st.info("Not in your access scope: these figures cover rows beyond what you may see.", icon=":material/lock:")
    except queries.FilterNotApplicable as missing:
        names = ", ".join(dimension_label(column).lower() for column in missing.columns)
        st.info(
            f"This section is not broken down by {names}: clear that filter to see it.",
            icon=":material/filter_alt_off:",
        )
    except warehouse.MartMissing as missing:
        st.info(f"This section {missing}.", icon=":material/construction:")
    except warehouse.MartOutdated as outdated:
        st.warning(str(outdated), icon=":material/update:")


def page_guard() -> bool:
    """Check the warehouse before a page reads it; show what to do when it cannot be read."""
    try:
        warehouse.require()
    except warehouse.WarehouseBusy as busy:
        st.warning(f"**The warehouse is being rebuilt.** {busy}", icon=":material/hourglass_top:")
        st.button("Retry", key="retry-busy")
        return False
    except warehouse.WarehouseUnavailable as problem:
        st.info(f"**No warehouse to read yet.** {problem}", icon=":material/database:")
        st.markdown(
            "To build the demo company's warehouse and open the app on it:\n\n"
            "```bash\n.venv/bin/aicost demo\n.venv/bin/aicost app\n```\n\n"
            "To build on your own logs: `dbt build --vars '{raw_path: /path/to/raw}'` (see the README)."
        )
        return False
    if warehouse.rebuild_running():
        st.caption(
            ":material/autorenew: A rebuild is running; these figures are from the current warehouse "
            "and refresh on the next page load after the new one is swapped in."
        )
    return True


def run_page(body: Any, *, title: str, question: str) -> None:
    """The page's title and question, then its body under the guard (a warehouse that goes away
    mid-page is a notice too). The body receives the PageContext the sidebar built.

    With AICOST_APP_TIMING set, the server prints how long each page took to compute."""
    started = time.perf_counter()
    st.title(title)
    st.markdown(question)
    try:
        if page_guard():
            context = st.session_state.get(CONTEXT)
            if isinstance(context, warehouse.MartMissing):
                st.info(
                    f"This warehouse was built by an older version of the models: the app {context}.",
                    icon=":material/construction:",
                )
                return
            if context is None:
                st.info("The warehouse holds no priced calls yet: nothing to show.", icon=":material/database:")
                return
            _run_body(body, context)
    finally:
        if os.environ.get("AICOST_APP_TIMING"):
            page = Path(body.__code__.co_filename).stem
            print(f"aicost-app page {page}: {time.perf_counter() - started:.3f} s", file=sys.stderr, flush=True)


def _run_body(body: Any, context: PageContext) -> None:
    try:
        with section():
            body(context)
    except warehouse.WarehouseBusy as busy:
        st.warning(f"**The warehouse is being rebuilt.** {busy}", icon=":material/hourglass_top:")
        st.button("Retry", key="retry-busy-late")
    except warehouse.WarehouseUnavailable as problem:
        st.info(str(problem), icon=":material/database:")


def basis_caption(basis: str, extra: str = "") -> None:
    """Say what a page's figures include (every figure states its basis)."""
    st.caption(f"**Cost basis:** {BASIS_TEXT[basis]}.{(' ' + extra) if extra else ''}")


def filters_caption(context: PageContext) -> str:
    """`team support; customer Acme Corp (acme)`, or an empty string without filters."""
    parts = []
    for column, values in context.rows.active_filters().items():
        shown = ", ".join(context.label(column, value) for value in values)
        parts.append(f"{dimension_label(column).lower()} {shown}")
    return "; ".join(parts)


def month_picker(months: Sequence[date], *, label: str, name: str, default: date) -> date:
    """A month select box bound to the URL field `name` (newest first)."""
    ordered = sorted(months, reverse=True)
    key = state.bind(name, default=default, parse=state.parse_month, dump=state.dump_day, valid=state.one_of(ordered))
    return st.selectbox(label, ordered, format_func=month_label, key=key)
