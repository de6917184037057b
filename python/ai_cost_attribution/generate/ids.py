"""Identifiers: deterministic, distinct and never shared between id streams or batches."""

from __future__ import annotations

import hashlib

import numpy as np

_M64 = (1 << 64) - 1


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a bijection on 64-bit integers (distinct inputs, distinct ids)."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def mix64_array(x: np.ndarray) -> np.ndarray:
    """:func:`mix64` on a uint64 array (wrapping arithmetic)."""
    x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def namespace(seed: int, label: str) -> int:
    """A 24-bit key per (seed, label) so that id streams never overlap."""
    digest = hashlib.blake2b(f"{seed}:{label}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0xFFFFFF


def id_text(prefix: str, key: int, counter: int) -> str:
    """``prefix`` + 16 hex digits: the ``counter``-th id of the stream ``key``."""
    return f"{prefix}{mix64((key << 40) | counter):016x}"
