"""Fast scalar randomness for the call-by-call demo simulation, from a seeded numpy Generator."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence

import numpy as np


class Draws:
    """Buffered draws from a seeded Generator: fast scalar randomness for the per-call simulation."""

    def __init__(self, rng: np.random.Generator, size: int = 1 << 16):
        self.rng = rng
        self.size = size
        self._u = rng.random(size)
        self._n = rng.standard_normal(size)
        self._ui = 0
        self._ni = 0

    def u(self) -> float:
        if self._ui == self.size:
            self._u, self._ui = self.rng.random(self.size), 0
        value = self._u[self._ui]
        self._ui += 1
        return float(value)

    def normal(self) -> float:
        if self._ni == self.size:
            self._n, self._ni = self.rng.standard_normal(self.size), 0
        value = self._n[self._ni]
        self._ni += 1
        return float(value)

    def chance(self, p: float) -> bool:
        return self.u() < p

    def below(self, n: int) -> int:
        return min(n - 1, int(self.u() * n))

    def between(self, lo: int, hi: int) -> int:
        """Uniform integer in ``[lo, hi]``."""
        return lo + self.below(hi - lo + 1)

    def pick(self, cdf: Sequence[float]) -> int:
        """Index drawn from a cumulative distribution whose last value is the total."""
        return min(len(cdf) - 1, bisect.bisect_right(cdf, self.u() * cdf[-1]))

    def lognormal(self, sigma: float) -> float:
        return math.exp(sigma * self.normal())

    def geometric(self, mean: float, cap: int) -> int:
        """1, 2, 3... with the given mean (>= 1), at most ``cap``."""
        if mean <= 1:
            return 1
        p = 1 / mean
        return min(cap, 1 + int(math.log(1 - self.u()) / math.log(1 - p)))


def cumulative(weights: Iterable[float]) -> list[float]:
    """Cumulative weights (the last value is the total), for :meth:`Draws.pick`."""
    return np.cumsum(np.asarray(list(weights), dtype=np.float64)).tolist()
