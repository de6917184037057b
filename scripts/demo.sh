#!/usr/bin/env bash
# The main job: set up, generate the demo company's raw logs, build the warehouse, print the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false
exec .venv/bin/aicost demo "$@"
