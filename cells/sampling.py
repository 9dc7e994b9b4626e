"""Draw durations from a scenario distribution, in blocks, from one element's stream.

A :class:`Sampler` turns a distribution spec of the scenario (``scenarios.Distribution``) and
a generator into a cheap callable returning one duration in seconds. It draws ``BLOCK`` values
at a time with numpy (a per-value numpy call costs more than the event it times) and hands them
out in order. The DES engine and the flow-line fast path both consume the same blocks in the
same order, so for a given seed they see the very same durations.

The samplers are registered per ``dist`` kind in :data:`BLOCK_DRAWERS` (an explicit registry,
never a class looked up by a name from the input file).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

BLOCK = 1024
"""Values drawn per refill. Part of the random-number discipline: changing it changes results."""

BlockDrawer = Callable[[Any, np.random.Generator, int], np.ndarray]


def _constant(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    return np.full(n, float(dist.value))


def _exponential(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.exponential(float(dist.mean), n)


def _normal(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    """Normal truncated at 0: draws below 0 are redrawn (docs/scenario-format.md)."""
    mean, sd = float(dist.mean), float(dist.sd)
    x = rng.normal(mean, sd, n) if sd > 0 else np.full(n, mean)
    negative = x < 0.0
    while negative.any():
        x[negative] = rng.normal(mean, sd, int(negative.sum()))
        negative = x < 0.0
    return x


def _lognormal(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    """``mean`` and ``cv`` are of the variable itself.

    sigma² = ln(1 + cv²) and mu = ln(mean) − sigma²/2 for the underlying normal.
    """
    sigma2 = math.log1p(float(dist.cv) ** 2)
    mu = math.log(float(dist.mean)) - sigma2 / 2.0
    return rng.lognormal(mu, math.sqrt(sigma2), n)


def _uniform(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform(float(dist.low), float(dist.high), n)


def _triangular(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.triangular(float(dist.low), float(dist.mode), float(dist.high), n)


def _empirical(dist: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    values = np.asarray(dist.values, dtype=float)
    return values[rng.integers(0, len(values), n)]


CHUNKABLE: frozenset[str] = frozenset(
    {"constant", "exponential", "lognormal", "uniform", "triangular", "empirical"}
)
"""Kinds whose draw of ``m * BLOCK`` values equals ``m`` successive blocks (numpy draws them one
value after another from the bit generator; ``tests/test_sampling.py`` checks it), so
:meth:`Sampler.take` may draw many blocks in one call. Not ``normal``: its redraws of negative
values happen per block."""

BLOCK_DRAWERS: dict[str, BlockDrawer] = {
    "constant": _constant,
    "exponential": _exponential,
    "normal": _normal,
    "lognormal": _lognormal,
    "uniform": _uniform,
    "triangular": _triangular,
    "empirical": _empirical,
}


class Sampler:
    """Durations (s) from one distribution and one stream; call it to get the next one."""

    __slots__ = ("_chunkable", "_dist", "_draw", "_pending", "_rng")

    def __init__(self, dist: Any, rng: np.random.Generator) -> None:
        try:
            self._draw = BLOCK_DRAWERS[dist.dist]
        except KeyError:
            raise ValueError(f"no sampler for distribution kind {dist.dist!r}") from None
        self._chunkable = dist.dist in CHUNKABLE
        self._dist = dist
        self._rng = rng
        self._pending: list[float] = []

    def __call__(self) -> float:
        """The next duration in seconds."""
        pending = self._pending
        if not pending:
            pending.extend(self._draw(self._dist, self._rng, BLOCK)[::-1].tolist())
        return pending.pop()

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` durations as an array, in the order ``__call__`` would give them."""
        out = np.empty(n)
        filled = min(n, len(self._pending))
        if filled:
            head = self._pending[-filled:][::-1]
            del self._pending[-filled:]
            out[:filled] = head
        while filled < n:
            blocks = -(-(n - filled) // BLOCK) if self._chunkable else 1
            size = blocks * BLOCK
            block = self._draw(self._dist, self._rng, size)
            k = min(size, n - filled)
            out[filled : filled + k] = block[:k]
            if k < size:
                self._pending.extend(block[k:][::-1].tolist())
            filled += k
        return out
