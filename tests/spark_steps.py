"""Runs the Spark side of tests/test_engines.py in one process: `aicost load`, `dbt build` and the
reads, in the order a plan gives them, on one JVM.

A Spark process pays about 20 seconds to start its JVM and session and as much again warming up
(the first statements of a session are slow); one process per step paid that six times. The steps
are the real ones: `aicost load` through the CLI's own entry point, dbt through its programmatic
runner (`dbtRunner`, dbt-spark's session method: every statement asks SparkSession for the
session, so the load's stopped session is simply started again in the warm JVM), and reads
through `ai_cost_attribution.targets`, as `aicost summary --target spark` reads.

Usage: python tests/spark_steps.py PLAN.json RESULT.json, where the plan is a list of steps:
{"load": RAW_FOLDER}, {"dbt": [ARGUMENTS]}, {"move": [FROM, TO]}, {"read": {NAME: SQL}, "as": KEY}.
The result holds each step's seconds and each read's rows (decimals and times tagged); a failing
step writes what it printed and stops the plan."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any


def encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if hasattr(value, "hour"):
        return {"time": value.isoformat()}
    if hasattr(value, "isoformat"):
        return {"date": value.isoformat()}
    return value


def run_step(step: dict[str, Any]) -> tuple[str, Any]:
    """One step; returns (a label, what it produced), raising with the step's output on failure."""
    if "load" in step:
        from ai_cost_attribution.cli import main as aicost

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = aicost(["load", "--target", "spark", "--raw", step["load"]])
        if code != 0:
            raise RuntimeError(f"aicost load failed ({code}):\n{printed.getvalue()[-4000:]}")
        return "load", None
    if "dbt" in step:
        from dbt.cli.main import dbtRunner

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = dbtRunner().invoke(step["dbt"])
        if not result.success:
            raise RuntimeError(f"dbt {' '.join(step['dbt'])} failed:\n{printed.getvalue()[-10000:]}")
        return f"dbt {step['dbt'][0]}", None
    if "move" in step:
        source, destination = step["move"]
        shutil.move(source, destination)
        return "move", None
    if "read" in step:
        from ai_cost_attribution.targets import connect

        with connect("spark") as warehouse:
            rows = {
                name: [[encode(v) for v in row] for row in warehouse.rows(sql)] for name, sql in step["read"].items()
            }
        return f"read {step['as']}", rows
    raise ValueError(f"unknown step {step!r}")


def main(plan_path: str, result_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text())
    result: dict[str, Any] = {"seconds": [], "reads": {}, "error": None}
    for step in plan:
        started = time.monotonic()
        try:
            label, produced = run_step(step)
        except Exception as error:  # noqa: BLE001 - the test reports it
            result["error"] = str(error)
            break
        result["seconds"].append([label, round(time.monotonic() - started, 1)])
        if "read" in step:
            result["reads"][step["as"]] = produced
    Path(result_path).write_text(json.dumps(result))
    return 1 if result["error"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
