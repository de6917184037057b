"""The app in a real browser: `aicost app` on a free port, every page opened in Debian's Chromium
through Playwright, the tab title and a key figure checked, no console error allowed, and a
screenshot of each page saved under tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app_world import shared_app_world
from conftest import REPOSITORY, BuiltWarehouse

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPOSITORY / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--headless=new",
    "--disable-dev-shm-usage",
    # the network is closed: nothing may try to phone home
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]

# page title, the label of a figure it must show, and that figure (the arithmetic is in test_app.py)
PAGES = [
    ("Overview", "Month to date (Feb 1–10)", "$2.21"),
    ("Explore", "Total: cost (after discounts and cache pooling)", "$1.91"),
    ("Customers", "Revenue", "$2.05"),
    ("Features and agents", "Routing opportunity this month", "$0.05"),
    ("Budgets and anomalies", "Over budget", "1"),
    ("Allocation and reconciliation", "Unallocated", "$0.50"),
]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (scripts/test.sh does as root)"
    if os.environ.get("AICOST_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, timeout_s: float = 45) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"aicost app exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"aicost app did not answer on {url} within {timeout_s:.0f} s")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    require_chromium()
    return shared_app_world(tmp_path_factory)


@pytest.fixture(scope="module")
def app_url(world: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`aicost app` on a free 127.0.0.1 port, stopped (with its process group) afterwards."""
    port = free_port()
    log = tmp_path_factory.mktemp("app_server") / "server.log"
    aicost = Path(sys.executable).parent / "aicost"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(aicost), "app", "--host", "127.0.0.1", "--port", str(port), "--db", str(world.db_path)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "DO_NOT_TRACK": "1"},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(url, server)
            yield url
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=15)
    print(log.read_text()[-2000:])


@pytest.fixture(scope="module")
def session(app_url: str) -> Iterator[tuple[object, list[str]]]:
    """One Chromium tab on the app's home page, and the console errors it collects.

    Pages are then opened from the sidebar, as a person does: loading a sub-page's URL directly
    makes Streamlit's frontend probe `<page>/_stcore/health` first and log two 404s (upstream
    issue streamlit/streamlit#7074), which would hide any error of our own."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = chromium.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
            page = context.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(app_url, wait_until="networkidle")
            yield page, errors
        finally:
            chromium.close()


def metric_value(page, label: str) -> str:
    """The value of the st.metric whose label is `label`."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return metric.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def open_from_sidebar(page, title: str, label: str) -> float:
    """Click the page in the sidebar and wait until it has rendered; the seconds it took."""
    started = time.monotonic()
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=30_000)
    page.locator('[data-testid="stMetricLabel"]', has_text=label).first.wait_for(timeout=30_000)
    # the script has finished when Streamlit's "running" indicator is gone
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    elapsed = time.monotonic() - started
    page.wait_for_timeout(600)  # let Vega finish drawing before the screenshot
    return elapsed


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window is made as tall as it."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(max(int(height) + 40, 1000), 8000)})
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 1000})


@pytest.mark.parametrize(("title", "label", "figure"), PAGES, ids=[title for title, _, _ in PAGES])
def test_page_in_chromium(session, title, label, figure):
    page, errors = session
    errors.clear()
    seconds = open_from_sidebar(page, title, label)
    assert page.title() == f"{title} · AI cost attribution"
    assert metric_value(page, label) == figure
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".vega-embed").count() >= 1, "no chart drawn"
    screenshot(page, ARTIFACTS / f"app_{title.lower().replace(' ', '_')}.png")
    print(f"{title}: rendered in {seconds:.2f} s")
    assert errors == [], f"browser console errors on {title}: {errors}"


def test_explore_csv_download_is_what_the_table_shows(session, world):
    page, errors = session
    errors.clear()
    open_from_sidebar(page, "Explore", "Total")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download these rows as CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = world.rows("select usage_date, feature, sum(pooled_cost_usd) from marts.fct_llm_calls group by all")
    assert len(rows) == len(expected)
    by_key = {(str(day), feature): amount for day, feature, amount in expected}
    measure = "Cost (after discounts and cache pooling)"
    for row in rows:
        assert abs(Decimal(row[measure]) - by_key[(row["day"], row["feature"])]) < Decimal("1e-9")
    assert errors == []
