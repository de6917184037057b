#!/usr/bin/env bash
# Create .venv and install the pinned dependencies (idempotent: a second run installs nothing).
# AICOST_EXTRAS names the extras of pyproject.toml to install (default `dev`; scripts/test.sh
# installs `dev,spark` with AICOST_TEST_SPARK=1: pyspark, ~400 MB, for the three-engine test).
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
    python_bin="$(command -v python3.11 || command -v python3)"
fi
case "$("$python_bin" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" in
    3.11) ;;
    *) echo "Python 3.11 is required (found $("$python_bin" --version)); set PYTHON=/path/to/python3.11" >&2; exit 1 ;;
esac

if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $python_bin"
    "$python_bin" -m venv .venv
fi

extras="${AICOST_EXTRAS:-dev}"
stamp=".venv/.installed-$( (cat pyproject.toml; echo "$extras") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Installing pinned dependencies into .venv (about a minute the first time)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check uv
    if ! .venv/bin/uv pip install --quiet --python .venv/bin/python -e ".[$extras]"; then
        echo "uv failed; falling back to pip" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
