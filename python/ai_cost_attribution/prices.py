"""Build and refresh the rate card seed (``seeds/rate_card.csv``) from the LiteLLM price map.

This module backs ``aicost prices``. It reads LiteLLM's ``model_prices_and_context_window.json``
(an ``http(s)://`` URL, by default the list LiteLLM publishes on GitHub, or a file), turns every
chat, completion and embedding model of the selected providers into one rate card row (USD per
million tokens), and merges those rows into the existing seed without losing history:

* rows whose ``price_source`` is not ``litellm`` (hand-written rows) are never touched, and a
  (provider, model) pair that has such a row is left to its owner;
* an open ``litellm`` row whose prices did not change is kept as it is;
* an open ``litellm`` row whose prices changed is closed (``effective_to`` = the new
  ``effective_from``) and a new row is appended;
* models that disappeared from the source keep their rows.

See ``docs/prices.md`` for the user-facing rules (prefix stripping, collisions, long context).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import importlib.metadata
import importlib.util
import json
import re
import sys
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from ai_cost_attribution.contract import rate_card_columns, rate_card_price_columns

# The seed's columns in file order: the seed config in dbt_project.yml (its one home).
COLUMNS: tuple[str, ...] = rate_card_columns()

# Columns that hold a price (USD per million tokens).
PRICE_COLUMNS: tuple[str, ...] = rate_card_price_columns()

# Columns whose change makes a new dated version of a LiteLLM row.
COMPARED_COLUMNS: tuple[str, ...] = (*PRICE_COLUMNS, "long_context_threshold_tokens", "mode")

# Rate card column <- LiteLLM per-token key (regular tier).
BASE_PRICE_KEYS: Mapping[str, str] = {
    "input_usd_per_mtok": "input_cost_per_token",
    "output_usd_per_mtok": "output_cost_per_token",
    "cache_read_usd_per_mtok": "cache_read_input_token_cost",
    "cache_write_usd_per_mtok": "cache_creation_input_token_cost",
    "batch_input_usd_per_mtok": "input_cost_per_token_batches",
    "batch_output_usd_per_mtok": "output_cost_per_token_batches",
    "cache_write_1h_usd_per_mtok": "cache_creation_input_token_cost_above_1hr",
}

# Rate card long-context column <- LiteLLM key stem; the key is ``<stem>_above_<N>k_tokens``.
LONG_PRICE_STEMS: Mapping[str, str] = {
    "input_usd_per_mtok_long": "input_cost_per_token",
    "output_usd_per_mtok_long": "output_cost_per_token",
    "cache_read_usd_per_mtok_long": "cache_read_input_token_cost",
    "cache_write_usd_per_mtok_long": "cache_creation_input_token_cost",
}

# ``input_cost_per_token_above_200k_tokens`` and the like; LiteLLM also accepts a bare number of
# tokens (``_above_128000_tokens``), so the ``k`` is optional here too.
_LONG_KEY = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost)_above_(\d+)(k?)_tokens$"
)

LITELLM_SOURCE = "litellm"
# The price list LiteLLM publishes; `aicost prices` reads it unless --from names another URL or file.
DEFAULT_SOURCE_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
# The copy of that list inside the litellm Python package (as of the installed version).
LITELLM_PACKAGED_FILE = "model_prices_and_context_window_backup.json"
DOWNLOAD_TIMEOUT_S = 60
CUSTOM_SOURCE = "custom"
DEFAULT_EFFECTIVE_FROM = "2024-01-01"
PRICED_MODES: tuple[str, ...] = ("chat", "completion", "embedding")
PRICE_DECIMALS = 9

# Rate card providers built by default (names as they appear in the rate card and in events).
DEFAULT_PROVIDERS: tuple[str, ...] = (
    "openai",
    "anthropic",
    "google",
    "vertex_ai",
    "mistral",
    "deepseek",
    "xai",
    "azure",
    "azure_ai",
    "bedrock",
)

# LiteLLM provider -> rate card provider, where they differ. ``vertex_ai-*`` is handled in code.
PROVIDER_RENAMES: Mapping[str, str] = {
    "gemini": "google",
    "bedrock_converse": "bedrock",
    "text-completion-openai": "openai",
    "azure_text": "azure",
}

# First path segments LiteLLM uses as a route in front of a model id, per rate card provider.
ROUTE_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "google": ("gemini",),
    "bedrock": ("bedrock", "bedrock_converse"),
    "openai": ("openai", "text-completion-openai"),
    "azure": ("azure", "azure_text"),
}

# Bedrock API routes that may follow ``bedrock/`` and are not part of the model id.
_BEDROCK_API_ROUTES: frozenset[str] = frozenset({"invoke", "converse"})

# Segments between the route and the model id that name a region, a data zone or a
# provisioned-throughput term: ``bedrock/us-east-1/...``, ``azure/eu/...``.
_REGION_SEGMENT = re.compile(r"^(?:\*|[a-z]{2}(?:-gov)?-[a-z]+-\d+|\d+-month-commitment)$")
_AZURE_ZONES: frozenset[str] = frozenset({"eu", "us", "apac", "global", "global-standard", "us-gov"})

# When a model is listed only under regional keys, the region used, best first; other regions
# follow in JSON order.
PREFERRED_QUALIFIERS: tuple[str, ...] = ("us-east-1", "global-standard", "global", "us")

# Hand-written example rows a new rate card starts with (see docs/prices.md).
EXAMPLE_CUSTOM_ROWS: tuple[Mapping[str, str], ...] = (
    {
        "provider": "self_hosted",
        "model": "llama-3.1-70b-instruct",
        "effective_from": DEFAULT_EFFECTIVE_FROM,
        "input_usd_per_mtok": "0",
        "output_usd_per_mtok": "0",
        "cache_read_usd_per_mtok": "0",
        "cache_write_usd_per_mtok": "0",
        "mode": "chat",
        "price_source": CUSTOM_SOURCE,
    },
    {
        "provider": "self_hosted",
        "model": "bge-large-en-v1.5",
        "effective_from": DEFAULT_EFFECTIVE_FROM,
        "input_usd_per_mtok": "0",
        "output_usd_per_mtok": "0",
        "mode": "embedding",
        "price_source": CUSTOM_SOURCE,
    },
)


class PricesError(Exception):
    """A problem the user can fix (bad source, bad seed, bad date); printed as one line."""


@dataclass(frozen=True)
class ModelKey:
    """A LiteLLM model key split into the rate card provider and model name.

    ``route_prefixed`` is true when the key started with a provider route (``gemini/...``);
    ``qualifiers`` holds region, data-zone or commitment segments (``us-east-1``, ``eu``).
    """

    provider: str
    model: str
    route_prefixed: bool
    qualifiers: tuple[str, ...]


@dataclass
class MergeResult:
    """The merged rate card and what the merge did."""

    rows: list[dict[str, str]]
    kept: int = 0
    added: int = 0
    repriced: int = 0
    kept_custom: int = 0
    gone_from_source: int = 0
    user_owned: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Names


def rate_card_provider(litellm_provider: str) -> str:
    """Map a LiteLLM provider name to the provider name used in the rate card and in events.

    ``gemini`` becomes ``google``; every ``vertex_ai-*`` sub-provider becomes ``vertex_ai``;
    ``bedrock_converse`` becomes ``bedrock``; ``azure_text`` becomes ``azure``;
    ``text-completion-openai`` becomes ``openai``. Other names are kept (``azure_ai`` included).
    """
    if litellm_provider == "vertex_ai" or litellm_provider.startswith("vertex_ai-"):
        return "vertex_ai"
    return PROVIDER_RENAMES.get(litellm_provider, litellm_provider)


def _is_qualifier(provider: str, segment: str) -> bool:
    if provider == "bedrock":
        return bool(_REGION_SEGMENT.match(segment))
    if provider == "azure":
        return segment in _AZURE_ZONES or bool(_REGION_SEGMENT.match(segment))
    return False


def split_model_key(key: str, litellm_provider: str) -> ModelKey:
    """Split a LiteLLM model key into rate card provider, model name and qualifiers.

    The first path segment is dropped when it is the provider's route (``gemini/gemini-2.5-pro``
    gives ``google`` / ``gemini-2.5-pro``; ``azure/gpt-4o`` gives ``azure`` / ``gpt-4o``). For
    Bedrock an API route (``invoke``) is dropped too. For Bedrock and Azure, region, data-zone and
    commitment segments (``bedrock/us-east-1/...``, ``azure/eu/...``) are dropped and returned as
    qualifiers. Anything else stays in the model name, e.g. the publisher in Vertex AI's
    ``meta/llama-3.1-405b-instruct-maas`` and Bedrock's cross-region ``us.`` profile prefix.
    """
    provider = rate_card_provider(litellm_provider)
    segments = key.split("/")
    routes = {litellm_provider, provider, *ROUTE_PREFIXES.get(provider, ())}
    route_prefixed = False
    if len(segments) > 1 and segments[0] in routes:
        segments = segments[1:]
        route_prefixed = True
    if provider == "bedrock" and len(segments) > 1 and segments[0] in _BEDROCK_API_ROUTES:
        segments = segments[1:]
    qualifiers: list[str] = []
    while len(segments) > 1 and _is_qualifier(provider, segments[0]):
        qualifiers.append(segments.pop(0))
    return ModelKey(provider, "/".join(segments), route_prefixed, tuple(qualifiers))


def _candidate_rank(key: ModelKey, position: int) -> tuple[int, int, int]:
    """Sort key choosing among LiteLLM keys that collapse to the same (provider, model).

    A key without region qualifiers beats a regional one; among regional keys the preferred
    region wins; then a route-prefixed key (``deepseek/deepseek-chat``) beats a bare one
    (``deepseek-chat``), which is the order LiteLLM's own lookup uses; then JSON order.
    """
    if not key.qualifiers:
        region_rank = 0
    elif key.qualifiers[0] in PREFERRED_QUALIFIERS:
        region_rank = 1 + PREFERRED_QUALIFIERS.index(key.qualifiers[0])
    else:
        region_rank = 1 + len(PREFERRED_QUALIFIERS)
    return (region_rank, 0 if key.route_prefixed else 1, position)


# --------------------------------------------------------------------------------------------
# Numbers


def per_mtok(cost_per_token: object) -> str:
    """Convert a LiteLLM USD-per-token cost to a USD-per-million-tokens decimal string.

    Uses the shortest decimal form of the float, so float noise never reaches the seed, rounds
    to 9 decimal places and never writes scientific notation: ``3.75e-08`` gives ``"0.0375"``,
    ``1e-05`` gives ``"10"``. ``None`` gives ``""`` (not listed).
    """
    if cost_per_token is None:
        return ""
    if isinstance(cost_per_token, bool) or not isinstance(cost_per_token, int | float | str):
        raise PricesError(f"price {cost_per_token!r} is not a number")
    try:
        value = Decimal(repr(cost_per_token) if isinstance(cost_per_token, float) else str(cost_per_token))
    except InvalidOperation as exc:
        raise PricesError(f"price {cost_per_token!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise PricesError(f"price {cost_per_token!r} is not a non-negative number")
    return format_decimal(value * 1_000_000)


def format_decimal(value: Decimal) -> str:
    """Write a decimal rounded to 9 places, without trailing zeros or an exponent."""
    rounded = value.quantize(Decimal(1).scaleb(-PRICE_DECIMALS), rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        return "0"
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _normalised(column: str, value: str) -> str:
    """A cell in comparable form: prices and the threshold as canonical decimals."""
    value = value.strip()
    if value == "" or column == "mode":
        return value
    try:
        return format_decimal(Decimal(value))
    except InvalidOperation:
        return value


# --------------------------------------------------------------------------------------------
# Source


def load_price_map(source: str) -> dict[str, object]:
    """Read the LiteLLM price map from a file path or an ``http(s)://`` URL.

    Raises ``PricesError`` when the source cannot be read or is not a JSON object: one line for a
    file, and for a URL that cannot be downloaded the URL, the error and what to do offline
    (:func:`download_failure`).
    """
    if is_url(source):
        try:
            with urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT_S) as response:
                raw = response.read()
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise PricesError(download_failure(source, exc)) from exc
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise PricesError(f"cannot read price map {source}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PricesError(f"price map {source} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PricesError(f"price map {source} is not a JSON object of models")
    return data


def is_url(source: str) -> bool:
    """True for an ``http://`` or ``https://`` source, which is downloaded rather than read."""
    return re.match(r"^https?://", source, flags=re.IGNORECASE) is not None


def litellm_packaged_price_list() -> tuple[Path, str] | None:
    """The price list inside the installed ``litellm`` package and that package's version, if any.

    Found with ``importlib.util.find_spec``: litellm is not imported (importing it is slow and may
    try to reach the network).
    """
    try:
        spec = importlib.util.find_spec("litellm")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / LITELLM_PACKAGED_FILE
    if not path.is_file():
        return None
    try:
        version = importlib.metadata.version("litellm")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown version"
    return path, version


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def download_failure(url: str, exc: BaseException) -> str:
    """What to say when the price list cannot be downloaded: the URL, the error and the two ways out."""
    packaged = litellm_packaged_price_list()
    if packaged is not None:
        path, version = packaged
        second = (
            f"  2. use the copy inside the installed litellm package (litellm {version}; it may be older than the "
            f"published list):\n       aicost prices --from {path}"
        )
    else:
        second = (
            f"  2. use the copy that ships inside the litellm Python package (litellm/{LITELLM_PACKAGED_FILE}); "
            "litellm is not installed here: pip install litellm==1.106.2 (the version this project tests "
            "with), then pass that file with --from"
        )
    return "\n".join(
        [
            f"cannot download the price list {url}: {_reason(exc)}",
            "If this machine is offline (or cannot reach that address), either:",
            "  1. download that file on a machine that is online, copy it here and pass it:",
            "       aicost prices --from FILE",
            second,
        ]
    )


def long_context_tier(entry: Mapping[str, object]) -> tuple[int | None, dict[str, str]]:
    """Return the long-context threshold (tokens) and the ``_long`` columns for one model.

    LiteLLM writes the tier as ``<price>_above_<N>k_tokens``. When a model lists several
    thresholds the lowest one is used (no model in LiteLLM 1.106.2 lists more than one).
    """
    thresholds: set[int] = set()
    for key in entry:
        match = _LONG_KEY.match(key)
        if match:
            thresholds.add(int(match.group(2)) * (1000 if match.group(3) else 1))
    if not thresholds:
        return None, {column: "" for column in LONG_PRICE_STEMS}
    threshold = min(thresholds)
    suffixes = [f"_above_{threshold}_tokens"]
    if threshold % 1000 == 0:
        suffixes.insert(0, f"_above_{threshold // 1000}k_tokens")
    columns: dict[str, str] = {}
    for column, stem in LONG_PRICE_STEMS.items():
        value = next((entry[stem + s] for s in suffixes if stem + s in entry), None)
        columns[column] = per_mtok(value)
    return threshold, columns


def row_from_entry(
    provider: str, model: str, entry: Mapping[str, object], effective_from: str
) -> dict[str, str] | None:
    """Build one rate card row from a LiteLLM entry; ``None`` when it has no per-token input price.

    Embedding models bill no output tokens; when LiteLLM lists no output price for one, the row
    says ``0``.
    """
    if entry.get("input_cost_per_token") is None:
        return None
    row = dict.fromkeys(COLUMNS, "")
    row.update(provider=provider, model=model, effective_from=effective_from)
    for column, key in BASE_PRICE_KEYS.items():
        row[column] = per_mtok(entry.get(key))
    if row["output_usd_per_mtok"] == "":
        if entry.get("mode") != "embedding":
            return None
        row["output_usd_per_mtok"] = "0"
    threshold, long_columns = long_context_tier(entry)
    if threshold is not None:
        row["long_context_threshold_tokens"] = str(threshold)
        row.update(long_columns)
    row["mode"] = str(entry.get("mode"))
    row["price_source"] = LITELLM_SOURCE
    return row


@dataclass
class BuildResult:
    """Rows built from the price map, and the model keys that could not be priced per token."""

    rows: list[dict[str, str]]
    skipped: list[str]


def build_rows(
    price_map: Mapping[str, object],
    providers: Iterable[str] | None = DEFAULT_PROVIDERS,
    effective_from: str = DEFAULT_EFFECTIVE_FROM,
) -> BuildResult:
    """Turn a LiteLLM price map into rate card rows, one per (provider, model).

    ``providers`` is a set of rate card provider names (``google``, not ``gemini``); ``None``
    keeps every provider. Only chat, completion and embedding models are kept. When several keys
    give the same (provider, model), the one ranked first by ``_candidate_rank`` wins. Rows come
    back sorted by provider and model.
    """
    wanted = None if providers is None else set(providers)
    candidates: dict[tuple[str, str], list[tuple[tuple[bool, int, int, int], str, Mapping]]] = {}
    for position, (key, entry) in enumerate(price_map.items()):
        if not isinstance(entry, Mapping) or entry.get("mode") not in PRICED_MODES:
            continue
        litellm_provider = entry.get("litellm_provider")
        if not isinstance(litellm_provider, str) or key == "sample_spec":
            continue
        parsed = split_model_key(key, litellm_provider)
        if not parsed.model or (wanted is not None and parsed.provider not in wanted):
            continue
        # A key with a per-token price beats one without, whatever its rank.
        unpriced = entry.get("input_cost_per_token") is None
        rank = (unpriced, *_candidate_rank(parsed, position))
        candidates.setdefault((parsed.provider, parsed.model), []).append((rank, key, entry))
    best = {pair: min(options, key=lambda option: option[0]) for pair, options in candidates.items()}
    rows: list[dict[str, str]] = []
    skipped: list[str] = []
    for (provider, model), (_rank, key, entry) in sorted(best.items()):
        try:
            row = row_from_entry(provider, model, entry, effective_from)
        except PricesError as exc:
            raise PricesError(f"model {key}: {exc}") from exc
        if row is None:
            skipped.append(key)
        else:
            rows.append(row)
    return BuildResult(rows=rows, skipped=skipped)


# --------------------------------------------------------------------------------------------
# Seed file


def read_rate_card(path: Path) -> list[dict[str, str]]:
    """Read an existing rate card CSV; a missing file reads as no rows.

    Columns missing from an older file read as empty; unknown columns are an error (they would
    be lost on rewrite).
    """
    if not path.exists():
        return []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = [{column: (row.get(column) or "").strip() for column in COLUMNS} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PricesError(f"cannot read rate card {path}: {exc}") from exc
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise PricesError(f"{path}: unknown column(s) {', '.join(unknown)}")
    for required in ("provider", "model", "effective_from", "price_source"):
        if required not in header:
            raise PricesError(f"{path}: missing column {required}")
    return rows


def write_rate_card(path: Path, rows: Sequence[Mapping[str, str]]) -> None:
    """Write rows to ``path`` with the rate card header, creating the folder if needed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow([row.get(column, "") for column in COLUMNS])
    except OSError as exc:
        raise PricesError(f"cannot write rate card {path}: {exc}") from exc


def sort_rows(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Sort rows by provider, model, effective_from, then price_source."""
    return sorted(
        (dict(row) for row in rows),
        key=lambda r: (r["provider"], r["model"], r["effective_from"], r["price_source"]),
    )


def example_rows() -> list[dict[str, str]]:
    """The hand-written example rows a new rate card starts with (self-hosted models at 0)."""
    return [dict.fromkeys(COLUMNS, "") | dict(row) for row in EXAMPLE_CUSTOM_ROWS]


def find_problems(rows: Sequence[Mapping[str, str]]) -> tuple[list[str], list[str]]:
    """Return (duplicate keys, overlapping intervals) in a rate card, as readable strings.

    A duplicate is two rows with the same (provider, model, effective_from). An overlap is two
    rows of the same (provider, model) in force on the same day (``effective_to`` is exclusive,
    empty means open).
    """
    seen: Counter[tuple[str, str, str]] = Counter((r["provider"], r["model"], r["effective_from"]) for r in rows)
    duplicates = [f"{p}/{m} from {f}" for (p, m, f), n in sorted(seen.items()) if n > 1]
    by_pair: dict[tuple[str, str], list[Mapping[str, str]]] = {}
    for row in rows:
        by_pair.setdefault((row["provider"], row["model"]), []).append(row)
    overlaps = []
    for (provider, model), versions in sorted(by_pair.items()):
        versions = sorted(versions, key=lambda r: r["effective_from"])
        for earlier, later in zip(versions, versions[1:], strict=False):
            end = earlier["effective_to"]
            if end == "" or end > later["effective_from"]:
                overlaps.append(f"{provider}/{model} ({earlier['effective_from']}, {later['effective_from']})")
    return duplicates, overlaps


# --------------------------------------------------------------------------------------------
# Refresh


def _same_prices(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    return all(_normalised(c, a.get(c, "")) == _normalised(c, b.get(c, "")) for c in COMPARED_COLUMNS)


def merge_rate_card(
    existing: Sequence[Mapping[str, str]],
    generated: Sequence[Mapping[str, str]],
    effective_from: str,
) -> MergeResult:
    """Merge freshly generated LiteLLM rows into an existing rate card.

    Rules: rows with a ``price_source`` other than ``litellm`` are kept untouched, and no LiteLLM
    row is added or closed for a (provider, model) that has such a row (it is user-owned). For
    other pairs: an open LiteLLM row with identical prices is kept; one with different prices is
    closed at ``effective_from`` and the new row appended; a pair with no open row gets the new
    row; LiteLLM rows of models that left the source are kept. Raises ``PricesError`` when a
    repriced model's open row does not start before ``effective_from``.
    """
    rows = [dict(row) for row in existing]
    result = MergeResult(rows=rows)
    user_owned = {(r["provider"], r["model"]) for r in rows if r["price_source"] != LITELLM_SOURCE}
    result.kept_custom = sum(1 for r in rows if r["price_source"] != LITELLM_SOURCE)
    open_rows: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        if row["price_source"] == LITELLM_SOURCE and row["effective_to"] == "":
            open_rows[(row["provider"], row["model"])] = row
    too_late: list[str] = []
    for new in generated:
        pair = (new["provider"], new["model"])
        if pair in user_owned:
            result.user_owned.append(pair)
            continue
        current = open_rows.get(pair)
        if current is not None and _same_prices(current, new):
            result.kept += 1
            continue
        if current is not None:
            if current["effective_from"] >= effective_from:
                too_late.append(f"{pair[0]}/{pair[1]} (open since {current['effective_from']})")
                continue
            current["effective_to"] = effective_from
            result.repriced += 1
        else:
            result.added += 1
        rows.append(dict(new))
    generated_pairs = {(row["provider"], row["model"]) for row in generated}
    result.gone_from_source = sum(1 for pair in open_rows if pair not in generated_pairs)
    if too_late:
        raise PricesError(
            f"{len(too_late)} model(s) changed price but --effective-from {effective_from} is not after "
            f"their current row, e.g. {too_late[0]}; pass --effective-from YYYY-MM-DD (the day the "
            "new prices apply)"
        )
    result.rows = sort_rows(rows)
    return result


# --------------------------------------------------------------------------------------------
# Command line


def find_repo_root(start: Path | None = None) -> Path:
    """Return the repository root: the nearest folder holding ``dbt_project.yml`` above ``start``.

    ``start`` defaults to this file, so the root is found wherever the command is run from.
    """
    here = (start or Path(__file__)).resolve()
    for folder in [here, *here.parents] if here.is_dir() else here.parents:
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise PricesError(f"cannot find the repository root (no dbt_project.yml above {here})")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the ``aicost prices`` options on ``parser``."""
    parser.add_argument(
        "--from",
        "--source",
        dest="source",
        metavar="URL|FILE",
        default=DEFAULT_SOURCE_URL,
        help="LiteLLM's model_prices_and_context_window.json, an http(s) URL or a file "
        "(default: the list LiteLLM publishes, %(default)s); --source is the same option",
    )
    parser.add_argument(
        "--out",
        metavar="CSV",
        help="rate card to create or refresh (default: seeds/rate_card.csv in the repository)",
    )
    parser.add_argument(
        "--effective-from",
        default=DEFAULT_EFFECTIVE_FROM,
        metavar="YYYY-MM-DD",
        help="first day the generated prices apply (default: %(default)s, the date the shipped rows "
        "carry); on a refresh that changes prices, pass the day the new prices apply",
    )
    parser.add_argument(
        "--providers",
        metavar="LIST",
        default=",".join(DEFAULT_PROVIDERS),
        help="comma-separated rate card providers to build, or 'all' (default: %(default)s)",
    )


def _parse_providers(text: str) -> tuple[str, ...] | None:
    names = tuple(sorted({name.strip().lower() for name in text.split(",") if name.strip()}))
    if not names:
        raise PricesError("--providers is empty")
    return None if "all" in names else names


def run(args: argparse.Namespace) -> int:
    """Run ``aicost prices``: build rows, merge them into the seed, print a summary.

    Returns 0 on success and 1 with a one-line message on stderr on a user error.
    """
    try:
        try:
            effective_from = date.fromisoformat(args.effective_from).isoformat()
        except ValueError as exc:
            raise PricesError(f"--effective-from {args.effective_from!r} is not a YYYY-MM-DD date") from exc
        providers = _parse_providers(getattr(args, "providers", None) or ",".join(DEFAULT_PROVIDERS))
        source = args.source or DEFAULT_SOURCE_URL
        out = Path(args.out) if args.out else find_repo_root() / "seeds" / "rate_card.csv"
        price_map = load_price_map(source)
        built = build_rows(price_map, providers, effective_from)
        if not built.rows:
            raise PricesError(f"no priced chat/completion/embedding models found in {source}")
        existing = read_rate_card(out) if out.exists() else example_rows()
        merged = merge_rate_card(existing, built.rows, effective_from)
        duplicates, overlaps = find_problems(merged.rows)
        if duplicates:
            raise PricesError(f"duplicate (provider, model, effective_from) rows, e.g. {duplicates[0]}")
        write_rate_card(out, merged.rows)
    except PricesError as exc:
        print(f"aicost prices: error: {exc}", file=sys.stderr)
        return 1
    print(_summary(out, merged, built, overlaps))
    return 0


def _summary(out: Path, merged: MergeResult, built: BuildResult, overlaps: Sequence[str]) -> str:
    per_provider = Counter(row["provider"] for row in merged.rows if row["effective_to"] == "")
    lines = [
        f"rate card {out}: {len(merged.rows)} rows; litellm rows kept {merged.kept}, added {merged.added}, "
        f"repriced {merged.repriced}; hand-written rows kept {merged.kept_custom}",
        "rows in force per provider: " + ", ".join(f"{p} {n}" for p, n in sorted(per_provider.items())),
    ]
    if built.skipped:
        lines.append(f"skipped {len(built.skipped)} model(s) without a per-token price")
    if merged.gone_from_source:
        lines.append(f"{merged.gone_from_source} model(s) no longer in the source keep their rows")
    if merged.user_owned:
        lines.append(f"left {len(merged.user_owned)} model(s) to their hand-written rows")
    if overlaps:
        lines.append(f"warning: {len(overlaps)} model(s) have overlapping rows, e.g. {overlaps[0]}")
    return "\n".join(lines)
