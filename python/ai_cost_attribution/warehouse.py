"""Build the warehouse beside the live file and swap it in, so readers never see a half-built one.

DuckDB locks its file for the whole life of a writing connection, and a reader's connection
(even read-only) makes a writer fail with "Could not set lock on file". Building in place would
therefore race with anyone reading the warehouse, the Streamlit app included. `build_warehouse`
avoids the race:

1. take the build lock `<dir>/.<name>.lock` (one build at a time per warehouse file);
2. copy the live file into `<dir>/.<name>.building/<name>` (incremental models need it; the copy
   keeps the file name, because DuckDB names its catalog after the file and views store that name);
3. run dbt against the copy: nobody else opens it, so nothing can lock it;
4. on success, `os.replace` the copy over the live file: one atomic rename on the same file system.
   A reader that already has the old file open keeps reading the old inode; the next one opens
   the new file. On failure the live file is untouched and the failed build is moved to
   `<dir>/.<name>.failed/<name>` for inspection.

Readers (the app) hold no connection between queries and call `build_in_progress()` to tell
"being rebuilt" apart from "missing"."""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ai_cost_attribution.project import run_dbt, warehouse_path


class BuildLockTimeoutError(RuntimeError):
    """Raised when another build of the same warehouse file holds the lock for too long."""


@dataclass(frozen=True)
class BuildPaths:
    """Where a build of one warehouse file stages, locks and keeps its failures."""

    live: Path
    staging: Path
    failed: Path
    lock: Path

    @classmethod
    def for_warehouse(cls, db_path: Path) -> BuildPaths:
        live = Path(db_path).resolve()
        hidden = live.parent / f".{live.name}"
        return cls(
            live=live,
            staging=Path(f"{hidden}.building") / live.name,
            failed=Path(f"{hidden}.failed") / live.name,
            lock=Path(f"{hidden}.lock"),
        )


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the dbt process, and whether the new file replaced the live one."""

    process: subprocess.CompletedProcess[str]
    db_path: Path
    swapped: bool
    failed_path: Path | None

    @property
    def returncode(self) -> int:
        return self.process.returncode


def wal_path(db_path: Path) -> Path:
    """DuckDB's write-ahead log beside a database file."""
    return db_path.with_name(db_path.name + ".wal")


@contextlib.contextmanager
def build_lock(db_path: Path | None = None, *, timeout_s: float = 1800) -> Iterator[BuildPaths]:
    """Hold the build lock of a warehouse file (one build at a time; readers see a build running)."""
    paths = BuildPaths.for_warehouse(db_path or warehouse_path())
    paths.lock.parent.mkdir(parents=True, exist_ok=True)
    with paths.lock.open("a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise BuildLockTimeoutError(
                        f"another build of {paths.live} has held {paths.lock} for over {timeout_s:.0f} s"
                    ) from error
                time.sleep(0.2)
        try:
            yield paths
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def build_in_progress(db_path: Path | None = None) -> bool:
    """True while a `build_warehouse` of this file is running (its lock is held)."""
    paths = BuildPaths.for_warehouse(db_path or warehouse_path())
    if not paths.lock.exists():
        return False
    with paths.lock.open("a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def _remove_database(path: Path) -> None:
    for candidate in (path, wal_path(path)):
        candidate.unlink(missing_ok=True)


def _checkpoint(path: Path) -> None:
    """Fold a leftover write-ahead log into the file, so the file alone is the database."""
    if wal_path(path).exists():
        with duckdb.connect(str(path)) as connection:
            connection.execute("checkpoint")


def build_warehouse(
    dbt_arguments: Sequence[str] = ("build",),
    *,
    dbt_vars: Mapping[str, object] | None = None,
    db_path: Path | None = None,
    project_dir: Path | None = None,
    start_from_previous: bool = True,
    capture_output: bool = False,
    lock_timeout_s: float = 1800,
) -> BuildResult:
    """Run dbt on a private copy of the warehouse and atomically swap it in when dbt succeeds.

    `start_from_previous` copies the live file first (incremental models need their previous
    state); pass False for a build from nothing. The live file is replaced only when dbt exits 0.
    """
    with build_lock(db_path, timeout_s=lock_timeout_s) as paths:
        paths.staging.parent.mkdir(parents=True, exist_ok=True)
        _remove_database(paths.staging)
        if start_from_previous and paths.live.exists():
            shutil.copyfile(paths.live, paths.staging)
            if wal_path(paths.live).exists():
                shutil.copyfile(wal_path(paths.live), wal_path(paths.staging))

        process = run_dbt(
            list(dbt_arguments),
            dbt_vars=dict(dbt_vars) if dbt_vars else None,
            project_dir=project_dir,
            db_path=paths.staging,
            capture_output=capture_output,
        )

        if process.returncode != 0 or not paths.staging.exists():
            failed_path = None
            if paths.staging.exists():
                paths.failed.parent.mkdir(parents=True, exist_ok=True)
                _remove_database(paths.failed)
                os.replace(paths.staging, paths.failed)
                if wal_path(paths.staging).exists():
                    os.replace(wal_path(paths.staging), wal_path(paths.failed))
                failed_path = paths.failed
            return BuildResult(process=process, db_path=paths.live, swapped=False, failed_path=failed_path)

        _checkpoint(paths.staging)
        paths.live.parent.mkdir(parents=True, exist_ok=True)
        os.replace(paths.staging, paths.live)
        # A log left beside the live file belonged to the file just replaced (its content was
        # copied into the build above); replayed onto the new file it would corrupt it.
        wal_path(paths.live).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            paths.staging.parent.rmdir()
        return BuildResult(process=process, db_path=paths.live, swapped=True, failed_path=None)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `aicost build`: dbt build on a copy of the warehouse, swapped in on success."""
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $AICOST_DB_PATH)")
    parser.add_argument("--raw-path", type=Path, default=None, help="raw folder (dbt var raw_path)")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild from nothing")
    parser.add_argument("--select", default=None, help="dbt node selection")


def run(args: argparse.Namespace) -> int:
    """Build the warehouse without ever locking out its readers."""
    arguments = ["build"]
    if args.full_refresh:
        arguments.append("--full-refresh")
    if args.select:
        arguments += ["--select", args.select]
    dbt_vars = {"raw_path": str(args.raw_path.resolve())} if args.raw_path else None
    result = build_warehouse(arguments, dbt_vars=dbt_vars, db_path=args.db, start_from_previous=not args.full_refresh)
    if result.swapped:
        print(f"Built and swapped in {result.db_path}.")
    else:
        kept = f"; the failed build is at {result.failed_path}" if result.failed_path else ""
        print(f"dbt failed: {result.db_path} is unchanged{kept}.")
    return result.returncode
