"""Token sizes sampled from public LLM workload traces.

The demo and bulk generators never invent token counts from a formula: every prompt and
completion size starts as a row drawn (with a seeded numpy Generator) from one of the public
traces shipped in ``../shared/reference/traces`` and is then multiplied by a per-feature factor.

* ``conv`` - Azure LLM inference trace 2023, conversation service (``ContextTokens``,
  ``GeneratedTokens``): chat features.
* ``code`` - the same trace, code service: code and SQL features.
* ``mooncake`` - Mooncake FAST'25 conversation trace (``input_length``, ``output_length``):
  long-document features. Its ``hash_ids`` (one id per 512-token block, shared leading ids =
  a reusable prefix) give :attr:`TokenShapes.prefix_share`, the share of each prompt that an
  earlier request had already sent; the generators use it to size prompt-cache prefixes.
* ``long`` - Mooncake rows (both traces) above 100,000 input tokens, for long-context calls.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

AZURE_CONV_FILE = "azure_llm_inference_2023_conv.csv"
AZURE_CODE_FILE = "azure_llm_inference_2023_code.csv"
MOONCAKE_CONVERSATION_FILE = "mooncake_fast25_conversation_trace.jsonl"
MOONCAKE_SYNTHETIC_FILE = "mooncake_fast25_synthetic_trace.jsonl"

MOONCAKE_BLOCK_TOKENS = 512
LONG_CONTEXT_MIN_TOKENS = 100_000

SOURCES: tuple[str, ...] = ("conv", "code", "mooncake", "long")


@dataclass(frozen=True)
class TokenShapes:
    """Empirical (input, output) token pairs per source, plus the prompt prefix-reuse shares."""

    inputs: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    prefix_share: np.ndarray
    traces_dir: Path

    def sample(self, rng: np.random.Generator, source: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` (input, output) pairs from one source's rows, with replacement."""
        rows = rng.integers(0, len(self.inputs[source]), size=n)
        return self.inputs[source][rows], self.outputs[source][rows]

    def pooled(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All sources in one pair of arrays, with each source's offset and length (``SOURCES`` order).

        Lets a vectorised caller draw row ``offset[s] + floor(u * length[s])`` for a per-row source.
        """
        inputs = np.concatenate([self.inputs[s] for s in SOURCES])
        outputs = np.concatenate([self.outputs[s] for s in SOURCES])
        lengths = np.array([len(self.inputs[s]) for s in SOURCES], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        return inputs, outputs, offsets, lengths


def scale_tokens(values: np.ndarray | int, factor: float) -> np.ndarray:
    """Scale trace token counts by a feature factor: ``max(1, round(value * factor))`` as int64."""
    return np.maximum(1, np.rint(np.asarray(values, dtype=np.float64) * factor)).astype(np.int64)


def find_repo_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: this file) holding ``dbt_project.yml``.

    Falls back to the nearest folder holding ``pyproject.toml`` (a source checkout before the dbt
    project exists); ``None`` when neither is found (an installed wheel).
    """
    here = (start or Path(__file__)).resolve()
    for marker in ("dbt_project.yml", "pyproject.toml"):
        for folder in (here, *here.parents):
            if (folder / marker).is_file():
                return folder
    return None


def find_traces_dir(override: Path | str | None = None) -> Path:
    """Locate the reference traces folder (``<repo>/../shared/reference/traces`` unless overridden)."""
    if override is not None:
        folder = Path(override)
    else:
        root = find_repo_root()
        if root is None:
            raise FileNotFoundError(
                "Cannot find the reference traces: no dbt_project.yml above "
                f"{Path(__file__).resolve().parent}. Pass traces_dir (CLI: --traces-dir) pointing at "
                "the folder holding the Azure and Mooncake trace files."
            )
        folder = root.parent / "shared" / "reference" / "traces"
    required = (AZURE_CONV_FILE, AZURE_CODE_FILE, MOONCAKE_CONVERSATION_FILE, MOONCAKE_SYNTHETIC_FILE)
    missing = [name for name in required if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"Reference traces missing in {folder}: {', '.join(missing)}. The generator samples token "
            "sizes from these public traces; pass traces_dir (CLI: --traces-dir) to point elsewhere."
        )
    return folder


def _read_azure(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(int(r["ContextTokens"]), int(r["GeneratedTokens"])) for r in csv.DictReader(handle)]
    pairs = np.array(rows, dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def _read_mooncake(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def prefix_shares(records: list[dict]) -> np.ndarray:
    """Share of each request's prompt whose leading 512-token blocks an earlier request already sent."""
    seen: set[int] = set()
    shares = np.zeros(len(records), dtype=np.float64)
    for i, record in enumerate(records):
        reused = 0
        for block in record["hash_ids"]:
            if block not in seen:
                break
            reused += 1
        if record["input_length"] > 0:
            shares[i] = min(1.0, reused * MOONCAKE_BLOCK_TOKENS / record["input_length"])
        seen.update(record["hash_ids"])
    return shares


def load_token_shapes(traces_dir: Path | str | None = None) -> TokenShapes:
    """Read the four reference traces into :class:`TokenShapes` (about 0.2 s)."""
    folder = find_traces_dir(traces_dir)
    conv_in, conv_out = _read_azure(folder / AZURE_CONV_FILE)
    code_in, code_out = _read_azure(folder / AZURE_CODE_FILE)
    conversation = _read_mooncake(folder / MOONCAKE_CONVERSATION_FILE)
    synthetic = _read_mooncake(folder / MOONCAKE_SYNTHETIC_FILE)
    moon_in = np.array([r["input_length"] for r in conversation], dtype=np.int64)
    moon_out = np.array([r["output_length"] for r in conversation], dtype=np.int64)
    both = conversation + synthetic
    long_rows = [r for r in both if r["input_length"] >= LONG_CONTEXT_MIN_TOKENS]
    long_in = np.array([r["input_length"] for r in long_rows], dtype=np.int64)
    long_out = np.array([r["output_length"] for r in long_rows], dtype=np.int64)
    return TokenShapes(
        inputs={"conv": conv_in, "code": code_in, "mooncake": moon_in, "long": long_in},
        outputs={"conv": conv_out, "code": code_out, "mooncake": moon_out, "long": long_out},
        prefix_share=prefix_shares(conversation),
        traces_dir=folder,
    )
