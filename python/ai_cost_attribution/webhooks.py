"""POST one JSON message to a webhook, and name a webhook without giving its secret away.

A Slack incoming-webhook URL is a credential: whoever has it can post to the channel. So a URL
is only ever shown masked (scheme, host and port, then `/…`) and identified by a fingerprint
(the first 16 hex digits of its SHA-256), both in the output and in the state file."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ai_cost_attribution import __version__

USER_AGENT = f"aicost-alerts/{__version__}"
ERROR_BODY_CHARS = 200


class WebhookURLError(ValueError):
    """The webhook is not an http(s) URL."""


def check_url(url: str) -> str:
    """The URL itself when it is an absolute http or https URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookURLError(f"a webhook must be an http:// or https:// URL with a host, got {mask(url)}")
    return url


def fingerprint(url: str) -> str:
    """A stable id of the URL that does not reveal it."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def mask(url: str) -> str:
    """`https://hooks.slack.com/…`: the scheme, host and port only (no user, path or query)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return "<not a URL>"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def describe(url: str) -> str:
    """How a webhook is named to a person: its masked URL and its fingerprint."""
    return f"{mask(url)} (id {fingerprint(url)})"


@dataclass(frozen=True)
class PostResult:
    """What a webhook answered: `ok` for a 2xx, else the reason in `error`."""

    ok: bool
    status: int | None
    error: str | None
    webhook_down: bool


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the body: a redirect is a failure.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _scrub(text: str, url: str) -> str:
    """One line of an error, without the URL or its path should a server or library echo them."""
    cleaned = " ".join(text.split())[:ERROR_BODY_CHARS]
    path = urlsplit(url).path
    for secret in (url, path if len(path) > 1 else None):
        if secret:
            cleaned = cleaned.replace(secret, "/…")
    return cleaned


def post_json(url: str, payload: dict[str, Any], *, timeout_s: float) -> PostResult:
    """POST `payload` as JSON; a 2xx is delivered, anything else (or no answer) is an error.

    `webhook_down` tells a failure of the webhook itself (no answer, a 5xx, 408, 429 or a
    redirect: no use sending it more this run) from a refusal of this one message (another 4xx)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            status = response.status
            response.read(ERROR_BODY_CHARS)
    except urllib.error.HTTPError as error:
        detail = _scrub(error.read(ERROR_BODY_CHARS).decode("utf-8", "replace"), url)
        reason = f"HTTP {error.code} {error.reason}" + (f": {detail}" if detail else "")
        webhook_down = error.code >= 500 or error.code in (408, 429) or 300 <= error.code < 400
        return PostResult(ok=False, status=error.code, error=_scrub(reason, url), webhook_down=webhook_down)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return PostResult(ok=False, status=None, error=_scrub(f"no answer: {reason}", url), webhook_down=True)
    if 200 <= status < 300:
        return PostResult(ok=True, status=status, error=None, webhook_down=False)
    return PostResult(ok=False, status=status, error=f"HTTP {status}", webhook_down=True)
