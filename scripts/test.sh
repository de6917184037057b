#!/usr/bin/env bash
# Every check: lint (ruff, sqlfluff) and the test suite (pytest drives dbt builds on fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
# AICOST_TEST_SPARK=1 adds the Spark half of the three-engine test (tests/test_engines.py: the
# spark extra, ~400 MB, and about 1,000 CPU-seconds of Spark's JVM, which would take CI past its
# time): it then fails instead of skipping without pyspark. Without it that half is skipped and
# says so; the DuckDB and PostgreSQL half always runs.
if [ "${AICOST_TEST_SPARK:-0}" = "1" ]; then
    AICOST_EXTRAS=dev,spark bash scripts/setup.sh
    export AICOST_REQUIRE_SPARK=1
else
    bash scripts/setup.sh
fi
export DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false
# One dbt thread per fixture build: the test workers already keep every core busy, and four
# threads contending for them made each small build ~13 % slower with two side by side (a whole
# run showed no measurable change: docs/developing.md). AICOST_DBT_THREADS, profiles.yml.
export AICOST_DBT_THREADS="${AICOST_DBT_THREADS:-1}"
# The tests read what dbt prints and its artifacts, never its debug log file (logs/dbt.log):
# writing every statement there costs about 3 of a fixture build's 20 seconds.
export DBT_LOG_LEVEL_FILE=none

echo "== ruff"
.venv/bin/ruff check python tests app
.venv/bin/ruff format --check python tests app

echo "== sqlfluff (models/, with the dbt templater: the rules of .sqlfluff; one process per core)"
# The templater renders each model against a warehouse: an empty scratch one, so the result never
# depends on whether the demo was built (is_incremental() is true once it was) and lint leaves
# warehouse/ alone.
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
AICOST_DB_PATH="$lint_dir/lint.duckdb" .venv/bin/sqlfluff lint models --processes 0 \
    --format github-annotation-native --annotation-level failure
rm -rf "$lint_dir"

echo "== chromium and nginx (the app's real-browser test drives Debian's /usr/bin/chromium; nginx"
echo "   is the authenticating proxy of its trusted-header sign-in)"
if [ "$(id -u)" = "0" ]; then
    if [ ! -x /usr/bin/chromium ]; then
        apt-get install -y -qq chromium >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
    fi
    if [ ! -x /usr/sbin/nginx ]; then
        apt-get install -y -qq nginx-light >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null && apt-get install -y -qq nginx-light >/dev/null; }
    fi
    # as root the browser test must run: a missing Chromium fails it instead of skipping it
    export AICOST_REQUIRE_BROWSER=1
elif [ ! -x /usr/bin/chromium ]; then
    echo "   /usr/bin/chromium is missing and installing it needs root: tests/test_app_browser.py is skipped"
elif [ ! -x /usr/sbin/nginx ]; then
    echo "   /usr/sbin/nginx is missing and installing it needs root: the trusted-header browser test is skipped"
fi

echo "== pytest (one worker per core; a file's tests share a worker, so its built warehouses are built once)"
# --no-loadscope-reorder keeps the files in the order tests/conftest.py gives them (the longest
# first); xdist's default hands out the files with the most tests first, which left the longest
# file (three tests) for the end, running alone.
exec .venv/bin/pytest -n "${AICOST_TEST_WORKERS:-auto}" --dist loadfile --no-loadscope-reorder --durations=30 "$@"
