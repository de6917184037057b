"""What one LLM call costs: docs/CONTRACT.md section 2, in exact decimals, as the warehouse prices it.

The one Python home of the pricing rule, matching the SQL (``int_model_days_priced``: which rate
card row and discount apply to a provider x model x day; ``int_calls_priced``: which price
applies to which tokens; macros ``model_family`` and ``aicost_token_cost``):

* **Match.** The model as reported, else its ``seeds/model_aliases.csv`` row, else its family
  (a dated version such as ``gpt-4o-2024-08-06`` or ``claude-3-5-sonnet@20240620``); then the
  rate row in force on the call's UTC day (``effective_to`` exclusive; the latest start wins).
* **Long context.** Above ``long_context_threshold_tokens`` input tokens the whole call uses the
  ``_long`` prices, cache reads and writes included; an empty ``_long`` price falls back to the
  regular one.
* **Batch.** A batch call uses the batch input and output prices when listed; cache prices are
  not batched.
* **Fallbacks.** An empty cache read or write price is the input price of the tier in force; an
  empty 1-hour write price is the cache write price; an empty output price costs nothing on a
  call without output tokens, and leaves a call with output tokens unpriced.
* **Arithmetic.** Each token class costs ``tokens x price / 1e6`` rounded to 12 decimals
  (``decimal(38, 12)``, half away from zero); the negotiated discount multiplies by
  ``1 - discount_pct / 100``.

The generator (:mod:`ai_cost_attribution.world`) prices millions of calls with these prices as
floats; the benchmark's per-call loop and the tests price one call at a time with
:func:`price_call`.
"""

from __future__ import annotations

import csv
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

MONEY = Decimal("1e-12")  # decimal(38, 12): money
PRICE = Decimal("1e-9")  # decimal(18, 9): a rate card price
PERCENT = Decimal("1e-4")  # decimal(9, 4): a discount percentage
_PER_MILLION = Decimal("0.000001")
_ZERO = Decimal("0E-12")
_EXACT = decimal.Context(prec=80, rounding=ROUND_HALF_UP)  # wide enough for 38 digits times 38 digits

# A dated version of a model: `-20241022`, `-2024-08-06` or `@20240620` at the end of its name.
DATED_SUFFIX = re.compile(r"[-@]([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2})$")


def model_family(model: str) -> str:
    """The model's family: its name without a dated version suffix (macro ``model_family``)."""
    return DATED_SUFFIX.sub("", model)


def money(value: Decimal) -> Decimal:
    """``value`` as ``decimal(38, 12)`` holds it: 12 decimals, halves rounded away from zero."""
    return value.quantize(MONEY, rounding=ROUND_HALF_UP, context=_EXACT)


def _number(text: str | None, step: Decimal) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text).quantize(step, rounding=ROUND_HALF_UP, context=_EXACT) if text else None


def _day(text: str | None) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Rate:
    """One rate card row: USD per million tokens (None = the card leaves it empty)."""

    provider: str
    model: str
    effective_from: date
    effective_to: date | None
    input: Decimal | None
    output: Decimal | None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    long_context_threshold_tokens: int | None = None
    input_long: Decimal | None = None
    output_long: Decimal | None = None
    cache_read_long: Decimal | None = None
    cache_write_long: Decimal | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> Rate:
        """A ``seeds/rate_card.csv`` row (text cells), cast as the seed's column types cast it."""

        def price(column: str) -> Decimal | None:
            return _number(row.get(column), PRICE)

        threshold = (row.get("long_context_threshold_tokens") or "").strip()
        return cls(
            provider=row["provider"].strip(),
            model=row["model"].strip(),
            effective_from=date.fromisoformat(row["effective_from"].strip()),
            effective_to=_day(row.get("effective_to")),
            input=price("input_usd_per_mtok"),
            output=price("output_usd_per_mtok"),
            cache_read=price("cache_read_usd_per_mtok"),
            cache_write=price("cache_write_usd_per_mtok"),
            cache_write_1h=price("cache_write_1h_usd_per_mtok"),
            batch_input=price("batch_input_usd_per_mtok"),
            batch_output=price("batch_output_usd_per_mtok"),
            long_context_threshold_tokens=int(threshold) if threshold else None,
            input_long=price("input_usd_per_mtok_long"),
            output_long=price("output_usd_per_mtok_long"),
            cache_read_long=price("cache_read_usd_per_mtok_long"),
            cache_write_long=price("cache_write_usd_per_mtok_long"),
        )

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass(frozen=True)
class Discount:
    """One negotiated discount (``price_adjustments.csv``); model ``*`` = every model of the provider."""

    provider: str
    model: str
    effective_from: date
    effective_to: date | None
    discount_pct: Decimal

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> Discount:
        """A ``price_adjustments.csv`` row (text cells), as staging reads it."""
        return cls(
            provider=row["provider"].strip().lower(),
            model=(row.get("model") or "").strip() or "*",
            effective_from=date.fromisoformat(row["effective_from"].strip()),
            effective_to=_day(row.get("effective_to")),
            discount_pct=_number(row["discount_pct"], PERCENT) or Decimal(0),
        )

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass(frozen=True)
class DayPrice:
    """What prices a provider x model on one day: the matched model, the rate row in force (None:
    the calls are unpriced) and the discount in force (0 when none)."""

    priced_model: str | None
    price_match: str | None  # exact, alias, family; None when nothing matched
    rate: Rate | None
    discount_pct: Decimal
    discount_factor: Decimal  # 1 - discount_pct / 100


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class PriceList:
    """The rate card, the model aliases and the negotiated discounts, indexed for lookups."""

    rates: list[Rate]
    aliases: Mapping[tuple[str, str], str] = field(default_factory=dict)
    discounts: list[Discount] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_model: dict[tuple[str, str], list[Rate]] = {}
        for rate in self.rates:
            self._by_model.setdefault((rate.provider, rate.model), []).append(rate)
        for rows in self._by_model.values():
            rows.sort(key=lambda rate: rate.effective_from, reverse=True)
        # a model-specific discount before a provider-wide one, then the latest start
        self._discounts = sorted(self.discounts, key=lambda d: (d.model == "*", -d.effective_from.toordinal()))
        self._days: dict[tuple[str, str, date], DayPrice] = {}
        self._applied: dict[tuple[int, bool, bool], AppliedPrices | None] = {}

    @classmethod
    def load(
        cls, rate_card: Path, model_aliases: Path | None = None, price_adjustments: Path | None = None
    ) -> PriceList:
        """Read the rate card CSV, and the aliases and discounts when given and present."""
        aliases = {}
        if model_aliases is not None and model_aliases.is_file():
            aliases = {(row["provider"], row["model"]): row["priced_as_model"] for row in _read_csv(model_aliases)}
        discounts: list[Discount] = []
        if price_adjustments is not None and price_adjustments.is_file():
            discounts = [Discount.from_row(row) for row in _read_csv(price_adjustments)]
        return cls([Rate.from_row(row) for row in _read_csv(rate_card)], aliases, discounts)

    @classmethod
    def of_project(cls, seeds: Path, price_adjustments: Path | None = None) -> PriceList:
        """The project's ``seeds/rate_card.csv`` and ``seeds/model_aliases.csv``, and a raw
        folder's ``price_adjustments.csv`` when given."""
        return cls.load(seeds / "rate_card.csv", seeds / "model_aliases.csv", price_adjustments)

    def match(self, provider: str, model: str) -> tuple[str, str] | None:
        """(priced model, how it matched) for a model as reported, or None."""
        if (provider, model) in self._by_model:
            return model, "exact"
        alias = self.aliases.get((provider, model))
        if alias is not None and (provider, alias) in self._by_model:
            return alias, "alias"
        family = model_family(model)
        if (provider, family) in self._by_model:
            return family, "family"
        return None

    def day_price(self, provider: str, model: str, day: date) -> DayPrice:
        """The rate row and the discount in force for ``provider`` x ``model`` on ``day``."""
        key = (provider, model, day)
        found = self._days.get(key)
        if found is None:
            matched = self.match(provider, model)
            priced_model, price_match = matched if matched else (None, None)
            rows = self._by_model.get((provider, priced_model), []) if priced_model else []
            rate = next((row for row in rows if row.in_force(day)), None)
            discount = next(
                (d for d in self._discounts
                 if d.provider == provider and d.model in ("*", priced_model, model) and d.in_force(day)),
                None,
            )  # fmt: skip
            pct = discount.discount_pct if discount else Decimal(0)
            found = DayPrice(priced_model, price_match, rate, pct, discount_factor(pct))
            self._days[key] = found
        return found

    def applied(self, rate: Rate, is_long: bool, is_batch: bool) -> AppliedPrices | None:
        """:func:`applied_prices` of one of this list's rates (computed once per tier)."""
        key = (id(rate), is_long, is_batch)
        if key not in self._applied:
            self._applied[key] = applied_prices(rate, is_long=is_long, is_batch=is_batch)
        return self._applied[key]


@dataclass(frozen=True, slots=True)
class AppliedPrices:
    """The price (USD per million tokens) each token class of a call pays."""

    input: Decimal  # uncached input tokens
    cache_read: Decimal
    cache_write: Decimal  # 5-minute cache writes
    cache_write_1h: Decimal
    output: Decimal
    prices_output: bool  # the card lists an output price (without one, output tokens are unpriced)


def _first(*prices: Decimal | None) -> Decimal | None:
    return next((price for price in prices if price is not None), None)


def is_long_context(rate: Rate, input_tokens: int) -> bool:
    """The call is above the rate's long-context threshold (its whole call uses the ``_long`` prices)."""
    return rate.long_context_threshold_tokens is not None and input_tokens > rate.long_context_threshold_tokens


def applied_prices(rate: Rate, *, is_long: bool, is_batch: bool) -> AppliedPrices | None:
    """Which price each token class pays on ``rate`` (None: the card has no input price)."""
    if rate.input is None:
        return None
    tier_input = _first(rate.input_long if is_long else None, rate.input)
    long_write = rate.cache_write_long if is_long else None
    if is_batch and rate.batch_output is not None:
        output = rate.batch_output
    else:
        output = _first(rate.output_long if is_long else None, rate.output, Decimal(0))
    return AppliedPrices(
        input=rate.batch_input if is_batch and rate.batch_input is not None else tier_input,
        cache_read=_first(rate.cache_read_long if is_long else None, rate.cache_read, tier_input),
        cache_write=_first(long_write, rate.cache_write, tier_input),
        cache_write_1h=_first(rate.cache_write_1h, long_write, rate.cache_write, tier_input),
        output=output,
        prices_output=rate.output is not None,
    )


def billed_tokens(
    input_tokens: int, output_tokens: int, cache_read: int, cache_write: int, cache_write_1h: int
) -> tuple[int, int, int, int, int]:
    """The tokens each class of :class:`AppliedPrices` is paid on, in its field order: uncached
    input, cache reads, 5-minute writes, 1-hour writes, output (ints, or elementwise on arrays)."""
    return (
        input_tokens - cache_read - cache_write,
        cache_read,
        cache_write - cache_write_1h,
        cache_write_1h,
        output_tokens,
    )


def token_cost(tokens: int, usd_per_mtok: Decimal) -> Decimal:
    """USD for ``tokens`` at a price per million tokens, exact to 12 decimals (macro ``aicost_token_cost``)."""
    if tokens == 0:
        return _ZERO
    return _EXACT.multiply(_EXACT.multiply(Decimal(tokens), usd_per_mtok), _PER_MILLION).quantize(
        MONEY, rounding=ROUND_HALF_UP, context=_EXACT
    )


def discount_factor(discount_pct: Decimal) -> Decimal:
    """What a negotiated discount of ``discount_pct`` percent leaves of the list cost."""
    return 1 - discount_pct.quantize(PERCENT, rounding=ROUND_HALF_UP) / 100


@dataclass(slots=True)
class CallCost:
    """A priced call's costs (USD), with the names of ``fct_llm_calls``. Sums of amounts already
    rounded to 12 decimals are exact, so every figure equals its ``decimal(38, 12)`` column."""

    uncached_input_tokens: int
    uncached_input_cost_usd: Decimal
    cache_read_cost_usd: Decimal
    cache_write_cost_usd: Decimal
    output_cost_usd: Decimal
    input_cost_usd: Decimal
    list_cost_usd: Decimal
    uncached_list_cost_usd: Decimal
    effective_input_cost_usd: Decimal
    effective_output_cost_usd: Decimal
    uncached_effective_input_cost_usd: Decimal
    effective_cost_usd: Decimal


def call_cost(
    prices: AppliedPrices,
    discount_pct: Decimal,
    *,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
) -> CallCost:
    """The costs of one call at ``prices`` after a ``discount_pct`` discount."""
    return _call_cost(prices, discount_factor(discount_pct), input_tokens, output_tokens, cache_read_tokens,
                      cache_write_tokens, cache_write_1h_tokens)  # fmt: skip


def _call_cost(
    prices: AppliedPrices,
    factor: Decimal,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int,
    cache_write_tokens: int,
    cache_write_1h_tokens: int,
) -> CallCost:
    uncached, read, write_5m, write_1h, output = billed_tokens(
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens
    )
    add = _EXACT.add
    uncached_cost = token_cost(uncached, prices.input)
    read_cost = token_cost(read, prices.cache_read)
    write_cost = add(token_cost(write_5m, prices.cache_write), token_cost(write_1h, prices.cache_write_1h))
    output_cost = token_cost(output, prices.output)
    # what the call would have cost with no prompt cache: every input token at the input price
    uncached_equivalent = token_cost(input_tokens, prices.input)
    input_cost = add(add(uncached_cost, read_cost), write_cost)
    effective_input = money(_EXACT.multiply(input_cost, factor))
    effective_output = money(_EXACT.multiply(output_cost, factor))
    return CallCost(
        uncached_input_tokens=uncached,
        uncached_input_cost_usd=uncached_cost,
        cache_read_cost_usd=read_cost,
        cache_write_cost_usd=write_cost,
        output_cost_usd=output_cost,
        input_cost_usd=input_cost,
        list_cost_usd=add(input_cost, output_cost),
        uncached_list_cost_usd=add(uncached_equivalent, output_cost),
        effective_input_cost_usd=effective_input,
        effective_output_cost_usd=effective_output,
        uncached_effective_input_cost_usd=money(_EXACT.multiply(uncached_equivalent, factor)),
        effective_cost_usd=add(effective_input, effective_output),
    )


@dataclass(slots=True)
class PricedCall:
    """One call priced: what matched, the prices applied and the costs (None when unpriced)."""

    day_price: DayPrice
    is_long_context: bool
    prices: AppliedPrices | None
    cost: CallCost | None

    @property
    def is_priced(self) -> bool:
        return self.cost is not None


def price_call(
    price_list: PriceList,
    *,
    provider: str,
    model: str,
    day: date,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    is_batch: bool = False,
) -> PricedCall:
    """Price one call as the warehouse does (unpriced: no input price, or output tokens and no
    output price, an ``unpriced_model`` reject)."""
    day_price = price_list.day_price(provider, model, day)
    rate = day_price.rate
    long = rate is not None and is_long_context(rate, input_tokens)
    prices = price_list.applied(rate, long, is_batch) if rate is not None else None
    if prices is None or not (prices.prices_output or output_tokens == 0):
        return PricedCall(day_price, long, prices, None)
    cost = _call_cost(prices, day_price.discount_factor, input_tokens, output_tokens, cache_read_tokens,
                      cache_write_tokens, cache_write_1h_tokens)  # fmt: skip
    return PricedCall(day_price, long, prices, cost)
