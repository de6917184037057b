"""The token shapes the generators sample: the packaged file, and its derivation from the traces.

The packaged file (`ai_cost_attribution/data/token_shapes.csv.gz`) holds, per source, the
(input, output) token pairs of the public traces and, for the Mooncake conversation rows, how
many leading 512-token blocks an earlier request had already sent. The prefix share of a row is
`min(1, reused_blocks * 512 / input_tokens)`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ai_cost_attribution import generate as g
from ai_cost_attribution import token_shapes as ts
from ai_cost_attribution import world as w

DATA_DIR = Path(ts.__file__).resolve().parent / "data"
README = DATA_DIR / "README.md"


# ---- the packaged file ------------------------------------------------------------------------


def test_the_packaged_file_is_the_one_its_readme_describes() -> None:
    path = ts.packaged_file()
    assert path == DATA_DIR / "token_shapes.csv.gz"
    readme = README.read_text(encoding="utf-8")
    digest = re.search(r"\| sha256 \| `([0-9a-f]{64})` \|", readme).group(1)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert f"`token_shapes.csv.gz`, {path.stat().st_size:,} bytes" in readme
    shapes = ts.load_token_shapes()
    counts = {source: len(shapes.inputs[source]) for source in ts.SOURCES}
    assert counts == {"conv": 19_366, "code": 8_819, "mooncake": 12_031, "long": 74}
    assert "`conv` 19,366, `code` 8,819, `mooncake` 12,031, `long` 74 (40,290 in all)" in readme
    assert len(shapes.reused_prefix_blocks) == len(shapes.prefix_share) == 12_031


def test_the_packaged_rows_match_what_the_upstream_traces_say_of_themselves() -> None:
    shapes = ts.load_token_shapes()
    # Mooncake's conversation trace: "average input is 12,035 tokens and average output 343"
    assert round(shapes.inputs["mooncake"].mean()) == 12_035
    assert round(shapes.outputs["mooncake"].mean()) == 343
    # the long-context rows are the Mooncake prompts of at least 100,000 tokens
    assert shapes.inputs["long"].min() >= ts.LONG_CONTEXT_MIN_TOKENS
    assert shapes.inputs["mooncake"].max() > ts.LONG_CONTEXT_MIN_TOKENS
    # an earlier request never covers more than the whole prompt
    assert (shapes.prefix_share.min(), shapes.prefix_share.max()) == (0.0, 1.0)
    for source in ts.SOURCES:
        assert shapes.inputs[source].dtype == shapes.outputs[source].dtype == np.int64
        assert shapes.inputs[source].min() >= 1


def test_the_prefix_share_is_computed_from_the_stored_blocks() -> None:
    shapes = ts.load_token_shapes()
    # row 2 of the Mooncake conversation trace: 1 leading block of its 7,322 prompt tokens was sent before
    assert (shapes.reused_prefix_blocks[1], shapes.inputs["mooncake"][1]) == (1, 7_322)
    assert shapes.prefix_share[1] == 512 / 7_322
    # a prompt shorter than its reused blocks is capped at the whole prompt
    capped = np.flatnonzero(shapes.reused_prefix_blocks * 512 > shapes.inputs["mooncake"])
    assert len(capped) > 0 and set(shapes.prefix_share[capped]) == {1.0}


# ---- deriving the file from the original traces -----------------------------------------------


def write_traces(folder: Path, *, upstream_names: bool = False) -> Path:
    """A miniature copy of the four public traces, in their own formats."""
    folder.mkdir(parents=True, exist_ok=True)
    conv, code, conversation, synthetic = (names[1 if upstream_names else 0] for names in ts.TRACE_FILES)
    header = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
    (folder / conv).write_text(
        header + "2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109", encoding="utf-8"
    )
    (folder / code).write_text(header + "2023-11-16 18:17:03.9799600,2048,28\n", encoding="utf-8")
    moon = [
        {"timestamp": 0, "input_length": 1024, "output_length": 10, "hash_ids": [1, 2]},
        {"timestamp": 5, "input_length": 2048, "output_length": 20, "hash_ids": [1, 2, 3, 4]},
        {"timestamp": 9, "input_length": 150_000, "output_length": 30, "hash_ids": [5, 2]},
        {"timestamp": 12, "input_length": 700, "output_length": 40, "hash_ids": [1, 2]},
    ]
    (folder / conversation).write_text("".join(json.dumps(r) + "\n" for r in moon), encoding="utf-8")
    synthetic_rows = [
        {"timestamp": 0, "input_length": 120_000, "output_length": 6, "hash_ids": [0]},
        {"timestamp": 1, "input_length": 99_999, "output_length": 7, "hash_ids": [1]},
    ]
    (folder / synthetic).write_text("".join(json.dumps(r) + "\n" for r in synthetic_rows), encoding="utf-8")
    return folder


def test_derive_keeps_every_row_in_order_and_counts_the_reused_blocks(tmp_path: Path) -> None:
    shapes = ts.derive_token_shapes(write_traces(tmp_path / "traces"))
    assert {s: shapes.inputs[s].tolist() for s in ts.SOURCES} == {
        "conv": [374, 396],
        "code": [2048],
        "mooncake": [1024, 2048, 150_000, 700],
        "long": [150_000, 120_000],  # conversation rows >= 100k, then synthetic ones
    }
    assert {s: shapes.outputs[s].tolist() for s in ts.SOURCES} == {
        "conv": [44, 109],
        "code": [28],
        "mooncake": [10, 20, 30, 40],
        "long": [30, 6],
    }
    # blocks 1, 2 are new; then 1, 2 seen (3 new); then 5 is new (stop); then 1, 2 seen
    assert shapes.reused_prefix_blocks.tolist() == [0, 2, 0, 2]
    # shares: 0; 2 * 512 / 2048 = 0.5; 0; 2 * 512 / 700 > 1, so 1
    assert shapes.prefix_share.tolist() == [0.0, 0.5, 0.0, 1.0]


def test_upstream_file_names_are_accepted(tmp_path: Path) -> None:
    ours = ts.derive_token_shapes(write_traces(tmp_path / "ours"))
    upstream = ts.derive_token_shapes(write_traces(tmp_path / "upstream", upstream_names=True))
    assert ts.token_shapes_bytes(ours) == ts.token_shapes_bytes(upstream)


def test_the_file_round_trips_the_arrays_and_its_bytes_are_reproducible(tmp_path: Path) -> None:
    derived = ts.derive_token_shapes(write_traces(tmp_path / "traces"))
    path = ts.write_token_shapes(derived, tmp_path / "out" / "shapes.csv.gz")
    again = ts.read_token_shapes(path)
    for source in ts.SOURCES:
        assert np.array_equal(again.inputs[source], derived.inputs[source])
        assert np.array_equal(again.outputs[source], derived.outputs[source])
    assert np.array_equal(again.reused_prefix_blocks, derived.reused_prefix_blocks)
    assert again.prefix_share.tobytes() == derived.prefix_share.tobytes()  # bit for bit
    assert ts.write_token_shapes(again, tmp_path / "second.csv.gz").read_bytes() == path.read_bytes()
    assert gzip.decompress(path.read_bytes()).decode("ascii").splitlines() == [
        "source,input_tokens,output_tokens,reused_prefix_blocks",
        "conv,374,44,",
        "conv,396,109,",
        "code,2048,28,",
        "mooncake,1024,10,0",
        "mooncake,2048,20,2",
        "mooncake,150000,30,0",
        "mooncake,700,40,2",
        "long,150000,30,",
        "long,120000,6,",
    ]


def test_the_packaged_file_round_trips_bit_for_bit() -> None:
    shapes = ts.load_token_shapes()
    assert ts.token_shapes_bytes(shapes) == ts.packaged_file().read_bytes()


def test_the_derive_command(tmp_path: Path) -> None:
    traces = write_traces(tmp_path / "traces")
    out = tmp_path / "shapes.csv.gz"
    command = [sys.executable, "-m", "ai_cost_attribution.token_shapes", "derive", "--traces-dir", str(traces)]
    done = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert done.stdout.strip().endswith(f"rows: conv 2, code 1, mooncake 4, long 2); sha256 {digest}")
    assert out.read_bytes() == ts.token_shapes_bytes(ts.derive_token_shapes(traces))

    missing = [*command[:-1], str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.csv.gz")]
    failed = subprocess.run(missing, capture_output=True, text=True, check=False, timeout=60)
    assert failed.returncode == 2
    assert failed.stderr.startswith(f"token_shapes: error: Reference traces missing in {tmp_path / 'nowhere'}")
    assert "Traceback" not in failed.stderr
    assert not (tmp_path / "x.csv.gz").exists()


def test_generating_from_a_traces_folder_samples_its_rows(tmp_path: Path) -> None:
    traces = write_traces(tmp_path / "traces")
    summary = g.write_demo_world(tmp_path / "raw", seed=1, days=3, customers=8, traces_dir=traces)
    assert summary.events > 0
    # every primary support_assistant call takes its input size from the two conv rows
    spec = w.FEATURES[w.FEATURE_INDEX["support_assistant"]]
    allowed = set(ts.scale_tokens(np.array([374, 396]), spec.input_scale).tolist())
    seen = set()
    for path in (tmp_path / "raw" / "usage").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # the deliberately truncated lines
            if (
                isinstance(event, dict)
                and event.get("feature") == "support_assistant"
                and event.get("call_role", "primary") == "primary"
                and event.get("status") != "error"
                and isinstance(event.get("input_tokens"), int)
            ):
                seen.add(event["input_tokens"])
    assert seen and seen <= allowed


HEADER = b"source,input_tokens,output_tokens,reused_prefix_blocks\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not gzip", "not a token shapes gzip CSV"),
        (gzip.compress(b"a,b\n1,2\n", mtime=0), "header must be " + HEADER.decode().strip()),
        (gzip.compress(HEADER + b"conv,1,2,3\n", mtime=0), "line 2"),
        (gzip.compress(HEADER + b"conv,1,2,\n", mtime=0), "no rows for code"),
    ],
    ids=["not_gzip", "wrong_header", "bad_line", "no_code_rows"],  # bytes make unstable ids
)
def test_a_broken_file_is_a_clear_error_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "shapes.csv.gz"
    path.write_bytes(content)
    with pytest.raises(ts.TokenShapesError, match=re.escape(message)) as raised:
        ts.read_token_shapes(path)
    assert str(path) in str(raised.value)
    with pytest.raises(FileNotFoundError, match="Token shapes file missing"):
        ts.read_token_shapes(tmp_path / "absent.csv.gz")
