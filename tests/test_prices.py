"""Specification of the rate card builder (`aicost prices`) and of the shipped seed.

Prices in the seed are USD per million tokens. The cost of one call (docs/CONTRACT.md section 2):

    uncached = input_tokens - cache_read_tokens - cache_write_tokens
    cost = (uncached * input + cache_read * cache_read_price + cache_write * cache_write_price
            + output_tokens * output) / 1e6

with empty cache prices falling back to the input price, and the `_long` prices used for the
whole call when input_tokens > long_context_threshold_tokens.
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import http.server
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from ai_cost_attribution import cli, prices, pricing

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED = REPO_ROOT / "seeds" / "rate_card.csv"
MTOK = Decimal(1_000_000)


# The seed was built from LiteLLM's price map as of litellm==1.106.2, which ships it inside its
# package: the pinned dev dependency gives the tests the exact file (found without importing litellm).
PRICE_MAP_SHA256 = "66970be01c88f94618f9f69c1a1d29e400474f2d7b89973de7e373c110f455c2"


def _price_map_path() -> Path:
    spec = importlib.util.find_spec("litellm")
    assert spec is not None and spec.submodule_search_locations, "no price map: install litellm==1.106.2"
    return Path(spec.submodule_search_locations[0]) / "model_prices_and_context_window_backup.json"


PRICE_MAP_PATH = _price_map_path()


def test_the_price_map_is_the_one_the_seed_was_built_from():
    assert hashlib.sha256(PRICE_MAP_PATH.read_bytes()).hexdigest() == PRICE_MAP_SHA256


@pytest.fixture(scope="module")
def price_map() -> dict:
    return json.loads(PRICE_MAP_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_rows() -> list[dict[str, str]]:
    with SEED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed_row(rows: list[dict[str, str]], provider: str, model: str) -> dict[str, str]:
    matches = [r for r in rows if r["provider"] == provider and r["model"] == model and r["effective_to"] == ""]
    assert len(matches) == 1, f"{provider}/{model}: {len(matches)} open rows"
    return matches[0]


def run_prices(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    prices.add_arguments(parser)
    return prices.run(parser.parse_args(list(argv)))


# --------------------------------------------------------------------------------------------
# Provider mapping and prefix stripping


@pytest.mark.parametrize(
    ("key", "litellm_provider", "provider", "model", "qualifiers"),
    [
        ("gemini/gemini-2.5-pro", "gemini", "google", "gemini-2.5-pro", ()),
        ("gemini-2.5-pro", "vertex_ai-language-models", "vertex_ai", "gemini-2.5-pro", ()),
        ("vertex_ai/claude-sonnet-4-5", "vertex_ai-anthropic_models", "vertex_ai", "claude-sonnet-4-5", ()),
        (
            "vertex_ai/meta/llama-3.3-70b-instruct-maas",
            "vertex_ai-llama_models",
            "vertex_ai",
            "meta/llama-3.3-70b-instruct-maas",
            (),
        ),
        ("azure/gpt-4o", "azure", "azure", "gpt-4o", ()),
        ("azure/eu/gpt-4o", "azure", "azure", "gpt-4o", ("eu",)),
        ("azure/global-standard/gpt-4o-mini", "azure", "azure", "gpt-4o-mini", ("global-standard",)),
        ("azure_ai/grok-4", "azure_ai", "azure_ai", "grok-4", ()),
        ("gpt-4o", "openai", "openai", "gpt-4o", ()),
        ("gpt-3.5-turbo-instruct", "text-completion-openai", "openai", "gpt-3.5-turbo-instruct", ()),
        ("deepseek/deepseek-chat", "deepseek", "deepseek", "deepseek-chat", ()),
        ("xai/grok-4.20", "xai", "xai", "grok-4.20", ()),
        ("mistral/mistral-large-latest", "mistral", "mistral", "mistral-large-latest", ()),
        (
            "anthropic.claude-opus-4-1-20250805-v1:0",
            "bedrock_converse",
            "bedrock",
            "anthropic.claude-opus-4-1-20250805-v1:0",
            (),
        ),
        (
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "bedrock",
            "bedrock",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            (),
        ),
        ("bedrock/us-east-1/zai.glm-5", "bedrock", "bedrock", "zai.glm-5", ("us-east-1",)),
        (
            "bedrock/us-west-2/1-month-commitment/anthropic.claude-v1",
            "bedrock",
            "bedrock",
            "anthropic.claude-v1",
            ("us-west-2", "1-month-commitment"),
        ),
        (
            "bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0",
            "bedrock",
            "bedrock",
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            (),
        ),
    ],
)
def test_prefix_stripping_and_provider_mapping(key, litellm_provider, provider, model, qualifiers):
    parsed = prices.split_model_key(key, litellm_provider)
    assert (parsed.provider, parsed.model, parsed.qualifiers) == (provider, model, qualifiers)


def test_collisions_pick_the_documented_winner(seed_rows):
    # deepseek/deepseek-chat (route-prefixed, the key LiteLLM itself resolves) lists a cache
    # write price of 0; the bare deepseek-chat key lists none.
    assert seed_row(seed_rows, "deepseek", "deepseek-chat")["cache_write_usd_per_mtok"] == "0"
    # azure/gpt-4o (no data zone) beats azure/eu/gpt-4o ($2.75/M) and azure/us/gpt-4o.
    assert seed_row(seed_rows, "azure", "gpt-4o")["input_usd_per_mtok"] == "2.5"
    # The global Bedrock price beats the GovCloud regions ($3.60/M).
    assert seed_row(seed_rows, "bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0")["input_usd_per_mtok"] == "3"


def test_a_model_listed_only_by_region_takes_the_preferred_region():
    price_map = {
        "bedrock/ap-northeast-1/acme.model-v1": _entry("bedrock", 4e-06, 8e-06),
        "bedrock/us-east-1/acme.model-v1": _entry("bedrock", 3e-06, 6e-06),
        "bedrock/eu-west-1/acme.other-v1": _entry("bedrock", 2e-06, 4e-06),
    }
    rows = {r["model"]: r for r in prices.build_rows(price_map).rows}
    assert rows["acme.model-v1"]["input_usd_per_mtok"] == "3"  # us-east-1 is preferred
    assert rows["acme.other-v1"]["input_usd_per_mtok"] == "2"  # the only region listed


def _entry(provider: str, input_cost: float, output_cost: float, **extra: object) -> dict:
    return {
        "litellm_provider": provider,
        "mode": "chat",
        "input_cost_per_token": input_cost,
        "output_cost_per_token": output_cost,
        **extra,
    }


# --------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("per_token", "per_mtok"),
    [
        (3.75e-08, "0.0375"),
        (1e-05, "10"),
        (2.5e-06, "2.5"),
        (0.0, "0"),
        (0, "0"),
        (2.0000000000000002e-07, "0.2"),  # float noise removed
        (1.5000020000000002e-05, "15.00002"),
        (1.23456789012e-12, "0.000001235"),  # rounded to 9 decimal places
        (None, ""),
    ],
)
def test_per_token_prices_become_plain_decimals_per_million(per_token, per_mtok):
    assert prices.per_mtok(per_token) == per_mtok


def test_seed_numbers_are_plain_decimals_dbt_can_cast(seed_rows):
    for row in seed_rows:
        for column in prices.PRICE_COLUMNS:
            value = row[column]
            if value == "":
                continue
            assert "e" not in value.lower() and "," not in value, (row["model"], column, value)
            number = Decimal(value)
            assert 0 <= number < Decimal(10) ** 9 and -number.as_tuple().exponent <= 9
        threshold = row["long_context_threshold_tokens"]
        assert threshold == "" or threshold.isdigit()
        assert row["effective_to"] == "" or row["effective_to"] > row["effective_from"]
        assert row["mode"] in {"chat", "completion", "embedding"}


# --------------------------------------------------------------------------------------------
# The shipped seed agrees with the JSON it came from


def test_seed_header_is_the_contract_column_order():
    with SEED.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert header == [
        "provider",
        "model",
        "effective_from",
        "effective_to",
        "input_usd_per_mtok",
        "output_usd_per_mtok",
        "cache_read_usd_per_mtok",
        "cache_write_usd_per_mtok",
        "batch_input_usd_per_mtok",
        "batch_output_usd_per_mtok",
        "long_context_threshold_tokens",
        "input_usd_per_mtok_long",
        "output_usd_per_mtok_long",
        "cache_read_usd_per_mtok_long",
        "cache_write_1h_usd_per_mtok",
        "cache_write_usd_per_mtok_long",
        "mode",
        "price_source",
    ]


# Written out here rather than imported, so the test checks the module against the spec.
EXPECTED_PROVIDER = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "xai": "xai",
    "azure": "azure",
    "azure_text": "azure",
    "azure_ai": "azure_ai",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
}

# Rate card column -> LiteLLM key (the long-context keys carry the threshold in their name).
CSV_TO_LITELLM = {
    "input_usd_per_mtok": "input_cost_per_token",
    "output_usd_per_mtok": "output_cost_per_token",
    "cache_read_usd_per_mtok": "cache_read_input_token_cost",
    "cache_write_usd_per_mtok": "cache_creation_input_token_cost",
    "batch_input_usd_per_mtok": "input_cost_per_token_batches",
    "batch_output_usd_per_mtok": "output_cost_per_token_batches",
    "cache_write_1h_usd_per_mtok": "cache_creation_input_token_cost_above_1hr",
    "input_usd_per_mtok_long": "input_cost_per_token_above_{k}k_tokens",
    "output_usd_per_mtok_long": "output_cost_per_token_above_{k}k_tokens",
    "cache_read_usd_per_mtok_long": "cache_read_input_token_cost_above_{k}k_tokens",
    "cache_write_usd_per_mtok_long": "cache_creation_input_token_cost_above_{k}k_tokens",
}


def _expected_provider(litellm_provider: str) -> str | None:
    if litellm_provider.startswith("vertex_ai"):
        return "vertex_ai"
    return EXPECTED_PROVIDER.get(litellm_provider)


def _matches(row: dict[str, str], entry: dict) -> bool:
    """Every price in the row equals the entry's per-token price times one million."""
    threshold = row["long_context_threshold_tokens"]
    k = int(threshold) // 1000 if threshold else None
    if entry.get("mode") != row["mode"]:
        return False
    for column, key in CSV_TO_LITELLM.items():
        if "{k}" in key:
            per_token = entry.get(key.format(k=k)) if k is not None else None
        else:
            per_token = entry.get(key)
        if per_token is None and column == "output_usd_per_mtok" and row["mode"] == "embedding":
            per_token = 0
        expected = "" if per_token is None else Decimal(repr(per_token)) * MTOK
        got = row[column]
        if expected == "" or got == "":
            if expected != got:
                return False
        elif Decimal(got) != expected.quantize(Decimal("1e-9")):
            return False
    return True


def test_every_litellm_row_equals_its_json_entry_times_a_million(seed_rows, price_map):
    by_provider_and_tail: dict[tuple[str, str], list[dict]] = {}
    for key, entry in price_map.items():
        if not isinstance(entry, dict) or key == "sample_spec":
            continue
        provider = _expected_provider(str(entry.get("litellm_provider")))
        if provider is None:
            continue
        parts = key.split("/")
        for i in range(len(parts)):
            by_provider_and_tail.setdefault((provider, "/".join(parts[i:])), []).append(entry)
    litellm_rows = [r for r in seed_rows if r["price_source"] == "litellm"]
    assert len(litellm_rows) > 800
    for row in litellm_rows:
        candidates = by_provider_and_tail.get((row["provider"], row["model"]), [])
        assert any(_matches(row, entry) for entry in candidates), (row["provider"], row["model"])


def test_seed_covers_every_priced_model_of_the_default_providers(seed_rows, price_map):
    models_by_provider: dict[str, set[str]] = {}
    for row in seed_rows:
        models_by_provider.setdefault(row["provider"], set()).add(row["model"])
    missing = []
    for key, entry in price_map.items():
        if not isinstance(entry, dict) or entry.get("mode") not in {"chat", "completion", "embedding"}:
            continue
        provider = _expected_provider(str(entry.get("litellm_provider")))
        if provider is None or entry.get("input_cost_per_token") is None:
            continue
        parts = key.split("/")
        tails = {"/".join(parts[i:]) for i in range(len(parts))}
        if not tails & models_by_provider.get(provider, set()):
            missing.append(key)
    assert missing == []


def test_seed_is_what_the_builder_writes_today(tmp_path, seed_rows):
    out = tmp_path / "rate_card.csv"
    shutil.copy(SEED, out)
    assert run_prices("--from", str(PRICE_MAP_PATH), "--out", str(out)) == 0
    assert out.read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


def test_seed_keys_are_unique_and_versions_never_overlap(seed_rows):
    keys = Counter((r["provider"], r["model"], r["effective_from"]) for r in seed_rows)
    assert [k for k, n in keys.items() if n > 1] == []
    open_rows = Counter((r["provider"], r["model"]) for r in seed_rows if r["effective_to"] == "")
    assert [k for k, n in open_rows.items() if n > 1] == []
    assert prices.find_problems(seed_rows) == ([], [])


def test_seed_row_counts_per_provider(seed_rows):
    counts = Counter(r["provider"] for r in seed_rows)
    assert counts == {
        "anthropic": 22,
        "azure": 98,
        "azure_ai": 121,
        "bedrock": 296,
        "deepseek": 10,
        "google": 43,
        "mistral": 53,
        "openai": 107,
        "self_hosted": 2,
        "vertex_ai": 140,
        "xai": 36,
    }


def test_seed_holds_the_demo_models(seed_rows):
    expected = {
        # (provider, model): input, output, cache read, cache write, batch in, batch out, 1h write
        ("openai", "gpt-4o"): ("2.5", "10", "1.25", "", "1.25", "5", ""),
        ("openai", "gpt-4o-mini"): ("0.15", "0.6", "0.075", "", "0.075", "0.3", ""),
        ("openai", "text-embedding-3-small"): ("0.02", "0", "", "", "0.01", "0", ""),
        ("openai", "o3-mini"): ("1.1", "4.4", "0.55", "", "0.55", "2.2", ""),
        ("anthropic", "claude-sonnet-4-5"): ("3", "15", "0.3", "3.75", "1.5", "7.5", "6"),
        ("anthropic", "claude-haiku-4-5"): ("1", "5", "0.1", "1.25", "0.5", "2.5", "2"),
        ("anthropic", "claude-opus-4-5"): ("5", "25", "0.5", "6.25", "2.5", "12.5", "10"),
        ("google", "gemini-2.5-pro"): ("1.25", "10", "0.125", "", "0.625", "5", ""),
        ("google", "gemini-2.5-flash"): ("0.3", "2.5", "0.03", "", "0.15", "1.25", ""),
    }
    columns = (
        "input_usd_per_mtok",
        "output_usd_per_mtok",
        "cache_read_usd_per_mtok",
        "cache_write_usd_per_mtok",
        "batch_input_usd_per_mtok",
        "batch_output_usd_per_mtok",
        "cache_write_1h_usd_per_mtok",
    )
    for (provider, model), values in expected.items():
        row = seed_row(seed_rows, provider, model)
        assert tuple(row[c] for c in columns) == values, (provider, model)
    pro = seed_row(seed_rows, "google", "gemini-2.5-pro")
    assert (
        pro["long_context_threshold_tokens"],
        pro["input_usd_per_mtok_long"],
        pro["output_usd_per_mtok_long"],
        pro["cache_read_usd_per_mtok_long"],
    ) == ("200000", "2.5", "15", "0.25")
    for model, mode in (("llama-3.1-70b-instruct", "chat"), ("bge-large-en-v1.5", "embedding")):
        row = seed_row(seed_rows, "self_hosted", model)
        assert (row["input_usd_per_mtok"], row["output_usd_per_mtok"]) == ("0", "0")
        assert (row["mode"], row["price_source"]) == (mode, "custom")


# --------------------------------------------------------------------------------------------
# Independent check: the contract formula on seed rows equals LiteLLM's own cost calculator


@pytest.fixture(scope="module")
def litellm():
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # offline: use the wheel's price map
    return pytest.importorskip("litellm")


def contract_cost(
    row: dict[str, str], input_tokens: int, output_tokens: int, cache_read: int, cache_write: int
) -> Decimal:
    """docs/CONTRACT.md section 2 on one rate card row: the list cost pricing.py gives (the
    warehouse's rule, each token class rounded to 12 decimals)."""
    rate = pricing.Rate.from_row(row)
    prices = pricing.applied_prices(rate, is_long=pricing.is_long_context(rate, input_tokens), is_batch=False)
    cost = pricing.call_cost(
        prices,
        Decimal(0),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
    return cost.list_cost_usd


# Each of a call's four token classes is rounded to 12 decimals (decimal(38, 12)), so the list
# cost may differ from LiteLLM's unrounded float by up to 4 x 0.5e-12, plus float noise.
ROUNDING = Decimal("2.5e-12")


def test_worked_example_gpt_4o_with_cache_reads(seed_rows, litellm):
    row = seed_row(seed_rows, "openai", "gpt-4o")
    # 3,000 input tokens, 2,000 of them cache reads, 500 output tokens:
    # 1,000 uncached x $2.50/M + 2,000 cache reads x $1.25/M + 500 output x $10/M
    # = 0.0025 + 0.0025 + 0.005 = 0.0100
    assert contract_cost(row, 3_000, 500, 2_000, 0) == Decimal("0.0100")
    prompt, completion = litellm.cost_per_token(
        model="gpt-4o",
        custom_llm_provider="openai",
        prompt_tokens=3_000,
        completion_tokens=500,
        cache_read_input_tokens=2_000,
    )
    assert abs(Decimal(prompt + completion) - Decimal("0.0100")) < Decimal("1e-12")


def test_worked_example_gemini_2_5_pro_above_200k(seed_rows, litellm):
    row = seed_row(seed_rows, "google", "gemini-2.5-pro")
    # 250,000 input tokens (> 200,000, so the whole call is long-context), 50,000 of them cache
    # reads, 1,000 output tokens:
    # 200,000 uncached x $2.50/M + 50,000 cache reads x $0.25/M + 1,000 output x $15/M
    # = 0.5 + 0.0125 + 0.015 = 0.5275
    assert contract_cost(row, 250_000, 1_000, 50_000, 0) == Decimal("0.5275")
    # The same call at 150,000 input tokens stays on the regular prices:
    # 100,000 x $1.25/M + 50,000 x $0.125/M + 1,000 x $10/M = 0.125 + 0.00625 + 0.01 = 0.14125
    assert contract_cost(row, 150_000, 1_000, 50_000, 0) == Decimal("0.14125")
    prompt, completion = litellm.cost_per_token(
        model="gemini-2.5-pro",
        custom_llm_provider="gemini",
        prompt_tokens=250_000,
        completion_tokens=1_000,
        cache_read_input_tokens=50_000,
    )
    assert abs(Decimal(prompt + completion) - Decimal("0.5275")) < Decimal("1e-12")


def test_worked_example_one_hour_cache_write(seed_rows, litellm):
    row = seed_row(seed_rows, "anthropic", "claude-sonnet-4-5")
    # 1,000 input tokens of which 400 are written to the 1-hour cache, 200 output tokens:
    # 600 uncached x $3/M + 400 x $6/M (cache_write_1h) + 200 x $15/M = 0.0018 + 0.0024 + 0.003 = 0.0072
    cost = (
        600 * Decimal(row["input_usd_per_mtok"])
        + 400 * Decimal(row["cache_write_1h_usd_per_mtok"])
        + 200 * Decimal(row["output_usd_per_mtok"])
    ) / MTOK
    assert cost == Decimal("0.0072")
    usage = litellm.Usage(
        prompt_tokens=1_000,
        completion_tokens=200,
        total_tokens=1_200,
        prompt_tokens_details={
            "cache_creation_tokens": 400,
            "cache_creation_token_details": {
                "ephemeral_5m_input_tokens": 0,
                "ephemeral_1h_input_tokens": 400,
            },
        },
    )
    prompt, completion = litellm.cost_per_token(
        model="claude-sonnet-4-5", custom_llm_provider="anthropic", usage_object=usage
    )
    assert abs(Decimal(prompt + completion) - Decimal("0.0072")) < Decimal("1e-12")


# (rate card provider, rate card model, LiteLLM provider argument)
ORACLE_MODELS = [
    ("openai", "gpt-4o", "openai"),
    ("openai", "gpt-4o-mini", "openai"),
    ("openai", "o3-mini", "openai"),
    ("openai", "gpt-5.4", "openai"),  # long context above 272k
    ("openai", "text-embedding-3-small", "openai"),
    ("anthropic", "claude-sonnet-4-5", "anthropic"),
    ("anthropic", "claude-haiku-4-5", "anthropic"),
    ("anthropic", "claude-opus-4-5", "anthropic"),
    ("anthropic", "claude-haiku-5-5", "anthropic"),  # long context above 100k
    ("google", "gemini-2.5-pro", "gemini"),  # long context above 200k
    ("google", "gemini-2.5-flash", "gemini"),
    ("vertex_ai", "gemini-2.5-pro", "vertex_ai"),  # long-context cache write, no regular one
    ("vertex_ai", "claude-sonnet-4-5", "vertex_ai"),
    ("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"),
    ("bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock"),
    ("bedrock", "amazon.nova-pro-v1:0", "bedrock"),
    ("mistral", "mistral-large-latest", "mistral"),
    ("deepseek", "deepseek-chat", "deepseek"),
    ("deepseek", "deepseek-reasoner", "deepseek"),
    ("xai", "grok-4.20", "xai"),  # long context above 200k
    ("azure", "gpt-4o", "azure"),
    ("azure", "gpt-5.4", "azure"),
    ("azure_ai", "grok-4", "azure_ai"),
]


@pytest.mark.parametrize(("provider", "model", "litellm_provider"), ORACLE_MODELS)
def test_contract_cost_equals_litellm(seed_rows, litellm, provider, model, litellm_provider):
    row = seed_row(seed_rows, provider, model)
    # (input incl. cache, output, cache read, cache write); LiteLLM's prompt_tokens include cache tokens.
    calls = [(10_000, 500, 0, 0), (10_000, 500, 2_000, 1_000), (1_000, 0, 0, 0)]
    if row["long_context_threshold_tokens"]:
        calls.append((int(row["long_context_threshold_tokens"]) + 50_000, 800, 30_000, 5_000))
    for input_tokens, output_tokens, cache_read, cache_write in calls:
        prompt, completion = litellm.cost_per_token(
            model=model,
            custom_llm_provider=litellm_provider,
            prompt_tokens=input_tokens,
            completion_tokens=output_tokens,
            cache_read_input_tokens=cache_read,
            cache_creation_input_tokens=cache_write,
        )
        expected = contract_cost(row, input_tokens, output_tokens, cache_read, cache_write)
        assert abs(Decimal(prompt + completion) - expected) < ROUNDING, (input_tokens, cache_read)


# --------------------------------------------------------------------------------------------
# Refresh semantics


def _write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_refresh_keeps_custom_rows_and_unchanged_models_and_dates_repriced_ones(tmp_path, price_map, capsys):
    out = tmp_path / "rate_card.csv"
    shutil.copy(SEED, out)
    with out.open("a", encoding="utf-8") as handle:  # a hand-written price for a fine-tuned model
        handle.write("openai,ft:gpt-4o-mini:acme,2025-03-01,,0.3,1.2,0.15,,,,,,,,,,chat,custom\n")
    before = {(r["provider"], r["model"], r["effective_from"]): r for r in _rows(out)}

    changed = dict(price_map)
    changed["gpt-4o"] = {**price_map["gpt-4o"], "input_cost_per_token": 2e-06}  # $2.50/M -> $2.00/M
    del changed["o3-mini"]  # dropped from the source
    source = _write_json(tmp_path / "prices.json", changed)

    assert run_prices("--from", str(source), "--out", str(out), "--effective-from", "2026-12-01") == 0
    summary = capsys.readouterr().out
    assert "kept 924, added 0, repriced 1" in summary
    assert "1 model(s) no longer in the source" in summary
    after = {(r["provider"], r["model"], r["effective_from"]): r for r in _rows(out)}

    # Hand-written rows survive untouched.
    for key in [
        ("openai", "ft:gpt-4o-mini:acme", "2025-03-01"),
        ("self_hosted", "llama-3.1-70b-instruct", "2024-01-01"),
    ]:
        assert after[key] == before[key]
    # An unchanged model keeps its row as it was.
    assert after[("openai", "gpt-4o-mini", "2024-01-01")] == before[("openai", "gpt-4o-mini", "2024-01-01")]
    # The repriced model: the old row closes the day the new one opens.
    old, new = after[("openai", "gpt-4o", "2024-01-01")], after[("openai", "gpt-4o", "2026-12-01")]
    assert (old["effective_to"], old["input_usd_per_mtok"]) == ("2026-12-01", "2.5")
    assert (new["effective_to"], new["input_usd_per_mtok"], new["output_usd_per_mtok"]) == ("", "2", "10")
    # A model that left the source keeps its history.
    assert after[("openai", "o3-mini", "2024-01-01")] == before[("openai", "o3-mini", "2024-01-01")]
    assert len(after) == len(before) + 1
    assert prices.find_problems(list(after.values())) == ([], [])

    # Running the same refresh again changes nothing.
    text = out.read_text(encoding="utf-8")
    assert run_prices("--from", str(source), "--out", str(out), "--effective-from", "2026-12-01") == 0
    assert out.read_text(encoding="utf-8") == text


def test_a_repricing_needs_a_later_effective_from(tmp_path, capsys):
    out = tmp_path / "rate_card.csv"
    first = _write_json(tmp_path / "v1.json", {"acme/m1": _entry("acme", 1e-06, 2e-06)})
    second = _write_json(tmp_path / "v2.json", {"acme/m1": _entry("acme", 1.5e-06, 2e-06)})
    assert run_prices("--from", str(first), "--out", str(out), "--providers", "acme") == 0
    text = out.read_text(encoding="utf-8")
    assert run_prices("--from", str(second), "--out", str(out), "--providers", "acme") == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("aicost prices: error: 1 model(s) changed price") and "\n" not in error
    assert out.read_text(encoding="utf-8") == text  # nothing written


def test_a_hand_written_row_owns_its_model(tmp_path):
    out = tmp_path / "rate_card.csv"
    out.write_text(
        ",".join(prices.COLUMNS) + "\n" + "acme,m1,2024-06-01,,9,9,,,,,,,,,,,chat,custom\n", encoding="utf-8"
    )
    source = _write_json(tmp_path / "v1.json", {"acme/m1": _entry("acme", 1e-06, 2e-06)})
    assert run_prices("--from", str(source), "--out", str(out), "--providers", "acme") == 0
    assert [(r["model"], r["price_source"]) for r in _rows(out)] == [("m1", "custom")]


def test_a_new_rate_card_starts_with_the_self_hosted_examples(tmp_path):
    out = tmp_path / "new" / "rate_card.csv"
    source = _write_json(
        tmp_path / "v1.json",
        {
            "acme/m1": _entry("acme", 1e-06, 2e-06, input_cost_per_token_above_128k_tokens=2e-06),
            "acme/embed": {"litellm_provider": "acme", "mode": "embedding", "input_cost_per_token": 1e-07},
            "acme/image": {
                "litellm_provider": "acme",
                "mode": "image_generation",
                "input_cost_per_token": 1e-07,
            },
        },
    )
    assert (
        run_prices(
            "--from",
            str(source),
            "--out",
            str(out),
            "--providers",
            "acme",
            "--effective-from",
            "2025-01-01",
        )
        == 0
    )
    rows = {(r["provider"], r["model"]): r for r in _rows(out)}
    assert set(rows) == {
        ("acme", "embed"),
        ("acme", "m1"),
        ("self_hosted", "bge-large-en-v1.5"),
        ("self_hosted", "llama-3.1-70b-instruct"),
    }
    assert rows[("acme", "m1")]["long_context_threshold_tokens"] == "128000"
    assert rows[("acme", "m1")]["input_usd_per_mtok_long"] == "2"
    assert rows[("acme", "embed")]["output_usd_per_mtok"] == "0"  # embeddings bill no output
    assert rows[("acme", "m1")]["effective_from"] == "2025-01-01"


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]"])
def test_a_bad_source_is_one_clear_line_and_exit_1(tmp_path, capsys, content):
    source = tmp_path / "prices.json"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    out = tmp_path / "rate_card.csv"
    assert run_prices("--from", str(source), "--out", str(out)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("aicost prices: error: ") and captured.err.count("\n") == 1
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# Where the price list comes from: --from URL|FILE, LiteLLM's published list by default


def aicost(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `aicost` command in a subprocess (as a user would)."""
    return subprocess.run(
        [sys.executable, "-m", "ai_cost_attribution.cli", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_the_default_source_is_litellms_published_price_list():
    parser = argparse.ArgumentParser()
    prices.add_arguments(parser)
    assert parser.parse_args([]).source == (
        "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
    )
    assert parser.parse_args(["--source", "x.json"]).source == "x.json"  # the former name still works


def test_prices_from_a_file(tmp_path, capsys):
    out = tmp_path / "rate_card.csv"
    shutil.copy(SEED, out)
    assert cli.main(["prices", "--from", str(PRICE_MAP_PATH), "--out", str(out)]) == 0
    assert "litellm rows kept 926, added 0, repriced 0; hand-written rows kept 2" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requested: list[str] = []

    def log_message(self, format: str, *args: object) -> None:
        _QuietHandler.requested.append(self.path)


@pytest.fixture
def price_server(tmp_path):
    """A local http.server serving a copy of the price map; yields its base URL, stops afterwards."""
    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copy(PRICE_MAP_PATH, folder / "model_prices_and_context_window.json")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _QuietHandler.requested = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_prices_from_a_url(tmp_path, price_server, capsys):
    out = tmp_path / "rate_card.csv"
    url = f"{price_server}/model_prices_and_context_window.json"
    assert cli.main(["prices", "--from", url, "--out", str(out)]) == 0
    assert _QuietHandler.requested == ["/model_prices_and_context_window.json"]
    assert "rate card" in capsys.readouterr().out
    # a new rate card: the LiteLLM rows of the seed plus its two hand-written examples
    assert out.read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


def test_a_missing_file_on_the_server_names_the_http_error(tmp_path, price_server):
    url = f"{price_server}/nope.json"
    result = aicost("prices", "--from", url, "--out", str(tmp_path / "rate_card.csv"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"aicost prices: error: cannot download the price list {url}: HTTP 404")
    assert not (tmp_path / "rate_card.csv").exists()


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def test_an_unreachable_url_says_what_to_do_offline(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/x.json"
    out = tmp_path / "rate_card.csv"
    result = aicost("prices", "--from", url, "--out", str(out))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"aicost prices: error: cannot download the price list {url}: [Errno 111] Connection refused"
    assert lines[1] == "If this machine is offline (or cannot reach that address), either:"
    assert "aicost prices --from FILE" in lines[3]
    # the second way out names the copy inside the installed litellm package, which builds the seed
    assert lines[4].startswith("  2. use the copy inside the installed litellm package (litellm 1.106.2;")
    assert lines[5].strip() == f"aicost prices --from {PRICE_MAP_PATH}"
    assert not out.exists()


def test_without_litellm_the_message_says_how_to_get_its_copy(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/x.json"
    # sys.modules[name] = None is how Python marks a package as not importable
    code = (
        "import sys; sys.modules['litellm'] = None; from ai_cost_attribution import cli; "
        f"sys.exit(cli.main(['prices', '--from', {url!r}, '--out', {str(tmp_path / 'rc.csv')!r}]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "  2. use the copy that ships inside the litellm Python package "
        "(litellm/model_prices_and_context_window_backup.json); litellm is not installed here: "
        "pip install litellm==1.106.2 (the version this project tests with), then pass that file with --from"
    )
