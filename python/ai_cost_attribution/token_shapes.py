"""Token sizes sampled from public LLM workload traces.

The demo and bulk generators never invent token counts from a formula: every prompt and
completion size starts as a row drawn (with a seeded numpy Generator) from one of these public
traces and is then multiplied by a per-feature factor.

* ``conv`` - Azure LLM inference trace 2023, conversation service (``ContextTokens``,
  ``GeneratedTokens``): chat features.
* ``code`` - the same trace, code service: code and SQL features.
* ``mooncake`` - Mooncake FAST'25 conversation trace (``input_length``, ``output_length``):
  long-document features. Its ``hash_ids`` (one id per 512-token block, shared leading ids =
  a reusable prefix) give :attr:`TokenShapes.prefix_share`, the share of each prompt that an
  earlier request had already sent; the generators use it to size prompt-cache prefixes.
* ``long`` - Mooncake rows (both traces) above 100,000 input tokens, for long-context calls.

What the generators need from the traces ships inside the package as
``data/token_shapes.csv.gz`` (one row per sampled trace row: source, input and output tokens,
and for ``mooncake`` rows the number of reused leading blocks). ``data/README.md`` gives each
trace's provenance and licence and how the file is derived. :func:`derive_token_shapes` derives
the same arrays from the original trace files in a folder you name, and
``python -m ai_cost_attribution.token_shapes derive --traces-dir DIR --out FILE`` rewrites the
file from them, byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

# Each trace under the name we give it, then under its upstream name (either is accepted).
AZURE_CONV_FILES: tuple[str, ...] = ("azure_llm_inference_2023_conv.csv", "AzureLLMInferenceTrace_conv.csv")
AZURE_CODE_FILES: tuple[str, ...] = ("azure_llm_inference_2023_code.csv", "AzureLLMInferenceTrace_code.csv")
MOONCAKE_CONVERSATION_FILES: tuple[str, ...] = ("mooncake_fast25_conversation_trace.jsonl", "conversation_trace.jsonl")
MOONCAKE_SYNTHETIC_FILES: tuple[str, ...] = ("mooncake_fast25_synthetic_trace.jsonl", "synthetic_trace.jsonl")
TRACE_FILES: tuple[tuple[str, ...], ...] = (
    AZURE_CONV_FILES,
    AZURE_CODE_FILES,
    MOONCAKE_CONVERSATION_FILES,
    MOONCAKE_SYNTHETIC_FILES,
)

MOONCAKE_BLOCK_TOKENS = 512
LONG_CONTEXT_MIN_TOKENS = 100_000

SOURCES: tuple[str, ...] = ("conv", "code", "mooncake", "long")

# The packaged sample: a gzip CSV inside the package (package data in pyproject.toml).
PACKAGED_FILE = "token_shapes.csv.gz"
FILE_COLUMNS: tuple[str, ...] = ("source", "input_tokens", "output_tokens", "reused_prefix_blocks")


class TokenShapesError(ValueError):
    """A trace folder or token shapes file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class TokenShapes:
    """Empirical (input, output) token pairs per source, plus the prompt prefix-reuse shares.

    ``reused_prefix_blocks[i]`` is how many leading 512-token blocks of ``mooncake`` row ``i`` an
    earlier request had already sent; ``prefix_share`` is the same as a share of the prompt.
    ``origin`` says where the arrays were read from (the packaged file or a trace folder).
    """

    inputs: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    reused_prefix_blocks: np.ndarray
    prefix_share: np.ndarray
    origin: Path

    @classmethod
    def from_arrays(
        cls,
        inputs: dict[str, np.ndarray],
        outputs: dict[str, np.ndarray],
        reused_prefix_blocks: np.ndarray,
        origin: Path,
    ) -> TokenShapes:
        """Build the shapes from the stored arrays; the prefix shares are computed from the blocks."""
        inputs = {s: np.asarray(inputs[s], dtype=np.int64) for s in SOURCES}
        outputs = {s: np.asarray(outputs[s], dtype=np.int64) for s in SOURCES}
        blocks = np.asarray(reused_prefix_blocks, dtype=np.int64)
        return cls(inputs, outputs, blocks, shares_from_blocks(blocks, inputs["mooncake"]), origin)

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


def scale_token_count(value: int, factor: float) -> int:
    """:func:`scale_tokens` on one count (a Python int; ``round`` halves to even, as ``np.rint``)."""
    return max(1, round(value * factor))


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


# --------------------------------------------------------------------------------------------
# Prompt prefix reuse


def reused_prefix_blocks(records: Sequence[dict]) -> np.ndarray:
    """Per Mooncake record, how many of its leading 512-token blocks an earlier record already sent."""
    seen: set[int] = set()
    blocks = np.zeros(len(records), dtype=np.int64)
    for i, record in enumerate(records):
        reused = 0
        for block in record["hash_ids"]:
            if block not in seen:
                break
            reused += 1
        blocks[i] = reused
        seen.update(record["hash_ids"])
    return blocks


def shares_from_blocks(blocks: np.ndarray, input_lengths: np.ndarray) -> np.ndarray:
    """Share of each prompt covered by its reused blocks: ``min(1, blocks * 512 / input)``, 0 for no input."""
    blocks = np.asarray(blocks, dtype=np.int64)
    lengths = np.asarray(input_lengths, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.minimum(1.0, blocks * MOONCAKE_BLOCK_TOKENS / lengths)
    return np.where(lengths > 0, shares, 0.0)


def prefix_shares(records: Sequence[dict]) -> np.ndarray:
    """Share of each request's prompt whose leading 512-token blocks an earlier request already sent."""
    lengths = np.array([record["input_length"] for record in records], dtype=np.int64)
    return shares_from_blocks(reused_prefix_blocks(records), lengths)


# --------------------------------------------------------------------------------------------
# Deriving the arrays from the original public trace files


def find_traces_dir(folder: Path | str) -> Path:
    """Check that ``folder`` holds the four original trace files (our names or the upstream ones)."""
    folder = Path(folder)
    missing = [" or ".join(names) for names in TRACE_FILES if _trace_file(folder, names) is None]
    if missing:
        raise FileNotFoundError(
            f"Reference traces missing in {folder}: {', '.join(missing)}. --traces-dir must name a folder "
            "holding the original Azure LLM inference 2023 and Mooncake FAST'25 trace files "
            "(see ai_cost_attribution/data/README.md); without it the packaged sample is used."
        )
    return folder


def _trace_file(folder: Path, names: tuple[str, ...]) -> Path | None:
    return next((folder / name for name in names if (folder / name).is_file()), None)


def _read_azure(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [(int(r["ContextTokens"]), int(r["GeneratedTokens"])) for r in csv.DictReader(handle)]
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenShapesError(f"{path}: not an Azure LLM inference trace (ContextTokens, GeneratedTokens)") from exc
    pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def _read_mooncake(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        try:
            records = [json.loads(line) for line in handle if line.strip()]
        except json.JSONDecodeError as exc:
            raise TokenShapesError(f"{path}: not a Mooncake JSONL trace ({exc})") from exc
    if any(not {"input_length", "output_length", "hash_ids"} <= set(r) for r in records):
        raise TokenShapesError(f"{path}: every line needs input_length, output_length and hash_ids")
    return records


def derive_token_shapes(traces_dir: Path | str) -> TokenShapes:
    """Read the four original public traces in ``traces_dir`` into :class:`TokenShapes` (about 0.3 s)."""
    folder = find_traces_dir(traces_dir)
    conv_in, conv_out = _read_azure(_trace_file(folder, AZURE_CONV_FILES))
    code_in, code_out = _read_azure(_trace_file(folder, AZURE_CODE_FILES))
    conversation = _read_mooncake(_trace_file(folder, MOONCAKE_CONVERSATION_FILES))
    synthetic = _read_mooncake(_trace_file(folder, MOONCAKE_SYNTHETIC_FILES))
    long_rows = [r for r in conversation + synthetic if r["input_length"] >= LONG_CONTEXT_MIN_TOKENS]

    def column(records: list[dict], key: str) -> np.ndarray:
        return np.array([r[key] for r in records], dtype=np.int64)

    return TokenShapes.from_arrays(
        inputs={
            "conv": conv_in,
            "code": code_in,
            "mooncake": column(conversation, "input_length"),
            "long": column(long_rows, "input_length"),
        },
        outputs={
            "conv": conv_out,
            "code": code_out,
            "mooncake": column(conversation, "output_length"),
            "long": column(long_rows, "output_length"),
        },
        reused_prefix_blocks=reused_prefix_blocks(conversation),
        origin=folder,
    )


# --------------------------------------------------------------------------------------------
# The packaged file


def packaged_file() -> Path:
    """Path of the token shapes file that ships inside the package."""
    return Path(str(resources.files("ai_cost_attribution") / "data" / PACKAGED_FILE))


def token_shapes_bytes(shapes: TokenShapes) -> bytes:
    """The gzip CSV of ``shapes``: the same arrays always give the same bytes (no timestamp, no name)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(FILE_COLUMNS)
    for source in SOURCES:
        blocks = shapes.reused_prefix_blocks if source == "mooncake" else None
        for i, (tokens_in, tokens_out) in enumerate(zip(shapes.inputs[source], shapes.outputs[source], strict=True)):
            writer.writerow((source, int(tokens_in), int(tokens_out), "" if blocks is None else int(blocks[i])))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as handle:
        handle.write(text.getvalue().encode("ascii"))
    return buffer.getvalue()


def write_token_shapes(shapes: TokenShapes, path: Path | str) -> Path:
    """Write ``shapes`` as the gzip CSV read by :func:`read_token_shapes`; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(token_shapes_bytes(shapes))
    return path


def read_token_shapes(path: Path | str) -> TokenShapes:
    """Read a token shapes gzip CSV (``source, input_tokens, output_tokens, reused_prefix_blocks``)."""
    path = Path(path)
    inputs: dict[str, list[int]] = {s: [] for s in SOURCES}
    outputs: dict[str, list[int]] = {s: [] for s in SOURCES}
    blocks: list[int] = []
    try:
        with gzip.open(path, "rt", encoding="ascii", newline="") as handle:
            reader = csv.reader(handle)
            header = tuple(next(reader, ()))
            if header != FILE_COLUMNS:
                raise TokenShapesError(f"{path}: header must be {','.join(FILE_COLUMNS)}, not {','.join(header)}")
            for line, row in enumerate(reader, start=2):
                if len(row) != len(FILE_COLUMNS) or row[0] not in inputs:
                    raise TokenShapesError(f"{path} line {line}: expected one of {', '.join(SOURCES)} and 3 numbers")
                source, tokens_in, tokens_out, reused = row
                inputs[source].append(int(tokens_in))
                outputs[source].append(int(tokens_out))
                if (reused != "") != (source == "mooncake"):
                    raise TokenShapesError(f"{path} line {line}: reused_prefix_blocks is set on mooncake rows only")
                if reused:
                    blocks.append(int(reused))
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"Token shapes file missing: {path}. The package ships it as ai_cost_attribution/data/{PACKAGED_FILE}; "
            "reinstall the package, or pass --traces-dir with the original public traces."
        ) from exc
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, TokenShapesError):
            raise
        raise TokenShapesError(f"{path}: not a token shapes gzip CSV ({exc})") from exc
    empty = [s for s in SOURCES if not inputs[s]]
    if empty:
        raise TokenShapesError(f"{path}: no rows for {', '.join(empty)}")
    return TokenShapes.from_arrays(
        {s: np.array(v, dtype=np.int64) for s, v in inputs.items()},
        {s: np.array(v, dtype=np.int64) for s, v in outputs.items()},
        np.array(blocks, dtype=np.int64),
        origin=path,
    )


def load_token_shapes(traces_dir: Path | str | None = None) -> TokenShapes:
    """The token shapes the generators sample from.

    Without ``traces_dir``: the packaged sample (``data/token_shapes.csv.gz``). With it: derived
    from the original public trace files in that folder (the same arrays, see ``data/README.md``).
    """
    if traces_dir is not None:
        return derive_token_shapes(traces_dir)
    return read_token_shapes(packaged_file())


# --------------------------------------------------------------------------------------------
# python -m ai_cost_attribution.token_shapes derive --traces-dir DIR --out FILE


def main(argv: Sequence[str] | None = None) -> int:
    """Derive the token shapes file from the original traces; prints what it wrote and its sha256."""
    parser = argparse.ArgumentParser(
        prog="python -m ai_cost_attribution.token_shapes",
        description="Derive the packaged token shapes file from the original public LLM traces.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    derive = commands.add_parser("derive", help="write the token shapes gzip CSV from a folder of traces")
    derive.add_argument(
        "--traces-dir",
        type=Path,
        required=True,
        help="folder holding the four original trace files (see ai_cost_attribution/data/README.md)",
    )
    derive.add_argument(
        "--out", type=Path, required=True, help=f"file to write (the packaged one is data/{PACKAGED_FILE})"
    )
    args = parser.parse_args(argv)
    try:
        shapes = derive_token_shapes(args.traces_dir)
        path = write_token_shapes(shapes, args.out)
    except (FileNotFoundError, TokenShapesError) as error:
        print(f"token_shapes: error: {error}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{s} {len(shapes.inputs[s]):,}" for s in SOURCES)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"wrote {path} ({path.stat().st_size:,} bytes; rows: {counts}); sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
