"""AI cost attribution: one page per stakeholder question, read from the built marts.

Start it with `aicost app` (or `streamlit run app/streamlit_app.py`); it reads the warehouse at
$AICOST_DB_PATH (default warehouse/ai_cost.duckdb), read-only, and the access file at
$AICOST_APP_ACCESS (none: single-user mode, this machine only)."""

from __future__ import annotations

import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

import streamlit as st  # noqa: E402

from costapp import chrome, pages, state, ui  # noqa: E402

state.begin_run()
viewer = chrome.identify()
allowed = [spec for spec in pages.PAGES if viewer.may_open(spec.name)]
page = st.navigation(
    [
        st.Page(spec.script, title=spec.title, url_path=spec.url_path or None, default=spec.is_default)
        for spec in allowed
    ]
    if any(spec.is_default for spec in allowed)
    else [
        st.Page(spec.script, title=spec.title, url_path=spec.url_path, default=index == 0)
        for index, spec in enumerate(allowed)
    ]
)
# The browser tab names the page, so a screenshot or a bookmark says which question it answers.
# No Material icons: Streamlit fetches a Material favicon from Google's servers (the app must work
# offline); an emoji favicon is drawn locally.
st.set_page_config(page_title=f"{page.title} · AI cost attribution", page_icon="💸", layout="wide")
chrome.identity_panel(viewer)
st.session_state[ui.CONTEXT] = chrome.sidebar(viewer)
chrome.provenance(viewer)
page.run()
state.write()
