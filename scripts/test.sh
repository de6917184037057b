#!/usr/bin/env bash
# Every check: lint (ruff, sqlfluff) and the test suite (pytest drives dbt builds on fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false

echo "== ruff"
.venv/bin/ruff check python tests
.venv/bin/ruff format --check python tests

echo "== pytest"
exec .venv/bin/pytest "$@"
