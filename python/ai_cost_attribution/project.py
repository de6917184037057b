"""Locate the dbt project and run dbt in it the same way from every entry point."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DB_RELATIVE = Path("warehouse") / "ai_cost.duckdb"
# What a private copy of the project needs to build (the tests' fixtures and the benchmark).
PROJECT_PARTS: tuple[str, ...] = ("dbt_project.yml", "profiles.yml", "models", "macros", "data-tests", "seeds")


class ProjectNotFoundError(RuntimeError):
    """Raised when no folder holding dbt_project.yml can be found."""


def project_root() -> Path:
    """Return the dbt project folder: $AICOST_PROJECT_DIR, else the nearest parent of this file
    that holds dbt_project.yml (the package is installed in editable mode from the repository)."""
    configured = os.environ.get("AICOST_PROJECT_DIR")
    if configured:
        root = Path(configured).expanduser().resolve()
        if not (root / "dbt_project.yml").is_file():
            raise ProjectNotFoundError(f"AICOST_PROJECT_DIR={configured} holds no dbt_project.yml")
        return root
    for parent in Path(__file__).resolve().parents:
        if (parent / "dbt_project.yml").is_file():
            return parent
    raise ProjectNotFoundError(
        "Cannot find the dbt project (dbt_project.yml). Install the package from a clone of the "
        "repository (pip install -e .) or set AICOST_PROJECT_DIR."
    )


def copy_project(destination: Path, root: Path | None = None) -> Path:
    """Copy the dbt project (``PROJECT_PARTS`` of ``root``, default :func:`project_root`) into
    ``destination``, so a build there never touches the working tree's target/ or warehouse."""
    root = root or project_root()
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, destination / part, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, destination / part)
    return destination


@functools.cache
def _read_dbt_project(path: Path) -> Mapping[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def dbt_project(root: Path | None = None) -> Mapping[str, Any]:
    """``dbt_project.yml`` of the project (default :func:`project_root`), parsed (read once)."""
    return _read_dbt_project((root or project_root()) / "dbt_project.yml")


def dbt_project_vars(root: Path | None = None) -> Mapping[str, Any]:
    """The project's ``vars:`` as dbt sees them without ``--vars`` (the contract, the defaults)."""
    return dbt_project(root).get("vars") or {}


def warehouse_path() -> Path:
    """The DuckDB file the project builds: $AICOST_DB_PATH (relative to the project) or the default."""
    configured = os.environ.get("AICOST_DB_PATH")
    path = Path(configured).expanduser() if configured else DEFAULT_DB_RELATIVE
    if not path.is_absolute():
        path = project_root() / path
    return path


def dbt_environment(db_path: Path | None = None, raw_path: Path | None = None) -> dict[str, str]:
    """Environment for a dbt subprocess: no telemetry or version checks, the warehouse path set,
    and the raw folder when given (AICOST_RAW_PATH: see :func:`run_dbt`)."""
    env = dict(os.environ)
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env["AICOST_DB_PATH"] = str(db_path or warehouse_path())
    if raw_path is not None:
        env["AICOST_RAW_PATH"] = str(raw_path)
    return env


def dbt_arguments(arguments: list[str], root: Path, dbt_vars: dict[str, object] | None = None) -> list[str]:
    """The arguments of one dbt command run in the project folder `root` (after `dbt`)."""
    command = [*arguments, "--project-dir", str(root), "--profiles-dir", str(root)]
    return command + ["--vars", json.dumps(dbt_vars)] if dbt_vars else command


def dbt_executable() -> str:
    """The dbt launcher installed beside this Python interpreter (falls back to PATH)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    arguments: list[str],
    *,
    dbt_vars: dict[str, object] | None = None,
    project_dir: Path | None = None,
    db_path: Path | None = None,
    capture_output: bool = False,
    raw_path: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command in the project folder (so relative paths resolve the same everywhere).

    `raw_path` names the raw folder through AICOST_RAW_PATH rather than a var: dbt reuses a saved
    parse only for the same vars, and the landing reads the folder only while dbt runs."""
    root = project_dir or project_root()
    database = db_path or warehouse_path()
    (root / database).parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [dbt_executable(), *dbt_arguments(arguments, root, dbt_vars)],
        cwd=root,
        env=dbt_environment(database, raw_path),
        text=True,
        capture_output=capture_output,
        check=False,
    )
