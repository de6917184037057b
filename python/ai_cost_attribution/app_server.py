"""`aicost app`: start the Streamlit app on the built warehouse (127.0.0.1:8501 by default)."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
from pathlib import Path

from ai_cost_attribution.project import project_root, warehouse_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501


def app_script() -> Path:
    """The Streamlit entry point of the app."""
    return project_root() / "app" / "streamlit_app.py"


def streamlit_arguments(host: str, port: int) -> list[str]:
    """`streamlit run` arguments: headless, no usage statistics, no file watcher."""
    return [
        "run",
        str(app_script()),
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
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $AICOST_DB_PATH)")


def run(args: argparse.Namespace) -> int:
    """Serve the app in this process until interrupted (Ctrl+C or SIGTERM)."""
    db_path = (args.db or warehouse_path()).expanduser().resolve()
    os.environ["AICOST_DB_PATH"] = str(db_path)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not db_path.exists():
        print(f"No warehouse at {db_path} yet: the app will say how to build one (aicost demo).")
    print(f"AI cost attribution app on http://{args.host}:{args.port}  (warehouse {db_path}, read-only)", flush=True)
    # The first page a visitor opens would otherwise pay for these imports (seconds on a small
    # machine); the server imports them once, before it listens.
    for module in ("pandas", "altair", "duckdb", "pyarrow"):
        importlib.import_module(module)
    from streamlit.web.cli import main as streamlit_main

    with contextlib.suppress(KeyboardInterrupt):
        streamlit_main(args=streamlit_arguments(args.host, args.port), prog_name="streamlit", standalone_mode=False)
    return 0
