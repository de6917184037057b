"""The traffic rules both simulators of the demo company draw from.

The demo world (:mod:`.demo`, call by call) and the bulk events (:mod:`.bulk_sessions`,
:mod:`.bulk_calls`, vectorised) simulate the same company: the shares, thresholds and formulas
they have in common live here, so a change to how the company calls its models is made once.
The company itself (features, models, customers, keys) is :mod:`ai_cost_attribution.world`; the
token sizes are :mod:`ai_cost_attribution.token_shapes`.

What stays separate, by design: the demo places sessions on local business hours and weekdays
and carries each session's cache state from call to call (so the demo shows a cache going warm
and cold, an agent loop growing its context, one injected spike); the bulk generator draws every
call independently within its time window, vectorised, so any number of events comes out
exactly and in bounded memory. Making the demo the bulk generator at demo scale would change
every demo file (and every demo figure of the README).
"""

from __future__ import annotations

import numpy as np

from ai_cost_attribution.generate.draws import cumulative

# What a call does in its trace (the usage event's call_role).
CALL_ROLES: tuple[str, ...] = ("primary", "router", "evaluator", "guardrail", "embedding", "rerank", "tool")

# Environments of a session: prod, staging, dev (world.ENVIRONMENTS order).
ENV_CDF = cumulative([0.90, 0.06, 0.04])
# A staging or dev session runs as one of the internal tenants this often, else as no customer.
NONPROD_INTERNAL_CUSTOMER_SHARE = 0.5

# How a prod, external session is tagged, by one uniform draw: below BARE nothing at all, below
# KEY_ONLY only the customer's dedicated key (when it has one), below NO_FEATURE no feature tag.
BARE_BELOW = 0.005
KEY_ONLY_BELOW = 0.015
NO_FEATURE_BELOW = 0.04
# Tags a tagged call carries only sometimes.
TEAM_TAG_SHARE = 0.7
PRODUCT_TAG_SHARE = 0.4
REGION_TAG_SHARE = 0.85
UNTAGGED_ENVIRONMENT_SHARE = 0.5  # an environment tag on a call that is not fully tagged
METADATA_SHARE = 0.85
# Router, checker and retrieval calls usually carry only the key (and sometimes the environment).
CHILD_THIN_TAGS_SHARE = 0.85

# Failed calls: this share of calls errors, and this share of the errors sent no prompt at all.
ERROR_RATE = 0.02
ERROR_WITHOUT_PROMPT_SHARE = 0.6

# Prompt caching: a prefix is cached in whole blocks, and only from a minimum size on.
CACHE_BLOCK_TOKENS = 128
MIN_CACHED_PREFIX_TOKENS = 1024
OPENAI_COLD_READ_SHARE = 0.3  # an automatic (OpenAI) cache read without a warm session
TTL_1H_SHARE = 0.04  # sessions writing to the 1-hour (Anthropic) cache instead of the 5-minute one

# A support session whose last trace resolved its ticket.
TICKET_RESOLVED_SHARE = 0.7

# Models and sessions.
DATED_SHARE = 0.10  # of sql_copilot gpt-4o sessions that pin the dated snapshot
MAX_TURNS = 8  # traces per session, at most

# What a call's latency is made of: a base, the output it generates, the prompt it reads.
BASE_LATENCY_MS = 40
LATENCY_MS_PER_INPUT_TOKEN = 0.015
LATENCY_SIGMA = 0.25  # lognormal noise
BATCH_LATENCY_MIN_MS = 60_000  # a batch request waits at least a minute, at most six hours more
BATCH_LATENCY_SPAN_MS = 21_600_000

# Staff using staging and dev (and the internal tools): emp-001 ... emp-040.
EMPLOYEES = 40

SDKS = (
    ("python", "openai-python", "1.109.1"),
    ("python", "anthropic-sdk", "0.69.0"),
    ("node", "litellm-proxy", "1.78.5"),
    ("python", "langchain", "0.3.27"),
)


def whole_blocks(tokens: int | np.ndarray) -> int | np.ndarray:
    """``tokens`` rounded down to whole cache blocks (an int, or elementwise on an int array)."""
    return tokens // CACHE_BLOCK_TOKENS * CACHE_BLOCK_TOKENS


def work_ms(
    output_tokens: int | np.ndarray, input_tokens: int | np.ndarray, ms_per_output_token: float | np.ndarray
) -> float | np.ndarray:
    """A successful call's latency before noise (scalars, or elementwise on arrays)."""
    return BASE_LATENCY_MS + output_tokens * ms_per_output_token + input_tokens * LATENCY_MS_PER_INPUT_TOKEN


def employee_id(k: int) -> str:
    """The user_id of employee ``k`` (1 ... EMPLOYEES)."""
    return f"emp-{k:03d}"
