"""Random streams owned per element, keyed by a stable name (docs/architecture.md).

Every stochastic element draws from its own :class:`numpy.random.Generator`, made from
``SeedSequence(seed, spawn_key=(replication, key_hash))``. The key is the element's dotted name
plus what the stream is for (``stations.press.process``), hashed with BLAKE2b so it is stable
across processes and Python versions (unlike ``hash()``). Adding a station never shifts another
station's draws, and two variants of one scenario see the same numbers for the same element.
"""

from __future__ import annotations

import hashlib

import numpy as np


def key_hash(key: str) -> int:
    """A stable 64-bit integer for a stream key."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def stream(seed: int, replication: int, key: str) -> np.random.Generator:
    """The random generator of element stream ``key`` in replication ``replication``."""
    if seed < 0 or replication < 0:
        raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
    seq = np.random.SeedSequence(seed, spawn_key=(replication, key_hash(key)))
    return np.random.Generator(np.random.PCG64(seq))


_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def counter_key(seed: int, replication: int, key: str) -> int:
    """The 64-bit key of a counter-based stream (:func:`counter_uniform`).

    Built from the same ``(seed, replication, key)`` triple as :func:`stream`, through a
    ``SeedSequence``, so two counter streams with different keys are unrelated.
    """
    if seed < 0 or replication < 0:
        raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
    seq = np.random.SeedSequence(seed, spawn_key=(replication, key_hash(key)))
    words = seq.generate_state(2, dtype=np.uint32)
    return (int(words[0]) << 32) | int(words[1])


def counter_uniform(key: int, index: int) -> float:
    """A uniform draw in [0, 1) that depends only on ``key`` and ``index`` (a part id).

    SplitMix64's finaliser over ``key + (index + 1) * golden``: per-part decisions (product
    choice, scrap) do not depend on the order in which parts are processed, so two variants
    that reorder or skip work still see the same draw for the same part.
    """
    z = (key + (index + 1) * _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    z ^= z >> 31
    return (z >> 11) * (1.0 / 9007199254740992.0)
