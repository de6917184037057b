"""dbt parses the project once per set of vars in a test session, not once per fixture world.

Parsing the project costs more than building a small world. dbt reuses a saved parse
(`target/partial_parse.msgpack`) when the project's files, its vars and its profile are the ones it
was saved with, and re-parses only the files that differ (a world's own rate card). So a world
names its warehouse relative to its project folder (`../warehouse.duckdb`: the profile holds the
path) and its raw folder through AICOST_RAW_PATH rather than a var (the landing reads it only while
dbt runs, never while it parses), and starts from the saved parse of a pristine copy of the project
parsed with the same vars. The pristine copies stay untouched until the session ends: dbt loads an
unchanged seed from the folder it was parsed in.

A set of vars gets its saved parse the second time a world uses it (a parse of its own costs one
full parse; most worlds share a few sets of vars). Whatever is copied, dbt itself decides whether
the saved parse still fits and parses afresh when it does not."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dbt_in_process
from ai_cost_attribution import project

# Where a world's warehouse is, seen from its project folder (dbt runs there).
WORLD_DB_PATH = Path("../warehouse.duckdb")
SAVED_PARSE = Path("target") / "partial_parse.msgpack"

_uses: Counter[str] = Counter()
_saved: dict[str, Path | None] = {}
_home: list[Path] = []


def cli_vars(dbt_vars: Mapping[str, Any]) -> dict[str, Any]:
    """A world's vars as dbt gets them: all but raw_path (passed as AICOST_RAW_PATH)."""
    return {name: value for name, value in dbt_vars.items() if name != "raw_path"}


def _session_folder() -> Path:
    if not _home:
        folder = Path(tempfile.mkdtemp(prefix="aicost-parsed-"))
        atexit.register(shutil.rmtree, folder, True)
        _home.append(folder)
    return _home[0]


def _parse_pristine_copy(dbt_vars: Mapping[str, Any], repository: Path) -> Path | None:
    root = _session_folder() / f"parsed_{len(_saved)}"
    project_dir = project.copy_project(root / "project", repository)
    # in the worker, as the worlds' builds run (a dbt subprocess adds its start, ~8 s)
    done = dbt_in_process.run(["parse"], project_dir, dbt_vars, WORLD_DB_PATH)
    saved = project_dir / SAVED_PARSE
    # a parse that fails is left to the world's own build to report
    return saved if done.returncode == 0 and saved.is_file() else None


def start_from_saved_parse(project_dir: Path, dbt_vars: Mapping[str, Any], repository: Path) -> None:
    """Give a world's fresh project copy the saved parse of its vars, when there is (or should now
    be) one; without it dbt parses the whole project, as it always may."""
    parsed_vars = cli_vars(dbt_vars)
    key = json.dumps(parsed_vars, sort_keys=True, default=str)
    _uses[key] += 1
    if key not in _saved and _uses[key] >= 2:
        _saved[key] = _parse_pristine_copy(parsed_vars, repository)
    saved = _saved.get(key)
    if saved is not None and not (project_dir / SAVED_PARSE).exists():
        (project_dir / SAVED_PARSE).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(saved, project_dir / SAVED_PARSE)
