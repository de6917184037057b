"""`aicost app`: start the Streamlit app on the built warehouse (127.0.0.1:8501 by default).

Without an access file the app is single-user: it listens on the loopback only and refuses any
other address. With `--access FILE` (docs/app.md) it identifies each viewer (OIDC login or a
trusted proxy header) and shows them only their rows and pages."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import sys
import tomllib
from pathlib import Path

from ai_cost_attribution import app_access
from ai_cost_attribution.project import project_root, warehouse_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501


def app_script() -> Path:
    """The Streamlit entry point of the app."""
    return project_root() / "app" / "streamlit_app.py"


def default_secrets() -> Path:
    """Where the app's OIDC settings ([auth]) live unless `--secrets` says otherwise."""
    return project_root() / ".streamlit" / "secrets.toml"


def streamlit_arguments(host: str, port: int, secrets: Path | None = None) -> list[str]:
    """`streamlit run` arguments: headless, no usage statistics, no file watcher, the secrets file."""
    return [
        "run",
        str(app_script()),
        *(["--secrets.files", str(secrets)] if secrets else []),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost app`."""
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; another address needs --access)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $AICOST_DB_PATH)")
    parser.add_argument(
        "--secrets",
        type=Path,
        default=None,
        help="Streamlit secrets file with the OIDC [auth] settings (default: the project's .streamlit/secrets.toml)",
    )
    parser.add_argument(
        "--access",
        type=Path,
        default=None,
        help="access file (TOML): who may see which rows and pages (docs/app.md); without it the "
        "app is single-user and serves this machine only",
    )


def check_access(
    access: Path | None, host: str, secrets: Path | None = None
) -> tuple[app_access.AccessConfig | None, str | None]:
    """The parsed access file, or the reason the app must not start."""
    if access is None:
        if not app_access.is_loopback(host):
            return None, (
                f"refusing to listen on {host} without an access file: anyone who reaches the port would see "
                "every customer's revenue, margin and cost. Start it with --access FILE (docs/app.md), or on "
                "127.0.0.1 for yourself."
            )
        return None, None
    try:
        config = app_access.load(access)
    except app_access.AccessConfigError as problem:
        return None, f"access file {access}: {problem}"
    if config.identity == "oidc":
        if importlib.util.find_spec("authlib") is None:
            return None, 'identity = "oidc" needs Authlib (installed with the project: run scripts/setup.sh)'
        secrets = secrets or default_secrets()
        try:
            auth = tomllib.loads(secrets.read_text(encoding="utf-8")).get("auth")
        except (OSError, tomllib.TOMLDecodeError):
            auth = None
        if not auth:
            return None, f'identity = "oidc" needs an [auth] section in {secrets} (docs/app.md)'
    return config, None


def run(args: argparse.Namespace) -> int:
    """Serve the app in this process until interrupted (Ctrl+C or SIGTERM)."""
    db_path = (args.db or warehouse_path()).expanduser().resolve()
    access = args.access.expanduser().resolve() if args.access else None
    secrets = (args.secrets or default_secrets()).expanduser().resolve()
    config, refusal = check_access(access, args.host, secrets)
    if refusal:
        print(f"aicost app: {refusal}", file=sys.stderr)
        return 2
    os.environ["AICOST_DB_PATH"] = str(db_path)
    if access is None:
        os.environ.pop(app_access.ACCESS_ENV, None)
        mode = "single-user mode (this machine only)"
    else:
        os.environ[app_access.ACCESS_ENV] = str(access)
        identified_by = "OIDC login" if config.identity == "oidc" else config.header
        mode = f"access file {access}, viewers identified by {identified_by}"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not db_path.exists():
        print(f"No warehouse at {db_path} yet: the app will say how to build one (aicost demo).")
    print(
        f"AI cost attribution app on http://{args.host}:{args.port}  (warehouse {db_path}, read-only; {mode})",
        flush=True,
    )
    # The first page a visitor opens would otherwise pay for these imports (seconds on a small
    # machine); the server imports them once, before it listens.
    for module in ("pandas", "altair", "duckdb", "pyarrow"):
        importlib.import_module(module)
    from streamlit.web.cli import main as streamlit_main

    arguments = streamlit_arguments(args.host, args.port, secrets if secrets.exists() else None)
    with contextlib.suppress(KeyboardInterrupt):
        streamlit_main(args=arguments, prog_name="streamlit", standalone_mode=False)
    return 0
