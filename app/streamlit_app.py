"""AI cost attribution: one page per stakeholder question, read from the built marts.

Start it with `aicost app` (or `streamlit run app/streamlit_app.py`); it reads the warehouse at
$AICOST_DB_PATH (default warehouse/ai_cost.duckdb), read-only."""

from __future__ import annotations

import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

import streamlit as st  # noqa: E402

from costapp import warehouse  # noqa: E402

PAGES = [
    st.Page("views/overview.py", title="Overview", default=True),
    st.Page("views/explore.py", title="Explore", url_path="explore"),
    st.Page("views/customers.py", title="Customers", url_path="customers"),
    st.Page("views/features.py", title="Features and agents", url_path="features"),
    st.Page("views/budgets.py", title="Budgets and anomalies", url_path="budgets"),
    st.Page(
        "views/allocation.py",
        title="Allocation and reconciliation",
        url_path="allocation",
    ),
]

page = st.navigation(PAGES)
# The browser tab names the page, so a screenshot or a bookmark says which question it answers.
# No Material icons: Streamlit fetches a Material favicon from Google's servers (the app must work
# offline); an emoji favicon is drawn locally.
st.set_page_config(page_title=f"{page.title} · AI cost attribution", page_icon="💸", layout="wide")
with st.sidebar:
    st.caption(f"Warehouse: `{warehouse.database_path()}` (read-only)")
page.run()
