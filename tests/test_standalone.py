"""The repository stands alone: a copy with nothing beside it runs the README's main command.

Everything the demo, the price refresh and the tests need ships inside the repository (the token
shapes in the package, the design documents in docs/, the price map in the pinned litellm dev
dependency), so no file may name a folder beside the repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
THIS_FILE = Path(__file__).resolve().relative_to(REPO_ROOT).as_posix()


def folders_beside_the_repository() -> tuple[str, ...]:
    """How a file would name a folder that sits beside this checkout (`../<name>/` or its
    absolute path): such a folder exists on the machine at hand, never in a user's clone."""
    beside = [path for path in REPO_ROOT.parent.iterdir() if path.is_dir() and path != REPO_ROOT]
    return tuple(pattern for path in beside for pattern in (f"../{path.name}/", f"{path}/"))


SMALL_DEMO = ("--days", "35", "--customers", "30")

# Build output and environments are never part of a copy, even when not ignored.
NEVER_COPIED = (".venv/", "warehouse/", "demo/", "target/", "logs/", "dbt_packages/", "bench_runs/")


def repository_files() -> list[str]:
    """Tracked files plus new files not ignored (what a commit of the work tree would hold)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"not a git checkout ({error}): cannot list the repository's files")
    names = sorted({name for name in listed.decode("utf-8").split("\0") if name})
    return [n for n in names if (REPO_ROOT / n).is_file() and not n.startswith(NEVER_COPIED)]


def test_no_file_names_a_folder_beside_the_repository() -> None:
    forbidden = folders_beside_the_repository()
    hits = []
    for name in repository_files():
        if name == THIS_FILE:
            continue
        text = (REPO_ROOT / name).read_bytes()
        for number, line in enumerate(text.splitlines(), start=1):
            for pattern in forbidden:
                if pattern.encode() in line:
                    hits.append(f"{name}:{number}: {pattern}: {line.decode('utf-8', 'replace').strip()[:160]}")
    assert hits == [], "files name a folder that only exists beside our checkouts:\n" + "\n".join(hits)


def _clean_environment() -> dict[str, str]:
    """The caller's environment without anything pointing into this checkout or its venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AICOST_", "DBT_", "PYTEST_")) and key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and not Path(p).resolve().is_relative_to(REPO_ROOT)]
    env["PATH"] = os.pathsep.join(path)
    return env


@pytest.mark.slow
@pytest.mark.standalone
def test_the_main_command_runs_in_a_copy_with_nothing_beside_it() -> None:
    parent = Path(tempfile.mkdtemp(prefix="aicost-standalone-"))
    clone = parent / "ai-cost-attribution"
    try:
        for name in repository_files():
            target = clone / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, target)
        assert sorted(p.name for p in parent.iterdir()) == ["ai-cost-attribution"]  # nothing beside it

        # the main command as the README gives it, on a smaller demo company (its size is a flag of
        # `aicost demo`; the full demo is the same code on three months of 200 customers)
        done = subprocess.run(
            ["bash", "scripts/demo.sh", *SMALL_DEMO],
            cwd=clone,
            env=_clean_environment(),
            capture_output=True,
            text=True,
            timeout=1500,
            check=False,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, output[-6000:]

        # the steps and the summary of what the warehouse holds
        for step in ("[1/3] Writing the demo company's raw logs", "[2/3] dbt build", "[3/3] Done in"):
            assert step in done.stdout, output[-6000:]
        raw_lines = int(re.search(r"^Raw lines read: +([\d,]+)$", done.stdout, re.MULTILINE).group(1).replace(",", ""))
        written = sum(
            len(path.read_bytes().splitlines()) for path in (clone / "demo" / "raw" / "usage").glob("*.jsonl")
        )
        assert raw_lines == written > 10_000
        for heading in ("Calls priced:", "Lines rejected:", "Cost by provider", "Cost ledger (every dollar"):
            assert heading in done.stdout
        # and how to open the app
        assert "Next: open the app with `.venv/bin/aicost app` (http://127.0.0.1:8501)" in done.stdout
        assert (clone / "warehouse" / "ai_cost.duckdb").is_file()
        assert (clone / ".venv" / "bin" / "aicost").is_file()  # its own environment, not ours
    finally:
        shutil.rmtree(parent, ignore_errors=True)
