"""The engine limit: the core work in one DuckDB statement (``engine_limit.sql``), run in its own process."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ai_cost_attribution.pricing import DATED_SUFFIX

ENGINE_SQL_PATH = Path(__file__).with_name("engine_limit.sql")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def engine_sql(files: Sequence[Path], rate_card: Path, discounts: Path) -> str:
    """The engine-limit statement over ``files``, read from ``engine_limit.sql``."""
    return ENGINE_SQL_PATH.read_text(encoding="utf-8").format(
        files="[" + ", ".join(_sql_string(str(path)) for path in files) + "]",
        rate_card=_sql_string(str(rate_card)),
        discounts=_sql_string(str(discounts)),
        family_suffix=_sql_string(DATED_SUFFIX.pattern),
    )


def run_engine_limit(files: Sequence[Path], rate_card: Path, discounts: Path, result_path: Path) -> None:
    """Run the engine-limit statement (in this process) and write its headline figures as JSON."""
    import duckdb

    connection = duckdb.connect()
    connection.execute("set timezone = 'UTC'")
    rows = connection.execute(engine_sql(files, rate_card, discounts)).fetchall()
    result = {"groups": len(rows), "calls": sum(r[3] for r in rows), "cost_usd": sum(r[4] for r in rows)}
    result_path.write_text(json.dumps(result))
