"""Access control: who may see which rows and pages (ai_cost_attribution.app_access, the app's
sign-in gate and every query's scope).

The OIDC identity is simulated with Streamlit's own AppTest support for `st.user` (`AppTest.user`
holds the claims a signed-in user's ID token gives, `AppTest.secrets` the `[auth]` section); the
browser test (tests/test_app_browser.py) signs in for real against a local OpenID provider and
through an authenticating proxy (nginx) for the trusted header."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ai_cost_attribution import app_access
from ai_cost_attribution.app_server import check_access
from app_world import SCRIPTS, metrics, open_app, shared_app_world, texts
from conftest import BuiltWarehouse

AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "a-test-cookie-secret",
        "client_id": "aicost-app",
        "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration",
    }
}
# Who sees what in the app world: the support team's lead, beta's account manager (through a
# group), and a finance lead who sees everything but only two pages.
ACCESS_FILE = """
[app]
identity = "{identity}"
groups_claim = "groups"

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

[[grant]]
users = ["cfo@example.com"]
pages = ["overview", "allocation"]
"""
# What each scoped viewer must never see: the rows of other teams and customers.
FORBIDDEN = {
    # the support team's rows reach acme and free_co; beta only used the docs features
    "lead@example.com": ("Beta Labs", "beta", "doc_summarizer", "knowledge_search", "knowledge"),
    "am@example.com": ("Acme Corp", "acme", "Free Co", "free_co", "support_assistant", "knowledge_search"),
}
DIMENSION_COLUMNS = ("team", "feature", "customer_id", "customer", "value", "scope_value", "dimension_value", "label")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return shared_app_world(tmp_path_factory)


@pytest.fixture
def access_file(tmp_path: Path, world: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch):
    def write(identity: str = "oidc") -> Path:
        path = tmp_path / "access.toml"
        path.write_text(ACCESS_FILE.format(identity=identity))
        monkeypatch.setenv("AICOST_DB_PATH", str(world.db_path))
        monkeypatch.setenv("AICOST_APP_ACCESS", str(path))
        return path

    return write


def signed_in(email: str, **claims) -> dict:
    return {"is_logged_in": True, "email": email, **claims}


# --- the access file -------------------------------------------------------------------------------


def test_a_user_and_a_group_get_their_grants():
    config = app_access.parse(ACCESS_FILE.format(identity="header"))
    lead = app_access.viewer_for(config, "Lead@Example.com")
    assert lead.row_grants()[0].rows == {"team": ("support",)}
    assert lead.may_open("customers") and lead.scope_summary() == "teams support"
    manager = app_access.viewer_for(config, "am@example.com")
    assert manager.row_grants()[0].rows == {"customer_id": ("beta",)}
    cfo = app_access.viewer_for(config, "cfo@example.com")
    assert cfo.row_grants() is None and cfo.may_open("allocation") and not cfo.may_open("customers")
    stranger = app_access.viewer_for(config, "someone@example.com")
    assert stranger.grants == () and not stranger.may_open("overview")
    # a group the identity provider names works like one the file defines
    by_claim = app_access.viewer_for(config, "new@example.com", ["account-managers"])
    assert by_claim.row_grants()[0].rows == {"customer_id": ("beta",)}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[app]\nidentity = "ldap"\n[[grant]]\nusers = ["a@x"]\npages = ["*"]', "identity must be one of"),
        ('[app]\nidentity = "header"\n[[grant]]\nusers = ["a@x"]\nteam = ["x"]\npages = ["*"]',
         "unknown key(s) ['team']"),
        ('[app]\nidentity = "header"\n[[grant]]\nusers = ["a@x"]\nteams = ["x"]', "lists no pages"),
        ('[app]\nidentity = "header"\n[[grant]]\nusers = ["a@x"]\npages = ["billing"]', "unknown ['billing']"),
        ('[app]\nidentity = "header"', "no [[grant]]"),
        ('[app]\nidentity = "header"\ntrusted_proxies = ["proxy"]\n[[grant]]\nusers = ["a"]\npages = ["*"]',
         "not an address"),
        ("identity = oidc", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_access_file_is_a_clear_error(text, problem):
    with pytest.raises(app_access.AccessConfigError, match=None) as raised:
        app_access.parse(text)
    assert problem in str(raised.value)


def test_the_trusted_header_counts_only_from_a_trusted_proxy():
    config = app_access.parse(ACCESS_FILE.format(identity="header"))
    headers = {"x-forwarded-email": "lead@example.com"}
    assert app_access.header_identity(config, headers, None) == ("lead@example.com", ())  # loopback
    assert app_access.header_identity(config, headers, "10.1.2.3") == (None, ())
    assert app_access.header_identity(config, {}, None) == (None, ())


# --- who may start the app where -------------------------------------------------------------------


def test_without_an_access_file_the_app_only_listens_on_the_loopback(tmp_path):
    assert check_access(None, "127.0.0.1") == (None, None)
    config, refusal = check_access(None, "0.0.0.0")
    assert config is None and "refusing to listen on 0.0.0.0 without an access file" in refusal
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_FILE.format(identity="header"))
    config, refusal = check_access(access, "0.0.0.0")
    assert refusal is None and config.identity == "header"
    # OIDC needs the [auth] section Streamlit's st.login reads
    access.write_text(ACCESS_FILE.format(identity="oidc"))
    config, refusal = check_access(access, "0.0.0.0", secrets=tmp_path / "missing.toml")
    assert "needs an [auth] section" in refusal


def test_aicost_app_refuses_another_address_without_an_access_file():
    aicost = Path(sys.executable).parent / "aicost"
    result = subprocess.run([str(aicost), "app", "--host", "0.0.0.0", "--port", "1"], capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without an access file" in result.stderr


def test_single_user_mode_says_so(world, monkeypatch):
    monkeypatch.setenv("AICOST_DB_PATH", str(world.db_path))
    monkeypatch.delenv("AICOST_APP_ACCESS", raising=False)
    app = open_app("overview")
    assert any("Single-user mode" in caption.value for caption in app.sidebar.caption)


# --- scoped viewers see only their rows -------------------------------------------------------------


def assert_only_their_rows(app, email: str) -> None:
    """No cell, figure label, choice or text of the page names another team's or customer's rows."""
    forbidden = FORBIDDEN[email]
    for frame in app.dataframe:
        table = frame.value
        for column in DIMENSION_COLUMNS:
            if column in table:
                leaked = set(table[column].astype(str)) & set(forbidden)
                assert not leaked, f"{email} sees {leaked} in column {column}"
    shown = texts(app)
    for word in forbidden:
        assert word not in shown, f"{email} sees {word!r}"


@pytest.mark.parametrize("email", list(FORBIDDEN))
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_a_scoped_oidc_user_never_sees_other_rows(access_file, email, name):
    access_file("oidc")
    query = {"start": "2026-01-01", "end": "2026-02-10"}
    app = open_app(name, query=query, user=signed_in(email, groups=[]), secrets=AUTH_SECRETS)
    assert not app.exception, [exception.value for exception in app.exception]
    assert app.title[0].value != "AI cost attribution", app.error  # past the gate
    assert_only_their_rows(app, email)


def test_a_scoped_user_sees_their_own_figures(access_file, world):
    access_file("oidc")
    query = {"start": "2026-01-01", "end": "2026-02-10"}
    app = open_app("explore", query=query, user=signed_in("lead@example.com"), secrets=AUTH_SECRETS)
    support = world.scalar("select sum(amount_usd) from marts.fct_cost_ledger where team = 'support'")
    shown = Decimal(metrics(app)["Total: cost, fully loaded"].replace("$", "").replace(",", ""))
    assert abs(shown - support) <= Decimal("0.005")
    assert app.multiselect(key="url:team").options == ["support"]
    # a URL asking for another team's rows cannot widen the grant
    other = open_app("explore", query={**query, "team": "knowledge"}, user=signed_in("lead@example.com"),
                     secrets=AUTH_SECRETS)  # fmt: skip
    assert other.multiselect(key="url:team").value == []
    assert_only_their_rows(other, "lead@example.com")
    # beta's account manager, through the group, sees beta's product cost on the customer page
    beta = open_app("customer", query={**query, "month": "2026-01-01"}, user=signed_in("am@example.com"),
                    secrets=AUTH_SECRETS)  # fmt: skip
    cost = world.scalar("select ai_cost_usd from marts.mart_customer_unit_economics where customer_id = 'beta'"
                        " and month = '2026-01-01'")  # fmt: skip
    assert abs(Decimal(metrics(beta)["AI cost (product)"].replace("$", "")) - cost) <= Decimal("0.005")


def test_company_wide_sections_are_out_of_a_team_scope(access_file):
    access_file("oidc")
    app = open_app("allocation", query={"start": "2026-01-01", "end": "2026-02-10"},
                   user=signed_in("lead@example.com"), secrets=AUTH_SECRETS)  # fmt: skip
    assert any("Not in your access scope" in info.value for info in app.info)  # the invoices
    assert "Provider-months outside tolerance" not in metrics(app)
    # the scorecard is company-wide: a team lead gets the notice, the finance lead the figures
    overview = open_app("overview", user=signed_in("lead@example.com"), secrets=AUTH_SECRETS)
    assert "Model routing coverage" not in metrics(overview)
    assert any("Not in your access scope" in info.value for info in overview.info)
    finance = open_app("overview", user=signed_in("cfo@example.com"), secrets=AUTH_SECRETS)
    assert "Model routing coverage" in metrics(finance)


def test_no_identity_no_data(access_file):
    access_file("oidc")
    for name in ("overview", "explore", "calls"):
        app = open_app(name, user={"is_logged_in": False}, secrets=AUTH_SECRETS)
        assert not app.exception
        assert not app.metric and not app.dataframe, name
        assert [button.label for button in app.button] == ["Sign in"]
    stranger = open_app("overview", user=signed_in("someone@example.com"), secrets=AUTH_SECRETS)
    assert not stranger.metric and not stranger.dataframe
    assert "someone@example.com has no access" in stranger.error[0].value
    # the header mode without a proxy's header: nobody
    access_file("header")
    app = open_app("overview")
    assert not app.metric and "No identity" in app.error[0].value


def test_pages_outside_a_grant_are_not_served(access_file):
    access_file("oidc")
    app = open_app("overview", user=signed_in("cfo@example.com"), secrets=AUTH_SECRETS)
    assert app.title[0].value == "Overview"
    with pytest.raises(Exception, match="(?i)page"):
        app.switch_page(SCRIPTS["customers"]).run()
