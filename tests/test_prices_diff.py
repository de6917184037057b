"""`aicost prices --diff`: what a refresh from the current public price list would change in the
rate card, row by row, before it is applied (and that nothing is written)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ai_cost_attribution import prices


def run_prices(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    prices.add_arguments(parser)
    return prices.run(parser.parse_args(list(argv)))


def entry(input_cost: float, output_cost: float, **extra: object) -> dict:
    """A LiteLLM price map entry (USD per token)."""
    return {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": input_cost,
            "output_cost_per_token": output_cost, **extra}  # fmt: skip


def write_map(path: Path, models: dict) -> str:
    path.write_text(json.dumps(models), encoding="utf-8")
    return str(path)


def test_diff_lists_each_repriced_and_added_row_and_writes_nothing(tmp_path, capsys) -> None:
    card = tmp_path / "rate_card.csv"
    # today's card: m1 at $1 / $2 per million, m2 at $3 / $4, and a hand-written m3
    first = write_map(tmp_path / "v1.json", {"acme/m1": entry(1e-06, 2e-06), "acme/m2": entry(3e-06, 4e-06)})
    assert run_prices("--from", first, "--out", str(card), "--providers", "acme") == 0
    with card.open("a", encoding="utf-8") as handle:
        handle.write("acme,m3,2024-06-01,,9,9,,,,,,,,,,,chat,custom\n")
    text = card.read_text(encoding="utf-8")
    capsys.readouterr()

    # the published list now: m1's input drops to $0.80 and gains a cache read price, m2 unchanged,
    # m4 is new, m3 is listed too (its hand-written row owns it)
    second = write_map(tmp_path / "v2.json", {
        "acme/m1": entry(8e-07, 2e-06, cache_read_input_token_cost=1e-07),
        "acme/m2": entry(3e-06, 4e-06),
        "acme/m3": entry(1e-06, 1e-06),
        "acme/m4": entry(5e-07, 1.5e-06),
    })  # fmt: skip
    code = run_prices("--from", second, "--out", str(card), "--providers", "acme", "--effective-from", "2026-12-01",
                      "--diff")  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"rate card {card} against {second}: 1 repriced, 1 added, 1 unchanged; nothing written"
        " (run without --diff to apply)",
        "~ acme/m1: input_usd_per_mtok 1 -> 0.8; cache_read_usd_per_mtok - -> 0.1"
        " (the row from 2024-01-01 closes on 2026-12-01)",
        "+ acme/m4 from 2026-12-01: input_usd_per_mtok 0.5, output_usd_per_mtok 1.5, mode chat",
        "1 model(s) with hand-written rows would be left to them",
    ]
    assert card.read_text(encoding="utf-8") == text  # nothing written

    # applying it does what the diff said
    apply = ("--from", second, "--out", str(card), "--providers", "acme", "--effective-from", "2026-12-01")
    assert run_prices(*apply) == 0
    changes, _ = prices.diff_rate_card(prices.read_rate_card(card), prices.build_rows(
        json.loads(Path(second).read_text()), ["acme"], "2026-12-01").rows, "2026-12-01")  # fmt: skip
    assert changes == []
