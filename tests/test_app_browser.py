"""The app in a real browser: `aicost app` on a free 127.0.0.1 port, every page opened in Debian's
Chromium through Playwright in the light and the dark theme (screenshots under tests/artifacts/,
git-ignored), the drill-down from a spike to its calls by clicking, the URL surviving a reload,
the CSV downloads, and access control for real: a sign-in through st.login against a local
OpenID provider (oidc-provider-mock), and a trusted header set by an authenticating proxy (nginx
with basic auth, as oauth2-proxy sets X-Forwarded-Email)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app_world import shared_app_world
from conftest import REPOSITORY, BuiltWarehouse

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
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

# page title, the label of a figure it must show and that figure, on the default period (January
# 2026, the last complete month; the arithmetic is in test_app.py)
PAGES = [
    ("Overview", "Month to date (Feb 1–10)", "$2.21"),
    ("Explore", "Total: cost, fully loaded", "$1.28"),
    ("Customers", "Revenue", "$2.05"),
    ("One customer", "Revenue", "$2.00"),
    ("Features and agents", "Routing opportunity, January 2026", "$0.05"),
    ("Budgets and anomalies", "Over budget", "1"),
    ("Allocation and reconciliation", "Total cost in the ledger", "$1.28"),
    ("Calls and traces", "Usage cost of these calls", "$0.20"),
]
ACCESS = """
[app]
identity = "{identity}"

[groups]
account-managers = ["am@example.com"]

[[grant]]
users = ["lead@example.com"]
teams = ["support"]
pages = ["*"]

[[grant]]
groups = ["account-managers"]
customers = ["beta"]
pages = ["*"]
"""
FORBIDDEN = {
    "lead@example.com": ("Beta Labs", "beta", "doc_summarizer", "knowledge_search"),
    "am@example.com": ("Acme Corp", "acme", "Free Co", "free_co", "support_assistant", "knowledge_search"),
}


def require(path: Path | str, what: str) -> None:
    if Path(path).exists():
        return
    reason = f"{path} is missing: install it with `apt-get install -y {what}` (scripts/test.sh does as root)"
    if os.environ.get("AICOST_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(url: str, process: subprocess.Popen, what: str, timeout_s: float = 45) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{what} did not answer on {url} within {timeout_s:.0f} s")


@contextlib.contextmanager
def process(command: list[str], log: Path, ready_url: str, what: str) -> Iterator[None]:
    """A server process in its own session, stopped (with its children) at the end."""
    with log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                                  env={**os.environ, "DO_NOT_TRACK": "1"})  # fmt: skip
        try:
            wait_until(ready_url, server, what)
            yield
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=15)


@contextlib.contextmanager
def aicost_app(db_path: Path, logs: Path, *extra: str, port: int | None = None) -> Iterator[str]:
    """`aicost app` on a free 127.0.0.1 port; yields its URL."""
    port = port or free_port()
    aicost = Path(sys.executable).parent / "aicost"
    command = [str(aicost), "app", "--host", "127.0.0.1", "--port", str(port), "--db", str(db_path), *extra]
    url = f"http://127.0.0.1:{port}"
    with process(command, logs / f"app_{port}.log", f"{url}/_stcore/health", "aicost app"):
        yield url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    require(CHROMIUM, "chromium")
    return shared_app_world(tmp_path_factory)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app_servers")


@pytest.fixture(scope="module")
def app_url(world: BuiltWarehouse, logs: Path) -> Iterator[str]:
    with aicost_app(world.db_path, logs) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(world: BuiltWarehouse):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(chromium, **options):
    """A tab of a fresh browser context (its own cookies), with the console errors it collects."""
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, **options)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


RUN_FINISHED = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid^="stSkeleton"]')"""


def settle(page) -> None:
    """Wait until the script run has finished (no running indicator, no stale element, no
    placeholder), twice in a row because the indicator appears a moment after a run starts, and
    until Vega has drawn."""
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_function(RUN_FINISHED, timeout=60_000)
    page.wait_for_timeout(500)


def open_home(page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("h1", timeout=30_000)
    settle(page)


def open_from_sidebar(page, title: str) -> None:
    """Click the page in the sidebar, as a person does: loading a sub-page's URL directly makes
    Streamlit's frontend probe `<page>/_stcore/health` first and log two 404s (upstream issue
    streamlit/streamlit#7074), which would hide any error of our own."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=30_000)
    settle(page)


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    return metric.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window is made as tall as it."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(max(int(height) + 40, 1000), 9000)})
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 1000})


def visible_tables(page):
    tables = page.locator('[data-testid="stDataFrame"]')
    return [tables.nth(index) for index in range(tables.count()) if tables.nth(index).is_visible()]


def pick_row(page, table, row: int) -> None:
    """Tick a table row's selection box (the grid is a canvas: 35 px header and rows)."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 * (row + 1) + 17)
    settle(page)


def choose(page, label: str, option: str) -> None:
    """Pick an option of the select box labelled `label`."""
    page.get_by_role("combobox", name=label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    settle(page)


def download(page, button: str) -> list[dict[str, str]]:
    with page.expect_download() as download_info:
        page.get_by_role("button", name=button).click()
    return list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))


# --- every page, both themes -----------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_in_chromium(chromium, app_url, theme):
    page = new_page(chromium, color_scheme=theme)
    open_home(page, app_url)
    for title, label, figure in PAGES:
        page.errors.clear()
        started = time.monotonic()
        if title != "Overview":
            open_from_sidebar(page, title)
        assert page.title() == f"{title} · AI cost attribution"
        assert metric_value(page, label) == figure, title
        assert page.locator('[data-testid="stException"]').count() == 0, title
        assert page.locator(".vega-embed").count() >= 1, f"no chart drawn on {title}"
        print(f"{title} ({theme}): {time.monotonic() - started:.2f} s")
        screenshot(page, ARTIFACTS / f"app_{title.lower().replace(' ', '_')}_{theme}.png")
        assert page.errors == [], f"browser console errors on {title}: {page.errors}"
    page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_scorecard_at_a_glance(chromium, app_url, theme):
    """Each metric of January with its band on each benchmark and its sources (arithmetic in
    test_app.py: 1 routed interaction of 34, 1 profitable feature of 3)."""
    page = new_page(chromium, color_scheme=theme)
    open_home(page, app_url)
    heading = page.locator("h3", has_text="Against the published benchmarks")
    heading.scroll_into_view_if_needed()
    assert metric_value(page, "Model routing coverage") == "2.9%"
    assert metric_value(page, "Profitable AI features") == "33.3%"
    for text in ("Exogram (consumer AI):", "Exogram (AI features):", "KnowMBA (all):", "No published benchmark."):
        assert page.get_by_text(text, exact=False).first.is_visible(), text
    section = page.locator('[data-testid="stVerticalBlock"]').filter(has=heading).last
    path = ARTIFACTS / f"app_overview_scorecard_{theme}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(path))
    page.get_by_text("The scorecard with its thresholds and sources").click()
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == [], page.errors
    page.context.close()


def test_the_spike_is_explained_in_three_clicks(chromium, app_url):
    page = new_page(chromium)
    open_home(page, app_url)
    open_from_sidebar(page, "Budgets and anomalies")
    choose(page, "Period", "Month to date")
    # the flagged days of February, newest first: 10 Feb (2 series), then 9 Feb by customer (acme)
    anomaly_table = visible_tables(page)[-1]
    pick_row(page, anomaly_table, 2)  # click 1: the spike
    assert "day=2026-02-09" in page.url and "value=acme" in page.url
    page.locator('[data-testid="stPageLink"] a', has_text="The calls of Acme Corp (acme)").click()  # click 2
    page.wait_for_selector('h1:has-text("Calls and traces")', timeout=30_000)
    settle(page)
    assert metric_value(page, "Calls") == "11"
    traces = visible_tables(page)[-1]
    pick_row(page, traces, 0)  # click 3: the costliest trace, one of the ten spike calls
    heading = page.locator("h3").filter(has_text=re.compile(r"^Trace ")).first.inner_text()
    assert heading.startswith("Trace spike_")
    calls = visible_tables(page)[-1]
    pick_row(page, calls, 0)  # and its call: how it was priced, where its dimensions came from
    assert page.get_by_text("How it was priced", exact=True).count() == 1
    assert page.get_by_text("priced as gpt-4o-mini", exact=False).count() >= 1
    assert page.get_by_text("How each dimension was resolved", exact=True).count() == 1
    screenshot(page, ARTIFACTS / "app_drilldown_spike.png")
    page.context.close()


def test_the_url_keeps_the_view_through_a_reload_and_a_new_session(chromium, app_url, world):
    page = new_page(chromium)
    open_home(page, app_url)
    open_from_sidebar(page, "Explore")
    choose(page, "Break down by", "Customer")
    assert "dimension=customer_id" in page.url and "start=2026-01-01" in page.url
    total = metric_value(page, "Total: cost, fully loaded")
    link = page.url
    page.reload(wait_until="networkidle")
    settle(page)
    assert metric_value(page, "Total: cost, fully loaded") == total
    assert page.locator('[data-testid="stSelectbox"]', has_text="Customer").count() >= 1
    # a colleague opening the link (a new session) sees the same view
    other = new_page(chromium)
    other.goto(link, wait_until="networkidle")
    other.wait_for_selector('h1:has-text("Explore")', timeout=30_000)
    settle(other)
    assert metric_value(other, "Total: cost, fully loaded") == total
    assert other.get_by_text("Acme Corp (acme)").count() >= 1  # customers by name
    page.context.close()
    other.context.close()


def test_the_explore_csv_is_what_the_table_shows(chromium, app_url, world):
    page = new_page(chromium)
    open_home(page, app_url)
    open_from_sidebar(page, "Explore")
    rows = download(page, "Download these rows as CSV")
    expected = dict(world.rows("select feature, sum(amount_usd) from marts.fct_cost_ledger"
                               " where ledger_month = '2026-01-01' group by feature"))  # fmt: skip
    assert {row["feature"] for row in rows} == set(expected)
    for row in rows:
        assert abs(Decimal(row["Cost, fully loaded"]) - expected[row["feature"]]) < Decimal("1e-9")
    assert page.errors == []
    page.context.close()


# --- access control, for real ----------------------------------------------------------------------


def assert_page_shows_only(page, email: str) -> None:
    shown = page.locator('[data-testid="stApp"]').inner_text()
    for word in FORBIDDEN[email]:
        assert word not in shown, f"{email} sees {word!r} on {page.url}"


def assert_csv_rows_only(rows: list[dict[str, str]], column: str, allowed: set[str]) -> None:
    assert rows, "an empty download proves nothing"
    assert {row[column] for row in rows} <= allowed, {row[column] for row in rows}


@pytest.fixture(scope="module")
def oidc_app(world: BuiltWarehouse, logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in OIDC mode against a local OpenID provider (oidc-provider-mock: any user signs in
    by typing their email; its ID token carries it as the `email` claim)."""
    folder = tmp_path_factory.mktemp("oidc")
    provider_port, app_port = free_port(), free_port()
    provider = f"http://127.0.0.1:{provider_port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f'[auth]\nredirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-the-test-only"\nclient_id = "aicost-app"\n'
        f'client_secret = "test-only"\nserver_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    access = folder / "access.toml"
    access.write_text(ACCESS.format(identity="oidc"))
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(provider_port)]
    with (
        process(command, logs / "oidc_provider.log", f"{provider}/.well-known/openid-configuration", "OIDC provider"),
        aicost_app(world.db_path, logs, "--access", str(access), "--secrets", str(secrets), port=app_port) as url,
    ):
        yield url


def test_oidc_sign_in_shows_only_the_users_rows(chromium, oidc_app):
    page = new_page(chromium)
    open_home(page, oidc_app)
    assert page.locator('[data-testid="stMetric"]').count() == 0  # no identity, no data
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector('input[name="sub"]', timeout=30_000)  # the provider's sign-in form
    page.fill('input[name="sub"]', "am@example.com")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector('h1:has-text("Overview")', timeout=30_000)
    settle(page)
    assert "Signed in as am@example.com" in page.locator('[data-testid="stSidebar"]').inner_text()
    for title in ("Overview", "Explore"):
        if title != "Overview":
            open_from_sidebar(page, title)
        assert_page_shows_only(page, "am@example.com")
    choose(page, "Break down by", "Customer")
    assert_csv_rows_only(download(page, "Download these rows as CSV"), "customer_id", {"beta"})
    open_from_sidebar(page, "Calls and traces")
    assert_page_shows_only(page, "am@example.com")
    assert_csv_rows_only(download(page, "Download these traces as CSV"), "customer", {"Beta Labs (beta)"})
    # signing out clears the app's identity cookie, then hands over to the provider's end_session
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/oauth2/end_session"), timeout=30_000)
    open_home(page, oidc_app)
    page.wait_for_selector('button:has-text("Sign in")', timeout=30_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.context.close()


@pytest.fixture(scope="module")
def proxied_app(world: BuiltWarehouse, logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The app in header mode behind nginx, which signs people in (basic auth) and passes who they
    are in X-Forwarded-Email, replacing any such header the browser sent."""
    require(NGINX, "nginx-light")
    folder = tmp_path_factory.mktemp("proxy")
    proxy_port, app_port = free_port(), free_port()
    (folder / "htpasswd").write_text("lead@example.com:{PLAIN}lead-password\n")
    # run by root, nginx's workers would drop to nobody and could not read the test's private folder
    workers = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(f"""daemon off;
{workers}pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
  access_log off;
  client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{proxy_port};
    location / {{
      auth_basic "AI cost attribution";
      auth_basic_user_file {folder}/htpasswd;
      proxy_pass http://127.0.0.1:{app_port};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Email $remote_user;
      proxy_read_timeout 3600;
    }}
  }}
}}
""")
    access = folder / "access.toml"
    access.write_text(ACCESS.format(identity="header"))
    with aicost_app(world.db_path, logs, "--access", str(access), port=app_port) as app_url:
        nginx = [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)]
        # nginx answers 401 until signed in: wait for its port, then hand over both addresses
        with process(nginx, logs / "nginx.log", f"{app_url}/_stcore/health", "nginx"):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", proxy_port), timeout=1):
                    break
                time.sleep(0.2)
            yield f"http://127.0.0.1:{proxy_port}", app_url


def test_trusted_header_from_the_proxy_scopes_every_page_and_download(chromium, proxied_app):
    proxy_url, direct_url = proxied_app
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(proxy_url, timeout=5)
    assert refused.value.code == 401  # the proxy signs people in first
    # signed in as the support lead, while the browser tries to pass itself off as someone else
    page = new_page(chromium, http_credentials={"username": "lead@example.com", "password": "lead-password"},
                    extra_http_headers={"X-Forwarded-Email": "cfo@example.com"})  # fmt: skip
    open_home(page, proxy_url)
    assert "Signed in as lead@example.com" in page.locator('[data-testid="stSidebar"]').inner_text()
    for title, _, _ in PAGES:
        if title != "Overview":
            open_from_sidebar(page, title)
        assert page.locator('[data-testid="stException"]').count() == 0, title
        assert_page_shows_only(page, "lead@example.com")
        if title == "Explore":
            choose(page, "Break down by", "Team")
            assert_csv_rows_only(download(page, "Download these rows as CSV"), "team", {"support"})
        if title == "Calls and traces":
            assert_csv_rows_only(download(page, "Download these traces as CSV"), "feature", {"support_assistant"})
    page.context.close()
    # the app's own port, without the proxy: no identity, no data
    direct = new_page(chromium)
    open_home(direct, direct_url)
    assert "No identity" in direct.locator('[data-testid="stAlert"]').first.inner_text()
    assert direct.locator('[data-testid="stMetric"]').count() == 0
    direct.context.close()
