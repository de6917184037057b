"""Every choice a page offers lives in its URL (`st.query_params`), so a link reproduces the view.

A widget whose value belongs in the URL is *bound* before it is drawn: `bind()` gives its key
the value the URL asks for (a link someone followed, a reload, an edited address), else the
value this session last had (across pages), else the default. After the page has run, `write()`
puts every bound value that differs from its default back into the URL and drops the parameters
of other pages. Values read from a URL are parsed and checked against what the page offers: a
junk parameter is ignored, never echoed.

The widgets are never given a default of their own (`index=`, `value=`): Streamlit would warn
that the value was also set through session state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

KEPT = "_aicost_kept"  # URL field -> the value this session last had
WRITTEN = "_aicost_written"  # URL field -> the strings this session last wrote
BOUND = "_aicost_bound"  # URL field -> Binding, for this run only


_MISSING = object()


@dataclass(frozen=True)
class Binding:
    key: str
    default: Any
    dump: Callable[[Any], list[str]]
    always: bool = False  # written even at its default (a period: a link must not drift with the data)


def begin_run() -> None:
    """Forget last run's bindings (call once at the top of every run)."""
    st.session_state[BOUND] = {}
    st.session_state.setdefault(KEPT, {})
    st.session_state.setdefault(WRITTEN, {})


def widget_key(name: str) -> str:
    return f"url:{name}"


def bind(
    name: str,
    *,
    default: Any,
    parse: Callable[[list[str]], Any],
    dump: Callable[[Any], list[str]],
    valid: Callable[[Any], bool] = lambda value: True,
    always: bool = False,
) -> str:
    """Prepare the widget of URL field `name`; returns its widget key.

    `parse` turns the URL's strings into a value (None when they make no sense), `valid` says
    whether a value is still one the page offers, `dump` writes a value as strings; `always`
    writes it even at its default."""
    key = widget_key(name)
    raw = st.query_params.get_all(name)
    written = st.session_state[WRITTEN].get(name, [])
    chosen: Any = _MISSING
    if raw and raw != written:
        try:
            parsed = parse(raw)
        except (ValueError, TypeError, KeyError):
            parsed = None
        if parsed is not None and valid(parsed):
            chosen = parsed
    if chosen is _MISSING and key in st.session_state and valid(st.session_state[key]):
        chosen = st.session_state[key]
    if chosen is _MISSING:
        kept = st.session_state[KEPT].get(name, default)
        chosen = kept if valid(kept) else default
    # Assigned on every run: a widget of another page with the same key held this value, and a new
    # widget only adopts a value set through session state before it is drawn.
    st.session_state[key] = chosen
    st.session_state[BOUND][name] = Binding(key, default, dump, always)
    return key


def value(name: str) -> Any:
    """The current value of a bound field."""
    return st.session_state[st.session_state[BOUND][name].key]


def set_value(name: str, new: Any) -> None:
    """Change a bound field before its widget is drawn (or from a callback)."""
    st.session_state[widget_key(name)] = new


def current_params(names: Sequence[str] | None = None) -> dict[str, list[str]]:
    """The URL parameters of the bound fields (all, or `names`), defaults left out."""
    params: dict[str, list[str]] = {}
    for name, binding in st.session_state.get(BOUND, {}).items():
        if names is not None and name not in names:
            continue
        current = st.session_state.get(binding.key, binding.default)
        if binding.always or current != binding.default:
            strings = binding.dump(current)
            if strings:
                params[name] = strings
    return params


def write() -> None:
    """Put this run's bound values into the URL (and keep them for the next page)."""
    params = current_params()
    for name, binding in st.session_state.get(BOUND, {}).items():
        st.session_state[KEPT][name] = st.session_state.get(binding.key, binding.default)
        st.session_state[WRITTEN][name] = params.get(name, [])
    if {key: st.query_params.get_all(key) for key in st.query_params} != params:
        st.query_params.from_dict(params)


# --- parsers and writers for the usual kinds of field ---------------------------------------------


def parse_day(raw: list[str]) -> date | None:
    return date.fromisoformat(raw[-1][:10])


def dump_day(day: date) -> list[str]:
    return [day.isoformat()]


def parse_month(raw: list[str]) -> date | None:
    day = date.fromisoformat(raw[-1][:10])
    return day.replace(day=1)


def parse_one(raw: list[str]) -> str | None:
    return raw[-1] if raw[-1] else None


def dump_one(text: Any) -> list[str]:
    return [] if text is None else [str(text)]


def parse_many(raw: list[str]) -> list[str]:
    # a=x&a=y, and a=x,y as people type it
    return [part for item in raw for part in item.split(",") if part]


def dump_many(values: Sequence[str]) -> list[str]:
    return [str(value) for value in values]


def one_of(options: Sequence[Any]) -> Callable[[Any], bool]:
    allowed = set(options)
    return lambda candidate: candidate in allowed


def all_of(options: Sequence[Any]) -> Callable[[Any], bool]:
    allowed = set(options)
    return lambda candidate: isinstance(candidate, list) and all(item in allowed for item in candidate)


def within(first: date, last: date) -> Callable[[Any], bool]:
    return lambda candidate: isinstance(candidate, date) and first <= candidate <= last
