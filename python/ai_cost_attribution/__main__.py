import sys

from ai_cost_attribution.cli import main

sys.exit(main())
