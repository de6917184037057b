"""What every page shares: money formatting, the chart builders, and the notices shown instead of
a stack trace when the warehouse cannot answer."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from costapp import warehouse

# Colour of each status or band, reused by every chart so that red always means the same thing.
STATUS_COLOURS = {"ok": "#4c9a6a", "warning": "#e0a43a", "over": "#c8553d"}
MONEY_AXIS_FORMAT = "$,.2f"
MONEY_AXIS_FORMAT_SHORT = "$,.2~f"  # $1,250 and $0.25 alike: cents only when there are some


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


def day_label(value: Any) -> str:
    """`15 Nov 2026`."""
    return pd.Timestamp(value).strftime("%-d %b %Y")


# --- table formatting -------------------------------------------------------------------------


def money_column(label: str, *, unit: bool = False, help: str | None = None) -> Any:
    """A dataframe column shown as dollars (unit costs with four decimals)."""
    return st.column_config.NumberColumn(label, format="$%.4f" if unit else "dollar", help=help)


def percent_column(label: str, help: str | None = None) -> Any:
    """A fraction shown as a percentage."""
    return st.column_config.NumberColumn(label, format="percent", help=help)


def count_column(label: str, help: str | None = None) -> Any:
    return st.column_config.NumberColumn(label, format="localized", help=help)


def table(frame: pd.DataFrame, config: Mapping[str, Any] | None = None, *, height: int | None = None) -> None:
    """A table of exactly the columns in `config` order (all columns when None)."""
    order = list(config) if config else None
    kwargs: dict[str, Any] = {"hide_index": True, "column_order": order, "column_config": dict(config or {})}
    if height:
        kwargs["height"] = height
    st.dataframe(frame, width="stretch", **kwargs)


def chart_and_table(chart: alt.TopLevelMixin, frame: pd.DataFrame, config: Mapping[str, Any] | None = None) -> None:
    """A chart with its numbers one click away (every chart has its table)."""
    chart_tab, table_tab = st.tabs(["Chart", "Numbers"])
    with chart_tab:
        st.altair_chart(chart, width="stretch")
    with table_tab:
        table(frame, config)


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
    height: int | None = None,
) -> alt.Chart:
    """Horizontal bars sorted from the largest value down: a top-N a person reads at a glance."""
    encoding: dict[str, Any] = {
        "y": alt.Y(f"{category}:N", sort="-x", title=category_title, axis=alt.Axis(labelLimit=260)),
        "x": alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format)),
        "tooltip": [
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format.replace(".0f", ".2f")),
        ],
    }
    if colour:
        encoding["color"] = alt.Color(f"{colour}:N", scale=colour_scale or alt.Undefined, legend=None)
    rows = max(len(frame), 1)
    marked = alt.Chart(frame).mark_bar() if colour else alt.Chart(frame).mark_bar(color="#4a78a8")
    return marked.encode(**encoding).properties(height=height or min(max(30 * rows + 40, 140), 560))


def stacked_trend(
    frame: pd.DataFrame,
    *,
    period: str,
    value: str,
    series: str,
    series_title: str,
    value_title: str,
    mark: str = "bar",
    time_unit_title: str = "Day",
    value_format: str = MONEY_AXIS_FORMAT_SHORT,
) -> alt.Chart:
    """Amount over time, stacked by a dimension (bars for days, areas for longer grains)."""
    base = alt.Chart(frame)
    marked = base.mark_area(opacity=0.85) if mark == "area" else base.mark_bar()
    return marked.encode(
        x=alt.X(f"{period}:T", title=time_unit_title),
        y=alt.Y(f"sum({value}):Q", title=value_title, axis=alt.Axis(format=value_format)),
        color=alt.Color(f"{series}:N", title=series_title, sort="-y"),
        order=alt.Order(f"sum({value}):Q", sort="descending"),
        tooltip=[
            alt.Tooltip(f"{period}:T", title=time_unit_title),
            alt.Tooltip(f"{series}:N", title=series_title),
            alt.Tooltip(
                f"sum({value}):Q",
                title=value_title,
                format=MONEY_AXIS_FORMAT if value_format == MONEY_AXIS_FORMAT_SHORT else value_format,
            ),
        ],
    ).properties(height=320)


def line_trend(
    frame: pd.DataFrame,
    *,
    period: str,
    value: str,
    series: str | None,
    series_title: str,
    value_title: str,
    value_format: str = MONEY_AXIS_FORMAT_SHORT,
    period_title: str = "Period",
) -> alt.Chart:
    """One line per series over time, with points so a single period is still visible."""
    encoding: dict[str, Any] = {
        "x": alt.X(f"{period}:T", title=period_title),
        "y": alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format)),
        "tooltip": [
            alt.Tooltip(f"{period}:T", title=period_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format.replace(".0f", ".2f")),
        ],
    }
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=series_title)
        encoding["tooltip"].insert(1, alt.Tooltip(f"{series}:N", title=series_title))
    return alt.Chart(frame).mark_line(point=True).encode(**encoding).properties(height=300)


def waterfall(steps: pd.DataFrame, *, label: str = "step", amount: str = "amount_usd") -> alt.LayerChart:
    """A waterfall: each step floats from the running total before it; the last bar is the total.

    `steps` holds the steps in order; a row whose `is_total` is true is drawn from zero."""
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
    frame["order"] = range(len(frame))
    frame["amount_text"] = [money(value) for value in frame[amount]]
    colours = alt.Scale(domain=["total", "increase", "decrease"], range=["#4a78a8", "#c8553d", "#4c9a6a"])
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{label}:N",
            sort=alt.EncodingSortField(field="order"),
            title=None,
            axis=alt.Axis(labelAngle=0, labelLimit=220),
        ),
    )
    bars = base.mark_bar(size=60).encode(
        y=alt.Y("start:Q", title="USD", axis=alt.Axis(format=MONEY_AXIS_FORMAT_SHORT)),
        y2="end:Q",
        color=alt.Color("kind:N", scale=colours, title=None),
        tooltip=[alt.Tooltip(f"{label}:N", title="Step"), alt.Tooltip("amount_text:N", title="Amount")],
    )
    text = base.mark_text(dy=-8).encode(y=alt.Y("end:Q"), text="amount_text:N")
    return (bars + text).properties(height=360)


def band_chart(
    frame: pd.DataFrame,
    *,
    day: str,
    actual: str,
    expected: str,
    lower: str,
    upper: str,
    flag: str,
) -> alt.LayerChart:
    """Daily cost against its expected band; flagged days as red points."""
    base = alt.Chart(frame).encode(x=alt.X(f"{day}:T", title="Day"))
    band = base.mark_area(opacity=0.25, color="#9db4cf").encode(
        y=alt.Y(f"{lower}:Q", title="USD per day", axis=alt.Axis(format=MONEY_AXIS_FORMAT_SHORT)),
        y2=f"{upper}:Q",
    )
    expected_line = base.mark_line(strokeDash=[4, 3], color="#4a78a8").encode(y=f"{expected}:Q")
    actual_line = base.mark_line(color="#333333").encode(
        y=f"{actual}:Q",
        tooltip=[
            alt.Tooltip(f"{day}:T", title="Day"),
            _money_tooltip(f"{actual}:Q", "Cost"),
            _money_tooltip(f"{expected}:Q", "Expected"),
        ],
    )
    flagged = (
        base.transform_filter(alt.datum[flag])
        .mark_point(color=STATUS_COLOURS["over"], size=90, filled=True)
        .encode(y=f"{actual}:Q")
    )
    return (band + expected_line + actual_line + flagged).properties(height=300)


# --- notices ----------------------------------------------------------------------------------


@contextlib.contextmanager
def section(title: str | None = None) -> Iterator[None]:
    """A page section: a warehouse problem inside it becomes a notice, never a stack trace.

    A busy (rebuilding) or missing warehouse is reported once by `page_guard`; here a missing
    mart only disables this section, so the rest of the page still answers."""
    if title:
        st.subheader(title)
    try:
        yield
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
    mid-page is a notice too).

    With AICOST_APP_TIMING set, the server prints how long each page took to compute."""
    started = time.perf_counter()
    st.title(title)
    st.markdown(question)
    try:
        if page_guard():
            _run_body(body)
    finally:
        if os.environ.get("AICOST_APP_TIMING"):
            page = Path(body.__code__.co_filename).stem
            print(f"aicost-app page {page}: {time.perf_counter() - started:.3f} s", file=sys.stderr, flush=True)


def _run_body(body: Any) -> None:
    try:
        body()
    except warehouse.WarehouseBusy as busy:
        st.warning(f"**The warehouse is being rebuilt.** {busy}", icon=":material/hourglass_top:")
        st.button("Retry", key="retry-busy-late")
    except warehouse.WarehouseUnavailable as problem:
        st.info(str(problem), icon=":material/database:")


def csv_download(frame: pd.DataFrame, *, label: str, file_name: str, key: str) -> None:
    """Download exactly the rows and columns of `frame` as CSV."""
    st.download_button(
        label,
        frame.to_csv(index=False).encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def month_picker(months: Sequence[date], *, label: str, key: str, default_index: int | None = None) -> date:
    """A select box of months, newest first."""
    ordered = sorted(months, reverse=True)
    index = 0 if default_index is None else min(default_index, len(ordered) - 1)
    return st.selectbox(label, ordered, index=index, format_func=month_label, key=key)
