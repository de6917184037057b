"""``python -m ai_cost_attribution.bench --internal-step ...``: one step, measured by its parent."""

import sys

from ai_cost_attribution.bench.cli import internal_step

sys.exit(internal_step(sys.argv[1:]))
