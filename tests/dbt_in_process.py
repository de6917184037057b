"""dbt inside the test worker's own process, for the fixture worlds.

A `dbt` subprocess spends about eight seconds outside the build itself: importing dbt and its
adapters, reading the saved parse, writing artifacts and tearing the interpreter down. A suite of
about 150 world builds pays that once per worker instead through dbt's programmatic entry point
(`dbtRunner`), which runs the same CLI command with the same flags. What the process shares is
made per invocation: the environment variables dbt reads, the working folder (worlds name their
warehouse relative to the project), the captured output, and the DuckDB database the adapter keeps
open, which is closed so that the test can read the file afterwards.

AICOST_TEST_DBT_SUBPROCESS=1 runs every world's dbt as a subprocess instead (as a user would)."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from ai_cost_attribution import project

# dbt's exit codes (dbt.cli.exceptions.ExitCodes): a failed node, an error that stopped the run
FAILED, STOPPED = 1, 2


def in_process() -> bool:
    return os.environ.get("AICOST_TEST_DBT_SUBPROCESS") != "1"


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _close_duckdb() -> None:
    """dbt-duckdb keeps its database open for the process's next invocation; a test reading the
    file (read-only, another configuration) must find it closed."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()
    gc.collect()


def invoke(
    arguments: Sequence[str], project_dir: Path, environment: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """dbt with `arguments` (those of project.dbt_arguments) in `project_dir`, under `environment`
    (that of project.dbt_environment), as a finished process would report it (exit code, captured
    output)."""
    from dbt.cli.main import dbtRunner

    command = list(arguments)
    out, err = io.StringIO(), io.StringIO()
    changed = {name: value for name, value in environment.items() if os.environ.get(name) != value}
    with _environment(changed), contextlib.chdir(project_dir):
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                result = dbtRunner().invoke(command)
        finally:
            _close_duckdb()
    code = 0 if result.success else STOPPED if result.exception is not None else FAILED
    errors = err.getvalue() + (f"{type(result.exception).__name__}: {result.exception}\n" if result.exception else "")
    return subprocess.CompletedProcess([project.dbt_executable(), *command], code, out.getvalue(), errors)


def run(
    arguments: Sequence[str],
    project_dir: Path,
    dbt_vars: Mapping[str, object],
    db_path: Path,
    raw_path: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """dbt `arguments` in `project_dir` with `dbt_vars`, the warehouse at `db_path` and the raw
    folder through AICOST_RAW_PATH: in this process, or as a subprocess (as a user runs it) when
    AICOST_TEST_DBT_SUBPROCESS=1."""
    if not in_process():
        return project.run_dbt(
            list(arguments), dbt_vars=dict(dbt_vars), project_dir=project_dir, db_path=db_path,
            capture_output=True, raw_path=raw_path,
        )  # fmt: skip
    return invoke(
        project.dbt_arguments(list(arguments), project_dir, dict(dbt_vars)),
        project_dir,
        project.dbt_environment(db_path, raw_path),
    )
