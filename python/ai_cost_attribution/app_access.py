"""Who is looking at the app, and which rows and pages they may see (used by `aicost app` to
check the configuration before it listens, and by the app on every page).

The app runs in one of two modes, chosen by the server (`aicost app --access FILE`, which sets
$AICOST_APP_ACCESS):

- **single-user** (no access file): every row, every page, for this machine only. A visitor
  from any address but the loopback sees no data.
- **access file** (TOML, format in docs/app.md): the viewer is identified by Streamlit's OIDC
  login (`identity = "oidc"`, `st.login` configured in `.streamlit/secrets.toml`) or by a header
  an authenticating proxy sets (`identity = "header"`, e.g. oauth2-proxy's `X-Forwarded-Email`,
  trusted only from `trusted_proxies`). The file's grants map users and groups to row scopes
  (teams, features, customers, products) and pages. No identity, or an identity no grant names:
  no data.

A grant restricts rows with AND across its keys (teams = ["support"], customers = ["acme"]: the
support team's rows for acme); a viewer with several grants sees the union of them. The app's query
module turns the grants into bound-parameter SQL (app/costapp/queries.py); nothing here reads data."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCESS_ENV = "AICOST_APP_ACCESS"
DEFAULT_HEADER = "X-Forwarded-Email"
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")
# access file key -> the column it restricts, in every mart that carries it
ROW_KEYS: Mapping[str, str] = {
    "teams": "team",
    "features": "feature",
    "customers": "customer_id",
    "products": "product",
}
ALL_PAGES = "*"
IDENTITIES = ("oidc", "header")
# The app's pages by the name an access file uses (app/costapp/pages.py draws them).
PAGES = ("overview", "explore", "customers", "customer", "features", "budgets", "allocation", "calls")


class AccessConfigError(ValueError):
    """The access file cannot be used; the message names the key and the problem (not the path)."""


@dataclass(frozen=True)
class Grant:
    """One grant: the rows (column -> allowed values; empty = every row) and the pages it opens."""

    rows: Mapping[str, tuple[str, ...]]
    pages: frozenset[str]

    @property
    def is_unrestricted(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class GrantRule:
    """A grant as written: who it is for, and what it grants."""

    users: frozenset[str]
    groups: frozenset[str]
    grant: Grant


@dataclass(frozen=True)
class AccessConfig:
    """The parsed access file."""

    identity: str
    header: str = DEFAULT_HEADER
    groups_header: str | None = None
    groups_claim: str | None = None
    trusted_proxies: tuple[str, ...] = DEFAULT_TRUSTED_PROXIES
    oidc_provider: str | None = None
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    rules: tuple[GrantRule, ...] = ()

    def grants_for(self, email: str, identity_groups: Sequence[str] = ()) -> tuple[Grant, ...]:
        """The grants of a user: those naming them, or a group they belong to (in the file, or
        as the identity provider says)."""
        email = email.strip().lower()
        member_of = {name for name, members in self.groups.items() if email in members}
        member_of |= {group.strip().lower() for group in identity_groups if group.strip()}
        return tuple(rule.grant for rule in self.rules if email in rule.users or (rule.groups & member_of))


@dataclass(frozen=True)
class Viewer:
    """The person looking at the app and what they may see; `grants` None = everything."""

    email: str | None
    mode: str  # "single_user", "oidc" or "header"
    grants: tuple[Grant, ...] | None

    @property
    def is_restricted(self) -> bool:
        return self.grants is not None and not any(grant.is_unrestricted for grant in self.grants)

    def may_open(self, page: str) -> bool:
        if self.grants is None:
            return True
        return any(ALL_PAGES in grant.pages or page in grant.pages for grant in self.grants)

    def row_grants(self) -> tuple[Grant, ...] | None:
        """The grants that restrict rows; None when some grant (or single-user mode) sees all rows."""
        if self.grants is None or any(grant.is_unrestricted for grant in self.grants):
            return None
        return self.grants

    def scope_summary(self) -> str:
        """`every row`, or the grants in words: `team support; customers acme, beta`."""
        grants = self.row_grants()
        if grants is None:
            return "every row"
        words = []
        for grant in grants:
            parts = [f"{_key_word(column)} {', '.join(values)}" for column, values in grant.rows.items()]
            words.append(" and ".join(parts))
        return "; ".join(words)


def _key_word(column: str) -> str:
    return {column_name: key for key, column_name in ROW_KEYS.items()}.get(column, column)


# --- the access file ----------------------------------------------------------------------------


def configured_path() -> Path | None:
    """The access file the server was started with ($AICOST_APP_ACCESS), or None."""
    configured = os.environ.get(ACCESS_ENV, "").strip()
    return Path(configured).expanduser() if configured else None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise AccessConfigError(f"{where} must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


def parse(text: str, page_names: Sequence[str] = PAGES) -> AccessConfig:
    """Parse the access file's text; every problem is an AccessConfigError naming the key."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AccessConfigError(f"not valid TOML ({error})") from None
    unknown = set(document) - {"app", "groups", "grant"}
    if unknown:
        raise AccessConfigError(f"unknown section(s) {sorted(unknown)}: expected [app], [groups] and [[grant]]")
    app = document.get("app")
    if not isinstance(app, dict):
        raise AccessConfigError('[app] is missing: it must say identity = "oidc" or identity = "header"')
    allowed_app = {"identity", "header", "groups_header", "groups_claim", "trusted_proxies", "oidc_provider"}
    if set(app) - allowed_app:
        raise AccessConfigError(f"[app] has unknown key(s) {sorted(set(app) - allowed_app)}")
    identity = app.get("identity")
    if identity not in IDENTITIES:
        raise AccessConfigError(f"[app] identity must be one of {list(IDENTITIES)}, got {identity!r}")
    proxies = _strings(app.get("trusted_proxies", list(DEFAULT_TRUSTED_PROXIES)), "[app] trusted_proxies")
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise AccessConfigError(f"[app] trusted_proxies: {proxy!r} is not an address or network") from None

    groups_table = document.get("groups", {})
    if not isinstance(groups_table, dict):
        raise AccessConfigError("[groups] must map a group name to its members' emails")
    groups = {
        name.strip().lower(): frozenset(member.lower() for member in _strings(members, f"[groups] {name}"))
        for name, members in groups_table.items()
    }

    rules = []
    grant_list = document.get("grant", [])
    if not isinstance(grant_list, list) or not grant_list:
        raise AccessConfigError("no [[grant]]: nobody could see anything")
    for number, entry in enumerate(grant_list, start=1):
        where = f"[[grant]] {number}"
        if not isinstance(entry, dict):
            raise AccessConfigError(f"{where} must be a table")
        unknown_keys = set(entry) - {"users", "groups", "pages", *ROW_KEYS}
        if unknown_keys:
            raise AccessConfigError(
                f"{where} has unknown key(s) {sorted(unknown_keys)}; row keys are {sorted(ROW_KEYS)}"
            )
        users = frozenset(user.lower() for user in _strings(entry.get("users", []), f"{where} users"))
        grant_groups = frozenset(group.lower() for group in _strings(entry.get("groups", []), f"{where} groups"))
        if not users and not grant_groups:
            raise AccessConfigError(f"{where} names no users and no groups")
        if "pages" not in entry:
            raise AccessConfigError(f'{where} lists no pages (pages = ["*"] opens every page)')
        pages = frozenset(_strings(entry["pages"], f"{where} pages"))
        unknown_pages = pages - {ALL_PAGES, *page_names}
        if unknown_pages:
            raise AccessConfigError(f"{where} pages: unknown {sorted(unknown_pages)}; pages are {list(page_names)}")
        rows = {ROW_KEYS[key]: _strings(entry[key], f"{where} {key}") for key in ROW_KEYS if key in entry}
        rules.append(GrantRule(users, grant_groups, Grant(rows, pages)))

    return AccessConfig(
        identity=identity,
        header=str(app.get("header", DEFAULT_HEADER)),
        groups_header=app.get("groups_header"),
        groups_claim=app.get("groups_claim"),
        trusted_proxies=proxies,
        oidc_provider=app.get("oidc_provider"),
        groups=groups,
        rules=tuple(rules),
    )


def load(path: Path | None = None, page_names: Sequence[str] = PAGES) -> AccessConfig | None:
    """The access file the server was started with, parsed; None in single-user mode."""
    path = path or configured_path()
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AccessConfigError(f"cannot be read ({error.strerror})") from None
    return parse(text, page_names)


# --- identity ------------------------------------------------------------------------------------


def is_loopback(address: str | None) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (an address of this machine only)."""
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return address == "localhost"


def is_trusted_proxy(address: str | None, proxies: Sequence[str]) -> bool:
    """Whether the connection's peer is one of `proxies`. Streamlit reports a loopback peer as
    no address (`st.context.ip_address` is None for 127.0.0.1 and ::1)."""
    address = address or "127.0.0.1"
    try:
        client = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def header_identity(
    config: AccessConfig, headers: Mapping[str, str], client_address: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """The email (and groups) a trusted proxy vouches for; (None, ()) from anyone else."""
    if not is_trusted_proxy(client_address, config.trusted_proxies):
        return None, ()
    lowered = {key.lower(): value for key, value in headers.items()}
    email = (lowered.get(config.header.lower()) or "").strip()
    groups: tuple[str, ...] = ()
    if config.groups_header:
        groups = tuple(part.strip() for part in (lowered.get(config.groups_header.lower()) or "").split(","))
    return (email or None), groups


def oidc_identity(config: AccessConfig, user: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The email (and groups) of a user logged in through st.login; (None, ()) when logged out."""
    if not user.get("is_logged_in"):
        return None, ()
    email = str(user.get("email") or "").strip()
    groups: tuple[str, ...] = ()
    if config.groups_claim:
        claim = user.get(config.groups_claim) or ()
        groups = (claim,) if isinstance(claim, str) else tuple(str(item) for item in claim)
    return (email or None), groups


def viewer_for(config: AccessConfig, email: str | None, groups: Sequence[str] = ()) -> Viewer:
    """The viewer an identity makes: no email, or an email no grant names, sees nothing."""
    grants = config.grants_for(email, groups) if email else ()
    return Viewer(email=email, mode=config.identity, grants=grants)
